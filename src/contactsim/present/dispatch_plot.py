"""Incidents waiting for an officer, by hour of the week: the report's officers picture.

The dispatch table gives attendance by grade over the whole run; this plot shows *when* the
officers fall behind. It draws ``dispatch_hourly.csv`` (the mean number of incidents waiting for
an officer in each hour of the week, per replication) as the mean over replications with its 95%
band, so a planner sees the hours in which incidents queue, and so callers chase, beside the
rosters they would change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from contactsim.present.drawing import (
    HOURS,
    WIDE,
    Plot,
    band,
    colour,
    columns,
    drawn,
    not_drawn,
    save_figure,
    text,
    week_axis,
)
from contactsim.results.read import RunResults, Table, column_estimates, hourly_matrix

DISPATCH_PNG = "dispatch_waiting.png"
MEASURE = "incidents_waiting"


def dispatch_figure(tables: Sequence[Table], names: Sequence[str] = ()) -> Figure:
    """Mean incidents waiting for an officer by hour of the week, with its 95% band: one line
    per run (``names`` label them when there are several)."""
    fig, ax = plt.subplots(figsize=(WIDE, 3.8 if len(tables) == 1 else 4.4),
                           layout="constrained")
    top = 0.0
    for i, table in enumerate(tables):
        est = column_estimates(hourly_matrix(table, MEASURE))
        name = text(names[i]) if len(tables) > 1 else "incidents waiting for an officer (mean)"
        band(ax, HOURS, est, col=colour(i), name=name, gid=f"mean:{MEASURE}:{i}")
        tops = np.concatenate([est[0], est[2]])  # (one replication: no interval)
        if np.isfinite(tops).any():
            top = max(top, float(np.nanmax(tops)))
    week_axis(ax)
    ax.set_ylim(0, max(1.0, top * 1.15))
    ax.set_ylabel("incidents waiting")
    ax.set_title("Incidents waiting for an officer, by hour of the week (95% band over "
                 "replications)", loc="left")
    if len(tables) == 1:
        ax.legend(loc="upper left", fontsize=9)
    else:
        labels = ax.get_legend_handles_labels()[1]
        fig.legend(loc="outside lower center", fontsize=9, frameon=False,
                   ncols=columns(labels))
    return fig


def _table(run: RunResults) -> Table | None:
    table = run.table("dispatch_hourly")
    return table if table is not None and len(table) and table.has(MEASURE) else None


def run_figure(run: RunResults) -> tuple[Figure, list[str]] | None:
    """A run's officers plot (None without officers) and the areas it draws a line for: the
    whole force's line, then, with areas, one for each (``dispatch_areas_hourly.csv``)."""
    table = _table(run)
    if table is None:
        return None
    areas = run.table("dispatch_areas_hourly")
    names = drawn(areas.distinct("area")) if areas is not None and areas.has("area") else []
    tables = [table, *(areas.where("area", a) for a in names if areas is not None)]
    return dispatch_figure(tables, ["the whole force", *(f"area {a}" for a in names)]), names


def draw_dispatch(run: RunResults, folder: Path) -> list[Plot]:
    """The officers' plot, for a run with officers."""
    found = run_figure(run)
    if found is None:
        return []
    fig, names = found
    by_area = ""
    areas = run.table("dispatch_areas_hourly")
    if names and areas is not None:
        by_area = (" One line for the whole force and one for each area (an area's incidents "
                   "wait for its own officers); the areas' lines add up to the force's."
                   + not_drawn(areas.distinct("area"), "area"))
    return [Plot(save_figure(fig, folder, DISPATCH_PNG),
                 "Incidents waiting for an officer",
                 "Incidents answered and graded but with no officer yet sent, on average in "
                 "each hour of the week (the mean over replications with its 95% band). Where "
                 "the line rises, every officer on duty is busy: incidents queue by grade, "
                 "attendance slips and callers ring again." + by_area)]


def draw_compare_dispatch(runs: Sequence[RunResults], folder: Path) -> list[Plot]:
    """The officers' plot of a comparison: one line per scenario, when every one has
    officers."""
    tables = [_table(run) for run in runs]
    if len(runs) < 2 or any(t is None for t in tables):
        return []
    fig = dispatch_figure([t for t in tables if t is not None], [r.name for r in runs])
    return [Plot(save_figure(fig, folder, DISPATCH_PNG), "Incidents waiting for an officer",
                 "Incidents with no officer yet sent, on average in each hour of the week: "
                 "one line per scenario, with its 95% band. Fewer waiting means faster "
                 "attendance and fewer callers ringing again.")]
