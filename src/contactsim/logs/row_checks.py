"""The row checks of the log reader (:mod:`contactsim.logs.read`): every row of the logs,
checked a whole column at a time, each problem kept as an issue (rows, column, reason, words),
and the problems listed as lines of the files, at most :data:`MAX_PROBLEMS` and then a count.

Times are Europe/London wall clock (:mod:`contactsim.logs.read` says how the repeated autumn
hour is read; :data:`STEP_BACK_S` starts its second pass).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from contactsim.logs import cells, source
from contactsim.logs.columns import ColumnMap
from contactsim.logs.gather import NAMED, Gathered
from contactsim.logs.model import TIMESTAMPS
from contactsim.logs.names import as_scenario_names, recode
from contactsim.logs.skew import Clamps
from contactsim.logs.stream import LogFile
from contactsim.problems import FILE_KEY, Problem, describe, suggestion

#: Problem lines shown before "... and N more problems".
MAX_PROBLEMS = 20
#: A step back of the wall clock this large, within the repeated autumn hour, starts its
#: second (GMT) pass; smaller ones are taken for rows written slightly out of order.
STEP_BACK_S = 600.0
_LONGEST = f"30 days ({cells.MAX_SECONDS:,.0f} s)"


@dataclass(frozen=True)
class Issue:
    rows: np.ndarray  # indices into the combined rows
    column: str
    reason: str  # short and stable: the key of ContactLog.skipped
    words: Callable[[int], str]  # row index -> what is wrong


class RowChecks:
    """Every row of the logs, checked column by column: each problem found is an issue (its
    rows, column, reason and words); :meth:`problems` lists them as lines of the files."""

    def __init__(self, got: Gathered, files: list[LogFile], skip: bool,
                 channels: Collection[str] | None, settings: ColumnMap, skew: float) -> None:
        self.got = got
        self.settings = settings
        self.skew = skew
        self.warnings: list[str] = []
        self.blank = got.blank
        self.files = files
        self.skip = skip
        self.issues: list[Issue] = []
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
            self.issues.append(Issue(rows, column, reason, words))

    def flagged(self, reason: str) -> np.ndarray:
        """The rows a batch alone found wrong for ``reason``."""
        return self.got.flagged.get(reason, np.zeros(0, dtype=np.int64))

    # --- the checks, in the order a skipped row's reason is chosen --------------------------

    def _check(self, channels: Collection[str] | None) -> None:
        got = self.got
        self.local: dict[str, np.ndarray] = {}
        self.utc: dict[str, np.ndarray] = {}
        for name in NAMED:
            self.flag(self.flagged(f"line break in {name}"), name, "line break", lambda i: (
                "a quoted cell holds a line break, which a log may not (it would put every "
                "later row on the wrong line): remove line breaks from cells when exporting"))
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

    # --- the problems, as lines of the files --------------------------------------------

    def problems(self) -> list[Problem]:
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
