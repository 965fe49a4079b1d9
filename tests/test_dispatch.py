"""Officers and dispatch (DESIGN §12) against queueing theory and hand counts.

The incidents reach the officers as a Poisson stream when handlers answer at once (a second's
handle time, far more handlers than calls), so with one grade, exponential times on scene and
no travel the dispatch queue is M/M/c: Erlang C gives the probability an incident waits and its
mean wait. With two grades and one time-on-scene distribution, the non-preemptive priority
formula (Cobham 1954, for c servers Kella & Yechiali 1985) gives each grade's mean wait. As in
test_queueing, the tolerance is the replications' own 99.9% Student t interval: for a correct
model a check fails with probability 0.1% for a given seed (the seeds are fixed).

Chase calls are checked on a case with no randomness in the waits' effect: incidents arrive
only between 00:00 and 06:00 and the officers come on at 10:00, so each waits until then, and
every waiting caller (share 1) rings at 1, 2, ... hours until 10:00: an incident answered at
t hours after midnight makes floor(10 - t) chase calls (4 to 9, 6.5 on average).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from conftest import DISPATCH_ROOM, ROOT, assert_within, dispatch_outputs, erlang_c, write
from contactsim.analysis.measures import replication_measures
from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.engine import simulate
from contactsim.engine.dispatch import waiting_by_hour

QUEUE = DISPATCH_ROOM + """\
[officers.response]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = {officers} }} ]
"""


def load(tmp_path: Path, text: str) -> Scenario:
    return load_scenario(write(tmp_path, "s.toml", text))


def test_one_grade_matches_erlang_c(tmp_path: Path) -> None:
    """M/M/8 at load 6 (rho 0.75): 36 incidents an hour, 10 minutes on scene, no travel. Ten
    replications of 4 days, about 3,500 incidents each."""
    per_hour, on_scene, officers = 36.0, 600.0, 8
    sc = load(tmp_path, QUEUE.format(days=4, reps=10, seed=3, per_day=per_hour * 24,
                                     on_scene=on_scene, grade="{ immediate = 1.0 }",
                                     officers=officers))
    reps = dispatch_outputs(sc)
    a = per_hour / 3600 * on_scene
    pw = erlang_c(officers, a)
    mean_wait = pw * on_scene / (officers - a)
    assert_within([float((d.arrival_s[0] > 0).mean()) for d in reps], pw, "P(wait)")
    assert_within([float(d.arrival_s[0].mean()) for d in reps], mean_wait, "mean wait")
    assert_within([d.busy_s / d.present_s for d in reps], a / officers, "utilisation")
    # Little's law on the dispatch queue: mean incidents waiting = rate x mean wait.
    assert_within([float(d.waiting_s.sum()) / (4 * 86_400) for d in reps],
                  per_hour / 3600 * mean_wait, "incidents waiting")


@pytest.mark.slow
def test_two_grades_match_the_priority_formula(tmp_path: Path) -> None:
    """Non-preemptive priority on c servers with one exponential service time: W_k =
    C(c, a) / (c mu (1 - s_{k-1}) (1 - s_k)), s_k the load of grades 1..k. 5 officers at
    rho 0.85, 30% of the load immediate."""
    c, on_scene, rho, high = 5, 600.0, 0.85, 0.3 / 0.85
    per_hour = rho * c / on_scene * 3600
    sc = load(tmp_path, QUEUE.format(days=20, reps=12, seed=5, per_day=per_hour * 24,
                                     on_scene=on_scene, officers=c,
                                     grade=f"{{ immediate = {high}, priority = {1 - high} }}"))
    reps = dispatch_outputs(sc)
    mu = 1 / on_scene
    cw = erlang_c(c, rho * c)
    s1, s2 = 0.3, rho
    w_high = cw / (c * mu * (1 - s1))
    w_low = cw / (c * mu * (1 - s1) * (1 - s2))
    assert_within([float(d.arrival_s[0].mean()) for d in reps], w_high, "immediate")
    assert_within([float(d.arrival_s[1].mean()) for d in reps], w_low, "priority")


def test_two_grades_short_run(tmp_path: Path) -> None:
    """The fast tier's look at priority order: the same formula on a short, lighter run."""
    c, on_scene, rho, high = 6, 300.0, 0.7, 0.5
    per_hour = rho * c / on_scene * 3600
    sc = load(tmp_path, QUEUE.format(days=3, reps=10, seed=8, per_day=per_hour * 24,
                                     on_scene=on_scene, officers=c,
                                     grade=f"{{ immediate = {high}, priority = {1 - high} }}"))
    reps = dispatch_outputs(sc)
    mu = 1 / on_scene
    cw = erlang_c(c, rho * c)
    s1 = rho * high
    assert_within([float(d.arrival_s[0].mean()) for d in reps], cw / (c * mu * (1 - s1)),
                  "immediate")
    assert_within([float(d.arrival_s[1].mean()) for d in reps],
                  cw / (c * mu * (1 - s1) * (1 - rho)), "priority")


