"""Plots: the pictures a planner reads, drawn from the saved tables alone.

Every picture here is built from a results folder read back by :mod:`contactsim.results.read`, never
from a run in memory, so ``contactsim plot DIR`` redraws exactly what the CSV files hold. They are
meant for people who plan rotas, not for programmers: plain titles, axes with units, the target
drawn and named on the plot, days of the week (not 168 hour numbers) along weekly axes, and the
Okabe-Ito palette, which stays distinguishable for colour-blind readers. In a comparison each
scenario keeps its colour in every plot.

Each ``*_figure`` function returns a matplotlib figure (lines carry a ``gid`` such as
``"mean:999"`` so tests can read back what was drawn); the ``draw_*`` functions save a folder's
set of plots and say what each one shows. This module holds one run's plots; what every plot
shares (colours, axes, saving) is in :mod:`contactsim.present.drawing`,
:mod:`contactsim.present.plots_whatif` draws comparisons, sweeps and staffing plans, and
:mod:`contactsim.present.calendar_plot` the calendar page. Nothing outside ``present/`` imports
matplotlib.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never needs a display

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from contactsim.present.calendar_plot import calendar_heatmap_figure
from contactsim.present.dispatch_plot import draw_dispatch
from contactsim.present.drawing import (
    DPI as DPI,
    HOURS as HOURS,
    MAX_DRAWN as MAX_DRAWN,
    PALETTE as PALETTE,
    TARGET_COLOUR as TARGET_COLOUR,
    WIDE as WIDE,
    Plot as Plot,
    band as band,
    colour as colour,
    columns as columns,
    drawn as drawn,
    floor_of as floor_of,
    not_drawn as not_drawn,
    percent_axis as percent_axis,
    save_figure as save_figure,
    shares as shares,
    target_line as target_line,
    text as text,
    week_axis as week_axis,
)
from contactsim.present.service_colours import (
    scale_label,
    service_colorbar,
    service_image,
    text_colour,
)
from contactsim.present.words import (
    fmt_target,
    target_label,
)
from contactsim.present.workforce import draw_workforce
from contactsim.results.read import (
    Band,
    RunResults,
    Table,
    by_hour,
    column_estimates,
    slug,
)
from contactsim.standard import TARGET_S, TARGET_SL
from contactsim.timebase import DAY_NAMES, HOURS_PER_WEEK

# --- one run --------------------------------------------------------------------------------


def _undefined(n: int) -> Band:
    return np.full(n, math.nan), np.full(n, math.nan), np.full(n, math.nan)


def hourly_estimate(run: RunResults, channel: str, measure: str) -> Band:
    """Mean and interval of an hourly channel measure, from the per-replication rows."""
    hourly = run.table("hourly")
    if hourly is None:
        return _undefined(HOURS_PER_WEEK)
    return column_estimates(by_hour(hourly, "channel", channel, measure))


def service_level_figure(runs: Sequence[RunResults], names: Sequence[str],
                         channel: str) -> Figure:
    """Service level by hour of the week for one channel: one line per run, target drawn."""
    fig, ax = plt.subplots(figsize=(WIDE, 4.4), layout="constrained")
    target_s = runs[0].targets_s.get(channel, TARGET_S)
    ests = [shares(hourly_estimate(run, channel, "service_level")) for run in runs]
    for i, (est, name) in enumerate(zip(ests, names, strict=True)):
        band(ax, HOURS, est, col=colour(i), name=text(name), gid=f"mean:{channel}:{i}")
    target_line(ax, TARGET_SL, target_label(channel, target_s))
    week_axis(ax)
    percent_axis(ax, floor_of(*(e[1] for e in ests)))
    ax.set_ylabel(f"answered within {fmt_target(target_s)}")
    ax.set_title(f"{text(channel)}: share of contacts answered within {fmt_target(target_s)}, "
                 "by hour of the week (band: 95% confidence interval)", loc="left")
    labels = ax.get_legend_handles_labels()[1]
    fig.legend(loc="outside lower center", fontsize=9, frameon=False, ncols=columns(labels))
    return fig


def cdf_limit(x: np.ndarray, curves: Sequence[np.ndarray], target_s: float) -> float:
    """How far along the answer-time axis to draw: where nearly everything is answered."""
    reach = [float(x[np.argmax(c >= 0.995 * np.nanmax(c))]) for c in curves
             if np.isfinite(c).any() and np.nanmax(c) > 0]
    return max([3.0 * target_s, *reach])


def time_unit(limit_s: float) -> tuple[float, str]:
    if limit_s <= 600:
        return 1.0, "seconds"
    if limit_s <= 3 * 3600:
        return 60.0, "minutes"
    return 3600.0, "hours"


def answer_time_estimate(run: RunResults, channel: str) -> tuple[np.ndarray, Band]:
    """The answer-time grid and the mean (with interval) share answered within each time."""
    table = run.table("answer_times")
    if table is None:
        return np.zeros(1), _undefined(1)
    rows = table.where("channel", channel)
    if not len(rows):
        return np.zeros(1), _undefined(1)
    first = rows.where("replication", rows.text("replication")[0])
    grid = first.numbers("answer_s")
    reps = rows.distinct("replication")
    matrix = np.vstack([rows.where("replication", r).numbers("share_answered_within")
                        for r in reps])
    return grid, column_estimates(matrix)


def answer_time_figure(runs: Sequence[RunResults], names: Sequence[str],
                       channels: Sequence[str] | None = None) -> Figure:
    """Cumulative answer-time distribution per channel (``channels``, else the first run's
    channels the report draws), one line per run, target marked."""
    channels = drawn(runs[0].channels) if channels is None else list(channels)
    fig, axes = plt.subplots(1, len(channels), figsize=(max(WIDE, 4 * len(channels)), 4.6),
                             layout="constrained", squeeze=False)
    for ax, channel in zip(axes[0], channels, strict=True):
        _answer_time_panel(ax, runs, channel)
    handles: list[Any] = [Line2D([], [], color=colour(i)) for i in range(len(runs))]
    handles += [Line2D([], [], color=TARGET_COLOUR, linestyle="--"),
                Line2D([], [], color=TARGET_COLOUR, linestyle=":")]
    labels = [*(text(n) for n in names), "the channel's answer-time target",
              "90% of contacts"]
    fig.legend(handles, labels, loc="outside lower center", fontsize=9, frameon=False,
               ncols=columns(labels))
    axes[0, 0].set_ylabel("share of offered contacts answered within")
    return fig


def _answer_time_panel(ax: Axes, runs: Sequence[RunResults], channel: str) -> None:
    target_s = runs[0].targets_s.get(channel, TARGET_S)
    data = [(grid, shares(est)) for grid, est in (answer_time_estimate(run, channel)
                                                  for run in runs)]
    limit = cdf_limit(data[0][0], [d[1][0] for d in data], target_s)
    scale, unit = time_unit(limit)
    for i, (grid, est) in enumerate(data):
        keep = grid <= limit
        band(ax, grid[keep] / scale, (est[0][keep], est[1][keep], est[2][keep]), col=colour(i),
             name=f"run {i}", gid=f"mean:{channel}:{i}")
    target_line(ax, target_s / scale, f"target: {fmt_target(target_s)}", vertical=True)
    ax.text(target_s / scale, 0.03, f" target {fmt_target(target_s)}", fontsize=8.5,
            color=TARGET_COLOUR, ha="left", va="bottom")
    ax.axhline(TARGET_SL, color=TARGET_COLOUR, linestyle=":", linewidth=1)
    ax.set_xlim(0, limit / scale)
    percent_axis(ax)
    ax.grid(color="#e4e4e4", linewidth=0.6)
    ax.set_xlabel(f"answer time ({unit})")
    ax.set_title(f"{text(channel)}: answer times", loc="left")


def heatmap_figure(run: RunResults, channel: str) -> Figure:
    """Service level of one channel by hour of day (across) and day of week (down)."""
    target_s = run.targets_s.get(channel, TARGET_S)
    grid = hourly_estimate(run, channel, "service_level")[0].reshape(7, 24)
    fig, ax = plt.subplots(figsize=(WIDE, 4.6), layout="constrained")
    image = service_image(ax, grid, TARGET_SL, aspect="auto")
    image.set_gid(f"heatmap:{channel}")
    label_cells(ax, image, grid, decimals=0, fontsize=7.5)
    ax.set_xticks(range(24), labels=[f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(7), labels=list(DAY_NAMES))
    ax.set_xlabel("hour of the day (00 = midnight to 01:00)")
    heatmap_colorbar(fig, image, grid, target_s, ax=ax, fraction=0.06, pad=0.02, shrink=0.7)
    ax.set_title(f"{text(channel)}: % answered within {fmt_target(target_s)}, by day and hour "
                 f"(figures in bold meet the {100 * TARGET_SL:.0f}% target)", loc="left")
    return fig


def label_cells(ax: Axes, image: AxesImage, grid: np.ndarray, decimals: int,
                fontsize: float) -> None:
    """Write each cell's service level (percent, rounded down so a miss never reads 90) on a
    heatmap; bold where it meets 90%."""
    for (row, col), value in np.ndenumerate(grid):
        if math.isfinite(value):
            shown = math.floor(10**decimals * 100 * value + 1e-9) / 10**decimals
            ax.text(col, row, f"{shown:.{decimals}f}" + ("%" if decimals else ""),
                    ha="center", va="center", fontsize=fontsize,
                    color=text_colour(image, value),
                    fontweight="bold" if value >= TARGET_SL else "normal",
                    in_layout=False)  # inside its cell: the layout need not measure it


def heatmap_colorbar(fig: Figure, image: AxesImage, grid: np.ndarray, target_s: float,
                     **colorbar: object) -> None:
    """The colour bar of a service-level heatmap: the fixed scale, said in words on it."""
    blank = [] if np.isfinite(grid).all() else ["blank = no contacts measured"]
    what = f"% answered within {fmt_target(target_s)}"
    service_colorbar(fig, image, TARGET_SL, scale_label(what, TARGET_SL, blank),
                     orientation="horizontal", location="bottom", aspect=50, **colorbar)


def demand_figure(run: RunResults) -> Figure:
    """Contacts offered per hour and the share abandoned, by hour of the week, per channel."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDE, 7), layout="constrained",
                                      sharex=True)
    hours = run.exposure_hours()
    hourly = run.table("hourly")
    voice = []
    for i, channel in enumerate(drawn(run.channels)):
        if hourly is None:
            break
        offered = by_hour(hourly, "channel", channel, "offered") / np.where(hours > 0, hours,
                                                                             np.nan)
        band(top, HOURS, column_estimates(offered), col=colour(i), name=text(channel),
             gid=f"offered:{channel}")
        abandon = shares(hourly_estimate(run, channel, "abandon_rate"))
        if np.nanmax(np.nan_to_num(abandon[0])) > 0:
            voice.append(channel)
            band(bottom, HOURS, abandon, col=colour(i), name=text(channel),
                 gid=f"abandon:{channel}")
    top.set_ylabel("contacts offered per hour")
    top.set_ylim(bottom=0)
    top.set_title("Demand: contacts offered per hour, by hour of the week (band: 95% "
                  "confidence interval)", loc="left")
    bottom.set_ylabel("callers who hung up (% of offered)")
    bottom.set_ylim(bottom=0)
    bottom.yaxis.set_major_formatter(PercentFormatter(1))
    bottom.set_title("Abandonment: share of offered calls whose caller hung up before an "
                     "answer" + ("" if voice else " (none)"), loc="left")
    for ax in (top, bottom):
        week_axis(ax)
    top.set_xlabel("")
    handles, labels = top.get_legend_handles_labels()
    fig.legend(handles, [f"channel {x}" for x in labels], loc="outside lower center",
               fontsize=9, frameon=False, ncols=columns(labels))
    return fig


