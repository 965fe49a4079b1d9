"""Demand beyond ``per_day x weekly x hourly``: what ``contactsim fit`` reads from a log for the
keys ``hour_of_week``, ``open`` and ``day_cv`` (issue 20.2, 20.3; docs/fitting.md).

- **Separability.** Per channel, the 7 x 24 table of contacts by weekday and hour is tested
  against the product of its margins (a weekday's share of the week times an hour's share of
  the day): Pearson's X² with ``(7 - 1)(H - 1)`` degrees of freedom, H the hours of the day
  with any contact. Contacts come in clumps a Poisson count does not have (redials, one
  incident bringing many calls), so X² is divided by the *dispersion* φ, Pearson's X² of each
  day's hours against its own weekday's profile over its degrees of freedom (days of the same
  weekday share one profile under either hypothesis, so φ measures only the extra variation);
  with φ above 1 the statistic ``X² / (df φ)`` is referred to F(df, df_within), else X² to
  χ²(df). A p-value below :data:`SEPARABLE_P` rejects separability and the fit writes the
  168-hour profile.
- **Opening hours.** A run of hours of the week is closed when no contact arrived in them on
  any of the log's days of their weekdays (at least :data:`MIN_WEEKS` of each), and the hours
  either side of the run held at least :data:`MIN_EDGE` contacts over the log (so a quiet
  night's empty hour is not read as a closure).
- **Day-to-day variation** (``day_cv``): each day's count against what the weekly and monthly
  shape expect of it, ``Var = μ + cv² μ²``; ``cv²`` by moments (each weekday's mean is
  estimated, so its days' residuals are scaled by ``n / (n - 1)``), its interval by resampling
  days within weekdays (:data:`BOOTSTRAP` times). Written only where overdispersion is
  clear (the interval's low end above 0). Shared across channels (``[demand] day_cv``) when
  the channels' day factors move together (their correlation, :func:`_factor_correlation`, at
  least :data:`SHARED_RHO`) and the shared cv lies in every channel's own interval; else per
  channel (``channels.NAME.day_cv``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from contactsim.analysis.fit_demand import Demand, months_of
from contactsim.config.profiles import MAX_DAY_CV
from contactsim.timebase import HOURS_PER_WEEK, WEEKDAYS

#: Separability is rejected below this p-value (a strict level: a fitted profile of 168
#: weights replaces 31, so it is written only when the log clearly needs it).
SEPARABLE_P = 0.001
#: Fewest days of a weekday in the log to call its empty hours closed.
MIN_WEEKS = 2
#: A run of empty hours is closed when the hours either side held at least this many contacts
#: over the log (an open hour like them would be empty with chance below exp(-7) = 0.1%).
MIN_EDGE = 7.0
#: Day resamples for day_cv's interval.
BOOTSTRAP = 400
#: Channels' day factors this correlated (or more) may share one day_cv.
SHARED_RHO = 0.5


def day_hour_counts(day: np.ndarray, hour: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Contacts by day (of the sorted ``days``, days since 1970-01-01) and hour: days x 24."""
    if not len(days):
        return np.zeros((0, 24), dtype=np.int64)
    lut = np.full(int(days[-1] - days[0]) + 1, -1, dtype=np.int64)  # day -> its row, or -1
    lut[days - days[0]] = np.arange(len(days))
    off = day - days[0]
    inside = (off >= 0) & (off < len(lut))
    at = np.where(inside, lut[np.where(inside, off, 0)], -1)
    keep = at >= 0
    return np.bincount(at[keep] * 24 + hour[keep], minlength=len(days) * 24).reshape(
        len(days), 24)


@dataclass(frozen=True)
class Separability:
    """The test of ``per_day x weekly x hourly`` on one channel's log."""

    x2: float
    df: int
    dispersion: float
    df_within: int
    p_value: float

    @property
    def rejected(self) -> bool:
        return math.isfinite(self.p_value) and self.p_value < SEPARABLE_P


