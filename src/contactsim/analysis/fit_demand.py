"""How much demand a force's own log shows, and when: the demand half of ``contactsim fit``.

A scenario says demand in three numbers a planner can read: contacts a day (``per_day``,
averaged over the week), the shape of the week (``weekly``, Monday to Sunday) and the shape of
the day (``hourly``), and, over a long log, the shape of the year (``monthly``). This module
estimates each from the contacts that arrived on the log's whole days (a partial first or last
day would read as a quiet one, and the two days a year the clocks change are not 24 hours
long), each with a 95% interval that allows for one day being busier than another for reasons
the scenario does not know (the days' own variation, not the Poisson ideal):

- ``per_day``: the mean of the seven weekday means (so a log that holds more Mondays than
  Sundays is not biased), its interval from the spread of each weekday's days;
- ``weekly``: each weekday's mean over ``per_day``;
- ``hourly`` and the ``mix``: the share of the day's contacts in each hour (or category),
  ``24 x`` for an hour, with a ratio estimator's interval over days (days are the independent
  units, so a day of unusual hours counts once);
- ``monthly``: where the log holds at least :data:`MIN_MONTH_DAYS` whole days of two or more
  months, each such month's mean day over their average (months the log does not cover get
  1, the average), and the weekday figures are taken from days divided by their month's weight.

Redials (a caller who hung up and rang the same channel again within :data:`REDIAL_WINDOW_S`)
are found from the ``caller`` column: a scenario makes them itself from its ``on_abandon``
figures, so they are left out of the demand counted here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from contactsim.logs.model import ContactLog
from contactsim.outcomes import ABANDONED
from contactsim.timebase import HOURS_PER_WEEK

#: A month counts towards ``monthly`` when the log holds at least this many of its whole days.
MIN_MONTH_DAYS = 14
#: A later contact from the same caller on the same channel this soon after hanging up is a
#: redial (24 hours: a caller who rings back the next day about the same matter still counts).
REDIAL_WINDOW_S = 86_400.0
_LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95% interval."""

    estimate: float
    low: float
    high: float

    def json(self, digits: int = 6) -> dict[str, float | None]:
        def num(x: float) -> float | None:
            return round(x, digits) if math.isfinite(x) else None
        return {"estimate": num(self.estimate), "ci_low": num(self.low),
                "ci_high": num(self.high)}

    def scaled(self, k: float) -> Interval:
        return Interval(self.estimate * k, self.low * k, self.high * k)

    def holds(self, x: float) -> bool:
        return self.low <= x <= self.high


def _t(df: int) -> float:
    return float(stats.t.ppf((1 + _LEVEL) / 2, max(df, 1)))


def ratio_interval(num: np.ndarray, den: np.ndarray) -> Interval:
    """Σnum / Σden over days (the clusters) with the ratio estimator's 95% interval:
    ``var = Σ (num_j - R den_j)² / (n (n - 1) mean(den)²)``, kept within 0 and 1 for a share."""
    n = len(den)
    total = float(den.sum())
    if total <= 0:
        return Interval(math.nan, math.nan, math.nan)
    r = float(num.sum()) / total
    if n < 2:
        return Interval(r, math.nan, math.nan)
    resid = num - r * den
    se = math.sqrt(float((resid ** 2).sum()) / (n * (n - 1))) / (total / n)
    half = _t(n - 1) * se
    return Interval(r, max(r - half, 0.0), min(r + half, 1.0))


