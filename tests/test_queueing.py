"""The engine against queueing theory: Erlang C, Erlang A, non-preemptive priority, Little's law.

Tolerances come from the replications themselves, not from guesses: each check builds the 99.9%
Student t interval of the replication means and requires the theoretical value to lie inside it.
Replications are independent, so for a correct model each check fails with probability 0.1% for
a given seed (the seeds are fixed, so the suite is deterministic; a change to the engine that
moves a figure outside the interval is a real signal, not noise). Runs are long enough (tens of
thousands of calls per replication) that the start-up transient after one day of warm-up is far
below the interval width.

The fast tier (``make check``) holds one short case of each formula
(``test_short_runs_agree_with_the_formulas``, about two CPU-seconds in all); every other check
here is marked slow.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from conftest import assert_within, erlang_c, mm_scenario, write
from contactsim.analysis.erlang import ErlangResult, erlang_a_result, erlang_c_result
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.measures import replication_measures
from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.engine import ControlRoom, simulate
from contactsim.engine.records import ABANDONED, ANSWERED


def load_text(tmp_path: Path, text: str) -> Scenario:
    return load_scenario(write(tmp_path, "s.toml", text))


def per_replication(scenario: Scenario) -> list[dict[str, float]]:
    """Channel measures of the single channel, plus P(wait) from the records, per replication."""
    out = []
    for r in range(scenario.run.replications):
        res = simulate(scenario, r)
        rec = res.records
        m = dict(replication_measures(scenario, r, res).channels["q"])
        m["p_wait"] = float((rec.wait_s > 0).mean())
        out.append(m)
    return out


@pytest.fixture(scope="module")
def erlang_c_case(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, float]]:
    # 100 calls per 30 minutes, mean handle 3 minutes, 14 agents (the public reference case).
    text = mm_scenario(per_hour=200, handle_s=180, agents=14, days=21, reps=12)
    return per_replication(load_text(tmp_path_factory.mktemp("c"), text))


@pytest.mark.slow
def test_erlang_c_matches_theory(erlang_c_case: list[dict[str, float]]) -> None:
    lam, mu, c, t = 200 / 3600, 1 / 180, 14, 20.0
    p_wait = erlang_c(c, lam / mu)
    assert p_wait == pytest.approx(0.17413, abs=5e-6)  # the published reference
    sl = 1 - p_wait * math.exp(-(c * mu - lam) * t)
    assert sl == pytest.approx(0.88835, abs=5e-6)
    mean_wait = p_wait / (c * mu - lam)
    assert_within([m["p_wait"] for m in erlang_c_case], p_wait, "P(wait)")
    assert_within([m["service_level"] for m in erlang_c_case], sl, "service level")
    assert_within([m["mean_wait_s"] for m in erlang_c_case], mean_wait, "mean wait")
    assert all(m["abandoned"] == 0 for m in erlang_c_case)


@pytest.fixture(scope="module")
def erlang_a_case(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, float]]:
    text = mm_scenario(per_hour=200, handle_s=180, agents=14, patience_s=300, days=21, reps=12)
    return per_replication(load_text(tmp_path_factory.mktemp("a"), text))


@pytest.mark.slow
def test_erlang_a_matches_published_reference(erlang_a_case: list[dict[str, float]]) -> None:
    # Published Erlang A figures for this case: P(wait) 0.14526, service level within 20 s
    # 0.91679 (abandoned calls fail), abandonment 0.013984, mean wait 0.069919 min.
    assert_within([m["p_wait"] for m in erlang_a_case], 0.14526, "P(wait)")
    assert_within([m["service_level"] for m in erlang_a_case], 0.91679, "service level")
    assert_within([m["abandon_rate"] for m in erlang_a_case], 0.013984, "abandonment")
    assert_within([m["mean_wait_s"] for m in erlang_a_case], 0.069919 * 60, "mean wait")


@pytest.mark.slow
@pytest.mark.parametrize(("per_hour", "handle_s", "agents", "patience_s", "target_s"), [
    (30, 600, 6, 120, 10),  # small team, impatient callers, heavy load (rho 0.83)
    (400, 240, 30, 60, 10),  # large team past capacity (rho 0.89), very impatient callers
    (60, 300, 4, 900, 30),  # overloaded without abandonment (rho 1.25): Erlang A stays stable
])
def test_erlang_a_other_cases(tmp_path: Path, per_hour: float, handle_s: float, agents: int,
                              patience_s: float, target_s: float) -> None:
    theory = erlang_a_result(per_hour, handle_s, agents, patience_s, target_s)
    text = mm_scenario(per_hour=per_hour, handle_s=handle_s, agents=agents,
                       patience_s=patience_s, target_s=target_s, days=14, reps=10)
    reps = per_replication(load_text(tmp_path, text))
    assert_within([m["p_wait"] for m in reps], theory.p_wait, "P(wait)")
    assert_within([m["service_level"] for m in reps], theory.service_level, "service level")
    assert_within([m["abandon_rate"] for m in reps], theory.abandon_rate, "abandonment")
    assert_within([m["mean_wait_s"] for m in reps], theory.mean_wait_s, "mean wait")


PRIORITY = """\
name = "two classes, one pool, non-preemptive priority"
[run]
days = 21
warmup_days = 1
replications = 12
seed = 5
[channels.high]
per_day = {high}
priority = 1
[channels.low]
per_day = {low}
priority = 2
[categories.x]
handle = {{ dist = "exponential", mean = 300 }}
[pools.p]
skills = ["high", "low"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 5 }} ]
"""


@pytest.mark.slow
def test_non_preemptive_priority_mean_waits(tmp_path: Path) -> None:
    """Two classes with equal exponential service on c servers (Kella & Yechiali 1985).

    W_k = C(c, a) / (c mu (1 - sigma_{k-1}) (1 - sigma_k)), sigma_k the load of classes 1..k.
    """
    c, mu = 5, 1 / 300
    lam = (0.005, 0.0091667)  # per second: rho = 0.85 in all, 0.30 from the high class
    sc = load_text(tmp_path, PRIORITY.format(high=lam[0] * 86400, low=lam[1] * 86400))
    exp = run_experiment(sc, workers=2)
    cw = erlang_c(c, sum(lam) / mu)
    s1 = lam[0] / (c * mu)
    s2 = s1 + lam[1] / (c * mu)
    w_high = cw / (c * mu * (1 - s1))
    w_low = cw / (c * mu * (1 - s1) * (1 - s2))
    assert_within([r.channels["high"]["mean_wait_s"] for r in exp.replications], w_high, "high")
    assert_within([r.channels["low"]["mean_wait_s"] for r in exp.replications], w_low, "low")


class Instrumented(ControlRoom):
    """Counts waiting contacts over time, to check Little's law on the queue."""

    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.q_len, self.q_t, self.q_area = 0, 0.0, 0.0
        self.queued: set[int] = set()
        super().__init__(scenario, replication)

    def _queue_change(self, delta: int) -> None:
        now = self.env.now
        lo, hi = self.warmup_s, self.end_s
        self.q_area += self.q_len * max(0.0, min(now, hi) - max(self.q_t, lo))
        self.q_t = now
        self.q_len += delta

    def _offer(self, c, queue=None):  # type: ignore[no-untyped-def]
        super()._offer(c, queue)
        if c.state == 0:  # still waiting: it joined the queue
            self.queued.add(id(c))
            self._queue_change(+1)

    def _start(self, h, c):  # type: ignore[no-untyped-def]
        if id(c) in self.queued:
            self.queued.discard(id(c))
            self._queue_change(-1)
        super()._start(h, c)

    def _on_patience(self, ev):  # type: ignore[no-untyped-def]
        if id(ev._value) in self.queued and ev._value.state == 0:
            self.queued.discard(id(ev._value))
            self._queue_change(-1)
        super()._on_patience(ev)


