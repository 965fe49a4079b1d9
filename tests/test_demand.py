"""Demand behaviour: diversion to partners, callbacks and redials, absence and breaks, the
interruptible desk, surges and officer demand.

Conservation is checked exactly, replication by replication. Directions of effect are checked on
paired differences under common random numbers (the same seed, so the same callers): a change
"lowers" a measure when the 95% interval of the paired difference lies below zero.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binom

from conftest import ROOT, write
from contactsim.analysis.experiment import Experiment, run_experiment
from contactsim.analysis.stats import Estimate, mean_ci, paired_difference
from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.engine import ControlRoom, simulate
from contactsim.engine.records import ABANDONED, ANSWERED, CENSORED, DIVERTED, REDIAL, SURGE, SWITCH
from contactsim.engine.roster import break_changes
from contactsim.results.write import summary

SHORT = ("run.days=14", "run.warmup_days=1", "run.replications=6")

EVERYTHING = f"""\
extends = "{ROOT / 'scenarios' / 'rcrp.toml'}"
name = "every loop on"

[partners.nhs111]
hours = [ {{ days = "mon-fri", start = "08:00", end = "20:00" }} ]
staff = 2
handle_s = {{ dist = "exponential", mean = 900 }}

[diversions.medical]
categories = ["medical", "other_agency"]
share = 0.5
at = "pre_queue"
partner = "nhs111"

[pools.digital_desk]
interruptible_for = ["999"]

