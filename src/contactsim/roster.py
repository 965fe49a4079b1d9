"""Rosters: shift lines become a step function of staff on duty.

A roster line such as ``{ days = "mon-fri", start = "07:00", end = "17:00", staff = 9 }``
puts nine people on duty from 07:00 to 17:00 each weekday. Lines add up where they overlap; a
shift that ends where an identical one begins changes nothing, so a 24/7 roster is a constant
team. The engine asks for the changes week by week; where the number on duty falls, it lets idle
staff go first and busy staff go when the contact in hand ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .arrivals import DAY_S, HOUR_S, HOURS_PER_WEEK, WEEK_S
from .scenario import PoolSpec


def shift_instances(pool: PoolSpec, week: int,
                    start_day: int) -> Iterator[tuple[float, float, int]]:
    """``(start_s, end_s, headcount)`` of every shift starting in week ``week``.

    Week 0 starts on the Monday on or before simulated time 0; times are simulated seconds.
    """
    offset = start_day * DAY_S
    for shift in pool.roster:
        staff = pool.headcount(shift)
        if staff <= 0:
            continue
        for day in shift.days:
            start = week * WEEK_S + day * DAY_S + shift.start_min * 60.0 - offset
            yield start, start + shift.length_min * 60.0, staff


def week_changes(pool: PoolSpec, week: int, start_day: int) -> list[tuple[float, int]]:
    """Changes in staff on duty (time, +/- people) from the shifts starting in ``week``."""
    changes: list[tuple[float, int]] = []
    for start, end, staff in shift_instances(pool, week, start_day):
        changes.append((start, staff))
        changes.append((end, -staff))
    return changes


def rostered_by_hour(pool: PoolSpec) -> np.ndarray:
    """Mean rostered staff in each hour of the week (168 values, hour 0 = Monday 00:00)."""
    minutes = np.zeros(HOURS_PER_WEEK * 60 + 1)
    for week in (-1, 0):
        for start, end, staff in shift_instances(pool, week, 0):
            lo, hi = max(start, 0.0), min(end, WEEK_S)
            if hi > lo:
                minutes[int(lo // 60)] += staff
                minutes[int(hi // 60)] -= staff
    on_duty = np.cumsum(minutes)[:-1]
    return on_duty.reshape(HOURS_PER_WEEK, 60).mean(axis=1)


__all__ = ["HOUR_S", "rostered_by_hour", "shift_instances", "week_changes"]
