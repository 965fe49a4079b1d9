"""Plots of a comparison, a sweep and a staffing plan, drawn from their saved tables only.

Scenarios side by side keep one colour each throughout (the base first), changes are drawn with
their 95% intervals against a zero line, and a sweep's answer (where the target is met) is
marked on its plot. Shared axes, colours and saving come from :mod:`contactsim.present.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # never needs a display, whichever plot module is imported first

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from contactsim.analysis.stats import Estimate
from contactsim.config.loading import parse_value

#: Okabe & Ito's colour-blind-safe palette, in the order scenarios (or channels) take it.
from contactsim.present.dispatch_plot import draw_compare_dispatch
from contactsim.present.plots import (
    TARGET_COLOUR,
    WIDE,
    Plot,
    answer_time_figure,
    band,
    colour,
    columns,
    drawn,
    floor_of,
    heatmap_colorbar,
    label_cells,
    not_drawn,
    percent_axis,
    save_figure,
    service_level_figure,
    shares,
    target_line,
    text,
)
from contactsim.present.service_colours import service_image
from contactsim.present.words import (
    fmt_target,
    is_share,
    label,
    target_label,
    unit_of,
)
from contactsim.results.read import (
    HEADLINE,
    Band,
    CompareResults,
    RunResults,
    SweepResults,
    Table,
    slug,
)
from contactsim.standard import TARGET_S, TARGET_SL

# --- a comparison ---------------------------------------------------------------------------


def bars_figure(runs: Sequence[RunResults], names: Sequence[str]) -> Figure:
    """Headline measures per channel (and pool utilisation), one bar per scenario, CI whiskers."""
    channels = drawn([c for c in runs[0].channels if all(c in r.channels for r in runs)])
    rows = len(channels) + 1
    fig, axes = plt.subplots(rows, 3, figsize=(WIDE, 2.6 * rows + 0.8), layout="constrained",
                             squeeze=False)
    for row, channel in enumerate(channels):
        for col, measure in enumerate(HEADLINE):
            ests = [r.measured.channels[channel][measure] for r in runs]
            _bars(axes[row, col], ests, measure, f"{text(channel)}: {label(measure)}")
            if measure == "service_level":
                target_line(axes[row, col], 100 * TARGET_SL, "90%")
                axes[row, col].set_ylim(0, 105)
    _pool_bars(axes[-1], runs)
    handles = [Rectangle((0, 0), 1, 1, color=colour(i)) for i in range(len(runs))]
    fig.legend(handles, [text(n) for n in names], loc="outside lower center",
               ncols=columns(names), fontsize=9, frameon=False)
    return fig


UNIT_WORDS = {"%": "%", " pts": "percentage points", " s": "seconds", " min": "minutes",
              " h": "hours", "": ""}


def scaled(measure: str, values: Sequence[float], *, signed: bool = False) -> tuple[float, str]:
    """The divisor and unit words to draw a measure in (shares as %, long times in hours)."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    divisor, unit, _ = unit_of(measure, max(finite, default=0.0), signed=signed)
    return divisor, UNIT_WORDS.get(unit, unit.strip())


def _bars(ax: Axes, ests: Sequence[Estimate], measure: str, title: str) -> None:
    """One bar per scenario with its 95% interval as a whisker."""
    means = np.array([e.mean for e in ests])
    ax.set_title(title, fontsize=9.5, loc="left")
    if not np.nan_to_num(means).any():
        ax.text(0.5, 0.5, "none in any scenario", transform=ax.transAxes, ha="center",
                color="#555555")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    divisor, unit = scaled(measure, list(means))
    err = np.nan_to_num(np.vstack([means - [e.ci_low for e in ests],
                                   [e.ci_high for e in ests] - means])) / divisor
    ax.bar(np.arange(len(ests)), means / divisor, color=[colour(i) for i in range(len(ests))],
           yerr=err, capsize=4, gid=f"bars:{measure}",
           error_kw={"elinewidth": 1.2, "ecolor": "#333333"})
    ax.set_xticks([])
    ax.grid(axis="y", color="#e4e4e4", linewidth=0.6)
    ax.set_axisbelow(True)
    if unit == "%":
        ax.yaxis.set_major_formatter(PercentFormatter(100))
    else:
        ax.set_ylabel(unit)


