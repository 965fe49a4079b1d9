"""The staff folder's plot: the requirement against today's roster by hour of the week.

Drawn from the saved folder only (``staffing.csv`` and ``staffing.json``), so ``contactsim plot``
redraws it without simulating. The gap between today's roster and the requirement is shaded:
green where today's roster has people to spare (surplus), red where it is short (deficit).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from contactsim.present.plots import WIDE, Plot, colour, save_figure, text, week_axis
from contactsim.present.words import fmt_target
from contactsim.results.read import Table
from contactsim.results.staff_result import read_staff
from contactsim.timebase import HOURS_PER_WEEK

SURPLUS, DEFICIT = "#9fd3a8", "#f2a3a3"


def staffing_figure(table: Table, title: str, suggested: Sequence[float] | None = None,
                    ) -> Figure:
    """People to roster by hour of the week: the requirement (checked by simulation), today's
    roster with its surplus and deficit shaded, the formula (from ``staffing.csv``) and the
    suggested roster (from ``staffing.json``), when given."""
    order = np.argsort(table.numbers("hour_of_week"), kind="stable")
    edges = np.arange(HOURS_PER_WEEK + 1)
    fig, ax = plt.subplots(figsize=(WIDE, 5.0), layout="constrained")
    rostered = table.numbers("rostered")[order]
    required = table.numbers("required")[order]
    x = np.repeat(edges, 2)[1:-1]
    low, high = np.repeat(np.fmin(rostered, required), 2), np.repeat(rostered, 2)
    need = np.repeat(required, 2)
    ax.fill_between(x, need, high, where=high >= need, color=SURPLUS, step=None,
                    label="today's roster above the requirement (surplus)", gid="surplus")
    ax.fill_between(x, low, need, where=high < need, color=DEFICIT,
                    label="today's roster below it (deficit)", gid="deficit")
    ax.stairs(rostered, edges, baseline=None, color="#5a6b7d", linewidth=1.0,
              label="rostered today (average in the hour)", gid="rostered")
    ax.stairs(table.numbers("erlang_a")[order], edges, baseline=None, color=colour(1),
              linewidth=1.4, linestyle="--",
              label="formula (modified offered load, Erlang A)", gid="erlang_a")
    ax.stairs(required, edges, baseline=None, color=colour(0), linewidth=2.0,
              label="requirement, checked by simulation", gid="required")
    tops = [float(np.nanmax(required)), float(np.nanmax(rostered))]
    if suggested is not None:
        ax.stairs(np.asarray(suggested, dtype=float), edges, baseline=None, color=colour(2),
                  linewidth=1.6, label="suggested roster (people rostered in the hour)",
                  gid="suggested")
        tops.append(float(max(suggested, default=0)))
    week_axis(ax)
    ax.set_ylim(0, max(1.0, *tops) * 1.15)
    ax.set_ylabel("people to roster")
    ax.set_title(text(title), loc="left")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", fontsize=9,
               ncols=2, frameon=False)
    return fig


def draw_staffing(folder: Path) -> list[Plot]:
    """Save ``plots/staffing.png`` from a staff folder's saved files."""
    table, result = read_staff(folder)
    title = (f"People to roster for {result.target:.0%} of {result.channel} calls within "
             f"{fmt_target(result.answer_target_s)}, by hour of the week (pool {result.pool})")
    suggested = result.suggested.on_duty if result.suggested is not None else None
    more = (" Green line: the suggested roster, people rostered in each hour (where it lies "
            "above the blue line, its shifts run on past the need)." if suggested else "")
    return [Plot(save_figure(staffing_figure(table, title, suggested), folder, "staffing.png"),
                 "Requirement against today's roster, by hour of the week",
                 "Blue line: people to roster in each hour so that the channel meets its "
                 "target (before absence and breaks), the formula checked with the simulation. "
                 "Dashed: the formula alone. Thin grey: today's roster; shaded green where it "
                 f"has people to spare, red where it is short.{more}")]
