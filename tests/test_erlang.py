"""Erlang C and Erlang A formulas against published figures and an independent brute force.

The brute force shares nothing with contactsim.erlang but the model. It builds the birth-death
chain's stationary distribution state by state from detailed balance, then follows an arriving
call through its own absorbing Markov chain (calls ahead of it, answered, hung up):
uniformisation for P(answered within t), forward substitution in the fundamental matrix for
abandonment and waits. No dense matrix algebra, so the file stays fast even when the machine's
BLAS threads are busy elsewhere.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st
from scipy.stats import poisson

from contactsim.analysis.erlang import (
    ErlangInputError,
    ErlangResult,
    agents_needed,
    erlang_a_result,
    erlang_b,
    erlang_c,
    erlang_c_result,
    evaluate,
)

# The published case: 100 calls per 30 minutes, 3 minute handle, 14 agents, 5 minute patience,
# answer target 20 s.
PER_HOUR, HANDLE_S, AGENTS, PATIENCE_S, TARGET_S = 200.0, 180.0, 14, 300.0, 20.0


def erlang_b_recursion(agents: int, load: float) -> float:
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def brute_force(per_hour: float, handle_s: float, agents: int, target_s: float,
                patience_s: float | None) -> dict[str, float]:
    """Every figure from the chain truncated where its states stop mattering (1e-20)."""
    lam, mu, n = per_hour / 3600, 1 / handle_s, agents
    theta = 0.0 if patience_s is None else 1 / patience_s
    # log pi_j up to a constant, from pi_j lambda = pi_{j+1} (death rate of j + 1); logs only so
    # that rooms of thousands of agents do not overflow
    log_w, queue_peak = [0.0], -math.inf
    for j in range(1, 50_000):
        log_w.append(log_w[-1] + math.log(lam / (min(j, n) * mu + max(j - n, 0) * theta)))
        queue_peak = max(queue_peak, log_w[-1]) if j >= n else queue_peak
        if j > n and log_w[-1] < queue_peak - 46:  # e**-46 = 1e-20
            break
    else:
        raise AssertionError("chain does not settle within 50,000 states")
    weights = np.exp(np.array(log_w) - max(log_w))
    pi = weights / weights.sum()

    # an arriving call that finds n + k in the system has k calls ahead (PASTA); while k are
    # ahead it moves on at rate n mu + k theta (answered from k = 0) and hangs up at rate theta
    ahead = pi[n:]
    size = len(ahead)
    advance = n * mu + np.arange(size) * theta
    leave = advance + theta

    def fundamental(b: np.ndarray) -> np.ndarray:
        """x = (-T)^{-1} b for the bidiagonal generator T of the calls-ahead chain."""
        x = np.empty(size)
        for k in range(size):
            x[k] = (b[k] + (advance[k] * x[k - 1] if k else 0.0)) / leave[k]
        return x

    to_answer = np.zeros(size)
    to_answer[0] = n * mu
    answered_from = fundamental(to_answer)  # P(answered | k ahead)

    # uniformisation at rate top: v holds P(k ahead at step i), answered the absorbed mass
    top = float(leave.max())
    steps = int(top * target_s + 12 * math.sqrt(top * target_s) + 40)
    jumps = poisson.pmf(np.arange(steps + 1), top * target_s)
    v, answered_within = ahead.copy(), 0.0
    absorbed = 0.0
    for i in range(steps + 1):
        answered_within += jumps[i] * absorbed
        absorbed += v[0] * n * mu / top
        v = v * (1 - leave / top) + np.append(v[1:] * advance[1:] / top, 0.0)
    assert jumps[-1] < 1e-18

    idle = pi[:n].sum()
    p_answered = idle + ahead @ answered_from
    return {
        "p_wait": ahead.sum(),
        "service_level": idle + answered_within,
        "abandon_rate": ahead @ fundamental(np.full(size, theta)),
        "mean_wait_s": ahead @ fundamental(np.ones(size)),
        "mean_answer_s": ahead @ fundamental(answered_from) / p_answered,
        "occupancy": lam * p_answered / (n * mu),
    }


def assert_matches(result: ErlangResult, expected: dict[str, float], tol: float) -> None:
    for name, value in expected.items():
        got = getattr(result, name)
        assert abs(got - value) <= tol * max(1.0, abs(value)), f"{name}: {got} vs {value}"


# --- published figures -------------------------------------------------------------------

def test_erlang_a_reference_case() -> None:
    r = erlang_a_result(PER_HOUR, HANDLE_S, AGENTS, PATIENCE_S, TARGET_S)
    # published to five significant figures: agree to within their rounding
    assert abs(r.p_wait - 0.14526) <= 0.5e-5
    assert abs(r.service_level - 0.91679) <= 0.5e-5
    assert abs(r.abandon_rate - 0.013984) <= 0.5e-6
    assert abs(r.mean_wait_s / 60 - 0.069919) <= 0.5e-6
    assert r.agents == AGENTS


def test_erlang_a_reference_case_brute_force() -> None:
    r = erlang_a_result(PER_HOUR, HANDLE_S, AGENTS, PATIENCE_S, TARGET_S)
    assert_matches(r, brute_force(PER_HOUR, HANDLE_S, AGENTS, TARGET_S, PATIENCE_S), 1e-9)
    # Little's law on abandonment: mean wait over all offered = P(abandon) x mean patience
    assert r.mean_wait_s == pytest.approx(r.abandon_rate * PATIENCE_S, rel=1e-12)


def test_erlang_c_reference_case() -> None:
    r = erlang_c_result(PER_HOUR, HANDLE_S, AGENTS, TARGET_S)
    assert abs(r.p_wait - 0.17413) <= 0.5e-5
    assert abs(r.service_level - 0.88835) <= 0.5e-5
    # the textbook closed forms from the Erlang B recursion
    lam, mu, load = PER_HOUR / 3600, 1 / HANDLE_S, PER_HOUR * HANDLE_S / 3600
    b = erlang_b_recursion(AGENTS, load)
    c = AGENTS * b / (AGENTS - load * (1 - b))
    assert r.p_wait == pytest.approx(c, abs=1e-12)
    assert r.service_level == pytest.approx(1 - c * math.exp(-(AGENTS * mu - lam) * TARGET_S),
                                            abs=1e-12)
    assert r.mean_wait_s == pytest.approx(c / (AGENTS * mu - lam), rel=1e-12)
    assert r.mean_answer_s == r.mean_wait_s
    assert r.abandon_rate == 0.0
    assert r.occupancy == pytest.approx(load / AGENTS)
    assert_matches(r, brute_force(PER_HOUR, HANDLE_S, AGENTS, TARGET_S, None), 1e-9)


def test_evaluate_picks_the_model() -> None:
    assert evaluate(PER_HOUR, HANDLE_S, AGENTS, TARGET_S) == \
        erlang_c_result(PER_HOUR, HANDLE_S, AGENTS, TARGET_S)
    assert evaluate(PER_HOUR, HANDLE_S, AGENTS, TARGET_S, PATIENCE_S) == \
        erlang_a_result(PER_HOUR, HANDLE_S, AGENTS, PATIENCE_S, TARGET_S)
    assert evaluate(PER_HOUR, HANDLE_S, AGENTS, TARGET_S, math.inf) == \
        erlang_c_result(PER_HOUR, HANDLE_S, AGENTS, TARGET_S)


# --- independent brute force on random small rooms ----------------------------------------

def random_cases() -> list[tuple[float, float, int, float, float]]:
    gen = np.random.default_rng(20240611)
    cases = []
    for _ in range(6):
        agents = int(gen.integers(1, 31))
        rho = float(gen.uniform(0.3, 1.4))  # includes rooms past capacity
        handle_s = float(gen.uniform(60, 900))
        per_hour = rho * agents / handle_s * 3600
        patience_s = float(gen.uniform(0.3, 5)) * handle_s
        target_s = float(gen.choice([0.0, 10.0, 20.0, 60.0]))
        cases.append((per_hour, handle_s, agents, patience_s, target_s))
    return cases


@pytest.mark.parametrize(("per_hour", "handle_s", "agents", "patience_s", "target_s"),
                         random_cases())
def test_erlang_a_against_brute_force(per_hour: float, handle_s: float, agents: int,
                                      patience_s: float, target_s: float) -> None:
    r = erlang_a_result(per_hour, handle_s, agents, patience_s, target_s)
    assert_matches(r, brute_force(per_hour, handle_s, agents, target_s, patience_s), 1e-6)


@pytest.mark.parametrize(("per_hour", "handle_s", "agents", "target_s"), [
    (10, 300, 1, 30), (60, 240, 5, 0), (400, 200, 30, 15), (90, 600, 17, 45),
])
def test_erlang_c_against_brute_force(per_hour: float, handle_s: float, agents: int,
                                      target_s: float) -> None:
    r = erlang_c_result(per_hour, handle_s, agents, target_s)
    assert_matches(r, brute_force(per_hour, handle_s, agents, target_s, None), 1e-6)


# --- limits, monotonicity, scale ---------------------------------------------------------

@pytest.mark.parametrize(("per_hour", "handle_s", "agents", "patience_s"), [
    (PER_HOUR, HANDLE_S, AGENTS, 1e9),
    (1950 * 20, 180, 2000, 1e9),
    # waits here average six minutes, so patience of 1e9 s still trims the mean wait by 8e-6
    # relative (the gap shrinks exactly as 1 / patience); go further out
    (30, 600, 6, 1e12),
])
def test_erlang_a_tends_to_erlang_c_as_patience_grows(per_hour: float, handle_s: float,
                                                      agents: int, patience_s: float) -> None:
    c = erlang_c_result(per_hour, handle_s, agents, TARGET_S)
    a = erlang_a_result(per_hour, handle_s, agents, patience_s, TARGET_S)
    for got, want in zip(astuple(a), astuple(c), strict=True):
        assert got == pytest.approx(want, rel=1e-6, abs=1e-6)


def test_erlang_a_gap_to_erlang_c_shrinks_as_one_over_patience() -> None:
    # a first-order effect of abandonment, so tenfold patience must give a tenth of the gap;
    # this also shows the formulas keep their accuracy at patience of 1e8..1e11 s
    c = erlang_c_result(30, 600, 6, TARGET_S)
    gaps = [erlang_a_result(30, 600, 6, p, TARGET_S).mean_wait_s - c.mean_wait_s
            for p in (1e8, 1e9, 1e10, 1e11)]
    for bigger, smaller in itertools.pairwise(gaps):
        assert bigger / smaller == pytest.approx(10.0, rel=1e-3)


@settings(max_examples=60, deadline=None)
@given(per_hour=st.floats(1, 3000), handle_s=st.floats(20, 1200),
       spare=st.floats(0.01, 3), target_s=st.floats(0, 120),
       patience_s=st.none() | st.floats(5, 3600))
# per_hour * handle_s / 3600 is 19.999999999999996 here but the code's load is exactly 20.0, so
# a load computed in another order put the start at the code's capacity (found by hypothesis)
@example(per_hour=2999.9999999999995, handle_s=24.0, spare=1.0, target_s=0.0, patience_s=None)
def test_more_agents_never_worse(per_hour: float, handle_s: float, spare: float,
                                 target_s: float, patience_s: float | None) -> None:
    # the offered load exactly as erlang.py computes it (lambda = per_hour / HOUR_S, then
    # lambda x handle_s): the floats must agree on where the queue turns unstable
    load = per_hour / 3600 * handle_s
    # start just above capacity for Erlang C; Erlang A is stable anywhere, so start below it
    start = math.floor(load) + 1 if patience_s is None else max(1, math.floor(load * spare))
    fewer = evaluate(per_hour, handle_s, start, target_s, patience_s)
    more = evaluate(per_hour, handle_s, start + 1, target_s, patience_s)
    for r in (fewer, more):
        for p in (r.p_wait, r.service_level, r.abandon_rate, r.occupancy):
            assert 0.0 <= p <= 1.0
        assert 0.0 <= r.mean_wait_s < math.inf
        assert 0.0 <= r.mean_answer_s < math.inf
    eps = 1e-12
    assert more.service_level >= fewer.service_level - eps
    assert more.p_wait <= fewer.p_wait + eps
    assert more.mean_wait_s <= fewer.mean_wait_s * (1 + eps)
    assert more.mean_answer_s <= fewer.mean_answer_s * (1 + eps)
    assert more.abandon_rate <= fewer.abandon_rate + eps


@pytest.mark.parametrize(("per_hour", "patience_s", "target_s"), [
    (1950 * 20, 300.0, 20.0), (1950 * 20, 30.0, 5.0), (2100 * 20, 600.0, 20.0),
])
def test_two_thousand_agents_against_brute_force(per_hour: float, patience_s: float,
                                                 target_s: float) -> None:
    r = erlang_a_result(per_hour, 180, 2000, patience_s, target_s)
    assert_matches(r, brute_force(per_hour, 180, 2000, target_s, patience_s), 1e-6)


@pytest.mark.parametrize("patience_s", [None, 30.0, 300.0, 1e6])
def test_two_thousand_agents_near_capacity(patience_s: float | None) -> None:
    r = evaluate(1950 * 20, 180, 2000, TARGET_S, patience_s)  # 1950 Erlangs on 2000 agents
    for p in (r.p_wait, r.service_level, r.abandon_rate, r.occupancy):
        assert math.isfinite(p)
        assert 0.0 <= p <= 1.0
    assert 0.0 < r.mean_wait_s < math.inf
    assert 0.0 < r.p_wait < 1.0
    if patience_s is None:
        assert r.p_wait == pytest.approx(erlang_c(2000, 1950), abs=1e-15)


def test_erlang_a_past_capacity_stays_finite() -> None:
    # 2100 Erlangs on 2000 agents: abandonment must take the excess, 1 - 1/rho in the limit
    r = erlang_a_result(2100 * 20, 180, 2000, 600, TARGET_S)
    assert 0.0 < r.abandon_rate < 1.0
    assert r.abandon_rate == pytest.approx(1 - 2000 / 2100, abs=1e-2)
    assert math.isfinite(r.mean_wait_s)
    unstable = erlang_c_result(2100 * 20, 180, 2000, TARGET_S)
    assert unstable == ErlangResult(agents=2000, p_wait=1.0, service_level=0.0,
                                    mean_wait_s=math.inf, mean_answer_s=math.inf,
                                    abandon_rate=0.0, occupancy=1.0)


def test_erlang_b_and_c_agree_with_the_recursion() -> None:
    for agents, load in [(1, 0.5), (14, 10.0), (50, 61.0), (2000, 1950.0), (300, 150.0)]:
        b = erlang_b_recursion(agents, load)
        assert erlang_b(agents, load) == pytest.approx(b, rel=1e-10)
        if load < agents:
            c = agents * b / (agents - load * (1 - b))
            assert erlang_c(agents, load) == pytest.approx(c, rel=1e-10)
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_c(5, 5.0) == 1.0
    assert erlang_c(5, 0.0) == 0.0
    assert 0.0 <= erlang_b(5000, 10.0) < 1e-300  # far beyond where a naive formula overflows


# --- staffing ------------------------------------------------------------------------------

@pytest.mark.parametrize(("patience_s", "max_abandon"), [
    (None, None), (PATIENCE_S, None), (PATIENCE_S, 0.005),
])
def test_agents_needed_is_the_fewest(patience_s: float | None,
                                     max_abandon: float | None) -> None:
    n = agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 0.8, patience_s, max_abandon)

    def meets(agents: int) -> bool:
        r = evaluate(PER_HOUR, HANDLE_S, agents, TARGET_S, patience_s)
        return r.service_level >= 0.8 and (max_abandon is None or r.abandon_rate <= max_abandon)

    assert meets(n)
    assert not meets(n - 1)
    if patience_s is None:
        assert n == 14  # on 10 Erlangs, 13 agents answer 79.6% within 20 s and 14 answer 88.8%
        assert erlang_c_result(PER_HOUR, HANDLE_S, n - 1, TARGET_S).service_level < 0.8


def test_agents_needed_large_room() -> None:
    n = agents_needed(1950 * 20, 180, TARGET_S, 0.9)
    assert erlang_c_result(1950 * 20, 180, n, TARGET_S).service_level >= 0.9
    assert erlang_c_result(1950 * 20, 180, n - 1, TARGET_S).service_level < 0.9


def test_agents_needed_unreachable() -> None:
    with pytest.raises(ValueError, match="max_agents=10"):
        agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 0.8, max_agents=10)
    with pytest.raises(ValueError, match="raise max_agents"):
        agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 0.95, PATIENCE_S, max_agents=12)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"per_hour": 0}, "per_hour"),
    ({"handle_s": -1}, "handle_s"),
    ({"handle_s": math.nan}, "handle_s"),
    ({"agents": 0}, "agents"),
    ({"agents": 2.5}, "agents"),
    ({"agents": True}, "agents"),
    ({"patience_s": 0}, "patience_s"),
    ({"target_s": -5}, "target_s"),
])
def test_bad_arguments_are_explained(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, float] = {"per_hour": PER_HOUR, "handle_s": HANDLE_S, "agents": AGENTS,
                              "target_s": TARGET_S, "patience_s": PATIENCE_S}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        evaluate(**args)  # type: ignore[arg-type]


def test_bad_staffing_targets_are_explained() -> None:
    with pytest.raises(ValueError, match=r"target_sl .* fraction .* e\.g\. 0\.8 for 80%"):
        agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 80)
    with pytest.raises(ValueError, match=r"max_abandon .* above 0"):
        agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 0.8, PATIENCE_S, max_abandon=0)
    with pytest.raises(ValueError, match="load"):
        erlang_c(3, -1.0)


@pytest.mark.parametrize(("call", "param"), [
    (lambda: evaluate(0, HANDLE_S, AGENTS, TARGET_S), "per_hour"),
    (lambda: evaluate(PER_HOUR, math.nan, AGENTS, TARGET_S), "handle_s"),
    (lambda: evaluate(PER_HOUR, HANDLE_S, 2.5, TARGET_S), "agents"),  # type: ignore[arg-type]
    (lambda: evaluate(PER_HOUR, HANDLE_S, AGENTS, -5), "target_s"),
    (lambda: evaluate(PER_HOUR, HANDLE_S, AGENTS, TARGET_S, 0), "patience_s"),
    (lambda: agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 80), "target_sl"),
    (lambda: agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 0.8, PATIENCE_S, max_abandon=0),
     "max_abandon"),
    (lambda: agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 0.8, max_agents=10), "target_sl"),
    (lambda: agents_needed(PER_HOUR, HANDLE_S, TARGET_S, 0.8, max_agents=0), "max_agents"),
    (lambda: erlang_c(3, -1.0), "load"),
])
def test_bad_arguments_name_their_parameter(call: Callable[[], object], param: str) -> None:
    with pytest.raises(ErlangInputError) as info:
        call()
    assert info.value.param == param
    assert isinstance(info.value, ValueError)  # callers that catch ValueError still do


def test_every_parameter_the_command_passes_on_has_a_flag() -> None:
    from contactsim.cli import ERLANG_FLAGS

    passed = set(inspect.signature(evaluate).parameters) | set(
        inspect.signature(agents_needed).parameters)
    assert set(ERLANG_FLAGS) == passed - {"max_agents"}  # the command leaves it at its default


# --- the command line: contactsim erlang ------------------------------------------------------

REFERENCE_FLAGS = ["erlang", "--per-hour", "200", "--handle-s", "180", "--agents", "14",
                   "--target-s", "20"]


def erlang_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from contactsim.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_erlang_cli_reference_case_as_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = erlang_cli(capsys, *REFERENCE_FLAGS, "--patience-s", "300")
    assert code == 0
    assert "Erlang A" in out
    for figure in ("0.14526", "0.91679", "0.013984", "0.069919 min"):
        assert figure in out
    code, out, _ = erlang_cli(capsys, *REFERENCE_FLAGS)
    assert code == 0
    assert "Erlang C" in out
    assert "0.17413" in out
    assert "0.88835" in out


def test_erlang_cli_json_has_the_contract_keys_at_full_precision(
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = erlang_cli(capsys, *REFERENCE_FLAGS, "--patience-s", "300", "--json")
    assert code == 0
    found = json.loads(out)
    assert list(found) == ["p_wait", "service_level", "mean_wait_s", "mean_answer_s",
                           "abandon_rate", "occupancy"]
    exact = evaluate(PER_HOUR, HANDLE_S, AGENTS, TARGET_S, PATIENCE_S)
    for key, value in found.items():
        assert value == getattr(exact, key)
    assert found["mean_wait_s"] / 60 == pytest.approx(0.069919, abs=1e-6)

    code, out, _ = erlang_cli(capsys, *REFERENCE_FLAGS, "--json", "--target-sl", "0.9",
                              "--patience-s", "300", "--max-abandon", "0.01")
    assert code == 0
    assert json.loads(out)["agents_needed"] == agents_needed(
        PER_HOUR, HANDLE_S, TARGET_S, 0.9, PATIENCE_S, max_abandon=0.01)


def test_erlang_cli_past_capacity_is_valid_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = erlang_cli(capsys, "erlang", "--per-hour", "200", "--handle-s", "180",
                              "--agents", "9", "--json")
    assert code == 0
    assert json.loads(out)["mean_wait_s"] is None  # infinite: the queue grows without limit


@pytest.mark.parametrize(("flags", "flag"), [
    (["--per-hour", "-1"], "--per-hour"),
    (["--per-hour", "lots"], "--per-hour"),
    (["--handle-s", "0"], "--handle-s"),
    (["--agents", "3.5"], "--agents"),
    (["--agents", "0"], "--agents"),
    (["--patience-s", "nan"], "--patience-s"),
    (["--target-s", "-5"], "--target-s"),
    (["--target-sl", "1.5"], "--target-sl"),
    (["--target-sl", "0.9", "--max-abandon", "0"], "--max-abandon"),
    (["--max-abandon", "0.1"], "--max-abandon"),
    # extremes: bounded before any arithmetic or allocation, and blamed on their own flag
    (["--agents", "99999999999"], "--agents"),
    (["--agents", "100001"], "--agents"),
    (["--agents", "100001", "--patience-s", "60"], "--agents"),
    (["--patience-s", "5e-324"], "--patience-s"),
    (["--patience-s", "1e308"], "--patience-s"),
    (["--per-hour", "1e308"], "--per-hour"),
    (["--per-hour", "5e-324"], "--per-hour"),
    (["--handle-s", "1e-320"], "--handle-s"),
    (["--handle-s", "1e300"], "--handle-s"),
    (["--target-s", "1e300"], "--target-s"),
    (["--target-s", "5e-324"], "--target-s"),
    (["--target-sl", "0.9", "--patience-s", "5e-324"], "--patience-s"),
])
def test_erlang_cli_bad_values_exit_2_naming_the_flag(
        capsys: pytest.CaptureFixture[str], flags: list[str], flag: str) -> None:
    base = {"--per-hour": "200", "--handle-s": "180", "--agents": "14"}
    args = ["erlang"]
    for key, value in base.items():
        if key not in flags:
            args += [key, value]
    code, out, err = erlang_cli(capsys, *args, *flags)
    assert code == 2
    assert out == ""
    assert err.splitlines()[0].startswith(f"error: {flag}: ")
    assert "--help" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_erlang_cli_in_a_subprocess() -> None:
    from conftest import run_cli

    done = run_cli(*REFERENCE_FLAGS, "--patience-s", "300")
    assert done.returncode == 0, done.stderr
    assert "0.91679" in done.stdout
    done = run_cli("erlang", "--per-hour", "200", "--handle-s", "180")
    assert done.returncode == 2
    assert "--agents" in done.stderr


def test_staff_with_no_shift_covering_the_week_exits_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from conftest import MINIMAL, write

    # the pool's own shift runs 08:00-18:00 only, and staff keeps to it unless told otherwise
    scenario = write(tmp_path, "s.toml", MINIMAL.replace("days = 2", "days = 7").replace(
        'start = "00:00", end = "24:00"', 'start = "08:00", end = "18:00"'))
    out = tmp_path / "out"
    code, _, err = erlang_cli(capsys, "staff", str(scenario), "--channel", "999", "--out",
                              str(out), "--quiet", "--no-report", "--max-iterations", "1")
    assert code == 2, err
    assert err.splitlines()[0].startswith("error: --shift-starts: no allowed shift covers "
                                          "mon 00:00"), err
    assert "Traceback" not in err
    assert not out.exists()
