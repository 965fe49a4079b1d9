"""Staffing: how many handlers each hour of the week needs, and a roster that provides them.

The planner's question is "how many people must we roster in each hour to answer 90% of 999
calls within 10 seconds?". Workforce tools answer it with Erlang formulas, which know nothing of
priorities, other channels sharing the pool, shift edges or callers who ring back. Here the
formula only gives the starting point: Erlang A (Erlang C when callers never hang up) on each
hour's offered load. The simulation itself then checks every hour, with common random numbers
(the same seed, so the same callers, at every step), and moves an hour's staffing only on clear
evidence: up by one where the hour's service-level confidence interval lies wholly below the
target, down by one where one fewer person still clearly meets it. "Clearly" is judged for 168
hours at once (a Bonferroni correction: a 5% chance over the whole week of one needless
addition, 1% of one false cut), by both the t interval over replications and a Wilson interval
on the pooled calls, and a cut needs at least 60 instances of the hour (replications x weeks),
so where the formula holds (a stationary M/M/c+M queue) the answer is the formula's.

**What "required" counts.** The number to *roster* in the hour: people to write into the roster
file, before absence and breaks take their share. During the search each hour is a one-hour
shift line; the pool's absence applies to it as it does to any shift (each rostered person
missing with the pool's chance), and breaks are spread evenly: a person on a shift of the mean
allowed length (10 hours by default) loses ``breaks_min`` minutes over it, so each hour carries
its share. With neither, required = staff on duty answering contacts.

**Which roster is suggested.** Every roster of allowed shifts the command tries is simulated as
written (absence drawn per shift, breaks taken within shifts) and kept with its figures:

- flat rosters, the same number on duty around the clock (a regular pattern, such as 12-hour
  shifts at 00:00 and 12:00, where one is as cheap as any), searched for the fewest that meet
  the target;
- the requirement covered with the fewest staff hours of any allowed shifts
  (:func:`~contactsim.analysis.rostering.cover`, which then keeps as few distinct shifts as it can
  without adding an hour), repaired where it falls short: hours whose service level is below the
  target get one more person and the shifts are chosen again, at most ``REPAIR_ROUNDS`` times;
- the requirement covered in one regular pattern (one shift length, the same evenly spaced start
  times every day: :func:`~contactsim.analysis.rostering.cover_regular`), repaired the same way.

The suggestion is the cheapest of them in staff hours whose weekly service level meets the
target, so no roster the command printed or tried meets it for fewer hours. A regular roster is
preferred on a tie (fewer start times, then fewer lines), and where one costs more the notes say
by how much, so the planner can choose it knowingly. A roster costing more than one already found
to meet the target is not simulated (it could not be suggested), except the first regular one.

**When the search is cut short.** Each round's moves are tested by the next round, so a search
that reaches ``max_iterations`` with hours still moving ends on an untested requirement; the
notes say so (and which way the hours were going), and the rosters' own simulated figures are
what the suggestion rests on.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtri, stdtrit

from contactsim.analysis.erlang import agents_needed, evaluate
from contactsim.analysis.experiment import Experiment, run_experiment
from contactsim.analysis.measures import measure_estimate
from contactsim.analysis.rostering import (
    RosterError,
    Shift,
    cover,
    cover_regular,
    on_duty,
    roster_lines,
    staff_hours,
    start_times,
)
from contactsim.analysis.stats import Estimate
from contactsim.analysis.warnings import mean_work_s
from contactsim.config.kinds import ScenarioError
from contactsim.config.loading import Changes, load_scenario, parse_override, with_changes
from contactsim.config.schema import MAX_ON_DUTY
from contactsim.config.spec import Scenario
from contactsim.engine.arrivals import offered_rates
from contactsim.engine.roster import rostered_by_hour
from contactsim.standard import TARGET_SL
from contactsim.timebase import HOURS_PER_WEEK

#: The columns of staffing.csv (the contract's names, in this order).
CSV_COLUMNS = ("hour_of_week", "required", "rostered", "erlang_a")
#: Chance, over the whole week, that the search adds to any hour without real cause; taking
#: staff away is held to a stricter standard, since a false cut costs the target.
FAMILY_ERROR = 0.05
FAMILY_ERROR_DOWN = 0.01
#: Fewest observed instances of an hour (replications x weeks) before the search trusts that
#: one fewer person "clearly" meets the target. An hour's service level is skewed (most hours
#: fine, a few bad ones), and a handful of instances that happen to miss the bad ones look
#: clearly fine; with too few, the search only ever adds staff.
MIN_INSTANCES_DOWN = 60
#: Rounds of simulation (each the current staffing and one fewer in every hour) at most.
MAX_ITERATIONS = 12
#: Rounds in which hours the suggested roster leaves short are given one more person.
REPAIR_ROUNDS = 4


class StaffingInputError(ValueError):
    """A bad ``staff`` request; ``flag`` names the command-line option at fault."""

    def __init__(self, flag: str, message: str) -> None:
        super().__init__(f"{flag}: {message}")
        self.flag = flag


@dataclass(frozen=True)
class Request:
    """What the planner asked: a scenario, a channel, its target and the allowed shifts."""

    file: str
    channel: str
    target: float = TARGET_SL
    pool: str | None = None
    overrides: tuple[str, ...] = ()
    shift_hours: tuple[int, ...] = (8, 10, 12)
    shift_starts: tuple[int, ...] = tuple(range(24))
    max_iterations: int = MAX_ITERATIONS
    workers: int | None = None
    dask: str | None = None


@dataclass(frozen=True)
class Search:
    """How the hour-by-hour search ended: the requirement and whether it had settled."""

    required: np.ndarray  # people to roster in each hour of the week
    rounds: int
    limit: int
    stopped_early: bool  # the round limit came with hours still moving (the last move untested)
    last_up: int = 0  # hours given more staff in the last round
    last_down: int = 0  # hours given one fewer in the last round


@dataclass(frozen=True)
class Candidate:
    """A roster of allowed shifts, simulated as written, with what it achieved."""

    label: str  # what it is, in a planner's words
    kind: str  # "requirement", "regular" (the requirement in a regular pattern) or "flat"
    shifts: tuple[Shift, ...]
    service_level: Estimate  # the channel's over the week
    short_hours: int  # hours of the week clearly below the target (as the search judges it)

    @property
    def hours(self) -> int:
        return staff_hours(self.shifts)

    @property
    def lines(self) -> int:
        return len(roster_lines(self.shifts))

    @property
    def starts(self) -> list[int]:
        return start_times(self.shifts)

    def meets(self, target: float) -> bool:
        return self.service_level.mean >= target

    def as_dict(self, target: float) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind, "staff_hours": self.hours,
                "lines": self.lines, "start_times": [f"{h:02d}:00" for h in self.starts],
                "service_level": self.service_level.as_dict(), "meets": self.meets(target),
                "hours_clearly_below_target": self.short_hours, "roster": roster_lines(self.shifts)}


@dataclass
class Plan:
    """The answer: hourly requirement, the Erlang start, every roster tried and the one chosen."""

    request: Request
    scenario: Scenario
    pool: str
    erlang_a: np.ndarray  # people to roster by the formula (on duty / availability)
    rostered: np.ndarray  # the scenario's own roster: mean staff in each hour
    search: Search
    candidates: list[Candidate]  # every roster simulated, in the order tried
    chosen: Candidate  # the suggestion: the cheapest candidate that meets the target
    flat: Candidate  # the fewest on duty around the clock that meets the target
    flat_staff: int
    notes: list[str] = field(default_factory=list)

    @property
    def required(self) -> np.ndarray:
        return self.search.required

    @property
    def iterations(self) -> int:
        return self.search.rounds

    @property
    def repairs(self) -> int:
        return max(0, sum(c.kind == "requirement" for c in self.candidates) - 1)

    @property
    def suggested(self) -> list[Shift]:
        return list(self.chosen.shifts)

    @property
    def suggested_sl(self) -> Estimate:
        return self.chosen.service_level

    @property
    def suggested_hours(self) -> int:
        return self.chosen.hours

    @property
    def flat_sl(self) -> Estimate:
        return self.flat.service_level

    @property
    def flat_hours(self) -> int:
        return self.flat.hours


# --- the question -------------------------------------------------------------------------


def choose_pool(sc: Scenario, channel: str, pool: str | None) -> str:
    """The pool whose staffing is planned: the one that answers ``channel``."""
    if channel not in sc.channels:
        raise StaffingInputError("--channel", f"unknown channel {channel!r}; the scenario's "
                                 f"channels are: {', '.join(sc.channels)}")
    answering = [p.name for p in sc.pools.values() if channel in p.skills]
    if pool is not None:
        if pool not in sc.pools:
            raise StaffingInputError("--pool", f"unknown pool {pool!r}; the scenario's pools "
                                     f"are: {', '.join(sc.pools)}")
        if pool not in answering:
            raise StaffingInputError("--pool", f"pool {pool!r} does not answer {channel!r}; "
                                     f"pools with that skill: {', '.join(answering) or 'none'}")
        return pool
    if len(answering) != 1:
        raise StaffingInputError("--pool", f"{len(answering) or 'no'} pools answer "
                                 f"{channel!r} ({', '.join(answering) or 'none'}); choose one "
                                 "with --pool NAME")
    return answering[0]


def availability(sc: Scenario, pool: str, shift_hours: Sequence[int]) -> float:
    """Share of rostered time a person is on duty and not on a break."""
    spec = sc.pools[pool]
    length_min = 60.0 * sum(shift_hours) / len(shift_hours)
    return (1.0 - spec.absence) * (1.0 - spec.breaks_min / length_min)


@dataclass(frozen=True)
class Load:
    """What the formula needs: each hour's offered calls, and the channel's call figures."""

    per_hour: np.ndarray  # 168 expected contacts offered in each hour of the week
    handle_s: float  # mean talk plus wrap-up over the category mix
    wait_s: float  # the answer target less the mean connection time
    patience_s: float | None  # the channel's mean patience (None: never hangs up)

    def agents(self, per_hour: float, target: float) -> int:
        """Erlang A (C without patience) staff on duty for ``per_hour`` calls."""
        if per_hour <= 0:
            return 0
        return agents_needed(per_hour, self.handle_s, self.wait_s, target, self.patience_s)

    def equivalent_rate(self, per_hour: float, agents: int, service_level: float) -> float:
        """The call rate at which the formula gives ``service_level`` with ``agents`` on duty.

        How the simulation's hour looks to the formula (other channels' work, priorities and
        shift edges show up as extra calls), used to judge how far a short hour is from target.
        """
        def sl(rate: float) -> float:
            return evaluate(rate, self.handle_s, agents, self.wait_s,
                            self.patience_s).service_level

        low, high = per_hour, per_hour * 2
        if sl(low) <= service_level:
            return per_hour
        while sl(high) > service_level and high < per_hour * 64:
            low, high = high, high * 2
        for _ in range(30):
            mid = (low + high) / 2
            low, high = (mid, high) if sl(mid) > service_level else (low, mid)
        return high


def channel_load(sc: Scenario, channel: str) -> Load:
    """The formula's view of a channel: mix-weighted handle time, mean patience and connection.

    Patience is taken as exponential with the channel's mean; the connection time counts in the
    answer time, so the wait allowed is the target less the mean connection. The rates are
    those offered: none while the channel is closed, plus contacts moved to it from others.
    """
    ch = sc.channels[channel]
    handle_s = mean_work_s(sc, channel)
    patience = ch.patience.mean if ch.patience is not None else None
    return Load(offered_rates(sc, channel), handle_s,
                max(0.0, ch.answer_target_s - ch.connect_s.mean), patience)


def erlang_staff(load: Load, target: float) -> np.ndarray:
    """Erlang A (C without patience) staff on duty for each hour's offered load."""
    return np.array([load.agents(rate, target) for rate in load.per_hour], dtype=int)


