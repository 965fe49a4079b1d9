"""The dates a back-test covers: the log's whole local days, and the scenario pinned to them.

The first date counts only if the log's
first contact arrived within :data:`EDGE_SLACK_S` of its midnight, the last only if its last
contact arrived within that of the next midnight (an export taken mid-evening leaves a partial
day, and a partial day would read as a quiet one). The simulation runs from the first whole day
(``run.start_date``, its warm-up days before it) for every whole day. Days whose local clock
does not have 24 hours (the clock changes) are simulated but compared on neither side: the
model's days are all 24 hours, the log's are not on those two Sundays.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from contactsim.config.loading import with_changes
from contactsim.config.spec import Scenario
from contactsim.engine.arrivals import open_minutes
from contactsim.logs.london import local_to_utc
from contactsim.logs.model import ContactLog
from contactsim.problems import FILE_KEY, Problem, ScenarioError
from contactsim.timebase import DAY_S, WEEKDAYS

#: An end date of the log counts as whole if its contacts reach this close to its midnights.
EDGE_SLACK_S = 15 * 60
_EPOCH = datetime.date(1970, 1, 1)


@dataclass(frozen=True)
class Window:
    """The dates a back-test covers: ``days`` whole local days from ``first``."""

    first: datetime.date
    days: int
    #: Dates of the log, or inside the window, that are not compared, and why.
    left_out: tuple[tuple[datetime.date, str], ...]

    @property
    def last(self) -> datetime.date:
        return self.first + datetime.timedelta(days=self.days - 1)

    @property
    def compared(self) -> np.ndarray:
        """The compared dates as days since 1970-01-01 (int64)."""
        skip = {d for d, _ in self.left_out}
        start = (self.first - _EPOCH).days
        return np.array([start + i for i in range(self.days)
                         if self.first + datetime.timedelta(days=i) not in skip],
                        dtype=np.int64)


#: A run of days this long with no contact at all splits a log into periods: no control room is
#: silent for four weeks, so one side is a stray date (a back-test and a fit need one period).
MAX_GAP_DAYS = 28


def _check_gaps(local: np.ndarray, start: float, where: str) -> None:
    """ScenarioError, naming the dates, where the log's days hold a gap of MAX_GAP_DAYS."""
    first = math.floor(start / DAY_S)
    per_day = np.bincount((np.floor_divide(local, DAY_S) - first).astype(np.int64))
    busy = np.flatnonzero(per_day)
    gaps = np.flatnonzero(np.diff(busy) > MAX_GAP_DAYS)
    if not len(gaps):
        return
    k = int(gaps[np.argmax(np.diff(busy)[gaps])])  # the longest gap
    before, after = int(per_day[:busy[k] + 1].sum()), int(per_day[busy[k + 1]:].sum())

    def day(i: int) -> datetime.date:
        return _EPOCH + datetime.timedelta(days=first + int(i))

    side = (f"the {before:,} row(s) from {day(busy[0])} to {day(busy[k])}" if before <= after
            else f"the {after:,} row(s) from {day(busy[k + 1])} to {day(busy[-1])}")
    raise ScenarioError([Problem(where, FILE_KEY, (
        f"the log's dates run from {day(busy[0])} to {day(busy[-1])}, but no contact arrives "
        f"from {day(busy[k] + 1)} to {day(busy[k + 1] - 1)} "
        f"({int(busy[k + 1] - busy[k] - 1):,} days): the log's date range, not the scenario, "
        f"is the problem. Are {side} a stray date? Trim the log to one period of days (or "
        "correct those rows' dates)"))])


