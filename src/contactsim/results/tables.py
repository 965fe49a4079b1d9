"""Tables read back from a results folder: CSV by column name, JSON within bounds.

A results folder is read by column *name*, so extra columns from newer versions are carried
along, and an empty cell is NaN (undefined, such as the service level of an hour in which no
call arrived). ``summary.json`` is read with bounds on its size, depth and numbers, and no path
that is not a regular file is ever opened, so a damaged or hostile folder is bad input (exit
code 2), never a hang or a traceback.
"""

from __future__ import annotations

import csv
import json
import math
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contactsim.analysis.stats import Estimate, mean_ci
from contactsim.problems import ResultsError
from contactsim.timebase import HOURS_PER_WEEK


def require_keys(path: Path, data: Mapping[str, object], keys: Iterable[str]) -> None:
    """Refuse a saved JSON file (read into ``data``) that lacks any of ``keys``."""
    for key in keys:
        if key not in data:
            raise ResultsError(path, f"lacks {key!r}", key)


@dataclass(frozen=True)
class Table:
    """A CSV table held as text columns; numbers and text are taken out by column name."""

    header: tuple[str, ...]
    columns: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.columns[self.header[0]]) if self.header else 0

    def has(self, column: str) -> bool:
        return column in self.columns

    def text(self, column: str) -> list[str]:
        return self.columns[column]

    def numbers(self, column: str) -> np.ndarray:
        """A column as floats; empty cells are NaN."""
        return np.array([float(v) if v.strip() else math.nan for v in self.columns[column]])

    def where(self, column: str, value: str) -> Table:
        """The rows whose ``column`` equals ``value``."""
        keep = [i for i, v in enumerate(self.columns[column]) if v == value]
        return Table(self.header, {c: [vals[i] for i in keep] for c, vals in
                                   self.columns.items()})

    def distinct(self, column: str) -> list[str]:
        """The values of ``column`` in order of first appearance."""
        return list(dict.fromkeys(self.columns[column]))

    def measures(self, keys: Sequence[str]) -> list[str]:
        """Every column that is not a key column: the measures, in file order."""
        return [c for c in self.header if c not in keys]


def read_table(path: Path) -> Table:
    """Read one CSV file written by contactsim (header line, then rows)."""
    check_regular(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(path, f"cannot read this table: {exc}", "(file)") from None
    except (csv.Error, MemoryError) as exc:
        raise ResultsError(path, f"is not a CSV table: {exc}", "(file)") from None
    if not rows:
        raise ResultsError(path, "the table is empty (no header line)", "(file)")
    header = tuple(rows[0])
    columns: dict[str, list[str]] = {name: [] for name in header}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ResultsError(path, f"line {line} has {len(row)} cells, the header "
                               f"{len(header)}", "(file)")
        for name, cell in zip(header, row, strict=True):
            columns[name].append(cell)
    return Table(header, columns)


def per_replication(table: Table, key_column: str, key: str, measure: str) -> np.ndarray:
    """One measure of one channel (or pool), one value per replication in replication order."""
    rows = table.where(key_column, key)
    order = np.argsort(rows.numbers("replication"), kind="stable")
    return rows.numbers(measure)[order]


def by_hour(table: Table, key_column: str, key: str, measure: str) -> np.ndarray:
    """An hourly measure as a (replications, 168) matrix, NaN where a row is missing."""
    return hourly_matrix(table.where(key_column, key), measure)


def hourly_matrix(rows: Table, measure: str) -> np.ndarray:
    """``measure`` of rows with one row per replication and hour of the week, as a
    (replications, 168) matrix, NaN where a row is missing."""
    reps = rows.numbers("replication").astype(int)
    hours = rows.numbers("hour_of_week").astype(int)
    index = {r: i for i, r in enumerate(sorted(set(reps.tolist())))}
    out = np.full((len(index), HOURS_PER_WEEK), math.nan)
    out[[index[r] for r in reps.tolist()], hours] = rows.numbers(measure)
    return out


def row_estimate(table: Table, i: int, columns: Sequence[str]) -> Estimate:
    """Row ``i``'s mean, ci_low and ci_high (the three ``columns``) as an Estimate."""
    mean, low, high = (float(table.numbers(c)[i]) for c in columns)
    return Estimate(mean, low, high, 2)


#: A mean with the low and high ends of its 95% interval, element by element.
Band = tuple[np.ndarray, np.ndarray, np.ndarray]


def column_estimates(matrix: np.ndarray) -> Band:
    """Mean and 95% Student t interval of each column over the rows (the replications)."""
    ests = [mean_ci(matrix[:, j]) for j in range(matrix.shape[1])]
    return (np.array([e.mean for e in ests]), np.array([e.ci_low for e in ests]),
            np.array([e.ci_high for e in ests]))


def hours_in_window(days: float, warmup_days: float, start_day: int) -> np.ndarray:
    """How many hours of the measured window fall in each hour of the week (0 = Mon 00:00).

    Hourly counts in ``hourly.csv`` add up every occurrence of an hour of the week in the
    measured window; dividing by this gives contacts per hour.
    """
    start = (warmup_days + start_day) * 24.0
    end = start + days * 24.0
    edges = np.arange(math.floor(start), math.ceil(end))
    overlap = np.minimum(edges + 1, end) - np.maximum(edges, start)
    return np.bincount((edges % HOURS_PER_WEEK).astype(int), weights=overlap,
                       minlength=HOURS_PER_WEEK)


#: Bounds on a JSON file read back: its size, how deep it nests and how long a whole number is.
MAX_JSON_BYTES = 64 * 1024 * 1024


MAX_JSON_DEPTH = 32


MAX_JSON_DIGITS = 100


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"a whole number of {len(text.lstrip('-')):,} digits (at most "
                         f"{MAX_JSON_DIGITS})")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:30]} is too large")
    return value


def _json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (walked without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict)
                                                      else node))
    return deepest


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object written by contactsim, refused unless sane: UTF-8, at most 64 MB, nested
    at most 32 deep, whole numbers of at most 100 digits, no NaN or infinite numbers."""
    if not path.exists() and not path.is_symlink():
        raise ResultsError(path.parent, f"no {path.name} here: not a contactsim results "
                           "folder")
    check_regular(path)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ResultsError(path, f"is larger than {MAX_JSON_BYTES // 2**20} MB", "(file)")
        data = json.loads(path.read_text(encoding="utf-8"), parse_int=_json_int,
                          parse_float=_json_float, parse_constant=_json_constant)
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(path, f"cannot read: {exc}", "(file)") from None
    except RecursionError:
        raise ResultsError(path, f"nests more than {MAX_JSON_DEPTH} deep", "(file)") from None
    except ValueError as exc:  # json.JSONDecodeError too
        raise ResultsError(path, f"cannot read: {exc}", "(file)") from None
    if not isinstance(data, dict):
        raise ResultsError(path, "is not a JSON object", "(file)")
    if _depth(data) > MAX_JSON_DEPTH:
        raise ResultsError(path, f"nests more than {MAX_JSON_DEPTH} deep", "(file)")
    return data


def check_regular(path: Path) -> None:
    """Refuse anything but a regular file (a folder, a named pipe, a device, a broken link)
    before opening it: reading a pipe or /dev/zero would never end."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ResultsError(path, "is missing", "(file)") from None
    except OSError as exc:
        raise ResultsError(path, f"cannot read: {exc.strerror or exc}", "(file)") from None
    if not stat.S_ISREG(mode):
        what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket"
                if stat.S_ISSOCK(mode) else "not a regular file")
        raise ResultsError(path, f"is {what}, not a file contactsim wrote", "(file)")
