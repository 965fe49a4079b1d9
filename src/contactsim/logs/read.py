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

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from contactsim.logs import cells, source
from contactsim.logs.columns import (
    DEFAULT_CLOCK_SKEW_S,
    MAX_CLOCK_SKEW_S,
    ColumnMap,
    read_column_map,
)
from contactsim.logs.gather import Gathered, Gatherer
from contactsim.logs.model import TIMESTAMPS, ContactLog
from contactsim.logs.names import (
    as_scenario_names,
    picker,
    recode,
    reindex,
    renumber,
    used_codes,
    without_repeats,
)
from contactsim.logs.skew import Clamps
from contactsim.logs.stream import LogFile
from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED, DIVERTED
from contactsim.problems import FILE_KEY, Problem, ScenarioError, describe, suggestion

#: Most rows read in all: some four years of the largest force in England and Wales (about
#: 6.6 million contacts a year), and a bound on memory (reading peaks at about 260 bytes a
#: row, some 6 GiB at this size).
MAX_LOG_ROWS = 25_000_000
#: Problem lines shown before "... and N more problems".
MAX_PROBLEMS = 20
#: A step back of the wall clock this large, within the repeated autumn hour, starts its
#: second (GMT) pass; smaller ones are taken for rows written slightly out of order.
STEP_BACK_S = 600.0
_RAGGED = "wrong number of cells"
_LONGEST = f"30 days ({cells.MAX_SECONDS:,.0f} s)"


@dataclass(frozen=True)
class _Issue:
    rows: np.ndarray  # indices into the combined rows
    column: str
    reason: str  # short and stable: the key of ContactLog.skipped
    words: Callable[[int], str]  # row index -> what is wrong


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


