"""The what-if charts: differences labelled by scenario, one fixed colour scale on every heatmap."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from conftest import MINIMAL, write
from contactsim.cli import main
from contactsim.present.plots import heatmap_figure, plt
from contactsim.present.plots_whatif import difference_figure, sweep_heatmap_figure
from contactsim.present.service_colours import FIXED_SCALE
from contactsim.results.read import (
    HEADLINE,
    CompareResults,
    SweepResults,
    read_compare,
    read_sweep,
)

# --- charts: differences labelled, one fixed colour scale on every heatmap -------------------

@pytest.fixture(scope="module")
def whatif(tmp_path_factory: pytest.TempPathFactory) -> tuple[CompareResults, SweepResults]:
    """A comparison (a room with 2 handlers against one with 3, and one with more calls) and a
    2 x 2 sweep of the small scenario, tables only."""
    tmp = tmp_path_factory.mktemp("whatif")
    base = write(tmp, "two.toml", MINIMAL)
    more = write(tmp, "three.toml", 'extends = "two.toml"\nname = "three on duty"\n'
                 '[pools.handlers]\nroster = [ { days = "mon-sun", start = "00:00", '
                 'end = "24:00", staff = 3 } ]\n')
    busy = write(tmp, "busy.toml", 'extends = "two.toml"\nname = "a third more calls"\n'
                 "[channels.999]\nper_day = 266\n")
    quiet = ["--workers", "1", "--no-report", "--quiet"]
    assert main(["compare", str(base), str(more), str(busy), "--out", str(tmp / "c"),
                 *quiet]) == 0
    assert main(["sweep", str(base), "--vary", "pools.handlers.scale=1,1.5", "--vary",
                 "channels.999.per_day=150,250", "--out", str(tmp / "s"), *quiet]) == 0
    return read_compare(tmp / "c"), read_sweep(tmp / "s")


def test_differences_chart_names_its_rows(
        whatif: tuple[CompareResults, SweepResults]) -> None:
    result = whatif[0]
    fig = difference_figure(result)
    first_column = fig.axes[::len(HEADLINE)]  # one row of panels per channel
    for ax in first_column:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["three", "busy"]
        dots = {ln.get_gid(): ln.get_ydata()[0] for ln in ax.get_lines() if ln.get_gid()}
        assert dots == {"diff:service_level:three": 0, "diff:service_level:busy": 1}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["three: three on duty", "busy: a third more calls"]
    plt.close(fig)


def _colour_bar_label(fig: Figure) -> str:
    return next(ax.get_xlabel() for ax in fig.axes if FIXED_SCALE in ax.get_xlabel())


def test_every_heatmap_has_the_same_fixed_colour_scale(
        whatif: tuple[CompareResults, SweepResults]) -> None:
    result, sweep = whatif
    figs = [heatmap_figure(run, "999") for run in result.runs]
    figs.append(sweep_heatmap_figure(sweep, "999"))
    images = [next(im for ax in fig.axes for im in ax.get_images()
                   if im.get_gid() == "heatmap:999") for fig in figs]
    grids = [np.ma.filled(im.get_array(), np.nan) for im in images]
    lows = [float(np.nanmin(g)) for g in grids]
    assert max(lows) - min(lows) > 0.1, lows  # the runs' own ranges differ...
    probe = np.array([0.0, 0.5, 0.85, 0.899, 0.901, 0.95, 1.0])
    colours = [im.cmap(im.norm(probe)) for im in images]
    for other in colours[1:]:  # ...but a figure has one colour in all of them
        np.testing.assert_array_equal(other, colours[0])
    red, blue = colours[0][3], colours[0][4]  # just under and just over 90%
    assert red[0] > red[2]
    assert blue[2] > blue[0]
    for fig in figs:
        words = _colour_bar_label(fig)
        assert "red misses the 90% target" in words
        assert "blue meets it" in words
        plt.close(fig)