def _pool_bars(axes: Sequence[Axes], runs: Sequence[RunResults]) -> None:
    pools = [p for p in runs[0].pools if all(p in r.pools for r in runs)][:2]
    for ax, pool in zip(axes, pools, strict=False):
        _bars(ax, [r.measured.pools[pool].utilisation for r in runs], "utilisation",
              f"pool {text(pool)}: utilisation")
    spare = list(axes[len(pools):])
    officer = [r.measured.officer_hours for r in runs]
    if spare and any(math.isfinite(e.mean) and e.mean > 0 for e in officer):
        _bars(spare.pop(0), officer, "officer_hours", "officer hours per day")
    for ax in spare:
        ax.set_axis_off()


def difference_figure(result: CompareResults) -> Figure:
    """Each scenario's change against the first in the headline measures, with 95% intervals."""
    diffs = result.differences
    channels = drawn([c for c in result.runs[0].channels
                      if c in diffs.where("kind", "channel").distinct("name")])
    fig, axes = plt.subplots(len(channels), 3, figsize=(WIDE, 1.2 + 0.55 * len(result.runs)
                                                        * len(channels) + 1.0),
                             layout="constrained", squeeze=False)
    others = result.labels[1:]
    for row, channel in enumerate(channels):
        rows = diffs.where("kind", "channel").where("name", channel)
        for col, measure in enumerate(HEADLINE):
            _difference_panel(axes[row, col], rows.where("measure", measure), others, measure)
            axes[row, col].set_title(f"{text(channel)}: {label(measure)}", fontsize=9.5,
                                     loc="left")
        # each row of dots is named where it starts, as in the legend
        axes[row, 0].set_yticks(range(len(others)), labels=[_short(text(n)) for n in others],
                                fontsize=9)
    handles = [Line2D([], [], color=colour(i + 1), marker="o") for i in range(len(others))]
    names = [text(f"{lab}: {r.name}" if lab != r.name else r.name)
             for lab, r in zip(others, result.runs[1:], strict=True)]
    fig.legend(handles, names, loc="outside lower center", ncols=columns(names),
               fontsize=9, frameon=False,
               title=f"change against {text(result.runs[0].name)} (95% confidence interval)",
               title_fontsize=9)
    return fig


def _short(name: str, most: int = 28) -> str:
    """A scenario's name cut to fit beside a chart (the legend gives it whole)."""
    return name if len(name) <= most else name[: most - 3].rstrip() + "..."


def _difference_panel(ax: Axes, rows: Table, others: Sequence[str], measure: str) -> None:
    """One dot and whisker per scenario: its change against the base."""
    divisor, unit = scaled(measure, [*rows.numbers("ci_low"), *rows.numbers("ci_high")],
                           signed=True)
    for i, name in enumerate(others):
        row = rows.where("scenario", name)
        if not len(row):
            continue
        mean, low, high = (float(row.numbers(c)[0]) / divisor
                           for c in ("difference", "ci_low", "ci_high"))
        err = [[max(0.0, mean - low)], [max(0.0, high - mean)]] if math.isfinite(low) else None
        ax.errorbar([mean], [i], xerr=err, fmt="o", color=colour(i + 1), capsize=4,
                    gid=f"diff:{measure}:{name}")
    ax.axvline(0, color=TARGET_COLOUR, linewidth=1)
    if not np.nan_to_num(np.abs([*rows.numbers("ci_low"), *rows.numbers("ci_high")])).any():
        ax.text(0.97, 0.04, "none in any scenario", transform=ax.transAxes, ha="right",
                va="bottom", color="#555555")
    ax.set_yticks([])
    ax.set_ylim(-0.7, len(others) - 0.3)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6)
    ax.set_xlabel(f"change, {unit}" if unit else "change")


