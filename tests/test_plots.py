"""Plots and the HTML report: what is drawn is what the saved tables hold.

Each plot is read back from its matplotlib figure (the lines carry a ``gid``) and checked
against the CSV tables it was drawn from, recomputed here independently with the csv module.
The report is parsed: every image must be an embedded PNG, user text must be escaped, warnings
must come first, and ``contactsim plot`` must redraw byte-identical files.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import shutil
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from scipy import stats as sps

from conftest import run_cli, write
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.stats import Estimate
from contactsim.config.loading import load_scenario
from contactsim.present.plots import (
    HOURS,
    PALETTE,
    answer_time_figure,
    demand_figure,
    heatmap_figure,
    plt,
    service_level_figure,
    staff_figure,
)
from contactsim.present.report import write_run_report
from contactsim.present.words import fmt, fmt_ci
from contactsim.results.read import (
    RunResults,
    column_estimates,
    hours_in_window,
    read_run,
)
from contactsim.results.write import write_tables

#: Two voice channels with their own targets, abandonment, two pools; a few days, so hours of
#: the week repeat unevenly (days = 9 covers some hours once and some twice).
TWO_CHANNELS = """\
name = "two channels"
description = "A 999 and a 101 line for the plot tests."
[run]
days = 9
warmup_days = 0.5
replications = 3
seed = 11
[channels.999]
per_day = 240
hourly = [0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 1, 1.1, 1.2, 1.2,
          1.2, 1.2, 1.2, 1.3, 1.4, 1.5, 1.6, 1.6, 1.5, 1.3, 1.0, 0.7]
patience = { dist = "exponential", mean = 60 }
connect_s = { dist = "uniform", low = 2, high = 7 }
[channels.101]
per_day = 200
priority = 2
answer_target_s = 60
patience = { dist = "exponential", mean = 300 }
[categories.crime]
handle = { dist = "exponential", mean = 300 }
[pools.handlers]
skills = ["999", "101"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 },
           { days = "mon-fri", start = "08:00", end = "18:00", staff = 2 } ]
