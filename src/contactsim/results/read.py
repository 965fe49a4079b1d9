"""Reading results back: a saved results folder as numpy arrays and plain dicts.

Plots, reports and comparisons are drawn from what a run saved, never from the run in memory,
so ``contactsim plot DIR`` redraws them from the tables alone and a planner can trust that the
pictures show exactly what the CSV files hold. Tables are read by column *name*: extra columns
from newer versions are carried along, and an empty cell is NaN (undefined, such as the service
level of an hour in which no call arrived).

Three kinds of folder are read here: one run (``summary.json`` and its tables), a comparison
(``compare.json``, ``compare.csv`` and one run folder per scenario) and a sweep (``sweep.json``,
``sweep.csv``). This module also says what each measure means and how to show it, so the
terminal, the plots and the report describe a figure in the same words.
"""

from __future__ import annotations

import csv
import datetime
import json
import math
import stat
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contactsim.analysis.stats import Estimate, mean_ci
from contactsim.calendar import holidays_in_run
from contactsim.config.kinds import Problem, ScenarioError
from contactsim.config.loading import load_scenario
from contactsim.standard import TARGET_S
from contactsim.timebase import DAY_NAMES, HOURS_PER_WEEK

#: The measures a planner reads first; the others are in the full tables.
HEADLINE = ("service_level", "mean_answer_s", "abandon_rate")

COMPARE_JSON, COMPARE_CSV = "compare.json", "compare.csv"
COMPARE_MONTHLY_CSV = "compare_monthly.csv"
SWEEP_JSON, SWEEP_CSV, SWEEP_POOLS_CSV = "sweep.json", "sweep.csv", "sweep_pools.csv"


class ResultsError(ScenarioError):
    """A results folder that cannot be read (bad input: exit code 2)."""

    def __init__(self, path: Path | str, message: str, key: str = "(folder)") -> None:
        super().__init__([Problem(str(path), key, message)])


# --- one CSV table --------------------------------------------------------------------------


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
    rows = table.where(key_column, key)
    reps = rows.numbers("replication").astype(int)
    hours = rows.numbers("hour_of_week").astype(int)
    index = {r: i for i, r in enumerate(sorted(set(reps.tolist())))}
    out = np.full((len(index), HOURS_PER_WEEK), math.nan)
    out[[index[r] for r in reps.tolist()], hours] = rows.numbers(measure)
    return out


#: A mean with the low and high ends of its 95% interval, element by element.
Band = tuple[np.ndarray, np.ndarray, np.ndarray]


def row_estimate(table: Table, i: int, columns: Sequence[str]) -> Estimate:
    """Row ``i``'s mean, ci_low and ci_high (the three ``columns``) as an Estimate."""
    mean, low, high = (float(table.numbers(c)[i]) for c in columns)
    return Estimate(mean, low, high, 2)


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


# --- one run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResults:
    """A results folder written by ``contactsim run``, read back."""

    folder: Path
    summary: dict[str, Any]
    scenario_text: str
    description: str
    targets_s: dict[str, float]
    start_day: int
    tables: dict[str, Table] = field(repr=False)
    #: Bank holidays in the measured window ("YYYY-MM-DD"), for a run pinned to the calendar.
    bank_holidays: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.summary.get("scenario", {}).get("name", self.folder.name))

    @property
    def channels(self) -> list[str]:
        return list(self.summary.get("channels", {}))

    @property
    def pools(self) -> list[str]:
        return list(self.summary.get("pools", {}))

    @property
    def replications(self) -> int:
        return int(self.summary.get("replications", 0))

    @property
    def days(self) -> float:
        return float(self.summary.get("days", 0.0))

    @property
    def warnings(self) -> list[str]:
        return [str(w) for w in self.summary.get("warnings", [])]

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def estimate(self, *path: str) -> Estimate:
        """An estimate from summary.json, e.g. ``estimate("channels", "999", "service_level")``."""
        node: Any = self.summary
        for part in path:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return estimate_from(node, self.replications)

    def exposure_hours(self) -> np.ndarray:
        """Hours of the measured window in each hour of the week."""
        return hours_in_window(self.days, float(self.summary.get("warmup_days", 0.0)),
                               self.start_day)