@pytest.mark.slow
def test_littles_law_and_conservation(tmp_path: Path) -> None:
    """L = lambda W on the queue and on the servers; every offered contact ends exactly once."""
    sc = load_text(tmp_path, mm_scenario(per_hour=200, handle_s=180, agents=14, patience_s=300,
                                         days=14, reps=1))
    room = Instrumented(sc, 0)
    out = room.run()
    rec = out.records
    window = room.end_s - room.warmup_s
    assert len(rec) == int(((rec.outcome == ANSWERED) | (rec.outcome == ABANDONED)).sum())
    # Queue: time-average number waiting = arrival rate x mean wait. Contacts that arrive near
    # the end of the window wait partly after it, so allow a fraction of one mean wait's worth.
    lam = len(rec) / window
    assert room.q_area / window == pytest.approx(lam * rec.wait_s.mean(), rel=0.01)
    # Servers: time-average busy staff = answer rate x mean handle time (theory: 200/h x 3 min
    # x (1 - abandonment)), and staff on duty is exactly the roster's 14 all the time.
    busy = out.busy_s.sum() / out.window_s.sum()
    answered_rate = float((rec.outcome == ANSWERED).sum()) / window
    assert busy == pytest.approx(answered_rate * 180, rel=0.02)
    assert out.present_s.sum() / out.window_s.sum() == pytest.approx(14.0, abs=1e-9)
    assert np.all(rec.wait_s >= 0)


# --- the fast tier: one short case of each formula ------------------------------------------

@pytest.mark.parametrize("patience_s", [None, 300.0], ids=["erlang-c", "erlang-a"])
def test_short_runs_agree_with_the_formulas(tmp_path: Path, patience_s: float | None) -> None:
    """M/M/14 (Erlang C) and M/M/14+M (Erlang A, mean patience 5 minutes) at 200 calls an hour
    of 3 minutes: 10 replications of 5 days, about 24,000 calls each (about a CPU-second a case).

    The tolerance is the replications' own 99.9% interval, as in the long checks above: wider
    (about +-0.017 on P(wait) for Erlang C, +-0.013 for Erlang A) but just as honest, and still
    narrow enough to see one handler more or fewer (P(wait) moves by 0.06 to 0.11). A quarter
    of a day of warm-up is ample: this queue forgets its empty start on the scale of
    1 / (c mu (1 - sqrt(rho))^2), about 9 minutes at rho = 0.71, so after 6 hours the start's
    trace is e^-40 of it.
    """
    per_hour, handle_s, agents, target_s = 200.0, 180.0, 14, 20.0
    theory: ErlangResult = (
        erlang_c_result(per_hour, handle_s, agents, target_s) if patience_s is None
        else erlang_a_result(per_hour, handle_s, agents, patience_s, target_s))
    text = mm_scenario(per_hour=per_hour, handle_s=handle_s, agents=agents,
                       patience_s=patience_s, target_s=target_s, days=5, reps=10,
                       warmup_days=0.25)
    reps = per_replication(load_text(tmp_path, text))
    assert_within([m["p_wait"] for m in reps], theory.p_wait, "P(wait)")
    assert_within([m["service_level"] for m in reps], theory.service_level, "service level")
    assert_within([m["mean_wait_s"] for m in reps], theory.mean_wait_s, "mean wait")
    if patience_s is None:
        assert all(m["abandoned"] == 0 for m in reps)
    else:
        assert_within([m["abandon_rate"] for m in reps], theory.abandon_rate, "abandonment")
