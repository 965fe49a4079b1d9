"""Service level by date: the calendar page of a report, read at a glance.

A planner with a year's run wants two things from it: which days missed the target, and
whether the misses cluster (every Friday in August, the week after Christmas). The picture is a
wall calendar: one row per month, the days of the month across, each day coloured by its
service level. Colours split at the target: days that miss it are orange to dark red, days that
meet it light to dark blue (a blue-orange split stays clear for colour-blind readers), with no
near-white middle, so 89% and 91% never look alike. The scale is fixed at 0-100%, so two
reports can be laid side by side. Weekends are outlined and bank holidays flagged, because they
are the days a planner expects to look different.

Only arrays go in (dates and values, already read from the saved tables) and a matplotlib
:class:`~matplotlib.figure.Figure` comes out, built without pyplot so nothing global changes.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection, Sequence

import matplotlib.colors as mcolors
import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

from contactsim.calendar import MONTH_NAMES

DAYS_ACROSS = 31
WIDTH_IN = 11.0
ROW_IN = 0.36  # tall enough for a two-digit figure in every cell
EMPTY_COLOUR = "#e6e6e6"  # a date in the run's months that has no value
WEEKEND_EDGE = "#333333"
HOLIDAY_MARK = "#222222"


def _text(s: str) -> str:
    """User text made safe for matplotlib, which would read ``$...$`` as mathematics."""
    return s.replace("$", r"\$")


def _split_colours() -> mcolors.Colormap:
    # ColorBrewer RdBu without its pale middle: the lower half (misses) runs dark red to light
    # orange, the upper half (meets) light to dark blue, so the target is a change of hue.
    # Missing values are transparent: empty dates are drawn underneath as grey cells.
    base = colormaps["RdBu"]
    return mcolors.ListedColormap(np.vstack([base(np.linspace(0.0, 0.36, 128)),
                                             base(np.linspace(0.64, 1.0, 128))]),
                                  name="service_split").with_extremes(bad="none")


def _service_norm(target: float) -> mcolors.Normalize:
    """A fixed mapping of 0-100% onto the colours, with the target at the split.

    Service levels far below target are rare and all equally bad, so 0% to two thirds of the
    target share the darkest tenth of the scale; the rest of the red half is spread over the
    range where days actually fall (60-90% for a 90% target), and the blue half over the
    target to 100%. The mapping depends only on the target, so reports compare.
    """
    split = min(max(target, 1e-6), 1 - 1e-6)  # a 0% or 100% target still splits the scale
    values = [0.0, split * 2 / 3, split, 1.0]
    places = [0.0, 0.1, 0.5, 1.0]

    def forward(x: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(x, values, places), dtype=float)

    def inverse(y: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(y, places, values), dtype=float)

    return mcolors.FuncNorm((forward, inverse), vmin=0.0, vmax=1.0, clip=True)


def _bar_ticks(target: float) -> list[float]:
    """0%, every 10% over the spread-out part of the red half, the target, every 5% above."""
    tens = [t / 10 for t in range(11) if target * 2 / 3 - 1e-9 <= t / 10 < target]
    fives = [t / 20 for t in range(21) if t / 20 > target]
    near = [t for t in tens + fives if abs(t - target) < 0.02]  # would print over the target
    return sorted({0.0, target, 1.0, *tens, *fives} - set(near))


def _months(dates: Sequence[datetime.date]) -> list[tuple[int, int]]:
    """Every (year, month) from the first date's month to the last's, gaps included."""
    first, last = min(dates), max(dates)
    spanned = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        spanned.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return spanned


def _days_in(year: int, month: int) -> int:
    following = datetime.date(year + 1, 1, 1) if month == 12 else datetime.date(year, month + 1, 1)
    return (following - datetime.date(year, month, 1)).days


def calendar_heatmap_figure(dates: Sequence[datetime.date], values: np.ndarray, target: float,
                            title: str, *,
                            holidays: Collection[datetime.date] = ()) -> Figure:
    """Service level (a share, 0-1) of each date, one row per month spanned, days 1-31 across.

    The colour scale is fixed at 0-100% and splits at ``target``. Each cell shows its whole
    percentage rounded down, so a day just short of 90% never reads "90". Dates of the months
    spanned that have no value (not simulated, or NaN) are grey; weekends are outlined and
    ``holidays`` carry a corner flag. The image has gid ``"calendar"`` and its rows are the
    months in order, so tests can read back what was drawn.
    """
    values = np.asarray(values, dtype=float)
    if len(dates) != values.size:
        raise ValueError(f"{len(dates)} dates but {values.size} values")
    if not dates:
        raise ValueError("no dates to draw")
    months = _months(dates)
    row_of = {ym: i for i, ym in enumerate(months)}
    grid = np.full((len(months), DAYS_ACROSS), math.nan)
    for day, value in zip(dates, values.tolist(), strict=True):
        grid[row_of[(day.year, day.month)], day.day - 1] = value

    fig = Figure(figsize=(WIDTH_IN, 1.9 + ROW_IN * len(months)), layout="constrained")
    ax = fig.add_subplot()
    norm = _service_norm(target)
    cmap = _split_colours()
    _empty_cells(ax, months, grid)
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto",
                      interpolation="nearest", zorder=2)
    image.set_gid("calendar")
    _figures(ax, grid, norm, cmap)
    _weekends_and_holidays(ax, months, grid, holidays)
    _axes(ax, months)
    bar = fig.colorbar(image, ax=ax, orientation="horizontal", location="bottom",
                       fraction=0.9 / (2 + len(months)), pad=0.02, aspect=60, shrink=0.7)
    ticks = _bar_ticks(target)
    bar.set_ticks(ticks, labels=[f"{100 * t:g}%" for t in ticks])
    bar.ax.axvline(target, color="black", linewidth=2.0)
    bar.set_label(f"service level: red misses the {100 * target:g}% target (black line), "
                  "blue meets it;  outlined = Saturday or Sunday"
                  + (";  ◤ = bank holiday" if holidays else "")
                  + ";  grey = no figure")
    ax.set_title(_text(title), loc="left")
    known = values[np.isfinite(values)]
    ax.set_title(f"{int(np.sum(known >= target))} of {known.size} days meet the target",
                 loc="right", fontsize="medium")
    return fig


def _empty_cells(ax: Axes, months: Sequence[tuple[int, int]], grid: np.ndarray) -> None:
    cells = [Rectangle((col - 0.5, row - 0.5), 1, 1)
             for row, (year, month) in enumerate(months)
             for col in range(_days_in(year, month)) if not math.isfinite(grid[row, col])]
    ax.add_collection(PatchCollection(cells, facecolor=EMPTY_COLOUR, edgecolor="none",
                                      zorder=1))


def _figures(ax: Axes, grid: np.ndarray, norm: mcolors.Normalize,
             cmap: mcolors.Colormap) -> None:
    """Each day's percentage in its cell, white on the darker colours."""
    size = 7.5 if grid.shape[0] <= 6 else 7.0
    for (row, col), value in np.ndenumerate(grid):
        if math.isfinite(value):
            red, green, blue, _ = cmap(norm(value))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.55
            ax.text(col, row, f"{math.floor(100 * value + 1e-9):d}", ha="center", va="center",
                    fontsize=size, color="white" if dark else "black", zorder=4)


