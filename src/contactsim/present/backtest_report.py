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
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

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
from contactsim.present.report import (
    REPORT,
    check_entries,
    esc,
    figures,
    page,
    table_html,
    warnings_html,
)
from contactsim.results.backtest import BacktestResults, read_backtest
from contactsim.results.read import slug
from contactsim.results.tables import require_keys

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
        cov = bt.summary["channels"].get(ch, {})
        parts = [f"{SHORT[m]} {_pct(cov.get(m, {}).get('coverage'))}" for m in MEASURES]
        plots.append(Plot(file, f"Channel {ch}: the log against the simulated band",
                          "Share of hours inside the band: " + ", ".join(parts)
                          + ". Orange points lie outside the band; a run of them is a finding."))
    return plots


def _pct(value: Any) -> str:
    return "-" if value is None or not math.isfinite(float(value)) else f"{float(value):.0%}"


def coverage_table(bt: BacktestResults) -> str:
    s = bt.summary
    header = ["channel", *(SHORT[m] for m in MEASURES)]

    def cell(entry: dict[str, Any]) -> str:
        note = f" ({entry['skipped']} not compared)" if entry["skipped"] else ""
        return f"{_pct(entry['coverage'])} of {entry['compared']} hours{note}"

    rows = [[ch, *(cell(s["channels"][ch][m]) for m in MEASURES)] for ch in s["channels"]]
    rows.append(["all channels", *(cell({"coverage": s["coverage"][m], **s["cells"][m]})
                                   for m in MEASURES)])
    return table_html(header, rows)


def checks_table(bt: BacktestResults) -> str:
    """Totals and leans across hours (summary.json ``totals``, ``leans``), where present."""
    s = bt.summary
    if "totals" not in s:
        return ""
    level = s.get("checks_level", 0.99)

    def cell(entry: dict[str, Any] | None, measure: str, lean: bool) -> str:
        if not entry or entry.get("observed") is None or entry.get("low") is None:
            return "-"
        def fmt(x: float) -> str:
            if lean:
                return f"{x:+.2f}"
            if measure == "offered":
                return f"{x:,.0f}"
            return f"{x:.1f} s" if measure == "mean_answer_s" else f"{x:.1%}"

        side = entry.get("outside")
        mark = f" <b>{esc(side)} the band</b>" if side else ""
        return f"{fmt(entry['observed'])} ({fmt(entry['low'])} to {fmt(entry['high'])}){mark}"

    rows = [[ch, what, *(cell(s[key][ch].get(m), m, key == "leans") for m in MEASURES)]
            for ch in s["totals"] for key, what in (("totals", "total"),
                                                    ("leans", "lean across hours"))]
    return ("<section><h2>Totals and lean across hours</h2>" + table_html(
        ["channel", "check", *(SHORT[m] for m in MEASURES)], rows)
        + f"<p class=\"note\">The <b>total</b> is each measure over every compared day at once, "
        f"against the simulated {level:.0%} band for it; the <b>lean</b> is the mean "
        "standardised residual over the compared hours ((observed - simulated mean) / the "
        "band's sd), against the band the replications' own leans give. A right model has "
        "both inside; either outside is a bias the hour-by-hour bands are too wide to show, "
        "and the verdict says inconsistent.</p></section>")


def header_html(bt: BacktestResults) -> str:
    s = bt.summary
    dates, log = s["dates"], s["log"]
    left = "".join(f"<li>{esc(d['date'])}: {esc(d['why'])}</li>" for d in dates["left_out"])
    skipped = ", ".join(f"{n:,} {why}" for why, n in log["rows_skipped"].items())
    return (
        "<p class=\"kicker\">contactsim back-test</p>"
        f"<h1>{esc(s['scenario']['name'])} against the force's own log</h1>"
        f"<p class=\"meta\">Log: {esc(', '.join(log['files']))} ({log['rows_read']:,} rows "
        f"read; {log['rows_compared']:,} contacts on the compared days"
        + (f"; left out as bad: {esc(skipped)}" if skipped else "")
        + f"). Compared: {dates['days_compared']} days, {esc(dates['first'])} to "
        f"{esc(dates['last'])}. Simulated: {s['replications']} replications with seed "
        f"{s['seed']}, from scenario file {esc(s['scenario']['file'])}.</p>"
        + (f"<p class=\"note\">Days not compared:</p><ul class=\"note\">{left}</ul>"
           if left else ""))


