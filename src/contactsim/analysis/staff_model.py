"""The staffing question and its answer, as values: the request, the formula's view of a
channel (:class:`Load`), the search's result, every roster tried and the plan.

See :mod:`contactsim.analysis.staffing` for how the answer is found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from contactsim.analysis.erlang import agents_needed, evaluate
from contactsim.analysis.rostering import Shift, roster_lines, staff_hours, start_times
from contactsim.analysis.stats import Estimate
from contactsim.analysis.warnings import mean_work_s
from contactsim.config.spec import Scenario
from contactsim.engine.arrivals import offered_rates
from contactsim.standard import TARGET_SL

#: Chance, over the whole week, that an hour is judged clearly below the target without cause
#: (the final roster's hours, at full precision).
FAMILY_ERROR = 0.05
#: Screening rounds of simulation at most (each the covering roster, few replications).
MAX_ITERATIONS = 6
#: Replications a screening round simulates (the same first ones every round: common random
#: numbers, so two rounds differ only by the roster).
SCREEN_REPLICATIONS = 4
#: Rounds at full precision in which hours the roster leaves short get one more person.
REPAIR_ROUNDS = 1
#: Shift lengths and starts when the pool has no roster of its own to keep.
DEFAULT_SHIFT_HOURS = (8, 10, 12)


#: The parts of a request a StaffingInputError can blame (the names of Request's fields).
Field = Literal["channel", "pool", "target", "shift_hours", "shift_starts"]
#: What the planner could do about it, where the message alone does not say: name the pool
#: (several answer the channel) or lower the target (it cannot be met).
Advice = Literal["choose_pool", "lower_target"]


class StaffingInputError(ValueError):
    """A request the scenario cannot answer, worded about the values; ``field`` names the part
    of the :class:`Request` at fault and ``advice`` what to change, for the layer above to word
    in its own terms (the command line names its options)."""

    def __init__(self, field: Field, message: str, advice: Advice | None = None) -> None:
        super().__init__(message)
        self.field: Field = field
        self.advice: Advice | None = advice


@dataclass(frozen=True)
class Request:
    """What the planner asked: a scenario, a channel, its target and the allowed shifts.

    With no ``shift_hours`` and ``shift_starts`` the pool's own shift patterns (the start and
    length of each roster line) are kept and only headcounts change; either widens the choice
    (lengths at the pool's own starts, or the pool's lengths at these starts; both: every
    pairing), on top of the pool's own patterns.
    """

    file: str
    channel: str
    target: float = TARGET_SL
    pool: str | None = None
    overrides: tuple[str, ...] = ()
    shift_hours: tuple[int, ...] = ()
    shift_starts: tuple[int, ...] = ()
    max_iterations: int = MAX_ITERATIONS
    workers: int | None = None
    dask: str | None = None


@dataclass(frozen=True)
class Search:
    """How the screening ended: the requirement and whether it had settled."""

    required: np.ndarray  # people to roster in each hour of the week
    rounds: int
    limit: int
    stopped_early: bool  # the round limit came with hours still short (the last move untested)
    last_up: int = 0  # hours given more staff in the last round
    stuck: int = 0  # hours left short: more people on their shifts did not reach them
    shifts: tuple[Shift, ...] = ()  # the roster last screened, when it covers ``required``
    screened: Any = field(default=None, compare=False, repr=False)  # its Experiment
    trimmed: int = 0  # staff hours the trim took off the covering roster
    trim_screens: int = 0  # screening runs the trim spent


@dataclass(frozen=True)
class Band:
    """Consecutive hours of the week the verified roster leaves below the target."""

    first_hour: int  # hour of the week, 0 = Monday 00:00
    hours: int
    service_level: float  # calls answered in target / calls, over the band
    calls: float  # calls offered in the band, a week, on average
    clearly: bool  # some hour of it is clearly below the target (all 168 judged together)


@dataclass(frozen=True)
class Candidate:
    """A roster of allowed shifts, simulated as written at full precision, with what it
    achieved."""

    label: str  # what it is, in a planner's words
    kind: str  # "requirement" (covering it) or "repaired" (short hours given one more)
    shifts: tuple[Shift, ...]
    service_level: Estimate  # the channel's over the week
    short_hours: int  # hours of the week clearly below the target
    bands: tuple[Band, ...] = ()  # hours whose mean service level misses the target

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
                "hours_clearly_below_target": self.short_hours,
                "short_bands": [band_dict(b) for b in self.bands],
                "roster": roster_lines(self.shifts)}


def band_dict(b: Band) -> dict[str, Any]:
    return {"first_hour": b.first_hour, "hours": b.hours, "service_level": b.service_level,
            "calls_a_week": round(b.calls, 2), "clearly": b.clearly}


@dataclass(frozen=True)
class Workforce:
    """Planner units: staff hours a week as people in post (full-time equivalents)."""

    contracted_hours: float  # a week, per full-time post
    leave: float  # share of contracted hours off the roster: leave, training, rest days
    absence: float  # share of rostered people missing on the day (in the roster already)
    on_duty_share: float  # share of rostered time on duty and not on a break

    def fte(self, staff_hours: float) -> float:
        """Full-time posts that work ``staff_hours`` rostered hours a week."""
        return staff_hours / (self.contracted_hours * (1.0 - self.leave))

    @property
    def shrinkage(self) -> float:
        """Share of contracted time not spent on duty: leave, training, absence and breaks."""
        return 1.0 - (1.0 - self.leave) * self.on_duty_share


@dataclass
class Plan:
    """The answer: hourly requirement, the formula's start, the rosters verified and the one
    suggested."""

    request: Request
    scenario: Scenario
    pool: str
    erlang_a: np.ndarray  # people to roster by the formula (on duty / availability)
    rostered: np.ndarray  # the scenario's own roster: mean staff in each hour
    search: Search
    requirement: np.ndarray  # people to roster each hour: the suggestion covers it
    candidates: list[Candidate]  # every roster verified at full precision, in order
    chosen: Candidate  # the suggestion
    workforce: Workforce
    patterns: tuple[tuple[int, int], ...]  # the (start hour, length) shifts allowed
    on_duty: np.ndarray  # people on duty needed each hour by formula (before absence, breaks)
    screen_replications: int = SCREEN_REPLICATIONS
    notes: list[str] = field(default_factory=list)
    #: With the pool's own patterns only: the start hour whose addition (at the pool's
    #: lengths) would cover the requirement most cheaply, and those staff hours (None: none
    #: saves any, or the choice was widened already).
    one_more_start: tuple[int, int] | None = None

    @property
    def required(self) -> np.ndarray:
        return self.requirement

    @property
    def iterations(self) -> int:
        return self.search.rounds

    @property
    def repairs(self) -> int:
        return max(0, len(self.candidates) - 1)

    @property
    def suggested(self) -> list[Shift]:
        return list(self.chosen.shifts)

    @property
    def suggested_sl(self) -> Estimate:
        return self.chosen.service_level

    @property
    def suggested_hours(self) -> int:
        return self.chosen.hours


# --- the question -------------------------------------------------------------------------


def choose_pool(sc: Scenario, channel: str, pool: str | None) -> str:
    """The pool whose staffing is planned: the one that answers ``channel``."""
    if channel not in sc.channels:
        raise StaffingInputError("channel", f"unknown channel {channel!r}; the scenario's "
                                 f"channels are: {', '.join(sc.channels)}")
    answering = [p.name for p in sc.pools.values() if channel in p.skills]
    if pool is not None:
        if pool not in sc.pools:
            raise StaffingInputError("pool", f"unknown pool {pool!r}; the scenario's pools "
                                     f"are: {', '.join(sc.pools)}")
        if pool not in answering:
            raise StaffingInputError("pool", f"pool {pool!r} does not answer {channel!r}; "
                                     f"pools with that skill: {', '.join(answering) or 'none'}")
        return pool
    if len(answering) != 1:
        raise StaffingInputError("pool", f"{len(answering) or 'no'} pools answer "
                                 f"{channel!r} ({', '.join(answering) or 'none'}); choose one",
                                 "choose_pool")
    return answering[0]


def availability(sc: Scenario, pool: str, patterns: Sequence[tuple[int, int]]) -> float:
    """Share of rostered time a person is on duty and not on a break, on shifts of the mean
    length of the allowed (start, length) ``patterns``."""
    spec = sc.pools[pool]
    length_min = 60.0 * sum(n for _, n in patterns) / len(patterns)
    return (1.0 - spec.absence) * (1.0 - spec.breaks_min / length_min)


def own_patterns(sc: Scenario, pool: str) -> list[tuple[int, int]]:
    """The (start hour, length in hours) of each of the pool's roster lines, where they fall
    on whole hours (a pool given as staff_by_hour has none of its own)."""
    spec = sc.pools[pool]
    if spec.staff_by_hour is not None:
        return []
    return sorted({(s.start_min // 60, s.length_min // 60) for s in spec.roster
                   if s.start_min % 60 == 0 and s.length_min % 60 == 0 and s.length_min})


def allowed_patterns(sc: Scenario, pool: str, request: Request) -> list[tuple[int, int]]:
    """The shifts the roster may use: the pool's own patterns, widened by the request's
    lengths and starts (a length given alone runs from the pool's own starts, and the reverse);
    every allowed length at every hour when the pool has no whole-hour patterns of its own."""
    own = own_patterns(sc, pool)
    hours = request.shift_hours or tuple(sorted({n for _, n in own})) or DEFAULT_SHIFT_HOURS
    starts = request.shift_starts or tuple(sorted({s for s, _ in own})) or tuple(range(24))
    if not own or request.shift_hours or request.shift_starts:
        own = sorted(set(own) | {(s, n) for s in starts for n in hours})
    return own


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

