"""The back-test's results folder, written and read back (DESIGN §10).

``contactsim backtest`` writes, into a folder swapped into place only when complete
(:func:`contactsim.results.write.write_atomically`):

- ``backtest.csv``: one row per channel, hour of the week and measure, with exactly the
  columns ``channel, hour_of_week, measure, observed, sim_mean, pi_low, pi_high``. ``offered``
  is the count over the compared days (as in a run's hourly.csv); the band (``pi_low``,
  ``pi_high``) is empty where the cell was not compared (too few contacts in the log);
- ``summary.json``: ``coverage`` per measure, the same per channel and measure
  (``channels``), the cells compared and skipped, the log (files, rows, dates), the
  replications and seed, the verdicts and the ``findings``;
- ``scenario.toml``: the resolved scenario as simulated (pinned to the log's dates), so
  ``contactsim run scenario.toml`` reproduces the simulated side.

The report is drawn from these files alone (:func:`read_backtest`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contactsim import __version__
from contactsim.analysis.backtest import LEVEL, MEASURES, MIN_CONTACTS, Backtest
from contactsim.analysis.backtest_checks import CHECK_LEVEL, Check, checks
from contactsim.analysis.backtest_findings import findings, verdicts
from contactsim.problems import ResultsError
from contactsim.results.backtest_summary import BacktestSummary, backtest_summary_from
from contactsim.results.tables import Table, read_json, read_table, require_keys
from contactsim.results.write import SUMMARY, scenario_sha256, write_csv, write_scenario

BACKTEST_CSV = "backtest.csv"
#: backtest.csv's columns, exactly (DESIGN §10).
COLUMNS = ("channel", "hour_of_week", "measure", "observed", "sim_mean", "pi_low", "pi_high")
#: ``kind`` in a back-test's summary.json.
KIND = "backtest"


def _share(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 6)


def backtest_summary(bt: Backtest) -> dict[str, Any]:
    """summary.json of a back-test."""
    sc, log, window = bt.scenario, bt.log, bt.window
    cells = {m: _counts(bt, m) for m in MEASURES}
    found = checks(bt)
    return {
        "contactsim_version": __version__,
        "kind": KIND,
        "scenario": {"name": sc.name, "file": sc.file, "sha256": scenario_sha256(sc.document)},
        "seed": sc.run.seed,
        "replications": sc.run.replications,
        "days": window.days,
        "warmup_days": sc.run.warmup_days,
        "wall_s": round(bt.wall_s, 3),
        "interval": f"{LEVEL:.0%} prediction interval for one more replication",
        "expected_coverage": LEVEL,
        "coverage": {m: _share(bt.coverage(m)) for m in MEASURES},
        "channels": {ch: {m: {"coverage": _share(bt.coverage(m, ch)), **_counts(bt, m, ch)}
                          for m in MEASURES} for ch in bt.channels},
        "cells": cells,
        "min_contacts": MIN_CONTACTS,
        "log": {
            "files": list(log.files),
            "rows_read": log.rows_read,
            "rows": len(log),
            "rows_compared": bt.rows_compared,
            "rows_skipped": dict(log.skipped),
            "clock_skew_s": log.clock_skew_s,
            "rows_clamped": dict(log.clamped),
            "duplicates": log.duplicates,
            "in_progress": log.in_progress,
            "first_date": log.first_date.isoformat(),
            "last_date": log.last_date.isoformat(),
        },
        "dates": {
            "first": window.first.isoformat(),
            "last": window.last.isoformat(),
            "days": window.days,
            "days_compared": len(window.compared),
            "left_out": [{"date": d.isoformat(), "why": why} for d, why in window.left_out],
        },
        "channels_not_in_log": list(bt.missing),
        "checks_level": CHECK_LEVEL,
        "totals": {ch: {m: _check(found.totals.get((ch, m))) for m in MEASURES}
                   for ch in bt.channels},
        "leans": {ch: {m: _check(found.leans.get((ch, m))) for m in MEASURES}
                  for ch in bt.channels},
        "inconsistent": [{"channel": c.channel, "measure": c.measure, "check": c.what}
                         for ch in bt.channels for m in MEASURES for c in found.off(ch, m)],
        "verdicts": verdicts(bt, found),
        "findings": findings(bt),
        "warnings": [*log.warnings, *bt.warnings],
    }


def _check(c: Check | None) -> dict[str, Any] | None:
    """A total or lean: observed, the simulated mean and band, and the side it falls on."""
    if c is None:
        return None
    def num(x: float) -> float | None:
        return round(x, 6) if math.isfinite(x) else None

    return {"observed": num(c.observed), "sim_mean": num(c.sim_mean),
            "low": num(c.low), "high": num(c.high),
            "outside": {-1: "below", 1: "above", 0: None}[c.direction]}


def _counts(bt: Backtest, measure: str, channel: str | None = None) -> dict[str, int]:
    n = bt.counts(measure, channel)
    return {"compared": n.compared, "inside": n.inside, "skipped": n.skipped}


def write_backtest(bt: Backtest, folder: Path) -> None:
    """backtest.csv, summary.json and scenario.toml into ``folder`` (a temporary one)."""
    write_csv(folder / BACKTEST_CSV, COLUMNS,
              ([c.channel, c.hour, c.measure, c.observed, c.sim_mean, c.pi_low, c.pi_high]
               for c in bt.cells))
    (folder / SUMMARY).write_text(
        json.dumps(backtest_summary(bt), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    write_scenario(
        folder, bt.scenario.document,
        "# The scenario as the back-test simulated it: pinned to the log's dates (extends and\n"
        "# the back-test's changes applied). Run it again with\n"
        "#   contactsim run scenario.toml\n# to see the simulated side in full.\n\n")


# --- reading it back ------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One channel and measure by hour of the week (168 values each; NaN where empty)."""

    observed: np.ndarray
    sim_mean: np.ndarray
    pi_low: np.ndarray
    pi_high: np.ndarray