def findings_html(bt: BacktestResults) -> str:
    s = bt.summary
    found = "".join(f"<li>{esc(f)}</li>" for f in s["findings"])
    verdicts = "".join(f"<li>{esc(v)}</li>" for v in s["verdicts"])
    return (f"<section><h2>What the back-test found</h2><ul>{found}</ul>"
            f"<h3>Channel by channel</h3><ul class=\"note\">{verdicts}</ul></section>")


def reading_html() -> str:
    return (
        "<section><h2>How to read this report</h2><ul class=\"note\">"
        "<li>The scenario was simulated over the very days the log covers (same dates, so the "
        "same weekdays, bank holidays and season), many times over (replications). For each "
        "channel and hour of the week, the <b>band</b> is where one more period like the "
        "log's should fall with 95% probability if the model is right (a 95% prediction "
        "interval across replications: it allows for the ordinary ups and downs of a real "
        "period, not only for the simulation's own precision).</li>"
        "<li><b>Coverage</b> is the share of hours of the week whose observed figure lies "
        "inside its band. A right model gives about 95%; a few hours outside are chance "
        "(one in twenty). Coverage well below 95% (under 90%, say) means the model does not "
        "reproduce this force's own record for that measure: the named hours are where its "
        "inputs (demand, staffing, handle times, caller patience) need a second look before "
        "the model is used to plan.</li>"
        "<li>A <b>finding</b> is a run of neighbouring hours outside the band on the same "
        "side: a real pattern, unlike a single stray hour.</li>"
        "<li><b>Contacts offered</b> are counts over all the compared days; service level "
        "and abandoned share are of contacts offered; mean answer time is over answered "
        "contacts. Hours with fewer than 5 contacts in the log are not compared (too few to "
        "judge a share or a mean).</li></ul></section>")


def backtest_html(bt: BacktestResults, plots: Sequence[Plot]) -> str:
    s = bt.summary
    more = len(bt.channels) - len(drawn(bt.channels))
    note = (f"<p class=\"note\">The plots show {MAX_DRAWN} of the {len(bt.channels)} channels; "
            "every one is in the table above and in backtest.csv.</p>" if more > 0 else "")
    body = [header_html(bt), warnings_html(s.get("warnings", [])), findings_html(bt),
            "<section><h2>Coverage: hours of the week inside the simulated band</h2>"
            + coverage_table(bt) + "</section>", checks_table(bt),
            f"<section><h2>Plots</h2>{note}{figures(bt.folder, plots)}</section>",
            reading_html(), scenario_html(bt.folder)]
    return page(f"contactsim back-test: {s['scenario']['name']}", body)


def scenario_html(folder: Path) -> str:
    path = folder / "scenario.toml"
    if not path.is_file():
        return ""
    return ("<section><h2>The scenario as simulated</h2><p class=\"note\">Pinned to the log's "
            f"dates, as saved in <code>scenario.toml</code>.</p><pre>"
            f"{esc(path.read_text(encoding='utf-8'))}</pre></section>")


def check_backtest(folder: Path) -> None:
    """Read a back-test folder fully, so a broken one is reported before anything is
    written."""
    check_entries(folder)
    bt = read_backtest(folder)
    require_keys(folder / "summary.json", bt.summary,
                 ("channels", "coverage", "cells", "dates", "log", "findings", "verdicts"))


def write_backtest_report(folder: Path) -> Path:
    """Draw a back-test folder's plots and write its report.html, from its saved files."""
    bt = read_backtest(folder)
    path = folder / REPORT
    path.write_text(backtest_html(bt, draw_backtest(bt, folder)), encoding="utf-8")
    return path
