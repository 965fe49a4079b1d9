"""Service level by date: the calendar page of a report, read at a glance.

A planner with a year's run wants two things from it: which days missed the target, and
whether the misses cluster (every Friday in August, the week after Christmas). The picture is a
wall calendar: one row per month, the days of the month across, each day coloured by its
service level, on the fixed scale of every report's heatmaps
(:mod:`contactsim.present.service_colours`: 0-100%, split at the target), so two reports can be
laid side by side. Weekends are outlined and bank holidays flagged, because they
are the days a planner expects to look different.

Only arrays go in (dates and values, already read from the saved tables) and a matplotlib
:class:`~matplotlib.figure.Figure` comes out, built without pyplot so nothing global changes.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Polygon, Rectangle

from contactsim.calendar import MONTH_NAMES
from contactsim.present.service_colours import (
    percent_floor,
    scale_label,
    service_colorbar,
    service_image,
    text_colour,
)

DAYS_ACROSS = 31
WIDTH_IN = 11.0
ROW_IN = 0.36  # tall enough for a two-digit figure in every cell
EMPTY_COLOUR = "#e6e6e6"  # a date in the run's months that has no value
WEEKEND_EDGE = "#333333"
HOLIDAY_MARK = "#222222"


def _text(s: str) -> str:
    """User text made safe for matplotlib, which would read ``$...$`` as mathematics."""
    return s.replace("$", r"\$")


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
    _empty_cells(ax, months, grid)
    image = service_image(ax, grid, target, aspect="auto", zorder=2)
    image.set_gid("calendar")
    _figures(ax, grid, image)
    _weekends_and_holidays(ax, months, grid, holidays)
    _axes(ax, months)
    notes = ["outlined = Saturday or Sunday", *(["◤ = bank holiday"] if holidays else []),
             "grey = no figure"]
    service_colorbar(fig, image, target, scale_label("service level", target, notes), ax=ax,
                     orientation="horizontal",
                     location="bottom", fraction=0.9 / (2 + len(months)), pad=0.02, aspect=60,
                     shrink=0.7)
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


def _figures(ax: Axes, grid: np.ndarray, image: AxesImage) -> None:
    """Each day's percentage in its cell, white on the darker colours."""
    size = 7.5 if grid.shape[0] <= 6 else 7.0
    for (row, col), value in np.ndenumerate(grid):
        if math.isfinite(value):
            ax.text(col, row, f"{percent_floor(value):d}", ha="center", va="center",
                    fontsize=size, color=text_colour(image, value), zorder=4)


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
