"""Kinds for a channel's demand beyond ``per_day x weekly x hourly``.

``hour_of_week``: 168 weights, Monday 00:00-01:00 first, written inline or kept in a data file
(``{ file = "profile.csv" }``, one weight a line, pinned by its sha256 like an empirical
distribution's file: see :mod:`contactsim.config.datafile`). ``closed``: what becomes of a
contact that arrives while its channel is closed (``"lost"``, or a share sent to another
channel). The engine side is :mod:`contactsim.engine.arrivals` and
:mod:`contactsim.engine.demand`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from contactsim.config.distributions import read_data_file
from contactsim.config.kinds import INVALID, Checker, Kind, Number, Path, Text, Weights, describe
from contactsim.config.spec import LOST, NO_DEMAND, ClosedSpec, DemandSpec
from contactsim.timebase import HOURS_PER_WEEK

#: How the 168 slots are ordered, as error messages and the docs say it.
WEEK_ORDER = "Monday 00:00-01:00 first, Sunday 23:00-24:00 last"
#: Most a day-level demand factor may vary (its coefficient of variation, ``day_cv``).
MAX_DAY_CV = 3.0


def closed_rule(rule: ClosedSpec | str) -> ClosedSpec:
    """A channel's ``closed`` as built; the default, ``"lost"``, is not checked."""
    return LOST if isinstance(rule, str) else rule


def demand_or_none(demand: DemandSpec | None) -> DemandSpec:
    """``[demand]`` as built; absent: no day-to-day variation."""
    return NO_DEMAND if demand is None else demand


@dataclass(frozen=True)
class HourOfWeek(Kind):
    """168 weights (a list, or ``{ file = "x.csv", sha256 = "..." }`` holding one a line)."""

    replaces_whole = True  # a child's file table replaces the parent's (its sha256 with it)

    def doc_type(self) -> str:
        return (f"list of {HOURS_PER_WEEK} numbers >= 0 ({WEEK_ORDER}), or "
                '{ file = "profile.csv" } holding them one a line')

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        weights = Weights(HOURS_PER_WEEK, WEEK_ORDER)
        if isinstance(value, list):
            return weights.check(value, path, ck)
        if not isinstance(value, dict) or "file" not in value:
            return ck.error(path, f"must be a list of {HOURS_PER_WEEK} weights ({WEEK_ORDER}) "
                            f'or {{ file = "profile.csv" }}, got {describe(value)}')
        extra = sorted(set(value) - {"file", "sha256"})
        if extra:
            return ck.error((*path, extra[0]), "unknown key; allowed here: file, sha256")
        values = read_data_file(value, (*path, "file"), ck)
        if values is INVALID:
            return INVALID
        if len(values) != HOURS_PER_WEEK:
            return ck.error((*path, "file"), f"{value['file']!r} holds {len(values)} weights; "
                            f"it needs {HOURS_PER_WEEK}, one a line ({WEEK_ORDER})")
        return weights.check(np.asarray(values).tolist(), (*path, "file"), ck)


@dataclass(frozen=True)
class Closed(Kind):
    """``"lost"`` or ``{ to = "CHANNEL", share = 0.3 }`` -> a :class:`ClosedSpec`."""

    replaces_whole = True

    def doc_type(self) -> str:
        return '"lost", or { to = "CHANNEL", share = number from 0 to 1 }'

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if value == "lost":
            return LOST
        if not isinstance(value, dict):
            return ck.error(path, f'must be "lost" or {{ to = "101", share = 0.3 }}, got '
                            f"{describe(value)}")
        extra = sorted(set(value) - {"to", "share"})
        if extra:
            return ck.error((*path, extra[0]), "unknown key; allowed here: to, share")
        if "to" not in value:
            return ck.error(path, 'missing required key "to" (the channel that takes them)')
        to = Text(nonempty=True).check(value["to"], (*path, "to"), ck)
        share = Number(ge=0, le=1).check(value.get("share", 1.0), (*path, "share"), ck)
        if to is INVALID or share is INVALID:
            return INVALID
        return ClosedSpec(to=to, share=share)


def hourly_lines(hourly: tuple[float, ...]) -> list[dict[str, Any]]:
    """Shift lines (as checked) putting ``hourly[h]`` people on duty on average in hour ``h``:
    the whole number all the hour, and one more for the fraction's share of it, from its start
    (rounded to the minute)."""
    lines: list[dict[str, Any]] = []
    for h, staff in enumerate(hourly):
        day, start = divmod(h, 24)
        whole = int(staff)
        extra = round((staff - whole) * 60)
        if extra == 60:
            whole, extra = whole + 1, 0
        if whole:
            lines.append({"days": (day,), "start": start * 60, "end": start * 60 + 60,
                          "staff": whole})
        if extra:
            lines.append({"days": (day,), "start": start * 60, "end": start * 60 + extra,
                          "staff": 1})
    return lines
