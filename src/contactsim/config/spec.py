"""The typed scenario: what a planner wrote, checked, as frozen dataclasses.

The engine, the analysis and the outputs read a scenario only through these types; the
keys, checks and defaults that build them are in :mod:`contactsim.config.schema`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
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

    def headcount(self, shift: ShiftSpec) -> int:
        """Rostered headcount of one shift line after ``scale`` (rounded half up)."""
        return int(shift.staff * self.scale + 0.5)


@dataclass(frozen=True)
class WindowSpec:
    """A weekly opening window (partner hours)."""

    days: tuple[int, ...]
    start_min: int
    end_min: int


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

    @property
    def pre_queue(self) -> bool:
        return self.at == "pre_queue"


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
