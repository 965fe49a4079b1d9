"""The officers' picture: incidents waiting for an officer by hour of the week, drawn from
dispatch_hourly.csv (the mean over replications, with its band), and no picture without
``[officers]``."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from conftest import ROOT
from contactsim.cli import main
from contactsim.present.dispatch_plot import (
    DISPATCH_PNG,
    MEASURE,
    dispatch_figure,
    draw_compare_dispatch,
    draw_dispatch,
    run_figure,
)
from contactsim.results.read import read_run
from contactsim.timebase import HOURS_PER_WEEK

SHORT = ["--days", "3", "--replications", "3", "--workers", "1", "--no-report", "--quiet"]


def run(scenario: str, folder: Path) -> Path:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", str(ROOT / "scenarios" / scenario), *SHORT, "--out",
                     str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def officers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run("baseline-officers.toml", tmp_path_factory.mktemp("officers") / "run")


def means(folder: Path) -> np.ndarray:
    """The mean over replications of each hour's incidents waiting, from the CSV by hand."""
    with (folder / "dispatch_hourly.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    by_rep: dict[str, np.ndarray] = {}
    for row in table:
        hours = by_rep.setdefault(row["replication"], np.full(HOURS_PER_WEEK, np.nan))
        hours[int(row["hour_of_week"])] = float(row[MEASURE] or "nan")
    assert len(by_rep) == 3
    return np.asarray(np.mean(list(by_rep.values()), axis=0))


def line(fig: Figure, i: int) -> np.ndarray:
    (found,) = [ln for ax in fig.axes for ln in ax.get_lines()
                if ln.get_gid() == f"mean:{MEASURE}:{i}"]
    drawn = np.asarray(found.get_ydata(), dtype=float)
    assert drawn.shape == (HOURS_PER_WEEK,)
    return drawn


def test_the_line_is_the_mean_over_replications_of_each_hour(officers: Path) -> None:
    expected = means(officers)
    assert np.nanmax(expected) > 0  # the shipped room does make incidents wait
    fig = dispatch_figure([read_run(officers).tables["dispatch_hourly"]])
    np.testing.assert_allclose(line(fig, 0), expected, rtol=1e-12, equal_nan=True)


def test_saved_with_its_caption(officers: Path) -> None:
    (plot,) = draw_dispatch(read_run(officers), officers)
    assert plot.file == f"plots/{DISPATCH_PNG}"
    assert (officers / plot.file).stat().st_size > 0
    assert "every officer on duty is busy" in plot.caption


def test_no_officers_no_picture(tmp_path: Path) -> None:
    folder = run("baseline.toml", tmp_path / "plain")
    assert draw_dispatch(read_run(folder), folder) == []
    assert not (folder / "plots" / DISPATCH_PNG).exists()


@pytest.mark.slow  # two scenarios through the command line
def test_a_comparison_draws_one_line_per_scenario(officers: Path, tmp_path: Path) -> None:
    rcrp = run("rcrp-officers.toml", tmp_path / "rcrp")
    runs = [read_run(officers), read_run(rcrp)]
    (plot,) = draw_compare_dispatch(runs, tmp_path)
    assert plot.file == f"plots/{DISPATCH_PNG}"
    fig = dispatch_figure([r.tables["dispatch_hourly"] for r in runs], [r.name for r in runs])
    for i, folder in enumerate((officers, rcrp)):
        np.testing.assert_allclose(line(fig, i), means(folder), rtol=1e-12, equal_nan=True)
    legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert legend == [r.name for r in runs]


def test_a_comparison_with_a_scenario_without_officers_draws_none(officers: Path,
                                                                   tmp_path: Path) -> None:
    plain = run("baseline.toml", tmp_path / "plain")
    assert draw_compare_dispatch([read_run(officers), read_run(plain)], tmp_path) == []


def test_with_areas_a_line_for_each_adding_up_to_the_force(tmp_path: Path) -> None:
    folder = run("baseline-officers-areas.toml", tmp_path / "areas")
    found = run_figure(read_run(folder))
    assert found is not None
    fig, names = found
    assert names == ["response", "rural"]
    force, urban, rural = (line(fig, i) for i in range(3))
    np.testing.assert_allclose(force, means(folder), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(urban + rural, force, rtol=1e-9, atol=1e-9, equal_nan=True)
    assert np.nanmax(rural) > 0
    legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert legend == ["the whole force", "area response", "area rural"]
    (plot,) = draw_dispatch(read_run(folder), folder)
    assert "one for each area" in plot.caption
    assert "one for each area" not in draw_dispatch(read_run(
        run("baseline-officers.toml", tmp_path / "one")), tmp_path / "one")[0].caption


def test_one_replication_still_fits_its_line(tmp_path: Path) -> None:
    """One replication has no interval: the axis still reaches the top of the mean line."""
    folder = tmp_path / "one"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", str(ROOT / "scenarios" / "baseline-officers.toml"), "--days", "3",
                     "--replications", "1", "--workers", "1", "--no-report", "--quiet",
                     "--out", str(folder)]) == 0
    found = run_figure(read_run(folder))
    assert found is not None
    fig, _ = found
    drawn = line(fig, 0)
    assert np.nanmax(drawn) > 1
    assert fig.axes[0].get_ylim()[1] >= np.nanmax(drawn)
