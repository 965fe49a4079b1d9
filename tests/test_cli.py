"""The command line end to end, in real subprocesses, as a planner runs it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, run_cli, summary, write
from contactsim.analysis.measures import CHANNEL_MEASURES

pytestmark = pytest.mark.slow  # every test here starts the CLI in a subprocess

FILES = {"summary.json", "replications.csv", "hourly.csv", "pools.csv", "pools_hourly.csv",
         "answer_times.csv", "scenario.toml"}


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "baseline"
    done = run_cli("run", ROOT / "scenarios" / "baseline.toml", "--out", out,
                   "--replications", "4", "--days", "7", "--workers", "1", "--no-report")
    assert done.returncode == 0, done.stderr
    assert "999" in done.stdout
    assert "service level" in done.stdout
    return out


def test_run_writes_the_contract(baseline_run: Path) -> None:
    assert {p.name for p in baseline_run.iterdir()} >= FILES
    data = json.loads((baseline_run / "summary.json").read_text(encoding="utf-8"))
    # DESIGN §6's keys, plus the one additive key (who answered what) and nothing else
    assert set(data) == {"contactsim_version", "scenario", "seed", "replications", "days",
                         "warmup_days", "wall_s", "channels", "pools", "diversions",
                         "officer_hours", "warnings", "pool_channel"}
    assert set(data["scenario"]) == {"name", "file", "sha256"}
    assert data["replications"] == 4
    assert data["days"] == 7
    assert data["seed"] == 20231001
    assert set(data["channels"]) == {"999", "101", "online"}
    for measures in data["channels"].values():
        assert tuple(measures)[:len(CHANNEL_MEASURES)] == CHANNEL_MEASURES
        assert set(measures) - set(CHANNEL_MEASURES) <= {"callbacks", "redials"}
        for est in measures.values():
            assert set(est) == {"mean", "ci_low", "ci_high"}
    sl = data["channels"]["999"]["service_level"]
    assert sl["ci_low"] <= sl["mean"] <= sl["ci_high"]
    assert "callbacks" in data["channels"]["999"]
    assert "redials" in data["channels"]["101"]
    assert set(data["pools"]) == {"handlers", "digital_desk"}
    assert data["diversions"] == {}
    assert data["officer_hours"]["mean"] > 0
    assert 0 < data["pools"]["handlers"]["utilisation"]["mean"] < 1
    ch = data["channels"]["101"]
    assert ch["offered"]["mean"] == pytest.approx(ch["answered"]["mean"]
                                                  + ch["abandoned"]["mean"])


def test_tables_agree_with_the_summary(baseline_run: Path) -> None:
    data = summary(baseline_run)
    with (baseline_run / "replications.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["channel"] == "999"]
    assert len(rows) == 4
    mean_sl = sum(float(r["service_level"]) for r in rows) / 4
    assert mean_sl == pytest.approx(data["channels"]["999"]["service_level"]["mean"])
    with (baseline_run / "hourly.csv").open(encoding="utf-8") as fh:
        hourly = [r for r in csv.DictReader(fh) if r["channel"] == "999"
                  and r["replication"] == "0"]
    assert len(hourly) == 168
    assert sum(float(r["offered"]) for r in hourly) == float(rows[0]["offered"])


def test_resolved_scenario_reproduces_the_summary(baseline_run: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    done = run_cli("run", baseline_run / "scenario.toml", "--out", again, "--quiet",
                   "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert summary(again) == summary(baseline_run)
    for table in ("replications.csv", "hourly.csv", "pools.csv"):
        assert (again / table).read_bytes() == (baseline_run / table).read_bytes()


def test_workers_do_not_change_results(minimal: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for out, n in ((one, "1"), (two, "2")):
        done = run_cli("run", minimal, "--out", out, "--workers", n, "--replications", "5",
                       "--quiet")
        assert done.returncode == 0, done.stderr
    assert summary(one) == summary(two)
    assert (one / "hourly.csv").read_bytes() == (two / "hourly.csv").read_bytes()


def test_default_output_folder_and_set(minimal: Path, tmp_path: Path) -> None:
    done = run_cli("run", minimal, "--set", "channels.999.per_day=100", "--quiet",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = summary(tmp_path / "results" / "minimal")
    assert data["channels"]["999"]["offered"]["mean"] < 300  # 100 a day for 2 days
    assert "per_day = 100" in (tmp_path / "results" / "minimal" / "scenario.toml").read_text()


def test_validate(minimal: Path) -> None:
    done = run_cli("validate", minimal, *sorted((ROOT / "scenarios").glob("*.toml")))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("ok: ") >= 2


def test_bad_scenario_exit_2_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.toml", MINIMAL.replace("per_day = 200", "per_day = -1")
                .replace("seed = 7", "seed = 7\nwarmpu_days = 1"))
    previous = tmp_path / "results"
    previous.mkdir()
    (previous / "summary.json").write_text("{}")
    done = run_cli("run", bad, "--out", previous)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"error: {bad}: ") for line in lines)
    assert "Traceback" not in done.stderr
    assert (previous / "summary.json").read_text() == "{}"  # earlier results untouched
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("args", [
    ("run",), ("run", "x.toml", "--replications", "0"), ("run", "x.toml", "--days", "soon"),
    ("run", "x.toml", "--frobnicate"), ("dance",), ("run", "x.toml", "--set", "nonsense"),
])
def test_bad_command_lines_exit_2_with_a_usage_hint(args: tuple[str, ...]) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert "usage:" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_file_exit_2(tmp_path: Path) -> None:
    done = run_cli("run", tmp_path / "nope.toml")
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {tmp_path / 'nope.toml'}: (file): file not found"
