"""How precise a service level is, and how many replications would make it precise enough.

A report that says a verdict is not certain (its 95% interval spans the 90% target) says too how
many replications would pin the interval down to plus or minus one percentage point. The
interval's half-width falls as 1/sqrt(n) with the number of replications n, so the answer is
``n x (half-width now / 1 point)^2``, rounded up: slightly more than needed, as Student's t
quantile also falls a little with n.
"""

from __future__ import annotations

import math

from contactsim.analysis.stats import Estimate
from contactsim.standard import TARGET_SL

#: The 95% interval a service level should be pinned to: plus or minus one percentage point.
WANTED_HALF_WIDTH = 0.01


def replications_for(est: Estimate, replications: int,
                     half_width: float = WANTED_HALF_WIDTH) -> int | None:
    """Replications that would bring ``est``'s 95% interval to ``±half_width`` (one point).

    The half-width falls as 1/sqrt(n), so ``n x (now / wanted)^2``, rounded up (never fewer
    than ``replications``); the half-width now is the mean's larger distance to an end, as a
    share's interval may have been clipped at 0 or 1. None without an interval.
    """
    now = max(est.mean - est.ci_low, est.ci_high - est.mean)
    if replications < 2 or not math.isfinite(now) or now <= 0:
        return None
    return max(replications, math.ceil(round(replications * (now / half_width) ** 2, 6)))


def replications_advice(est: Estimate, replications: int) -> str:
    """``about 130 replications (now 6) would bring it to ±1 point`` (or why more won't help)."""
    needed = replications_for(est, replications)
    if needed is None:
        return "run two or more replications to have an interval at all"
    if needed <= replications:
        return "its interval is already within ±1 point: the figure sits that close to 90%"
    return (f"about {needed:,} replications (now {replications:,}) would bring it to ±1 point "
            f"(it is ±{100 * max(est.mean - est.ci_low, est.ci_high - est.mean):.1f} pts now)")


def spans_target(est: Estimate) -> bool:
    """Whether a service level's 95% interval spans the 90% target (the verdict is unsure)."""
    return math.isfinite(est.ci_low) and est.ci_low < TARGET_SL <= est.ci_high