def draw_compare(result: CompareResults, folder: Path) -> list[Plot]:
    """Save the comparison plots into ``folder/plots`` and describe each."""
    runs, names = result.runs, [r.name for r in result.runs]
    out: list[Plot] = []
    base = names[0]
    common = [c for c in runs[0].channels if all(c in r.channels for r in runs)]
    more = not_drawn(common)
    if len(runs) > 1:
        out.append(Plot(save_figure(difference_figure(result), folder, "differences.png"),
                        f"What changes against {base}",
                        "Each dot is a scenario's change against the first scenario; the "
                        "whisker is its 95% confidence interval. A whisker that does not cross "
                        f"the zero line is a clear change.{more}"))
    for channel in drawn(common):
        fig = service_level_figure(runs, names, channel)
        out.append(Plot(save_figure(fig, folder, f"service_level_{slug(channel)}.png"),
                        f"{channel}: service level by hour of the week",
                        "One line per scenario, with its 95% confidence band; the dashed line "
                        f"is the target.{more}"))
    out.append(Plot(save_figure(answer_time_figure(runs, names), folder, "answer_times.png"),
                    "How quickly contacts are answered",
                    "Share of offered contacts answered within each answer time, one line per "
                    f"scenario; the dashed line marks each channel's target.{more}"))
    out.append(Plot(save_figure(bars_figure(runs, names), folder, "headline.png"),
                    "Headline measures",
                    "Each bar is one scenario's mean over replications; whiskers are 95% "
                    f"confidence intervals.{more}"))
    out.extend(draw_compare_dispatch(runs, folder))
    return out


# --- a sweep --------------------------------------------------------------------------------


def sweep_axis(values: Sequence[str]) -> tuple[np.ndarray, list[str] | None]:
    """Numeric values sit at their value; anything else at evenly spaced, labelled positions."""
    parsed = [parse_value(v) for v in values]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in parsed):
        return np.array(parsed, dtype=float), None
    return np.arange(len(values), dtype=float), list(values)


def sweep_estimates(rows: Table, key: str, values: Sequence[str], measure: str) -> Band:
    """A measure's mean and interval at each value of ``key`` (rows of one channel or pool)."""
    picked = [rows.where(key, v) for v in values]

    def part(name: str) -> np.ndarray:
        return np.array([float(p.numbers(f"{measure}_{name}")[0]) if len(p) else math.nan
                         for p in picked])

    return part("mean"), part("ci_low"), part("ci_high")


def sweep_figure(sweep: SweepResults) -> Figure:
    """One key: each headline measure of each channel against the value, with bands."""
    key, channels = sweep.keys[0], drawn(sweep.channels)
    values = sweep.values(key)
    x, names = sweep_axis(values)
    fig, axes = plt.subplots(len(channels), 3, figsize=(WIDE, 2.9 * len(channels) + 0.6),
                             layout="constrained", squeeze=False)
    for row, channel in enumerate(channels):
        for col, measure in enumerate(HEADLINE):
            ax = axes[row, col]
            est = sweep_estimates(sweep.table.where("channel", channel), key, values, measure)
            _sweep_panel(ax, x, est, measure, row, channel)
            _value_ticks(ax, x, names)
            if measure == "service_level":
                target_line(ax, TARGET_SL, target_label(channel,
                                                        sweep.targets_s.get(channel, TARGET_S)))
                percent_axis(ax, floor_of(est[1]))
                ax.legend(loc="best", fontsize=8, handles=ax.get_lines()[-1:])
    fig.supxlabel(f"{text(key)} (the value varied)", fontsize=10)
    return fig


def _sweep_panel(ax: Axes, x: np.ndarray, est: Band, measure: str, i: int,
                 channel: str) -> None:
    """One measure against the value varied: in %, or in seconds, minutes or hours."""
    if is_share(measure):
        est = shares(est)
        divisor, unit = 1.0, "%"
    else:
        divisor, unit = scaled(measure, list(est[2]))
    band(ax, x, (est[0] / divisor, est[1] / divisor, est[2] / divisor), col=colour(i),
         name=text(channel), gid=f"sweep:{channel}:{measure}", marker="o", markersize=4)
    ax.set_title(f"{text(channel)}: {label(measure)}", fontsize=9.5, loc="left")
    ax.grid(color="#e4e4e4", linewidth=0.6)
    if unit == "%":
        ax.yaxis.set_major_formatter(PercentFormatter(1))
    else:
        ax.set_ylabel(unit)
    if not np.nan_to_num(est[0]).any():
        ax.text(0.5, 0.6, "none at any value", transform=ax.transAxes, ha="center",
                color="#555555")
        ax.set_yticks([])


def _value_ticks(ax: Axes, x: np.ndarray, names: list[str] | None) -> None:
    ax.set_xticks(x, labels=[text(n) for n in names] if names else [f"{v:g}" for v in x])
    if len(x) > 6:
        ax.tick_params(axis="x", labelrotation=45)