def estimate_from(node: Any, n: int) -> Estimate:
    """A summary.json ``{mean, ci_low, ci_high}`` (nulls as NaN) as an Estimate."""
    if not isinstance(node, dict):
        return Estimate(math.nan, math.nan, math.nan, 0)

    def value(key: str) -> float:
        v = node.get(key)
        return float(v) if isinstance(v, int | float) else math.nan

    return Estimate(value("mean"), value("ci_low"), value("ci_high"), n)


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


def _scenario_facts(path: Path) -> tuple[str, dict[str, float], int, tuple[str, ...]]:
    """Description, answer targets, start day and bank holidays from the resolved scenario.toml.

    The typed loader gives the values with their defaults applied; a scenario written by another
    version of contactsim that this one cannot load is read as plain TOML instead.
    """
    try:
        sc = load_scenario(path)
    except ScenarioError:
        doc = _plain_toml(path)
        channels = doc.get("channels", {}) if isinstance(doc.get("channels"), dict) else {}
        targets = {str(k): _target(v) for k, v in channels.items()}
        days = list(DAY_NAMES)
        run = doc.get("run")
        start = str(run.get("start_day", "mon") if isinstance(run, dict) else "mon").title()
        return (str(doc.get("description", "")), targets,
                days.index(start) if start in days else 0, ())
    targets = {k: float(ch.answer_target_s) for k, ch in sc.channels.items()}
    holidays: tuple[str, ...] = ()
    if sc.calendar is not None:
        n_days = sc.calendar.warmup_days + math.ceil(sc.run.days)
        holidays = tuple(d.isoformat() for d in holidays_in_run(sc.calendar, n_days))
    return sc.description, targets, sc.run.start_day, holidays