def table_of(counts: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """7 x 24: contacts by weekday and hour summed over days (``counts``: days x 24)."""
    return np.stack([counts[weekday == w].sum(axis=0) for w in range(7)]).astype(float)


def separability(counts: np.ndarray, weekday: np.ndarray) -> Separability | None:
    """The test (module notes) of days x 24 ``counts``; None without every weekday."""
    table = table_of(counts, weekday)
    n_w = np.bincount(weekday, minlength=7)
    hours = table.sum(axis=0) > 0
    if (n_w == 0).any() or hours.sum() < 2:
        return None
    t = table[:, hours]
    expect = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    ok = expect > 0
    x2 = float((((t - expect) ** 2)[ok] / expect[ok]).sum())
    df = 6 * (int(hours.sum()) - 1)
    prof = t / np.maximum(t.sum(axis=1, keepdims=True), 1e-300)
    c = counts[:, hours].astype(float)
    e_day = c.sum(axis=1, keepdims=True) * prof[weekday]
    live = e_day > 0
    x2_within = float((((c - e_day) ** 2)[live] / e_day[live]).sum())
    df_within = int(sum((n_w[w] - 1) * (int((prof[w] > 0).sum()) - 1) for w in range(7)))
    phi = x2_within / df_within if df_within > 0 else 1.0
    if phi > 1 and df_within > 0:
        p = float(stats.f.sf(x2 / (df * phi), df, df_within))
    else:
        p = float(stats.chi2.sf(x2, df))
    return Separability(x2, df, phi, df_within, p)


def hour_of_week(counts: np.ndarray, weekday: np.ndarray, month_w: np.ndarray) -> np.ndarray:
    """168 weights, mean 1: each weekday's mean hour (days divided by their month weight)."""
    scaled = counts / month_w[:, None]
    means = np.stack([scaled[weekday == w].mean(axis=0) for w in range(7)]).ravel()
    total = float(means.mean())
    return means / total if total > 0 else np.ones(HOURS_PER_WEEK)


def closed_hours(counts: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """168 bools: hours of the week closed (module notes); all False when it cannot be told.

    A run of hours of the week empty in every week is closed when both hours around it held
    at least :data:`MIN_EDGE` contacts over the log's weeks: an open hour as busy as its
    neighbours would then be empty in every week less than once in a thousand logs
    (``exp(-7)``), while a quiet night's empty hour, between hours of one or two contacts, is
    not read as a closure."""
    n_w = np.bincount(weekday, minlength=7)
    closed = np.zeros(HOURS_PER_WEEK, dtype=bool)
    if (n_w < MIN_WEEKS).any():
        return closed
    table = table_of(counts, weekday).ravel()
    empty = table == 0
    if empty.all() or not empty.any():
        return closed
    start = int(np.flatnonzero(~empty)[0])  # walk the week from an hour with contacts
    h = 0
    while h < HOURS_PER_WEEK:
        i = (start + h) % HOURS_PER_WEEK
        if not empty[i]:
            h += 1
            continue
        run = []
        while empty[(start + h) % HOURS_PER_WEEK]:
            run.append((start + h) % HOURS_PER_WEEK)
            h += 1
        before, after = table[(run[0] - 1) % HOURS_PER_WEEK], table[(run[-1] + 1) % HOURS_PER_WEEK]
        if min(before, after) >= MIN_EDGE:
            closed[run] = True
    return closed


def windows(closed: np.ndarray) -> list[dict[str, str]]:
    """The open hours as ``open`` windows in the roster's shape, one per run of open hours
    within a day (``{ days = "mon", start = "08:00", end = "17:00" }``)."""
    out = []
    for w in range(7):
        day = ~closed[w * 24:(w + 1) * 24]
        h = 0
        while h < 24:
            if not day[h]:
                h += 1
                continue
            start = h
            while h < 24 and day[h]:
                h += 1
            out.append({"days": WEEKDAYS[w], "start": f"{start:02d}:00", "end": f"{h:02d}:00"})
    return out


@dataclass(frozen=True)
class DayCv:
    """Day-to-day variation of demand: a coefficient of variation with its 95% interval."""

    estimate: float
    low: float
    high: float


def _cv2(y: np.ndarray, weekday: np.ndarray, month_w: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """(Σ excess variance, Σ μ²) of daily counts against their weekday's mean (of days divided
    by their month weight) times the month weight; ``y`` and ``month_w`` are B x days (one
    row per resample), ``weekday`` the days' weekdays (the same in every row)."""
    num = np.zeros(len(y))
    den = np.zeros(len(y))
    for w in range(7):
        on = weekday == w
        n = int(on.sum())
        if n < 2:
            continue
        mu = (y[:, on] / month_w[:, on]).mean(axis=1, keepdims=True) * month_w[:, on]
        num += ((n / (n - 1)) * (y[:, on] - mu) ** 2 - y[:, on]).sum(axis=1)
        den += (mu ** 2).sum(axis=1)
    return num, den


def _resamples(weekday: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """BOOTSTRAP x days row indices: each day's column drawn with replacement from the days
    of its own weekday."""
    idx = np.empty((BOOTSTRAP, len(weekday)), dtype=np.int64)
    for w in range(7):
        cols = np.flatnonzero(weekday == w)
        if len(cols):
            idx[:, cols] = cols[gen.integers(0, len(cols), size=(BOOTSTRAP, len(cols)))]
    return idx


def day_variation(daily: Sequence[np.ndarray], weekday: np.ndarray, month_w: Sequence[np.ndarray],
                  *, seed: int = 0) -> tuple[list[DayCv], DayCv | None, float]:
    """Per channel (``daily[i]``: its days' counts) the day_cv, the shared one (None with one
    channel), and the correlation of the channels' day factors (NaN with one channel)."""
    draws = _resamples(weekday, np.random.default_rng(seed))
    whole = np.arange(len(weekday))[None, :]

    def parts(i: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _cv2(np.asarray(daily[i], float)[rows], weekday, np.asarray(month_w[i])[rows])

    def cv(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, np.sqrt(np.maximum(num / den, 0.0)), np.nan)

    k = len(daily)
    boot = [parts(i, draws) for i in range(k)]
    point = [parts(i, whole) for i in range(k)]
    own = [_interval(float(cv(*point[i])[0]), cv(*boot[i])) for i in range(k)]
    if k < 2:
        return own, None, math.nan
    def total(pairs: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        return cv(np.sum([p[0] for p in pairs], axis=0), np.sum([p[1] for p in pairs], axis=0))

    shared = _interval(float(total(point)[0]), total(boot))
    return own, shared, _factor_correlation(daily, weekday, month_w)


def _factor_correlation(daily: Sequence[np.ndarray], weekday: np.ndarray,
                        month_w: Sequence[np.ndarray]) -> float:
    """How closely the channels' day factors move together: the mean over pairs of
    ``Σ r_a r_b / sqrt(Σ (r_a² - y_a) Σ (r_b² - y_b))`` (residuals from each weekday's mean;
    the Poisson part is taken out of the variances, it is independent between channels)."""
    res = []
    for y, m in zip(daily, month_w, strict=True):
        r = np.zeros(len(y))
        for w in range(7):
            on = weekday == w
            if on.sum() >= 2:
                r[on] = y[on] - float((y[on] / m[on]).mean()) * m[on]
        res.append((r, float((r ** 2 - y).sum())))
    out = []
    for a in range(len(res)):
        for b in range(a + 1, len(res)):
            va, vb = res[a][1], res[b][1]
            if va > 0 and vb > 0:
                out.append(float((res[a][0] * res[b][0]).sum()) / math.sqrt(va * vb))
    return float(np.mean(out)) if out else math.nan


def _interval(estimate: float, boot: np.ndarray) -> DayCv:
    ok = boot[np.isfinite(boot)]
    if not len(ok):
        return DayCv(estimate, math.nan, math.nan)
    return DayCv(estimate, float(np.quantile(ok, 0.025)), float(np.quantile(ok, 0.975)))


@dataclass(frozen=True)
class DayVariation:
    """What fit decided about day-to-day variation, and why."""

    own: dict[str, DayCv]
    shared: DayCv | None
    correlation: float
    decision: str  # "shared", "per channel" or "none"

    def written(self) -> dict[str, float]:
        """channel (or "" for the shared [demand] key) -> day_cv written."""
        if self.decision == "shared" and self.shared is not None:
            return {"": round(min(self.shared.estimate, MAX_DAY_CV), 4)}
        if self.decision == "per channel":
            return {k: round(min(v.estimate, MAX_DAY_CV), 4) for k, v in self.own.items()
                    if v.low > 0}
        return {}

    def capped(self) -> list[str]:
        """The channels (or "" for the shared one) whose day_cv was cut to MAX_DAY_CV."""
        if self.decision == "shared" and self.shared is not None:
            return [""] if self.shared.estimate > MAX_DAY_CV else []
        if self.decision == "per channel":
            return [k for k, v in self.own.items() if v.low > 0 and v.estimate > MAX_DAY_CV]
        return []


def decide(names: Sequence[str], daily: Sequence[np.ndarray], weekday: np.ndarray,
           month_w: Sequence[np.ndarray]) -> DayVariation:
    """The day_cv per channel and shared, and which is written (module notes)."""
    own, shared, rho = day_variation(daily, weekday, month_w)
    by = dict(zip(names, own, strict=True))
    clear = [v for v in own if v.low > 0]
    if not clear:
        return DayVariation(by, shared, rho, "none")
    if shared is not None and rho >= SHARED_RHO and shared.low > 0 and all(
            v.low <= shared.estimate <= v.high for v in own):
        return DayVariation(by, shared, rho, "shared")
    return DayVariation(by, shared, rho, "per channel")


@dataclass(frozen=True)
class Profile:
    """A channel's demand beyond the separable shapes, as fit reads it."""

    demand: Demand               # with ``fitted`` from the hour-of-week profile when written
    test: Separability | None    # None without every weekday
    weights: np.ndarray | None   # 168, mean 1: written as hour_of_week (separability rejected)
    every_hour: np.ndarray | None  # the same weights whatever the test (None: weekday missing)
    closed: np.ndarray           # 168 bools: closed hours of the week
    daily: np.ndarray            # contacts on each day used
    month_w: np.ndarray          # each day's month weight (1 where no monthly shape)


def channel_profile(demand: Demand, counts: np.ndarray, used: np.ndarray,
                    closed: np.ndarray) -> Profile:
    """The separability test, the hour-of-week weights where it is rejected, the closed
    hours, from ``counts`` (days used x 24) of the channel's contacts counted as demand."""
    weekday = (used + 3) % 7
    month = months_of(used)
    month_w = (np.array([demand.monthly[int(m)].estimate for m in month])
               if demand.monthly is not None else np.ones(len(used)))
    month_w = np.where(month_w > 0, month_w, 1.0)
    test = separability(counts, weekday) if counts.sum() > 0 else None
    weights = None
    every_hour = (hour_of_week(counts, weekday, month_w)
                  if test is not None else None)
    if test is not None and test.rejected:
        weights = every_hour
        assert weights is not None
        fitted = np.full(HOURS_PER_WEEK, math.nan)
        for w in range(7):
            on = weekday == w
            fitted[w * 24:w * 24 + 24] = (weights[w * 24:w * 24 + 24] * demand.per_day.estimate / 24
                                          * float(month_w[on].mean()))
        demand = replace(demand, fitted=fitted)
    return Profile(demand, test, weights, every_hour, closed, counts.sum(axis=1).astype(float),
                   month_w)
