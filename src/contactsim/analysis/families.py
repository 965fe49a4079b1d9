"""Fitted duration families: which shape of distribution a force's own durations follow.

A planner's call log holds thousands of talk times, wrap-ups, connection times and waits. To put
them into a scenario, ``contactsim fit`` asks which of four familiar shapes describes them best —
exponential (memoryless, the Erlang model), lognormal (a long tail), gamma (a lighter tail) or
Weibull — fits each by maximum likelihood, and keeps the one with the lowest AIC (Akaike's
information criterion: fit, penalised by the number of parameters).

Some durations are only partly seen. A caller who is answered after 40 s would have waited at
least 40 s before hanging up: their patience is *right-censored* at 40 s. Every fit here takes
such lower bounds into account (the likelihood of a censored value is the chance of lasting at
least that long), and the Kaplan-Meier curve shows the observed survival beside the fitted one.

Numbers in, numbers out: no files, no printing. The command that reads the log and writes the
fitted scenario is ``contactsim fit`` (jobs and cli); this module only does the statistics.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import gammaln

from contactsim.analysis.censored import Sample, derivatives, loglik, maximise
from contactsim.config.distributions import MAX_CV, MAX_SECONDS, MIN_SECONDS, weibull_shape

FAMILIES = ("exponential", "lognormal", "gamma", "weibull")

#: Fewest uncensored values worth fitting: below this, ``fit_durations`` returns None.
MIN_OBSERVED = 20

#: Most points kept on a Kaplan-Meier curve for plotting.
CURVE_POINTS = 500

#: Goodness of fit (``ks``) and the ``reach`` of a sample are judged only at times when at least
#: this many values are still "at risk" (at or beyond the time): past that, one caller who waited
#: 908 s moves the Kaplan-Meier tail by a step the family cannot be blamed for.
MIN_AT_RISK = 30

#: Two-sided 95% normal quantile.
_Z95 = float(stats.norm.ppf(0.975))

#: scipy.stats family of each two-parameter family (shape, loc = 0, scale).
_SCIPY: dict[str, stats.rv_continuous] = {
    "lognormal": stats.lognorm, "gamma": stats.gamma, "weibull": stats.weibull_min,
}


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted to the durations, with its goodness of fit."""

    family: str                   # one of FAMILIES
    mean: float                   # fitted distribution's mean, seconds
    sd: float                     # fitted distribution's sd, seconds (== mean for exponential)
    mean_ci: tuple[float, float]  # 95% interval for the mean (nan, nan: cannot be told)
    loglik: float                 # maximised log-likelihood (censored where censoring given)
    k: int                        # number of free parameters (1 or 2)
    aic: float                    # 2k - 2 loglik
    ks: float                     # max |fitted CDF - Kaplan-Meier CDF| where enough at risk
    shape: float = math.nan       # scipy.stats shape (1 for the exponential)
    scale: float = math.nan       # scipy.stats scale, seconds

    def sf(self, t: float) -> float:
        """The fitted chance a duration lasts beyond ``t`` seconds (NaN where unknown)."""
        if not (math.isfinite(self.shape) and math.isfinite(self.scale)):
            return math.nan
        if self.family == "exponential":
            return math.exp(-t / self.scale)
        with np.errstate(all="ignore"):
            return float(_SCIPY[self.family].sf(t, self.shape, scale=self.scale))

    def scenario(self) -> dict[str, object]:
        """The scenario table for this fit, e.g. ``{"dist": "gamma", "mean": 412.3, "sd":
        250.1}``: seconds to 0.1 s (three significant figures below 1 s), always within the
        scenario loader's bounds (at least 1 ms, at most 30 days, sd at most 100 times the
        mean), so the table is valid as it stands."""
        mean = _seconds(self.mean)
        if self.family == "exponential":
            return {"dist": "exponential", "mean": mean}
        sd = min(_seconds(self.sd), MAX_CV * mean)
        return {"dist": self.family, "mean": mean, "sd": sd}


@dataclass(frozen=True)
class Survival:
    """Kaplan-Meier estimate of the chance a duration lasts beyond ``t`` (scipy.stats.ecdf),
    thinned to at most ``CURVE_POINTS`` points for plotting."""

    t: np.ndarray     # times, seconds (ascending)
    s: np.ndarray     # survival probability at t
    low: np.ndarray   # 95% pointwise confidence band (Greenwood, scipy's confidence_interval)
    high: np.ndarray