def to_roster(answering: np.ndarray, share: float) -> np.ndarray:
    """People to roster so that ``answering`` are, on average, answering."""
    return np.ceil(answering / share - 1e-9).astype(int)


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
            "it out of reach: lower --target or check the scenario")


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
            raise StaffingInputError("--target", "the search reached a week with nobody on duty")
        return self._run(pool_changes(self.pool, hourly_lines(vector), self.hourly_breaks_min))

    def _run(self, changes: Changes) -> Experiment:
        self.runs += 1
        try:
            sc = with_changes(self.scenario, changes)
        except ScenarioError:
            # Only the search's own rosters change here, and the file was valid, so the search
            # has outgrown what a pool may roster: the planner's target is what cannot be met.
            raise StaffingInputError("--target", unreachable(self.pool)) from None
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


# --- rosters of allowed shifts, simulated as written ----------------------------------------


def try_roster(sim: Simulator, shifts: Sequence[Shift], label: str, kind: str,
               ) -> tuple[Candidate, np.ndarray]:
    """Simulate a roster as written: the candidate, and the hours whose mean falls short."""
    exp = sim.shifts(roster_lines(shifts))
    mean, _, high = hourly_bounds(exp, sim.request.channel)
    target = sim.request.target
    sl = weekly_sl(exp, sim.request.channel)
    sim.log(f"  {label}: {staff_hours(shifts):,} staff hours, {sl.mean:.1%} in target")
    found = Candidate(label, kind, tuple(shifts), sl, int((high < target).sum()))
    return found, np.nan_to_num(mean, nan=1.0) < target


