"""compare and sweep: paired differences, what the shipped what-if scenarios show, bad input.

The differences are checked against the replications.csv tables they come from, a scenario
compared with itself must show exactly nothing, and the shipped extra-staff scenario must
raise 999 service level by a margin whose paired interval excludes zero even in a short run.
"""

from __future__ import annotations

import copy
import csv
import itertools
import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from conftest import MINIMAL, ROOT, run_cli, write
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.stats import Estimate, welch, welch_from_summary
from contactsim.analysis.whatif import Vary, parse_vary, split_top_level
from contactsim.config.loading import load_scenario
from contactsim.present.plots import PALETTE, answer_time_figure, plt, service_level_figure
from contactsim.present.plots_whatif import (
    bars_figure,
    difference_figure,
    sweep_figure,
    sweep_heatmap_figure,
)
from contactsim.results.compare import compare_rows
from contactsim.results.read import read_compare, read_run, read_sweep
from contactsim.results.write import write_tables

SCENARIOS = ROOT / "scenarios"
SHORT = ("--replications", "5", "--days", "4", "--workers", "2")


def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def pick(rows: list[dict[str, str]], **where: str) -> dict[str, str]:
    found = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, where
    return found[0]


# --- the shipped what-if scenarios ----------------------------------------------------------


def _document(name: str) -> dict[str, Any]:
    doc = copy.deepcopy(load_scenario(SCENARIOS / name).document)
    for key in ("name", "description", "source"):
        doc.pop(key, None)
    return doc


def test_extra_staff_changes_only_the_late_shift() -> None:
    base, extra = _document("baseline.toml"), _document("extra-staff.toml")
    old = base["pools"]["handlers"].pop("roster")
    new = extra["pools"]["handlers"].pop("roster")
    assert extra == base
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(changed) == 1
    a, b = changed[0]
    assert (a["start"], a["end"]) == ("15:00", "01:00")
    assert b == {**a, "staff": a["staff"] + 4}


def test_demand_growth_is_ten_percent_more_999_calls() -> None:
    base, growth = _document("baseline.toml"), _document("demand-growth.toml")
    old = base["channels"]["999"].pop("per_day")
    new = growth["channels"]["999"].pop("per_day")
    assert growth == base
    assert new == pytest.approx(1.1 * old, abs=0.5)


# --- compare end to end ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("compare") / "cmp"
    done = run_cli("compare", SCENARIOS / "baseline.toml", SCENARIOS / "extra-staff.toml",
                   "--out", out, *SHORT)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


@pytest.mark.slow
def test_extra_staff_raises_999_service_level_clearly(demo: tuple[Path, str]) -> None:
    out, stdout = demo
    row = pick(table(out / "compare.csv"), scenario="extra-staff", kind="channel", name="999",
               measure="service_level")
    assert row["base"] == "baseline"
    assert row["method"] == "paired"
    assert float(row["difference"]) > 0
    assert float(row["ci_low"]) > 0
    assert float(row["ci_low"]) <= float(row["difference"]) <= float(row["ci_high"])
    util = pick(table(out / "compare.csv"), scenario="extra-staff", kind="pool",
                name="handlers", measure="utilisation")
    assert float(util["ci_high"]) < 0  # more people, each less busy
    assert "extra-staff" in stdout
    assert "service level" in stdout
    assert f"report: {out / 'report.html'}" in stdout


@pytest.mark.slow
def test_compare_writes_each_scenario_and_pairs_by_replication(demo: tuple[Path, str]) -> None:
    out, _ = demo
    for label in ("baseline", "extra-staff"):
        summary = json.loads((out / label / "summary.json").read_text(encoding="utf-8"))
        assert summary["seed"] == 20231001
        assert summary["replications"] == 5
        assert (out / label / "report.html").is_file()
    meta = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert meta["paired"] is True
    assert [s["label"] for s in meta["scenarios"]] == ["baseline", "extra-staff"]
    base = {r["replication"]: r for r in table(out / "baseline" / "replications.csv")
            if r["channel"] == "999"}
    other = {r["replication"]: r for r in table(out / "extra-staff" / "replications.csv")
             if r["channel"] == "999"}
    diffs = [float(other[k]["mean_answer_s"]) - float(base[k]["mean_answer_s"]) for k in base]
    n = len(diffs)
    half = sps.t.ppf(0.975, n - 1) * np.std(diffs, ddof=1) / math.sqrt(n)
    row = pick(table(out / "compare.csv"), scenario="extra-staff", kind="channel", name="999",
               measure="mean_answer_s")
    assert float(row["difference"]) == pytest.approx(np.mean(diffs))
    assert float(row["ci_low"]) == pytest.approx(np.mean(diffs) - half)
    assert float(row["base_mean"]) == pytest.approx(
        np.mean([float(r["mean_answer_s"]) for r in base.values()]))
    kinds = {r["kind"] for r in table(out / "compare.csv")}
    assert {"channel", "pool", "officers"} <= kinds


