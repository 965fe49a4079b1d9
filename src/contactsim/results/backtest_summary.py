"""A back-test's summary.json as typed objects, read once.

summary.json of a back-test (:func:`contactsim.results.backtest.backtest_summary`) holds the
coverage per measure, the same per channel, the totals and leans checked against their bands,
the log read and the days compared, the verdicts and findings in words.
:func:`backtest_summary_from` turns what the report, the plots and the terminal words read into
the frozen objects below; a key a damaged file lacks is refused naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contactsim.results.fit_summary import Days, days_of, parsed


@dataclass(frozen=True)
class Coverage:
    """The share of compared hours inside the band (None: none compared), and the counts."""

    coverage: float | None
    compared: int
    inside: int
    skipped: int


@dataclass(frozen=True)
class BandCheck:
    """A total or a lean: observed, the band, and the side it falls on (None: inside)."""

    observed: float | None
    low: float | None
    high: float | None
    outside: str | None


@dataclass(frozen=True)
class BacktestLog:
    files: tuple[str, ...]
    rows_read: int
    rows_compared: int
    rows_skipped: Mapping[str, int]
    rows_clamped: Mapping[str, int]
    clock_skew_s: float


@dataclass(frozen=True)
class BacktestSummary:
    name: str
    file: str
    seed: int
    replications: int
    log: BacktestLog
    #: The days compared (``used``), first to last, and those left out.
    dates: Days
    #: Per channel, per measure.
    channels: Mapping[str, Mapping[str, Coverage]]
    #: Per measure, all channels together.
    overall: Mapping[str, Coverage]
    #: Per channel, per measure (None where not checked); None when the file has no checks.
    totals: Mapping[str, Mapping[str, BandCheck | None]] | None
    leans: Mapping[str, Mapping[str, BandCheck | None]] | None
    checks_level: float
    warnings: tuple[str, ...]
    findings: tuple[str, ...]
    verdicts: tuple[str, ...]


def _coverage(entry: Mapping[str, Any], cells: Mapping[str, Any] | None = None) -> Coverage:
    counts = entry if cells is None else cells
    return Coverage(entry["coverage"], counts["compared"], counts.get("inside", 0),
                    counts["skipped"])


def _check(entry: Any) -> BandCheck | None:
    if not entry or entry.get("observed") is None or entry.get("low") is None:
        return None
    return BandCheck(entry["observed"], entry["low"], entry["high"], entry.get("outside"))


def _checks(node: Mapping[str, Any]) -> dict[str, dict[str, BandCheck | None]]:
    return {ch: {m: _check(entry) for m, entry in by_measure.items()}
            for ch, by_measure in node.items()}


def _log(log: Mapping[str, Any]) -> BacktestLog:
    return BacktestLog(tuple(log["files"]), log["rows_read"], log["rows_compared"],
                       dict(log["rows_skipped"]), dict(log.get("rows_clamped") or {}),
                       log.get("clock_skew_s", 0))


def backtest_summary_from(path: Path, s: Mapping[str, Any]) -> BacktestSummary:
    """summary.json of a back-test (read into ``s``) as a BacktestSummary."""
    def build() -> BacktestSummary:
        has_checks = "totals" in s
        return BacktestSummary(
            name=s["scenario"]["name"], file=s["scenario"]["file"], seed=s["seed"],
            replications=s["replications"], log=_log(s["log"]),
            dates=days_of(s["dates"], "days_compared"),
            channels={ch: {m: _coverage(e) for m, e in by_measure.items()}
                      for ch, by_measure in s["channels"].items()},
            overall={m: _coverage({"coverage": value}, s["cells"][m])
                     for m, value in s["coverage"].items()},
            totals=_checks(s["totals"]) if has_checks else None,
            leans=_checks(s["leans"]) if has_checks else None,
            checks_level=s.get("checks_level", 0.99), warnings=tuple(s.get("warnings", [])),
            findings=tuple(s["findings"]), verdicts=tuple(s["verdicts"]))

    return parsed(path, build)