@dataclass(frozen=True)
class Demand:
    """One channel's demand as the log shows it over the days used."""

    channel: str
    contacts: int            # contacts counted (redials left out)
    days: int                # whole days used
    per_day: Interval
    weekly: tuple[Interval, ...] | None  # Mon..Sun, mean 1; None: some weekday is missing
    hourly: tuple[Interval, ...]         # 24, mean 1
    monthly: dict[int, Interval] | None  # month 1-12 -> weight (mean 1 over the 12)
    observed: np.ndarray  # 168: mean contacts in each hour of the week (NaN: no such day)
    fitted: np.ndarray    # 168: what the fitted per_day, weekly and hourly give there
    #: Hang-ups without a caller key, and the redials among the contacts counted expected of
    #: them at the keyed redial share (taken out of per_day).
    unkeyed_hangups: int = 0
    unkeyed_redials: float = 0.0
    #: The base calendar's mean month weight over the days used, per_day divided by it (1:
    #: no correction).
    calendar_weight: float = 1.0


def months_of(days: np.ndarray) -> np.ndarray:
    """Month 1-12 of each day (days since 1970-01-01)."""
    return (np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)
            % 12 + 1)


def channel_demand(name: str, day: np.ndarray, hour: np.ndarray,
                   used: np.ndarray) -> Demand:
    """Demand from the contacts' local days and hours of day (only those on ``used`` days,
    sorted days since 1970-01-01, count)."""
    d_count = len(used)
    at = np.searchsorted(used, day)
    keep = (at < d_count) & (used[np.minimum(at, d_count - 1)] == day)
    counts = np.bincount(at[keep] * 24 + hour[keep], minlength=d_count * 24).reshape(d_count, 24)
    daily = counts.sum(axis=1).astype(float)
    weekday = (used + 3) % 7
    month_w, monthly = _monthly(daily, months_of(used))
    per_day, weekly = _weekly(daily / month_w, weekday)
    hourly = tuple(ratio_interval(counts[:, h].astype(float), daily).scaled(24)
                   for h in range(24))
    observed = np.full(HOURS_PER_WEEK, math.nan)
    fitted = np.full(HOURS_PER_WEEK, math.nan)
    w = [1.0] * 7 if weekly is None else [x.estimate for x in weekly]
    for d in range(7):
        on = weekday == d
        if on.any():
            observed[d * 24:d * 24 + 24] = counts[on].mean(axis=0)
            fitted[d * 24:d * 24 + 24] = (per_day.estimate * w[d] * float(month_w[on].mean())
                                          * np.array([x.estimate for x in hourly]) / 24)
    return Demand(name, int(daily.sum()), d_count, per_day, weekly, hourly, monthly,
                  observed, fitted)


def _monthly(daily: np.ndarray, month: np.ndarray) -> tuple[np.ndarray, dict[int, Interval] | None]:
    """Each day's month weight (1 where not fitted) and the fitted weights, if any."""
    covered = [m for m in range(1, 13) if np.count_nonzero(month == m) >= MIN_MONTH_DAYS]
    if len(covered) < 2:
        return np.ones(len(daily)), None
    means = {m: float(daily[month == m].mean()) for m in covered}
    average = sum(means.values()) / len(means)
    if average <= 0:
        return np.ones(len(daily)), None
    out = {}
    for m in range(1, 13):
        if m not in means:
            out[m] = Interval(1.0, math.nan, math.nan)
            continue
        x = daily[month == m]
        half = _t(len(x) - 1) * float(x.std(ddof=1)) / math.sqrt(len(x))
        out[m] = Interval(means[m], max(means[m] - half, 0.0), means[m] + half).scaled(
            1 / average)
    weights = np.array([out[int(m)].estimate for m in month])
    return np.where(weights > 0, weights, 1.0), out