[pools.spare]
skills = ["101"]
roster = [ { days = "sat,sun", start = "10:00", end = "16:00", staff = 1 } ]
"""


def rows(folder: Path, table: str, **where: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if all(r[k] == v for k, v in where.items())]


def number(text: str) -> float:
    return float(text) if text else math.nan


def hourly_mean(folder: Path, table: str, key: str, name: str, measure: str) -> np.ndarray:
    """Mean over replications of an hourly measure, NaN cells left out (recomputed here)."""
    cells: dict[int, list[float]] = defaultdict(list)
    for r in rows(folder, table, **{key: name}):
        v = number(r[measure])
        if not math.isnan(v):
            cells[int(r["hour_of_week"])].append(v)
    return np.array([np.mean(cells[h]) if cells[h] else math.nan for h in range(168)])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("plots")
    sc = load_scenario(write(tmp, "two.toml", TWO_CHANNELS))
    out = tmp / "results"
    out.mkdir()
    write_tables(run_experiment(sc, workers=1), out)
    return out


@pytest.fixture(scope="module")
def run(folder: Path) -> RunResults:
    return read_run(folder)


def line(fig: plt.Figure, gid: str) -> tuple[np.ndarray, np.ndarray]:
    found = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == gid]
    assert len(found) == 1, [ln.get_gid() for ax in fig.axes for ln in ax.get_lines()]
    return np.asarray(found[0].get_xdata(), float), np.asarray(found[0].get_ydata(), float)


# --- the plots show the tables --------------------------------------------------------------


@pytest.mark.parametrize(("channel", "target"), [
    ("999", "national standard: 90% within 10 s"), ("101", "target: 90% within 60 s")])
def test_service_level_line_is_the_hourly_table(folder: Path, run: RunResults, channel: str,
                                                target: str) -> None:
    fig = service_level_figure([run], [run.name], channel)
    x, y = line(fig, f"mean:{channel}:0")
    expected = hourly_mean(folder, "hourly", "channel", channel, "service_level")
    np.testing.assert_allclose(x, np.arange(168) + 0.5)
    np.testing.assert_allclose(y, expected, equal_nan=True)
    assert np.isfinite(y).sum() > 100  # nine days cover most hours of the week
    _, target_y = line(fig, "target")
    assert set(target_y) == {0.9}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert target in legend
    assert "two channels" in legend
    axis = fig.axes[0]
    assert [t.get_text() for t in axis.get_xticklabels(minor=True)] == [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert all(not t.get_text() for t in axis.get_xticklabels())  # no 168 hour labels
    assert "within 10 s" in axis.get_ylabel() or channel != "999"
    plt.close(fig)


def test_confidence_bands_are_student_t_over_replications() -> None:
    matrix = np.array([[0.8, 1.0, math.nan], [0.9, 0.5, 0.7], [0.7, 0.6, math.nan]])
    mean, low, high = column_estimates(matrix)
    for j in range(2):
        col = matrix[:, j]
        half = sps.t.ppf(0.975, 2) * col.std(ddof=1) / math.sqrt(3)
        assert mean[j] == pytest.approx(col.mean())
        assert (low[j], high[j]) == pytest.approx((col.mean() - half, col.mean() + half))
    assert mean[2] == pytest.approx(0.7)  # one defined value: a mean, no interval
    assert math.isnan(low[2])
    assert math.isnan(high[2])


def test_answer_time_curves_are_the_answer_time_table(folder: Path, run: RunResults) -> None:
    fig = answer_time_figure([run], [run.name])
    for channel, target_s in (("999", 10.0), ("101", 60.0)):
        x, y = line(fig, f"mean:{channel}:0")
        by_grid: dict[float, list[float]] = defaultdict(list)
        for r in rows(folder, "answer_times", channel=channel):
            by_grid[float(r["answer_s"])].append(float(r["share_answered_within"]))
        grid = np.array(sorted(by_grid))
        shown = grid[grid <= x.max() + 1e-9]
        np.testing.assert_allclose(x, shown)  # both limits are drawn in seconds
        np.testing.assert_allclose(y, [np.mean(by_grid[g]) for g in shown])
        assert np.all(np.diff(y) >= -1e-12)  # a cumulative distribution
        assert x.max() >= 3 * target_s
    targets = sorted(float(ln.get_xdata()[0]) for ax in fig.axes for ln in ax.get_lines()
                     if ln.get_gid() == "target")
    assert targets == [10.0, 60.0]
    plt.close(fig)


def test_heatmap_is_hour_of_day_by_day_of_week(folder: Path, run: RunResults) -> None:
    fig = heatmap_figure(run, "999")
    image = next(im for ax in fig.axes for im in ax.get_images()
                 if im.get_gid() == "heatmap:999")
    expected = hourly_mean(folder, "hourly", "channel", "999", "service_level").reshape(7, 24)
    np.testing.assert_allclose(np.ma.filled(image.get_array(), np.nan), expected,
                               equal_nan=True)
    axis = fig.axes[0]
    assert axis.get_yticklabels()[0].get_text() == "Mon"
    assert len(axis.get_xticklabels()) == 24
    plt.close(fig)


def test_demand_is_contacts_per_hour(folder: Path, run: RunResults) -> None:
    """Offered per hour times the hours in the window adds back to the contacts offered."""
    fig = demand_figure(run)
    hours = hours_in_window(9, 0.5, 0)
    for channel in ("999", "101"):
        _, per_hour = line(fig, f"offered:{channel}")
        totals = [float(r["offered"]) for r in rows(folder, "replications", channel=channel)]
        assert np.nansum(per_hour * hours) == pytest.approx(np.mean(totals))
        _, abandon = line(fig, f"abandon:{channel}")
        expected = hourly_mean(folder, "hourly", "channel", channel, "abandon_rate")
        np.testing.assert_allclose(abandon, expected, equal_nan=True)
    plt.close(fig)


def test_staff_plot_is_the_pools_hourly_table(folder: Path, run: RunResults) -> None:
    fig = staff_figure(run)
    for pool in ("handlers", "spare"):
        x, busy = line(fig, f"busy:{pool}")
        np.testing.assert_allclose(x, HOURS)
        np.testing.assert_allclose(busy, hourly_mean(folder, "pools_hourly", "pool", pool,
                                                     "staff_busy"), equal_nan=True)
    duty = next(p for ax in fig.axes for p in ax.patches if p.get_gid() == "on_duty:handlers")
    values, edges, _ = duty.get_data()
    assert len(edges) == 169
    np.testing.assert_allclose(values, hourly_mean(folder, "pools_hourly", "pool", "handlers",
                                                   "staff_on_duty"), equal_nan=True)
    assert values[10] == pytest.approx(4.0)   # Monday 10:00: 2 around the clock + 2 by day
    assert values[3] == pytest.approx(2.0)
    plt.close(fig)


def test_hours_in_window() -> None:
    np.testing.assert_allclose(hours_in_window(7, 0, 0), np.ones(168))
    np.testing.assert_allclose(hours_in_window(14, 2, 3), 2 * np.ones(168))
    half = hours_in_window(1, 0.5, 0)  # Monday 12:00 to Tuesday 12:00
    assert half.sum() == pytest.approx(24)
    assert half[11] == 0
    assert half[12] == 1
    assert half[35] == 1
    assert half[36] == 0
    partial = hours_in_window(1 / 48, 1 / 96, 6)  # Sunday 00:15 to 00:45
    assert partial[144] == pytest.approx(0.5)
    assert partial.sum() == pytest.approx(0.5)


def test_numbers_are_formatted_for_planners() -> None:
    assert fmt_ci("service_level", Estimate(0.7771, 0.770, 0.785, 5)) == "77.7% (77.0 to 78.5%)"
    assert fmt_ci("service_level", Estimate(0.075, 0.071, 0.079, 5), signed=True) == (
        "+7.5 pts (+7.1 to +7.9 pts)")
    assert fmt_ci("mean_answer_s", Estimate(19500, 17000, 21000, 5)) == "5.4 h (4.7 to 5.8 h)"
    assert fmt_ci("p90_answer_s", Estimate(97.9, 90.8, 105.2, 5)) == "1.6 min (1.5 to 1.8 min)"
    assert fmt_ci("offered", Estimate(4643.2, 4584.0, 4702.0, 1)) == "4,643 (4,584 to 4,702)"
    assert fmt_ci("offered", Estimate(12.0, math.nan, math.nan, 1)) == "12.0"
    assert fmt("service_level", math.nan) == "-"
    assert fmt("mean_answer_s", -3.14, signed=True) == "-3.1 s"


# --- the report -----------------------------------------------------------------------------


class Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag == "img":
            self.sources.append(attributes.get("src") or "")
        for key in ("href", "src"):
            if tag != "img" and attributes.get(key):
                self.links.append(attributes[key] or "")


def parse(html_text: str) -> Images:
    parser = Images()
    parser.feed(html_text)
    return parser


def assert_embedded_pngs(report: Path, at_least: int) -> Images:
    """Every image is a data: URI holding a real PNG; nothing is fetched from anywhere."""
    parsed = parse(report.read_text(encoding="utf-8"))
    assert len(parsed.sources) >= at_least
    for src in parsed.sources:
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
        assert pixels.shape[0] > 200
        assert pixels.shape[1] > 500
    assert "script" not in parsed.tags
    assert not [link for link in parsed.links if "://" in link]  # opens offline
    return parsed


@pytest.fixture(scope="module")
def evil_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run's report, drawn once for the two tests below: the scenario's name and
    description are HTML and matplotlib mathematics, and the summary is given a warning with
    markup and a diversion, so the report has every section."""
    tmp = tmp_path_factory.mktemp("evil")
    evil = (TWO_CHANNELS.replace('name = "two channels"',
                                 'name = "<script>alert(1)</script> $\\\\frac{$"')
            .replace('description = "A 999 and a 101 line for the plot tests."',
                     'description = "<img src=x onerror=alert(2)> & more"')
            .replace("days = 9", "days = 1"))
    sc = load_scenario(write(tmp, "evil.toml", evil))
    out = tmp / "evil"
    out.mkdir()
    write_tables(run_experiment(sc, workers=1), out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary["warnings"] = ["demand exceeds capacity <b>bold</b>"]
    summary["diversions"] = {"rcrp": {"diverted": {"mean": 12.0, "ci_low": 10.0,
                                                   "ci_high": 14.0},
                                      "failed": {"mean": 1.0, "ci_low": 0.5, "ci_high": 1.5}}}
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    write_run_report(out)
    return out


def test_run_report_is_self_contained_and_complete(evil_report: Path) -> None:
    report = evil_report / "report.html"
    pngs = sorted((evil_report / "plots").glob("*.png"))
    assert {p.name for p in pngs} >= {"service_level_999.png", "service_level_101.png",
                                      "heatmap_999.png", "answer_times.png", "demand.png",
                                      "staff.png"}
    assert_embedded_pngs(report, at_least=len(pngs))
    text = report.read_text(encoding="utf-8")
    summary = json.loads((evil_report / "summary.json").read_text(encoding="utf-8"))
    sl = summary["channels"]["999"]["service_level"]
    assert fmt_ci("service_level", Estimate(sl["mean"], sl["ci_low"], sl["ci_high"], 3)) in text
    assert "national standard: 90% within 10 s" in text
    assert "target: 90% within 60 s" in text
    assert text.count("misses target") + text.count("meets target") >= 4  # cards and table
    assert "There is no national standard for 101" in text  # the documented choice
    assert "[pools.spare]" in text  # the resolved scenario


def test_report_escapes_user_text_and_puts_warnings_first(evil_report: Path) -> None:
    text = (evil_report / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; more" in text
    assert "demand exceeds capacity &lt;b&gt;bold&lt;/b&gt;" in text
    assert text.index("Warnings: read these first") < text.index("At a glance")
    assert "Diversions to partners" in text
    assert "handovers failed" in text


@pytest.mark.slow
def test_plot_command_redraws_identical_files(tmp_path: Path) -> None:
    scenario = write(tmp_path, "two.toml", TWO_CHANNELS.replace("days = 9", "days = 2"))
    out = tmp_path / "out"
    done = run_cli("run", scenario, "--out", out, "--quiet", "--workers", "1")
    assert done.returncode == 0, done.stderr
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert Path("report.html") in before
    shutil.rmtree(out / "plots")
    (out / "report.html").unlink()
    done = run_cli("plot", out)
    assert done.returncode == 0, done.stderr
    assert "report.html" in done.stdout
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_no_report_writes_no_plots(tmp_path: Path, minimal: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("run", minimal, "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    assert not (out / "report.html").exists()
    assert not (out / "plots").exists()
    assert "report:" not in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("make", ["missing", "empty", "not-json"])
def test_plot_of_a_non_results_folder_exit_2(tmp_path: Path, make: str) -> None:
    target = tmp_path / "x"
    if make != "missing":
        target.mkdir()
    if make == "not-json":
        (target / "summary.json").write_text("{oops", encoding="utf-8")
    done = run_cli("plot", target)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {target}")
    assert "Traceback" not in done.stderr


def test_palette_is_okabe_ito() -> None:
    assert PALETTE[:3] == ("#0072B2", "#D55E00", "#009E73")


@pytest.mark.slow
def test_many_channels_draw_a_bounded_report(tmp_path: Path) -> None:
    """40 channels: at most MAX_DRAWN channels get plots; the report says how many are left
    out, and its tables keep every channel."""
    from contactsim import cli
    from contactsim.present.plots import MAX_DRAWN

    channels = ["999", *(f"c{i:02d}" for i in range(39))]
    text = ['name = "forty"', "[run]", "days = 1", "warmup_days = 0", "replications = 1",
            "seed = 5"]
    for ch in channels:
        text += [f'[channels."{ch}"]', "per_day = 4"]
    text += ["[categories.crime]", 'handle = { dist = "exponential", mean = 120 }',
             "[pools.handlers]", "skills = [" + ", ".join(f'"{c}"' for c in channels) + "]",
             'roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 6 } ]']
    scenario = write(tmp_path, "forty.toml", "\n".join(text) + "\n")
    out = tmp_path / "forty"
    assert cli.main(["run", str(scenario), "--out", str(out), "--workers", "1",
                     "--quiet"]) == 0
    pngs = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert len(pngs) <= MAX_DRAWN + 5, pngs  # + heatmap, answer times, demand, staff
    assert len([p for p in pngs if p.startswith("service_level_")]) == MAX_DRAWN
    assert "service_level_999.png" in pngs
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"{40 - MAX_DRAWN} more channels are in the tables but not drawn" in report
    assert f"The plots show {MAX_DRAWN} of the 40 channels" in report
    assert all(f"<b>{ch}</b>" in report for ch in channels)  # every channel's card