def sweep_heatmap_figure(sweep: SweepResults, channel: str) -> Figure:
    """Two keys: the channel's service level at every pair of values."""
    k1, k2 = sweep.keys[:2]
    v1, v2 = sweep.values(k1), sweep.values(k2)
    rows = sweep.table.where("channel", channel)
    grid = np.full((len(v2), len(v1)), math.nan)
    for i, b in enumerate(v2):
        for j, a in enumerate(v1):
            cell = rows.where(k1, a).where(k2, b)
            if len(cell):
                grid[i, j] = float(cell.numbers("service_level_mean")[0])
    target_s = sweep.targets_s.get(channel, TARGET_S)
    fig, ax = plt.subplots(figsize=(max(7.5, min(WIDE, 2.5 + 1.0 * len(v1)) + 1.5),
                                    2.8 + 0.55 * len(v2)), layout="constrained")
    image = service_image(ax, grid, TARGET_SL, aspect="auto", origin="lower")
    image.set_gid(f"heatmap:{channel}")
    label_cells(ax, image, grid, decimals=1, fontsize=9)
    ax.set_xticks(range(len(v1)), labels=[text(v) for v in v1])
    ax.set_yticks(range(len(v2)), labels=[text(v) for v in v2])
    ax.set_xlabel(text(k1))
    ax.set_ylabel(text(k2))
    heatmap_colorbar(fig, image, grid, target_s, ax=ax, fraction=0.08, pad=0.03)
    ax.set_title(f"{text(channel)}: % answered within {fmt_target(target_s)}\n(figures in "
                 f"bold meet the {100 * TARGET_SL:.0f}% target)", loc="left", fontsize=10)
    return fig


def sweep_pools_figure(sweep: SweepResults, pools: Table) -> Figure:
    """One key: each pool's utilisation against the value."""
    key = sweep.keys[0]
    values = sweep.values(key)
    x, names = sweep_axis(values)
    fig, ax = plt.subplots(figsize=(WIDE, 4), layout="constrained")
    for i, pool in enumerate(drawn(pools.distinct("pool"))):
        est = sweep_estimates(pools.where("pool", pool), key, values, "utilisation")
        band(ax, x, est, col=colour(i), name=f"pool {text(pool)}", gid=f"sweep:{pool}",
             marker="o", markersize=4)
    _value_ticks(ax, x, names)
    ax.yaxis.set_major_formatter(PercentFormatter(1))
    ax.grid(color="#e4e4e4", linewidth=0.6)
    ax.set_xlabel(f"{text(key)} (the value varied)")
    ax.set_ylabel("utilisation (busy / on duty)")
    ax.set_title("Staff utilisation: share of time on duty spent busy", loc="left")
    ax.legend(loc="best", fontsize=9)
    return fig


def draw_sweep(sweep: SweepResults, folder: Path) -> list[Plot]:
    """Save the sweep plots into ``folder/plots`` and describe each."""
    out: list[Plot] = []
    more = not_drawn(sweep.channels)
    if len(sweep.keys) == 1:
        key = sweep.keys[0]
        out.append(Plot(save_figure(sweep_figure(sweep), folder, "sweep.png"),
                        f"Headline measures against {key}",
                        "Each point is one run of the scenario with the value along the "
                        "bottom; the band is the 95% confidence interval and the dashed line "
                        f"the target.{more}"))
        if sweep.pools is not None:
            out.append(Plot(save_figure(sweep_pools_figure(sweep, sweep.pools), folder,
                                  "sweep_utilisation.png"), f"Utilisation against {key}",
                            "Share of staff time on duty spent busy, per pool."
                            + not_drawn(sweep.pools.distinct("pool"), "pool")))
        return out
    for channel in drawn(sweep.channels):
        fig = sweep_heatmap_figure(sweep, channel)
        out.append(Plot(save_figure(fig, folder, f"sweep_heatmap_{slug(channel)}.png"),
                        f"{channel}: service level at every pair of values",
                        "Each cell is one run; red misses the 90% target, blue (bold "
                        "figures) meets it, on the colour scale every report uses (fixed at "
                        f"0-100%).{more}"))
    return out


# --- staffing -------------------------------------------------------------------------------
