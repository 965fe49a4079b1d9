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
import json
import math
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
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(path, f"cannot read this table: {exc}", "(file)") from None
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


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(path.parent, f"no {path.name} here: not a contactsim results "
                           "folder") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(path, f"cannot read: {exc}", "(file)") from None
    if not isinstance(data, dict):
        raise ResultsError(path, "is not a JSON object", "(file)")
    return data


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
        targets = {str(k): float(v.get("answer_target_s", TARGET_S)) if isinstance(v, dict)
                   else TARGET_S for k, v in channels.items()}
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


def _plain_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def read_run(folder: Path) -> RunResults:
    """Read a results folder written by ``contactsim run``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(folder, "no such results folder")
    summary = read_json(folder / "summary.json")
    scenario_path = folder / "scenario.toml"
    text = scenario_path.read_text(encoding="utf-8") if scenario_path.is_file() else ""
    description, targets, start_day, holidays = (_scenario_facts(scenario_path) if text
                                                 else ("", {}, 0, ()))
    for channel in summary.get("channels", {}):
        targets.setdefault(channel, TARGET_S)
    tables = {p.stem: read_table(p) for p in sorted(folder.glob("*.csv"))}
    return RunResults(folder, summary, text, description, targets, start_day, tables,
                      holidays)


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
    labels = [str(m["label"]) for m in meta.get("scenarios", [])]
    if not labels:
        raise ResultsError(folder / COMPARE_JSON, "lists no scenarios", "scenarios")
    runs = [read_run(folder / label) for label in labels]
    monthly = folder / COMPARE_MONTHLY_CSV
    return CompareResults(folder, meta, labels, runs, read_table(folder / COMPARE_CSV),
                          read_table(monthly) if monthly.is_file() else None)


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
    meta = read_json(folder / SWEEP_JSON)
    pools = folder / SWEEP_POOLS_CSV
    return SweepResults(folder, meta, read_table(folder / SWEEP_CSV),
                        read_table(pools) if pools.is_file() else None)


#: The file that marks each kind of results folder.
KIND_MARKERS = (("compare", COMPARE_JSON), ("sweep", SWEEP_JSON), ("staff", "staffing.json"),
                ("run", "summary.json"))


def folder_kind(folder: Path) -> str:
    """``"compare"``, ``"sweep"``, ``"staff"`` or ``"run"``: what kind of results folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(folder, "no such results folder")
    for kind, marker in KIND_MARKERS:
        if (folder / marker).is_file():
            return kind
    raise ResultsError(folder, "not a contactsim results folder (no summary.json, "
                       "compare.json, sweep.json or staffing.json)")


# --- what a measure means and how to show it ------------------------------------------------


def slug(name: str) -> str:
    """A file-name-safe form of a channel or pool name."""
    text = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip())
    return text.strip("-") or "x"