@pytest.mark.slow
def test_comparison_plots_keep_one_colour_per_scenario(demo: tuple[Path, str]) -> None:
    result = read_compare(demo[0])
    names = [r.name for r in result.runs]
    figs = [service_level_figure(result.runs, names, "999"),
            answer_time_figure(result.runs, names)]
    for fig in figs:
        for i in range(2):
            drawn = [ln for ax in fig.axes for ln in ax.get_lines()
                     if ln.get_gid() == f"mean:999:{i}"]
            assert drawn
            assert drawn[0].get_color() == PALETTE[i]
    bars = bars_figure(result.runs, names)
    heights = list(bars.axes[0].patches)
    assert [p.get_facecolor()[:3] for p in heights] == [
        tuple(int(c[k:k + 2], 16) / 255 for k in (1, 3, 5)) for c in PALETTE[:2]]
    sl = [r.estimate("channels", "999", "service_level").mean for r in result.runs]
    assert [p.get_height() for p in heights] == pytest.approx([100 * v for v in sl])
    diff = difference_figure(result)
    dot = next(ln for ax in diff.axes for ln in ax.get_lines()
               if ln.get_gid() == "diff:service_level:extra-staff")
    row = pick(table(demo[0] / "compare.csv"), scenario="extra-staff", kind="channel",
               name="999", measure="service_level")
    assert dot.get_xdata()[0] == pytest.approx(100 * float(row["difference"]))
    for fig in (*figs, bars, diff):
        plt.close(fig)


