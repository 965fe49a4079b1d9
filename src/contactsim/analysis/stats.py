"""Confidence intervals over replications.

Each replication is one independent run of the model, so its measures are independent draws;
the mean over replications has a Student t confidence interval. Two scenarios run with the same
seed see the same callers (common random numbers), so their difference is estimated from the
paired differences replication by replication, which is far sharper than comparing two
separate intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its 95% confidence interval (NaN where undefined)."""

    mean: float
    ci_low: float
    ci_high: float
    n: int

    def as_dict(self) -> dict[str, float | None]:
        """JSON-ready: undefined values (e.g. an interval from one replication) become null."""
        return {k: (None if math.isnan(v) else v) for k, v in
                (("mean", self.mean), ("ci_low", self.ci_low), ("ci_high", self.ci_high))}

    def scaled(self, factor: float) -> Estimate:
        """The estimate in other units (per day instead of in total, say)."""
        return Estimate(self.mean * factor, self.ci_low * factor, self.ci_high * factor, self.n)

    def within(self, low: float, high: float) -> Estimate:
        """The interval clipped to the range the measure can take (a share stays in 0-1)."""
        if math.isnan(self.ci_low):
            return self
        return Estimate(self.mean, min(max(self.ci_low, low), high),
                        max(min(self.ci_high, high), low), self.n)

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2


def t_quantile(df: float, p: float) -> float:
    """The Student t quantile (scipy.stats.t.ppf without scipy.stats' import cost; scipy.special
    itself imported here, not with the module: a one-replication run needs no interval and
    should not pay its 0.3 s)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def mean_ci(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> Estimate:
    """Mean and Student t interval of the defined (non-NaN) values."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(v.mean())
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1)
    half = float(t_quantile(n - 1, (1 + level) / 2) * v.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


def paired_difference(base: Sequence[float] | np.ndarray,
                      other: Sequence[float] | np.ndarray) -> Estimate:
    """``other - base`` replication by replication (common random numbers), with its interval."""
    a = np.asarray(base, dtype=float)
    b = np.asarray(other, dtype=float)
    n = min(len(a), len(b))
    return mean_ci(b[:n] - a[:n])


def welch(base: np.ndarray, other: np.ndarray, level: float = LEVEL) -> Estimate:
    """``mean(other) - mean(base)`` with a Welch interval (independent samples)."""
    a, b = base[~np.isnan(base)], other[~np.isnan(other)]
    if not len(a) or not len(b):
        return Estimate(math.nan, math.nan, math.nan, 0)
    diff = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return Estimate(diff, math.nan, math.nan, min(len(a), len(b)))
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    return _welch_interval(diff, va, vb, len(a) - 1, len(b) - 1, level)


def _welch_interval(diff: float, va: float, vb: float, dfa: float, dfb: float,
                    level: float) -> Estimate:
    se2 = va + vb
    if se2 == 0:
        return Estimate(diff, diff, diff, 2)
    df = se2**2 / (va**2 / dfa + vb**2 / dfb)
    half = float(t_quantile(df, (1 + level) / 2) * math.sqrt(se2))
    return Estimate(diff, diff - half, diff + half, 2)


def welch_from_summary(base: Estimate, other: Estimate, level: float = LEVEL) -> Estimate:
    """A Welch interval rebuilt from two summary intervals (when no per-replication rows)."""
    diff = other.mean - base.mean
    if not all(math.isfinite(v) for v in (base.half_width, other.half_width)) or min(
            base.n, other.n) < 2:
        return Estimate(diff, math.nan, math.nan, 0)
    t = [float(t_quantile(e.n - 1, (1 + level) / 2)) for e in (base, other)]
    va, vb = (base.half_width / t[0]) ** 2, (other.half_width / t[1]) ** 2
    return _welch_interval(diff, va, vb, base.n - 1, other.n - 1, level)
