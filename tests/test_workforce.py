"""The workforce pipeline (DESIGN §11) against hand-computed cases, and its hook in the engine.

The pipeline's arithmetic is checked on its own (no room simulated): a course joins the roster
exactly ``training_weeks`` after it starts; with attrition ``a`` the headcount after ``m``
months has mean ``h (1 - a) ** (m / 12)``, exactly in the expected pipeline and within the
replications' own 95% interval in drawn ones; stocks and flows add up. In the engine: the
roster scales with the people available, a workforce that changes nothing changes no result,
and ramping recruits make the pool's work take longer by the factor stated.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from conftest import write
from contactsim.config.loading import load_scenario
from contactsim.config.spec import IntakeSpec, Scenario, WorkforceSpec
from contactsim.engine import simulate
from contactsim.engine.staffing import shares_to_total
from contactsim.engine.streams import generator
from contactsim.engine.workforce import (
    Pipeline,
    course_start,
    draw_pipeline,
    expected_pipeline,
    month_spans,
    moved_intakes,
)

START = datetime.date(2025, 1, 1)


def spec(**kw: object) -> WorkforceSpec:
    base: dict[str, object] = {"headcount": 60, "roster_for": 60, "attrition": 0.0,
                               "intakes": (), "training_weeks": 0.0, "ramp_weeks": 0.0,
                               "ramp_factor": 1.0, "no_courses": (), "cost_per_recruit": None}
    base.update(kw)
    return WorkforceSpec(**base)  # type: ignore[arg-type]


def test_a_recruit_joins_the_roster_exactly_training_weeks_after_the_intake() -> None:
    intake = IntakeSpec(datetime.date(2025, 3, 10), 7)
    wf = spec(intakes=(intake,), training_weeks=12, ramp_weeks=4, ramp_factor=1.5)
    start = (intake.date - START).days
    for pipe in (expected_pipeline(wf, START, 365),
                 draw_pipeline(wf, START, 365, lambda k: generator(1, 0, "t" + k))):
        joins = start + 12 * 7
        assert pipe.joiners[start] == pipe.joiners.sum() == 7
        assert list(pipe.training[[start - 1, start, joins - 1, joins]]) == [0, 7, 7, 0]
        assert pipe.available[joins] - pipe.available[joins - 1] == 7
        assert list(pipe.ramping[[joins - 1, joins, joins + 27, joins + 28]]) == [0, 7, 7, 0]
        assert pipe.headcount[start] == 67


def test_ramp_factor_falls_linearly_to_one() -> None:
    wf = spec(headcount=0, roster_for=10, training_weeks=0, ramp_weeks=1, ramp_factor=2.0,
              intakes=(IntakeSpec(START, 10),))
    pipe = expected_pipeline(wf, START, 10)
    # all ten available people are new: day k's factor is 2 - (k + 0.5) / 7, then 1
    assert pipe.handle_factor[:7] == pytest.approx([2 - (k + 0.5) / 7 for k in range(7)])
    assert list(pipe.handle_factor[7:]) == [1.0, 1.0, 1.0]


def test_the_ramp_factor_is_the_mean_over_the_people_available() -> None:
    wf = spec(headcount=30, roster_for=40, ramp_weeks=1, ramp_factor=2.0,
              intakes=(IntakeSpec(START, 10),))
    pipe = expected_pipeline(wf, START, 3)
    assert pipe.handle_factor[0] == pytest.approx((30 + 10 * (2 - 0.5 / 7)) / 40)


def test_expected_headcount_falls_by_the_annual_attrition_exactly() -> None:
    wf = spec(headcount=100, attrition=0.2)
    pipe = expected_pipeline(wf, START, 365)
    month = np.array([d.month - 1 for d in
                      (START + datetime.timedelta(days=k) for k in range(365))])
    monthly = pipe.monthly(month, 12)
    for m in range(1, 13):
        assert monthly["headcount"][m - 1] == pytest.approx(100 * 0.8 ** (m / 12))
    # stocks and flows add up: each month's end = the last month's end - leavers + joiners
    ends = np.concatenate([[100.0], monthly["headcount"]])
    assert np.diff(ends) == pytest.approx(monthly["joiners"] - monthly["leavers"])


@pytest.mark.parametrize("months", [1, 6, 12])
def test_drawn_headcount_has_the_stated_mean_within_its_interval(months: int) -> None:
    h, a, n = 80, 0.25, 400
    wf = spec(headcount=h, attrition=a)
    end = sum(b - s for s, b, _ in month_spans(START, 365)[:months])
    found = [draw_pipeline(wf, START, end, lambda k, r=r: generator(7, r, k)).headcount[-1]
             for r in range(n)]
    mean, sem = float(np.mean(found)), float(stats.sem(found))
    half = stats.t.ppf(0.975, n - 1) * sem
    assert abs(mean - h * (1 - a) ** (months / 12)) <= half


def test_leavers_are_drawn_per_replication_and_reproducibly() -> None:
    wf = spec(headcount=80, attrition=0.3)
    one = draw_pipeline(wf, START, 200, lambda k: generator(1, 0, k)).headcount
    again = draw_pipeline(wf, START, 200, lambda k: generator(1, 0, k)).headcount
    other = draw_pipeline(wf, START, 200, lambda k: generator(1, 1, k)).headcount
    assert np.array_equal(one, again)
    assert not np.array_equal(one, other)


def test_a_plan_that_adds_or_resizes_courses_leaves_the_other_groups_leavers_alone() -> None:
    # Common random numbers for `recruit`: each group of people (the first ones, each course)
    # draws its leavers from its own stream, so a pool's pipeline is exactly the sum of its
    # groups' pipelines drawn apart. With one stream for the pool, a course's draws shifted
    # the first people's from the course's first month on.
    def drawn(headcount: int, *intakes: IntakeSpec) -> Pipeline:
        return draw_pipeline(spec(headcount=headcount, attrition=0.4, intakes=intakes), START,
                             365, lambda k: generator(3, 0, k))

    march = IntakeSpec(datetime.date(2025, 3, 3), 6)
    sept = IntakeSpec(datetime.date(2025, 9, 1), 6)
    first_only = drawn(60)
    for plan in ((march,), (march, sept), (dataclasses.replace(march, people=20), sept)):
        courses_only = drawn(0, *plan)
        together = drawn(60, *plan)
        assert together.leavers.sum() > first_only.leavers.sum()  # the courses lose people too
        for name in ("headcount", "leavers", "available"):
            assert np.array_equal(getattr(together, name), getattr(first_only, name)
                                  + getattr(courses_only, name)), (plan, name)
    # the September course's leavers are the same whether March takes 6, 20 or nobody
    for m in (march, dataclasses.replace(march, people=20)):
        assert np.array_equal(drawn(0, m, sept).leavers,
                              drawn(0, m).leavers + drawn(0, sept).leavers)


def test_a_course_in_a_no_courses_month_moves_to_the_next_allowed_month() -> None:
    summer = IntakeSpec(datetime.date(2025, 6, 16), 5)
    wf = spec(intakes=(summer, IntakeSpec(datetime.date(2025, 9, 3), 4)),
              no_courses=(6, 7, 8))
    assert course_start(summer, wf.no_courses) == datetime.date(2025, 9, 1)
    assert moved_intakes(wf) == [(summer, datetime.date(2025, 9, 1))]
    december = IntakeSpec(datetime.date(2025, 12, 5), 1)
    assert course_start(december, (12, 1)) == datetime.date(2026, 2, 1)


def test_a_part_month_at_the_start_has_its_share_of_the_year() -> None:
    spans = month_spans(datetime.date(2025, 1, 17), 30)
    assert spans == [(0, 15, 15 / 31), (15, 30, 15 / 28)]


@pytest.mark.parametrize(("wanted", "expected"), [
    ([4.5, 4.5, 2.0], [5, 4, 2]),  # 11 people: one of the two halves, the earlier line
    ([2.4, 2.4, 2.4], [2, 3, 2]),  # 7.2 -> 7, the extra one where cumulative rounding puts it
    ([0.6, 0.6, 0.6], [1, 0, 1]),  # 1.8 -> 2, spread out
    ([1.5] * 6, [2, 1, 2, 1, 2, 1]),  # a staff_by_hour day at 50%: every other hour
    ([0.7, 2.2, 1.9], [1, 2, 2]),  # 4.8 -> 5: remainders .9 and .7 first
    ([3.0, 5.0], [3, 5]),
])
def test_a_days_shifts_are_rounded_to_the_days_total(wanted: list[float],
                                                     expected: list[int]) -> None:
    assert shares_to_total(wanted) == expected
    assert sum(shares_to_total(wanted)) == int(sum(wanted) + 0.5)


def test_specs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec().headcount = 3  # type: ignore[misc]


# --- in the engine -------------------------------------------------------------------------

ROOM = """\
name = "workforce room"
[run]
days = 7
warmup_days = 0
replications = 10
seed = 3
start_date = "2025-01-06"
[channels.999]
per_day = 200
[categories.crime]
handle = { dist = "exponential", mean = 300 }
[pools.handlers]
skills = ["999"]
absence = {absence}
roster = [ { days = "mon-sun", start = "07:00", end = "19:00", staff = 12 },
           { days = "mon-sun", start = "19:00", end = "07:00", staff = 8 } ]
