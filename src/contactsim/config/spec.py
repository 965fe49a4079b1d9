"""The typed scenario: what a planner wrote, checked, as frozen dataclasses.

The engine, the analysis and the outputs read a scenario only through these types; the
keys, checks and defaults that build them are in :mod:`contactsim.config.schema`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from contactsim.calendar import Calendar
from contactsim.config.distributions import Distribution
from contactsim.timebase import MIN_PER_DAY

#: Where a channel's callbacks queue (``on_abandon.callback_priority``): behind its live calls
#: (the default), or among them at the channel's priority.
AFTER_LIVE, WITH_LIVE = "after_live", "with_live"
CALLBACK_ORDERS = (AFTER_LIVE, WITH_LIVE)

# --- the typed scenario ---------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    days: float
    warmup_days: float
    replications: int
    seed: int
    start_day: int  # weekday of time 0, 0 = Monday (with start_date: of the first warm-up day)
    start_date: datetime.date | None  # the first measured day; None: no calendar


@dataclass(frozen=True)
class OnAbandon:
    callback: float
    redial: float
    redial_delay: Distribution
    to_999: float
    to_online: float
    emergency_channel: str
    online_channel: str
    callback_priority: str  # one of CALLBACK_ORDERS


@dataclass(frozen=True)
class WindowSpec:
    """A weekly opening window (partner hours, channel opening hours)."""

    days: tuple[int, ...]
    start_min: int
    end_min: int


@dataclass(frozen=True)
class ClosedSpec:
    """A contact arriving while its channel is closed: ``share`` of them go to channel ``to``
    (arriving there at once), the rest are lost. ``to`` None: all are lost."""

    to: str | None = None
    share: float = 0.0


#: ``closed = "lost"``: every contact arriving while the channel is closed is lost.
LOST = ClosedSpec()


@dataclass(frozen=True)
class DemandSpec:
    """Demand keys shared by every channel (``[demand]``)."""

    #: Coefficient of variation of a day-level rate factor (mean 1) shared by every channel
    #: without its own ``day_cv``; 0: every day's rate is as the profiles say.
    day_cv: float = 0.0


#: No ``[demand]`` table.
NO_DEMAND = DemandSpec()


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    kind: str  # "voice" or "digital"
    per_day: float
    hourly: tuple[float, ...]  # 24 weights, normalised to mean 1
    weekly: tuple[float, ...]  # 7 weights Mon..Sun, normalised to mean 1
    priority: int
    answer_target_s: float
    connect_s: Distribution
    ivr_s: Distribution
    patience: Distribution | None
    mix: tuple[tuple[str, float], ...]
    on_abandon: OnAbandon | None
    monthly: tuple[float, ...] | None  # 12 weights Jan..Dec, mean 1; None: the calendar's
    #: 168 weights, Monday 00:00-01:00 first, mean 1; replaces weekly x hourly. None: absent.
    hour_of_week: tuple[float, ...] | None = None
    #: Weekly opening windows; None: always open.
    open: tuple[WindowSpec, ...] | None = None
    closed: ClosedSpec | None = None  # what happens to a contact arriving while closed
    day_cv: float | None = None  # its own day-to-day variation; None: [demand] day_cv's

    @property
    def is_voice(self) -> bool:
        return self.kind == "voice"


@dataclass(frozen=True)
class CategorySpec:
    name: str
    handle: Distribution
    wrap_up: Distribution
    non_police: bool
    deploy: float
    officer_hours: float
    #: Shares of the deployments by grade (with [officers]); None: every one priority.
    grade: GradeSpec | None = None
    #: Handler time added to a deployment graded resolved (resolution without deployment).
    rwd_s: Distribution = field(default_factory=lambda: Distribution.constant(0.0))
    #: Time on scene per deployment with [officers]; None: officer_hours, constant.
    on_scene_s: Distribution | None = None


@dataclass(frozen=True)
class ShiftSpec:
    days: tuple[int, ...]  # weekday indices, 0 = Monday
    start_min: int
    end_min: int
    staff: int

    @property
    def length_min(self) -> int:
        """Shift length; an end not after the start means the next day."""
        return self.end_min - self.start_min if self.end_min > self.start_min else (
            self.end_min + MIN_PER_DAY - self.start_min)


#: Month names of ``no_courses``, January first (a month's number is its index + 1).
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
               "dec")


@dataclass(frozen=True)
class IntakeSpec:
    """A course of recruits starting on ``date`` (as written; see ``no_courses``)."""

    date: datetime.date
    people: int


@dataclass(frozen=True)
class WorkforceSpec:
    """A pool's people over months (``[pools.NAME.workforce]``, DESIGN §11): the engine's
    pipeline is :mod:`contactsim.engine.workforce`."""

    headcount: int  # in post on run.start_date
    roster_for: int  # the headcount the roster's staff numbers describe
    attrition: float  # share leaving a year
    intakes: tuple[IntakeSpec, ...]
    training_weeks: float  # paid, off the roster
    ramp_weeks: float  # on the roster, slower
    ramp_factor: float  # handle time x this on the first day on the roster, falling to 1
    no_courses: tuple[int, ...]  # months (1 = January) in which no course starts
    cost_per_recruit: float | None  # pounds; None: not costed


@dataclass(frozen=True)
class PoolSpec:
    name: str
    skills: tuple[str, ...]
    scale: float
    absence: float
    breaks_min: float
    interruptible_for: tuple[str, ...]
    roster: tuple[ShiftSpec, ...]
    #: The 168 hourly figures the roster was made from (``staff_by_hour``), or None.
    staff_by_hour: tuple[float, ...] | None = None
    #: People over months (None: the roster is the same every week of the run).
    workforce: WorkforceSpec | None = None
    cost_per_hour: float | None = None  # pounds per staff hour on duty; None: not costed
    #: Planner units for contactsim staff only: leave and training off the roster, hours a week
    #: of a full-time post.
    leave: float = 0.0
    contracted_hours: float = 37.0

    @cached_property
    def headcounts(self) -> tuple[int, ...]:
        """Rostered headcount of each shift line after ``scale``, in whole people, rounded so
        the pool's staff hours a week change by ``scale`` as nearly as whole people allow."""
        if self.scale == 1:
            return tuple(shift.staff for shift in self.roster)
        return round_to_total([shift.staff * self.scale for shift in self.roster],
                              [shift.length_min * len(shift.days) for shift in self.roster])

    @property
    def staff_hours_change(self) -> float:
        """The realised change in rostered staff hours a week that ``scale`` makes after
        rounding (-0.1 for ten percent fewer); 0 for a roster with no hours."""
        weights = [shift.length_min * len(shift.days) for shift in self.roster]
        before = sum(s.staff * w for s, w in zip(self.roster, weights, strict=True))
        after = sum(n * w for n, w in zip(self.headcounts, weights, strict=True))
        return after / before - 1 if before else 0.0


