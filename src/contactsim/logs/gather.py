"""Batches of a log's text turned into numpy columns as they arrive, so no text is kept.

Each batch from :mod:`contactsim.logs.stream` is checked and converted at once: timestamps to
seconds (local, and the earliest instant each can be), durations to seconds, names to integer
codes. What a batch alone can tell is wrong with a row (an unparseable cell, a time in the
skipped hour) is kept as the row's index under the reason; checks that need the whole log (the
repeated autumn hour, the order of a row's times, duplicates) are left to
:mod:`contactsim.logs.read`, which also fetches the few cells a problem message quotes.

Names are coded per batch (:func:`pyarrow.compute.dictionary_encode`) and the batches'
dictionaries merged once at the end, so equal names get equal codes across batches and files.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from contactsim.logs import cells, london
from contactsim.logs.model import COLUMNS, TIMESTAMPS, UNKNOWN_CATEGORY

#: The columns of names, and the name an empty cell takes (None: stays absent, code -1).
NAMED = {"channel": None, "category": UNKNOWN_CATEGORY, "diverted_to": None, "caller": None,
         "agent": None}
#: The name columns whose names are not kept, only which rows share one (as numbers).
KEYS = ("caller",)
SECONDS = ("talk_s", "wrap_s")


def _join(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


class _Column:
    """A numpy column filled batch by batch in place, its room grown by half when full.

    Batches are copied straight into one array instead of being kept and joined at the end:
    the small arrays of every batch, freed after a join, would stay in the process's heap
    (and its resident memory) while the joined copy was made.
    """

    def __init__(self, dtype: type) -> None:
        self.data: np.ndarray = np.zeros(0, dtype=dtype)
        self.n = 0

    def add(self, values: np.ndarray) -> None:
        end = self.n + len(values)
        if end > len(self.data):
            grown = np.empty(max(end, len(self.data) * 3 // 2, 1 << 16), dtype=self.data.dtype)
            grown[:self.n] = self.data[:self.n]
            self.data = grown
        self.data[self.n:end] = values
        self.n = end

    def finish(self) -> np.ndarray:
        """The column, exactly as long as filled (copied only where much room is unused)."""
        data, self.data = self.data, np.zeros(0, dtype=self.data.dtype)
        return data[:self.n] if self.n >= 0.9 * len(data) else data[:self.n].copy()


def _line_breaks(names: pa.Array, codes: np.ndarray) -> np.ndarray | None:
    """The mask of the rows whose name holds a line break (a quoted one: refused, DESIGN §10),
    None when none does. The distinct names only, and first one pass for a CR or LF byte over
    their text (memchr, some 0.1 ms a million callers): a log without a break, nearly every
    one, never pays for the search by name. (A sliced array's buffer may hold bytes outside it:
    then the search finds nothing.)"""
    data = names.buffers()[2]
    if data is None:
        return None
    text = data.to_pybytes()
    if b"\n" not in text and b"\r" not in text:
        return None
    found = np.flatnonzero(np.asarray(pc.match_substring_regex(names, "[\r\n]").to_numpy(
        zero_copy_only=False), dtype=bool))
    return np.isin(codes, found) if len(found) else None


class _Codes:
    """One column of names, coded batch by batch."""

    def __init__(self, fill: str | None) -> None:
        self.fill = fill
        self.dictionaries: list[pa.Array] = []
        self.codes = _Column(np.int32)
        self.size = 0
        self.empty = 0  # rows of the leading batches with no name at all: not stored yet

    def add(self, column: pa.ChunkedArray) -> np.ndarray | None:
        """Codes the batch; returns the mask of its cells holding a line break (None: none
        do)."""
        if self.fill is None and column.null_count == len(column):  # a column the log lacks
            if self.codes.n:
                self.codes.add(np.full(len(column), -1, dtype=np.int32))
            else:
                self.empty += len(column)
            return None
        if self.empty:
            self.codes.add(np.full(self.empty, -1, dtype=np.int32))
            self.empty = 0
        if self.fill is not None:
            column = pc.fill_null(column, self.fill)
        encoded = pc.dictionary_encode(column.combine_chunks())
        codes = np.array(pc.fill_null(encoded.indices, -1).to_numpy(), dtype=np.int32)
        broken = _line_breaks(encoded.dictionary, codes)
        codes[codes >= 0] += self.size
        self.size += len(encoded.dictionary)
        self.dictionaries.append(encoded.dictionary)
        self.codes.add(codes)
        return broken

    def finish(self, ordered: bool) -> tuple[tuple[str, ...], np.ndarray]:
        """The distinct names (sorted if ``ordered``, else in order of first appearance) and
        each row's index into them (-1 for an absent cell; a column with no name at all is
        one -1 for every row, held once: a view, read-only)."""
        if self.empty:
            return (), np.broadcast_to(np.int32(-1), (self.empty,))
        every = pa.concat_arrays(self.dictionaries) if self.dictionaries else pa.array(
            [], pa.string())
        self.dictionaries = []
        if ordered:
            names = pc.unique(every)
            names = names.take(pc.array_sort_indices(names))
            lookup = pc.index_in(every, value_set=names)
            listed: tuple[str, ...] = tuple(names.to_pylist())
        else:
            lookup = pc.dictionary_encode(every).indices
            listed = ()
        table = np.append(np.asarray(lookup.to_numpy(zero_copy_only=False), dtype=np.int32),
                          np.int32(-1))  # code -1 stays -1
        return listed, table[self.codes.finish()]


@dataclass
class Gathered:
    """Every non-blank row of the logs read, as numbers (rows in the order read)."""

    file_starts: np.ndarray  # index of each file's first row
    row: np.ndarray  # int32: each row's data-row index in its file (as the reader counts)
    blank: int  # rows of empty cells left out: they hold no contact
    local: np.ndarray  # arrived, on the wall clock
    earliest: dict[str, np.ndarray]  # per timestamp: the earliest instant it can be
    folds: dict[str, tuple[np.ndarray, np.ndarray]]  # rows in the repeated hour, their latest
    seconds: dict[str, np.ndarray]
    names: dict[str, tuple[str, ...]]  # per name column (not the KEYS): sorted names
    codes: dict[str, np.ndarray]
    flagged: dict[str, np.ndarray]  # reason -> rows found wrong by one batch alone


class Gatherer:
    """Receives the batches of one file after another; :meth:`finish` gives the columns."""

    def __init__(self, date_format: str = "iso") -> None:
        self.date_format = date_format
        self.n = 0
        self.blank = 0
        self.file_starts: list[int] = []
        self.columns = {name: _Column(np.int32 if name == "row" else np.float64)
                        for name in ("row", "local", *TIMESTAMPS, *SECONDS)}
        self.parts: defaultdict[str, list[np.ndarray]] = defaultdict(list)  # the few folds
        self.flags: defaultdict[str, list[np.ndarray]] = defaultdict(list)
        self.named = {name: _Codes(fill) for name, fill in NAMED.items()}

    def start_file(self) -> None:
        self.file_starts.append(self.n)

    def add(self, start: int, text: dict[str, pa.ChunkedArray]) -> None:
        """A batch whose first row is data row ``start`` of the current file."""
        keep = np.zeros(len(text["arrived"]), dtype=bool)
        for c in COLUMNS:
            keep |= cells.present(text[c])
        if not keep.all():
            mask = pa.array(keep)
            text = {c: column.filter(mask) for c, column in text.items()}
            self.blank += int((~keep).sum())
        offset = self.n
        self.columns["row"].add(start + np.flatnonzero(keep))

        def flag(reason: str, mask: np.ndarray) -> None:
            if mask.any():
                self.flags[reason].append(np.flatnonzero(mask) + offset)

        flag("missing arrived", ~cells.present(text["arrived"]))
        for name in TIMESTAMPS:
            local, bad = cells.parse_times(text[name], self.date_format)
            flag(f"unparseable {name}", bad)
            outside = cells.outside_years(local)
            flag(f"{name} outside the years", outside)
            local[outside] = np.nan  # the time zone's table covers only the years a scenario can
            earliest, latest = london.local_to_utc(local)
            flag(f"{name} in the skipped hour", np.isnan(earliest) & ~np.isnan(local))
            fold = np.flatnonzero((earliest != latest) & ~np.isnan(earliest))
            self.parts[f"{name} fold"].append(fold + offset)
            self.parts[f"{name} latest"].append(latest[fold])
            self.columns[name].add(earliest)
            if name == "arrived":
                self.columns["local"].add(local)
        for name in SECONDS:
            values, bad, not_finite = cells.parse_seconds(text[name])
            flag(f"non-numeric {name}", bad)
            flag(f"{name} not finite", not_finite)
            flag(f"{name} too long", values > cells.MAX_SECONDS)
            self.columns[name].add(values)
        for name, codes in self.named.items():
            broken = codes.add(text[name])
            if broken is not None:
                flag(f"line break in {name}", broken)
        self.n += int(keep.sum())

    def finish(self) -> Gathered:
        """The columns of every batch, each joined once and its batches let go."""
        def take(key: str, dtype: type = np.float64) -> np.ndarray:
            if key in self.columns:
                return self.columns.pop(key).finish()
            return _join(self.parts.pop(key, []), dtype)

        # The numeric columns first: trimmed to length, their spare room is let go before the
        # names are coded.
        row, local = take("row", np.int32), take("local")
        earliest = {name: take(name) for name in TIMESTAMPS}
        folds = {name: (take(f"{name} fold", np.int64), take(f"{name} latest"))
                 for name in TIMESTAMPS}
        seconds = {name: take(name) for name in SECONDS}
        pool = pa.default_memory_pool()
        names, codes = {}, {}
        for name, coded in self.named.items():
            pool.release_unused()  # pyarrow's allocator keeps freed pages for reuse otherwise
            names[name], codes[name] = coded.finish(ordered=name not in KEYS)
        pool.release_unused()  # coding millions of caller keys takes a large hash table
        return Gathered(
            file_starts=np.array(self.file_starts, dtype=np.int64), row=row, blank=self.blank,
            local=local, earliest=earliest, folds=folds, seconds=seconds, names=names,
            codes=codes,
            flagged={reason: _join(rows, np.int64) for reason, rows in self.flags.items()})
