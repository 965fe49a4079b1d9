"""The hour-by-hour search: the scenario simulated with one-hour shift lines, moved an hour at
a time on clear evidence only (see :mod:`contactsim.analysis.staffing`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.special import ndtri, stdtrit

from contactsim.analysis.experiment import Experiment, run_experiment
from contactsim.analysis.measures import measure_estimate
from contactsim.analysis.rostering import Shift, roster_lines
from contactsim.analysis.staff_model import (
    FAMILY_ERROR,
    FAMILY_ERROR_DOWN,
    MIN_INSTANCES_DOWN,
    Load,
    Request,
    Search,
    StaffingInputError,
    to_roster,
)
from contactsim.analysis.stats import Estimate
from contactsim.config.loading import Changes, with_changes
from contactsim.config.schema import MAX_ON_DUTY
from contactsim.config.spec import Scenario
from contactsim.problems import ScenarioError
from contactsim.timebase import HOURS_PER_WEEK

# --- simulating a staffing ----------------------------------------------------------------


def pool_changes(pool: str, lines: Sequence[dict[str, object]],
                 breaks_min: float | None = None) -> Changes:
    """Changes that give ``pool`` these roster lines (and unscaled headcounts)."""
    changes: dict[tuple[str, ...], object] = {("pools", pool, "roster"): list(lines),
                                              ("pools", pool, "scale"): 1.0}
    if breaks_min is not None:
        changes["pools", pool, "breaks_min"] = breaks_min
    return changes


def hourly_lines(vector: np.ndarray) -> list[dict[str, object]]:
    """A staffing vector as one-hour roster lines (hours with nobody left out)."""
    return roster_lines([Shift(h // 24, h % 24, 1, int(n)) for h, n in enumerate(vector) if n])


def unreachable(pool: str) -> str:
    """Why a search that has run out of people stops: the target, not any roster, is at fault."""
    return (f"the target cannot be met with up to {MAX_ON_DUTY:,} people on duty in pool "
            f"{pool!r} at once; the callers' patience, handle times or answer target may put "
            "it out of reach")


class Simulator:
    """Runs the scenario with its pool's roster replaced, always with the same seed.

    Each staffing tried is a variant of the loaded scenario made in memory
    (:func:`~contactsim.config.loading.with_changes`), checked like a file with that roster.
    """

    def __init__(self, request: Request, scenario: Scenario, pool: str,
                 hourly_breaks_min: float, log: Callable[[str], None]) -> None:
        self.request, self.scenario, self.pool, self.log = request, scenario, pool, log
        self.hourly_breaks_min = hourly_breaks_min
        self.runs = 0

    def shifts(self, lines: Sequence[dict[str, object]]) -> Experiment:
        """The scenario with the pool working these shift lines as written."""
        return self._run(pool_changes(self.pool, lines))

    def hourly(self, vector: np.ndarray) -> Experiment:
        """The scenario with ``vector[h]`` people rostered in each hour (one-hour shifts)."""
        if not vector.any():
            raise StaffingInputError("target", "the search reached a week with nobody on duty")
        return self._run(pool_changes(self.pool, hourly_lines(vector), self.hourly_breaks_min))

    def _run(self, changes: Changes) -> Experiment:
        self.runs += 1
        try:
            sc = with_changes(self.scenario, changes)
        except ScenarioError:
            # Only the search's own rosters change here, and the file was valid, so the search
            # has outgrown what a pool may roster: the planner's target is what cannot be met.
            raise StaffingInputError("target", unreachable(self.pool), "lower_target") from None
        return run_experiment(sc, workers=self.request.workers, dask=self.request.dask)


def weekly_sl(exp: Experiment, channel: str) -> Estimate:
    return measure_estimate((r.channels[channel]["service_level"] for r in exp.replications),
                            "service_level")


def hourly_bounds(exp: Experiment, channel: str, family_error: float = FAMILY_ERROR,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each hour's mean service level and the simultaneous low and high bounds (168 each).

    The bounds hold for all 168 hours together (Bonferroni) and are the more cautious of a
    Student t interval over replications (which sees the correlation of calls within a run) and
    a Wilson interval on the calls pooled over replications (which stays honest when few calls
    fall in an hour and every replication happens to answer all of them).
    """
    sl = np.array([r.hourly[channel]["service_level"] for r in exp.replications])
    offered = np.array([r.hourly[channel]["offered"] for r in exp.replications])
    with np.errstate(invalid="ignore", divide="ignore"):
        n = (~np.isnan(sl)).sum(axis=0)
        mean = np.nansum(sl, axis=0) / n
        sd = np.sqrt(np.nansum((sl - mean) ** 2, axis=0) / (n - 1))
        tail = family_error / (2 * HOURS_PER_WEEK)
        t = np.where(n > 1, stdtrit(np.maximum(n - 1, 1), 1 - tail), np.nan)
        half = t * sd / np.sqrt(n)
        calls = offered.sum(axis=0)
        p = np.nansum(np.nan_to_num(sl) * offered, axis=0) / calls
        z = float(ndtri(1 - tail))
        centre = (p + z * z / (2 * calls)) / (1 + z * z / calls)
        spread = z / (1 + z * z / calls) * np.sqrt(p * (1 - p) / calls + z * z / (4 * calls**2))
    low = np.fmin(mean - half, centre - spread)
    high = np.fmax(mean + half, centre + spread)
    low[np.isnan(half) | (calls == 0)] = -np.inf
    high[np.isnan(half) | (calls == 0)] = np.inf
    return mean, low, high


