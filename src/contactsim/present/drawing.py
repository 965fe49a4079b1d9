"""What every plot shares: the palette, the saved-plot record, axes and saving a figure.

:mod:`contactsim.present.plots` (one run), :mod:`contactsim.present.plots_whatif`
(comparisons, sweeps, staffing), :mod:`contactsim.present.fit_plots` and the back-test's
report draw with these, so every picture has the same colours, week axis and target line, and
every one is saved the same way (drawn once, see :func:`save_figure`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never needs a display

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave

from contactsim.results.tables import Band
from contactsim.standard import TARGET_SL
from contactsim.timebase import DAY_NAMES, HOURS_PER_WEEK

#: Okabe & Ito's colour-blind-safe palette, in the order scenarios (or channels) take it.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
TARGET_COLOUR = "#222222"
DPI = 100
WIDE = 11.0
HOURS = np.arange(HOURS_PER_WEEK) + 0.5  # points sit in the middle of their hour


@dataclass(frozen=True)
class Plot:
    """One saved picture: its file (relative to the results folder), title and caption."""

    file: str
    title: str
    caption: str


#: At most this many channels (and pools, diversions) get plots of their own or a line or
#: panel in a shared plot, so a report's time and memory stay bounded however many the
#: scenario has; the tables and the report's tables keep every one.
MAX_DRAWN = 8


def drawn(names: Sequence[str], most: int = MAX_DRAWN) -> list[str]:
    """The names a report draws: all of them when there are at most ``most``, else "999"
    first, then the others in order, ``most`` in all."""
    if len(names) <= most:
        return list(names)
    return sorted(names, key=lambda n: n != "999")[:most]


def not_drawn(names: Sequence[str], what: str = "channel", most: int = MAX_DRAWN) -> str:
    """" N more channels are in the tables but not drawn." (empty when all are drawn)."""
    n = len(names) - len(drawn(names, most))
    if n <= 0:
        return ""
    return (f" {n:,} more {what}{'s are' if n > 1 else ' is'} in the tables but not "
            "drawn.")


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def text(s: str) -> str:
    """User text made safe for matplotlib, which would read ``$...$`` as mathematics."""
    return s.replace("$", r"\$")


def save_figure(fig: Figure, folder: Path, name: str) -> str:
    """Draw a figure once and write it as ``plots/<name>`` (a PNG); returns that path.

    ``Figure.savefig`` on a figure with a layout engine draws it twice: once with drawing
    switched off to run the constrained layout, then again for the pixels. Drawing the Agg
    canvas once runs the layout and paints in the same pass, and the PNG is written from that
    buffer, with the metadata savefig would write: the same picture for about a quarter less
    work (most of a run's plotting time is text layout).
    """
    (folder / "plots").mkdir(parents=True, exist_ok=True)
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]  # (matplotlib's Agg canvas is untyped)
    imsave(folder / "plots" / name, canvas.buffer_rgba(),  # type: ignore[no-untyped-call]
           format="png", dpi=DPI)
    plt.close(fig)
    return f"plots/{name}"


# --- axes -----------------------------------------------------------------------------------


def columns(labels: Sequence[str], width_chars: int = 150) -> int:
    """How many legend columns fit across a figure without clipping the longest label."""
    longest = max((len(x) for x in labels), default=1) + 8
    return max(1, min(len(labels), 3, width_chars // longest))


def week_axis(ax: Axes) -> None:
    """A Monday-to-Sunday axis: a grid line at each midnight, the day's name under its middle."""
    ax.set_xlim(0, HOURS_PER_WEEK)
    ax.set_xticks(range(0, HOURS_PER_WEEK + 1, 24), labels=[""] * 8)
    ax.set_xticks(range(12, HOURS_PER_WEEK, 24), labels=list(DAY_NAMES), minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    ax.grid(axis="x", which="major", color="#bbbbbb", linewidth=0.8)
    ax.grid(axis="y", color="#e4e4e4", linewidth=0.6)
    ax.set_xlabel("day of the week (each day from midnight to midnight)")


def percent_axis(ax: Axes, low: float = 0.0, high: float = 1.0, axis: str = "y") -> None:
    """Shares shown as percentages."""
    ticks = np.linspace(0, 1, 11)
    ticks = ticks[(ticks >= low - 1e-9) & (ticks <= high + 1e-9)]
    if axis == "y":
        ax.set_ylim(low, high + 0.02 * (high - low))
        ax.set_yticks(ticks, labels=[f"{100 * t:.0f}%" for t in ticks])
    else:
        ax.set_xlim(low, high)
        ax.set_xticks(ticks, labels=[f"{100 * t:.0f}%" for t in ticks])


def floor_of(*arrays: np.ndarray, least: float = TARGET_SL) -> float:
    """A lower axis limit (a multiple of 10%) that shows every value and the target."""
    lows = [float(np.nanmin(a)) for a in arrays if np.isfinite(a).any()]
    return max(0.0, math.floor(10 * min([least, *lows]) - 0.5) / 10)


def band(ax: Axes, x: np.ndarray, est: Band, *,
         col: str, name: str, gid: str, **line: Any) -> None:
    """A mean line with its 95% confidence band."""
    mean, low, high = est
    ax.fill_between(x, low, high, color=col, alpha=0.18, linewidth=0, step=None)
    ax.plot(x, mean, color=col, label=name, gid=gid, linewidth=1.6, **line)


def shares(est: Band) -> Band:
    """A share and its interval kept within 0-100% (a t interval can stray past either end)."""
    mean, low, high = est
    return mean, np.clip(low, 0, 1), np.clip(high, 0, 1)


def target_line(ax: Axes, y: float, name: str, *, vertical: bool = False) -> None:
    if vertical:
        ax.axvline(y, color=TARGET_COLOUR, linestyle="--", linewidth=1.2, label=name,
                   gid="target")
    else:
        ax.axhline(y, color=TARGET_COLOUR, linestyle="--", linewidth=1.2, label=name,
                   gid="target")
