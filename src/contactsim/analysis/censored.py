"""Censored log-likelihoods of the two-parameter duration families, and their maxima.

A caller's patience is seen only when they hang up; when they are answered first, all we know is
that they would have waited at least that long. The likelihood of such a right-censored value is
the chance of lasting beyond it (the survival function), so the log-likelihood of a sample is
the sum of log densities of the observed values plus the sum of log survivals of the censored
ones. scipy.stats can fit this (``CensoredData``) but by a general-purpose search that takes
10 s or more on 200,000 heavily censored waits; here each family's log-likelihood is written
out with scipy.special, using the observed values' sufficient statistics (sums of x, log x and
log x squared) and merging tied values, and maximised by damped Newton steps in log-parameters.

Parameters are ``theta = (log shape, log scale)`` in scipy.stats' terms: lognormal
(``s`` = sigma, ``scale`` = exp(mu)), gamma (``a``, ``scale``) and Weibull (``c``, ``scale``)
with ``loc`` = 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincc, gammaln, log_ndtr

#: Bounds of (log shape, log scale) searched: shapes from about 0.001 to a million (a near
#: constant), scales from a microsecond-odd to far beyond any duration.
BOUNDS = ((-7.0, 14.0), (-25.0, 30.0))

_LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class Sample:
    """Observed and right-censored durations (seconds, > 0), tied values merged into counts."""

    obs: np.ndarray        # distinct observed values
    obs_n: np.ndarray      # how many of each
    log_obs: np.ndarray
    right: np.ndarray      # distinct censored values
    right_n: np.ndarray
    log_right: np.ndarray
    d: int                 # observed values
    total: int             # all values
    sum_x: float           # of observed values
    sum_log: float         # of log observed values
    ss_log: float          # sum of squared deviations of log observed values from their mean

    @classmethod
    def of(cls, obs: np.ndarray, right: np.ndarray) -> Sample:
        ov, on = np.unique(obs, return_counts=True)
        rv, rn = np.unique(right, return_counts=True)
        logs = np.log(obs)
        return cls(ov, on.astype(float), np.log(ov), rv, rn.astype(float), np.log(rv),
                   len(obs), len(obs) + len(right), float(obs.sum()), float(logs.sum()),
                   float(np.sum((logs - logs.mean()) ** 2)))


def loglik(family: str, theta: np.ndarray | Sequence[float], sample: Sample) -> float:
    """Log-likelihood of ``sample`` (observed densities, censored survivals) at ``theta``;
    minus infinity where it is not finite."""
    with np.errstate(all="ignore"):
        value = _LOGLIK[family](float(theta[0]), float(theta[1]), sample)
    return value if math.isfinite(value) else -math.inf


def _lognormal(log_sigma: float, mu: float, s: Sample) -> float:
    sigma = math.exp(log_sigma)
    mean_log = s.sum_log / s.d
    ss = s.ss_log + s.d * (mean_log - mu) ** 2
    total = -s.sum_log - s.d * (log_sigma + _LOG_2PI / 2) - ss / (2 * sigma * sigma)
    if len(s.right):
        total += _dot(s.right_n, log_ndtr((mu - s.log_right) / sigma))
    return total


def _gamma(log_a: float, log_scale: float, s: Sample) -> float:
    a, scale = math.exp(log_a), math.exp(log_scale)
    lg = float(gammaln(a))
    total = (a - 1) * s.sum_log - s.sum_x / scale - s.d * (lg + a * log_scale)
    if len(s.right):
        z = s.right / scale
        q = gammaincc(a, z)
        # far in the tail Q underflows: log Q(a, z) ~ (a - 1) log z - z - log Gamma(a)
        tail = (a - 1) * np.log(z) - z - lg
        total += _dot(s.right_n, np.where(q > 0, np.log(np.where(q > 0, q, 1.0)), tail))
    return total


def _weibull(log_c: float, log_scale: float, s: Sample) -> float:
    c = math.exp(log_c)
    total = s.d * (log_c - c * log_scale) + (c - 1) * s.sum_log
    total -= _dot(s.obs_n, np.exp(c * (s.log_obs - log_scale)))
    if len(s.right):
        total -= _dot(s.right_n, np.exp(c * (s.log_right - log_scale)))
    return total


def _dot(weights: np.ndarray, values: np.ndarray) -> float:
    """Weighted sum, by numpy's own loop: a BLAS dot product may start threads, which on a
    busy machine costs more than the sum itself."""
    return float(np.multiply(weights, values).sum())


_LOGLIK: dict[str, Callable[[float, float, Sample], float]] = {
    "lognormal": _lognormal, "gamma": _gamma, "weibull": _weibull,
}


def maximise(family: str, sample: Sample, starts: Sequence[Sequence[float]]) -> np.ndarray | None:
    """The ``theta`` that maximises the log-likelihood, by damped Newton steps from the best of
    ``starts``; None when no finite maximum is found."""
    def objective(theta: tuple[float, float]) -> float:
        value = loglik(family, theta, sample)
        return -value / sample.total if math.isfinite(value) else math.inf

    clipped = [_clip((float(t[0]), float(t[1]))) for t in starts]
    start = min(clipped, key=objective)
    if not math.isfinite(objective(start)):
        return None
    return np.array(newton(objective, start))


def newton(f: Callable[[tuple[float, float]], float], start: tuple[float, float],
           max_steps: int = 60) -> tuple[float, float]:
    """Minimise a smooth function of two variables within BOUNDS: Newton steps on central
    differences, damped (Levenberg-Marquardt) until each step lowers ``f``.

    Written out for two variables rather than using scipy.optimize: its L-BFGS-B calls BLAS,
    whose threads cost more than these small fits on a busy machine.
    """
    theta, here, damping = start, f(start), 1e-3
    for _ in range(max_steps):
        g, hess = derivatives(f, theta, here)
        if _decrement(hess, g) < 1e-13:
            break  # the Newton step would gain less than this per value: at the maximum
        while True:
            step = _solve(hess, g, damping)
            new = _clip((theta[0] + step[0], theta[1] + step[1]))
            there = f(new)
            if there <= here:
                break
            damping *= 10
            if damping > 1e12:
                return theta  # no step lowers f: as low as it goes
        stalled = here - there <= 1e-15 * (1 + abs(here)) and max(map(abs, step)) < 1e-9
        theta, here, damping = new, there, max(damping / 10, 1e-9)
        if stalled:
            break
    return theta


def _decrement(hess: tuple[float, float, float], g: tuple[float, float]) -> float:
    """Newton decrement g' H^-1 g / 2 (what a full Newton step would gain); infinite where H is
    not positive definite."""
    h11, h12, h22 = hess
    det = h11 * h22 - h12 * h12
    if not (h11 > 0 and det > 0 and math.isfinite(det)):
        return math.inf
    return (h22 * g[0] * g[0] - 2 * h12 * g[0] * g[1] + h11 * g[1] * g[1]) / det / 2


#: Step of the central differences, in log-parameters (a relative step of 0.01%).
_H = 1e-4


def derivatives(f: Callable[[tuple[float, float]], float], theta: tuple[float, float],
                here: float) -> tuple[tuple[float, float], tuple[float, float, float]]:
    """Gradient and Hessian (h11, h12, h22) of ``f`` at ``theta`` by central differences."""
    a, b, h = theta[0], theta[1], _H
    fa1, fa0 = f((a + h, b)), f((a - h, b))
    fb1, fb0 = f((a, b + h)), f((a, b - h))
    cross = f((a + h, b + h)) - f((a + h, b - h)) - f((a - h, b + h)) + f((a - h, b - h))
    grad = ((fa1 - fa0) / (2 * h), (fb1 - fb0) / (2 * h))
    hess = ((fa1 - 2 * here + fa0) / h**2, cross / (4 * h * h), (fb1 - 2 * here + fb0) / h**2)
    return grad, hess


def _solve(hess: tuple[float, float, float], g: tuple[float, float],
           damping: float) -> tuple[float, float]:
    """The step -(H + damping * (|diag H| + 1)) ^-1 g, at most 1 in each log-parameter."""
    h11, h12, h22 = hess
    if not all(math.isfinite(v) for v in (*hess, *g)):
        return (0.0, 0.0)
    a11 = h11 + damping * (abs(h11) + 1)
    a22 = h22 + damping * (abs(h22) + 1)
    det = a11 * a22 - h12 * h12
    if a11 <= 0 or a22 <= 0 or det <= 0:  # not convex here: a short gradient step instead
        scale = 1 / (damping * (abs(h11) + abs(h22) + 1))
        s1, s2 = -g[0] * scale, -g[1] * scale
    else:
        s1, s2 = -(a22 * g[0] - h12 * g[1]) / det, -(a11 * g[1] - h12 * g[0]) / det
    return (min(max(s1, -1.0), 1.0), min(max(s2, -1.0), 1.0))


def _clip(theta: tuple[float, float]) -> tuple[float, float]:
    return (min(max(theta[0], BOUNDS[0][0]), BOUNDS[0][1]),
            min(max(theta[1], BOUNDS[1][0]), BOUNDS[1][1]))