def _weekends_and_holidays(ax: Axes, months: Sequence[tuple[int, int]], grid: np.ndarray,
                           holidays: Collection[datetime.date]) -> None:
    # Only days with a figure are outlined: on grey filler the outlines are just clutter.
    outlines, flags = [], []
    for row, (year, month) in enumerate(months):
        for col in range(_days_in(year, month)):
            day = datetime.date(year, month, col + 1)
            if day.weekday() >= 5 and math.isfinite(grid[row, col]):
                # On the cell's edge, inside the white gap, so it shows on every colour.
                outlines.append(Rectangle((col - 0.5, row - 0.5), 1, 1))
            if day in holidays:
                flags.append(Polygon([(col - 0.5, row - 0.5), (col - 0.1, row - 0.5),
                                      (col - 0.5, row - 0.1)]))
    ax.add_collection(PatchCollection(outlines, facecolor="none", edgecolor=WEEKEND_EDGE,
                                      linewidth=1.3, zorder=3))
    ax.add_collection(PatchCollection(flags, facecolor=HOLIDAY_MARK, edgecolor="none",
                                      zorder=5))


def _axes(ax: Axes, months: Sequence[tuple[int, int]]) -> None:
    ax.set_xlim(-0.5, DAYS_ACROSS - 0.5)
    ax.set_ylim(len(months) - 0.5, -0.5)  # first month at the top, as on a wall calendar
    ax.set_xticks(range(DAYS_ACROSS), labels=[str(d) for d in range(1, DAYS_ACROSS + 1)])
    ax.set_yticks(range(len(months)),
                  labels=[f"{MONTH_NAMES[m - 1][:3]} {y}" for y, m in months])
    ax.tick_params(length=0, labeltop=len(months) > 4)
    # White gaps between cells keep neighbouring days apart.
    ax.set_xticks(np.arange(-0.5, DAYS_ACROSS), minor=True)
    ax.set_yticks(np.arange(-0.5, len(months)), minor=True)
    ax.grid(which="minor", color="white", linewidth=2.0)
    ax.tick_params(which="minor", length=0)
    ax.set_axisbelow(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("day of the month")


def worst_days(dates: Sequence[datetime.date], values: np.ndarray,
               n: int = 10) -> list[tuple[datetime.date, float]]:
    """The ``n`` dates with the lowest values, lowest first; NaN is skipped, ties go by date."""
    if len(dates) != len(values):
        raise ValueError(f"{len(dates)} dates but {len(values)} values")
    known = [(float(v), d) for d, v in zip(dates, np.asarray(values, dtype=float).tolist(),
                                           strict=True) if math.isfinite(v)]
    known.sort()
    return [(d, v) for v, d in known[:max(n, 0)]]