# --- the search ---------------------------------------------------------------------------


def search(sim: Simulator, start: np.ndarray, load: Load, share: float, target: float,
           max_iterations: int) -> Search:
    """From ``start``, move hours on clear evidence only; return the staffing and how it ended.

    Each round simulates the current staffing and the staffing with one fewer in every hour
    (a harder test than one fewer in a single hour, since the hours around it lose a person
    too). An hour moves down by one when it clearly meets the target with one fewer. An hour
    that clearly misses moves up: by one, or by half the gap the formula sees between its
    staffing and what the hour's simulated service level implies (so a far-short hour does not
    take a round per person). An hour that has moved one way never moves back, so the search
    cannot cycle. It stops when nothing moves, or after ``max_iterations`` rounds: then the
    last move was never simulated and the requirement has not settled (``stopped_early``).
    """
    x = start.copy()
    moved = np.zeros(HOURS_PER_WEEK, dtype=int)
    channel = sim.request.channel
    run = sim.scenario.run
    may_lower = run.replications * math.floor(run.days / 7) >= MIN_INSTANCES_DOWN
    ups = downs = 0
    for round_ in range(1, max_iterations + 1):
        mean, _, high = hourly_bounds(sim.hourly(x), channel)
        up = (high < target) & (moved >= 0)
        fewer = np.maximum(x - 1, 0)
        down = np.zeros(HOURS_PER_WEEK, dtype=bool)
        if fewer.any() and may_lower:
            _, low, _ = hourly_bounds(sim.hourly(fewer), channel, FAMILY_ERROR_DOWN)
            down = (low >= target) & (moved <= 0) & (x > 0) & ~up
        if not up.any() and not down.any():
            return Search(x, round_, max_iterations, stopped_early=False)
        steps = np.zeros(HOURS_PER_WEEK, dtype=int)
        for h in np.flatnonzero(up):
            steps[h] = up_step(load, share, target, int(x[h]), float(mean[h]), int(h))
        x = x + steps - down
        moved = np.where(up, 1, np.where(down, -1, moved))
        ups, downs = int(up.sum()), int(down.sum())
        sim.log(f"  round {round_}: {ups} hours need more staff, {downs} can do with one "
                f"fewer ({int(x.sum()):,} staff hours)")
    return Search(x, max_iterations, max_iterations, stopped_early=True, last_up=ups,
                  last_down=downs)


def up_step(load: Load, share: float, target: float, rostered: int, observed: float,
            hour: int) -> int:
    """People to add to an hour that clearly misses the target (at least one)."""
    agents = max(1, math.floor(rostered * share))
    rate = load.equivalent_rate(float(load.per_hour[hour]), agents, max(observed, 1e-6))
    try:
        needed = int(to_roster(np.array([load.agents(rate, target)]), share)[0])
    except ValueError:  # the formula cannot reach the target at this load: go gently
        return 1
    return max(1, (needed - rostered) // 2)


def early_stop_note(s: Search) -> str:
    """Why a search cut off by its round limit needs saying, and what to do about it."""
    moves = " and ".join(part for part in (
        f"{s.last_up} hours went up" if s.last_up else "",
        f"{s.last_down} came down" if s.last_down else "") if part)
    falling = (" Where hours were still coming down the requirement is probably higher than "
               "needed." if s.last_down else "")
    rounds = f"{s.limit} round{'s' * (s.limit != 1)}"
    return (f"the search stopped at its limit of {rounds} with the hour-by-hour requirement "
            f"still changing: in the last round {moves}, and those changes were not tested."
            f"{falling} Each roster was simulated as written, so its own figures stand; run "
            f"again with --max-iterations {2 * s.limit} to let the search finish")