@dataclass(frozen=True)
class Fitted:
    """Every family that could be fitted, and the best of them by AIC."""

    best: FamilyFit                # lowest AIC
    table: tuple[FamilyFit, ...]   # every family that could be fitted, in FAMILIES order
    n: int                         # values used
    observed: int                  # uncensored values
    censored: int                  # right-censored values
    survival: Survival | None      # Kaplan-Meier curve of the values used
    #: The longest time at which at least MIN_AT_RISK values (of ``n``, fewer for a small
    #: sample) were still at risk: beyond it the fitted tail is the family's, not the log's.
    reach: float = math.inf


def fit_durations(values: np.ndarray, censored: np.ndarray | None = None, *,
                  max_points: int = 200_000, seed: int = 0) -> Fitted | None:
    """MLE of each family; `censored[i]` True means values[i] is a right-censored lower bound
    (e.g. an answered call's wait is a lower bound on its patience). None when there are too few
    observed values to fit (say fewer than 20 uncensored): the caller reports that plainly.

    Values that are not finite or are negative are left out. A censored value of 0 carries no
    information (every duration lasts at least 0 s) and is dropped. An observed value of exactly
    0 would make the lognormal and Weibull likelihoods infinite, so every value is raised to at
    least ``MIN_SECONDS`` (1 ms) first.

    Large samples are fitted on a seeded random subsample of at most ``max_points`` values (the
    same subsample for every family, the Kaplan-Meier curve and the goodness of fit; ``n``,
    ``observed`` and ``censored`` count that subsample), and the log-likelihoods are those of the
    subsample, so AICs compare like with like.

    Two-parameter families are fitted by maximising their log-likelihood (analysis.censored:
    scipy.special densities and survivals, damped Newton steps in log-parameters; it agrees with
    ``scipy.stats.<dist>.fit(CensoredData(...), floc=0)`` and is many times faster on heavily
    censored data). The exponential has a closed form even under censoring: mean = total time
    / number of observed values. ``mean_ci``: for the
    exponential the chi-square interval 2T / chi2(2d) (exact without censoring); for the others
    the delta method on the observed information (a numerical Hessian of the negative
    log-likelihood in log-parameters), applied to the log of the mean so the interval stays
    positive and follows the skew. ``ks`` is the largest gap between the fitted CDF and the
    Kaplan-Meier CDF (the empirical CDF when nothing is censored), on both sides of each step,
    at the times when at least ``MIN_AT_RISK`` values are still at risk (``reach`` is the last).
    Where most values are censored (999 patience, say) the Kaplan-Meier tail rests on a few
    callers, so ``ks`` is larger for every family: compare families by it, not with a fixed
    threshold.
    """
    x, cens = _clean(values, censored)
    if len(x) > max_points:
        keep = np.sort(np.random.default_rng(seed).choice(len(x), max_points, replace=False))
        x, cens = x[keep], cens[keep]
    observed = int(np.count_nonzero(~cens))
    if observed < MIN_OBSERVED:
        return None
    x = np.maximum(x, MIN_SECONDS)
    obs, right = x[~cens], x[cens]
    km = _at_risk(_kaplan_meier(obs, right), x)
    expo = _exponential(obs, right, km)
    sample = Sample.of(obs, right)
    table = [expo] + [fit for family in FAMILIES[1:]
                      if (fit := _two(family, sample, km, expo.mean)) is not None]
    best = min(table, key=lambda f: f.aic)
    judged = km.judged if km.judged is not None else np.ones(len(km.t), dtype=bool)
    reach = float(km.t[judged].max()) if judged.any() else float(x.max())
    return Fitted(best, tuple(table), len(x), observed, len(right), _curve(km), reach)


