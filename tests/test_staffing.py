"""contactsim staff: the hourly requirement, the suggested roster and what is written.

Where the formula holds (one channel, Poisson calls, exponential handle times and patience, a
constant team), the simulation must agree with it, so the search returns exactly the Erlang
minimum in every hour. On the baseline, where 101 calls share the handlers, the suggested roster
must meet the 999 standard in simulation with no more staff hours than a flat 24/7 roster.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, mm_scenario, run_cli, write
from contactsim.analysis.erlang import agents_needed
from contactsim.analysis.rostering import (
    Shift,
    cover,
    day_names,
    on_duty,
    roster_lines,
    staff_hours,
)
from contactsim.analysis.staffing import (
    Request,
    Simulator,
    StaffingInputError,
    channel_load,
    erlang_staff,
    hourly_lines,
    plan,
    pool_changes,
    search,
)
from contactsim.config.loading import load_scenario, with_changes
from contactsim.config.spec import Scenario

BASELINE = ROOT / "scenarios" / "baseline.toml"


# --- the search agrees with theory where theory holds ---------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("patience_s", [300.0, None])
def test_stationary_queue_needs_exactly_the_erlang_minimum(tmp_path: Path,
                                                           patience_s: float | None) -> None:
    # 4 weeks x 16 replications: enough instances of each hour to test one fewer
    file = write(tmp_path, "mm.toml", mm_scenario(
        per_hour=60, handle_s=180, agents=5, patience_s=patience_s, target_s=20, days=28,
        reps=16, warmup_days=0.5))
    request = Request(str(file), "q", target=0.9)
    sc = load_scenario(file)
    load = channel_load(sc, "q")
    start = erlang_staff(load, 0.9)
    expected = agents_needed(60, 180, 20, 0.9, patience_s)
    assert start.tolist() == [expected] * 168
    sim = Simulator(request, sc, "p", 0.0, log=lambda _: None)
    found = search(sim, start, load, 1.0, 0.9, max_iterations=3)
    required, rounds = found.required, found.rounds
    assert not found.stopped_early
    assert required.tolist() == [expected] * 168
    assert rounds == 1  # nothing was clear enough to move
    assert sim.runs == 2  # the staffing, and one fewer in every hour


@pytest.mark.slow
def test_plan_on_a_stationary_queue(tmp_path: Path) -> None:
    file = write(tmp_path, "mm.toml", mm_scenario(
        per_hour=200, handle_s=180, agents=14, patience_s=300, target_s=20, days=7, reps=8,
        warmup_days=0.5))
    result = plan(Request(str(file), "q", target=0.9), load_scenario(file))
    assert result.erlang_a.tolist() == [14] * 168 == result.required.tolist()
    assert result.suggested_sl.mean >= 0.9
    assert result.flat_staff == 14
    assert result.suggested_hours == result.flat_hours == 14 * 168
    assert result.notes  # 8 instances of each hour: the search only adds staff


def test_bad_channel_and_pool_are_named(tmp_path: Path) -> None:
    file = write(tmp_path, "mm.toml", mm_scenario(per_hour=10, handle_s=60, agents=2))
    sc = load_scenario(file)
    with pytest.raises(StaffingInputError, match=r"^unknown channel '999'") as exc:
        plan(Request(str(file), "999"), sc)
    assert exc.value.field == "channel"  # the command line names its option: --channel
    with pytest.raises(StaffingInputError, match=r"^unknown pool") as exc:
        plan(Request(str(file), "q", pool="handlers"), sc)
    assert exc.value.field == "pool"


def test_each_staffing_tried_is_the_scenario_a_file_with_that_roster_gives(
        tmp_path: Path) -> None:
    file = write(tmp_path, "mm.toml", mm_scenario(per_hour=10, handle_s=60, agents=2))
    overrides = ["run.days=3", "pools.p.scale=2", "pools.p.absence=0.05"]
    loaded = load_scenario(file, overrides)
    vector = np.array([2] * 40 + [0] * 8 + [3] * 120)
    variant = with_changes(loaded, pool_changes("p", hourly_lines(vector), 4.5))
    # the same staffing as --set text, the way the search used to reload the file
    roster = ", ".join("{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in line.items())
                       + " }" for line in hourly_lines(vector))
    reloaded = load_scenario(file, [*overrides, f"pools.p.roster=[{roster}]",
                                    "pools.p.scale=1.0", "pools.p.breaks_min=4.5"])
    for f in dataclasses.fields(Scenario):
        if f.name != "file":
            assert getattr(variant, f.name) == getattr(reloaded, f.name), f.name
    pool = variant.pools["p"]
    assert sum(n * s.length_min * len(s.days)
               for s, n in zip(pool.roster, pool.headcounts, strict=True)) == \
        60 * vector.sum()
    assert loaded.pools["p"].scale == 2  # the loaded scenario is left as it was


# --- the integer programme --------------------------------------------------------------------


def test_cover_a_single_block_takes_one_shift() -> None:
    need = np.zeros(168, dtype=int)
    need[8:16] = 2  # Monday 08:00-16:00, two people
    assert cover(need, [8], range(24)) == [Shift(day=0, start_h=8, hours=8, staff=2)]


def test_cover_wraps_round_the_week() -> None:
    need = np.zeros(168, dtype=int)
    need[[166, 167, 0, 1, 2, 3, 4, 5]] = 1  # Sunday 22:00 to Monday 06:00
    shifts = cover(need, [8], range(24))
    assert shifts == [Shift(day=6, start_h=22, hours=8, staff=1)]
    assert roster_lines(shifts) == [{"days": "sun", "start": "22:00", "end": "06:00",
                                     "staff": 1}]


def test_cover_is_minimal_when_shifts_do_not_divide_the_week() -> None:
    # One person around the clock with 10-hour shifts: 168 hours need 17 shifts (170 hours),
    # and no roster of 16 shifts (160 hours) can cover 168.
    shifts = cover(np.ones(168, dtype=int), [10], range(24))
    assert staff_hours(shifts) == 170
    assert (on_duty(shifts) >= 1).all()


def test_cover_meets_every_hour_with_the_fewest_hours() -> None:
    rng = np.random.default_rng(3)
    need = rng.integers(0, 6, 168)
    shifts = cover(need, [8, 10, 12], [0, 6, 7, 8, 14, 15, 16, 22])
    assert (on_duty(shifts) >= need).all()
    # a lower bound the programme cannot beat: every hour's need must be paid for
    assert staff_hours(shifts) >= need.sum()
    # and it beats simply rostering the peak around the clock in 8-hour shifts
    assert staff_hours(shifts) <= 168 * need.max()


def test_day_names_read_like_a_roster() -> None:
    assert day_names([0, 1, 2, 3, 4]) == "mon-fri"
    assert day_names([5, 6]) == "sat,sun"
    assert day_names(range(7)) == "mon-sun"
    assert day_names([0, 2]) == "mon,wed"


# --- end to end on the baseline ----------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_staff(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("staff") / "staff-baseline"
    done = run_cli("staff", BASELINE, "--channel", "999", "--replications", "6", "--days", "7",
                   "--set", "run.warmup_days=1", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "suggested roster" in done.stdout
    return out


def read_rows(folder: Path) -> tuple[list[str], list[dict[str, str]]]:
    with (folder / "staffing.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


@pytest.mark.slow
def test_staffing_csv_has_one_row_per_hour(baseline_staff: Path) -> None:
    columns, rows = read_rows(baseline_staff)
    assert columns == ["hour_of_week", "required", "rostered", "erlang_a"]
    assert [int(r["hour_of_week"]) for r in rows] == list(range(168))
    assert all(int(r["required"]) >= 1 and int(r["erlang_a"]) >= 1 for r in rows)
    # the baseline's roster: Monday 00:00 has the 15:00-01:00 and 22:00-07:00 shifts on
    assert float(rows[0]["rostered"]) == 13


@pytest.mark.slow
def test_baseline_suggested_roster_meets_the_standard_with_fewer_hours(
        baseline_staff: Path) -> None:
    facts = json.loads((baseline_staff / "staffing.json").read_text())
    assert (facts["channel"], facts["pool"], facts["target"]) == ("999", "handlers", 0.9)
    sl = facts["suggested_service_level"]
    assert sl["ci_low"] <= sl["mean"] <= sl["ci_high"]
    assert sl["ci_high"] >= 0.9
    hours = facts["staff_hours"]
    assert hours["suggested"] <= hours["flat"] == 168 * facts["flat_staff"]
    assert facts["flat_service_level"]["mean"] >= 0.9
    # 101 calls share the handlers, so the formula for 999 alone asks for too few
    assert hours["required"] > hours["erlang_a"]


@pytest.mark.slow
def test_suggested_toml_runs_from_its_folder_as_simulated(baseline_staff: Path) -> None:
    text = (baseline_staff / "suggested.toml").read_text()
    assert 'extends = "../../' in text or 'extends = "' in text
    assert "[pools.handlers]" in text
    done = run_cli("run", "suggested.toml", "--no-report", "--quiet", "--out", "../again",
                   cwd=baseline_staff)
    assert done.returncode == 0, done.stderr
    again = json.loads((baseline_staff.parent / "again" / "summary.json").read_text())
    facts = json.loads((baseline_staff / "staffing.json").read_text())
    # the same seed, run length and roster: the very service level the search reported
    assert again["channels"]["999"]["service_level"]["mean"] == pytest.approx(
        facts["suggested_service_level"]["mean"], abs=1e-12)


@pytest.mark.slow
def test_plot_draws_what_the_table_holds(baseline_staff: Path) -> None:
    from contactsim.present.plots_whatif import staffing_figure
    from contactsim.results.read import read_table

    assert (baseline_staff / "plots" / "staffing.png").stat().st_size > 10_000
    _, rows = read_rows(baseline_staff)
    fig = staffing_figure(read_table(baseline_staff / "staffing.csv"), "title")
    drawn = {p.get_gid(): p.get_data().values for p in fig.axes[0].patches}
    for column in ("required", "rostered", "erlang_a"):
        assert drawn[column].tolist() == [float(r[column]) for r in rows]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels(minor=True)] == [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@pytest.mark.slow
def test_plot_redraws_a_staff_folder(baseline_staff: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "staff"
    shutil.copytree(baseline_staff, copy)
    (copy / "plots" / "staffing.png").unlink()
    tables = (copy / "staffing.csv").read_bytes()
    done = run_cli("plot", copy)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"report: {copy / 'report.html'}"
    assert (copy / "plots" / "staffing.png").stat().st_size > 10_000
    assert (copy / "staffing.csv").read_bytes() == tables


@pytest.mark.slow
@pytest.mark.parametrize(("flags", "flag", "words"), [
    (["--channel", "988"], "--channel", "unknown channel '988'"),
    (["--channel", "999", "--pool", "desk"], "--pool", "unknown pool 'desk'"),
    (["--channel", "999", "--pool", "digital_desk"], "--pool", "does not answer"),
    (["--channel", "999", "--target", "90"], "--target", "below 1"),
    (["--channel", "999", "--shift-hours", "8,30"], "--shift-hours", "from 1 to 24"),
])
def test_bad_staff_options_exit_2_naming_the_option(tmp_path: Path, flags: list[str],
                                                    flag: str, words: str) -> None:
    done = run_cli("staff", BASELINE, *flags, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert flag in done.stderr
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_several_pools_answering_need_pool(tmp_path: Path) -> None:
    text = mm_scenario(per_hour=10, handle_s=60, agents=2) + (
        '[pools.spare]\nskills = ["q"]\n'
        'roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 1 } ]\n')
    file = write(tmp_path, "two.toml", text)
    done = run_cli("staff", file, "--channel", "q", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "error: --pool: 2 pools answer 'q' (p, spare)" in done.stderr