def allowed_cover(need: np.ndarray, request: Request, *, regular: bool) -> list[Shift] | None:
    """The fewest staff hours of allowed shifts covering ``need`` (regular: in one pattern)."""
    try:
        if regular:
            return cover_regular(need, request.shift_hours, request.shift_starts)
        return cover(need, request.shift_hours, request.shift_starts)
    except RosterError as exc:  # the allowed shifts, as the planner gave them, fall short
        raise StaffingInputError("--shift-starts", str(exc)) from None


def flat_shifts(n: int, request: Request) -> list[Shift]:
    """``n`` on duty around the clock in allowed shifts: a regular pattern where one is as
    cheap as any (12-hour shifts at two start times, say), else the cheapest cover."""
    need = np.full(HOURS_PER_WEEK, n)
    regular = allowed_cover(need, request, regular=True)
    if regular is not None and staff_hours(regular) == need.sum():  # no roster costs less
        return regular
    free = allowed_cover(need, request, regular=False)
    assert free is not None
    return min([s for s in (regular, free) if s is not None], key=regularity)


def regularity(shifts: Sequence[Shift]) -> tuple[int, int, int]:
    """The order rosters are preferred in: fewest staff hours, then start times, then lines."""
    return staff_hours(shifts), len(start_times(shifts)), len(roster_lines(shifts))