def _at_risk(km: _KM, x: np.ndarray) -> _KM:
    """The curve with ``judged`` set where at least MIN_AT_RISK values (half the sample, for
    one smaller than twice that) are at or beyond the time."""
    need = min(MIN_AT_RISK, max(len(x) // 2, 1))
    at_risk = len(x) - np.searchsorted(np.sort(x), km.t, side="left")
    return _KM(km.t, km.s, km.low, km.high, at_risk >= need)


def _clean(values: np.ndarray, censored: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=float).ravel()
    cens = (np.zeros(len(x), dtype=bool) if censored is None
            else np.asarray(censored, dtype=bool).ravel())
    if len(cens) != len(x):
        raise ValueError(f"censored has {len(cens)} flags for {len(x)} values")
    keep = np.isfinite(x) & (x >= 0) & ~(cens & (x <= 0))
    return x[keep], cens[keep]


@dataclass(frozen=True)
class _KM:
    t: np.ndarray
    s: np.ndarray
    low: np.ndarray
    high: np.ndarray
    judged: np.ndarray | None = None  # bool per time: enough at risk to judge a fit there


# --- the families ---------------------------------------------------------------------------

def _exponential(obs: np.ndarray, right: np.ndarray, km: _KM) -> FamilyFit:
    d = len(obs)
    total = float(obs.sum() + right.sum())
    mean = total / d
    loglik = -d * math.log(mean) - d
    chi2 = stats.chi2(2 * d)
    ci = (2 * total / float(chi2.ppf(0.975)), 2 * total / float(chi2.ppf(0.025)))
    ks = _ks(-np.expm1(-km.t / mean), km)
    return FamilyFit("exponential", mean, mean, ci, loglik, 1, 2 - 2 * loglik, ks, 1.0, mean)


def _two(family: str, sample: Sample, km: _KM, mean_e: float) -> FamilyFit | None:
    """Fit a two-parameter family; None when no finite maximum is found (degenerate data)."""
    found = maximise(family, sample, _starts(family, sample, mean_e))
    if found is None:
        return None
    theta = (float(found[0]), float(found[1]))
    shape, scale = math.exp(theta[0]), math.exp(theta[1])

    def nll(t: tuple[float, float]) -> float:
        return -loglik(family, t, sample)

    def log_mean(t: tuple[float, float]) -> float:
        with np.errstate(all="ignore"):
            return float(np.log(_moments(family, math.exp(t[0]), math.exp(t[1]))[0]))

    loglik_max = -nll(theta)
    mean, sd = _moments(family, shape, scale)
    if not (math.isfinite(loglik_max) and math.isfinite(mean) and math.isfinite(sd)
            and mean > 0):
        return None
    ci = _delta_ci(nll, theta, log_mean)
    with np.errstate(all="ignore"):
        cdf = _SCIPY[family].cdf(km.t, shape, scale=scale)
    ks = _ks(np.asarray(cdf, dtype=float), km)
    return FamilyFit(family, mean, sd, ci, loglik_max, 2, 4 - 2 * loglik_max, ks, shape, scale)


def _starts(family: str, sample: Sample, mean_e: float) -> list[tuple[float, float]]:
    """Where the search may begin: the exponential fit (shape 1), and the method of moments of
    the observed values and of every value (both biased under censoring, but near)."""
    obs = np.repeat(sample.obs, sample.obs_n.astype(int))
    every = np.r_[obs, np.repeat(sample.right, sample.right_n.astype(int))]
    moments = [(mean_e, mean_e)] + [(float(v.mean()), float(v.std())) for v in (obs, every)]
    return [_theta(family, m, sd) for m, sd in moments if m > 0 and sd > 0]


def _theta(family: str, mean: float, sd: float) -> tuple[float, float]:
    """(log shape, log scale) of the family with this mean and sd."""
    cv = min(max(sd / mean, 1e-3), MAX_CV)
    if family == "lognormal":
        sigma2 = math.log1p(cv * cv)
        return math.log(sigma2) / 2, math.log(mean) - sigma2 / 2
    if family == "gamma":
        return -2 * math.log(cv), math.log(mean * cv * cv)
    k = weibull_shape(cv)
    return math.log(k), math.log(mean) - math.lgamma(1 + 1 / k)


def _moments(family: str, shape: float, scale: float) -> tuple[float, float]:
    """Mean and sd of a two-parameter family from scipy's (shape, scale); infinite where they
    overflow (a fit at the edge of the search, refused by the caller)."""
    with np.errstate(all="ignore"):
        if family == "lognormal":
            mean = scale * np.exp(shape * shape / 2)
            return float(mean), float(mean * np.sqrt(np.expm1(shape * shape)))
        if family == "gamma":
            return shape * scale, math.sqrt(shape) * scale
        g1 = float(gammaln(1 + 1 / shape))
        mean = scale * np.exp(g1)
        cv2 = np.expm1(float(gammaln(1 + 2 / shape)) - 2 * g1)
        return float(mean), float(mean * np.sqrt(max(cv2, 0.0)))


def _delta_ci(nll: Callable[[tuple[float, float]], float], theta: tuple[float, float],
              log_mean: Callable[[tuple[float, float]], float]) -> tuple[float, float]:
    """95% interval for the mean: delta method on log(mean), with the covariance of the
    log-parameters from the inverse of the numerical Hessian of the negative log-likelihood
    (the observed information)."""
    _, (h11, h12, h22) = derivatives(nll, theta, nll(theta))
    (g1, g2), _ = derivatives(log_mean, theta, log_mean(theta))
    det = h11 * h22 - h12 * h12
    if not (det > 0 and h11 > 0 and math.isfinite(det)):
        return (math.nan, math.nan)
    var = (h22 * g1 * g1 - 2 * h12 * g1 * g2 + h11 * g2 * g2) / det  # g' H^-1 g
    if not (math.isfinite(var) and var >= 0):
        return (math.nan, math.nan)
    centre, half = log_mean(theta), _Z95 * math.sqrt(var)
    with np.errstate(all="ignore"):
        return (float(np.exp(centre - half)), float(np.exp(centre + half)))


# --- Kaplan-Meier and goodness of fit -------------------------------------------------------

def _kaplan_meier(obs: np.ndarray, right: np.ndarray) -> _KM:
    data: np.ndarray | stats.CensoredData = (
        stats.CensoredData(uncensored=obs, right=right) if len(right) else obs)
    sf = stats.ecdf(data).sf
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # scipy warns that Greenwood's band is undefined where the survival reaches 0
        warnings.simplefilter("ignore", RuntimeWarning)
        band = sf.confidence_interval(0.95)
    low = _fill_forward(np.asarray(band.low.probabilities, dtype=float))
    high = _fill_forward(np.asarray(band.high.probabilities, dtype=float))
    return _KM(np.asarray(sf.quantiles, dtype=float), np.asarray(sf.probabilities, dtype=float),
               low, high)


def _fill_forward(a: np.ndarray) -> np.ndarray:
    """Undefined (NaN) band values take the last defined one (1 before any)."""
    defined = ~np.isnan(a)
    index = np.where(defined, np.arange(len(a)), -1)
    np.maximum.accumulate(index, out=index)
    return np.where(index >= 0, a[np.maximum(index, 0)], 1.0)


def _ks(fitted: np.ndarray, km: _KM) -> float:
    """Kolmogorov-Smirnov distance between a fitted CDF at the Kaplan-Meier times and the
    Kaplan-Meier CDF: both its value at each time and the value just before (the step's foot),
    at the times judged (enough values at risk; every time when not marked)."""
    after = 1 - km.s
    before = np.r_[0.0, after[:-1]]
    gap = np.maximum(np.abs(fitted - after), np.abs(fitted - before))
    if km.judged is not None and km.judged.any():
        gap = gap[km.judged]
    return float(np.max(gap))


def _curve(km: _KM) -> Survival:
    """At most CURVE_POINTS points: evenly spread in time order and in survival, so both the
    long flat tail and the steep start keep their shape."""
    n = len(km.t)
    if n <= CURVE_POINTS:
        pick = np.arange(n)
    else:
        half = CURVE_POINTS // 2
        by_order = np.linspace(0, n - 1, half).round().astype(int)
        levels = np.linspace(km.s[0], km.s[-1], half)
        by_level = np.searchsorted(-km.s, -levels).clip(0, n - 1)
        pick = np.unique(np.r_[by_order, by_level, 0, n - 1])
    return Survival(km.t[pick].copy(), km.s[pick].copy(), km.low[pick].copy(),
                    km.high[pick].copy())


# --- helpers --------------------------------------------------------------------------------

def _seconds(x: float) -> float:
    """Seconds as a scenario writes them: 0.1 s, three significant figures below 1 s, within
    the loader's bounds."""
    value = round(x, 1) if x >= 1 else float(f"{x:.3g}")
    return min(max(value, MIN_SECONDS), MAX_SECONDS)