def log_window(log: ContactLog, open_hours: np.ndarray | None = None) -> Window:
    """The log's whole local days (see the module's notes); ScenarioError if none.

    With ``open_hours`` (168 bools, Monday 00:00 first: the hours some channel is open) the
    first day is whole when the log starts within :data:`EDGE_SLACK_S` of that day's first
    open hour, the last when it ends within that of the day's last open hour's end: a room
    closed overnight has no contact near midnight on any day."""
    where = ", ".join(log.files) or "(log)"
    if not len(log):
        raise ScenarioError([Problem(where, FILE_KEY, "the log holds no contacts")])
    local = log.arrived_local
    start, end = float(local.min()), float(local.max())
    # log.first_date and log.last_date, without working out every row's day
    log_first = _EPOCH + datetime.timedelta(days=math.floor(start / DAY_S))
    log_last = _EPOCH + datetime.timedelta(days=math.floor(end / DAY_S))
    _check_gaps(local, start, where)
    first_day, last_day = log_first, log_last
    opens, closes = _day_edges(open_hours, first_day, last_day)
    left_out: list[tuple[datetime.date, str]] = []
    if start - math.floor(start / DAY_S) * DAY_S - opens > EDGE_SLACK_S:
        left_out.append((first_day, f"partial: the log starts at {_clock(start)}"))
        first_day += datetime.timedelta(days=1)
    if math.floor(end / DAY_S) * DAY_S + closes - end > EDGE_SLACK_S:
        left_out.append((last_day, f"partial: the log ends at {_clock(end)}"))
        last_day -= datetime.timedelta(days=1)
    days = (last_day - first_day).days + 1
    if days < 1:
        raise ScenarioError([Problem(where, FILE_KEY, (
            f"the log covers less than one whole day ({_clock(start)} on {log_first} to "
            f"{_clock(end)} on {log_last}); a back-test compares whole days from midnight "
            "to midnight, so give a log of at least one whole day"))])
    window = Window(first_day, days, tuple(left_out))
    changes = tuple((d, "the clocks change that day (it is not 24 hours long)")
                    for d in _dates(window) if not _has_24_hours(d))
    window = Window(first_day, days, (*window.left_out, *changes))
    if not len(window.compared):
        raise ScenarioError([Problem(where, FILE_KEY, (
            "the log's only whole days are days the clocks change, which the model (every day "
            "24 hours) cannot be compared with; give a log with at least one other whole day"))])
    return window


def open_hours(scenario: Scenario, log: ContactLog) -> np.ndarray | None:
    """168 bools: the hours of the week some channel of the log is open in the scenario (an
    hour counts when it is open for any minute); None when one of them is always open."""
    found = np.zeros(168, dtype=bool)
    for name in log.channels:
        ch = scenario.channels.get(name)
        if ch is None or ch.open is None:
            return None
        found |= open_minutes(ch.open).reshape(168, 60).any(axis=1)
    return found


def _day_edges(open_hours: np.ndarray | None, first: datetime.date,
               last: datetime.date) -> tuple[float, float]:
    """Seconds after midnight the first day opens and the last day closes (0 and a whole day
    when always open, or when the day has no open hour)."""
    if open_hours is None:
        return 0.0, float(DAY_S)
    first_hours = np.flatnonzero(open_hours[first.weekday() * 24:first.weekday() * 24 + 24])
    last_hours = np.flatnonzero(open_hours[last.weekday() * 24:last.weekday() * 24 + 24])
    return (float(first_hours[0] * 3600) if len(first_hours) else 0.0,
            float((last_hours[-1] + 1) * 3600) if len(last_hours) else float(DAY_S))


def _clock(local_s: float) -> str:
    return (datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=local_s)).strftime(
        "%H:%M")


def _dates(window: Window) -> Iterator[datetime.date]:
    for i in range(window.days):
        yield window.first + datetime.timedelta(days=i)


def _has_24_hours(date: datetime.date) -> bool:
    midnight = ((date - _EPOCH).days * DAY_S)
    earliest, _ = local_to_utc(np.array([midnight, midnight + DAY_S]))
    return bool(earliest[1] - earliest[0] == DAY_S)


def backtest_scenario(scenario: Scenario, window: Window, *, replications: int | None = None,
                      seed: int | None = None) -> Scenario:
    """The scenario pinned to the window's dates (warm-up before them, in whole days)."""
    run = scenario.run
    changes: dict[tuple[str, ...], object] = {
        ("run", "start_date"): window.first,
        ("run", "start_day"): WEEKDAYS[window.first.weekday()],
        ("run", "days"): window.days,
        ("run", "warmup_days"): math.ceil(run.warmup_days),
    }
    if replications is not None:
        changes[("run", "replications")] = replications
    if seed is not None:
        changes[("run", "seed")] = seed
    pinned = with_changes(scenario, changes)
    if pinned.run.replications < 2:
        raise ScenarioError([Problem(scenario.file, "run.replications", (
            f"is {pinned.run.replications}; a back-test needs at least 2 replications to "
            "draw a band around the simulated figure (10 or more for a useful one); give "
            "--replications 10"))])
    return pinned