def flat_roster(sim: Simulator, highest: int, request: Request,
                tried: list[Candidate]) -> tuple[int, Candidate]:
    """The fewest people on duty around the clock whose weekly service level meets the target.

    Each number tried is written in allowed shifts and simulated as written (absence drawn per
    shift, breaks within shifts), and appended to ``tried``.
    """
    found: dict[int, Candidate] = {}

    def meets(n: int) -> bool:
        found[n], _ = try_roster(sim, flat_shifts(n, request),
                                 f"flat: {n} on duty around the clock", "flat")
        tried.append(found[n])
        return found[n].meets(request.target)

    fails, ok = 0, min(max(1, highest), MAX_ON_DUTY)
    while not meets(ok):
        if ok >= MAX_ON_DUTY:
            raise StaffingInputError("--target", unreachable(sim.pool))
        fails, ok = ok, min(2 * ok, MAX_ON_DUTY)
    while ok - fails > 1:
        mid = (ok + fails) // 2
        fails, ok = (fails, mid) if meets(mid) else (mid, ok)
    return ok, found[ok]


def cover_requirement(sim: Simulator, required: np.ndarray, request: Request, *,
                      regular: bool, tried: list[Candidate]) -> int | None:
    """Rosters covering ``required``, simulated as written, appended to ``tried``.

    Where the roster as written falls short of the target (absence drawn per shift and breaks
    taken within shifts differ a little from the search's hour-by-hour view), hours whose
    service level is below the target get one more person and the shifts are chosen again, at
    most ``REPAIR_ROUNDS`` times. A roster with more staff hours than one already found to meet
    the target could never be suggested, so it is not simulated: its staff hours are returned
    (None when every roster was simulated). The first regular pattern is simulated whatever it
    costs, so the planner sees what a regular roster would take.
    """
    need = required.copy()
    kind = "regular" if regular else "requirement"
    for repairs in range(REPAIR_ROUNDS + 1):
        shifts = allowed_cover(need, request, regular=regular)
        if shifts is None:  # no regular pattern fits the allowed start times
            return None
        what = (f"{pattern_words(shifts)}, covering the requirement" if regular
                else "covering the requirement")
        best = min((c.hours for c in tried if c.meets(request.target)), default=None)
        if best is not None and staff_hours(shifts) > best and (repairs or not regular):
            return staff_hours(shifts)
        label = what + (f", {repairs} repair{'s' * (repairs > 1)}" if repairs else "")
        found, short = try_roster(sim, shifts, label, kind)
        tried.append(found)
        if found.meets(request.target):
            return None
        need = need + short
    return None