def staff_figure(run: RunResults) -> Figure:
    """Per pool: staff on duty (shaded) against staff busy, by hour of the week."""
    pools = drawn(run.pools)
    fig, axes = plt.subplots(len(pools), 1, figsize=(WIDE, 3.4 * len(pools) + 0.4),
                             layout="constrained", squeeze=False, sharex=True)
    table = run.table("pools_hourly")
    for ax, pool in zip(axes[:, 0], pools, strict=True):
        if table is None:
            continue
        on_duty = column_estimates(by_hour(table, "pool", pool, "staff_on_duty"))
        busy = column_estimates(by_hour(table, "pool", pool, "staff_busy"))
        ax.stairs(on_duty[0], np.arange(HOURS_PER_WEEK + 1), fill=True, color="#cfd8e3",
                  label="staff on duty (average in the hour)", gid=f"on_duty:{pool}")
        band(ax, HOURS, busy, col=PALETTE[0], name="staff busy with contacts",
             gid=f"busy:{pool}")
        week_axis(ax)
        ax.set_ylim(0, max(1.0, float(np.nanmax(np.nan_to_num(on_duty[0])))) * 1.3)
        ax.set_ylabel("staff (people)")
        ax.set_title(f"Pool {text(pool)}: staff on duty and staff busy, by hour of the week "
                     "(where the line meets the top, every person is busy)", loc="left")
        ax.legend(loc="upper left", fontsize=9, ncols=2)
    for ax in axes[:-1, 0]:
        ax.set_xlabel("")
    return fig