def round_to_total(wanted: Sequence[float], weights: Sequence[float]) -> tuple[int, ...]:
    """Whole numbers near ``wanted`` whose weighted total is as near the wanted weighted total as
    whole numbers allow: each is rounded down, then, largest remainder first (earlier first among
    equals), one is added wherever that brings the total nearer. Rounding each line on its own
    (half up) can move a roster's staff hours by several percent more than the scale asked."""
    out = [math.floor(w + 1e-9) for w in wanted]
    target = sum(w * x for w, x in zip(wanted, weights, strict=True))
    total = sum(n * x for n, x in zip(out, weights, strict=True))
    order = sorted(range(len(wanted)), key=lambda i: (-(wanted[i] - out[i]), i))
    for i in order:
        if wanted[i] - out[i] <= 1e-9:
            break
        if abs(total + weights[i] - target) < abs(total - target):
            out[i] += 1
            total += weights[i]
    return tuple(out)


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    hours: tuple[WindowSpec, ...] | None  # None: always open
    staff: int | None  # None: always answers
    answer_s: Distribution
    handle_s: Distribution | None


@dataclass(frozen=True)
class SurgeSpec:
    channel: str
    day: int
    start_min: int
    minutes: float
    calls: float
    mix: tuple[tuple[str, float], ...] | None