def pattern_words(shifts: Sequence[Shift]) -> str:
    """``"12-hour shifts at 07:00 and 19:00"``: a roster's lengths and start times."""
    lengths = "/".join(str(n) for n in sorted({s.hours for s in shifts}))
    starts = [f"{h:02d}:00" for h in start_times(shifts)]
    at = ", ".join(starts[:-1]) + " and " + starts[-1] if len(starts) > 1 else "".join(starts)
    return f"{lengths}-hour shifts at {at}"


def regular_note(chosen: Candidate, candidates: Sequence[Candidate],
                 target: float) -> str | None:
    """What a regular pattern would take, when the suggestion is not one."""
    regular = [c for c in candidates if c.kind in ("regular", "flat") and c.meets(target)]
    if chosen in regular or not regular:
        return None
    best = min(regular, key=lambda c: regularity(c.shifts))
    if len(best.starts) >= len(chosen.starts):  # the suggestion is as regular already
        return None
    more = best.hours - chosen.hours
    also = f" ({best.label})" if best.kind == "flat" else ""
    return (f"a regular roster, {pattern_words(best.shifts)} every day{also}, "
            f"meets the target with {best.hours:,} staff hours: {more:,} more than the "
            f"suggestion ({more / chosen.hours:+.0%}) for {len(best.starts)} start times "
            f"instead of {len(chosen.starts)}; its lines are in staffing.json and the report")


def recommend(candidates: Sequence[Candidate], target: float) -> Candidate:
    """The candidate to suggest: the fewest staff hours among those that meet the target.

    So no roster the command tried meets the target for fewer staff hours than the one it
    suggests. Ties go to the more regular roster (fewer start times, then fewer lines), then to
    the one tried first. If none meets the target, the one with the highest service level.
    """
    meeting = [c for c in candidates if c.meets(target)]
    if not meeting:
        return max(candidates, key=lambda c: c.service_level.mean)
    return min(meeting, key=lambda c: regularity(c.shifts))


def choice_note(chosen: Candidate, candidates: Sequence[Candidate], target: float,
                unsimulated: int | None) -> str | None:
    """Why the suggestion is not the roster covering the requirement, when it is not.

    ``unsimulated``: the staff hours of a roster covering the requirement that was not
    simulated because it could not have been suggested (more hours than one that meets).
    """
    if chosen.kind == "requirement":
        return None
    covers = [c.hours for c in candidates if c.kind == "requirement" and c.meets(target)]
    if covers and min(covers) == chosen.hours:
        why = (f"the same staff hours as the roster covering the hour-by-hour requirement, "
               f"with {len(chosen.starts)} start times")
    elif covers:
        why = (f"fewer than the roster covering the hour-by-hour requirement ({min(covers):,}, "
               "which meets it too)")
    elif unsimulated is not None:
        why = (f"fewer than a roster covering the hour-by-hour requirement would take "
               f"({unsimulated:,}; not simulated, since it could not be suggested)")
    else:
        why = "while the rosters covering the hour-by-hour requirement fell short of it"
    short = (f"; {chosen.short_hours} hours of the week are clearly below the target on their "
             "own, made up by the others" if chosen.short_hours else "")
    return (f"suggested: {chosen.label}, which meets the target over the week with "
            f"{chosen.hours:,} staff hours, {why}{short}")