def diversions_figure(run: RunResults, table: Table) -> Figure:
    """Per diversion: contacts handed to the partner, and failed handovers, per hour."""
    names = drawn(table.distinct("diversion"))
    fig, axes = plt.subplots(len(names), 1, figsize=(WIDE, 3.4 * len(names) + 0.4),
                             layout="constrained", squeeze=False, sharex=True)
    hours = run.exposure_hours()
    per_hour = np.where(hours > 0, hours, np.nan)
    for ax, name in zip(axes[:, 0], names, strict=True):
        for i, measure in enumerate(("diverted", "failed")):
            matrix = by_hour(table, "diversion", name, measure) / per_hour
            band(ax, HOURS, column_estimates(matrix), col=colour(i + 2),
                 name="handed over (diverted)" if measure == "diverted"
                 else "handover failed (partner closed or busy)", gid=f"{measure}:{name}")
        week_axis(ax)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("contacts per hour")
        ax.set_title(f"Diversion {text(name)}: contacts per hour, by hour of the week",
                     loc="left")
        ax.legend(loc="upper left", fontsize=9, ncols=2)
    for ax in axes[:-1, 0]:
        ax.set_xlabel("")
    return fig


def draw_run(run: RunResults, folder: Path) -> list[Plot]:
    """Save every plot of one run into ``folder/plots`` and describe each."""
    out: list[Plot] = []
    name = [run.name]
    more = not_drawn(run.channels)
    for channel in drawn(run.channels):
        target = target_label(channel, run.targets_s.get(channel, TARGET_S))
        fig = service_level_figure([run], name, channel)
        out.append(Plot(save_figure(fig, folder, f"service_level_{slug(channel)}.png"),
                        f"{channel}: service level by hour of the week",
                        f"Share of {channel} contacts answered within the target, hour by hour "
                        f"through the week (mean over replications, with its 95% confidence "
                        f"band). The dashed line is the {target}.{more}"))
    main = "999" if "999" in run.channels else run.channels[0]
    out.append(Plot(save_figure(heatmap_figure(run, main), folder, f"heatmap_{slug(main)}.png"),
                    f"{main}: service level by day and hour",
                    "The same figures as a grid: each cell is one hour of one day. Red cells "
                    "miss the 90% target and blue ones meet it (figures in bold); the colour "
                    "scale is fixed at 0-100% in every report, so reports laid side by side "
                    "compare."))
    out.append(Plot(save_figure(answer_time_figure([run], name), folder, "answer_times.png"),
                    "How quickly contacts are answered",
                    "For each answer time along the bottom, the share of offered contacts "
                    "answered within it. Callers who hung up are never answered, so a curve "
                    f"levels off below 100%. The dashed line marks the channel's target.{more}"))
    out.append(Plot(save_figure(demand_figure(run), folder, "demand.png"), "Demand and abandonment",
                    "Contacts offered per hour through the week, and the share of calls whose "
                    f"caller hung up before an answer.{more}"))
    diversions = run.table("diversions")
    if diversions is not None and diversions.has("diversion") and diversions.has("hour_of_week"):
        out.append(Plot(save_figure(diversions_figure(run, diversions), folder, "diversions.png"),
                        "Diversions to partners by hour",
                        "Contacts handed over to a partner agency per hour through the week, "
                        "and handovers that failed because the partner was closed or had nobody "
                        "free (the handler then dealt with the contact in full)."
                        + not_drawn(diversions.distinct("diversion"), "diversion")))
    out.extend(draw_calendar(run, folder))
    out.extend(draw_workforce(run, folder))
    out.extend(draw_dispatch(run, folder))
    if run.pools:
        out.append(Plot(save_figure(staff_figure(run), folder, "staff.png"),
                        "Staff on duty and busy",
                        "Shaded: staff on duty (after absence and breaks). Line: staff busy "
                        "with contacts. Where the line meets the shaded top, everyone is busy "
                        "and calls queue: that is where the roster is thin."
                        + not_drawn(run.pools, "pool")))
    return out