CHASE = """\
name = "chase calls, by hand"
[run]
days = 3
warmup_days = 0
replications = 4
seed = 9
[channels.999]
per_day = 60
answer_target_s = 10
hourly = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
mix = {{ crime = 1.0 }}
[channels.101]
per_day = 0.001
answer_target_s = 60
mix = {{ info = 1.0 }}
[categories.crime]
handle = 1
deploy = 1.0
officer_hours = 0.01
grade = {{ immediate = 0.5, scheduled = 0.5 }}
[categories.info]
handle = 1
[categories.chase]
handle = 1
[pools.handlers]
skills = ["999", "101"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 40 }} ]
[officers.response]
roster = [ {{ days = "mon-sun", start = "10:00", end = "11:00", staff = 500 }} ]
[dispatch.chase]
after_s = 3600
repeat_s = 3600
share = {share}
channel = "101"
"""


def test_chase_calls_match_a_hand_count(tmp_path: Path) -> None:
    sc = load(tmp_path, CHASE.format(share=1.0))
    for r in range(sc.run.replications):
        out = simulate(sc, r)
        d = out.dispatch
        assert d is not None
        waits = np.concatenate(d.arrival_s)
        assert len(waits) == d.incidents.sum() > 100  # every incident attended
        # each waits until 10:00: answered t hours after midnight (0 <= t < 6), it waits
        # 10 - t hours and its caller rings at 1, 2, ... hours: floor(wait / 1 h) times
        assert ((waits > 4 * 3600) & (waits <= 10 * 3600)).all()
        assert d.chase == np.floor(waits / 3600).sum()
        # and the chase calls are contacts of category chase on 101, counted there too
        m = replication_measures(sc, r, out)
        assert m.channels["101"]["offered"] >= d.chase
        assert m.dispatch is not None
        assert m.dispatch["all"]["chase_per_day"] == d.chase / 3
    # the hand-computed expectation: 6.5 chase calls an incident (t uniform on 0-6 hours)
    per_incident = [d.chase / d.incidents.sum() for d in dispatch_outputs(sc)]
    assert_within(per_incident, 6.5, "chase calls per incident")


def test_chase_share_is_one_draw_per_incident(tmp_path: Path) -> None:
    """With share 0.5 about half the callers chase, each as often as with share 1."""
    full = dispatch_outputs(load(tmp_path, CHASE.format(share=1.0)))
    half = dispatch_outputs(load(tmp_path, CHASE.format(share=0.5)))
    # the same incidents and waits (the chase draw has its own stream)
    for a, b in zip(full, half, strict=True):
        assert np.array_equal(np.concatenate(a.arrival_s), np.concatenate(b.arrival_s))
    assert_within([b.chase / a.chase for a, b in zip(full, half, strict=True)], 0.5,
                  "share of chase calls")


def test_no_officers_changes_nothing_else(tmp_path: Path) -> None:
    """Officers with no chase calls and nothing resolved by phone draw only from streams of
    their own and take no handler time: every contact's record, the pools and the officer
    hours are exactly those of the scenario without them."""
    base = ROOT / "scenarios" / "baseline.toml"
    officers = write(tmp_path, "officers.toml", f"""\
        extends = "{base}"
        [officers.response]
        roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 60 }} ]
        travel_s = {{ dist = "exponential", mean = 600 }}
        """)
    sets = ["run.days=2", "run.warmup_days=0.5"]
    a, b = simulate(load_scenario(base, sets), 0), simulate(load_scenario(officers, sets), 0)
    assert a.dispatch is None
    assert b.dispatch is not None
    assert b.dispatch.incidents.sum() > 0
    ra, rb = a.records, b.records
    for field in ("channel", "category", "hour", "outcome", "origin", "policy", "wait_s",
                  "connect_s"):
        assert np.array_equal(getattr(ra, field), getattr(rb, field)), field
    assert np.array_equal(a.busy_s, b.busy_s)
    assert np.array_equal(a.present_s, b.present_s)
    assert np.allclose(a.officer_hours, b.officer_hours, rtol=1e-12)


def test_waiting_by_hour_integrates_the_intervals() -> None:
    """An incident waiting 00:30-02:15 within a window from 01:00 to 03:00 (Monday): 1 hour
    in hour 1, 15 minutes in hour 2; one waiting 02:45-05:00: 15 minutes in hour 2."""
    h = 3600.0
    out = waiting_by_hour([(0.5 * h, 2.25 * h), (2.75 * h, 5 * h)], 1 * h, 3 * h, 0)
    want = np.zeros(168)
    want[1], want[2] = h, 0.5 * h
    assert np.allclose(out, want)
    # start_day shifts the hour of the week: time 0 on a Tuesday
    assert math.isclose(waiting_by_hour([(0.0, h)], 0.0, h, 1)[24], h)


def test_no_officers_on_duty_means_none_attended_and_a_warning(tmp_path: Path) -> None:
    """With nobody on duty no incident is ever attended: every one counts as missing its
    target, the run stops at the drain limit and says so, and each waiting caller chases at
    most 10 times (MAX_TRIES) rather than ringing for ever."""
    text = CHASE.format(share=1.0).replace("staff = 500", "staff = 0")
    text = text.replace("days = 3\n", "days = 1\n").replace("replications = 4", "replications = 1")
    sc = load(tmp_path, text)
    out = simulate(sc, 0)
    d = out.dispatch
    assert d is not None
    assert d.incidents.sum() > 10
    assert all(len(a) == 0 for a in d.arrival_s)
    assert any("still waiting for an officer" in w for w in out.warnings)
    m = replication_measures(sc, 0, out)
    assert m.dispatch is not None
    assert m.dispatch["immediate"]["attended_within_target"] == 0.0
    # the chase calls in the window come from the window's own incidents: at most 10 each
    assert 0 < d.chase <= 10 * d.incidents.sum()
