"""Erlang C and Erlang A: the exact staffing formulas for one queue of calls.

A control room planner asks two questions of a half hour: with this many call handlers on duty,
what service will callers get, and how many handlers does a target need? The classic answers
treat the half hour as steady: calls arrive at random (Poisson) at ``per_hour`` a hour, each
takes an exponential handle time with mean ``handle_s``, and ``agents`` handlers take calls in
order of arrival.

- **Erlang C** (M/M/n) assumes nobody hangs up. It is the textbook formula, but it breaks down
  when demand reaches capacity: the queue grows without limit and every figure is infinite.
- **Erlang A** (M/M/n+M) adds callers who give up after an exponential patience with mean
  ``patience_s``. Abandonment relieves the queue, so the model stays stable even past capacity
  and gives the abandonment rate a 999 or 101 line reports alongside its service level.

Both are computed exactly, not simulated or approximated, from the birth-death chain of calls in
the system (Mandelbaum & Zeltyn, *The Palm/Erlang-A queue, with applications to call centers*,
2007; Garnett, Mandelbaum & Reiman, M&SOM 2002). Every probability is a sum of chain weights
taken in log space relative to its largest term, so rooms of thousands of handlers and loads
near or past capacity neither overflow nor lose accuracy.

The service level counts abandoned calls as failures: it is the share of *offered* calls that
are answered within the target, the Erlang A definition the simulator's measures use too.

A bad argument raises :class:`ErlangInputError`, a ``ValueError`` that names the parameter at
fault in ``param`` (``"per_hour"``), so a caller can point at whatever set it (the command line
names its flag) without reading the message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy.special import betainc, digamma, expit, gammaln, logsumexp

from contactsim.timebase import HOUR_S

#: Chain weights more than e**-60 (about 1e-26) below the largest are dropped: far beyond
#: double precision, and the queue tail decays at least geometrically past that point.
_LOG_CUTOFF = 60.0


@dataclass(frozen=True)
class ErlangResult:
    """Steady-state figures for one queue with a fixed number of agents on duty."""

    agents: int
    p_wait: float  # P(an arriving call finds every agent busy and has to wait)
    service_level: float  # P(answered with wait <= target); abandoned calls are failures
    mean_wait_s: float  # mean time in queue over all offered calls, abandoned ones included
    mean_answer_s: float  # mean time in queue over answered calls only
    abandon_rate: float  # P(an offered call abandons); 0 for Erlang C
    occupancy: float  # mean busy agents / agents


# --- argument checks: messages name the planner's quantity, not the parameter alone ---------

class ErlangInputError(ValueError):
    """A bad argument: ``param`` is the parameter's name, the message says what is wrong."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


def _named(param: str, meaning: str) -> str:
    return f"{param} ({meaning})" if meaning else param


#: Ranges beyond which the formulas would allocate gigabytes, overflow or lose all precision
#: (the command line holds its flags to tighter, planner-sized ranges): at most 100,000
#: handlers and 1e9 calls an hour, and times from 1e-9 s to 1e15 s (a patience that long is
#: Erlang C to every printed digit; infinity is routed there exactly).
MAX_AGENTS = 100_000
MAX_PER_HOUR = 1e9
MIN_SECONDS = 1e-9
MAX_SECONDS = 1e15


def _within(x: float, param: str, meaning: str, low: float, high: float,
            zero_ok: bool = False) -> float:
    if (x < low and not (zero_ok and x == 0)) or x > high:
        zero = "0 or " if zero_ok else ""
        raise ErlangInputError(param, f"{_named(param, meaning)} must be {zero}from {_fmt(low)} "
                               f"to {_fmt(high)}, got {x!r}")
    return x


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x.is_integer() else f"{x:g}"


def _real(value: object) -> float | None:
    # typed as object: callers get here from untyped places (TOML, notebooks), and bool is an
    # int to Python but never a count of calls or seconds
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    return float(value)


def _positive(value: object, param: str, meaning: str = "") -> float:
    x = _real(value)
    if x is None or not math.isfinite(x) or x <= 0:
        raise ErlangInputError(param, f"{_named(param, meaning)} must be a positive number, "
                               f"got {value!r}")
    return x


def _non_negative(value: object, param: str, meaning: str = "") -> float:
    x = _real(value)
    if x is None or not math.isfinite(x) or x < 0:
        raise ErlangInputError(param, f"{_named(param, meaning)} must be zero or a positive "
                               f"number, got {value!r}")
    return x