def _target(channel: Any) -> float:
    """A channel's answer target from plain TOML: the default unless a sane number."""
    value = channel.get("answer_target_s") if isinstance(channel, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and 0 < value <= 1e6:
        return float(value)
    return TARGET_S


def _plain_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def read_run(folder: Path) -> RunResults:
    """Read a results folder written by ``contactsim run``.

    Everything the plots and the report will use is checked here, so a damaged folder is bad
    input (a :class:`ResultsError` naming the file and what is wrong) before anything is drawn:
    summary.json's shape, the tables each plot reads with their columns, and every number.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(folder, "no such results folder")
    summary_path = folder / "summary.json"
    summary = read_json(summary_path)
    check_summary(summary_path, summary)
    scenario_path = folder / "scenario.toml"
    text = _scenario_text(scenario_path)
    description, targets, start_day, holidays = (_scenario_facts(scenario_path) if text
                                                 else ("", {}, 0, ()))
    for channel in summary["channels"]:
        targets.setdefault(channel, TARGET_S)
    tables = {p.stem: read_table(p) for p in sorted(folder.glob("*.csv"))}
    check_run_tables(folder, tables, summary)
    return RunResults(folder, summary, text, description, targets, start_day, tables,
                      holidays)


#: The largest resolved scenario.toml read back into a report.
MAX_SCENARIO_BYTES = 64 * 1024 * 1024


def _scenario_text(path: Path) -> str:
    """The resolved scenario's text ("" when the folder has none), refused unless UTF-8."""
    if not path.exists() and not path.is_symlink():
        return ""
    check_regular(path)
    try:
        if path.stat().st_size > MAX_SCENARIO_BYTES:
            raise ResultsError(path, f"is larger than {MAX_SCENARIO_BYTES // 2**20} MB",
                               "(file)")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ResultsError(path, f"is not UTF-8 text (byte {exc.start}): not the scenario "
                           "contactsim saved", "(file)") from None
    except OSError as exc:
        raise ResultsError(path, f"cannot read: {exc.strerror or exc}", "(file)") from None


# --- checking what was read back ------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "true/false", str: "a string", list: "a list", dict: "an object",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_summary(path: Path, summary: dict[str, Any]) -> None:
    """summary.json has the shape of DESIGN §6: every section the report reads is there and
    of its kind, and every estimate is ``{mean, ci_low, ci_high}`` of numbers (or nulls)."""
    def bad(key: str, message: str) -> ResultsError:
        return ResultsError(path, message, key)

    for key, least, most in (("replications", 1, 10**6), ("days", 0, 3660),
                             ("warmup_days", 0, 3660)):
        value = summary.get(key)
        if key == "warmup_days" and value is None:
            continue
        if not _is_number(value) or (key == "replications" and not isinstance(value, int)):
            raise bad(key, f"must be a number, not {_kind(value)}")
        number = float(value) if isinstance(value, int | float) else math.nan
        if not least <= number <= most or (key == "days" and number <= 0):
            raise bad(key, f"{value!r} is out of range ({least} to {most})")
    for key in ("scenario",):
        if key in summary and not isinstance(summary[key], dict):
            raise bad(key, f"must be an object, not {_kind(summary[key])}")
    if "warnings" in summary and not isinstance(summary["warnings"], list):
        raise bad("warnings", f"must be a list, not {_kind(summary['warnings'])}")
    for section, needed in (("channels", True), ("pools", True), ("diversions", False)):
        if section not in summary and not needed:
            continue
        node = summary.get(section)
        if not isinstance(node, dict):
            raise bad(section, f"must be an object of {section}, not {_kind(node)}")
        if section == "channels" and not node:
            raise bad(section, "lists no channels")
        for name, measures in node.items():
            if not isinstance(measures, dict):
                raise bad(f"{section}.{name}", f"must be an object of measures, not "
                          f"{_kind(measures)}")
            for measure, est in measures.items():
                _check_estimate(path, f"{section}.{name}.{measure}", est)
    if summary.get("officer_hours") is not None:
        _check_estimate(path, "officer_hours", summary["officer_hours"])


def _check_estimate(path: Path, key: str, est: Any) -> None:
    if not isinstance(est, dict):
        raise ResultsError(path, f"must be an estimate {{mean, ci_low, ci_high}}, not "
                           f"{_kind(est)}", key)
    for part in ("mean", "ci_low", "ci_high"):
        value = est.get(part)
        if value is not None and not _is_number(value):
            raise ResultsError(path, f"must be a number or null, not {_kind(value)}",
                               f"{key}.{part}")


@dataclass(frozen=True)
class TableSpec:
    """What a table must hold: its columns, which hold names, and its whole-number keys."""

    columns: tuple[str, ...]
    names: tuple[str, ...] = ()
    #: Whole-number columns and the range of each (``low <= value < high``).
    whole: tuple[tuple[str, int, int], ...] = (("replication", 0, 10**6),)
    #: Columns that hold dates (YYYY-MM-DD) or months (YYYY-MM).
    dates: tuple[str, ...] = ()


_HOUR = ("hour_of_week", 0, HOURS_PER_WEEK)
#: The tables of a run folder: the first four every run writes and the plots read.
RUN_TABLES = {
    "replications": TableSpec(("replication", "channel"), ("channel",)),
    "hourly": TableSpec(("replication", "channel", "hour_of_week", "offered",
                         "service_level", "abandon_rate"), ("channel",),
                        (("replication", 0, 10**6), _HOUR)),
    "answer_times": TableSpec(("replication", "channel", "answer_s",
                               "share_answered_within"), ("channel",)),
    "pools_hourly": TableSpec(("replication", "pool", "hour_of_week", "staff_on_duty",
                               "staff_busy"), ("pool",), (("replication", 0, 10**6), _HOUR)),
    "pools": TableSpec(("replication", "pool"), ("pool",)),
    "diversions": TableSpec(("replication", "diversion", "hour_of_week", "diverted",
                             "failed"), ("diversion",), (("replication", 0, 10**6), _HOUR)),
    "officers": TableSpec(("replication",)),
    "daily": TableSpec(("date", "channel", "service_level_mean"), ("channel",), (),
                       ("date",)),
    "monthly": TableSpec(("month", "channel"), ("channel",), (), ("month",)),
    "monthly_replications": TableSpec(("replication", "month", "channel"), ("channel",),
                                      dates=("month",)),
}
#: The tables a run folder must have (the others are read when present).
REQUIRED_TABLES = ("replications", "hourly", "answer_times", "pools", "pools_hourly")
#: The largest magnitude a number in a table may have (no count or time comes near it).
MAX_NUMBER = 1e15


def check_table(path: Path, table: Table, spec: TableSpec) -> None:
    """Every column ``spec`` names is there, whole-number keys are whole and in range, dates
    are dates and every other cell is empty (undefined) or a finite number."""
    for column in spec.columns:
        if not table.has(column):
            raise ResultsError(path, f'missing column "{column}"', "(file)")
    whole = {c: (low, high) for c, low, high in spec.whole}
    text = set(spec.names) | set(spec.dates)
    for column in table.header:
        if column in text:
            continue
        for line, cell in enumerate(table.text(column), start=2):
            _check_cell(path, column, line, cell, whole.get(column))
    for column in spec.dates:
        for line, cell in enumerate(table.text(column), start=2):
            try:
                datetime.date.fromisoformat(cell if len(cell) != 7 else cell + "-01")
            except ValueError:
                raise ResultsError(path, f"line {line}: {_show(cell)} is not a date",
                                   column) from None


def _show(cell: str) -> str:
    return repr(cell if len(cell) <= 40 else cell[:37] + "...")


def _check_cell(path: Path, column: str, line: int, cell: str,
                whole: tuple[int, int] | None) -> None:
    if not cell.strip() and whole is None:
        return  # undefined, such as the service level of an hour with no calls
    try:
        value = float(cell)
    except ValueError:
        raise ResultsError(path, f"line {line}: {_show(cell)} is not a number",
                           column) from None
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise ResultsError(path, f"line {line}: {_show(cell)} is out of range", column)
    if whole is not None and (value != int(value) or not whole[0] <= value < whole[1]):
        raise ResultsError(path, f"line {line}: {_show(cell)} is not a whole number from "
                           f"{whole[0]} to {whole[1] - 1}", column)


def check_run_tables(folder: Path, tables: dict[str, Table], summary: dict[str, Any]) -> None:
    """The tables of a run folder hold what its plots and report read, for every channel and
    pool summary.json lists."""
    for name in REQUIRED_TABLES:
        if name not in tables:
            raise ResultsError(folder / f"{name}.csv", "is missing", "(file)")
    for name, spec in RUN_TABLES.items():
        if name in tables:
            check_table(folder / f"{name}.csv", tables[name], spec)
    for name, key, listed in (("hourly", "channel", summary["channels"]),
                              ("answer_times", "channel", summary["channels"]),
                              ("replications", "channel", summary["channels"]),
                              ("pools_hourly", "pool", summary["pools"]),
                              ("pools", "pool", summary["pools"])):
        have = set(tables[name].distinct(key))
        for item in listed:
            if item not in have:
                raise ResultsError(folder / f"{name}.csv", f"has no rows for {key} {item!r} "
                                   "(summary.json lists it)", "(file)")
    _check_answer_grid(folder / "answer_times.csv", tables["answer_times"])


def _check_answer_grid(path: Path, table: Table) -> None:
    """Every replication of a channel has the same answer-time grid (they are averaged)."""
    grids: dict[str, tuple[str, ...]] = {}
    rows: dict[tuple[str, str], list[str]] = {}
    for channel, rep, x in zip(table.text("channel"), table.text("replication"),
                               table.text("answer_s"), strict=True):
        rows.setdefault((channel, rep), []).append(x)
    for (channel, rep), xs in rows.items():
        grid = grids.setdefault(channel, tuple(xs))
        if tuple(xs) != grid:
            raise ResultsError(path, f"replication {rep} of channel {channel!r} has another "
                               "answer-time grid than the first", "(file)")


# --- a comparison and a sweep ---------------------------------------------------------------


@dataclass(frozen=True)
class CompareResults:
    """A comparison folder: the member runs (the first is the base) and compare.csv."""

    folder: Path
    meta: dict[str, Any]
    labels: list[str]
    runs: list[RunResults]
    differences: Table
    #: The change in each month (compare_monthly.csv), for runs pinned to dates.
    monthly: Table | None = None

    @property
    def paired(self) -> bool:
        return bool(self.meta.get("paired", False))


def read_compare(folder: Path) -> CompareResults:
    folder = Path(folder)
    meta = read_json(folder / COMPARE_JSON)
    scenarios = meta.get("scenarios", [])
    if not isinstance(scenarios, list):
        raise ResultsError(folder / COMPARE_JSON, f"must be a list, not {_kind(scenarios)}",
                           "scenarios")
    labels = []
    for i, member in enumerate(scenarios):
        lab = member.get("label") if isinstance(member, dict) else None
        if not _plain_name(lab):
            raise ResultsError(folder / COMPARE_JSON, "must be the name of a folder inside "
                               f"this one, not {lab!r}" if isinstance(lab, str) else
                               f"must be a folder name, not {_kind(lab)}",
                               f"scenarios.{i}.label")
        labels.append(str(lab))
    if not labels:
        raise ResultsError(folder / COMPARE_JSON, "lists no scenarios", "scenarios")
    runs = [read_run(folder / label) for label in labels]
    differences = read_table(folder / COMPARE_CSV)
    check_table(folder / COMPARE_CSV, differences, COMPARE_SPEC)
    monthly_path = folder / COMPARE_MONTHLY_CSV
    monthly = read_table(monthly_path) if monthly_path.exists() else None
    if monthly is not None:
        check_table(monthly_path, monthly, COMPARE_MONTHLY_SPEC)
    return CompareResults(folder, meta, labels, runs, differences, monthly)


_COMPARE_NAMES = ("scenario", "base", "measure", "method")
COMPARE_SPEC = TableSpec(("scenario", "kind", "name", "measure", "base_mean", "scenario_mean",
                          "difference", "ci_low", "ci_high", "method"),
                         (*_COMPARE_NAMES, "kind", "name"), ())
COMPARE_MONTHLY_SPEC = TableSpec(("scenario", "channel", "month", "measure", "base_mean",
                                  "scenario_mean", "difference", "ci_low", "ci_high"),
                                 (*_COMPARE_NAMES, "channel"), (), ("month",))


def _plain_name(name: Any) -> bool:
    """A folder name inside the folder itself: no path, not hidden, not "." or ".."."""
    return (isinstance(name, str) and bool(name) and len(name) <= 255 and "/" not in name
            and "\\" not in name and "\0" not in name and not name.startswith("."))


@dataclass(frozen=True)
class SweepResults:
    """A sweep folder: the varied keys, one row per point and channel, and the meta data."""

    folder: Path
    meta: dict[str, Any]
    table: Table
    pools: Table | None

    @property
    def keys(self) -> list[str]:
        return [str(k) for k in self.meta.get("keys", [])]

    @property
    def channels(self) -> list[str]:
        return self.table.distinct("channel")

    @property
    def targets_s(self) -> dict[str, float]:
        return {str(k): float(v) for k, v in self.meta.get("targets_s", {}).items()}

    def values(self, key: str) -> list[str]:
        """The values a key took, in the order given on the command line."""
        return [str(v) for v in self.meta.get("values", {}).get(key, [])]


def read_sweep(folder: Path) -> SweepResults:
    folder = Path(folder)
    path = folder / SWEEP_JSON
    meta = read_json(path)
    keys, values = meta.get("keys"), meta.get("values")
    if not isinstance(keys, list) or not 1 <= len(keys) <= 2 \
            or not all(isinstance(k, str) and k for k in keys):
        raise ResultsError(path, "must list the one or two keys varied", "keys")
    if not isinstance(values, dict):
        raise ResultsError(path, f"must be an object, not {_kind(values)}", "values")
    for k in keys:
        if not isinstance(values.get(k), list) or not values[k]:
            raise ResultsError(path, "must list the values the key took", f"values.{k}")
    targets = meta.get("targets_s", {})
    if not isinstance(targets, dict) or not all(_is_number(v) for v in targets.values()):
        raise ResultsError(path, "must be an object of numbers", "targets_s")
    if not isinstance(meta.get("scenario", {}), dict):
        raise ResultsError(path, f"must be an object, not {_kind(meta['scenario'])}",
                           "scenario")
    table = read_table(folder / SWEEP_CSV)
    check_table(folder / SWEEP_CSV, table, TableSpec(
        ("point", *keys, "channel", *(f"{m}_{p}" for m in HEADLINE
                                      for p in ("mean", "ci_low", "ci_high"))),
        ("channel", *keys), (("point", 0, 10**9),)))
    if not len(table):
        raise ResultsError(folder / SWEEP_CSV, "has no rows", "(file)")
    pools_path = folder / SWEEP_POOLS_CSV
    pools = read_table(pools_path) if pools_path.exists() else None
    if pools is not None:
        check_table(pools_path, pools, TableSpec(
            ("point", *keys, "pool", "utilisation_mean", "utilisation_ci_low",
             "utilisation_ci_high"), ("pool", *keys), (("point", 0, 10**9),)))
    return SweepResults(folder, meta, table, pools)


def read_staffing(folder: Path) -> tuple[Table, dict[str, Any]]:
    """A staff folder's staffing.csv and staffing.json, checked like a run's tables."""
    folder = Path(folder)
    table = read_table(folder / "staffing.csv")
    check_table(folder / "staffing.csv", table, TableSpec(
        ("hour_of_week", "required", "rostered", "erlang_a"), (), (_HOUR,)))
    if not len(table):
        raise ResultsError(folder / "staffing.csv", "has no rows", "(file)")
    facts = read_json(folder / "staffing.json")
    for key in ("target", "answer_target_s"):
        if not _is_number(facts.get(key)):
            raise ResultsError(folder / "staffing.json", f"must be a number, not "
                               f"{_kind(facts.get(key))}", key)
    for key in ("channel", "pool"):
        if key not in facts:
            raise ResultsError(folder / "staffing.json", "is missing", key)
    return table, facts


#: The file that marks each kind of results folder.
KIND_MARKERS = (("compare", COMPARE_JSON), ("sweep", SWEEP_JSON), ("staff", "staffing.json"),
                ("run", "summary.json"))


def folder_kind(folder: Path) -> str:
    """``"compare"``, ``"sweep"``, ``"staff"`` or ``"run"``: what kind of results folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(folder, "no such results folder")
    for kind, marker in KIND_MARKERS:
        if (folder / marker).exists() or (folder / marker).is_symlink():
            check_regular(folder / marker)
            return kind
    raise ResultsError(folder, "not a contactsim results folder (no summary.json, "
                       "compare.json, sweep.json or staffing.json)")


# --- what a measure means and how to show it ------------------------------------------------


def slug(name: str) -> str:
    """A file-name-safe form of a channel or pool name."""
    text = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip())
    return text.strip("-") or "x"
