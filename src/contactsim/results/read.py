"""Reading results back: a saved results folder as numpy arrays and plain dicts.

Plots, reports and comparisons are drawn from what a run saved, never from the run in memory,
so ``contactsim plot DIR`` redraws them from the tables alone and a planner can trust that the
pictures show exactly what the CSV files hold. Tables are read by column *name*: extra columns
from newer versions are carried along, and an empty cell is NaN (undefined, such as the service
level of an hour in which no call arrived).

Three kinds of folder are read here: one run (``summary.json`` and its tables), a comparison
(``compare.json``, ``compare.csv`` and one run folder per scenario) and a sweep (``sweep.json``,
``sweep.csv``). The tables themselves are read by :mod:`contactsim.results.tables` and checked
by :mod:`contactsim.results.checks` before anything is drawn from them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contactsim import __version__
from contactsim.analysis.stats import Estimate
from contactsim.calendar import holidays_in_run, simulated_days
from contactsim.config.datafile import empirical_files, file_sha256
from contactsim.config.loading import load_scenario
from contactsim.problems import ResultsError as ResultsError, ScenarioError, dotted
from contactsim.results.checks import (
    HOUR_COLUMN,
    TableSpec,
    check_run_tables,
    check_summary,
    check_table,
    is_number,
    kind_of,
    optional_table,
)
from contactsim.results.summary import RunSummary, estimate_from as estimate_from, run_summary
from contactsim.results.tables import (
    Band as Band,
    Table as Table,
    by_hour as by_hour,
    check_regular as check_regular,
    column_estimates as column_estimates,
    hourly_matrix as hourly_matrix,
    hours_in_window as hours_in_window,
    per_replication as per_replication,
    read_json as read_json,
    read_table as read_table,
    row_estimate as row_estimate,
)
from contactsim.standard import TARGET_S
from contactsim.timebase import DAY_NAMES

#: The measures a planner reads first; the others are in the full tables.
HEADLINE = ("service_level", "mean_answer_s", "abandon_rate")

COMPARE_JSON, COMPARE_CSV = "compare.json", "compare.csv"
COMPARE_MONTHLY_CSV = "compare_monthly.csv"
COMPARE_WORKFORCE_CSV = "compare_workforce.csv"
SWEEP_JSON, SWEEP_CSV, SWEEP_POOLS_CSV = "sweep.json", "sweep.csv", "sweep_pools.csv"


# --- one run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResults:
    """A results folder written by ``contactsim run``, read back.

    ``measured`` is summary.json read once into typed objects (what present/ reads);
    ``summary`` keeps the document itself for the comparison, which carries its figures on.
    """

    folder: Path
    summary: dict[str, Any]
    scenario_text: str
    description: str
    targets_s: dict[str, float]
    start_day: int
    tables: dict[str, Table] = field(repr=False)
    #: Bank holidays in the measured window ("YYYY-MM-DD"), for a run pinned to the calendar.
    bank_holidays: tuple[str, ...] = ()
    measured: RunSummary = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "measured",
                           run_summary(self.summary, self.folder.name, __version__))

    @property
    def name(self) -> str:
        return self.measured.name

    @property
    def channels(self) -> list[str]:
        return list(self.measured.channels)

    @property
    def pools(self) -> list[str]:
        return list(self.measured.pools)

    @property
    def replications(self) -> int:
        return self.measured.replications

    @property
    def days(self) -> float:
        return self.measured.days

    @property
    def warnings(self) -> list[str]:
        return list(self.measured.warnings)

    def target_s(self, channel: str) -> float:
        """A channel's answer target in seconds (the national 999 one when none is saved)."""
        return self.targets_s.get(channel, TARGET_S)

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
        return hours_in_window(self.days, self.measured.warmup_days, self.start_day)


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
        n_days = simulated_days(sc.calendar, sc.run.days)
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
    if text:
        check_data_files(scenario_path, text)
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


def check_data_files(scenario_path: Path, text: str) -> None:
    """Each data file the saved scenario reads (``data/...csv``) is there, a regular file, and
    holds what it held when the run was made (its sha256); else a ResultsError naming it."""
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return  # not a scenario this version reads: its facts are read as plain TOML
    for path, node in empirical_files(doc):
        name, expected = node.get("file"), node.get("sha256")
        if not isinstance(name, str) or "\0" in name:
            continue
        data = scenario_path.parent / name
        try:
            check_regular(data)
        except ResultsError as exc:
            raise ResultsError(data, f"{exc.problems[0].message}; scenario.toml reads it for "
                               f"{dotted(path)}", "(file)") from None
        if not isinstance(expected, str):
            continue
        try:
            changed = file_sha256(data) != expected
        except OSError as exc:
            raise ResultsError(data, f"cannot read: {exc.strerror or exc}", "(file)") from None
        if changed:
            raise ResultsError(data, "has changed since the run saved it (its sha256 is not "
                               f"the {expected[:12]}... scenario.toml names for "
                               f"{dotted(path)}); the folder no longer reruns as it ran",
                               "(file)")


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
    #: The change in each month's people (compare_workforce.csv), for runs with a workforce.
    workforce: Table | None = None

    @property
    def paired(self) -> bool:
        return bool(self.meta.get("paired", False))

    @property
    def notes(self) -> list[str]:
        """What the comparison noted about its scenarios (unpaired, different run lengths)."""
        return [str(n) for n in self.meta.get("notes", [])]


