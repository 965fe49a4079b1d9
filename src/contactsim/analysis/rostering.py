"""Rostering: shifts that cover an hour-by-hour staffing requirement with the fewest staff hours.

A planner knows how many people must be on duty in each of the 168 hours of the week and which
shifts the force works (say 8, 10 and 12 hours, starting on the hour). Choosing how many people
start each allowed shift on each day, so that every hour has at least its requirement on duty
and the week's staff hours are as few as possible, is a small integer programme (a set-covering
problem, solved exactly with :func:`scipy.optimize.milp`). The week wraps round: a shift that
starts on Sunday at 22:00 covers the first hours of Monday.

Planners also want rosters people can work: a few start times, the same every day. A *regular
pattern* is one shift length with evenly spaced daily starts that cover the day (12-hour shifts
at 07:00 and 19:00; 8 or 10-hour shifts at 06:00, 14:00 and 22:00); :func:`cover_regular` finds
the cheapest cover within one such pattern, for comparison with the free choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from contactsim.timebase import HOURS_PER_WEEK, WEEKDAYS

#: Longest the solver may take; the baseline's problem (504 shifts) solves in well under a second.
TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class Shift:
    """``staff`` people starting at ``start_h`` on ``day`` (0 = Monday) for ``hours`` hours."""

    day: int
    start_h: int
    hours: int
    staff: int

    @property
    def first_hour(self) -> int:
        """Hour of the week (0 = Monday 00:00) the shift starts in."""
        return self.day * 24 + self.start_h


class RosterError(ValueError):
    """No roster could be found (the message says why)."""


def on_duty(shifts: Sequence[Shift]) -> np.ndarray:
    """Staff on duty in each hour of the week (168 integers), the week wrapping round."""
    cover = np.zeros(HOURS_PER_WEEK, dtype=int)
    for s in shifts:
        hours = (s.first_hour + np.arange(s.hours)) % HOURS_PER_WEEK
        np.add.at(cover, hours, s.staff)
    return cover


def staff_hours(shifts: Sequence[Shift]) -> int:
    """Paid staff hours a week of a roster."""
    return sum(s.hours * s.staff for s in shifts)


def cover(required: Sequence[int] | np.ndarray, shift_hours: Sequence[int],
          start_hours: Sequence[int]) -> list[Shift]:
    """The fewest staff hours of shifts that put at least ``required[h]`` on duty in every hour.

    ``shift_hours`` are the allowed lengths (1-24 hours) and ``start_hours`` the allowed starts
    (0-23, the same every day). Returns the shifts with staff > 0, by day and start.
    """
    lengths, starts = sorted(set(shift_hours)), sorted(set(start_hours))
    if not lengths or not starts:
        raise RosterError("at least one shift length and one start time are needed")
    return cover_patterns(required, [(s, n) for s in starts for n in lengths])


def cover_patterns(required: Sequence[int] | np.ndarray,
                   patterns: Sequence[tuple[int, int]]) -> list[Shift]:
    """Like :func:`cover`, with the allowed shifts given as (start hour, length) pairs, each
    allowed on any day: a force's own shift patterns, with only the headcounts chosen."""
    need, options, matrix, cost = _problem(required, patterns)
    counts = _solve(matrix, need, cost, np.ones(len(options), dtype=bool))
    if counts is None:
        raise RosterError("the roster could not be solved in time; allow fewer start times")
    return [Shift(d, s, n, int(k)) for (d, s, n), k in
            zip(options, _tidy(options, matrix, need, cost, counts), strict=True) if k > 0]


def least_hours(required: Sequence[int] | np.ndarray,
                patterns: Sequence[tuple[int, int]]) -> int | None:
    """The fewest staff hours of the allowed (start hour, length) shifts covering
    ``required`` (what :func:`cover_patterns` would cost), or None if they cannot."""
    try:
        need, options, matrix, cost = _problem(required, patterns)
    except RosterError:
        return None
    counts = _solve(matrix, need, cost, np.ones(len(options), dtype=bool))
    return None if counts is None else int(cost @ counts)


def _problem(required: Sequence[int] | np.ndarray, patterns: Sequence[tuple[int, int]],
             ) -> tuple[np.ndarray, list[tuple[int, int, int]], np.ndarray, np.ndarray]:
    """The covering problem: the need, the options (day, start, length), which hours each
    option covers and its cost in staff hours."""
    need = np.asarray(required, dtype=float)
    if need.shape != (HOURS_PER_WEEK,) or (need < 0).any():
        raise RosterError("the requirement must be 168 hourly figures, none negative")
    if not patterns:
        raise RosterError("at least one shift length and one start time are needed")
    options = [(d, s, n) for d in range(7) for s, n in sorted(set(patterns))]
    matrix = np.zeros((HOURS_PER_WEEK, len(options)))
    for j, (d, s, n) in enumerate(options):
        matrix[(d * 24 + s + np.arange(n)) % HOURS_PER_WEEK, j] = 1.0
    uncovered = (need > 0) & (matrix.sum(axis=1) == 0)
    if uncovered.any():
        h = int(np.flatnonzero(uncovered)[0])
        raise RosterError(f"no allowed shift covers {WEEKDAYS[h // 24]} {h % 24:02d}:00; allow "
                          "more start times or longer shifts")
    return need, options, matrix, np.array([n for _, _, n in options], dtype=float)


