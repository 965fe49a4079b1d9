"""contactsim staff: advice a planner can trust (issues 15 and 22).

- the suggestion is the best verified roster: the fewest hours clearly short, then the fewest
  below the target, then the fewest staff hours;
- screening cut short by its round limit says so; bands of hours the roster misses are worded
  with how far short they are; planner units read "N FTE in post, today M";
- the plot and the report are drawn from the saved folder only (staffing.json read once into a
  typed StaffResult);
- a second ``staff`` run never deletes the results a planner made inside the staff folder.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, run_cli, write
from contactsim.analysis.rostering import (
    Shift,
    cover,
    cover_regular,
    on_duty,
    regular_patterns,
    regular_starts,
    roster_lines,
    staff_hours,
)
from contactsim.analysis.staffing import Band, Candidate, Workforce, pattern_words, recommend
from contactsim.analysis.stats import Estimate

BASELINE = ROOT / "scenarios" / "baseline.toml"

#: One queue, Poisson calls at 100 an hour, every call exactly 180 s, answered within 30 s,
#: worked by one team on a single 24-hour line (its own pattern) or, given --shift-hours 12,
#: on 12-hour shifts too.
CONSTANT_HANDLE = """\
name = "M/D/c"
[run]
days = 7
warmup_days = 0.5
replications = 4
seed = 5
[channels.q]
per_day = 2400
answer_target_s = 30
[categories.x]
handle = 180
[pools.p]
skills = ["q"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 9 } ]
"""


def estimate(mean: float) -> Estimate:
    return Estimate(mean, mean - 0.01, mean + 0.01, 4)


def candidate(hours_each: int, mean: float, starts: tuple[int, ...] = (0, 12),
              short: int = 0, bands: tuple[Band, ...] = ()) -> Candidate:
    shifts = tuple(Shift(d, s, 12, hours_each) for d in range(7) for s in starts)
    return Candidate(f"roster {hours_each}", "requirement", shifts, estimate(mean), short,
                     bands)


# --- the rule ----------------------------------------------------------------------------------


def test_recommend_prefers_no_clearly_short_hours_then_fewest_below_then_cheapest() -> None:
    band = Band(9, 3, 0.87, 40.0, clearly=False)
    cheap_short = candidate(7, 0.93, short=2)
    dear = candidate(9, 0.96)
    banded = candidate(8, 0.95, bands=(band,))
    assert recommend([cheap_short, dear, banded], 0.9) is dear
    assert recommend([cheap_short, banded], 0.9) is banded
    assert recommend([candidate(9, 0.95), candidate(8, 0.94)], 0.9).hours == 8 * 168


def test_recommend_breaks_a_tie_on_staff_hours_with_fewer_start_times() -> None:
    three = Candidate("three", "requirement", tuple(Shift(d, s, 8, 12) for d in range(7)
                                                    for s in (6, 14, 22)), estimate(0.95), 0)
    many = Candidate("many", "repaired", tuple(Shift(d, s, 12, 2) for d in range(7)
                                               for s in range(12)), estimate(0.95), 0)
    assert three.hours == many.hours
    assert recommend([many, three], 0.9) is three


def test_recommend_falls_back_to_the_best_service_level_when_none_meets() -> None:
    worse, better = candidate(5, 0.7), candidate(6, 0.8)
    assert recommend([worse, better], 0.9) is better


# --- regular patterns (rostering) ---------------------------------------------------------------


def test_regular_starts_spread_evenly_over_the_day() -> None:
    assert regular_starts(12, 7) == (7, 19)
    assert regular_starts(8, 6) == (6, 14, 22)
    assert regular_starts(10, 6) == (6, 14, 22)  # three 10-hour lines, two hours' overlap
    assert regular_starts(24, 9) == (9,)


def test_regular_patterns_keep_to_the_allowed_starts() -> None:
    assert regular_patterns([12], [7, 19]) == [(12, (7, 19))]
    assert regular_patterns([12], [7, 18]) == []
    assert len(regular_patterns([8, 12], range(24))) == 8 + 12


def test_cover_regular_uses_one_pattern_and_covers_every_hour() -> None:
    rng = np.random.default_rng(4)
    need = rng.integers(1, 8, 168)
    starts = range(0, 24, 2)
    shifts = cover_regular(need, [8, 12], starts)
    assert shifts is not None
    assert (on_duty(shifts) >= need).all()
    assert len({s.start_h for s in shifts}) <= 3
    assert len({s.hours for s in shifts}) == 1
    assert staff_hours(shifts) >= staff_hours(cover(need, [8, 12], starts))
    assert cover_regular(need, [12], [7, 18]) is None


def test_pattern_words_read_like_a_roster() -> None:
    shifts = [Shift(0, 7, 12, 3), Shift(0, 19, 12, 2)]
    assert pattern_words(shifts) == "12-hour shifts at 07:00 and 19:00"
    assert roster_lines(shifts)[0]["start"] == "07:00"


# --- words and planner units --------------------------------------------------------------------


def test_bands_are_worded_with_how_far_short() -> None:
    from contactsim.present.staff_words import band_span, band_words, bands_note

    monday = Band(9, 2, 0.886, 30.0, clearly=False)
    night = Band(22, 4, 0.85, 12.0, clearly=True)  # Monday 22:00 to Tuesday 02:00
    assert band_span(monday) == "Mon 09:00-11:00"
    assert band_span(night) == "Mon 22:00-Tue 02:00"
    assert band_span(Band(166, 2, 0.8, 1.0, False)) == "Sun 22:00-00:00"
    assert band_words(monday, 0.9) == "Mon 09:00-11:00 at 88.6% (1.4 points short)"
    note = bands_note([monday, night], 0.9)
    assert note is not None
    assert "2 bands of hours, 1 of them clearly; worst first: Mon 22:00-Tue 02:00" in note
    assert bands_note([], 0.9) is None


def test_people_in_post_count_leave_and_contracted_hours() -> None:
    from contactsim.present.staff_words import fte_text

    w = Workforce(contracted_hours=40, leave=0.2, absence=0.05, on_duty_share=0.85)
    # 1,984 rostered hours a week, each post working 40 x 0.8 = 32 of them: 62 posts
    assert w.fte(1984) == pytest.approx(62.0)
    assert fte_text(w.fte(1984), w.fte(1750)) == "62 FTE in post, today 55"
    assert w.shrinkage == pytest.approx(1 - 0.8 * 0.85)


def test_staff_result_reads_a_sparse_staffing_json() -> None:
    from contactsim.results.staff_result import staff_result

    r = staff_result({"channel": "999", "pool": "h", "target": 0.9, "answer_target_s": 10,
                      "suggested": {"label": "x", "short_bands": [{"first_hour": 3,
                                                                   "hours": 2}, "junk"],
                                    "on_duty": [1, 2]}})
    assert r.suggested is not None
    assert r.suggested.on_duty is None  # not 168 numbers: drawn without that line
    assert [(b.first_hour, b.hours) for b in r.suggested.bands] == [(3, 2)]
    assert math.isnan(r.suggested_sl.mean)
    assert r.candidates == ()
    assert r.notes == ()
    assert r.search is None


# --- end to end ------------------------------------------------------------------------------


def staff(folder: Path, *args: str | Path) -> tuple[dict[str, object], str]:
    done = run_cli("staff", *args, "--out", folder)
    assert done.returncode == 0, done.stderr
    return json.loads((folder / "staffing.json").read_text()), done.stdout


@pytest.fixture(scope="module")
def constant_handle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object],
                                                                        str]:
    where = tmp_path_factory.mktemp("md")
    file = write(where, "md.toml", CONSTANT_HANDLE)
    facts, out = staff(where / "staff-md", file, "--channel", "q", "--shift-hours", "12")
    return where / "staff-md", facts, out


@pytest.mark.slow
def test_the_suggestion_is_the_best_roster_verified(
        constant_handle: tuple[Path, dict[str, object], str]) -> None:
    _, facts, out = constant_handle
    hours = facts["staff_hours"]
    assert isinstance(hours, dict)
    candidates = facts["candidates"]
    assert isinstance(candidates, list)
    chosen = [c for c in candidates if c["suggested"]]
    assert len(chosen) == 1
    assert chosen[0]["staff_hours"] == hours["suggested"]

    def rank(c: dict[str, object]) -> tuple[object, ...]:
        below = sum(b["hours"] for b in c["short_bands"])  # type: ignore[attr-defined]
        return (c["hours_clearly_below_target"], below, c["staff_hours"])

    assert not [c for c in candidates if c["meets"] and rank(c) < rank(chosen[0])]
    # its own 24-hour line and the 12-hour shifts asked for, nothing else
    starts = {(line["start"], line["end"]) for line in chosen[0]["roster"]}
    assert starts <= {("00:00", "00:00"), ("00:00", "12:00")}
    assert "FTE in post, today 41" in out  # 9 x 168 hours today, 37-hour contracts


@pytest.mark.slow
def test_a_search_that_settles_says_it_did_not_stop_early(
        constant_handle: tuple[Path, dict[str, object], str]) -> None:
    _, facts, out = constant_handle
    search = facts["search"]
    assert isinstance(search, dict)
    assert search["stopped_early"] is False
    assert search["rounds"] < search["limit"] == 6
    assert "stopped at" not in out


@pytest.mark.slow
def test_a_search_cut_off_by_its_round_limit_says_so(tmp_path: Path) -> None:
    # On the baseline the formula, blind to priorities and callbacks, asks for too few in
    # some hours: after one round of screening they are still going up.
    facts, out = staff(tmp_path / "staff", BASELINE, "--channel", "999", "--replications", "4",
                       "--days", "7", "--max-iterations", "1")
    search = facts["search"]
    assert isinstance(search, dict)
    assert search["stopped_early"] is True
    assert search["last_round"]["hours_up"] > 0
    notes = facts["notes"]
    assert isinstance(notes, list)
    assert any("stopped at its limit of 1 round with" in n for n in notes)
    assert "stopped at its limit of 1 round with" in out
    assert "--max-iterations 2 " in out
    assert not math.isnan(facts["suggested_service_level"]["mean"])  # type: ignore[index]


# --- the plot and the report: drawn from the saved files ---------------------------------------


@pytest.mark.slow
def test_plot_draws_the_suggested_roster_on_duty(
        constant_handle: tuple[Path, dict[str, object], str]) -> None:
    from contactsim.present.staff_plots import staffing_figure
    from contactsim.results.staff_result import read_staff

    folder, facts, _ = constant_handle
    suggested = facts["suggested"]
    assert isinstance(suggested, dict)
    table, result = read_staff(folder)
    assert result.suggested is not None
    hours = result.suggested.on_duty
    assert hours is not None
    assert len(hours) == 168
    assert sum(hours) == suggested["staff_hours"]  # people x hours on duty
    fig = staffing_figure(table, "title", hours)
    drawn = {p.get_gid(): p.get_data().values for p in fig.axes[0].patches}
    assert drawn["suggested"].tolist() == list(hours)
    assert {"required", "rostered", "erlang_a"} <= set(drawn)
    assert (folder / "plots" / "staffing.png").stat().st_size > 10_000


@pytest.mark.slow
def test_report_shows_target_roster_service_level_hours_and_notes(
        constant_handle: tuple[Path, dict[str, object], str]) -> None:
    folder, facts, _ = constant_handle
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "90% of q contacts answered within 30 s" in page
    sl = facts["suggested_service_level"]
    assert isinstance(sl, dict)
    assert f"{sl['mean']:.1%} (95% CI {sl['ci_low']:.1%} to {sl['ci_high']:.1%})" in page
    assert f"{facts['staff_hours']['suggested']:,} staff hours a week" in page  # type: ignore[index]
    assert "FTE in post, today 41" in page
    suggested = facts["suggested"]
    assert isinstance(suggested, dict)
    for line in suggested["roster"]:  # the shift lines, as a table
        assert (f"<td>{line['days']}</td><td class=\"num\">{line['start']}</td>"
                f"<td class=\"num\">{line['end']}</td>") in page
    notes = facts["notes"]
    assert isinstance(notes, list)
    assert notes
    for note in notes:
        assert note.replace("'", "&#39;") in page  # as Jinja2 (markupsafe) escapes it
    assert page.count("<b>suggested</b>") == 1  # in the table of every roster verified
    assert "data:image/png;base64," in page


@pytest.mark.slow
def test_report_is_redrawn_from_the_saved_files_only(
        constant_handle: tuple[Path, dict[str, object], str], tmp_path: Path) -> None:
    import shutil

    folder, _, _ = constant_handle
    copy = tmp_path / "staff-md"
    shutil.copytree(folder, copy)
    done = run_cli("plot", copy)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"report: {copy / 'report.html'}"
    assert (copy / "report.html").read_bytes() == (folder / "report.html").read_bytes()
    facts = json.loads((copy / "staffing.json").read_text())
    facts["notes"] = ["a note written into staffing.json <b>by hand</b>"]
    (copy / "staffing.json").write_text(json.dumps(facts))
    assert run_cli("plot", copy).returncode == 0
    page = (copy / "report.html").read_text(encoding="utf-8")
    assert "a note written into staffing.json &lt;b&gt;by hand&lt;/b&gt;" in page


# --- item 4: never delete what a planner made ----------------------------------------------------


def test_foreign_entries_name_what_staff_did_not_write(tmp_path: Path) -> None:
    from contactsim.results.staff import STAFF_FILES, check_staff_folder, foreign_entries
    from contactsim.results.write import OutputError

    for name in STAFF_FILES:
        write(tmp_path, name, "x")
    write(tmp_path, "plots/staffing.png", "x")
    assert foreign_entries(tmp_path) == []
    check_staff_folder(tmp_path)  # only its own files: may be replaced
    check_staff_folder(tmp_path / "absent")
    write(tmp_path, "plots/mine.png", "x")
    write(tmp_path, "notes.txt", "x")
    write(tmp_path, "results/suggested/summary.json", "{}")
    assert foreign_entries(tmp_path) == ["notes.txt", "plots/mine.png", "results/"]
    with pytest.raises(OutputError, match=r"holds notes\.txt, plots/mine\.png, results/, "
                       "which contactsim staff did not write"):
        check_staff_folder(tmp_path)


@pytest.mark.slow
def test_staff_never_deletes_results_a_planner_made_inside_its_folder(tmp_path: Path) -> None:
    file = write(tmp_path, "md.toml", CONSTANT_HANDLE)
    folder = tmp_path / "staff-md"
    quick = ("--channel", "q", "--shift-hours", "12", "--replications", "2", "--days", "2")
    staff(folder, file, *quick)
    # what the README used to say: run the suggestion from inside the staff folder
    done = run_cli("run", "suggested.toml", "--no-report", "--quiet", cwd=folder)
    assert done.returncode == 0, done.stderr
    theirs = folder / "results" / "suggested" / "summary.json"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert theirs in before
    again = run_cli("staff", file, *quick, "--out", folder)
    assert again.returncode == 2
    assert again.stderr.startswith(f"error: {folder}: cannot write results: the folder holds "
                                   "results/, which contactsim staff did not write")
    assert "move them out of it or give another --out" in again.stderr
    assert "Traceback" not in again.stderr
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


@pytest.mark.slow
def test_suggested_toml_says_how_to_run_it_beside_the_folder(tmp_path: Path) -> None:
    file = write(tmp_path, "md.toml", CONSTANT_HANDLE)
    quick = ("--channel", "q", "--shift-hours", "12", "--replications", "2", "--days", "2")
    done = run_cli("staff", file, *quick, cwd=tmp_path)  # the default folder
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "results" / "staff-md"
    text = (folder / "suggested.toml").read_text()
    command = ("contactsim run results/staff-md/suggested.toml --out "
               "results/staff-md-run")
    assert f"#   {command}\n" in text
    ran = run_cli(*command.split()[1:], "--no-report", "--quiet", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "results" / "staff-md-run" / "summary.json").is_file()
    # nothing was written inside the staff folder, so staff may replace it again
    again = run_cli("staff", file, *quick, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
