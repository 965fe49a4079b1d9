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
from scipy.special import stdtrit

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
    # stdtrit is the Student t quantile (scipy.stats.t.ppf without scipy.stats' import cost).
    half = float(stdtrit(n - 1, (1 + level) / 2) * v.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


def paired_difference(base: Sequence[float] | np.ndarray,
                      other: Sequence[float] | np.ndarray) -> Estimate:
    """``other - base`` replication by replication (common random numbers), with its interval."""
    a = np.asarray(base, dtype=float)
    b = np.asarray(other, dtype=float)
    n = min(len(a), len(b))
    return mean_ci(b[:n] - a[:n])
