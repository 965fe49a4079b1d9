"""What a planner trips over in scenario files and reports (issue 15, items 2 and 6).

Each test holds one fix: a child file's ``mix`` replaces its parent's whole and problems name the
file that set it; a typo'd category is reported as a typo before any sum; TOML times written
without quotes get a hint; and the words, units and charts of the reports say what they show.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from conftest import problems, write
from contactsim.analysis.stats import Estimate
from contactsim.config.loading import load_scenario

PARENT = """\
name = "parent"
[run]
days = 1
warmup_days = 0
replications = 1
seed = 1
[channels.999]
per_day = 100
answer_target_s = 10
mix = { crime = 0.5, info = 0.3, welfare = 0.2 }
[channels.101]
per_day = 50
mix = { crime = 0.4, info = 0.6 }
[categories.crime]
handle = 300
[categories.info]
handle = 200
[categories.welfare]
handle = 600
[pools.handlers]
skills = ["999", "101"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 4 } ]
"""


@pytest.fixture
def family(tmp_path: Path) -> Path:
    """A folder with ``base/parent.toml``; children are written beside it in ``my/``."""
    write(tmp_path, "base/parent.toml", PARENT)
    return tmp_path


def child(folder: Path, body: str) -> Path:
    return write(folder, "my/metro.toml", 'extends = "../base/parent.toml"\nname = "metro"\n'
                 + body)


# --- item 2: a mix replaces as a whole ------------------------------------------------------


def test_child_mix_replaces_the_parents_whole(family: Path) -> None:
    # Merged key by key this read crime 0.7 + info 0.3 + welfare 0.2 = 1.2: an error.
    sc = load_scenario(child(family, "[channels.999]\nmix = { crime = 0.7, info = 0.3 }\n"))
    assert sc.channels["999"].mix == (("crime", 0.7), ("info", 0.3))
    assert sc.document["channels"]["999"]["mix"] == {"crime": 0.7, "info": 0.3}
    # the rest of the channel still merges key by key, and the other channel is the parent's
    assert sc.channels["999"].per_day == 100
    assert sc.channels["999"].answer_target_s == 10
    assert sc.channels["101"].mix == (("crime", 0.4), ("info", 0.6))


def test_child_that_leaves_mix_alone_keeps_the_parents(family: Path) -> None:
    sc = load_scenario(child(family, "[channels.999]\nper_day = 120\n"))
    assert sc.channels["999"].per_day == 120
    assert dict(sc.channels["999"].mix) == pytest.approx(
        {"crime": 0.5, "info": 0.3, "welfare": 0.2})


def test_child_mix_total_names_the_child(family: Path) -> None:
    metro = child(family, "[channels.999]\nmix = { crime = 0.6, info = 0.3 }\n")
    assert problems(metro) == [
        f"error: {metro}: channels.999.mix: shares add up to 0.9, not 1; check for a typo"]


def test_parent_mix_total_names_the_parent(tmp_path: Path) -> None:
    parent = write(tmp_path, "base/parent.toml",
                   PARENT.replace("info = 0.3, welfare", "info = 0.4, welfare"))
    metro = child(tmp_path, "[channels.999]\nper_day = 120\n")
    assert problems(metro) == [
        f"error: {parent}: channels.999.mix: shares add up to 1.1, not 1; check for a typo"]


def test_child_typo_is_a_typo_not_a_sum(family: Path) -> None:
    metro = child(family, "[channels.999]\nmix = { crime = 0.5, info = 0.3, welfre = 0.28 }\n")
    assert problems(metro) == [
        f"error: {metro}: channels.999.mix.welfre: unknown category 'welfre' (did you mean "
        '"welfare"?); defined categories: crime, info, welfare']


def test_every_typo_reported_and_no_sum(family: Path) -> None:
    metro = child(family, "[channels.999]\nmix = { crme = 0.5, inf = 0.3, welfare = 0.1 }\n")
    lines = problems(metro)
    assert len(lines) == 2, lines
    assert "mix.crme: unknown category 'crme' (did you mean \"crime\"?)" in lines[0]
    assert "mix.inf: unknown category 'inf' (did you mean \"info\"?)" in lines[1]
    assert not any("add up" in line for line in lines)


def test_surge_mix_checked_the_same_way(family: Path) -> None:
    surge = ('[[surges]]\nchannel = "999"\nday = 0\nstart = "21:00"\nminutes = 60\n'
             "calls = 50\nmix = { {MIX} }\n")
    typo = child(family, surge.replace("{MIX}", "crme = 0.5"))
    assert problems(typo) == [
        f"error: {typo}: surges[0].mix.crme: unknown category 'crme' (did you mean \"crime\"?)"
        "; defined categories: crime, info, welfare"]
    short = child(family, surge.replace("{MIX}", "crime = 0.5"))
    assert problems(short) == [
        f"error: {short}: surges[0].mix: shares add up to 0.5, not 1; check for a typo"]


def test_set_still_changes_one_share(family: Path) -> None:
    """--set writes one key into the resolved document: it changes one share, as before."""
    metro = child(family, "")
    sc = load_scenario(metro, ["channels.999.mix.crime=0.4", "channels.999.mix.welfare=0.3"])
    assert dict(sc.channels["999"].mix) == pytest.approx(
        {"crime": 0.4, "info": 0.3, "welfare": 0.3})
    lines = problems(metro, ("channels.999.mix.crime=0.6",))
    assert lines == [f"error: {family / 'base/parent.toml'}: channels.999.mix: shares add up "
                     "to 1.1, not 1; check for a typo (channels.999.mix.crime from --set)"]


def test_grandchild_replaces_the_middle_files_mix(family: Path) -> None:
    child(family, "[channels.999]\nmix = { crime = 0.7, info = 0.3 }\n")
    grand = write(family, "my/grand.toml",
                  'extends = "metro.toml"\nname = "grand"\n[channels.999]\n'
                  "mix = { crime = 0.2, welfare = 0.8 }\n")
    assert load_scenario(grand).channels["999"].mix == (("crime", 0.2), ("welfare", 0.8))


# --- item 6: a time or a date without quotes ------------------------------------------------


@pytest.mark.parametrize(("line", "hint"), [
    ("start = 7:00", 'times are written in quotes: start = "07:00"'),
    ("start = 07:00", 'times are written in quotes: start = "07:00"'),
    ("end = 24:00", 'times are written in quotes: end = "24:00"'),
    ("start = 9:30:00", 'times are written in quotes: start = "09:30"'),
    ('roster = [ { days = "mon-sun", start = "07:00", end = 17:00, staff = 9 } ]',
     'times are written in quotes: end = "17:00"'),
    ("start_date = 2025-6-1", 'dates are written in quotes: start_date = "2025-06-01"'),
    ("days = [ { date = 12-31 } ]", 'dates are written in quotes: date = "12-31"'),
])
def test_unquoted_time_or_date_gets_a_hint(tmp_path: Path, line: str, hint: str) -> None:
    path = write(tmp_path, "s.toml", f'name = "x"\n{line}\n')
    [problem] = problems(path)
    assert problem.startswith(f"error: {path}: line 2, column ")
    assert ": invalid TOML: " in problem
    assert problem.endswith(f"({hint})")


@pytest.mark.parametrize("line", ["x = lots", "x = 7:00am", 'x = "07:00" 8'])
def test_other_syntax_errors_get_no_time_hint(tmp_path: Path, line: str) -> None:
    [problem] = problems(write(tmp_path, "s.toml", f'name = "x"\n{line}\n'))
    assert "written in quotes" not in problem


# --- item 6: a clear change is one whose printed interval excludes zero ---------------------


@pytest.mark.parametrize(("measure", "change", "clear"), [
    # +0.3 pts (0.0 to +0.6 pts): the low end, 0.04 pts, prints as 0.0, so not clear
    ("service_level", Estimate(0.003, 0.0004, 0.0056, 20), False),
    ("service_level", Estimate(0.003, 0.0006, 0.0056, 20), True),  # (+0.1 to +0.6 pts)
    ("service_level", Estimate(-0.003, -0.0056, -0.0004, 20), False),
    ("service_level", Estimate(-0.003, -0.0056, -0.0006, 20), True),
    ("service_level", Estimate(0.003, -0.001, 0.0056, 20), False),
    ("mean_answer_s", Estimate(1.2, 0.04, 2.4, 20), False),  # (0.0 to +2.4 s)
    ("mean_answer_s", Estimate(1.2, 0.06, 2.4, 20), True),  # (+0.1 to +2.4 s)
    ("mean_answer_s", Estimate(1.2, math.nan, math.nan, 1), False),
])
def test_clear_agrees_with_the_printed_interval(measure: str, change: Estimate,
                                                clear: bool) -> None:
    from contactsim.present.report_whatif import change_cell
    from contactsim.present.words import fmt_ci, is_clear

    printed = fmt_ci(measure, change, signed=True)
    assert is_clear(measure, change) is clear, printed
    if math.isfinite(change.ci_low):
        low, high = (float(re.sub(r"[^0-9.+-]", "", part))
                     for part in printed.split("(")[1].rstrip(")").split(" to "))
        assert clear == (low > 0 or high < 0), printed
    assert change_cell(measure, change).startswith("<b") is clear
