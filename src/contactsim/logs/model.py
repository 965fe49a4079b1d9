"""A contact log in memory: one element per contact in aligned numpy arrays (DESIGN §10).

The same shape whether the log came from a force's telephony export
(:func:`contactsim.logs.read.read_logs`) or from a simulated room (``run --contact-log``), so
fitting and back-testing read one thing.

Times are kept twice, because a log's wall clock is local (Europe/London) and not every local
day is 24 hours long:

- ``arrived_local``: seconds since 1970-01-01 00:00 *on the local wall clock* (naive). Its day
  (``// 86400``), hour of day and weekday are what a planner reads off the export; demand
  shapes (hourly, weekly, monthly, dates) are counted in it.
- every duration (``connect_s``, ``wait_s``, ``talk_s``, ``wrap_s``) and ``arrived_utc`` are
  true elapsed seconds (UTC), so a call that spans a clock change has its real wait.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np

from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED, DIVERTED  # noqa: F401

#: The log's columns (DESIGN §10), required ones first.
REQUIRED = ("arrived", "channel")
OPTIONAL = ("category", "queued", "answered", "abandoned", "talk_s", "wrap_s", "diverted_to",
            "caller", "agent")
COLUMNS = REQUIRED + OPTIONAL
#: Timestamp columns (local time, ``YYYY-MM-DD HH:MM:SS[.fff]``).
TIMESTAMPS = ("arrived", "queued", "answered", "abandoned")
#: The category of a row whose ``category`` is absent or empty.
UNKNOWN_CATEGORY = "unknown"
#: The timestamp format written by ``run --contact-log`` (read: with or without fractions).
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: The first day of a simulated log without a ``start_date``: a Monday.
DEFAULT_LOG_START = datetime.date(2024, 1, 1)


@dataclass(frozen=True)
class ContactLog:
    """Every contact read from one or more logs (rows in the order read)."""

    files: tuple[str, ...]  # the log files, as given
    channels: tuple[str, ...]  # names; ``channel`` holds indices into this
    categories: tuple[str, ...]  # names (``unknown`` among them where a row had none)
    partners: tuple[str, ...]  # names in ``diverted_to``
    present: frozenset[str]  # the optional columns the log had (after --columns mapping)

    channel: np.ndarray  # int16
    category: np.ndarray  # int16
    arrived_local: np.ndarray  # float64: local wall-clock seconds since 1970-01-01 00:00
    arrived_utc: np.ndarray  # float64: the same instant as UTC seconds since the epoch
    outcome: np.ndarray  # int8: ANSWERED, ABANDONED, DIVERTED (handed over, never answered
    #                      by the room), CENSORED (neither answered nor abandoned: in progress)
    connect_s: np.ndarray  # float64: queued - arrived (0 where the log has no ``queued``)
    wait_s: np.ndarray  # float64: answered or abandoned - queued; NaN for the others
    talk_s: np.ndarray  # float64: NaN where absent or empty
    wrap_s: np.ndarray  # float64: NaN where absent or empty
    diverted_to: np.ndarray  # int16: index into ``partners``, -1 none
    caller: np.ndarray  # int64: caller key as a number (equal keys equal numbers), -1 none

    rows_read: int = 0  # data rows in the files (header rows not counted)
    #: Rows left out with --skip-bad-rows: what was wrong -> how many.
    skipped: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0  # rows dropped as exact repeats of an earlier row
    #: Who answered: names (``agent`` holds indices into this).
    agents: tuple[str, ...] = ()
    #: int32 index into ``agents`` per row, -1 where the cell is empty (not answered, or not
    #: said); None when the log has no ``agent`` column.
    agent: np.ndarray | None = None
    #: Rows with a time up to ``clock_skew_s`` before the time it follows (queued before
    #: arrived, answered or abandoned before queued or arrived), moved forward to equal it:
    #: what was early -> how many rows (each row once, under its first such time).
    clamped: dict[str, int] = field(default_factory=dict)
    clock_skew_s: float = 0.0  # the tolerance the log was read with
    #: What reading noticed but did not refuse (names folded to one case, ...).
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.channel)

    @property
    def in_progress(self) -> int:
        """Rows with neither ``answered`` nor ``abandoned`` (nor a handover)."""
        return int((self.outcome == CENSORED).sum())

    @property
    def answer_s(self) -> np.ndarray:
        """Answer time as the measures define it: connection plus wait."""
        return self.connect_s + self.wait_s

    @property
    def day(self) -> np.ndarray:
        """Local date of arrival as days since 1970-01-01 (int64)."""
        return np.floor_divide(self.arrived_local, 86400).astype(np.int64)

    @property
    def hour_of_week(self) -> np.ndarray:
        """Local hour of the week of arrival, 0 = Monday 00:00 (int16)."""
        day = self.day
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        hour = (self.arrived_local - day * 86400) // 3600
        return (weekday * 24 + hour).astype(np.int16)

    @property
    def first_date(self) -> datetime.date:
        return _date(int(self.day.min()))

    @property
    def last_date(self) -> datetime.date:
        return _date(int(self.day.max()))


def _date(days: int) -> datetime.date:
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=days)
