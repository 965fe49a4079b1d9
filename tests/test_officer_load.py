"""The officers' pre-run capacity check: incidents needing more officer time than the officers'
rosters provide are flagged before the run (by ``validate`` and ``run``), with the figures a
planner can check by hand; a force that copes, and a scenario without officers, get no such
warning."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, write
from contactsim.analysis.officer_load import (
    officer_warnings,
    weekly_incident_hours,
    weekly_officer_hours,
)
from contactsim.analysis.warnings import scenario_warnings
from contactsim.cli import main
from contactsim.config.loading import load_scenario

# 200 calls a day, half deployed, a fifth of those resolved by phone: 560 attended incidents a
# week, each 600 s travel + 3,600 s on scene = 653.3 officer-hours a week.
OFFICERS = MINIMAL.replace('handle = { dist = "exponential", mean = 300 }', """\
handle = { dist = "exponential", mean = 300 }
deploy = 0.5
grade = { priority = 0.8, resolved = 0.2 }
on_scene_s = 3600""") + """
[officers.response]
travel_s = 600
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = STAFF } ]
"""
NEED = 200 * 7 * 0.5 * 0.8 * 4200 / 3600


def scenario(tmp_path: Path, staff: int, extra: str = "") -> Path:
    return write(tmp_path, "officers.toml", OFFICERS.replace("STAFF", str(staff)) + extra)


def test_the_load_and_the_officer_hours_are_the_hand_counts(tmp_path: Path) -> None:
    sc = load_scenario(scenario(tmp_path, 2))
    assert weekly_incident_hours(sc) == pytest.approx(NEED, rel=1e-12)
    assert weekly_officer_hours(sc) == pytest.approx(2 * 168, rel=1e-12)


def test_too_few_officers_is_flagged_with_its_figures(tmp_path: Path) -> None:
    (warning,) = officer_warnings(load_scenario(scenario(tmp_path, 2)))
    assert warning.startswith("officers cannot keep up")
    assert f"{NEED:,.0f} officer-hours a week" in warning
    assert "officers.response provide 336 (194% of their time)" in warning


def test_enough_officers_no_warning(tmp_path: Path) -> None:
    assert officer_warnings(load_scenario(scenario(tmp_path, 4))) == []  # 672 h >= 653 h


def test_a_diversion_counts_at_its_full_share(tmp_path: Path) -> None:
    extra = """
[partners.line]
hours = [ { days = "mon-sun", start = "00:00", end = "24:00" } ]
[diversions.line]
categories = ["crime"]
share = 0.5
at = "triage"
partner = "line"
"""
    sc = load_scenario(scenario(tmp_path, 2, extra))
    assert weekly_incident_hours(sc) == pytest.approx(NEED / 2, rel=1e-12)
    assert officer_warnings(sc) == []  # 326.7 h <= 336 h


def test_no_officers_no_officer_warning() -> None:
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert officer_warnings(sc) == []


@pytest.mark.parametrize("name", ["baseline-officers.toml", "rcrp-officers.toml"])
def test_the_shipped_officers_cope(name: str) -> None:
    sc = load_scenario(ROOT / "scenarios" / name)
    assert not [w for w in scenario_warnings(sc) if "officers" in w]
    assert 0.6 < weekly_incident_hours(sc) / weekly_officer_hours(sc) < 0.9


def test_validate_says_it(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert main(["validate", str(scenario(tmp_path, 2))]) == 0
    assert "officers cannot keep up" in err.getvalue()


def test_an_area_short_of_officers_is_named(tmp_path: Path) -> None:
    """Two areas, 560 incidents a week of an hour on scene. North: 30%, travel 600 s, 2
    officers. South: 70%, travel 1,800 s, so it needs 0.7 x 560 x 5,400 s = 588 h. With 2
    south officers the force is short (560 h on scene + 560 x 1,440 s travel, the areas'
    means weighted by their shares: 784 h against 672): one warning for the force. With 3
    (504 h) the force copes (784 h against 840) but the south does not: the south is named.
    With 5 (840 h) nobody is short."""
    areas = OFFICERS.replace("[officers.response]\ntravel_s = 600", """\
[officers.north]
share = 0.3
travel_s = 600
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 } ]
[officers.south]
share = 0.7
travel_s = 1800""")
    short = load_scenario(write(tmp_path, "short.toml", areas.replace("STAFF", "2")))
    (force,) = officer_warnings(short)
    assert "need about 784 officer-hours a week (travel and time on scene), but officers.north, " \
        "officers.south provide 672 (117% of their time)" in force
    south_short = load_scenario(write(tmp_path, "south.toml", areas.replace("STAFF", "3")))
    (south,) = officer_warnings(south_short)
    assert "officers.south (its area's 70% of incidents) provide 504" in south
    assert f"need about {0.7 * 560 * 5400 / 3600:,.0f} officer-hours" in south
    assert officer_warnings(load_scenario(write(tmp_path, "ok.toml",
                                                areas.replace("STAFF", "5")))) == []


def test_a_busy_season_is_named_even_when_the_year_copes(tmp_path: Path) -> None:
    """Four officers give 672 h a week against 653 h needed on the year's average; July is
    20% busier (784 h): named; at 2% busier (666 h) it is carried."""
    year = OFFICERS.replace("days = 2\nwarmup_days = 0.5", 'days = 365\nwarmup_days = 0\n'
                            'start_date = "2025-01-01"').replace("STAFF", "4")
    season = year + "[calendar]\nmonthly = [1, 1, 1, 1, 1, 1, 1.2, 1, 1, 1, 1, 0.8]\n"
    (found,) = officer_warnings(load_scenario(write(tmp_path, "july.toml", season)))
    assert found == (
        f"officers cannot keep up in July 2025: the season lifts incidents to about "
        f"{NEED * 1.2:,.0f} officer-hours a week in July 2025 (travel and time on scene), but "
        "officers.response provide 672 (117% of their time); incidents will wait longer and "
        "longer in those months: add officers or shorten time on scene.")
    assert officer_warnings(load_scenario(write(tmp_path, "flat.toml", year))) == []
    mild = season.replace("1.2, 1, 1, 1, 1, 0.8", "1.02, 1, 1, 1, 1, 0.98")
    assert officer_warnings(load_scenario(write(tmp_path, "mild.toml", mild))) == []