[[surges]]
channel = "101"
day = 2
start = "10:00"
minutes = 120
calls = 200
"""


def load(tmp_path: Path, text: str, *overrides: str) -> Scenario:
    return load_scenario(write(tmp_path, "s.toml", text), (*SHORT, *overrides))


def shipped(name: str, *overrides: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.toml", (*SHORT, *overrides))


def diff(a: Experiment, b: Experiment, get: object) -> Estimate:
    assert callable(get)
    return paired_difference([get(r) for r in a.replications], [get(r) for r in b.replications])


@pytest.fixture(scope="module")
def experiments() -> dict[str, Experiment]:
    """The shipped scenarios, run once with the same seed, for the comparisons below."""
    return {name: run_experiment(shipped(name), workers=2)
            for name in ("baseline", "rcrp", "rcrp-daytime-partner", "surge")}


def test_conservation_with_every_loop_on(tmp_path: Path) -> None:
    # Conservation is exact, so a week (a surge, weekday and weekend partner hours) is enough.
    sc = load(tmp_path, EVERYTHING, "run.days=7")
    names = list(sc.diversions)
    for r in range(3):
        room = ControlRoom(sc, r)
        out = room.run()
        rec = out.records
        assert not (rec.outcome == CENSORED).any()
        # Every arrival (normal, surge, redial, switch) ends exactly once.
        assert {int(o) for o in np.unique(rec.origin)} == {0, SURGE, REDIAL, SWITCH}
        assert set(np.unique(rec.outcome)) <= {ANSWERED, ABANDONED, DIVERTED}
        # Triage: every handover attempted on an answered contact ends handed over or failed.
        triage = names.index("rcrp")
        attempted = int(((rec.policy == triage) & (rec.outcome == ANSWERED)).sum())
        assert attempted == out.diversions[triage, :, :2].sum() > 0
        assert (rec.outcome[rec.policy == triage] != DIVERTED).all()
        # Pre-queue: taken before the queue, or (partner closed or full) offered as usual.
        pre = names.index("medical")
        picked = rec.policy == pre
        assert int((rec.outcome[picked] == DIVERTED).sum()) == out.diversions[pre, :, 0].sum()
        assert int((rec.outcome[picked] != DIVERTED).sum()) == out.diversions[pre, :, 1].sum()
        assert out.diversions[pre, :, 1].sum() > 0  # the daytime partner turned some away
        assert (rec.outcome[rec.outcome == DIVERTED] == DIVERTED).all()
        # Callbacks: counted once each, never more than the 999 calls abandoned.
        k999 = list(sc.channels).index("999")
        abandoned_999 = int(((rec.channel == k999) & (rec.outcome == ABANDONED)).sum())
        assert 0 < out.callbacks[k999] <= abandoned_999
        assert out.callbacks.sum() == out.callbacks[k999]


def test_summary_counts_balance(tmp_path: Path) -> None:
    sc = load(tmp_path, EVERYTHING, "run.replications=3", "run.days=3")  # the surge is on day 2
    data = summary(run_experiment(sc, workers=2))
    for name, ch in data["channels"].items():
        assert ch["offered"]["mean"] == pytest.approx(ch["answered"]["mean"]
                                                      + ch["abandoned"]["mean"]), name
    for name in ("999", "101"):  # the channels the pre-queue policy covers
        ch = data["channels"][name]
        assert ch["arrivals"]["mean"] == pytest.approx(ch["offered"]["mean"]
                                                       + ch["diverted"]["mean"])
    diverted = sum(data["channels"][n]["diverted"]["mean"] for n in data["channels"]
                   if "diverted" in data["channels"][n])
    assert diverted == pytest.approx(data["diversions"]["medical"]["diverted"]["mean"])
    assert "callbacks" in data["channels"]["999"]
    assert "redials" in data["channels"]["101"]  # 101 callers ringing 101 again
    assert "redials" in data["channels"]["999"]  # ...or ringing 999 instead
    assert data["officer_hours"]["mean"] > 0


@pytest.mark.slow
def test_triage_diversion_releases_handler_time(experiments: dict[str, Experiment]) -> None:
    base, rcrp = experiments["baseline"], experiments["rcrp"]
    util = diff(base, rcrp, lambda r: r.pools["handlers"]["utilisation"])
    assert util.ci_high < 0
    sl = diff(base, rcrp, lambda r: r.channels["999"]["service_level"])
    assert sl.ci_high > 0  # 999 service is not worse: its interval does not lie below zero
    officers = diff(base, rcrp, lambda r: r.officer_hours)
    assert officers.ci_high < 0  # diverted contacts need no officer


@pytest.mark.slow
def test_daytime_partner_diverts_less(experiments: dict[str, Experiment]) -> None:
    full, day = experiments["rcrp"], experiments["rcrp-daytime-partner"]
    failed = np.mean([r.diversions["rcrp"]["failed"] for r in day.replications])
    diverted = np.mean([r.diversions["rcrp"]["diverted"] for r in day.replications])
    assert failed > 0.3 * (failed + diverted)  # nights and evenings fail
    fails_24_7 = np.mean([r.diversions["rcrp"]["failed"] for r in full.replications])
    assert fails_24_7 < 0.05 * failed
    util = diff(full, day, lambda r: r.pools["handlers"]["utilisation"])
    assert util.ci_low > 0


@pytest.mark.slow
def test_closed_partner_fails_every_handover_and_gives_the_baseline_load(
        experiments: dict[str, Experiment]) -> None:
    closed = run_experiment(shipped("rcrp", "partners.mh_crisis_line.hours=[]"), workers=2)
    assert all(r.diversions["rcrp"]["diverted"] == 0 for r in closed.replications)
    assert all(r.diversions["rcrp"]["failed"] > 0 for r in closed.replications)
    # A failed handover costs exactly what the contact would have cost with no diversion, and
    # the callers are the same (common random numbers): every figure equals the baseline's.
    for a, b in zip(experiments["baseline"].replications, closed.replications, strict=True):
        assert a.pools == b.pools
        assert a.channels == b.channels
        assert a.officer_hours == b.officer_hours


@pytest.mark.slow
def test_absence_lowers_staff_hours_by_its_share() -> None:
    longer = ("pools.handlers.breaks_min=0", "run.days=56", "run.replications=8")
    a = run_experiment(shipped("baseline", "pools.handlers.absence=0", *longer), workers=2)
    b = run_experiment(shipped("baseline", "pools.handlers.absence=0.2", *longer), workers=2)
    ratio = [y.pools["handlers"]["staff_hours"] / x.pools["handlers"]["staff_hours"]
             for x, y in zip(a.replications, b.replications, strict=True)]
    # Each person-shift is kept with probability 0.8 (binomial per shift), so the ratio's
    # expectation is 0.8 (staff finishing a call after their shift add ~0.01%); the 99.9%
    # interval from the replications must contain it.
    est = mean_ci(ratio, level=0.999)
    assert est.ci_low <= 0.8 <= est.ci_high
    assert est.half_width < 0.02


def most_off_at_once(changes: list[tuple[float, int]]) -> int:
    """The lowest the changes take the number on duty (minus the most on a break at once)."""
    timeline: dict[float, int] = {}
    for t, d in changes:
        timeline[t] = timeline.get(t, 0) + d
    level, lowest = 0, 0
    for t in sorted(timeline):
        level += timeline[t]
        lowest = min(lowest, level)
    return lowest


def test_breaks_are_staggered_and_take_their_minutes() -> None:
    changes = break_changes(0.0, 36_000.0, people=6, breaks_min=45)
    off = sum(-d for _, d in changes if d < 0)
    assert off == 6 * 3  # three 15-minute spells each
    lowest = most_off_at_once(changes)
    assert lowest == -1  # back to back: one person on a break at a time
    assert sum(d * t for t, d in changes) == pytest.approx(6 * 45 * 60)  # 45 minutes each


def test_a_team_larger_than_its_shift_has_spells_takes_breaks_spread_not_at_the_end() -> None:
    # 60 people on a 12-hour shift with a 15-minute break each: 60 spells of 15 minutes are
    # 15 hours, more than the shift. Two at a time fit (30 slots, 7.5 hours), centred in the
    # shift; one at a time, 39 were pushed into the shift's last 15 minutes.
    start, end = 0.0, 12 * 3600.0
    changes = break_changes(start, end, people=60, breaks_min=15)
    assert sum(-d for _, d in changes if d < 0) == 60
    assert sum(d * t for t, d in changes) == pytest.approx(60 * 15 * 60)
    lowest = most_off_at_once(changes)
    assert lowest == -2  # never more than two off at once
    last_quarter = [t for t, d in changes if d < 0 and t >= end - 15 * 60]
    assert last_quarter == []  # nobody's break starts in the shift's last 15 minutes
    # the 30 slots (7.5 hours) centred on the shift's middle: the first at 02:15
    assert min(t for t, d in changes if d < 0) == pytest.approx(6 * 3600 - 30 * 900 / 2)


@pytest.mark.slow
def test_interruptible_desk_helps_999_and_delays_digital() -> None:
    base = shipped("baseline")
    desk = shipped("baseline", 'pools.digital_desk.interruptible_for=["999"]')
    a, b = run_experiment(base, workers=2), run_experiment(desk, workers=2)
    assert diff(a, b, lambda r: r.channels["999"]["service_level"]).ci_low > 0
    assert diff(a, b, lambda r: r.channels["online"]["mean_wait_s"]).ci_low > 0


@pytest.mark.slow
def test_surge_lowers_service_in_its_hours_only(experiments: dict[str, Experiment]) -> None:
    base, surge = experiments["baseline"], experiments["surge"]
    # Measured day 3 after SHORT's one warm-up day from a Monday is Friday: 21:00 on Friday is
    # hour 4 * 24 + 21 of the week.
    assert shipped("surge").run.warmup_days == 1
    hour = 4 * 24 + 21
    sl = diff(base, surge, lambda r: r.hourly["999"]["service_level"][hour])
    assert sl.ci_high < 0
    offered = diff(base, surge, lambda r: r.hourly["999"]["offered"][hour])
    assert offered.mean == pytest.approx(120, rel=0.2)
    # The hours before the surge and the next day are no different (paired intervals hold 0).
    for first, last in ((4 * 24 + 12, 4 * 24 + 20), (5 * 24 + 12, 5 * 24 + 20)):
        around = diff(base, surge, lambda r, a=first, b=last: np.nanmean(
            r.hourly["999"]["service_level"][a:b]))
        assert around.ci_low <= 0 <= around.ci_high, (first, around)


@pytest.mark.slow
def test_redials_switches_and_callbacks_follow_their_rules(
        experiments: dict[str, Experiment]) -> None:
    """Each 999 caller who hangs up is called back with probability 0.9; each 101 caller who
    hangs up rings 101 again (0.4), rings 999 (0.03), goes online (0.10) or gives up, one draw
    each from a stream of its own. Given the number who hung up, the count of each is binomial,
    so over all replications it must lie in the central 99.9% of that binomial.

    Callbacks are counted for exactly the measured calls that hung up, so that is exact. A
    redial or switch is counted where it arrives: one whose caller hung up in the warm-up may
    land in the window, one whose caller hung up late in the window may land after it. The
    window starts and ends at the same hour of the week (midnight, two weeks apart), so these
    cancel in expectation, and they are a few a replication against a binomial spread of
    about 35 (sqrt(5,000 x 0.4 x 0.6)).
    """
    reps = experiments["baseline"].replications
    sc = shipped("baseline")
    rule, call_back = sc.channels["101"].on_abandon, sc.channels["999"].on_abandon
    assert rule is not None
    assert call_back is not None
    hung_up_101 = int(sum(r.channels["101"]["abandoned"] for r in reps))
    hung_up_999 = int(sum(r.channels["999"]["abandoned"] for r in reps))
    assert hung_up_101 > 1000
    assert hung_up_999 > 1000
    for channel, count, trials, p in (
            ("101", "redials", hung_up_101, rule.redial),  # 101 callers ringing 101 again
            ("999", "redials", hung_up_101, rule.to_999),  # ...or ringing 999 instead
            ("online", "redials", hung_up_101, rule.to_online),  # ...or going online
            ("999", "callbacks", hung_up_999, call_back.callback)):
        seen = sum(r.channels[channel][count] for r in reps)
        low, high = binom.interval(0.999, trials, p)
        assert low <= seen <= high, (channel, count, seen, trials, p, (low, high))


def test_no_negative_waits_with_every_loop_on(tmp_path: Path) -> None:
    out = simulate(load(tmp_path, EVERYTHING, "run.days=7"), 0)
    assert (out.records.wait_s >= 0).all()
    assert (out.records.connect_s >= 0).all()