def plan(request: Request, log: Callable[[str], None] = lambda _: None) -> Plan:
    """Answer the request: the Erlang start, the simulated requirement and the rosters tried."""
    sc = load_scenario(request.file, request.overrides)
    pool = choose_pool(sc, request.channel, request.pool)
    spec = sc.pools[pool]
    mean_shift_h = sum(request.shift_hours) / len(request.shift_hours)
    for hours in request.shift_hours:
        if spec.breaks_min >= 60 * hours:
            raise StaffingInputError("--shift-hours", f"{hours}-hour shifts cannot hold pool "
                                     f"{pool!r}'s {spec.breaks_min:g} minutes of breaks")
    share = availability(sc, pool, request.shift_hours)
    load = channel_load(sc, request.channel)
    try:
        on_duty_now = erlang_staff(load, request.target)
    except ValueError as exc:
        raise StaffingInputError("--target", str(exc)) from None
    erlang = to_roster(on_duty_now, share)
    sim = Simulator(request, sc, pool, spec.breaks_min / mean_shift_h, log)
    notes = []
    if sc.run.replications < 5:
        notes.append(f"only {sc.run.replications} replications: the search can rarely be "
                     "sure enough to move an hour away from the formula; use 10 or more")
    if sc.run.replications * math.floor(sc.run.days / 7) < MIN_INSTANCES_DOWN:
        notes.append(f"each hour of the week is seen fewer than {MIN_INSTANCES_DOWN} times "
                     "(replications x weeks), too few to be sure one fewer person would do, "
                     "so the search only added staff")
    log(f"Erlang A start: {int(erlang.sum())} staff hours a week; searching with the simulation")
    found = search(sim, erlang, load, share, request.target, request.max_iterations)
    if found.stopped_early:
        notes.append(early_stop_note(found))
        log(f"  note: {notes[-1]}")
    tried: list[Candidate] = []
    log("flat roster: searching for the fewest people on duty around the clock")
    flat_n, flat = flat_roster(sim, int(found.required.max()), request, tried)
    log("suggested roster: choosing shifts and simulating them")
    unsimulated = cover_requirement(sim, found.required, request, regular=False, tried=tried)
    cover_requirement(sim, found.required, request, regular=True, tried=tried)
    chosen = recommend(tried, request.target)
    notes.extend(note for note in (choice_note(chosen, tried, request.target, unsimulated),
                                   regular_note(chosen, tried, request.target)) if note)
    return Plan(request, sc, pool, erlang, rostered_by_hour(spec), found, tried, chosen, flat,
                flat_n, notes)


# --- what is written ----------------------------------------------------------------------


def suggested_document(p: Plan, out: str | os.PathLike[str]) -> dict[str, Any]:
    """``suggested.toml``: extends the input (path relative to ``out``), with the new roster.

    Command-line ``--set`` overrides (and run options) are written in too, so the file runs
    exactly what was simulated.
    """
    doc: dict[str, Any] = {
        "extends": os.path.relpath(os.path.abspath(p.request.file), os.path.abspath(out)),
        "name": f"{p.scenario.name}: suggested roster for {p.request.channel}",
    }
    for text in p.request.overrides:
        path, value = parse_override(text)
        node = doc
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    pool = doc.setdefault("pools", {}).setdefault(p.pool, {})
    pool["scale"] = 1.0
    pool["roster"] = roster_lines(p.suggested)
    return doc


def table_rows(p: Plan) -> list[tuple[int, int, float, int]]:
    """``staffing.csv`` rows: hour_of_week, required, rostered, erlang_a."""
    return [(h, int(p.required[h]), round(float(p.rostered[h]), 4), int(p.erlang_a[h]))
            for h in range(HOURS_PER_WEEK)]


def summary(p: Plan) -> dict[str, Any]:
    """``staffing.json``: the question, how the search went, and the rosters compared."""
    r = p.request
    return {
        "scenario": {"name": p.scenario.name, "file": r.file},
        "channel": r.channel, "pool": p.pool, "target": r.target,
        "answer_target_s": p.scenario.channels[r.channel].answer_target_s,
        "seed": p.scenario.run.seed, "replications": p.scenario.run.replications,
        "days": p.scenario.run.days, "iterations": p.iterations, "repairs": p.repairs,
        "shift_hours": list(r.shift_hours), "shift_starts": list(r.shift_starts),
        "availability": availability(p.scenario, p.pool, r.shift_hours),
        "staff_hours": {"required": int(p.required.sum()), "erlang_a": int(p.erlang_a.sum()),
                        "rostered": round(float(p.rostered.sum()), 4),
                        "suggested": p.suggested_hours, "flat": p.flat_hours},
        "flat_staff": p.flat_staff,
        "suggested_service_level": p.suggested_sl.as_dict(),
        "flat_service_level": p.flat_sl.as_dict(),
        "search": {"rounds": p.search.rounds, "limit": p.search.limit,
                   "stopped_early": p.search.stopped_early,
                   "last_round": {"hours_up": p.search.last_up,
                                  "hours_down": p.search.last_down}},
        "suggested": {**p.chosen.as_dict(r.target),
                      "on_duty": [int(n) for n in on_duty(p.suggested)]},
        "candidates": [{**c.as_dict(r.target), "suggested": c is p.chosen}
                       for c in p.candidates],
        "notes": p.notes,
    }


