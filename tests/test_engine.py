"""Engine behaviour: arrivals, rosters and shift edges, routing, warm-up and drain, randomness."""

from __future__ import annotations

import gc
import math
from pathlib import Path

import numpy as np
import pytest

from conftest import MINIMAL, ROOT, write
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.stats import mean_ci
from contactsim.analysis.warnings import capacity_warnings, scenario_warnings
from contactsim.config.distributions import Distribution
from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.engine import MAX_TRIES, MAX_WAITING, ControlRoom, simulate
from contactsim.engine.arrivals import day_arrivals, hourly_rates
from contactsim.engine.demand import DayContacts
from contactsim.engine.entities import Contact, Handler
from contactsim.engine.events import Call, EventLoop
from contactsim.engine.records import ABANDONED, ANSWERED, CENSORED, NORMAL, REDIAL
from contactsim.engine.roster import rostered_by_hour, week_changes
from contactsim.engine.streams import Streams, generator


def scenario(tmp_path: Path, text: str, *overrides: str) -> Scenario:
    return load_scenario(write(tmp_path, "s.toml", text), overrides)


# --- the event loop -------------------------------------------------------------------------

def test_event_loop_order_time_then_scheduling_then_arrival() -> None:
    """Earliest first; at one time, calls in the order scheduled, then the arrival; a call
    scheduled while running goes after those already due; unscheduling leaves the rest's
    order alone; stop() ends the run once the calls already due have run."""
    loop = EventLoop()
    ran: list[str] = []

    def note(call: Call) -> None:
        ran.append(call._value)

    def arrive(item: str) -> None:
        ran.append(item)
        Call(loop, 0.0, note, f"after {item}")

    batches = iter([([2.0, 5.0, math.inf], ["arrival@2", "arrival@5"])])
    loop.feed(arrive, lambda: next(batches, ([math.inf], [])))

    class Own:  # an object that is its own entry, as a busy handler is
        def fn(self, _: object) -> None:
            ran.append("own@3")

    own, dropped = Own(), Own()
    for name, at in [("b@2", 2.0), ("a@1", 1.0), ("c@2", 2.0), ("d@5", 5.0)]:
        Call(loop, at, note, name)
    loop.schedule(own, 3.0)
    loop.schedule(dropped, 2.5)
    loop.unschedule(dropped)
    Call(loop, 6.0, lambda _: loop.stop(), None)
    Call(loop, 6.0, note, "e@6, due with the stop")
    Call(loop, 7.0, note, "never")
    loop.run()
    assert ran == ["a@1", "b@2", "c@2", "arrival@2", "after arrival@2", "own@3", "d@5",
                   "arrival@5", "after arrival@5", "e@6, due with the stop"]
    assert loop.now == 6.0


def test_event_loop_ties_run_in_the_order_scheduled() -> None:
    """Entries due at exactly one time run in the order scheduled: one scheduled for that time
    while they run goes last; one unscheduled, before or while they run, never runs."""
    loop = EventLoop()
    ran: list[str] = []

    class Own:
        def __init__(self, name: str) -> None:
            self.name = name

        def fn(self, _: object) -> None:
            ran.append(self.name)

    late, dropped = Own("late"), Own("dropped")

    def first(_: Call) -> None:
        ran.append("first")
        Call(loop, 0.0, lambda _: ran.append("scheduled at 1 while running"), None)
        loop.unschedule(late)

    loop.feed(lambda _: None, lambda: ([math.inf], []))
    Call(loop, 1.0, first, None)
    loop.schedule(dropped, 1.0)
    Call(loop, 1.0, lambda _: ran.append("second"), None)
    loop.schedule(late, 1.0)
    Call(loop, 1.0, lambda _: ran.append("third"), None)
    loop.unschedule(dropped)
    Call(loop, 2.0, lambda _: loop.stop(), None)
    loop.run()
    assert ran == ["first", "second", "third", "scheduled at 1 while running"]
    assert loop.now == 2.0


def test_contact_fields_drawn_with_the_demand_are_its_columns() -> None:
    """A Contact field before ``tag`` is filled from the DayContacts column of its name."""
    names = list(Contact.__dataclass_fields__)
    drawn = names[:names.index("tag")]
    assert set(drawn) <= set(DayContacts.__dataclass_fields__)
    assert drawn == ["ch", "cat", "join", "connect", "patience", "work", "wrap", "div",
                     "triage"]


