"""Checking a results folder before anything is drawn from it.

``contactsim plot`` redraws a folder from its saved tables, so a damaged folder (a truncated
``summary.json``, a table with a missing column or a word where a number should be) must be
found before the first plot is written: every problem is a ResultsError naming the file, the
column or key, and what is wrong.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contactsim.engine.workforce import MONTHLY
from contactsim.problems import ResultsError
from contactsim.results.tables import Table, read_table
from contactsim.timebase import HOURS_PER_WEEK


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "true/false", str: "a string", list: "a list", dict: "an object",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def is_number(value: Any) -> bool:
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
        if not is_number(value) or (key == "replications" and not isinstance(value, int)):
            raise bad(key, f"must be a number, not {kind_of(value)}")
        number = float(value) if isinstance(value, int | float) else math.nan
        if not least <= number <= most or (key == "days" and number <= 0):
            raise bad(key, f"{value!r} is out of range ({least} to {most})")
    for key in ("scenario",):
        if key in summary and not isinstance(summary[key], dict):
            raise bad(key, f"must be an object, not {kind_of(summary[key])}")
    if "warnings" in summary and not isinstance(summary["warnings"], list):
        raise bad("warnings", f"must be a list, not {kind_of(summary['warnings'])}")
    for section, needed in (("channels", True), ("pools", True), ("diversions", False)):
        if section not in summary and not needed:
            continue
        node = summary.get(section)
        if not isinstance(node, dict):
            raise bad(section, f"must be an object of {section}, not {kind_of(node)}")
        if section == "channels" and not node:
            raise bad(section, "lists no channels")
        for name, measures in node.items():
            if not isinstance(measures, dict):
                raise bad(f"{section}.{name}", f"must be an object of measures, not "
                          f"{kind_of(measures)}")
            for measure, est in measures.items():
                _check_estimate(path, f"{section}.{name}.{measure}", est)
    if summary.get("officer_hours") is not None:
        _check_estimate(path, "officer_hours", summary["officer_hours"])
    _check_pool_channel(path, summary.get("pool_channel", {}))


def _check_pool_channel(path: Path, node: Any) -> None:
    """Who answered what (an additive key): pool -> channel -> measure -> estimate."""
    if not isinstance(node, dict):
        raise ResultsError(path, f"must be an object of pools, not {kind_of(node)}",
                           "pool_channel")
    for pool, channels in node.items():
        if not isinstance(channels, dict):
            raise ResultsError(path, f"must be an object of channels, not "
                               f"{kind_of(channels)}", f"pool_channel.{pool}")
        for channel, measures in channels.items():
            if not isinstance(measures, dict):
                raise ResultsError(path, f"must be an object of measures, not "
                                   f"{kind_of(measures)}", f"pool_channel.{pool}.{channel}")
            for measure, est in measures.items():
                _check_estimate(path, f"pool_channel.{pool}.{channel}.{measure}", est)


def _check_estimate(path: Path, key: str, est: Any) -> None:
    if not isinstance(est, dict):
        raise ResultsError(path, f"must be an estimate {{mean, ci_low, ci_high}}, not "
                           f"{kind_of(est)}", key)
    for part in ("mean", "ci_low", "ci_high"):
        value = est.get(part)
        if value is not None and not is_number(value):
            raise ResultsError(path, f"must be a number or null, not {kind_of(value)}",
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


HOUR_COLUMN = ("hour_of_week", 0, HOURS_PER_WEEK)


#: The tables of a run folder: the first four every run writes and the plots read.
RUN_TABLES = {
    "replications": TableSpec(("replication", "channel"), ("channel",)),
    "hourly": TableSpec(("replication", "channel", "hour_of_week", "offered",
                         "service_level", "abandon_rate"), ("channel",),
                        (("replication", 0, 10**6), HOUR_COLUMN)),
    "answer_times": TableSpec(("replication", "channel", "answer_s",
                               "share_answered_within"), ("channel",)),
    "pools_hourly": TableSpec(("replication", "pool", "hour_of_week", "staff_on_duty",
                               "staff_busy"), ("pool",), (("replication", 0, 10**6), HOUR_COLUMN)),
    "pools": TableSpec(("replication", "pool"), ("pool",)),
    "diversions": TableSpec(("replication", "diversion", "hour_of_week", "diverted",
                             "failed"), ("diversion",), (("replication", 0, 10**6), HOUR_COLUMN)),
    "officers": TableSpec(("replication",)),
    "pool_channel": TableSpec(("replication", "pool", "channel", "answered"),
                              ("pool", "channel")),
    "summary": TableSpec(("measure", "mean", "ci_low", "ci_high", "unit"),
                         ("measure", "channel", "pool", "diversion", "unit")),
    "daily": TableSpec(("date", "channel", "service_level_mean"), ("channel",), (),
                       ("date",)),
    "monthly": TableSpec(("month", "channel"), ("channel",), (), ("month",)),
    "monthly_replications": TableSpec(("replication", "month", "channel"), ("channel",),
                                      dates=("month",)),
    "cost": TableSpec(("replication", "cost"), ("cost",)),
    "dispatch": TableSpec(("replication", "dispatch"), ("dispatch",)),
    "dispatch_areas": TableSpec(("replication", "area", "dispatch"), ("area", "dispatch")),
    "dispatch_hourly": TableSpec(("replication", "hour_of_week", "incidents_waiting"), (),
                                 (("replication", 0, 10**6), HOUR_COLUMN)),
    "dispatch_areas_hourly": TableSpec(("replication", "area", "hour_of_week",
                                        "incidents_waiting"), ("area",),
                                       (("replication", 0, 10**6), HOUR_COLUMN)),
    "workforce": TableSpec(("month", "pool", *(m + end for m in MONTHLY
                                               for end in ("", "_lo", "_hi"))),
                           ("pool",), (), ("month",)),
    "workforce_replications": TableSpec(("replication", "month", "pool", "available"),
                                        ("pool",), dates=("month",)),
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


def optional_table(path: Path, spec: TableSpec) -> Table | None:
    """A table a folder holds only in some cases, read and checked; None where it is absent."""
    if not path.exists():
        return None
    table = read_table(path)
    check_table(path, table, spec)
    return table


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
