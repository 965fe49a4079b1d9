"""Reading a force's contact logs (DESIGN §10) into one :class:`~contactsim.logs.model.ContactLog`.

A telephony export is messy: stray whitespace, empty cells, a byte-order mark, Windows line
ends, rows exported twice, calls still in progress when it was taken, and local times that jump
at the clock changes. This module reads it with pyarrow (every column as text, gzip or not,
on every core) and checks it a whole column at a time: a bad row is named by its line in the
file (the header is line 1) and what is wrong with it, at most 20 lines and then a count, all
at once, so a planner fixes the export in one pass; ``skip_bad_rows`` reads on and counts what
it left out. Exact repeats of a row are dropped and counted; rows with neither an answer, an
abandonment nor a handover are in progress (outcome CENSORED): counted, never guessed.

Times are Europe/London wall clock. The hour the clocks skip in spring cannot occur and is an
error. The hour repeated in autumn is read in file order: arrivals are in summer time until the
clock first steps back within that hour (an arrival more than :data:`STEP_BACK_S` earlier
than the latest one of the hour before it), and in GMT from there on. A row's later times
(queued, answered, abandoned) take the first instant their wall clock can be that is not
before the row's arrival.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from contactsim.config.loading import FILE_KEY
from contactsim.config.problems import Problem, ScenarioError, describe, suggestion
from contactsim.logs import cells, london, source
from contactsim.logs.columns import choose_columns, header_names, read_column_map
from contactsim.logs.model import (
    COLUMNS,
    OPTIONAL,
    TIMESTAMPS,
    UNKNOWN_CATEGORY,
    ContactLog,
)
from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED, DIVERTED

#: Most rows read in all: some four years of the largest force in England and Wales (about
#: 6.6 million contacts a year), and a bound on memory (about 2 GB of text at this size).
MAX_LOG_ROWS = 25_000_000
#: Problem lines shown before "... and N more problems".
MAX_PROBLEMS = 20
#: A step back of the wall clock this large, within the repeated autumn hour, starts its
#: second (GMT) pass; smaller ones are taken for rows written slightly out of order.
STEP_BACK_S = 600.0
_RAGGED = "wrong number of cells"


@dataclass(frozen=True)
class _Issue:
    rows: np.ndarray  # indices into the combined rows
    column: str
    reason: str  # short and stable: the key of ContactLog.skipped
    words: Callable[[int], str]  # row index -> what is wrong


@dataclass(frozen=True)
class _File:
    name: str
    rows: int  # data rows pyarrow returned
    ragged: list[tuple[int, int]]  # (cells, expected) of each row set aside
    width: int


def read_logs(paths: Sequence[str | Path], *, columns: str | Path | None = None,
              skip_bad_rows: bool = False,
              channels: Collection[str] | None = None) -> ContactLog:
    """One log from ``paths`` read in order (CSV, gzip or not); ScenarioError on bad input.

    ``columns``: a TOML file mapping our column names onto the export's. ``channels``: the
    scenario's channels; a row on any other is an error. ``skip_bad_rows``: leave bad rows out
    and count them by reason in ``skipped`` instead (a log with no good row is still an error).
    """
    files = tuple(str(p) for p in paths)
    if not files:
        raise ScenarioError([Problem("(command line)", "LOG", "no contact log given")])
    map_file = None if columns is None else str(columns)
    mapping = read_column_map(map_file) if map_file is not None else {}
    tables: list[pa.Table] = []
    read: list[_File] = []
    have: set[str] = set()
    for file in files:
        table, info, found = _read_one(file, mapping, map_file)
        if sum(f.rows for f in read) + info.rows > MAX_LOG_ROWS:
            raise ScenarioError([Problem(file, FILE_KEY, f"the logs hold more than "
                                         f"{MAX_LOG_ROWS:,} rows in all (some four years of the "
                                         "largest force); read fewer files at a time")])
        tables.append(table.append_column("_file", pa.array(np.full(info.rows, len(read),
                                                                    dtype=np.int32))))
        read.append(info)
        have |= found
    return _Rows(pa.concat_tables(tables), read, skip_bad_rows, channels).log(files, have)


def _read_one(file: str, mapping: dict[str, str],
              map_file: str | None) -> tuple[pa.Table, _File, set[str]]:
    """One file's rows, every one of our columns as trimmed text (null where absent)."""
    first, blank = source.read_head(file)
    header = header_names(first)
    positions = choose_columns(file, header, mapping, map_file)
    ragged: list[tuple[int, int]] = []

    def set_aside(row: pacsv.InvalidRow) -> str:
        ragged.append((row.actual_columns, row.expected_columns))
        return "skip"

    names = [f"c{i}" for i in range(len(header))]  # the raw names may repeat or be blank
    wanted = [names[positions[c]] for c in COLUMNS if c in positions]
    try:
        with source.open_log(file) as stream:
            table = pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=blank + 1),
                parse_options=pacsv.ParseOptions(invalid_row_handler=set_aside),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), include_columns=wanted,
                    strings_can_be_null=False))
    except (OSError, pa.ArrowException) as exc:
        raise ScenarioError([Problem(file, FILE_KEY, source.damaged(exc))]) from None
    info = _File(file, table.num_rows, ragged, len(header))
    if not table.num_rows and not ragged:
        raise ScenarioError([Problem(file, FILE_KEY, "has a header but no rows")])
    out = {c: cells.clean(table.column(names[positions[c]])) if c in positions
           else pa.chunked_array([pa.nulls(table.num_rows, pa.string())]) for c in COLUMNS}
    out["_row"] = pa.chunked_array([np.arange(table.num_rows, dtype=np.int64)])
    return pa.table(out), info, set(positions) & set(OPTIONAL)