@pytest.mark.slow
def test_compare_report_and_plot_redraw(demo: tuple[Path, str], tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(demo[0], out)
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "Dorset-sized force: 4 more handlers on the late shift" in text
    assert 'href="extra-staff/report.html"' in text
    assert text.count("data:image/png;base64,") == len(list((out / "plots").glob("*.png")))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    done = run_cli("plot", out)
    assert done.returncode == 0, done.stderr
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_a_scenario_compared_with_itself_shows_nothing(tmp_path: Path, minimal: Path) -> None:
    out = tmp_path / "self"
    done = run_cli("compare", minimal, minimal, "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["compare.csv", "compare.json", "minimal",
                                                     "minimal-2", "summary.csv"]
    rows = table(out / "compare.csv")
    assert rows
    for row in rows:
        assert row["scenario"] == "minimal-2"
        assert row["method"] == "paired"
        assert row["base_mean"] == row["scenario_mean"]
        for key in ("difference", "ci_low", "ci_high"):
            assert row[key] == "" or float(row[key]) == 0.0, row
    assert pick(rows, kind="channel", name="999", measure="service_level")["ci_low"] == "0.0"


def _results(tmp_path: Path, name: str, *overrides: str) -> Path:
    sc = load_scenario(write(tmp_path, "m.toml", MINIMAL), overrides)
    out = tmp_path / name
    out.mkdir()
    write_tables(run_experiment(sc, workers=1), out)
    return out


@pytest.mark.slow
def test_results_folders_with_other_seeds_are_compared_unpaired(tmp_path: Path) -> None:
    a = _results(tmp_path, "a", "run.replications=4")
    b = _results(tmp_path, "b", "run.replications=4", "run.seed=99")
    out = tmp_path / "cmp"
    done = run_cli("compare", a, b, "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    assert "unpaired" in done.stdout
    meta = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert meta["paired"] is False
    assert "seed" in meta["notes"][0]
    row = pick(table(out / "compare.csv"), kind="channel", name="999", measure="offered")
    assert row["method"] == "welch"
    x = [float(r["offered"]) for r in table(a / "replications.csv")]
    y = [float(r["offered"]) for r in table(b / "replications.csv")]
    low, high = sps.ttest_ind(y, x, equal_var=False).confidence_interval()
    assert (float(row["ci_low"]), float(row["ci_high"])) == pytest.approx((low, high))


@pytest.mark.slow
def test_scenario_files_run_with_the_first_results_folder_settings(tmp_path: Path,
                                                                   minimal: Path) -> None:
    first = _results(tmp_path, "first", "run.replications=3", "run.seed=5", "run.days=1")
    out = tmp_path / "cmp"
    done = run_cli("compare", first, minimal, "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    assert "so that the differences are paired" in done.stderr
    summary = json.loads((out / "minimal" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["seed"], summary["replications"], summary["days"]) == (5, 3, 1)
    assert json.loads((out / "compare.json").read_text(encoding="utf-8"))["paired"] is True
    rows = table(out / "compare.csv")
    assert all(float(r["difference"]) == 0 for r in rows if r["difference"])


def test_welch_intervals() -> None:
    a, b = np.array([1.0, 2.0, 4.0, 3.0]), np.array([5.0, 7.0, 6.0, 9.0, 8.0])
    est = welch(a, b)
    low, high = sps.ttest_ind(b, a, equal_var=False).confidence_interval()
    assert (est.mean, est.ci_low, est.ci_high) == pytest.approx((b.mean() - a.mean(), low, high))
    from contactsim.analysis.stats import mean_ci

    rebuilt = welch_from_summary(mean_ci(a), mean_ci(b))
    assert (rebuilt.ci_low, rebuilt.ci_high) == pytest.approx((low, high))
    assert math.isnan(welch_from_summary(Estimate(1, math.nan, math.nan, 1),
                                         Estimate(2, 1, 3, 4)).ci_low)


def test_compare_rows_need_two_runs(tmp_path: Path) -> None:
    a = read_run(_results(tmp_path, "a"))
    assert compare_rows(["a"], [a]) == []


@pytest.mark.slow
@pytest.mark.parametrize(("args", "message"), [
    (("x.toml",), "at least two"),
    (("missing.toml", "missing.toml"), "file not found"),
    (("FOLDER", "FOLDER"), "not a contactsim results folder"),
    (("MINIMAL", "MINIMAL", "--set", "pools.handlers.scle=2"), "unknown key"),
])
def test_bad_compare_input_exit_2(tmp_path: Path, minimal: Path, args: tuple[str, ...],
                                  message: str) -> None:
    (tmp_path / "FOLDER").mkdir()
    real = [str(minimal) if a == "MINIMAL" else str(tmp_path / a) if a.isupper() else a
            for a in args]
    done = run_cli("compare", *real, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert all(line.startswith("error: ") for line in done.stderr.strip().splitlines())
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


# --- sweep ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "values"), [
    ("1,2,3", ["1", "2", "3"]),
    ("[1, 2],[3]", ["[1, 2]", "[3]"]),
    ('{ dist = "uniform", low = 1, high = 2 }, 5', ['{ dist = "uniform", low = 1, high = 2 }',
                                                    "5"]),
    ('"a,b", \'c,d\', "e"', ['"a,b"', "'c,d'", '"e"']),
    ('["mon-fri", "sat,sun"], "x"', ['["mon-fri", "sat,sun"]', '"x"']),
])
def test_vary_values_split_at_top_level_commas(text: str, values: list[str]) -> None:
    assert split_top_level(text) == values
    assert parse_vary(f"pools.handlers.scale={text}") == Vary("pools.handlers.scale",
                                                              tuple(values))


@pytest.mark.parametrize("text", ["pools.handlers.scale", "=1,2", "a..b=1", "a=1,,2", "a=1,1",
                                  "a="])
def test_malformed_vary_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_vary(text)


@pytest.fixture(scope="module")
def sweep1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sweep")
    out = tmp / "sw"
    done = run_cli("sweep", write(tmp, "minimal.toml", MINIMAL), "--vary",
                   "pools.handlers.scale=1,1.5,2,3", "--out", out, "--replications", "3",
                   "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "999 meets 90% within 10 s at pools.handlers.scale = " in done.stdout
    return out


@pytest.mark.slow
def test_sweep_one_row_per_point_and_channel_and_more_staff_helps(sweep1: Path) -> None:
    rows = table(sweep1 / "sweep.csv")
    assert [r["pools.handlers.scale"] for r in rows] == ["1", "1.5", "2", "3"]
    assert [r["point"] for r in rows] == ["1", "2", "3", "4"]
    assert {r["channel"] for r in rows} == {"999"}
    sl = [float(r["service_level_mean"]) for r in rows]
    assert all(later > earlier for earlier, later in itertools.pairwise(sl))
    for r in rows:
        assert float(r["service_level_ci_low"]) <= float(r["service_level_mean"])
        assert float(r["answer_target_s"]) == 10
    first = json.loads((sweep1 / "points" / "point-01" / "summary.json").read_text("utf-8"))
    assert float(rows[0]["offered_mean"]) == pytest.approx(
        first["channels"]["999"]["offered"]["mean"])
    assert len(table(sweep1 / "sweep_pools.csv")) == 4
    assert (sweep1 / "plots" / "sweep.png").is_file()
    assert "data:image/png;base64," in (sweep1 / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_sweep_curve_is_the_sweep_table(sweep1: Path) -> None:
    sweep = read_sweep(sweep1)
    fig = sweep_figure(sweep)
    drawn = next(ln for ax in fig.axes for ln in ax.get_lines()
                 if ln.get_gid() == "sweep:999:service_level")
    rows = table(sweep1 / "sweep.csv")
    np.testing.assert_allclose(drawn.get_xdata(), [1, 1.5, 2, 3])
    np.testing.assert_allclose(drawn.get_ydata(), [float(r["service_level_mean"]) for r in rows])
    targets = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == "target"]
    assert targets
    assert targets[0].get_label() == "national standard: 90% within 10 s"
    plt.close(fig)


@pytest.mark.slow
def test_sweep_of_two_keys_draws_a_heatmap(tmp_path: Path, minimal: Path) -> None:
    out = tmp_path / "sw2"
    done = run_cli("sweep", minimal, "--vary", "pools.handlers.scale=1,2", "--vary",
                   "channels.999.per_day=150,200,250", "--out", out, "--replications", "2",
                   "--days", "1", "--no-report")
    assert done.returncode == 0, done.stderr
    rows = table(out / "sweep.csv")
    assert len(rows) == 6
    assert [(r["pools.handlers.scale"], r["channels.999.per_day"]) for r in rows][:3] == [
        ("1", "150"), ("1", "200"), ("1", "250")]
    fig = sweep_heatmap_figure(read_sweep(out), "999")
    grid = np.ma.filled(fig.axes[0].get_images()[0].get_array(), np.nan)
    assert grid.shape == (3, 2)
    assert grid[1, 0] == pytest.approx(float(rows[1]["service_level_mean"]))
    assert grid[0, 1] == pytest.approx(float(rows[3]["service_level_mean"]))
    plt.close(fig)


@pytest.mark.slow
@pytest.mark.parametrize(("vary", "message"), [
    (("pools.handlers.scle=1,2",), "pools.handlers.scle: unknown key"),
    (("pools.handlers.scale=1,-2",), "pools.handlers.scale: must be"),
    (("pools.nobody.scale=1,2",), "pools.nobody"),
    (("pools.handlers.scale",), "usage:"),
    (("pools.handlers.scale=1,,2",), "usage:"),
    (("a=1", "b=2", "c=3"), "one or two"),
    (("pools.handlers.scale=1", "pools.handlers.scale=2"), "one or two"),
])
def test_bad_vary_exit_2(tmp_path: Path, minimal: Path, vary: tuple[str, ...],
                         message: str) -> None:
    args = [a for v in vary for a in ("--vary", v)]
    done = run_cli("sweep", minimal, *args, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
    if "usage:" not in message:
        assert all(line.startswith(f"error: {minimal}: ")
                   for line in done.stderr.strip().splitlines())