#: At most this many channels get a calendar page each (the report stays bounded in size).
MAX_CALENDARS = 6


def daily_service_level(run: RunResults, channel: str) -> tuple[list[datetime.date], np.ndarray]:
    """Dates and mean service level of one channel from daily.csv (empty without a calendar)."""
    table = run.table("daily")
    if table is None or not table.has("date") or not table.has("service_level_mean"):
        return [], np.array([])
    rows = table.where("channel", channel)
    return ([datetime.date.fromisoformat(d) for d in rows.text("date")],
            rows.numbers("service_level_mean"))


def draw_calendar(run: RunResults, folder: Path) -> list[Plot]:
    """Service level by date, one calendar per channel, for runs pinned to real dates."""
    out: list[Plot] = []
    holidays = {datetime.date.fromisoformat(d) for d in run.bank_holidays}
    for channel in run.channels[:MAX_CALENDARS]:
        dates, values = daily_service_level(run, channel)
        if not dates:
            continue
        target = run.targets_s.get(channel, TARGET_S)
        fig = calendar_heatmap_figure(
            dates, values, TARGET_SL,
            text(f"{channel}: service level by date ({target_label(channel, target)})"),
            holidays=holidays)
        out.append(Plot(save_figure(fig, folder, f"calendar_{slug(channel)}.png"),
                        f"{channel}: service level by date",
                        f"Each cell is one day (mean over replications): blue days meet "
                        f"{100 * TARGET_SL:.0f}% within {fmt_target(target)}, orange and red "
                        "days miss it; outlined cells are weekends, flagged ones bank "
                        "holidays." + not_drawn(run.channels, most=MAX_CALENDARS)))
    return out
