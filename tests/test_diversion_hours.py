"""Diversions with hours of their own, and failed handovers split by why they failed.

- a diversion with ``hours`` diverts (and fails) nothing for contacts arriving outside them,
  and where it never runs the room is exactly the room with no diversion at all;
- ``failed_closed`` (partner closed) and ``failed_busy`` (partner had nobody free) add up to
  ``failed``, replication by replication and hour by hour, and summary.json keeps its keys;
- a scenario without ``hours`` runs as before (tests/test_golden.py guards the baseline).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, write
from contactsim.analysis.experiment import run_experiment
from contactsim.config.loading import load_scenario
from contactsim.problems import ScenarioError
from contactsim.results.write import write_tables
from contactsim.timebase import HOURS_PER_WEEK

#: A weekday 08:00-20:00 scheme, before the queue on 101 and at triage on 999; the partner
#: of the triage scheme is small, so some handovers fail because it is busy, and it closes at
#: 18:00, so some fail because it is closed.
SCHEME = """\
extends = "{rcrp}"
name = "Weekday scheme"
[run]
days = 7
warmup_days = 1
replications = 2
[partners.mh_crisis_line]
hours = [ {{ days = "mon-fri", start = "08:00", end = "18:00" }} ]
staff = 1
[diversions.rcrp]
channels = ["999"]
share = 0.6
hours = [ {{ days = "mon-fri", start = "08:00", end = "20:00" }} ]
[diversions.front_desk]
categories = ["welfare"]
channels = ["101"]
share = 0.5
at = "pre_queue"
hours = [ {{ days = "mon-fri", start = "08:00", end = "20:00" }} ]
"""


def in_hours(hour_of_week: int) -> bool:
    return hour_of_week // 24 < 5 and 8 <= hour_of_week % 24 < 20


@pytest.fixture(scope="module")
def scheme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scheme")
    return write(folder, "scheme.toml",
                 SCHEME.format(rcrp=(ROOT / "scenarios" / "rcrp.toml").as_posix()))


def test_a_diversion_diverts_nothing_outside_its_hours(scheme: Path) -> None:
    sc = load_scenario(scheme)
    assert sc.diversions["rcrp"].hours is not None
    exp = run_experiment(sc, workers=1)
    inside = np.array([in_hours(h) for h in range(HOURS_PER_WEEK)])
    for rep in exp.replications:
        for name in ("rcrp", "front_desk"):
            hourly = rep.diversions_hourly[name]
            for measure in ("diverted", "failed", "failed_closed", "failed_busy"):
                assert not hourly[measure][~inside].any(), (name, measure)
            assert hourly["diverted"][inside].sum() > 0, name
        # The triage partner closes at 18:00 while the scheme runs to 20:00, and has one
        # person: failures of both kinds, inside the scheme's hours only. Counted by hour of
        # arrival: a call arriving before 18:00 may be handed over after it.
        hourly = rep.diversions_hourly["rcrp"]
        closed_hours = {int(h) % 24 for h in np.flatnonzero(hourly["failed_closed"])}
        assert {18, 19} <= closed_hours <= {17, 18, 19}
        assert hourly["failed_busy"].sum() > 0


def test_failed_handovers_split_into_partner_closed_and_busy(scheme: Path,
                                                             tmp_path: Path) -> None:
    exp = run_experiment(load_scenario(scheme), workers=1)
    for rep in exp.replications:
        for name, hourly in rep.diversions_hourly.items():
            assert np.array_equal(hourly["failed_closed"] + hourly["failed_busy"],
                                  hourly["failed"]), name
            m = rep.diversions[name]
            assert m["failed_closed"] + m["failed_busy"] == m["failed"]
    write_tables(exp, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    # The old keys first and as they were; the split after them.
    assert list(summary["diversions"]["rcrp"]) == ["diverted", "failed", "failed_closed",
                                                   "failed_busy"]
    rcrp = summary["diversions"]["rcrp"]
    assert rcrp["failed_closed"]["mean"] + rcrp["failed_busy"]["mean"] == pytest.approx(
        rcrp["failed"]["mean"], rel=1e-12)
    assert rcrp["failed_closed"]["mean"] > 0
    assert rcrp["failed_busy"]["mean"] > 0


def test_a_diversion_that_never_runs_is_no_diversion(tmp_path: Path) -> None:
    """Hours that the run never reaches (a minute of Sunday; the run is Tuesday to Thursday):
    every channel and pool measure is the room's with no diversion at all."""
    rcrp = (ROOT / "scenarios" / "rcrp.toml").as_posix()
    never = write(tmp_path, "never.toml", f"""\
        extends = "{rcrp}"
        [run]
        days = 2
        warmup_days = 1
        replications = 2
        [diversions.rcrp]
        hours = [ {{ days = "sun", start = "12:00", end = "12:01" }} ]
        """)
    sc = load_scenario(never)
    assert sc.run.start_day == 0  # Monday: warm-up, then Tuesday and Wednesday measured
    plain = load_scenario(ROOT / "scenarios" / "baseline.toml",
                          ["run.days=2", "run.warmup_days=1", "run.replications=2",
                           f"run.seed={sc.run.seed}"])
    a, b = run_experiment(sc, workers=1), run_experiment(plain, workers=1)
    for ra, rb in zip(a.replications, b.replications, strict=True):
        assert ra.diversions["rcrp"] == {"diverted": 0.0, "failed": 0.0, "failed_closed": 0.0,
                                         "failed_busy": 0.0}
        assert ra.channels == rb.channels
        assert ra.pools == rb.pools
        assert ra.officer_hours == rb.officer_hours


def test_bad_diversion_hours_name_the_key(tmp_path: Path) -> None:
    rcrp = (ROOT / "scenarios" / "rcrp.toml").as_posix()
    bad = write(tmp_path, "bad.toml", f"""\
        extends = "{rcrp}"
        [diversions.rcrp]
        hours = [ {{ days = "mon-fri", start = "25:00", end = "20:00" }} ]
        """)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bad)
    assert "diversions.rcrp.hours[0].start" in str(caught.value)