"""


def room(tmp_path: Path, workforce: str = "", name: str = "s.toml",
         absence: float = 0.1) -> Scenario:
    return load_scenario(write(tmp_path, name, ROOM.replace("{absence}", str(absence)) + workforce))


def test_a_workforce_that_changes_nothing_changes_no_result(tmp_path: Path) -> None:
    plain = simulate(room(tmp_path), 0)
    same = simulate(room(tmp_path, "[pools.handlers.workforce]\nheadcount = 20\n", "w.toml"), 0)
    assert same.workforce is not None
    assert plain.workforce is None
    for f in ("channel", "category", "hour", "outcome", "wait_s", "connect_s"):
        assert np.array_equal(getattr(plain.records, f), getattr(same.records, f))
    assert np.array_equal(plain.present_s, same.present_s)


def test_the_roster_scales_with_the_people_available(tmp_path: Path) -> None:
    half = room(tmp_path, "[pools.handlers.workforce]\nheadcount = 10\nroster_for = 20\n",
                absence=0)
    out = simulate(half, 0)
    # 12 and 8 on the roster -> 6 and 4: 120 staff-hours a day, every day
    assert out.present_s.sum() / 3600 == pytest.approx(7 * (6 * 12 + 4 * 12))


def test_ramping_recruits_raise_mean_handle_time_as_stated(tmp_path: Path) -> None:
    sc = room(tmp_path, "[pools.handlers.workforce]\nheadcount = 0\nroster_for = 20\n"
              "ramp_weeks = 2\nramp_factor = 1.6\n"
              'intakes = [{ date = "2025-01-06", people = 20 }]\n', absence=0)
    handle = [out.busy_s.sum() / len(out.records)
              for out in (simulate(sc, r) for r in range(sc.run.replications))]
    factor = np.mean([1.6 - 0.6 * (k + 0.5) / 14 for k in range(7)])
    mean, half = float(np.mean(handle)), stats.t.ppf(0.975, 9) * float(stats.sem(handle))
    assert abs(mean - 300 * factor) <= half
    assert mean - half > 300 * 1.2  # clearly slower than the usual 300 s


def test_an_intake_in_a_no_courses_month_is_moved_with_a_warning(tmp_path: Path) -> None:
    from contactsim.analysis.warnings import scenario_warnings

    sc = room(tmp_path, "[pools.handlers.workforce]\nheadcount = 20\n"
              'intakes = [{ date = "2025-01-08", people = 3 }]\nno_courses = ["jan"]\n')
    assert [w for w in scenario_warnings(sc) if "no_courses" in w] == [
        "pools.handlers.workforce: the intake of 3 on 2025-01-08 falls in a no_courses month; "
        "its course starts on 2025-02-01 instead."]


def test_recruits_come_on_duty_on_the_day_their_training_ends(tmp_path: Path) -> None:
    sc = room(tmp_path, "[pools.handlers.workforce]\nheadcount = 20\ntraining_weeks = 0.4285\n"
              'intakes = [{ date = "2025-01-06", people = 10 }]\n', absence=0)
    out = simulate(sc, 0)  # Monday 6 January to Sunday 12th; 3 days' training (7 x 0.4285)
    per_day = out.present_s[0].reshape(7, 24).sum(axis=1) / 3600
    # 12 and 8 on the roster for 20 people; with 30 available from Thursday: 18 and 12. The
    # night shift starting on Wednesday is Wednesday's, so it runs into Thursday at 8.
    assert per_day[:3].tolist() == pytest.approx([7 * 8 + 12 * 12 + 5 * 8] * 3)
    assert per_day[3] == pytest.approx(7 * 8 + 12 * 18 + 5 * 12)
    assert per_day[4:].tolist() == pytest.approx([7 * 12 + 12 * 18 + 5 * 12] * 3)