def _whole(value: object, param: str, minimum: int, meaning: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ErlangInputError(param, f"{_named(param, meaning)} must be a whole number of at "
                               f"least {minimum}, got {value!r}")
    return int(value)


def _fraction(value: object, param: str, meaning: str, *, zero_ok: bool,
              one_ok: bool) -> float:
    x = _real(value)
    above_low = x is not None and (x >= 0 if zero_ok else x > 0)
    below_high = x is not None and (x <= 1 if one_ok else x < 1)
    if x is None or not (above_low and below_high):
        low = "from 0" if zero_ok else "above 0"
        high = "up to and including 1" if one_ok else "up to (not including) 1"
        raise ErlangInputError(param, f"{param} is {meaning}, a fraction {low} {high}, e.g. "
                               f"0.8 for 80%; got {value!r}")
    return x


def _patience(value: object) -> float:
    # an infinite mean patience is the exact Erlang C limit, so it is allowed (and routed there)
    if _real(value) == math.inf:
        return math.inf
    meaning = "mean time a caller waits before hanging up"
    return _within(_positive(value, "patience_s", meaning), "patience_s", meaning,
                   MIN_SECONDS, MAX_SECONDS)


def _rates(per_hour: float, handle_s: float, agents: int,
           target_s: float) -> tuple[float, float, int, float]:
    meaning = "calls offered per hour"
    lam = _within(_positive(per_hour, "per_hour", meaning), "per_hour", meaning,
                  MIN_SECONDS, MAX_PER_HOUR) / HOUR_S
    meaning = "mean handle time in seconds"
    handle = _within(_positive(handle_s, "handle_s", meaning), "handle_s", meaning,
                     MIN_SECONDS, MAX_SECONDS)
    n = _whole(agents, "agents", 1, "handlers on duty")
    if n > MAX_AGENTS:
        raise ErlangInputError("agents", f"agents (handlers on duty) must be at most "
                               f"{MAX_AGENTS:,}, got {agents!r}")
    meaning = "answer target in seconds"
    target = _within(_non_negative(target_s, "target_s", meaning), "target_s", meaning,
                     0.0, MAX_SECONDS)
    return lam, handle, n, target


# --- the chain below the queue: states with idle agents ----------------------------------

def _log_idle_weight(agents: int, load: float) -> float:
    """log of sum_{j<n} pi_j / pi_n: the states with an idle agent, relative to "all busy".

    pi_j / pi_n = prod_{k=j+1..n} k / load, so the logs are a running sum from j = n down,
    which stays accurate for any n (the Erlang B recursion underflows once B < 1e-308).
    """
    if agents == 0:
        return -math.inf
    k = np.arange(agents, 0, -1, dtype=float)
    return float(logsumexp(np.cumsum(np.log(k) - math.log(load))))


def erlang_b(agents: int, load: float) -> float:
    """Erlang B: P(all ``agents`` busy) with ``load`` Erlangs offered and no queue.

    Blocked calls are lost. ``erlang_b(0, load)`` is 1 (no agents: every call is blocked).
    """
    n = _whole(agents, "agents", 0)
    a = _non_negative(load, "load", "offered Erlangs")
    if a == 0:
        return 1.0 if n == 0 else 0.0
    # B = pi_n / sum_{j<=n} pi_j = 1 / (1 + R), R the idle weight
    return float(expit(-_log_idle_weight(n, a)))


def erlang_c(agents: int, load: float) -> float:
    """Erlang C: P(an arriving call waits) in M/M/n with ``load`` Erlangs offered.

    With ``load >= agents`` the queue grows without limit and every call waits, so this is 1.
    """
    n = _whole(agents, "agents", 0)
    a = _non_negative(load, "load", "offered Erlangs")
    if a >= n:
        return 1.0
    if a == 0:
        return 0.0
    # the queue states sum to pi_n / (1 - rho), so C = 1 / (1 + R (1 - rho))
    return float(expit(-(_log_idle_weight(n, a) + math.log1p(-a / n))))


def _share(p: float) -> float:
    # sums of many terms can land an ulp outside [0, 1]; a planner's share never should
    return min(1.0, max(0.0, p))


def _unstable(agents: int) -> ErlangResult:
    return ErlangResult(agents=agents, p_wait=1.0, service_level=0.0, mean_wait_s=math.inf,
                        mean_answer_s=math.inf, abandon_rate=0.0, occupancy=1.0)


def erlang_c_result(per_hour: float, handle_s: float, agents: int,
                    target_s: float) -> ErlangResult:
    """Erlang C figures for ``agents`` handlers: callers never hang up.

    With C = P(wait) and a waiting call's wait exponential with rate n mu - lambda:
    service level 1 - C exp(-(n mu - lambda) t), mean wait C / (n mu - lambda). At or past
    capacity (load >= agents) the queue is unstable: P(wait) 1, service level 0, waits infinite.
    """
    lam, handle, n, target = _rates(per_hour, handle_s, agents, target_s)
    load = lam * handle
    if load >= n:
        return _unstable(n)
    c = erlang_c(n, load)
    gap = n / handle - lam  # n mu - lambda: the rate of a waiting call's exponential wait
    mean_wait = c / gap
    return ErlangResult(agents=n, p_wait=c, service_level=1.0 - c * math.exp(-gap * target),
                        mean_wait_s=mean_wait, mean_answer_s=mean_wait, abandon_rate=0.0,
                        occupancy=load / n)


# --- the queue: states with every agent busy ---------------------------------------------

def _queue_window(arrivals: float, capacity: float) -> tuple[int, int, float]:
    """The queue lengths m that carry weight, and log t of the first of them.

    t_m = pi_{n+m} / pi_n = prod_{k=1..m} A / (X + k) with A = lambda / theta and
    X = n mu / theta. The terms rise while m <= A - X and then fall faster than geometrically,
    so the window runs from the mode out to where log t has dropped by the cutoff.
    """
    log_a = math.log(arrivals)
    base = gammaln(capacity + 1.0)

    def log_t(m: int) -> float:  # only used to place the window; rounding here is harmless
        return float(m * log_a - (gammaln(capacity + m + 1.0) - base))

    mode = max(0, math.floor(arrivals - capacity))
    cut = log_t(mode) - _LOG_CUTOFF

    def boundary(inside: int, outside: int) -> int:
        # log_t is concave, so between a term above the cut and one below there is one crossing
        while abs(outside - inside) > 1:
            mid = (inside + outside) // 2
            inside, outside = (mid, outside) if log_t(mid) > cut else (inside, mid)
        return outside

    step = 1  # gallop out from the mode, then bisect
    while log_t(mode + step) > cut:
        step *= 2
    last = boundary(mode + step // 2, mode + step)
    first = boundary(mode, 0) if mode > 0 and log_t(0) <= cut else 0
    # t_0 = 1 exactly; a later start is only reached when the queue dwarfs the idle states,
    # so the (relative) rounding of gammaln at large X there cannot reach the results.
    return first, last, (log_t(first) if first else 0.0)


def erlang_a_result(per_hour: float, handle_s: float, agents: int, patience_s: float,
                    target_s: float) -> ErlangResult:
    """Erlang A figures for ``agents`` handlers: callers hang up after exponential patience.

    States are j calls in the system; a call arrives at rate lambda and leaves at rate j mu
    (j <= n) or n mu + (j - n) theta (j > n), theta = 1 / patience. A call that arrives to
    find m calls queued ahead waits V = sum_{i=0..m} Exp(n mu + i theta) unless it hangs up
    first, so it is answered with probability X / (X + m + 1), X = n mu / theta, and given
    that, its wait is sum_{i=0..m} Exp(theta (X + 1 + i)), whose distribution function is the
    regularised incomplete beta I_x(m + 1, X + 1) at x = 1 - exp(-theta t). Summing these over
    the chain's stationary weights (PASTA) gives every figure. ``patience_s = math.inf`` is the
    Erlang C limit.
    """
    lam, handle, n, target = _rates(per_hour, handle_s, agents, target_s)
    patience = _patience(patience_s)
    if patience == math.inf:
        return erlang_c_result(per_hour, handle_s, agents, target_s)
    theta = 1.0 / patience
    arrivals = lam * patience  # A = lambda / theta
    capacity = n * patience / handle  # X = n mu / theta

    first, last, log_first = _queue_window(arrivals, capacity)
    m = np.arange(first, last + 1, dtype=float)
    # log t_m by running sums of log(A / (X + k)), each written as -log1p((X + k - A) / A) so a
    # load near capacity (A close to X + k) keeps full precision in every step
    steps = -np.log1p((capacity + m[1:] - arrivals) / arrivals)
    log_queue = log_first + np.concatenate(([0.0], np.cumsum(steps)))
    log_idle = _log_idle_weight(n, lam * handle)
    top = max(log_idle, float(log_queue.max()))
    idle = math.exp(log_idle - top)
    queue = np.exp(log_queue - top)
    total = idle + float(queue.sum())

    answered_if_queued = capacity / (capacity + m + 1.0)
    within = betainc(m + 1.0, capacity + 1.0, -math.expm1(-theta * target))
    # E[wait | answered, m ahead] = sum_{i=0..m} 1 / (theta (X + 1 + i)); the part before the
    # window (if any) by digamma, the rest by running sum
    head = float(digamma(capacity + 1.0 + first) - digamma(capacity + 1.0)) if first else 0.0
    wait_if_answered = (head + np.cumsum(1.0 / (capacity + 1.0 + m))) / theta

    p_wait = float(queue.sum()) / total
    p_answered = (idle + float(np.dot(queue, answered_if_queued))) / total
    # abandonment and mean queue length summed directly (rather than 1 - P(answered) or
    # P(ab) / theta) so neither cancels when patience is very long
    abandon = float(np.dot(queue, (m + 1.0) / (capacity + m + 1.0))) / total
    mean_queue = float(np.dot(queue, m)) / total
    service = (idle + float(np.dot(queue, answered_if_queued * within))) / total
    answered_wait = float(np.dot(queue, answered_if_queued * wait_if_answered)) / total
    return ErlangResult(
        agents=n,
        p_wait=_share(p_wait),
        service_level=_share(service),
        mean_wait_s=mean_queue / lam,  # Little's law on the queue
        mean_answer_s=answered_wait / p_answered,
        abandon_rate=_share(abandon),
        occupancy=_share(lam * p_answered * handle / n),
    )


def evaluate(per_hour: float, handle_s: float, agents: int, target_s: float,
             patience_s: float | None = None) -> ErlangResult:
    """Erlang A when a mean patience is given, Erlang C when it is ``None``."""
    if patience_s is None:
        return erlang_c_result(per_hour, handle_s, agents, target_s)
    return erlang_a_result(per_hour, handle_s, agents, patience_s, target_s)


def agents_needed(per_hour: float, handle_s: float, target_s: float, target_sl: float,
                  patience_s: float | None = None, max_abandon: float | None = None,
                  max_agents: int = 100_000) -> int:
    """The fewest agents whose service level reaches ``target_sl`` within ``target_s``.

    With ``max_abandon`` the abandonment rate must also be at most that (Erlang C never
    abandons, so there it always holds). Erlang C also needs load < agents. Both figures
    improve with every agent added, so the search gallops up from the offered load in
    square-root steps and then bisects; the answer n always has n - 1 failing the target.
    Raises ErlangInputError (param ``target_sl``) when even ``max_agents`` does not reach the
    target.
    """
    lam, handle, _, target = _rates(per_hour, handle_s, 1, target_s)
    target_sl = _fraction(target_sl, "target_sl", "the share of calls to answer within target",
                          zero_ok=True, one_ok=False)
    if max_abandon is not None:
        max_abandon = _fraction(max_abandon, "max_abandon", "the largest share of calls "
                                "allowed to hang up", zero_ok=False, one_ok=True)
    if patience_s is not None:
        _patience(patience_s)
    limit = _whole(max_agents, "max_agents", 1)
    load = lam * handle

    def meets(n: int) -> bool:
        r = evaluate(per_hour, handle_s, n, target, patience_s)
        return r.service_level >= target_sl and (max_abandon is None
                                                 or r.abandon_rate <= max_abandon)

    def unreachable() -> ErlangInputError:
        # the target is what the planner relaxes (max_agents is rarely theirs to raise)
        return ErlangInputError(
            "target_sl",
            f"no staffing up to max_agents={limit} answers {target_sl:.1%} of calls within "
            f"{target:g} s (offered load {load:.4g} Erlangs"
            + (f", abandonment at most {max_abandon:.1%}" if max_abandon is not None else "")
            + "); raise max_agents or relax the target")

    # fails: a staffing known to miss (0 agents, or for Erlang C anything at or below the load)
    erlang_c_like = patience_s is None or patience_s == math.inf
    fails = math.floor(load) if erlang_c_like else 0
    if fails >= limit:
        raise unreachable()
    meets_n = min(max(fails + 1, math.ceil(load)), limit)
    step = max(1, math.ceil(math.sqrt(load)))
    while not meets(meets_n):
        if meets_n == limit:
            raise unreachable()
        fails, meets_n = meets_n, min(meets_n + step, limit)
        step *= 2
    while meets_n - fails > 1:
        mid = (fails + meets_n) // 2
        fails, meets_n = (fails, mid) if meets(mid) else (mid, meets_n)
    return meets_n