class _Rows:
    """Every row of the logs, checked column by column."""

    def __init__(self, table: pa.Table, files: list[_File], skip: bool,
                 channels: Collection[str] | None) -> None:
        blank = np.ones(table.num_rows, dtype=bool)
        for c in COLUMNS:
            blank &= ~cells.present(table.column(c))
        self.table = table.filter(pa.array(~blank))  # a row of empty cells holds no contact
        self.blank = int(blank.sum())
        self.files = files
        self.skip = skip
        self.issues: list[_Issue] = []
        self.file = self.table.column("_file").to_numpy()
        self.row = self.table.column("_row").to_numpy()
        self._check(channels)

    def cell(self, column: str, i: int) -> str:
        return str(self.table.column(column)[i].as_py())

    def flag(self, mask: np.ndarray, column: str, reason: str,
             words: Callable[[int], str]) -> None:
        if mask.any():
            self.issues.append(_Issue(np.flatnonzero(mask), column, reason, words))

    # --- the checks, in the order a skipped row's reason is chosen --------------------------

    def _check(self, channels: Collection[str] | None) -> None:
        col = self.table.column
        self.local: dict[str, np.ndarray] = {}
        self.utc: dict[str, np.ndarray] = {}
        self._arrivals()
        self.channels, self.channel = cells.codes(col("channel"))
        self.flag(self.channel < 0, "channel", "missing channel",
                  lambda i: "empty; every contact needs its channel")
        if channels is not None:
            known = sorted(channels)
            unknown = np.array([name not in set(channels) for name in self.channels] + [False])
            self.flag(unknown[self.channel], "channel", "unknown channel", lambda i: (
                f"unknown channel {describe(self.cell('channel', i))}"
                + suggestion(self.cell("channel", i), known)
                + f" (the scenario has: {', '.join(known)})"))
        for name in TIMESTAMPS[1:]:
            self._later_time(name)
        self.seconds = {name: self._seconds(name) for name in ("talk_s", "wrap_s")}
        self.categories, self.category = cells.codes(col("category"), UNKNOWN_CATEGORY)
        self.partners, self.diverted_to = cells.codes(col("diverted_to"))
        self.caller = cells.keys(col("caller"))
        self._order()

    def _arrivals(self) -> None:
        column = self.table.column("arrived")
        local, bad = cells.parse_times(column)
        self.flag(~cells.present(column), "arrived", "missing arrived",
                  lambda i: "empty; every contact needs the time it arrived")
        self._bad_times("arrived", bad)
        earliest, latest = london.local_to_utc(local)
        self._skipped_hour("arrived", np.isnan(earliest) & ~np.isnan(local), local)
        utc = earliest.copy()
        repeated = np.flatnonzero(earliest != latest)
        day = np.floor_divide(local[repeated], 86400)
        for d in np.unique(day):  # one date a year: the end of summer time
            rows = repeated[day == d]
            times = local[rows]
            back = times[1:] < np.maximum.accumulate(times)[:-1] - STEP_BACK_S
            if back.any():
                second = rows[int(np.argmax(back)) + 1:]
                utc[second] = latest[second]
        self.local["arrived"], self.utc["arrived"] = local, utc

    def _bad_times(self, name: str, bad: np.ndarray) -> None:
        self.flag(bad, name, f"unparseable {name}", lambda i: (
            f"{describe(self.cell(name, i))} is not a timestamp: expected {cells.TIME_WORDS}"
            + cells.time_hint(self.cell(name, i))))

    def _skipped_hour(self, name: str, mask: np.ndarray, local: np.ndarray) -> None:
        def words(i: int) -> str:
            date = self.cell(name, i)[:10]
            return (f"{describe(self.cell(name, i))} does not exist in Europe/London: clocks go "
                    f"forward from 01:00 to 02:00 on {date}")
        self.flag(mask, name, f"{name} in the skipped hour", words)

    def _later_time(self, name: str) -> None:
        local, bad = cells.parse_times(self.table.column(name))
        self._bad_times(name, bad)
        earliest, latest = london.local_to_utc(local)
        self._skipped_hour(name, np.isnan(earliest) & ~np.isnan(local), local)
        arrived = self.utc["arrived"]
        self.utc[name] = np.where(earliest >= arrived, earliest, latest)
        self.utc[name] = np.where(np.isnan(self.utc[name]), earliest, self.utc[name])

    def _seconds(self, name: str) -> np.ndarray:
        values, bad, not_finite = cells.parse_seconds(self.table.column(name))
        self.flag(bad, name, f"non-numeric {name}", lambda i: (
            f"{describe(self.cell(name, i))} is not a number of seconds (write seconds, like "
            "330, not 00:05:30)"))
        self.flag(not_finite, name, f"{name} not finite", lambda i: (
            f"{describe(self.cell(name, i))} is not a finite number of seconds"))
        self.flag(values < 0, name, f"negative {name}", lambda i: (
            f"{self.cell(name, i)} is negative; a duration is 0 or more seconds"))
        return values

    def _order(self) -> None:
        utc = self.utc
        answered, abandoned = ~np.isnan(utc["answered"]), ~np.isnan(utc["abandoned"])
        self.flag(answered & abandoned, "abandoned", "answered and abandoned", lambda i: (
            "given as well as answered; a contact is either answered or abandoned"))
        self.flag(abandoned & (self.diverted_to >= 0), "diverted_to", "abandoned and diverted",
                  lambda i: "given for an abandoned contact; a contact handed over to a "
                            "partner was not abandoned")
        queued = ~np.isnan(utc["queued"])
        before = np.less(utc["queued"], utc["arrived"], where=queued, out=np.zeros_like(queued))
        self.flag(before, "queued", "queued before arrived", self._before("queued", "arrived"))
        for name in ("answered", "abandoned"):
            start = np.where(queued, utc["queued"], utc["arrived"])
            given = ~np.isnan(utc[name])
            early = np.less(utc[name], start, where=given, out=np.zeros_like(given))
            for mask, other in ((early & queued, "queued"), (early & ~queued, "arrived")):
                self.flag(mask, name, f"{name} before {other}", self._before(name, other))

    def _before(self, name: str, other: str) -> Callable[[int], str]:
        return lambda i: f"{self.cell(name, i)} is before {other} ({self.cell(other, i)})"

    # --- the result -----------------------------------------------------------------------

    def log(self, names: tuple[str, ...], have: set[str]) -> ContactLog:
        n = self.table.num_rows
        first = np.full(n, len(self.issues), dtype=np.int64)  # each row's first issue
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
        if not len(good):
            why = ", ".join(f"{count:,} {reason}" for reason, count in skipped.items())
            raise ScenarioError([Problem(names[0] if len(names) == 1 else ", ".join(names),
                                         FILE_KEY, f"no good rows: every row was skipped ({why})")])
        good, duplicates = self._unique(good)
        return self._build(names, have, good, sum(f.rows + len(f.ragged) for f in self.files)
                           - self.blank, skipped, duplicates)

    def _unique(self, good: np.ndarray) -> tuple[np.ndarray, int]:
        """``good`` less exact repeats of an earlier row (in every column read)."""
        parts = [self.local["arrived"], self.channel, self.category, self.diverted_to,
                 *(self.utc[name] for name in TIMESTAMPS[1:]), *self.seconds.values(),
                 self.caller]
        mix = np.zeros(len(good), dtype=np.uint64)
        for k, part in enumerate(parts):
            bits = np.nan_to_num(np.asarray(part, dtype=np.float64)[good], nan=-1.5e308)
            mix = (mix ^ bits.view(np.uint64)) * np.uint64(0x9E3779B97F4A7C15 + 2 * k)
            mix ^= mix >> np.uint64(29)
        _, inverse, counts = np.unique(mix, return_inverse=True, return_counts=True)
        alike = np.flatnonzero(counts[inverse] > 1)  # rows whose hash another row shares
        if not len(alike):
            return good, 0
        # Rows with equal hashes are compared value by value: only exact repeats are dropped.
        stack = np.stack([np.nan_to_num(np.asarray(p, dtype=np.float64)[good[alike]],
                                        nan=-1.5e308) for p in parts], axis=1)
        _, first = np.unique(stack, axis=0, return_index=True)
        drop = np.setdiff1d(alike, alike[first])
        return np.delete(good, drop), len(drop)

    def _build(self, names: tuple[str, ...], have: set[str], good: np.ndarray, rows_read: int,
               skipped: dict[str, int], duplicates: int) -> ContactLog:
        utc = {name: values[good] for name, values in self.utc.items()}
        answered, abandoned = ~np.isnan(utc["answered"]), ~np.isnan(utc["abandoned"])
        diverted = self.diverted_to[good]
        outcome = np.select([answered, abandoned, diverted >= 0], [ANSWERED, ABANDONED, DIVERTED],
                            CENSORED).astype(np.int8)
        queued = np.where(np.isnan(utc["queued"]), utc["arrived"], utc["queued"])
        ended = np.where(answered, utc["answered"], utc["abandoned"])
        used = _used(self.channel[good])
        return ContactLog(
            files=names, channels=self._names(self.channels, self.channel, good),
            categories=self._names(self.categories, self.category, good),
            partners=self._names(self.partners, self.diverted_to, good),
            present=frozenset(have), channel=_reindex(self.channel[good], used),
            category=_reindex(self.category[good], _used(self.category[good])),
            arrived_local=self.local["arrived"][good], arrived_utc=utc["arrived"],
            outcome=outcome, connect_s=queued - utc["arrived"], wait_s=ended - queued,
            talk_s=self.seconds["talk_s"][good], wrap_s=self.seconds["wrap_s"][good],
            diverted_to=_reindex(diverted, _used(diverted)),
            caller=_renumber(self.caller[good]),
            rows_read=rows_read, skipped=skipped, duplicates=duplicates)

    @staticmethod
    def _names(names: tuple[str, ...], index: np.ndarray, good: np.ndarray) -> tuple[str, ...]:
        return tuple(names[c] for c in _used(index[good]))

    def _problems(self) -> list[Problem]:
        """The first :data:`MAX_PROBLEMS` problems in file order, then a count of the rest."""
        layouts = {}
        found: list[tuple[int, int, int, Problem]] = []
        total = 0
        for k, issue in enumerate(self.issues):
            total += len(issue.rows)
            for i in issue.rows[:MAX_PROBLEMS]:
                f = int(self.file[i])
                if f not in layouts:
                    info = self.files[f]
                    layouts[f] = source.layout(info.name, len(info.ragged), info.width)
                line = int(layouts[f][0][min(int(self.row[i]), len(layouts[f][0]) - 1)])
                found.append((f, line, k, Problem(self.files[f].name,
                                                  f"row {line}: {issue.column}",
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


def _reindex(codes: np.ndarray, used: list[int]) -> np.ndarray:
    """Codes into the full sorted names -> codes into the names the good rows use."""
    lookup = np.full(max(used, default=0) + 2, -1, dtype=np.int16)
    lookup[used] = np.arange(len(used), dtype=np.int16)
    return lookup[codes]


def _used(codes: np.ndarray) -> list[int]:
    """The codes (0 or more) that occur, in order."""
    return np.flatnonzero(np.bincount(codes[codes >= 0], minlength=1)).tolist()


def _renumber(keys: np.ndarray) -> np.ndarray:
    """Keys renumbered 0, 1, ... in order of first appearance (-1 stays -1)."""
    out = np.full(len(keys), -1, dtype=np.int64)
    given = keys >= 0
    _, first, inverse = np.unique(keys[given], return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    out[given] = rank[inverse]
    return out