class _Rows:
    """Every row of the logs, checked column by column."""

    def __init__(self, got: Gathered, files: list[LogFile], skip: bool,
                 channels: Collection[str] | None, settings: ColumnMap, skew: float) -> None:
        self.got = got
        self.settings = settings
        self.skew = skew
        self.warnings: list[str] = []
        self.blank = got.blank
        self.files = files
        self.skip = skip
        self.issues: list[_Issue] = []
        self.row = got.row
        self.n = len(got.row)
        self.clamps = Clamps(self.n, skew)
        self.texts: dict[int, dict[str, object]] = {}  # the cells a problem message quotes
        self._check(channels)

    def file(self, i: int) -> int:
        return int(np.searchsorted(self.got.file_starts, i, side="right")) - 1

    def cell(self, column: str, i: int) -> str:
        return str(self.texts[i][column])

    def flag(self, rows: np.ndarray, column: str, reason: str,
             words: Callable[[int], str]) -> None:
        """Rows (a mask, or indices in order) with a problem, under ``reason``."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        if len(rows):
            self.issues.append(_Issue(rows, column, reason, words))

    def flagged(self, reason: str) -> np.ndarray:
        """The rows a batch alone found wrong for ``reason``."""
        return self.got.flagged.get(reason, np.zeros(0, dtype=np.int64))

    # --- the checks, in the order a skipped row's reason is chosen --------------------------

    def _check(self, channels: Collection[str] | None) -> None:
        got = self.got
        self.local: dict[str, np.ndarray] = {}
        self.utc: dict[str, np.ndarray] = {}
        self.flag(self.flagged("line break"), "", "line break", lambda i: (
            "a quoted cell holds a line break, which a log may not (it would put every later "
            "row on the wrong line): remove line breaks from cells when exporting"))
        self._arrivals()
        self.channels, self.channel = self._names("channel", channels or ())
        self.flag(self.channel < 0, "channel", "missing channel",
                  lambda i: "empty; every contact needs its channel")
        if channels is not None:
            self._unknown_channels(channels)
        for name in TIMESTAMPS[1:]:
            self._later_time(name)
        self.seconds = got.seconds
        for name in self.seconds:
            self._seconds(name)
        self.categories, self.category = self._names("category")
        self.partners, self.diverted_to = self._names("diverted_to")
        self.caller = got.codes["caller"]
        self.agents, self.agent = got.names["agent"], got.codes["agent"]
        self._order()

    def _names(self, column: str, prefer: Collection[str] = ()) -> tuple[tuple[str, ...],
                                                                         np.ndarray]:
        """A column's names after the value map and case folding (warned)."""
        found, codes, warnings = recode(column, self.got.names[column],
                                              self.got.codes[column],
                                              self.settings.values.get(column, {}), prefer)
        found, codes, fixed = as_scenario_names(column, found, codes, cells.MAX_NAME_CHARS,
                                                prefer)
        self.warnings += warnings + fixed
        long = np.array([len(name) > cells.MAX_NAME_CHARS for name in found] + [False])
        self.flag(long[codes], column, f"{column} name too long", lambda i: (
            f"a name of {len(self.cell(column, i)):,} characters; names are at most "
            f"{cells.MAX_NAME_CHARS} (is a column shifted, or the export damaged?)"))
        return found, codes

    def _unknown_channels(self, channels: Collection[str]) -> None:
        known = sorted(channels)
        unknown = np.array([name not in set(channels) for name in self.channels] + [False])

        def words(i: int) -> str:
            name, cell = self.channels[self.channel[i]], self.cell("channel", i)
            mapped = "" if name == cell else f" (read from {describe(cell)})"
            return (f"unknown channel {describe(name)}{mapped}" + suggestion(name, known)
                    + f" (the scenario has: {', '.join(known)})")

        self.flag(unknown[self.channel], "channel", "unknown channel", words)

    def _arrivals(self) -> None:
        self.flag(self.flagged("missing arrived"), "arrived", "missing arrived",
                  lambda i: "empty; every contact needs the time it arrived")
        self._bad_times("arrived")
        self._outside("arrived")
        self._skipped_hour("arrived")
        local, utc = self.got.local, self.got.earliest["arrived"]
        repeated, latest = self.got.folds["arrived"]
        day = np.floor_divide(local[repeated], 86400)
        for d in np.unique(day):  # one date a year: the end of summer time
            pick = day == d
            rows = repeated[pick]
            times = local[rows]
            back = times[1:] < np.maximum.accumulate(times)[:-1] - STEP_BACK_S
            if back.any():
                second = slice(int(np.argmax(back)) + 1, None)
                utc[rows[second]] = latest[pick][second]
        self.local["arrived"], self.utc["arrived"] = local, utc

    def _bad_times(self, name: str) -> None:
        how = self.settings.date_format
        self.flag(self.flagged(f"unparseable {name}"), name, f"unparseable {name}", lambda i: (
            f"{describe(self.cell(name, i))} is not a timestamp: expected "
            f"{cells.FORMAT_WORDS[how]}" + cells.time_hint(self.cell(name, i), how)))

    def _outside(self, name: str) -> None:
        reason = f"{name} outside the years"
        self.flag(self.flagged(reason), name, reason, lambda i: (
            f"{describe(self.cell(name, i))} is dated outside {cells.FIRST_YEAR}-"
            f"{cells.LAST_YEAR}, the years a scenario can hold: correct the export's date (or "
            "its date_format), or leave such rows out with --skip-bad-rows"))

    def _skipped_hour(self, name: str) -> None:
        def words(i: int) -> str:
            date = self.cell(name, i)[:10]
            return (f"{describe(self.cell(name, i))} does not exist in Europe/London: clocks go "
                    f"forward from 01:00 to 02:00 on {date}")
        reason = f"{name} in the skipped hour"
        self.flag(self.flagged(reason), name, reason, words)

    def _later_time(self, name: str) -> None:
        self._bad_times(name)
        self._outside(name)
        self._skipped_hour(name)
        utc = self.got.earliest[name]
        # Where the wall clock is in the repeated hour: the first instant not before arrival
        # (by more than the clock skew allowed).
        rows, latest = self.got.folds[name]
        earliest = utc[rows]
        utc[rows] = np.where(earliest >= self.utc["arrived"][rows] - self.skew, earliest, latest)
        self.utc[name] = utc

    def _seconds(self, name: str) -> None:
        self.flag(self.flagged(f"non-numeric {name}"), name, f"non-numeric {name}", lambda i: (
            f"{describe(self.cell(name, i))} is not a number of seconds (write seconds, like "
            "330, or hours, minutes and seconds, like 0:05:30)"))
        self.flag(self.flagged(f"{name} not finite"), name, f"{name} not finite", lambda i: (
            f"{describe(self.cell(name, i))} is not a finite number of seconds"))
        self.flag(self.seconds[name] < 0, name, f"negative {name}", lambda i: (
            f"{self.cell(name, i)} is negative; a duration is 0 or more seconds"))
        self.flag(self.flagged(f"{name} too long"), name, f"{name} too long", lambda i: (
            f"{describe(self.cell(name, i))} seconds is longer than {_LONGEST}, the longest "
            "duration a scenario can hold: is the column in milliseconds, or the row damaged? "
            "(--skip-bad-rows leaves such rows out)"))

    def _order(self) -> None:
        utc = self.utc
        answered, abandoned = ~np.isnan(utc["answered"]), ~np.isnan(utc["abandoned"])
        self.flag(answered & abandoned, "abandoned", "answered and abandoned", lambda i: (
            "given as well as answered; a contact is either answered or abandoned"))
        self.flag(abandoned & (self.diverted_to >= 0), "diverted_to", "abandoned and diverted",
                  lambda i: "given for an abandoned contact; a contact handed over to a "
                            "partner was not abandoned")
        del answered, abandoned
        queued = ~np.isnan(utc["queued"])
        before = np.less(utc["queued"], utc["arrived"], where=queued, out=np.zeros_like(queued))
        self._early(before, "queued", "arrived", utc["arrived"])
        del before
        start = np.where(queued, utc["queued"], utc["arrived"])
        for name in ("answered", "abandoned"):
            given = ~np.isnan(utc[name])
            early = np.less(utc[name], start, where=given, out=np.zeros_like(given))
            for mask, other in ((early & queued, "queued"), (early & ~queued, "arrived")):
                self._early(mask, name, other, start)
            late = np.greater(utc[name] - utc["arrived"], cells.MAX_SECONDS, where=given,
                              out=np.zeros_like(given))
            self.flag(late, name, f"{name} too late", self._late(name))
        late = np.greater(utc["queued"] - utc["arrived"], cells.MAX_SECONDS, where=queued,
                          out=np.zeros_like(queued))
        self.flag(late, "queued", "queued too late", self._late("queued"))

    def _late(self, name: str) -> Callable[[int], str]:
        return lambda i: (f"{self.cell(name, i)} is more than {_LONGEST} after arrived "
                          f"({self.cell('arrived', i)}), longer than a scenario can hold; is "
                          "the row's date wrong? (--skip-bad-rows leaves such rows out)")

    def _early(self, early: np.ndarray, name: str, other: str, start: np.ndarray) -> None:
        """Rows whose ``name`` is before ``start`` (their ``other``): clamped to it and counted
        within the clock skew allowed, a problem beyond it."""
        reason = f"{name} before {other}"
        beyond = self.clamps.clamp(reason, self.utc[name], start, early)
        self.flag(beyond, name, reason, self._before(name, other))

    def _before(self, name: str, other: str) -> Callable[[int], str]:
        def words(i: int) -> str:
            utc = self.utc
            start = utc[other][i]  # queued as read, or moved forward by the skew allowed
            by = f"{start - utc[name][i]:,.3f}".rstrip("0").rstrip(".")
            return (f"{self.cell(name, i)} is before {other} ({self.cell(other, i)}) by {by} "
                    f"s, more than the {self.skew:g} s of clock skew allowed (if the export's "
                    "clocks differ by more, allow it with --clock-skew SECONDS)")
        return words

    # --- the result -----------------------------------------------------------------------

    def log(self, names: tuple[str, ...], have: set[str]) -> ContactLog:
        n = self.n
        first = np.full(n, len(self.issues), dtype=np.int16)  # each row's first issue
        for k, issue in reversed(list(enumerate(self.issues))):
            first[issue.rows] = k
        ragged = sum(len(f.ragged) for f in self.files)
        if (self.issues or ragged) and not self.skip:
            raise ScenarioError(self._problems())
        skipped = {issue.reason: int((first == k).sum()) for k, issue in enumerate(self.issues)}
        skipped = {reason: count for reason, count in skipped.items() if count}
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

    def _problems(self) -> list[Problem]:
        """The first :data:`MAX_PROBLEMS` problems in file order, then a count of the rest."""
        layouts = {}
        found: list[tuple[int, int, int, Problem]] = []
        total = 0
        self._fetch(np.unique(np.concatenate([np.zeros(0, dtype=np.int64)] + [
            issue.rows[:MAX_PROBLEMS] for issue in self.issues])))
        for k, issue in enumerate(self.issues):
            total += len(issue.rows)
            for i in issue.rows[:MAX_PROBLEMS]:
                f = self.file(int(i))
                if f not in layouts:
                    info = self.files[f]
                    layouts[f] = source.layout(info.name, len(info.ragged), info.width)
                line = int(layouts[f][0][min(int(self.row[i]), len(layouts[f][0]) - 1)])
                found.append((f, line, k, Problem(self.files[f].name,
                                                  f"row {line}: {issue.column}"
                                                  if issue.column else f"row {line}",
                                                  issue.words(int(i)))))
        for f, info in enumerate(self.files):
            total += len(info.ragged)
            if info.ragged:
                lines = source.layout(info.name, len(info.ragged), info.width)[1]
                for (got, want), line in list(zip(info.ragged, lines, strict=False))[:MAX_PROBLEMS]:
                    found.append((f, int(line), -1, Problem(info.name, f"row {int(line)}", (
                        f"has {got} cells where the header has {want} columns"))))
        found.sort(key=lambda item: item[:3])
        shown = [p for *_, p in found[:MAX_PROBLEMS]]
        if total > len(shown):
            more = total - len(shown)
            shown.append(Problem(shown[-1].file, FILE_KEY,
                                 f"... and {more:,} more problem{'s' if more != 1 else ''}"))
        return shown


    def _fetch(self, rows: np.ndarray) -> None:
        """The text of ``rows`` (every column, trimmed), read again from their files: the
        cells were not kept, and only the few a problem message quotes are ever needed."""
        rows = rows.astype(np.int64)
        owner = np.searchsorted(self.got.file_starts, rows, side="right") - 1
        for f in np.unique(owner).tolist():
            mine = rows[owner == f]
            want = self.row[mine].astype(np.int64)  # data rows of the file, in order
            for start, text in self.files[f].batches():
                n = len(text["arrived"])
                here = (want >= start) & (want < start + n)
                if here.any():
                    at = pa.array(want[here] - start)
                    values = {c: column.take(at).to_pylist() for c, column in text.items()}
                    for k, i in enumerate(mine[here].tolist()):
                        self.texts[i] = {c: values[c][k] for c in values}
                if start + n > want[-1]:
                    break

