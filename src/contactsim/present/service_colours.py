"""One colour scale for service level, on every heatmap of every report.

A planner lays two reports side by side and reads a colour as a figure: the same blue must mean
the same service level in both. So the scale never stretches to the figures drawn: it is fixed at
0-100% and splits at the target (90%). Cells that miss the target are orange to dark red, cells
that meet it light to dark blue (a split that stays clear for colour-blind readers), with no
near-white middle, so 89% and 91% never look alike. Service levels far below the target are all
equally bad, so 0% to two thirds of the target share the darkest tenth of the scale and the rest
of the red half is spread where misses actually fall (60-90% for a 90% target). The hour-of-week
heatmap of a run, the sweep heatmap and the calendar page all draw with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.colors as mcolors
import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.image import AxesImage


def service_colours() -> mcolors.Colormap:
    """ColorBrewer RdBu without its pale middle; missing values are transparent."""
    base = colormaps["RdBu"]
    return mcolors.ListedColormap(np.vstack([base(np.linspace(0.0, 0.36, 128)),
                                             base(np.linspace(0.64, 1.0, 128))]),
                                  name="service_split").with_extremes(bad="none")


def service_norm(target: float) -> mcolors.Normalize:
    """The fixed mapping of 0-100% onto the colours, with ``target`` at the split; it depends
    only on the target, so every report draws the same figure in the same colour."""
    split = min(max(target, 1e-6), 1 - 1e-6)  # a 0% or 100% target still splits the scale
    values = [0.0, split * 2 / 3, split, 1.0]
    places = [0.0, 0.1, 0.5, 1.0]

    def forward(x: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(x, values, places), dtype=float)

    def inverse(y: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(y, places, values), dtype=float)

    return mcolors.FuncNorm((forward, inverse), vmin=0.0, vmax=1.0, clip=True)


def service_ticks(target: float) -> list[float]:
    """0%, every 10% over the spread-out part of the red half, the target, every 5% above."""
    tens = [t / 10 for t in range(11) if target * 2 / 3 - 1e-9 <= t / 10 < target]
    fives = [t / 20 for t in range(21) if t / 20 > target]
    near = [t for t in tens + fives if abs(t - target) < 0.02]  # would print over the target
    return sorted({0.0, target, 1.0, *tens, *fives} - set(near))


#: What every service-level colour bar says about its scale.
FIXED_SCALE = "the same fixed 0-100% scale in every report"


def scale_label(what: str, target: float, notes: Sequence[str] = ()) -> str:
    """A colour bar's label: what is drawn, how the colours split, that the scale is fixed."""
    return (f"{what}: red misses the {100 * target:g}% target (black line), blue meets it\n"
            + ";  ".join([FIXED_SCALE, *notes]))


def service_image(ax: Axes, grid: np.ndarray, target: float, **imshow: object) -> AxesImage:
    """Draw a grid of service levels (shares, NaN = no figure) on the fixed scale."""
    return ax.imshow(np.ma.masked_invalid(grid), cmap=service_colours(),
                     norm=service_norm(target), interpolation="nearest", **imshow)  # type: ignore[arg-type]


def text_colour(image: AxesImage, value: float) -> str:
    """White on the darker colours of ``image``'s scale, black on the lighter."""
    rgba = np.asarray(image.cmap(image.norm(np.array([value]))), dtype=float)
    red, green, blue = rgba[0, :3]
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.55 else "black"


def service_colorbar(fig: Figure, image: AxesImage, target: float, label: str,
                     **colorbar: object) -> Colorbar:
    """The colour bar of a service-level image: ticks in %, the target marked, ``label``."""
    bar = fig.colorbar(image, **colorbar)  # type: ignore[arg-type]
    ticks = service_ticks(target)
    bar.set_ticks(ticks, labels=[f"{100 * t:g}%" for t in ticks])
    mark = bar.ax.axvline if bar.orientation == "horizontal" else bar.ax.axhline
    mark(target, color="black", linewidth=2.0)
    bar.set_label(label)
    return bar


def percent_floor(value: float) -> int:
    """A share as a whole percentage rounded down, so a cell just short of 90% never reads
    "90" beside cells that meet the target."""
    return math.floor(100 * value + 1e-9)