@dataclass(frozen=True)
class DiversionSpec:
    name: str
    categories: tuple[str, ...]
    channels: tuple[str, ...]  # resolved: every channel when the file says none
    share: float
    at: str  # "pre_queue" or "triage"
    partner: str | None
    triage_s: Distribution
    #: When the scheme runs (weekly windows); None: always.
    hours: tuple[WindowSpec, ...] | None = None

    @property
    def pre_queue(self) -> bool:
        return self.at == "pre_queue"


# --- officers, dispatch and chase calls (DESIGN §12; keys in config/dispatch.py) -----------

#: The grades of an incident, most urgent first; ``resolved`` sends no officer.
GRADES = ("immediate", "priority", "scheduled", "resolved")
#: The grades an officer attends (dispatch order: most urgent first).
ATTENDED = GRADES[:3]
#: The category a chase call carries (its handle time is that category's).
CHASE_CATEGORY = "chase"


@dataclass(frozen=True)
class GradeSpec:
    """Shares of a category's deployments by grade (they add up to 1)."""

    immediate: float
    priority: float
    scheduled: float
    resolved: float

    def shares(self) -> tuple[float, float, float, float]:
        return (self.immediate, self.priority, self.scheduled, self.resolved)


#: A category with deployments but no ``grade``: every deployment is a priority one.
ALL_PRIORITY = GradeSpec(0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class TargetsSpec:
    """Seconds from a call's answer to an officer's arrival, by grade; None: no target."""

    immediate: float | None
    priority: float | None
    scheduled: float | None

    def by_grade(self) -> tuple[float | None, float | None, float | None]:
        return (self.immediate, self.priority, self.scheduled)


@dataclass(frozen=True)
class OfficersSpec:
    name: str
    roster: tuple[ShiftSpec, ...]
    travel_s: Distribution
    #: With areas: the share of incidents arising in this pool's area (the pool serves only
    #: those); None on every pool: one area, every pool serves every incident.
    share: float | None = None
    #: With areas: this area's targets (None: those of [dispatch]).
    targets: TargetsSpec | None = None


@dataclass(frozen=True)
class ChaseSpec:
    after_s: float
    share: float
    channel: str
    repeat_s: float


@dataclass(frozen=True)
class DispatchSpec:
    targets: TargetsSpec
    chase: ChaseSpec | None


#: The targets with no [dispatch] targets: the attendance standards of DESIGN §12.
DEFAULT_TARGETS = TargetsSpec(900.0, 3600.0, None)


def has_areas(officers: dict[str, OfficersSpec]) -> bool:
    """Whether the officer pools are areas (each has a ``share``; checked: all or none)."""
    return any(o.share is not None for o in officers.values())


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``document`` is the resolved TOML (extends and --set applied)."""

    name: str
    description: str
    run: RunSpec
    channels: dict[str, ChannelSpec]
    categories: dict[str, CategorySpec]
    pools: dict[str, PoolSpec]
    partners: dict[str, PartnerSpec]
    surges: tuple[SurgeSpec, ...]
    diversions: dict[str, DiversionSpec]
    calendar: Calendar | None  # real dates (seasons, bank holidays); None without start_date
    file: str
    document: dict[str, Any]
    demand: DemandSpec = NO_DEMAND
    #: Response officers (DESIGN §12); empty: officer hours are only added up.
    officers: dict[str, OfficersSpec] = field(default_factory=dict)
    dispatch: DispatchSpec | None = None  # targets and chase calls; None: the defaults
