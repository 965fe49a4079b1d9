"""``contactsim recruit`` (issue 21, item 4): its plan, rerun with ``run``, meets the target in
every month it says it does; bad requests exit 2 with one error line before anything runs; the
screen's pieces (course dates, the greedy plan, reading the need between simulated plans) do
what they say.

The room: one pool answering 999 alone, losing 60% of its people a year, recruits trained in
four weeks, so without recruiting the months after the first miss the target while a few
recruits on the early courses keep it.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import write
from contactsim.analysis.recruit_screen import Calibration, Screen, course_dates, greedy_plan
from contactsim.cli import main
from contactsim.config.loading import load_scenario
from contactsim.present.recruit_report import months_text, verdict

ROOM = """\
name = "recruiting room"
[run]
days = {days}
warmup_days = 0
replications = {reps}
seed = 5
start_date = "2025-01-06"
[channels.999]
per_day = 1000
patience = {{ dist = "exponential", mean = 120 }}
[categories.crime]
handle = {{ dist = "exponential", mean = 300 }}
[pools.handlers]
skills = ["999"]
absence = 0.05
roster = [ {{ days = "mon-sun", start = "07:00", end = "19:00", staff = 6 }},
           {{ days = "mon-sun", start = "19:00", end = "07:00", staff = 6 }} ]
