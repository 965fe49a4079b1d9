"""Officers in the outputs (DESIGN §12): summary.json's ``dispatch``, dispatch.csv and
dispatch_hourly.csv, the report's section, the terminal comparison, compare.csv's paired changes
and the board paper's bullet; and none of them without ``[officers]``.

The shipped pair (scenarios/baseline-officers.toml and rcrp-officers.toml) is run short (two
measured days, three replications) through the command line in this process; drawing its
reports is the slow part, so that one check is marked slow.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import pytest

from conftest import ROOT
from contactsim.analysis.stats import Estimate
from contactsim.cli import main
from contactsim.present.words import fmt_ci

PAIR = [ROOT / "scenarios" / "baseline-officers.toml", ROOT / "scenarios" / "rcrp-officers.toml"]
SHORT = ["--days", "2", "--replications", "3", "--workers", "1"]


def cli(*args: object) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main([str(a) for a in args]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("pair") / "cmp"
    text = cli("compare", *PAIR, *SHORT, "--no-report", "--out", folder)
    return folder, text


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_summary_holds_dispatch_by_grade_and_overall(pair: tuple[Path, str]) -> None:
    folder, _ = pair
    summary = json.loads((folder / "baseline-officers" / "summary.json").read_text())
    d = summary["dispatch"]
    for grade in ("immediate", "priority"):  # the grades with a target
        assert set(d[grade]) == {"attended_within_target", "mean_arrival_s", "p90_arrival_s",
                                 "incidents_per_day"}
        share = d[grade]["attended_within_target"]
        assert 0 <= share["ci_low"] <= share["mean"] <= share["ci_high"] <= 1
        assert d[grade]["mean_arrival_s"]["mean"] <= d[grade]["p90_arrival_s"]["mean"] * 1.5
    assert "attended_within_target" not in d["scheduled"]  # no target for scheduled
    assert 0 < d["officer_utilisation"]["mean"] < 1
    assert d["chase_per_day"]["mean"] > 0


def test_tables_per_replication(pair: tuple[Path, str]) -> None:
    folder, _ = pair
    table = rows(folder / "baseline-officers" / "dispatch.csv")
    assert [(r["replication"], r["dispatch"]) for r in table[:4]] == [
        ("0", "immediate"), ("0", "priority"), ("0", "scheduled"), ("0", "all")]
    assert len(table) == 3 * 4
    summary = json.loads((folder / "baseline-officers" / "summary.json").read_text())
    chase = [float(r["chase_per_day"]) for r in table if r["dispatch"] == "all"]
    assert sum(chase) / 3 == pytest.approx(summary["dispatch"]["chase_per_day"]["mean"])
    planner = {r["measure"]: r for r in rows(folder / "baseline-officers" / "summary.csv")}
    row = planner["dispatch.immediate.attended_within_target"]
    assert row["unit"] == "%"
    assert float(row["mean"]) == pytest.approx(
        100 * summary["dispatch"]["immediate"]["attended_within_target"]["mean"], abs=1e-3)
    assert planner["dispatch.chase_per_day"]["unit"] == "contacts per day"
    assert planner["dispatch.immediate.incidents_per_day"]["unit"] == "incidents per day"
    changes = {r["measure"] for r in rows(folder / "summary.csv")}
    assert {"dispatch.immediate.attended_within_target",
            "dispatch.priority.attended_within_target", "dispatch.chase_per_day"} <= changes
    hourly = rows(folder / "baseline-officers" / "dispatch_hourly.csv")
    assert len(hourly) == 3 * 168
    assert all(float(r["incidents_waiting"]) >= 0 for r in hourly if r["incidents_waiting"])


def test_compare_pairs_each_dispatch_change(pair: tuple[Path, str]) -> None:
    folder, text = pair
    found = {(r["name"], r["measure"]): r for r in rows(folder / "compare.csv")
             if r["kind"] == "dispatch"}
    for key in [("immediate", "attended_within_target"), ("priority", "mean_arrival_s"),
                ("scheduled", "p90_arrival_s"), ("all", "officer_utilisation"),
                ("all", "chase_per_day")]:
        assert found[key]["method"] == "paired", key
        row = found[key]
        assert float(row["ci_low"]) <= float(row["difference"]) <= float(row["ci_high"])
    assert ("scheduled", "attended_within_target") not in found
    assert "attended in target" in text
    assert "chase calls/day" in text


@pytest.mark.slow  # drawing the reports' plots: several CPU seconds
def test_report_and_board_show_the_officers(pair: tuple[Path, str]) -> None:
    folder, _ = pair
    cli("plot", folder)
    run_page = (folder / "baseline-officers" / "report.html").read_text(encoding="utf-8")
    assert "Officers and attendance" in run_page
    assert "attended within target" in run_page
    board = (folder / "report.html").read_text(encoding="utf-8")
    assert "officers: immediate incidents attended within target" in board
    assert "chase calls a day" in board


def test_no_officers_no_dispatch_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    cli("run", ROOT / "scenarios" / "baseline.toml", *SHORT, "--no-report", "--quiet",
        "--out", folder)
    assert "dispatch" not in json.loads((folder / "summary.json").read_text())
    assert not (folder / "dispatch.csv").exists()
    assert not (folder / "dispatch_hourly.csv").exists()


def test_runs_terminal_summary_gives_attendance_by_grade_and_chase_calls(
        tmp_path: Path) -> None:
    text = cli("run", PAIR[0], *SHORT, "--no-report", "--out", tmp_path / "one")
    summary = json.loads((tmp_path / "one" / "summary.json").read_text())
    d = summary["dispatch"]
    immediate = next(line for line in text.splitlines() if "officers, immediate:" in line)
    share = 100 * d["immediate"]["attended_within_target"]["mean"]
    assert f"{share:.1f}% (" in immediate
    assert "attended within 15 min" in immediate
    scheduled = next(line for line in text.splitlines() if "officers, scheduled:" in line)
    assert "attended within" not in scheduled  # no target for scheduled
    overall = next(line for line in text.splitlines() if line.strip().startswith("officers: "))
    chase = d["chase_per_day"]
    assert fmt_ci("chase_per_day", Estimate(chase["mean"], chase["ci_low"], chase["ci_high"],
                                            3)) + " chase calls per day" in overall
    plain = cli("run", ROOT / "scenarios" / "baseline.toml", *SHORT, "--no-report", "--out",
                tmp_path / "plain")
    assert "officers," not in plain  # no [officers]: no dispatch lines
