"""Reading a force's contact logs (DESIGN §10) into one :class:`~contactsim.logs.model.ContactLog`.

A telephony export is messy: stray whitespace, empty cells, a byte-order mark, Windows line
ends, rows exported twice, calls still in progress when it was taken, and local times that jump
at the clock changes. This module reads it with pyarrow, gzip or not, in batches of text that
are turned into numbers as they come (:mod:`~contactsim.logs.stream`,
:mod:`~contactsim.logs.gather`: a year of the largest force reads in well under 2 GiB), and
checks it a whole column at a time: a bad row is named by its line in the
file (the header is line 1) and what is wrong with it, at most 20 lines and then a count, all
at once, so a planner fixes the export in one pass; ``skip_bad_rows`` reads on and counts what
it left out. Exact repeats of a row are dropped and counted; rows with neither an answer, an
abandonment nor a handover are in progress (outcome CENSORED): counted, never guessed.

Exports as vendors write them: a ``--columns`` file (:mod:`~contactsim.logs.columns`) maps the
vendor's column names and values onto ours and says how its dates are written; names that
differ only by case are read as one, with a warning (:mod:`~contactsim.logs.names`); a time a
second or two before the one it follows, as clocks of different systems drift apart, is read
as equal to it and counted (:mod:`~contactsim.logs.skew`).

Times are Europe/London wall clock. The hour the clocks skip in spring cannot occur and is an
error. The hour repeated in autumn is read in file order: arrivals are in summer time until the
clock first steps back within that hour (an arrival more than :data:`STEP_BACK_S` earlier
than the latest one of the hour before it), and in GMT from there on. A row's later times
(queued, answered, abandoned) take the first instant their wall clock can be that is not
before the row's arrival.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from contactsim.logs.columns import (
    DEFAULT_CLOCK_SKEW_S,
    MAX_CLOCK_SKEW_S,
    ColumnMap,
    read_column_map,
)
from contactsim.logs.gather import Gatherer
from contactsim.logs.model import TIMESTAMPS, ContactLog
from contactsim.logs.names import (
    picker,
    reindex,
    renumber,
    used_codes,
    without_repeats,
)
from contactsim.logs.row_checks import (
    MAX_PROBLEMS as MAX_PROBLEMS,
    STEP_BACK_S as STEP_BACK_S,
    RowChecks,
)
from contactsim.logs.stream import LogFile
from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED, DIVERTED
from contactsim.problems import FILE_KEY, Problem, ScenarioError

#: Most rows read in all: some four years of the largest force in England and Wales (about
#: 6.6 million contacts a year), and a bound on memory (reading peaks at about 260 bytes a
#: row, some 6 GiB at this size).
MAX_LOG_ROWS = 25_000_000
_RAGGED = "wrong number of cells"


def read_logs(paths: Sequence[str | Path], *, columns: str | Path | None = None,
              skip_bad_rows: bool = False, channels: Collection[str] | None = None,
              clock_skew_s: float | None = None) -> ContactLog:
    """One log from ``paths`` read in order (CSV, gzip or not); ScenarioError on bad input.

    ``columns``: a TOML file mapping our column names onto the export's (and its date format,
    clock skew and value maps). ``channels``: the scenario's channels; a row on any other is an
    error. ``skip_bad_rows``: leave bad rows out and count them by reason in ``skipped``
    instead (a log with no good row is still an error). ``clock_skew_s``: how many seconds a
    time may be before the one it follows and be read as equal to it (counted in ``clamped``);
    None: the columns file's ``clock_skew_s``, else :data:`DEFAULT_CLOCK_SKEW_S`.
    """
    files = tuple(str(p) for p in paths)
    if not files:
        raise ScenarioError([Problem("(command line)", "LOG", "no contact log given")])
    map_file = None if columns is None else str(columns)
    settings = read_column_map(map_file) if map_file is not None else ColumnMap()
    skew = _skew(clock_skew_s, settings)
    read: list[LogFile] = []
    have: set[str] = set()
    gather = Gatherer(settings.date_format)
    before = 0  # rows of the files already read
    for file in files:
        log = LogFile(file, settings.names, map_file)
        gather.start_file()
        for start, text in log.batches():
            if before + start + len(text["arrived"]) > MAX_LOG_ROWS:
                raise ScenarioError([Problem(file, FILE_KEY, f"the logs hold more than "
                                             f"{MAX_LOG_ROWS:,} rows in all (some four years of "
                                             "the largest force); read fewer files at a time")])
            gather.add(start, text)
        if not log.rows and not log.ragged:
            raise ScenarioError([Problem(file, FILE_KEY, "has a header but no rows")])
        before += log.rows
        read.append(log)
        have |= log.present
    return _Rows(gather.finish(), read, skip_bad_rows, channels, settings, skew).log(files, have)


def _skew(given: float | None, settings: ColumnMap) -> float:
    """The clock skew tolerance: the command line's, the columns file's, or the default."""
    if given is None:
        return DEFAULT_CLOCK_SKEW_S if settings.clock_skew_s is None else settings.clock_skew_s
    if not 0 <= given <= MAX_CLOCK_SKEW_S:  # NaN too
        raise ScenarioError([Problem("(command line)", "--clock-skew", "must be a number of "
                                     f"seconds from 0 to {MAX_CLOCK_SKEW_S:g}, got {given}")])
    return float(given)


class _Rows(RowChecks):
    """Every row of the logs, checked (:class:`~contactsim.logs.row_checks.RowChecks`), and the
    log of the good ones."""

    # --- the result -----------------------------------------------------------------------

    def log(self, names: tuple[str, ...], have: set[str]) -> ContactLog:
        n = self.n
        first = np.full(n, len(self.issues), dtype=np.int16)  # each row's first issue
        for k, issue in reversed(list(enumerate(self.issues))):
            first[issue.rows] = k
        ragged = sum(len(f.ragged) for f in self.files)
        if (self.issues or ragged) and not self.skip:
            raise ScenarioError(self.problems())
        skipped: dict[str, int] = {}  # by reason (a reason may be found in several columns)
        for k, issue in enumerate(self.issues):
            if count := int((first == k).sum()):
                skipped[issue.reason] = skipped.get(issue.reason, 0) + count
        if ragged:
            skipped[_RAGGED] = ragged
        good = np.flatnonzero(first == len(self.issues))
        del first
        if not len(good):
            why = ", ".join(f"{count:,} {reason}" for reason, count in skipped.items())
            raise ScenarioError([Problem(names[0] if len(names) == 1 else ", ".join(names),
                                         FILE_KEY, f"no good rows: every row was skipped ({why})")])
        good, duplicates = self._unique(good, "agent" in have)
        log = self._build(names, have, good, sum(f.rows + len(f.ragged) for f in self.files)
                          - self.blank, skipped, duplicates)
        return replace(log, clamped=self.clamps.counts(None if len(good) == self.n else good),
                       clock_skew_s=self.skew, warnings=tuple(self.warnings),
                       **self._agents(good, "agent" in have))

    def _agents(self, good: np.ndarray, present: bool) -> dict[str, Any]:
        """``agents`` and ``agent`` of the rows kept (None where the log has no such column)."""
        if not present:
            return {}
        agent = picker(good, self.n)(self.agent)
        used = used_codes(agent)
        return {"agents": tuple(self.agents[a] for a in used),
                "agent": reindex(agent, used, np.int32)}

    def _unique(self, good: np.ndarray, agent: bool) -> tuple[np.ndarray, int]:
        """``good`` less exact repeats of an earlier row (in every column read)."""
        parts = [self.local["arrived"], self.channel, self.category, self.diverted_to,
                 *(self.utc[name] for name in TIMESTAMPS[1:]), *self.seconds.values(),
                 self.caller, *([self.agent] if agent else [])]
        return without_repeats(parts, good, self.n)

    def _build(self, names: tuple[str, ...], have: set[str], good: np.ndarray, rows_read: int,
               skipped: dict[str, int], duplicates: int) -> ContactLog:
        pick = picker(good, self.n)  # no copies when every row is good
        utc = {name: pick(values) for name, values in self.utc.items()}
        answered, abandoned = ~np.isnan(utc["answered"]), ~np.isnan(utc["abandoned"])
        diverted = pick(self.diverted_to)
        outcome = np.select([answered, abandoned, diverted >= 0], [ANSWERED, ABANDONED, DIVERTED],
                            CENSORED).astype(np.int8)
        queued = np.where(np.isnan(utc["queued"]), utc["arrived"], utc["queued"])
        del utc["queued"]
        ended = np.where(answered, utc.pop("answered"), utc.pop("abandoned"))
        ended -= queued  # the wait
        queued -= utc["arrived"]  # the connection
        del answered, abandoned
        channel, category = pick(self.channel), pick(self.category)
        used = {"channel": used_codes(channel), "category": used_codes(category),
                "diverted_to": used_codes(diverted)}
        return ContactLog(
            files=names, channels=tuple(self.channels[c] for c in used["channel"]),
            categories=tuple(self.categories[c] for c in used["category"]),
            partners=tuple(self.partners[c] for c in used["diverted_to"]),
            present=frozenset(have), channel=reindex(channel, used["channel"]),
            category=reindex(category, used["category"]),
            arrived_local=pick(self.local["arrived"]), arrived_utc=utc["arrived"],
            outcome=outcome, connect_s=queued, wait_s=ended,
            talk_s=pick(self.seconds["talk_s"]), wrap_s=pick(self.seconds["wrap_s"]),
            diverted_to=reindex(diverted, used["diverted_to"]),
            caller=renumber(pick(self.caller)),
            rows_read=rows_read, skipped=skipped, duplicates=duplicates)