def one_more_start(required: Sequence[int] | np.ndarray,
                   patterns: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """The start hour that, added to ``patterns`` with their lengths, covers ``required`` with
    the fewest staff hours, and those hours (earliest hour on a tie; None: no start saves
    any)."""
    lengths = sorted({n for _, n in patterns})
    best = least_hours(required, patterns)
    found: tuple[int, int] | None = None
    for start in sorted(set(range(24)) - {s for s, _ in patterns}):
        hours = least_hours(required, [*patterns, *((start, n) for n in lengths)])
        if hours is not None and (best is None or hours < best):
            best, found = hours, (start, hours)
    return found


def _solve(matrix: np.ndarray, need: np.ndarray, cost: np.ndarray,
           allowed: np.ndarray) -> np.ndarray | None:
    """Fewest-hours staff per option, using only the ``allowed`` options (None: none found)."""
    result = milp(cost, integrality=np.ones(len(cost)),
                  bounds=Bounds(0, np.where(allowed, np.inf, 0.0)),
                  constraints=LinearConstraint(matrix, lb=need, ub=np.inf),
                  options={"time_limit": TIME_LIMIT_S})
    return None if result.x is None else np.round(result.x).astype(int)


def _tidy(options: list[tuple[int, int, int]], matrix: np.ndarray, need: np.ndarray,
          cost: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The same staff hours with as few distinct shifts (start time and length) as it finds.

    Many rosters tie on staff hours; a planner wants the one with fewest distinct shifts, each
    worked on the days it is needed. Patterns are dropped one at a time, the least used first,
    keeping each drop that costs no extra staff hour (every trial is a small exact solve, so
    the result is the same on every machine).
    """
    hours = float(cost @ counts)
    pattern = [(s, n) for _, s, n in options]
    allowed = np.ones(len(options), dtype=bool)
    while True:
        used: dict[tuple[int, int], float] = {}
        for j in np.flatnonzero(counts):
            used[pattern[j]] = used.get(pattern[j], 0.0) + cost[j] * counts[j]
        for p in sorted(used, key=lambda q: (used[q], q)):
            trial = allowed & np.array([q != p for q in pattern])
            found = _solve(matrix, need, cost, trial)
            if found is not None and cost @ found <= hours + 1e-6:
                allowed, counts = trial, found
                break
        else:
            return counts


def roster_lines(shifts: Sequence[Shift]) -> list[dict[str, object]]:
    """Scenario roster lines: shifts with the same start, length and staff share one line."""
    days: dict[tuple[int, int, int], list[int]] = {}
    for s in shifts:
        days.setdefault((s.start_h, s.hours, s.staff), []).append(s.day)
    lines = []
    for (start, hours, staff), on in sorted(days.items()):
        lines.append({"days": day_names(on), "start": f"{start:02d}:00",
                      "end": f"{(start + hours) % 24:02d}:00", "staff": staff})
    return lines


def day_names(days: Sequence[int]) -> str:
    """``[0, 1, 2, 3, 4]`` -> ``"mon-fri"``; ``[5, 6]`` -> ``"sat,sun"``; all -> ``"mon-sun"``."""
    on = sorted(set(days))
    if len(on) > 2 and on == list(range(on[0], on[-1] + 1)):
        return f"{WEEKDAYS[on[0]]}-{WEEKDAYS[on[-1]]}"
    return ",".join(WEEKDAYS[d] for d in on)


# --- regular patterns -------------------------------------------------------------------------


def regular_starts(hours: int, first: int) -> tuple[int, ...]:
    """The daily starts of a regular pattern of ``hours``-hour shifts, the first at ``first``.

    A regular pattern has the same few start times every day, evenly spaced so that the day is
    covered: as many lines a day as it takes (the fewest that divide the day evenly), e.g.
    12-hour shifts at 07:00 and 19:00, 8-hour shifts at 06:00, 14:00 and 22:00, or 10-hour
    shifts at 06:00, 14:00 and 22:00 (two hours of overlap at each change).
    """
    lines = next(k for k in (1, 2, 3, 4, 6, 8, 12, 24) if k * hours >= 24)
    step = 24 // lines
    return tuple(sorted((first + i * step) % 24 for i in range(lines)))


def regular_patterns(shift_hours: Sequence[int],
                     start_hours: Sequence[int]) -> list[tuple[int, tuple[int, ...]]]:
    """Every regular pattern (length, daily starts) the allowed lengths and starts permit."""
    allowed, out = set(start_hours), []
    for hours in sorted(set(shift_hours)):
        seen = set()
        for first in range(24):
            starts = regular_starts(hours, first)
            if starts not in seen and set(starts) <= allowed:
                seen.add(starts)
                out.append((hours, starts))
    return out


def cover_regular(required: Sequence[int] | np.ndarray, shift_hours: Sequence[int],
                  start_hours: Sequence[int]) -> list[Shift] | None:
    """The fewest staff hours over the regular patterns (None: the allowed starts admit none).

    Each pattern (one shift length, the same evenly spaced start times every day) is covered
    exactly like :func:`cover`; the cheapest wins, and on a tie the one with fewer lines.
    """
    best: tuple[int, int, list[Shift]] | None = None
    for hours, starts in regular_patterns(shift_hours, start_hours):
        try:
            shifts = cover(required, [hours], starts)
        except RosterError:
            continue
        key = (staff_hours(shifts), len(roster_lines(shifts)))
        if best is None or key < best[:2]:
            best = (*key, shifts)
    return None if best is None else best[2]


def start_times(shifts: Sequence[Shift]) -> list[int]:
    """The distinct start hours (0-23) a roster uses, earliest first."""
    return sorted({s.start_h for s in shifts})
