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
