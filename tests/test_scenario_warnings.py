"""Warnings a valid scenario earns before it runs: durations that can only be minutes written
as seconds, and a voice channel left with nobody on duty (a gap between shifts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import MINIMAL, ROOT, problems, write
from contactsim.analysis.warnings import scenario_warnings, uncovered_windows
from contactsim.config.loading import load_scenario
from contactsim.timebase import MIN_PER_DAY


def warnings_of(tmp_path: Path, text: str) -> list[str]:
    return scenario_warnings(load_scenario(write(tmp_path, "s.toml", text)))


def test_a_handle_and_a_patience_written_in_minutes_are_named_with_the_seconds_meant(
        tmp_path: Path) -> None:
    text = MINIMAL.replace('handle = { dist = "exponential", mean = 300 }', "handle = 7")
    text = text.replace("answer_target_s = 10", "answer_target_s = 10\npatience = 3")
    found = warnings_of(tmp_path, text)
    assert any(w.startswith("categories.crime.handle: a mean talk time of 7 s")
               and "write 420" in w for w in found), found
    assert any(w.startswith("channels.999.patience: a mean patience of 3 s")
               and "write 180" in w for w in found), found


def test_plausible_durations_at_the_thresholds_earn_no_warning(tmp_path: Path) -> None:
    text = MINIMAL.replace('handle = { dist = "exponential", mean = 300 }', "handle = 30")
    text = text.replace("answer_target_s = 10", "answer_target_s = 10\npatience = 10")
    assert not [w for w in warnings_of(tmp_path, text) if "durations are in seconds" in w]


def test_a_gap_between_day_and_night_shifts_is_named_with_its_days_and_times(
        tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 } ]',
        'roster = [ { days = "mon-sun", start = "07:00", end = "19:00", staff = 9 },\n'
        '           { days = "mon-fri", start = "19:30", end = "07:00", staff = 6 },\n'
        '           { days = "sat-sun", start = "19:00", end = "07:00", staff = 6 } ]')
    found = [w for w in warnings_of(tmp_path, text) if "nobody who can answer" in w]
    assert found == ["channels.999: nobody who can answer 999 is on duty Mon-Fri 19:00-19:30 "
                     "(a gap in the roster: its callers wait, or hang up, until someone "
                     "starts)."]


def test_uncovered_windows_groups_by_time_of_day_and_splits_at_midnight() -> None:
    on_duty = np.ones(7 * MIN_PER_DAY)
    on_duty[5 * MIN_PER_DAY + 23 * 60:6 * MIN_PER_DAY + 7 * 60] = 0  # Sat 23:00 - Sun 07:00
    on_duty[2 * MIN_PER_DAY + 600:2 * MIN_PER_DAY + 610] = 0  # Wed 10:00-10:10
    assert uncovered_windows(on_duty) == ["Wed 10:00-10:10", "Sat 23:00-24:00",
                                          "Sun 00:00-07:00"]
    assert uncovered_windows(np.zeros(7 * MIN_PER_DAY)) == ["every day 00:00-24:00"]


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")),
                         ids=lambda p: p.name)
def test_shipped_scenarios_earn_no_duration_or_cover_warning(path: Path) -> None:
    found = scenario_warnings(load_scenario(path))
    assert not [w for w in found if "durations are in seconds" in w
                or "nobody who can answer" in w], found


THREE_THIRDS = MINIMAL.replace(
    '[categories.crime]', 'mix = { crime = 0.333, info = 0.333, asb = 0.333 }\n'
    '[categories.info]\nhandle = 200\n[categories.asb]\nhandle = 250\n[categories.crime]')


def test_a_mix_within_half_a_percent_of_one_is_accepted_scaled_and_said(
        tmp_path: Path) -> None:
    found = [w for w in warnings_of(tmp_path, THREE_THIRDS) if ".mix" in w]
    assert found == ["channels.999.mix: shares add up to 0.999, not 1; each is scaled by 1.001 "
                     "so they add up to 1."]


def test_a_mix_off_by_more_than_half_a_percent_is_still_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", THREE_THIRDS.replace("asb = 0.333", "asb = 0.32"))
    assert problems(path) == [f"error: {path}: channels.999.mix: shares add up to 0.986, not 1; "
                              "check for a typo"]


def test_a_share_written_as_a_percentage_suggests_the_fraction(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", THREE_THIRDS.replace("crime = 0.333", "crime = 33"))
    assert f"error: {path}: channels.999.mix.crime: a share is a fraction of 1, got 33; did " \
           "you mean 0.33?" in problems(path)


def test_scale_rounds_so_the_pools_staff_hours_change_as_asked(tmp_path: Path) -> None:
    """Nine one-hour lines of 5 people and a 15-hour line of 1, scaled by 0.9: each line on its
    own rounds 4.5 up to 5 and 0.9 up to 1 (no change at all); rounded to the total (3,240 of
    3,600 person-minutes a day), the long line keeps its 1 and three short lines keep 5."""
    lines = ",\n".join(f'{{ days = "mon-sun", start = "{h:02d}:00", end = "{h + 1:02d}:00", '
                       'staff = 5 }' for h in range(9))
    text = MINIMAL.replace(
        'roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 } ]',
        f"scale = 0.9\nroster = [ {lines},\n"
        '{ days = "mon-sun", start = "09:00", end = "24:00", staff = 1 } ]')
    path = write(tmp_path, "s.toml", text)
    pool = load_scenario(path).pools["handlers"]
    assert sorted(pool.headcounts[:9]) == [4] * 6 + [5] * 3
    assert pool.headcounts[9] == 1
    assert pool.staff_hours_change == pytest.approx(-0.1, abs=1e-12)
    assert not [w for w in scenario_warnings(load_scenario(path)) if ".scale" in w]


def test_a_scale_whole_people_cannot_give_is_said_with_the_realised_change(
        tmp_path: Path) -> None:
    text = MINIMAL.replace('staff = 2 } ]', 'staff = 2 } ]\nscale = 1.2')
    found = [w for w in warnings_of(tmp_path, text) if ".scale" in w]
    assert found == ["pools.handlers.scale = 1.2 asks for +20.0% staff hours; in whole people "
                     "per shift line the roster gets +0.0%."]


def test_a_gap_while_the_channel_is_closed_is_no_gap(tmp_path: Path) -> None:
    daytime = MINIMAL.replace(
        'roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 } ]',
        'roster = [ { days = "mon-sun", start = "08:00", end = "20:00", staff = 2 } ]')
    open_all_day = [w for w in warnings_of(tmp_path, daytime) if "nobody" in w]
    assert open_all_day == ["channels.999: nobody who can answer 999 is on duty every day "
                            "00:00-08:00; every day 20:00-24:00 (a gap in the roster: its "
                            "callers wait, or hang up, until someone starts)."]
    opening = daytime.replace("answer_target_s = 10", 'answer_target_s = 10\nopen = '
                              '[{ days = "mon-sun", start = "08:00", end = "20:00" }]')
    assert not [w for w in warnings_of(tmp_path, opening) if "nobody" in w]


# --- capacity over the months of a workforce ---------------------------------------------------

#: A year of ten people carrying 85% of what the roster (written for ten) gives: 2,448 calls a
#: day of 300 s are 1,428 staff-hours a week against 10 x 168 = 1,680, with no absence or breaks.
LEAVING = """\
name = "leaving"
[run]
days = 365
warmup_days = 0
start_date = "2025-01-01"
[channels.999]
per_day = 2448
patience = 60
[categories.crime]
handle = 300
[pools.handlers]
skills = ["999"]
absence = 0
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 10 } ]
[pools.handlers.workforce]
headcount = 10
"""


def capacity_of(tmp_path: Path, text: str) -> list[str]:
    return [w for w in warnings_of(tmp_path, text) if "capacity" in w]


def test_attrition_that_makes_the_roster_fall_short_mid_year_names_the_month(
        tmp_path: Path) -> None:
    """At 50% a year, ten people become 10 x 0.5 ** (m / 12) after m months: below the 8.5 the
    load needs from m = 12 log(0.85) / log(0.5) = 2.81, late in March. March's days average
    about 8.66 people (above 8.5), April's about 8.16 (below): 10 x 0.5 ** (3/12) = 8.41 on 1
    April falling evenly to 7.94 at its end, and 1,680 x 0.816 = 1,372 staff-hours a week."""
    found = capacity_of(tmp_path, LEAVING + "attrition = 0.5\n")
    assert found == [
        "pools.handlers.workforce: by April 2025 the expected 8.2 available of the 10 the "
        "roster is written for cannot carry the load of 999: they need about 1,428 staff-hours "
        "a week that month, but handlers provide about 1,372 after absence and breaks (104% of "
        "capacity); callers will abandon in large numbers."]
    assert capacity_of(tmp_path, LEAVING) == []  # nobody leaves: 85% all year


def test_a_roster_short_from_the_start_names_the_first_month_with_todays_figures(
        tmp_path: Path) -> None:
    busy = LEAVING.replace("per_day = 2448", "per_day = 3000")
    plain = busy[:busy.index("[pools.handlers.workforce]")]
    (fixed,) = capacity_of(tmp_path, plain)
    assert fixed.startswith("demand exceeds capacity: 999 need about 1,750 staff-hours a week, "
                            "but handlers provide about 1,680 after absence and breaks (104%")
    assert capacity_of(tmp_path, busy) == [
        "pools.handlers.workforce: in January 2025, the run's first month, the expected 10 "
        "available of the 10 the roster is written for cannot carry the load of 999: they need "
        "about 1,750 staff-hours a week that month, but handlers provide about 1,680 after "
        "absence and breaks (104% of capacity); callers will abandon in large numbers."]


def test_a_busy_season_counts_in_its_month(tmp_path: Path) -> None:
    """Nobody leaves, but July is 20% busier than the year's average day: 1,714 staff-hours a
    week against 1,680; at 10% busier (1,571) it is carried."""
    seasons = LEAVING.replace("[pools.handlers]", "[calendar]\nmonthly = [1, 1, 1, 1, 1, 1, "
                              "1.2, 1, 1, 1, 1, 0.8]\n[pools.handlers]")
    (found,) = capacity_of(tmp_path, seasons)
    assert found.startswith("pools.handlers.workforce: by July 2025 the expected 10 available "
                            "of the 10 the roster is written for cannot carry the load of 999: "
                            "they need about 1,714 staff-hours a week that month"), found
    assert capacity_of(tmp_path, seasons.replace("1.2, 1, 1", "1.1, 1, 1").replace(
        "0.8]", "0.9]")) == []


def test_recruits_still_ramping_up_count_as_less_than_one(tmp_path: Path) -> None:
    """Ten recruits on the start date, 20% slower at first (the factor falls to 1 over ten
    years, so January's is 1.2 - 0.2 x 15.5 / 3640 = 1.1991): 10 / 1.1991 = 8.34 at full speed,
    short of the 8.5 the load needs. Without the ramp they carry it."""
    recruits = LEAVING.replace("headcount = 10", "headcount = 0\nroster_for = 10\n"
                               'intakes = [{ date = "2025-01-01", people = 10 }]')
    (found,) = capacity_of(tmp_path, recruits + "ramp_weeks = 520\nramp_factor = 1.2\n")
    assert found.startswith(
        "pools.handlers.workforce: in January 2025, the run's first month, the expected 10 "
        "available of the 10 the roster is written for (8.3 at full speed: recruits still "
        "ramping up are slower) cannot carry the load of 999: they need about 1,428 "
        "staff-hours a week that month, but handlers provide about 1,401 after"), found
    assert capacity_of(tmp_path, recruits) == []


def test_the_shipped_year_carries_its_load_every_month_but_not_at_90_percent_attrition(
        ) -> None:
    path = ROOT / "scenarios" / "workforce-year.toml"
    assert not [w for w in scenario_warnings(load_scenario(path)) if "capacity" in w]
    (found,) = [w for w in scenario_warnings(load_scenario(
        path, ["pools.handlers.workforce.attrition=0.9"])) if "capacity" in w]
    assert found.startswith("pools.handlers.workforce: by April 2025 the expected 28.7 "
                            "available of the 56"), found


def test_a_busy_season_without_a_workforce_names_its_months(tmp_path: Path) -> None:
    """The same year with no workforce: the year's average (1,428 staff-hours a week against
    1,680) is carried, but July (x 1.2: 1,714) and August (x 1.19: 1,699) are not. Weights
    are scaled to mean 1 over the year: these already are."""
    plain = LEAVING[:LEAVING.index("[pools.handlers.workforce]")]
    seasons = plain.replace("[pools.handlers]", "[calendar]\nmonthly = [1, 1, 1, 1, 1, 1, "
                            "1.2, 1.19, 1, 1, 0.81, 0.8]\n[pools.handlers]")
    (found,) = capacity_of(tmp_path, seasons)
    assert found == (
        "demand exceeds capacity in July 2025 and August 2025: the season lifts 999 to about "
        "1,714 staff-hours a week in July 2025, but handlers provide about 1,680 after absence "
        "and breaks (102% of capacity); callers will abandon in large numbers.")
    assert capacity_of(tmp_path, plain) == []  # no calendar season: 85% all year
    flat = seasons.replace("1.2, 1.19, 1, 1, 0.81, 0.8", "1.1, 1.09, 1, 1, 0.91, 0.9")
    assert capacity_of(tmp_path, flat) == []  # July at 1,571: carried
