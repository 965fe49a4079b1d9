"""Checks that keep ``contactsim fit``'s estimates honest on real logs (issue 20.5).

A family chosen by AIC can describe the bulk of a sample well and still miss its mean: a
lognormal fitted over a spike of very short calls overshoots the sample mean by 10-24%, with a
delta-method interval (which rests on the family) that excludes it. So a duration seen in full
(handle, wrap-up, connection, redial delay) gets a mean that does not rest on any family: the
sample mean, with a 95% interval that takes *days* as the independent units (the ratio
estimator over days, the analytic twin of a bootstrap that resamples whole days: cheap on
millions of values). Where the chosen family's mean falls outside that interval and the
sample mean outside the family's own (the family was fitted to a subsample of a large log, so
each has its error), by 1% or more, or the family is loose (KS 0.1 or more), the fitted
scenario gets the log's own values instead, as an ``empirical`` distribution kept in a data
file beside ``scenario.toml`` and pinned by its SHA-256 (as every data file is; see
:mod:`contactsim.config.datafile`).

Numbers in, numbers out: the data file's bytes are made here, written by the results layer.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

import numpy as np
from scipy import stats

from contactsim.analysis.families import Fitted

#: A family is "loose" from this KS distance on (the report's words: fair below 0.1).
LOOSE_KS = 0.1
#: A family's mean this close to the log's (relatively) is kept whatever the intervals say: on
#: a year of millions of values both intervals are far narrower than any use of the figure.
MIN_GAP = 0.01
#: Most values kept in an empirical data file (a seeded random subsample beyond it).
MAX_EMPIRICAL = 200_000
#: Folder of the fit's results folder holding its data files (as a run's copies are kept).
DATA = "data"
_LEVEL = 0.95


@dataclass(frozen=True)
class DayMean:
    """The mean of values seen in full, with a 95% interval over days (the clusters)."""

    estimate: float
    low: float
    high: float
    days: int


def day_mean(values: np.ndarray, days: np.ndarray) -> DayMean:
    """Σx / n with the ratio estimator's interval over days: ``var = Σ_j (S_j - m n_j)² /
    (D (D - 1) n̄²)`` for D days, S_j and n_j the day's sum and count; with one day, the plain
    t interval of the values."""
    x = np.asarray(values, dtype=float)
    if not len(x):
        return DayMean(math.nan, math.nan, math.nan, 0)
    d_all = np.asarray(days, dtype=np.int64)
    k = d_all - d_all.min()  # days are whole numbers: bincount, no sort
    count = np.bincount(k).astype(float)
    total = np.bincount(k, weights=x)
    total, count = total[count > 0], count[count > 0]
    d = len(count)
    m = float(x.mean())
    if d >= 2:
        se = math.sqrt(float(((total - m * count) ** 2).sum()) / (d * (d - 1))) / (len(x) / d)
        t = float(stats.t.ppf((1 + _LEVEL) / 2, d - 1))
    elif len(x) >= 2:
        se, t = float(x.std(ddof=1)) / math.sqrt(len(x)), float(
            stats.t.ppf((1 + _LEVEL) / 2, len(x) - 1))
    else:
        return DayMean(m, math.nan, math.nan, d)
    return DayMean(m, max(m - t * se, 0.0), m + t * se, d)


def family_misses(fitted: Fitted, mean: DayMean) -> str:
    """Why the chosen family should not stand for these values ("" when it may): its mean
    outside the day-by-day interval of the sample mean, or a loose fit."""
    best = fitted.best
    gap = best.mean / mean.estimate - 1 if mean.estimate > 0 else math.nan
    low, high = best.mean_ci
    if (math.isfinite(mean.low) and not mean.low <= best.mean <= mean.high
            and not low <= mean.estimate <= high and abs(gap) >= MIN_GAP):
        return (f"the best family by AIC ({best.family}) has mean {best.mean:.1f} s, "
                f"{gap:+.0%} from the log's {mean.estimate:.1f} s: outside its 95% interval "
                f"({mean.low:.1f} to {mean.high:.1f} s, days as the units), and the log's mean "
                f"outside the family's ({low:.1f} to {high:.1f} s)")
    if best.ks >= LOOSE_KS:
        return (f"the best family by AIC ({best.family}) lies loosely on the log (KS "
                f"{best.ks:.3f}, {LOOSE_KS:g} or more)")
    return ""


@dataclass(frozen=True)
class Empirical:
    """The log's own values as a data file: its name beside scenario.toml, bytes and SHA-256."""

    file: str
    data: bytes
    sha256: str
    values: int

    def table(self) -> dict[str, object]:
        return {"dist": "empirical", "file": self.file, "sha256": self.sha256}


def empirical(what: str, owner: str, values: np.ndarray, *, seed: int = 0) -> Empirical:
    """The values (a seeded random :data:`MAX_EMPIRICAL` of them at most, in their order) as
    ``data/<what>.<owner>.csv``: a header line, then one value a line to 0.1 s."""
    x = np.asarray(values, dtype=float)
    if len(x) > MAX_EMPIRICAL:
        keep = np.sort(np.random.default_rng(seed).choice(len(x), MAX_EMPIRICAL, replace=False))
        x = x[keep]
    body = "\n".join(f"{v:.1f}" for v in np.round(x, 1).tolist())
    data = f"{what}_s\n{body}\n".encode("ascii")
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", owner) or "channel"
    return Empirical(f"{DATA}/{what}.{name}.csv", data, hashlib.sha256(data).hexdigest(),
                     len(x))