def test_handlers_hold_the_lowest_free_desk_in_their_pool(tmp_path: Path) -> None:
    room = ControlRoom(scenario(tmp_path, MINIMAL), 0)
    room.env.run_before(1.0)  # the 24/7 team of two is on duty
    pool = room.pools[0]
    assert sorted(h.index for h in pool.idle) == [0, 1]
    assert all(h.pool is pool for h in pool.idle)
    first = next(h for h in pool.idle if h.index == 0)
    pool.idle.remove(first)
    pool.leave(first, 1.0)
    assert Handler(pool, room._on_end).index == 0  # the desk handed back
    assert Handler(pool, room._on_end).index == 2


# --- distributions and streams --------------------------------------------------------------

@pytest.mark.parametrize(("dist", "mean", "sd"), [
    (Distribution("exponential", 90.0), 90.0, 90.0),
    (Distribution("lognormal", 420.0, 240.0), 420.0, 240.0),
    (Distribution("gamma", 420.0, 240.0), 420.0, 240.0),
    (Distribution("uniform", 2.0, 7.0), 4.5, 5 / math.sqrt(12)),
    (Distribution("empirical", 20.0, 0.0, (10.0, 20.0, 30.0)), 20.0, math.sqrt(200 / 3)),
    (Distribution.constant(40.0), 40.0, 0.0),
])
def test_distribution_moments(dist: Distribution, mean: float, sd: float) -> None:
    n = 400_000
    x = dist.sample(generator(1, 0, "test"), n)
    assert x.min() >= 0
    # Sample mean within 5 standard errors; the sd itself within 3% (lognormal tails converge
    # slowly, hence the looser bound).
    assert abs(x.mean() - mean) <= 5 * sd / math.sqrt(n) + 1e-12
    assert x.std() == pytest.approx(sd, rel=0.03, abs=1e-12)
    assert dist.mean == pytest.approx(mean)


def test_streams_are_named_and_reproducible() -> None:
    a = Streams(5, 0)("arrivals:999").random(3)
    assert np.array_equal(a, Streams(5, 0)("arrivals:999").random(3))
    assert not np.array_equal(a, Streams(5, 1)("arrivals:999").random(3))
    assert not np.array_equal(a, Streams(5, 0)("arrivals:101").random(3))


# --- arrivals -------------------------------------------------------------------------------

def test_rates_hold_a_week_of_demand(tmp_path: Path) -> None:
    sc = scenario(tmp_path, MINIMAL.replace("per_day = 200", "per_day = 330\nhourly = ["
                                            + ", ".join(str(h + 1) for h in range(24))
                                            + "]\nweekly = [1, 1, 1, 1, 2, 2, 1]"))
    rates = hourly_rates(sc.channels["999"])
    assert rates.sum() == pytest.approx(7 * 330)
    assert rates[24 * 5 + 23] == pytest.approx(2 * rates[23])  # Saturday twice Monday


