"""People and 999 service level by month, and a year's cost: the report's workforce section.

A planner asking "how many must we recruit, and when?" reads two lines against each other:
the people available month by month as leavers go and recruits finish training, and the
month's 999 service level against the 90% standard. The plot draws both from the saved tables
(``workforce.csv``, ``monthly.csv``), one panel above the other on the same months; the
report's table gives the figures, and, where the scenario prices anything, a year's cost with
its parts (summary.json ``cost``). A scenario without prices says nothing about money.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from contactsim.present.drawing import (
    PALETTE,
    WIDE,
    Plot,
    band,
    drawn,
    percent_axis,
    save_figure,
    shares,
    target_line,
    text,
)
from contactsim.present.run_words import pounds
from contactsim.results.read import RunResults, Table
from contactsim.results.workforce import MONTHLY
from contactsim.standard import TARGET_SL

WORKFORCE_PNG = "workforce.png"
COLUMNS = MONTHLY  # workforce.csv's measures, in order


def _headline(run: RunResults) -> str:
    return "999" if "999" in run.channels else run.channels[0]


def _est(rows: Table, measure: str, mean: str = "", lo: str = "_lo",
         hi: str = "_hi") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (rows.numbers(measure + mean), rows.numbers(measure + lo),
            rows.numbers(measure + hi))


def _service_by_month(run: RunResults,
                      months: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    monthly = run.table("monthly")
    if monthly is None or not monthly.has("channel"):
        return None
    rows = monthly.where("channel", _headline(run))
    found = dict(zip(rows.text("month"), zip(*_est(rows, "service_level", "_mean", "_ci_low",
                                                   "_ci_high"), strict=True), strict=True))
    nan = (math.nan, math.nan, math.nan)
    mean, lo, hi = (np.array([found.get(m, nan)[k] for m in months]) for k in range(3))
    return mean, lo, hi


def workforce_figure(run: RunResults, table: Table) -> Figure:
    """People by month (top) and the headline channel's service level by month (bottom)."""
    pools = drawn(table.distinct("pool"))
    months = list(dict.fromkeys(table.text("month")))
    x = np.arange(len(months))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDE, 7.0), layout="constrained",
                                      sharex=True)
    for k, pool in enumerate(pools):
        rows = table.where("pool", pool)
        col = PALETTE[k % len(PALETTE)]
        band(top, x, _est(rows, "available"), col=col, name=f"{text(pool)}: available",
             gid=f"available:{pool}", marker="o")
        top.plot(x, rows.numbers("headcount"), color=col, linestyle="--",
                 label=f"{text(pool)}: in post (with trainees)", gid=f"headcount:{pool}")
    top.set_ylabel("people (month's end)")
    top.set_ylim(bottom=0)
    top.set_title("People on the roster by month (95% band over replications)", loc="left")
    top.legend(loc="lower left", fontsize=9, ncols=2)
    channel = _headline(run)
    sl = _service_by_month(run, months)
    if sl is not None:
        band(bottom, x, shares(sl), col=PALETTE[1], name=f"{text(channel)} service level",
             gid=f"service_level:{channel}", marker="o")
    target_line(bottom, TARGET_SL, f"target {100 * TARGET_SL:.0f}%")
    percent_axis(bottom)
    bottom.set_title(f"{text(channel)}: service level by month", loc="left")
    bottom.legend(loc="lower left", fontsize=9)
    bottom.set_xticks(x, months, rotation=45, ha="right")
    return fig


def draw_workforce(run: RunResults, folder: Path) -> list[Plot]:
    """The workforce plot, for a run with workforce.csv."""
    table = run.table("workforce")
    if table is None or not len(table) or not table.has("pool"):
        return []
    return [Plot(save_figure(workforce_figure(run, table), folder, WORKFORCE_PNG),
                 "People and service level by month",
                 "Top: people available on the roster (trained; new handlers included) and in "
                 "post (trainees too) at each month's end, the mean over replications with its "
                 "95% band. Bottom: the month's service level with the target dashed.")]


@dataclass(frozen=True)
class Workforce:
    """The report's workforce section: a row per month and pool, and the cost lines."""

    header: list[str]
    rows: list[list[str]]
    cost: list[list[str]]


def _range(mean: float, lo: float, hi: float, digits: int = 1) -> str:
    if not math.isfinite(mean):
        return "-"
    if lo == hi == mean:
        return f"{mean:,.{digits}f}"
    return f"{mean:,.{digits}f} ({lo:,.{digits}f}-{hi:,.{digits}f})"


def workforce_section(run: RunResults) -> Workforce | None:
    table = run.table("workforce")
    cost = run.summary.get("cost")
    if (table is None or not len(table)) and not isinstance(cost, dict):
        return None
    rows: list[list[str]] = []
    if table is not None and len(table):
        months = list(dict.fromkeys(table.text("month")))
        sl = _service_by_month(run, months)
        for i, (month, pool) in enumerate(zip(table.text("month"), table.text("pool"),
                                              strict=True)):
            cells = [month, pool]
            for m in COLUMNS:
                mean, lo, hi = _est(table, m)
                cells.append(_range(float(mean[i]), float(lo[i]), float(hi[i])))
            k = months.index(month)
            cells.append("-" if sl is None else _range(100 * float(sl[0][k]),
                                                       100 * float(sl[1][k]),
                                                       100 * float(sl[2][k])) + "%")
            rows.append(cells)
    money = [[part, pounds(cost[part])] for part in ("staff", "training", "recruits", "total")
             if isinstance(cost, dict) and isinstance(cost.get(part), dict)]
    header = ["month", "pool", *COLUMNS, f"{_headline(run)} service level"]
    return Workforce(header, rows, money)