@dataclass(frozen=True)
class BacktestResults:
    """A back-test folder read back."""

    folder: Path
    summary: BacktestSummary
    table: Table

    @property
    def channels(self) -> list[str]:
        return self.table.distinct("channel")

    def series(self, channel: str, measure: str) -> Series:
        rows = self.table.where("channel", channel).where("measure", measure)
        hours = rows.numbers("hour_of_week").astype(int)
        out = []
        for col in ("observed", "sim_mean", "pi_low", "pi_high"):
            values = np.full(168, math.nan)
            values[hours] = rows.numbers(col)
            out.append(values)
        return Series(*out)


def is_backtest(folder: Path) -> bool:
    """Whether ``folder`` looks like a back-test's (it has backtest.csv)."""
    return (Path(folder) / BACKTEST_CSV).is_file()


def read_backtest(folder: Path) -> BacktestResults:
    """A back-test folder's summary.json (read once into a BacktestSummary) and backtest.csv,
    checked enough to draw from."""
    folder = Path(folder)
    summary = read_json(folder / SUMMARY)
    if summary.get("kind") != KIND:
        raise ResultsError(folder / SUMMARY, "is not a back-test's summary (kind is not "
                           f"{KIND!r})", "kind")
    table = read_table(folder / BACKTEST_CSV)
    missing = [c for c in COLUMNS if not table.has(c)]
    if missing:
        raise ResultsError(folder / BACKTEST_CSV, "lacks the column(s) " + ", ".join(missing),
                           "(header)")
    hours = table.numbers("hour_of_week")
    if len(hours) and not (np.all(np.isfinite(hours)) and hours.min() >= 0
                           and hours.max() < 168 and np.all(hours == np.round(hours))):
        raise ResultsError(folder / BACKTEST_CSV, "hour_of_week must be whole hours 0-167",
                           "hour_of_week")
    require_keys(folder / SUMMARY, summary,
                 ("channels", "coverage", "cells", "dates", "log", "findings", "verdicts"))
    return BacktestResults(folder, backtest_summary_from(folder / SUMMARY, summary), table)
