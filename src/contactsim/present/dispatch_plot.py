"""Incidents waiting for an officer, by hour of the week: the report's officers picture.

The dispatch table gives attendance by grade over the whole run; this plot shows *when* the
officers fall behind. It draws ``dispatch_hourly.csv`` (the mean number of incidents waiting for
an officer in each hour of the week, per replication) as the mean over replications with its 95%
band, so a planner sees the hours in which incidents queue, and so callers chase, beside the
rosters they would change.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from contactsim.present.drawing import HOURS, PALETTE, WIDE, Plot, band, save_figure, week_axis
from contactsim.results.read import RunResults, Table, column_estimates, hourly_matrix

DISPATCH_PNG = "dispatch_waiting.png"
MEASURE = "incidents_waiting"


def dispatch_figure(table: Table) -> Figure:
    """Mean incidents waiting for an officer by hour of the week, with its 95% band."""
    fig, ax = plt.subplots(figsize=(WIDE, 3.8), layout="constrained")
    est = column_estimates(hourly_matrix(table, MEASURE))
    band(ax, HOURS, est, col=PALETTE[5], name="incidents waiting for an officer (mean)",
         gid=f"mean:{MEASURE}")
    week_axis(ax)
    top = float(np.nanmax(est[2])) if np.isfinite(est[2]).any() else 0.0
    ax.set_ylim(0, max(1.0, top * 1.15))
    ax.set_ylabel("incidents waiting")
    ax.set_title("Incidents waiting for an officer, by hour of the week (95% band over "
                 "replications)", loc="left")
    ax.legend(loc="upper left", fontsize=9)
    return fig


def draw_dispatch(run: RunResults, folder: Path) -> list[Plot]:
    """The officers' plot, for a run with officers (``dispatch_hourly.csv``)."""
    table = run.table("dispatch_hourly")
    if table is None or not len(table) or not table.has(MEASURE):
        return []
    return [Plot(save_figure(dispatch_figure(table), folder, DISPATCH_PNG),
                 "Incidents waiting for an officer",
                 "Incidents answered and graded but with no officer yet sent, on average in "
                 "each hour of the week (the mean over replications with its 95% band). Where "
                 "the line rises, every officer on duty is busy: incidents queue by grade, "
                 "attendance slips and callers ring again.")]
