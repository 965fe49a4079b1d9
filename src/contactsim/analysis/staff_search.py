"""The screening search: the roster covering the formula's requirement in the allowed shifts,
simulated with few replications (the same ones each round), and its short hours given more
people until none is clearly short (see :mod:`contactsim.analysis.staffing`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.special import ndtri, stdtrit

from contactsim.analysis.experiment import Experiment, run_experiment
from contactsim.analysis.measures import measure_estimate
from contactsim.analysis.rostering import RosterError, Shift, cover_patterns, on_duty, roster_lines
from contactsim.analysis.staff_model import (
    FAMILY_ERROR,
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

#: How far below the target (in standard errors) a screened hour's service level must lie
#: before it is given more people: two, so that a quiet hour whose few calls happened to wait
#: is seldom staffed up on chance alone (about 2% of hours sitting right at the target), while
#: a clearly short one is. What screening misses, verification at full precision catches.
SCREEN_Z = 2.0

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

    Each roster tried is a variant of the loaded scenario made in memory
    (:func:`~contactsim.config.loading.with_changes`), checked like a file with that roster.
    A screening run keeps the first ``replications`` replications only: the same callers as the
    full run's first ones (each replication's streams depend on the seed and its number).
    """

    def __init__(self, request: Request, scenario: Scenario, pool: str,
                 log: Callable[[str], None]) -> None:
        self.request, self.scenario, self.pool, self.log = request, scenario, pool, log
        self.runs = 0

    def shifts(self, shifts: Sequence[Shift], replications: int | None = None) -> Experiment:
        """The scenario with the pool working these shifts as written (``replications``: the
        first so many only; None: all the scenario's)."""
        changes = dict(pool_changes(self.pool, roster_lines(shifts)))
        if replications is not None and replications < self.scenario.run.replications:
            changes["run", "replications"] = replications
        return self._run(changes)

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


# --- the screening search ---------------------------------------------------------------------


def pooled_hourly(exp: Experiment, channel: str) -> tuple[np.ndarray, np.ndarray]:
    """Each hour's service level over the calls of every replication, and those calls."""
    sl = np.array([r.hourly[channel]["service_level"] for r in exp.replications])
    offered = np.array([r.hourly[channel]["offered"] for r in exp.replications])
    calls = offered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.nansum(np.nan_to_num(sl) * offered, axis=0) / calls
    return p, calls


def screen_error(exp: Experiment, channel: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each hour's pooled service level, its calls and its standard error: the larger of the
    binomial one on the pooled calls and the one from the spread over replications (calls in
    the same hour wait together, so the binomial alone is too small)."""
    p, calls = pooled_hourly(exp, channel)
    sl = np.array([r.hourly[channel]["service_level"] for r in exp.replications])
    with np.errstate(invalid="ignore", divide="ignore"):
        n = (~np.isnan(sl)).sum(axis=0)
        spread = np.nanstd(sl, axis=0, ddof=1) / np.sqrt(n) if len(sl) > 1 else 0.0
        binomial = np.sqrt(np.clip(p * (1 - p), 0.0, None) / calls)
        se = np.fmax(np.nan_to_num(spread), np.maximum(binomial, 0.5 / calls))
    return p, calls, se


def screen_low(exp: Experiment, channel: str) -> np.ndarray:
    """Each hour's pooled service level less :data:`SCREEN_Z` standard errors (NaN: no
    calls)."""
    p, _, se = screen_error(exp, channel)
    return np.asarray(p - SCREEN_Z * se, dtype=float)


def screened_short(exp: Experiment, channel: str, target: float) -> np.ndarray:
    """Hours whose pooled service level lies more than :data:`SCREEN_Z` standard errors below
    the target (hours with no calls are never short)."""
    p, calls, se = screen_error(exp, channel)
    with np.errstate(invalid="ignore"):
        short = p + SCREEN_Z * se < target
    return np.asarray(short & (calls > 0), dtype=bool)


def covering(need: np.ndarray, patterns: Sequence[tuple[int, int]]) -> list[Shift]:
    """The fewest staff hours of the allowed shifts covering ``need``."""
    if int(need.max(initial=0)) > MAX_ON_DUTY:
        raise StaffingInputError("target", f"the requirement reached {int(need.max()):,} "
                                 f"people in one hour, more than a pool may roster",
                                 "lower_target")
    try:
        return cover_patterns(need, patterns)
    except RosterError as exc:  # the allowed shifts, as the planner gave them, fall short
        raise StaffingInputError("shift_starts", str(exc)) from None


def search(sim: Simulator, start: np.ndarray, load: Load, share: float,
           patterns: Sequence[tuple[int, int]], replications: int) -> Search:
    """From ``start`` (people to roster each hour), screen the covering roster and raise the
    hours it leaves clearly short, until none is or ``max_iterations`` rounds have run.

    A short hour is raised from what the roster put on duty in it: by half the gap the formula
    sees between that staffing and what the hour's simulated service level implies, at least
    one (so a far-short hour does not take a round per person). Hours never come down: the
    formula's start already holds wherever nothing but the channel's own calls matter. An
    hour raised once whose service level then closed less than a quarter of its gap is not
    raised again: more people on its shifts do not reach it (a shift's edge, say), and each one
    would be paid for the whole shift; the verified roster reports it.
    """
    need = start.copy()
    target, channel = sim.request.target, sim.request.channel
    limit = sim.request.max_iterations
    before = np.full(HOURS_PER_WEEK, np.nan)  # screened service level when last raised
    stuck = np.zeros(HOURS_PER_WEEK, dtype=bool)
    for round_ in range(1, limit + 1):
        shifts = covering(need, patterns)
        exp = sim.shifts(shifts, replications)
        p, _ = pooled_hourly(exp, channel)
        short = screened_short(exp, channel, target)
        stuck |= short & (p - before < (target - before) / 4)  # NaN (never raised): False
        short &= ~stuck
        if not short.any():
            return Search(need, round_, limit, stopped_early=False, stuck=int(stuck.sum()),
                          shifts=tuple(shifts), screened=exp)
        duty = on_duty(shifts)
        for h in np.flatnonzero(short):
            need[h] = duty[h] + up_step(load, share, target, int(duty[h]), float(p[h]), int(h))
        before = np.where(short, p, before)
        sim.log(f"  screening round {round_}: {int(short.sum())} hours short of the target; "
                f"requirement now {int(need.sum()):,} staff hours")
    return Search(need, limit, limit, stopped_early=True, last_up=int(short.sum()),
                  stuck=int(stuck.sum()))


def up_step(load: Load, share: float, target: float, rostered: int, observed: float,
            hour: int) -> int:
    """People to add to an hour that clearly misses the target (at least one)."""
    agents = max(1, math.floor(rostered * share))
    rate = load.equivalent_rate(max(float(load.per_hour[hour]), 1e-6), agents,
                                max(observed, 1e-6))
    try:
        needed = int(to_roster(np.array([load.agents(rate, target)]), share)[0])
    except ValueError:  # the formula cannot reach the target at this load: go gently
        return 1
    return max(1, (needed - rostered) // 2)
