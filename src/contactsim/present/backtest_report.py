"""The back-test's report: where the model matches the force's own record, and where not.

Drawn from the saved folder alone (``backtest.csv`` and ``summary.json``, read by
:mod:`contactsim.results.backtest`), like every other report. It opens with the findings in
plain words, then the coverage table (the share of hours of the week whose observed figure
lies inside the simulated band, against the 95% a right model gives), then one picture per
channel: for each measure, the simulated mean and its 95% prediction band by hour of the week,
and the observed figure as points, those outside the band marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from contactsim.present.html import REPORT, embed, render
from contactsim.present.plots import (
    HOURS,
    MAX_DRAWN,
    WIDE,
    Plot,
    colour,
    drawn,
    percent_axis,
    save_figure,
    text,
    week_axis,
)
from contactsim.present.report import check_entries
from contactsim.results.backtest import BacktestResults, read_backtest
from contactsim.results.backtest_summary import BandCheck, Coverage
from contactsim.results.read import slug

MEASURES = ("offered", "service_level", "mean_answer_s", "abandon_rate")
TITLES = {"offered": "contacts offered (over the compared days)",
          "service_level": "service level", "mean_answer_s": "mean answer time (s)",
          "abandon_rate": "abandoned share"}
SHORT = {"offered": "offered", "service_level": "service level",
         "mean_answer_s": "mean answer time", "abandon_rate": "abandoned share"}
BAND_COLOUR = colour(0)
INSIDE_COLOUR = "#222222"
OUTSIDE_COLOUR = colour(1)


def channel_figure(bt: BacktestResults, channel: str) -> Figure:
    """Four panels, one per measure: the simulated band and the observed points."""
    fig, axes = plt.subplots(len(MEASURES), 1, figsize=(WIDE, 12.5), sharex=True,
                             layout="constrained")
    for ax, measure in zip(axes, MEASURES, strict=True):
        s = bt.series(channel, measure)
        compared = np.isfinite(s.pi_low)
        low = np.where(compared, s.pi_low, np.nan)
        high = np.where(compared, s.pi_high, np.nan)
        ax.fill_between(HOURS, low, high, step="mid", color=BAND_COLOUR, alpha=0.2,
                        linewidth=0, gid=f"band:{channel}:{measure}")
        ax.plot(HOURS, s.sim_mean, color=BAND_COLOUR, linewidth=1.2, drawstyle="steps-mid",
                gid=f"sim:{channel}:{measure}")
        outside = compared & ((s.observed < s.pi_low - 1e-9) | (s.observed > s.pi_high + 1e-9))
        inside = compared & ~outside
        ax.plot(HOURS[inside], s.observed[inside], "o", color=INSIDE_COLOUR, markersize=2.6,
                gid=f"inside:{channel}:{measure}")
        ax.plot(HOURS[outside], s.observed[outside], "o", color=OUTSIDE_COLOUR,
                markersize=4.5, gid=f"outside:{channel}:{measure}")
        skipped = ~compared & np.isfinite(s.observed)
        ax.plot(HOURS[skipped], s.observed[skipped], "x", color="#999999", markersize=3.5,
                gid=f"skipped:{channel}:{measure}")
        ax.set_title(f"{text(channel)}: {TITLES[measure]}", loc="left", fontsize=11)
        week_axis(ax)
        top = _top(s.observed, high, s.sim_mean)
        if measure == "service_level":
            percent_axis(ax, 0.0, 1.0)
        elif measure == "abandon_rate":
            percent_axis(ax, 0.0, min(1.0, max(0.1, math.ceil(10 * top) / 10)))
        else:
            ax.set_ylim(0, 1.08 * top if top > 0 else 1)
        if measure != MEASURES[-1]:
            ax.set_xlabel("")
    handles = [Patch(color=BAND_COLOUR, alpha=0.3, label="simulated: 95% prediction band"),
               Line2D([], [], color=BAND_COLOUR, label="simulated mean"),
               Line2D([], [], marker="o", linestyle="", color=INSIDE_COLOUR, markersize=4,
                      label="observed, inside the band"),
               Line2D([], [], marker="o", linestyle="", color=OUTSIDE_COLOUR, markersize=5,
                      label="observed, outside the band"),
               Line2D([], [], marker="x", linestyle="", color="#999999",
                      label="observed, too few contacts to compare")]
    fig.legend(handles=handles, loc="outside upper center", ncols=3, fontsize=9, frameon=False)
    return fig


def _top(*arrays: np.ndarray) -> float:
    values = np.concatenate(arrays)
    values = values[np.isfinite(values)]
    return float(values.max()) if len(values) else 0.0


def draw_backtest(bt: BacktestResults, folder: Path) -> list[Plot]:
    plots = []
    for ch in drawn(bt.channels):
        file = save_figure(channel_figure(bt, ch), folder, f"backtest_{slug(ch)}.png")
        cov = bt.summary.channels.get(ch, {})
        parts = [f"{SHORT[m]} {_pct(c.coverage if (c := cov.get(m)) else None)}"
                 for m in MEASURES]
        plots.append(Plot(file, f"Channel {ch}: the log against the simulated band",
                          "Share of hours inside the band: " + ", ".join(parts)
                          + ". Orange points lie outside the band; a run of them is a finding."))
    return plots


def _pct(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(float(value)) else f"{float(value):.0%}"


def coverage_rows(bt: BacktestResults) -> list[list[str]]:
    s = bt.summary

    def cell(entry: Coverage) -> str:
        note = f" ({entry.skipped} not compared)" if entry.skipped else ""
        return f"{_pct(entry.coverage)} of {entry.compared} hours{note}"

    rows = [[ch, *(cell(s.channels[ch][m]) for m in MEASURES)] for ch in s.channels]
    rows.append(["all channels", *(cell(s.overall[m]) for m in MEASURES)])
    return rows


def check_rows(bt: BacktestResults) -> list[list[str]]:
    """Totals and leans across hours (summary.json ``totals``, ``leans``), where present."""
    s = bt.summary
    if s.totals is None or s.leans is None:
        return []

    def cell(entry: BandCheck | None, measure: str, lean: bool) -> str:
        if entry is None:
            return "-"

        def fmt(x: float | None) -> str:
            assert x is not None  # (a check without its band is read as None)
            if lean:
                return f"{x:+.2f}"
            if measure == "offered":
                return f"{x:,.0f}"
            return f"{x:.1f} s" if measure == "mean_answer_s" else f"{x:.1%}"

        mark = f": {entry.outside.upper()} THE BAND" if entry.outside else ""
        return f"{fmt(entry.observed)} ({fmt(entry.low)} to {fmt(entry.high)}){mark}"

    return [[ch, what, *(cell(checks[ch].get(m), m, lean) for m in MEASURES)]
            for ch in s.totals for checks, what, lean in ((s.totals, "total", False),
                                                          (s.leans, "lean across hours", True))]


def backtest_html(bt: BacktestResults, plots: Sequence[Plot]) -> str:
    s = bt.summary
    more = len(bt.channels) - len(drawn(bt.channels))
    path = bt.folder / "scenario.toml"
    return render(
        "backtest.html", title=f"contactsim back-test: {s.name}", s=s,
        skipped=", ".join(f"{n:,} {why}" for why, n in s.log.rows_skipped.items()),
        header=["channel", *(SHORT[m] for m in MEASURES)], rows=coverage_rows(bt),
        checks=check_rows(bt), checks_level=s.checks_level,
        not_drawn=(f"The plots show {MAX_DRAWN} of the {len(bt.channels)} channels; every one "
                   "is in the table above and in backtest.csv." if more > 0 else ""),
        figures=embed(bt.folder, plots),
        scenario=path.read_text(encoding="utf-8") if path.is_file() else None)


def check_backtest(folder: Path) -> None:
    """Read a back-test folder fully, so a broken one is reported before anything is
    written."""
    check_entries(folder)
    read_backtest(folder)


def write_backtest_report(folder: Path) -> Path:
    """Draw a back-test folder's plots and write its report.html, from its saved files."""
    bt = read_backtest(folder)
    path = folder / REPORT
    path.write_text(backtest_html(bt, draw_backtest(bt, folder)), encoding="utf-8")
    return path