def read_compare(folder: Path) -> CompareResults:
    folder = Path(folder)
    meta = read_json(folder / COMPARE_JSON)
    scenarios = meta.get("scenarios", [])
    if not isinstance(scenarios, list):
        raise ResultsError(folder / COMPARE_JSON, f"must be a list, not {kind_of(scenarios)}",
                           "scenarios")
    labels = []
    for i, member in enumerate(scenarios):
        lab = member.get("label") if isinstance(member, dict) else None
        if not _plain_name(lab):
            raise ResultsError(folder / COMPARE_JSON, "must be the name of a folder inside "
                               f"this one, not {lab!r}" if isinstance(lab, str) else
                               f"must be a folder name, not {kind_of(lab)}",
                               f"scenarios.{i}.label")
        labels.append(str(lab))
    if not labels:
        raise ResultsError(folder / COMPARE_JSON, "lists no scenarios", "scenarios")
    runs = [read_run(folder / label) for label in labels]
    differences = read_table(folder / COMPARE_CSV)
    check_table(folder / COMPARE_CSV, differences, COMPARE_SPEC)
    return CompareResults(folder, meta, labels, runs, differences,
                          optional_table(folder / COMPARE_MONTHLY_CSV, COMPARE_MONTHLY_SPEC),
                          optional_table(folder / COMPARE_WORKFORCE_CSV, COMPARE_WORKFORCE_SPEC))


_COMPARE_NAMES = ("scenario", "base", "measure", "method")
COMPARE_SPEC = TableSpec(("scenario", "kind", "name", "measure", "base_mean", "scenario_mean",
                          "difference", "ci_low", "ci_high", "method"),
                         (*_COMPARE_NAMES, "kind", "name"), ())
COMPARE_MONTHLY_SPEC = TableSpec(("scenario", "channel", "month", "measure", "base_mean",
                                  "scenario_mean", "difference", "ci_low", "ci_high"),
                                 (*_COMPARE_NAMES, "channel"), (), ("month",))
COMPARE_WORKFORCE_SPEC = TableSpec(("scenario", "pool", "month", "measure", "base_mean",
                                    "scenario_mean", "difference", "ci_low", "ci_high"),
                                   (*_COMPARE_NAMES, "pool"), (), ("month",))


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
    def name(self) -> str:
        return str(self.meta.get("scenario", {}).get("name", ""))

    @property
    def file(self) -> str:
        return str(self.meta.get("scenario", {}).get("file", ""))

    @property
    def run_facts(self) -> tuple[str, str, str]:
        """Replications, measured days and seed, as the sweep saved them."""
        replications, days, seed = (str(self.meta.get(k, "")) for k in
                                    ("replications", "days", "seed"))
        return replications, days, seed

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
        raise ResultsError(path, f"must be an object, not {kind_of(values)}", "values")
    for k in keys:
        if not isinstance(values.get(k), list) or not values[k]:
            raise ResultsError(path, "must list the values the key took", f"values.{k}")
    targets = meta.get("targets_s", {})
    if not isinstance(targets, dict) or not all(is_number(v) for v in targets.values()):
        raise ResultsError(path, "must be an object of numbers", "targets_s")
    if not isinstance(meta.get("scenario", {}), dict):
        raise ResultsError(path, f"must be an object, not {kind_of(meta['scenario'])}",
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
        ("hour_of_week", "required", "rostered", "erlang_a"), (), (HOUR_COLUMN,)))
    if not len(table):
        raise ResultsError(folder / "staffing.csv", "has no rows", "(file)")
    facts = read_json(folder / "staffing.json")
    for key in ("target", "answer_target_s"):
        if not is_number(facts.get(key)):
            raise ResultsError(folder / "staffing.json", f"must be a number, not "
                               f"{kind_of(facts.get(key))}", key)
    for key in ("channel", "pool"):
        if key not in facts:
            raise ResultsError(folder / "staffing.json", "is missing", key)
    return table, facts


#: The file that marks each kind of results folder.
KIND_MARKERS = (("compare", COMPARE_JSON), ("sweep", SWEEP_JSON), ("staff", "staffing.json"),
                ("recruit", "recruit.json"), ("fit", "fit.json"), ("run", "summary.json"))


def folder_kind(folder: Path) -> str:
    """``"compare"``, ``"sweep"``, ``"staff"``, ``"recruit"``, ``"fit"`` or ``"run"``: what
    kind of results folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(folder, "no such results folder")
    for kind, marker in KIND_MARKERS:
        if (folder / marker).exists() or (folder / marker).is_symlink():
            check_regular(folder / marker)
            return kind
    raise ResultsError(folder, "not a contactsim results folder (no summary.json, "
                       "compare.json, sweep.json, staffing.json, recruit.json or fit.json)")


# --- what a measure means and how to show it ------------------------------------------------


def slug(name: str) -> str:
    """A file-name-safe form of a channel or pool name."""
    text = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip())
    return text.strip("-") or "x"
