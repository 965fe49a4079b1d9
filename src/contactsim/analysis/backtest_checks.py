"""Two checks that hour-by-hour coverage cannot give: totals, and a lean across hours.

Hour-by-hour bands are wide (a cell of the week holds four real hours of a four-week log), so a
model 10% too busy still puts most hours inside them and reads "consistent with the log". Two
checks per channel and measure catch what coverage misses (issue 20.6):

- **The total**: the measure over every compared day at once (contacts offered summed; service
  level, abandoned share and mean answer time over all the contacts), observed against the
  replications' prediction interval for it. A total pools 168 hours, so its band is narrow.
- **The lean** (bias across hours): each compared hour's *standardised residual*, ``(observed -
  simulated mean) / (s * sqrt(1 + 1/R))`` with ``s`` the replications' sd, averaged over the
  hours. A right model leans neither way. Hours are not independent (a busy day raises all its
  hours, a queue carries over), so the mean residual is judged against the same statistic of
  each replication against the others (leave one out): the replications share the model's
  dependence between hours, so the band needs no assumption about it.

Both are judged at :data:`CHECK_LEVEL` (99%): eight such checks per channel would flag a right
model one time in three at 95%.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit

from contactsim.analysis.backtest import MEASURES, Backtest, Cell, prediction_interval

#: Level of the totals' bands and of the lean's band.
CHECK_LEVEL = 0.99
#: Per measure: the weight of each hour in the total (None: a count, summed).
_WEIGHT = {"offered": None, "service_level": "offered", "abandon_rate": "offered",
           "mean_answer_s": "answered"}


@dataclass(frozen=True)
class Check:
    """One channel and measure's total or lean: the observed figure against its band."""

    channel: str
    measure: str
    what: str        # "total" or "lean"
    observed: float
    sim_mean: float
    low: float
    high: float

    @property
    def direction(self) -> int:
        """-1 below the band, +1 above, 0 inside (or not judged: NaN)."""
        if not (math.isfinite(self.observed) and math.isfinite(self.low)):
            return 0
        tol = 1e-9 * max(1.0, abs(self.sim_mean))
        if self.observed < self.low - tol:
            return -1
        return 1 if self.observed > self.high + tol else 0

    @property
    def judged(self) -> bool:
        return math.isfinite(self.observed) and math.isfinite(self.low)


def total(table: Mapping[str, np.ndarray], measure: str) -> float:
    """The measure over every hour at once, from its hourly figures (168 each)."""
    weight = _WEIGHT[measure]
    if weight is None:
        return float(np.nansum(table[measure]))
    w = np.asarray(table[weight], dtype=float)
    v = np.asarray(table[measure], dtype=float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    n = float(w[ok].sum())
    return float((v[ok] * w[ok]).sum() / n) if n > 0 else math.nan


def totals_for(channel: str, observed: Mapping[str, np.ndarray],
               simulated: Sequence[Mapping[str, np.ndarray]]) -> list[Check]:
    """Each measure's total: observed against the replications' 99% prediction interval."""
    out = []
    for m in MEASURES:
        mean, low, high = prediction_interval([total(s, m) for s in simulated], m, CHECK_LEVEL)
        out.append(Check(channel, m, "total", total(observed, m), mean, low, high))
    return out


def _lean(obs: np.ndarray, reps: np.ndarray) -> float:
    """Mean standardised residual of ``obs`` (H hours) against ``reps`` (R x H), over the
    hours with a defined observation and at least two replications with spread."""
    defined = np.isfinite(reps)
    r = defined.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(reps, axis=0) / r
        sd = np.sqrt(np.nansum((reps - mean) ** 2, axis=0) / (r - 1))
        z = (obs - mean) / (sd * np.sqrt(1 + 1 / r))
    ok = np.isfinite(z) & (r >= 2) & (sd > 0)
    return float(z[ok].mean()) if ok.any() else math.nan


def lean_for(channel: str, cells: Sequence[Cell],
             simulated: Sequence[Mapping[str, np.ndarray]]) -> list[Check]:
    """Each measure's lean across the compared hours (module notes), with a band from the
    replications' own leans, each against the others."""
    out = []
    for m in MEASURES:
        hours = np.array(sorted(c.hour for c in cells if c.measure == m and c.compared),
                         dtype=np.int64)
        obs = np.array([c.observed for c in sorted(cells, key=lambda c: c.hour)
                        if c.measure == m and c.compared], dtype=float)
        reps = np.array([s[m] for s in simulated], dtype=float)[:, hours]
        if len(hours) < 2 or len(reps) < 3:
            out.append(Check(channel, m, "lean", math.nan, math.nan, math.nan, math.nan))
            continue
        own = [_lean(reps[j], np.delete(reps, j, axis=0)) for j in range(len(reps))]
        own_v = np.array([x for x in own if math.isfinite(x)])
        lean = _lean(obs, reps)
        if len(own_v) < 2:
            out.append(Check(channel, m, "lean", lean, math.nan, math.nan, math.nan))
            continue
        centre = float(own_v.mean())
        half = (float(stdtrit(len(own_v) - 1, (1 + CHECK_LEVEL) / 2))
                * float(own_v.std(ddof=1)) * math.sqrt(1 + 1 / len(own_v)))
        out.append(Check(channel, m, "lean", lean, centre, centre - half, centre + half))
    return out


@dataclass(frozen=True)
class Checks:
    """Every channel and measure's total and lean."""

    totals: dict[tuple[str, str], Check]
    leans: dict[tuple[str, str], Check]

    def off(self, channel: str, measure: str) -> list[Check]:
        """The checks of this channel and measure whose observed figure is outside its band."""
        return [c for c in (self.totals.get((channel, measure)),
                            self.leans.get((channel, measure)))
                if c is not None and c.direction != 0]


def checks(bt: Backtest) -> Checks:
    """The totals and leans of a back-test (from the hourly figures it keeps)."""
    totals: dict[tuple[str, str], Check] = {}
    leans: dict[tuple[str, str], Check] = {}
    for ch in bt.channels:
        sims = [s[ch] for s in bt.simulated]
        if ch not in bt.observed or not sims:
            continue
        for c in totals_for(ch, bt.observed[ch], sims):
            totals[(ch, c.measure)] = c
        for c in lean_for(ch, [c for c in bt.cells if c.channel == ch], sims):
            leans[(ch, c.measure)] = c
    return Checks(totals, leans)