[pools.handlers.workforce]
headcount = 20
attrition = 0.6
training_weeks = 4
no_courses = ["jun"]
[pools.desk]
skills = ["999"]
roster = [ {{ days = "mon", start = "03:00", end = "04:00", staff = 1 }} ]
"""


def room(tmp_path: Path, days: int = 150, reps: int = 6) -> Path:
    return write(tmp_path, "room.toml", ROOM.format(days=days, reps=reps))


# --- bad requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (["--pool", "nobody"], "--pool: unknown pool 'nobody'"),
    (["--pool", "desk"], "--pool: pool 'desk' has no workforce table"),
    (["--channel", "101"], "--channel: unknown channel '101'"),
    (["--course-months", "3,13"], "--course-months: each month must be from 1"),
    (["--course-months", "0"], "--course-months: each month must be from 1"),
    (["--course-months", "march"], "--course-months: must be month numbers"),
    (["--course-months", "6"], "--course-months: jun: no course starts then"),
    (["--max-intake", "0"], "--max-intake: must be at least 1"),
])
def test_a_bad_request_exits_2_with_one_error_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str) -> None:
    base = {"--pool": "handlers", "--channel": "999"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = ["recruit", str(room(tmp_path)), "--out", str(tmp_path / "out"), "--quiet"]
    for flag, value in {**base, **given}.items():
        argv += [flag, value]
    with pytest.raises(SystemExit) as exit_:  # argparse's own checks
        raise SystemExit(main(argv))
    assert exit_.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert len(errors) == 1
    assert words in errors[0]
    assert "Traceback" not in errors[0]
    assert not (tmp_path / "out").exists()


# --- the screen -----------------------------------------------------------------------------


def test_courses_start_on_the_first_of_each_allowed_month_within_the_run() -> None:
    start = datetime.date(2025, 3, 10)
    assert course_dates(start, 200, (3, 5, 9)) == [
        start, datetime.date(2025, 5, 1), datetime.date(2025, 9, 1)]
    assert course_dates(start, 20, (4,)) == []


def test_the_need_is_read_between_the_simulated_plans_that_straddle_the_target() -> None:
    cal = Calibration(0.8, points={0: [(10.0, 0.7), (14.0, 0.9), (20.0, 0.95)]})
    assert cal.between(0) == (pytest.approx(12.0), True)
    cal = Calibration(0.8, points={0: [(10.0, 0.6), (12.0, 0.7)]})
    # the line through both, onward at three quarters of its slope: 0.1 more at 0.0375/person
    assert cal.between(0) == (pytest.approx(12.0 + 0.1 / 0.0375), False)
    cal = Calibration(0.8, points={0: [(10.0, 0.95), (12.0, 0.97)]})
    assert cal.between(0) == (pytest.approx(10.0 - 0.15 / 0.01), False)  # downward: as it is
    assert Calibration(0.8).between(0) == (None, False)


def test_the_greedy_plan_meets_each_reachable_month_on_the_screen(tmp_path: Path) -> None:
    sc = load_scenario(room(tmp_path))
    assert sc.calendar is not None
    dates = course_dates(sc.calendar.start_date, 150, (1, 2, 3, 4))
    screen = Screen(sc, "handlers", "999", dates)
    none = screen.people((0,) * len(dates)).effective
    needed = none[0] + np.zeros(len(none))  # keep January's people all year
    plan, unreachable = greedy_plan(screen, needed, None, 200)
    assert unreachable == [] or unreachable == [0]
    have = screen.people(plan).effective
    assert all(have[m] >= needed[m] - 1e-9 for m in range(1, len(have)))
    for j, n in enumerate(plan):  # one fewer on any course leaves some month short
        if n:
            fewer = tuple(x - (k == j) for k, x in enumerate(plan))
            assert (screen.people(fewer).effective[1:] < needed[1:] - 1e-9).any()
    capped, missed = greedy_plan(screen, needed, 1, 200)
    assert max(capped) <= 1
    assert missed  # a recruit a course cannot hold the year


def test_the_verdict_says_plainly_which_months_miss() -> None:
    facts = {"target": 0.9, "channel": "999", "answer_target_s": 10,
             "meets_every_month": False,
             "months_no_course_reaches": ["2025-01", "2025-02"],
             "plan": {"recruits": 4, "intakes": [{"date": "2025-03-01", "people": 4}],
                      "months_missed": ["2025-01", "2025-02"]},
             "no_recruiting": {"recruits": 0, "intakes": [],
                               "months_missed": ["2025-01", "2025-02", "2025-05"]}}
    words = verdict(facts)
    assert "No plan found meets 90% of 999 calls within 10 s in every month" in words
    assert "misses 2 months: Jan 2025 to Feb 2025" in words
    assert "No allowed course's recruits reach the roster in time for Jan 2025 to Feb 2025" \
        in words
    facts["plan"]["months_missed"] = ["2025-01", "2025-02", "2025-06"]
    facts["max_intake"] = 46
    assert "Jun 2025 misses under every plan tried, with courses of at most 46 people" \
        in verdict(facts)
    assert months_text(["2025-11", "2025-12", "2026-01", "2026-03"]) == \
        "Nov 2025 to Jan 2026, Mar 2026"


def test_the_notes_are_worded_from_the_plans_facts(tmp_path: Path) -> None:
    """analysis hands over facts (intakes replaced, the search stopped, months met only on the
    mean); present words them, as recruit.json, the terminal and the report show them."""
    from contactsim.analysis.recruit import RecruitPlan, RecruitRequest, Trial
    from contactsim.analysis.recruit_screen import People
    from contactsim.analysis.stats import Estimate
    from contactsim.present.recruit_report import recruit_notes

    path = room(tmp_path, days=70, reps=2)
    people = People(np.zeros(3), np.zeros(3), 0.0)

    def trial(*levels: tuple[float, float]) -> Trial:
        return Trial((0, 0), [Estimate(m, lo, m + 0.01, 2) for m, lo in levels], people)

    none = trial((0.5, 0.4), (0.5, 0.4), (0.5, 0.4))
    plan = trial((0.85, 0.79), (0.9, 0.75), (0.7, 0.6))  # met on the mean only: Jan, Feb
    request = RecruitRequest(file=str(path), channel="999", pool="handlers", target=0.8)
    p = RecruitPlan(request, load_scenario(path), "handlers", ["2025-01", "2025-02", "2025-03"],
                    [], [none, dataclasses.replace(plan, intakes=(1, 0))], [0], 20,
                    replaced_intakes=True, stopped=True)
    assert p.unsure() == [0, 1]
    assert recruit_notes(p) == [
        "the scenario's own intakes of pool 'handlers' are replaced by each plan (no "
        "recruiting means none of them)",
        "the search stopped after 2 simulated plans (the most it may run); a smaller plan may "
        "exist",
        "2 of the months the plan meets do so on the mean, but their 95% interval reaches "
        "below the target (Jan 2025, Feb 2025); more replications would make sure",
        "only 2 replications: a month's mean service level is uncertain; use 10 or more"]
    quiet = dataclasses.replace(p, replaced_intakes=False, stopped=False,
                                scenario=load_scenario(room(tmp_path, days=70, reps=10)))
    assert recruit_notes(quiet) == [recruit_notes(p)[2]]


# --- the plan, rerun ------------------------------------------------------------------------


def monthly_999(folder: Path) -> dict[str, float]:
    lines = (folder / "monthly.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("service_level_mean")
    return {cells[0]: float(cells[col]) for cells in (line.split(",") for line in lines[1:])
            if cells[1] == "999"}


@pytest.mark.slow
def test_the_plan_rerun_with_run_meets_the_target_in_every_month_it_says(
        tmp_path: Path) -> None:
    out = tmp_path / "recruit"
    assert main(["recruit", str(room(tmp_path, days=120, reps=4)), "--pool", "handlers",
                 "--channel", "999", "--target", "0.8", "--course-months", "1,2,3",
                 "--max-simulations", "5", "--out", str(out), "--quiet", "--workers", "2"]) == 0
    facts = json.loads((out / "recruit.json").read_text(encoding="utf-8"))
    assert {p.name for p in out.iterdir()} >= {"recruit.csv", "recruit.json", "suggested.toml",
                                               "report.html", "plots"}
    assert facts["no_recruiting"]["months_missed"]  # the room needs recruits
    assert facts["plan"]["recruits"] > 0
    said_to_meet = [m for m in facts["months"] if m not in facts["plan"]["months_missed"]]
    assert said_to_meet
    assert main(["run", str(out / "suggested.toml"), "--out", str(tmp_path / "run"),
                 "--quiet", "--no-report", "--workers", "2"]) == 0
    found = monthly_999(tmp_path / "run")
    assert all(found[m] >= 0.8 for m in said_to_meet)
    assert all(found[m] < 0.8 for m in facts["plan"]["months_missed"])
    # plot redraws the report from the saved folder
    (out / "report.html").unlink()
    assert main(["plot", str(out)]) == 0
    assert "Recruiting for 999 in pool handlers" in (out / "report.html").read_text(
        encoding="utf-8")


def test_the_search_never_repeats_a_plan_and_keeps_the_best_it_simulated(
        tmp_path: Path) -> None:
    from contactsim.analysis.recruit import RecruitRequest, recruit

    path = room(tmp_path, days=70, reps=2)
    request = RecruitRequest(file=str(path), channel="999", pool="handlers", target=0.8,
                             course_months=(1, 2), max_intake=3, max_simulations=4, workers=1)
    p = recruit(request, load_scenario(path))
    plans = [t.intakes for t in p.trials]
    assert plans[0] == (0, 0)  # no recruiting first
    assert len(set(plans)) == len(plans) <= 4
    assert all(max(t.intakes) <= 3 for t in p.trials)
    assert p.chosen.rank(0.8) == min(t.rank(0.8) for t in p.trials)
    assert p.cap == 3
    assert p.months == ["2025-01", "2025-02", "2025-03"]
    assert 0 in p.unhelped  # no course's recruits are on the roster in January