def _weekly(daily: np.ndarray, weekday: np.ndarray) -> tuple[Interval, tuple[Interval, ...] | None]:
    """per_day as the mean of the weekday means, and the weekday weights; with a weekday
    missing, the plain mean of the days and no weekly shape."""
    n = np.array([np.count_nonzero(weekday == d) for d in range(7)])
    if (n == 0).any():
        mean = float(daily.mean())
        sd = float(daily.std(ddof=1)) if len(daily) > 1 else math.sqrt(mean)
        half = _t(len(daily) - 1) * sd / math.sqrt(len(daily))
        return Interval(mean, max(mean - half, 0.0), mean + half), None
    m = np.array([daily[weekday == d].mean() for d in range(7)])
    # each weekday mean's variance: its days' spread, or Poisson's where there is one day
    v = np.array([daily[weekday == d].var(ddof=1) / n[d] if n[d] > 1 else m[d] / n[d]
                  for d in range(7)])
    df = max(int(n.sum()) - 7, 1)
    t = _t(df)
    p = float(m.mean())
    half = t * math.sqrt(float(v.sum())) / 7
    per_day = Interval(p, max(p - half, 0.0), p + half)
    if p <= 0:
        return per_day, None
    weekly = []
    for d in range(7):
        grad = np.full(7, -m[d] / (7 * p * p))  # d(m_d / mean(m)) / d m_e
        grad[d] += 1 / p
        half_d = t * math.sqrt(float((grad ** 2 * v).sum()))
        weekly.append(Interval(m[d] / p, max(m[d] / p - half_d, 0.0), m[d] / p + half_d))
    return per_day, tuple(weekly)


def mix_of(categories: tuple[str, ...], category: np.ndarray, day: np.ndarray,
           used: np.ndarray) -> dict[str, Interval]:
    """Each category's share of a channel's contacts on ``used`` days (ratio intervals)."""
    at = np.searchsorted(used, day)
    keep = (at < len(used)) & (used[np.minimum(at, len(used) - 1)] == day)
    k = len(categories)
    table = np.bincount(at[keep] * k + category[keep], minlength=len(used) * k).reshape(
        len(used), k).astype(float)
    daily = table.sum(axis=1)
    return {categories[c]: ratio_interval(table[:, c], daily)
            for c in range(k) if table[:, c].sum() > 0}


@dataclass(frozen=True)
class Redials:
    """Callers who hung up and rang the same channel again within the window."""

    abandoned: int        # abandoned contacts whose window ends within the log
    redialled: int        # of those, followed by a redial
    probability: Interval  # redialled / abandoned, Wilson interval
    delays_s: np.ndarray  # hang-up to the redial's arrival, seconds
    is_redial: np.ndarray  # bool per row of the channel's rows given: this row is a redial
    delay_days: np.ndarray  # the local day of each redial (the unit of the delay's interval)


def find_redials(log: ContactLog, rows: np.ndarray, window_s: float = REDIAL_WINDOW_S) -> Redials:
    """Redials among ``rows`` (one channel's rows of ``log``, which has a ``caller`` column).

    A row is a redial when the same caller's previous contact on the channel was abandoned and
    this one arrived within ``window_s`` of the hang-up. The probability's denominator leaves
    out hang-ups less than ``window_s`` before the log's last arrival (their redial could fall
    after the export)."""
    caller = log.caller[rows]
    start = log.arrived_utc[rows]
    order = np.lexsort((start, caller))
    c, t = caller[order], start[order]
    ended = (start + log.connect_s[rows] + np.nan_to_num(log.wait_s[rows]))[order]
    abandoned = (log.outcome[rows] == ABANDONED)[order] & (c >= 0)
    same = (c[1:] == c[:-1]) & abandoned[:-1]
    gap = t[1:] - ended[:-1]
    hit = same & (gap >= 0) & (gap <= window_s)
    is_redial = np.zeros(len(rows), dtype=bool)
    is_redial[order[1:][hit]] = True
    last = float(start.max()) if len(start) else 0.0
    eligible = abandoned & (ended <= last - window_s)
    n = int(eligible.sum())
    k = int((np.r_[hit, False] & eligible).sum())
    if n:
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=_LEVEL, method="wilson")
        prob = Interval(k / n, float(ci.low), float(ci.high))
    else:
        prob = Interval(math.nan, math.nan, math.nan)
    days = np.floor_divide(log.arrived_local[rows][order[1:][hit]], 86400).astype(np.int64)
    return Redials(n, k, prob, gap[hit], is_redial, days)
