"""Rosters: shift lines become a step function of staff on duty.

A roster line such as ``{ days = "mon-fri", start = "07:00", end = "17:00", staff = 9 }``
puts nine people on duty from 07:00 to 17:00 each weekday. Lines add up where they overlap; a
shift that ends where an identical one begins changes nothing, so a 24/7 roster is a constant
team. The engine asks for the changes week by week; where the number on duty falls, it lets idle
staff go first and busy staff go when the contact in hand ends.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from contactsim.config.spec import OfficersSpec, PoolSpec
from contactsim.engine.events import Call, EventLoop
from contactsim.timebase import DAY_S, HOURS_PER_WEEK, WEEK_S

#: One shift on one day: ``(start_s, end_s, headcount)``.
Shift = tuple[float, float, int]
#: Breaks are taken in spells of at most this many minutes.
BREAK_SPELL_MIN = 15


def shift_instances(pool: PoolSpec, week: int,
                    start_day: int) -> Iterator[tuple[float, float, int]]:
    """``(start_s, end_s, headcount)`` of every shift starting in week ``week``.

    Week 0 starts on the Monday on or before simulated time 0; times are simulated seconds.
    """
    offset = start_day * DAY_S
    for shift, staff in zip(pool.roster, pool.headcounts, strict=True):
        if staff <= 0:
            continue
        for day in shift.days:
            start = week * WEEK_S + day * DAY_S + shift.start_min * 60.0 - offset
            yield start, start + shift.length_min * 60.0, staff


def week_changes(pool: PoolSpec, week: int, start_day: int,
                 absence: np.random.Generator | None = None,
                 scale: Callable[[Iterable[Shift]], list[Shift]] | None = None,
                 ) -> list[tuple[float, int]]:
    """Changes in staff on duty (time, +/- people) from the shifts starting in ``week``.

    With ``absence`` (the pool's stream), each rostered person is missing for the whole shift
    with the pool's absence probability. Breaks take people off duty for staggered spells.
    ``scale`` (a workforce's: see :mod:`~contactsim.engine.staffing`) rescales the week's
    shift headcounts first.
    """
    changes: list[tuple[float, int]] = []
    shifts = shift_instances(pool, week, start_day)
    for start, end, staff in (shifts if scale is None else scale(shifts)):
        present = staff
        if pool.absence > 0 and absence is not None:
            present = int(absence.binomial(staff, 1.0 - pool.absence))
        if present <= 0:
            continue
        changes.append((start, present))
        changes.append((end, -present))
        if pool.breaks_min > 0:
            changes.extend(break_changes(start, end, present, pool.breaks_min))
    return changes


def break_changes(start: float, end: float, people: int,
                  breaks_min: float) -> list[tuple[float, int]]:
    """Each person's breaks, in spells of up to 15 minutes spread through the shift.

    The team takes each round of spells one after another around the same point of the
    shift, so cover drops by about one person at a time rather than all at once. A team too
    large for one at a time to fit in the shift (more people than the shift has spells: 48
    on a 12-hour shift with 15-minute spells) takes them as few at a time as fits, so no spell
    is pushed to the shift's end and the breaks never pile up there.
    """
    rounds = math.ceil(breaks_min / BREAK_SPELL_MIN)
    spell = breaks_min * 60.0 / rounds
    length = end - start
    if length <= spell * 2:
        return []  # too short a shift for a break
    together = max(1, math.ceil(people * spell / length))  # people on the same spell
    slots = math.ceil(people / together)
    out: list[tuple[float, int]] = []
    for r in range(rounds):
        centre = start + length * (r + 1) / (rounds + 1)
        first = max(start, min(centre - slots * spell / 2, end - slots * spell))
        for i in range(people):
            k = i // together
            lo = max(start, min(first + k * spell, end - spell))
            hi = max(start, min(first + (k + 1) * spell, end))
            out.append((lo, -1))
            out.append((hi, 1))
    return out


def schedule_changes(loop: EventLoop, pending: dict[float, int],
                     changes: Iterable[tuple[float, int]], fn: Callable[[Call], None],
                     owner: object) -> None:
    """Add each change (time, +/- people) to ``pending``, its sum by time (a time before 0
    counts at 0), and schedule ``fn`` once for each time not already pending, with
    ``(owner, time)`` as its call's value: changes at the same moment act as one."""
    for t, delta in changes:
        t = max(t, 0.0)
        if t in pending:
            pending[t] += delta
        else:
            pending[t] = delta
            Call(loop, t - loop.now, fn, (owner, t))


def officers_as_pool(spec: OfficersSpec) -> PoolSpec:
    """An ``[officers.NAME]`` pool as a staff pool with its roster (no skills, absence or
    breaks: the roster gives the officers actually on duty), for the roster's arithmetic."""
    return PoolSpec(name=spec.name, skills=(), scale=1.0, absence=0.0, breaks_min=0.0,
                    interruptible_for=(), roster=spec.roster)


def rostered_by_minute(pool: PoolSpec) -> np.ndarray:
    """Rostered staff in each minute of the week (10,080 values, minute 0 = Monday 00:00)."""
    minutes = np.zeros(HOURS_PER_WEEK * 60 + 1)
    for week in (-1, 0):
        for start, end, staff in shift_instances(pool, week, 0):
            lo, hi = max(start, 0.0), min(end, WEEK_S)
            if hi > lo:
                minutes[int(lo // 60)] += staff
                minutes[int(hi // 60)] -= staff
    return np.cumsum(minutes)[:-1]


def rostered_by_hour(pool: PoolSpec) -> np.ndarray:
    """Mean rostered staff in each hour of the week (168 values, hour 0 = Monday 00:00)."""
    return rostered_by_minute(pool).reshape(HOURS_PER_WEEK, 60).mean(axis=1)