def test_poisson_counts_per_hour_match_the_profile() -> None:
    rates = np.tile(np.r_[np.full(23, 1.0), 50.0], 7)  # a sharp one-hour peak at 23:00
    gen = generator(3, 0, "arrivals")
    days = 400
    counts = np.zeros(24)
    for d in range(days):
        t = day_arrivals(gen, rates[d % 7 * 24:d % 7 * 24 + 24], d)
        assert np.all(np.diff(t) >= 0)
        assert t.min(initial=d * 86400) >= d * 86400
        counts += np.bincount(((t - d * 86400) // 3600).astype(int), minlength=24)
    expected = rates[:24] * days
    # Each hourly total is Poisson: within 5 standard deviations.
    assert np.all(np.abs(counts - expected) <= 5 * np.sqrt(expected))
    assert counts[23] == pytest.approx(50 * days, rel=0.03)  # the peak is never skipped


# --- rosters --------------------------------------------------------------------------------

ROSTER = """\
name = "roster"
[channels.999]
per_day = 10
[categories.crime]
handle = 60
[pools.handlers]
skills = ["999"]
roster = [
  {{ days = "mon-sun", start = "07:00", end = "17:00", staff = 9 }},
  {{ days = "mon-sun", start = "14:00", end = "00:00", staff = 11 }},
  {{ days = "fri,sat", start = "18:00", end = "04:00", staff = 3 }},
  {{ days = "mon-sun", start = "22:00", end = "07:00", staff = 6 }},
]
{extra}
"""


def test_rostered_staff_by_hour_of_week(tmp_path: Path) -> None:
    sc = scenario(tmp_path, ROSTER.format(extra=""))
    staff = rostered_by_hour(sc.pools["handlers"])
    assert staff[0] == 6  # Monday 00:00: Sunday night's shift
    assert staff[7] == 9
    assert staff[14] == 20
    assert staff[17] == 11
    assert staff[22] == 17
    assert staff[4 * 24 + 19] == 14  # Friday 19:00: late shift plus Friday night cover
    assert staff[5 * 24 + 2] == 9  # Saturday 02:00: night shift plus Friday's late cover
    assert staff[1 * 24 + 2] == 6


def test_scale_multiplies_headcounts(tmp_path: Path) -> None:
    sc = scenario(tmp_path, ROSTER.format(extra=""), "pools.handlers.scale=1.5")
    staff = rostered_by_hour(sc.pools["handlers"])
    assert staff[7] == 14
    assert staff[0] == 9


def test_back_to_back_identical_shifts_change_nothing(tmp_path: Path) -> None:
    text = MINIMAL.replace('{ days = "mon-sun", start = "00:00", end = "24:00", staff = 2 }',
                           '{ days = "mon-sun", start = "08:00", end = "20:00", staff = 3 },'
                           ' { days = "mon-sun", start = "20:00", end = "08:00", staff = 3 }')
    sc = scenario(tmp_path, text)
    made = 0
    original = Handler.__init__

    def counting(self: Handler, *args: object) -> None:
        nonlocal made
        made += 1
        original(self, *args)  # type: ignore[arg-type]

    Handler.__init__ = counting  # type: ignore[method-assign]
    try:
        out = simulate(sc, 0)
    finally:
        Handler.__init__ = original  # type: ignore[method-assign]
    assert made == 3  # the team came on once; nobody left at the 08:00 and 20:00 handovers
    assert out.present_s.sum() / out.window_s.sum() == pytest.approx(3.0)
    changes = dict(week_changes(sc.pools["handlers"], 0, 0))
    assert len(changes) < 2 * 14  # starts and ends coincide


def test_staff_finish_the_contact_in_hand_before_leaving(tmp_path: Path) -> None:
    # One handler 08:00-09:00; every call arrives 08:00-09:00 and takes 30 minutes.
    hourly = ["0"] * 24
    hourly[8] = "1"
    text = (MINIMAL.replace("per_day = 200", f"per_day = 1.5\nhourly = [{', '.join(hourly)}]")
            .replace('handle = { dist = "exponential", mean = 300 }', "handle = 1800")
            .replace('start = "00:00", end = "24:00", staff = 2', 'start = "08:00", '
                     'end = "09:00", staff = 1')
            .replace("days = 2", "days = 28"))
    starts: list[float] = []

    class Watched(ControlRoom):
        def _start(self, h, c):  # type: ignore[no-untyped-def]
            starts.append(self.env.now)
            super()._start(h, c)

    room = Watched(scenario(tmp_path, text), 0)
    out = room.run()
    # No call is ever started outside the shift...
    assert starts
    assert all(8 * 3600 <= t % 86400 < 9 * 3600 for t in starts)
    # ...but the handler stays after 09:00 to finish the call in hand, busy all that time.
    nine = [h for h in range(9, 168, 24) if out.present_s[0][h] > 0]
    assert nine
    assert np.allclose(out.busy_s[0][nine], out.present_s[0][nine])
    assert np.all(out.present_s[0][list(range(10, 168, 24))] == 0)
    assert (out.records.outcome == ANSWERED).all()
    assert not out.warnings


def test_idle_staff_leave_first(tmp_path: Path) -> None:
    sc = scenario(tmp_path, MINIMAL)
    room = ControlRoom(sc, 0)
    pool = room.pools[0]
    room.env.run_before(1.0)  # the 24/7 team of two is on duty
    assert pool.present == 2
    assert len(pool.idle) == 2
    busy = pool.idle.popleft()
    pool.busy += 1
    busy.contact = object()  # type: ignore[assignment]
    pool.changes[5.0] = -2
    room.env.run_before(5.0)
    room._on_staff_change(type("E", (), {"_value": (pool, 5.0)})())  # type: ignore[arg-type]
    assert pool.present == 1
    assert pool.leaving == 1
    assert not pool.idle


# --- routing --------------------------------------------------------------------------------

TWO_POOLS = """\
name = "routing"
[run]
days = 7
warmup_days = 1
replications = 2
[channels.999]
per_day = 400
[channels.101]
per_day = 20
[categories.x]
handle = {{ dist = "exponential", mean = 240 }}
[pools.{a}]
skills = {a_skills}
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 3 }} ]
[pools.{b}]
skills = {b_skills}
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 3 }} ]
"""


def test_specialists_take_arriving_calls_first(tmp_path: Path) -> None:
    text = TWO_POOLS.format(a="generalists", a_skills='["999", "101"]', b="specialists",
                            b_skills='["999"]')
    exp = run_experiment(scenario(tmp_path, text), workers=1)
    util = {p: np.mean([r.pools[p]["utilisation"] for r in exp.replications])
            for p in ("generalists", "specialists")}
    # 400 calls x 4 min a day is 1.1 Erlangs: three specialists answer nearly all 999 calls.
    assert util["specialists"] > 0.3
    assert util["generalists"] < util["specialists"] / 3


def test_longest_idle_shares_work_between_equal_pools(tmp_path: Path) -> None:
    """Two pools alike in all but name: by symmetry each does half the work in expectation, so
    the 99.9% interval of east's share of the busy hours, replication by replication, holds
    one half (about +-0.013 wide with 10 replications of a week). A router that favoured the
    first pool listed whenever both had someone idle (most of the time, at 1.2 Erlangs on six
    staff) would give east far more than half."""
    text = TWO_POOLS.format(a="east", a_skills='["999", "101"]', b="west",
                            b_skills='["999", "101"]')
    exp = run_experiment(scenario(tmp_path, text, "run.replications=10"), workers=1)
    share = [r.pools["east"]["busy_hours"]
             / (r.pools["east"]["busy_hours"] + r.pools["west"]["busy_hours"])
             for r in exp.replications]
    est = mean_ci(share, level=0.999)
    assert est.ci_low <= 0.5 <= est.ci_high, est


# --- warm-up, drain, overload ---------------------------------------------------------------

def test_warmup_is_discarded(tmp_path: Path) -> None:
    sc = scenario(tmp_path, MINIMAL, "run.days=3", "run.warmup_days=4", "run.replications=8")
    offered = [r.channels["999"]["offered"] for r in run_experiment(sc, workers=2).replications]
    # Poisson(600) per replication: the mean of 8 is within 4 standard errors of 600, far from
    # the 1,400 it would be if warm-up contacts were counted.
    assert abs(np.mean(offered) - 600) < 4 * math.sqrt(600 / 8)


def test_run_drains_so_nothing_is_censored(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "00:00", end = "24:00"', 'start = "08:00", end = "18:00"')
    out = simulate(scenario(tmp_path, text, "run.days=1", "run.warmup_days=0"), 0)
    rec = out.records
    assert len(rec) > 150
    assert (rec.outcome == ANSWERED).all()
    assert not out.warnings
    assert rec.wait_s.max() > 12 * 3600  # evening callers answered next morning


def test_overload_without_abandonment_finishes_with_a_warning(tmp_path: Path) -> None:
    sc = scenario(tmp_path, MINIMAL, "channels.999.per_day=3000", "run.days=2",
                  'pools.handlers.roster=[{ days = "mon-sun", start = "00:00", end = "24:00",'
                  " staff = 1 }]")
    out = simulate(sc, 0)
    assert (out.records.outcome == CENSORED).sum() > 1000
    assert out.warnings
    assert "demand exceeds capacity" in out.warnings[0]
    exp = run_experiment(sc, workers=1)
    assert exp.warnings[0].startswith("demand exceeds capacity: 999 need about 1,750 "
                                      "staff-hours a week, but handlers provide about 168 ")


def test_runaway_queue_stops_the_run_in_bounded_memory(tmp_path: Path) -> None:
    # 300,000 patient callers a day for one handler: the queue passes MAX_WAITING on day 1.
    sc = scenario(tmp_path, MINIMAL, "channels.999.per_day=300000", "run.days=300",
                  "run.warmup_days=0", "run.replications=1")
    out = simulate(sc, 0)
    assert len(out.records) < 2 * MAX_WAITING
    assert any(w.startswith("overloaded: more than 250,000 contacts were waiting")
               for w in out.warnings)
    assert (out.records.outcome == CENSORED).sum() > MAX_WAITING / 2


def test_callers_who_always_redial_give_up_after_max_tries(tmp_path: Path) -> None:
    # Every caller who hangs up rings again, and one handler cannot keep up: without a limit
    # the redials would grow without end. Each incident is tried at most MAX_TRIES times.
    sc = scenario(tmp_path, MINIMAL, "channels.999.per_day=2000", "run.days=1",
                  "run.warmup_days=0",
                  'channels.999.patience={ dist = "exponential", mean = 30 }',
                  'channels.999.on_abandon={ redial = 1.0, redial_delay = '
                  '{ dist = "exponential", mean = 60 } }',
                  'pools.handlers.roster=[{ days = "mon-sun", start = "00:00", end = "24:00",'
                  " staff = 1 }]")
    rec = simulate(sc, 0).records
    first = int((rec.origin == NORMAL).sum())
    redials = int((rec.origin == REDIAL).sum())
    assert (rec.outcome != CENSORED).all()
    # Most callers abandon; nearly all of those ring back until their tries run out.
    assert redials > (MAX_TRIES - 2) * first * 0.8
    assert redials <= (MAX_TRIES - 1) * first
    assert (rec.outcome == ABANDONED).sum() > 0.8 * len(rec)


def test_no_reference_cycles_per_contact() -> None:
    # simulate() pauses the cyclic garbage collector; that is safe only while the engine leaves
    # no cycles behind per contact. Every feature on (triage and pre-queue diversion, partners,
    # callbacks, redials, switches, breaks, absence): what the collector finds afterwards must
    # not grow with the length of the run.
    found = {}
    for days in (1, 4):
        sc = load_scenario(ROOT / "scenarios" / "rcrp.toml", [f"run.days={days}"])
        gc.collect()
        gc.disable()
        try:
            out = ControlRoom(sc, 0).run()
            found[days] = gc.collect()
        finally:
            gc.enable()
        assert len(out.records) > 1_000 * days
    # One cycle left per contact would add over 3,000 (three more days of over 1,000 contacts).
    assert found[4] < 1.2 * found[1] + 500


def test_a_staffed_scenario_has_no_capacity_warning(tmp_path: Path) -> None:
    assert capacity_warnings(scenario(tmp_path, MINIMAL)) == []
    assert capacity_warnings(load_scenario(ROOT / "scenarios" / "baseline.toml")) == []


def test_on_abandon_without_patience_is_flagged(tmp_path: Path) -> None:
    sc = scenario(tmp_path, MINIMAL, "channels.999.on_abandon={ callback = 0.5 }")
    assert scenario_warnings(sc) == [
        "channels.999.on_abandon has no effect: 999 callers never hang up (the channel has no "
        "patience), so nobody calls back, redials or switches."]
    for name in ("baseline", "rcrp", "surge", "large-force"):
        assert scenario_warnings(load_scenario(ROOT / "scenarios" / f"{name}.toml")) == []


# --- reproducibility and common random numbers ----------------------------------------------

def test_same_seed_same_records_and_crn_across_staffing(tmp_path: Path) -> None:
    sc = scenario(tmp_path, MINIMAL, 'channels.999.patience={ dist = "exponential", mean = 60 }')
    a, b = simulate(sc, 1).records, simulate(sc, 1).records
    assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in
               ("channel", "hour", "outcome", "wait_s", "connect_s"))
    more = scenario(tmp_path, MINIMAL, 'channels.999.patience={ dist = "exponential", '
                    'mean = 60 }', "pools.handlers.scale=2")
    c = simulate(more, 1).records
    assert len(c) == len(a)  # the same callers...
    assert np.array_equal(np.sort(c.hour), np.sort(a.hour))
    assert c.wait_s.mean() < a.wait_s.mean()  # ...wait less with twice the staff
