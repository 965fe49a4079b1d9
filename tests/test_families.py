"""Fitted duration families (analysis.families): the statistics behind ``contactsim fit``.

Values are drawn, seeded, from the scenario's own samplers (config.distributions), so a fit
that recovers them also agrees with what the engine would simulate. Tolerances come from the
fits' own 95% intervals or from binomial bounds on coverage, never from guesses.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from conftest import MINIMAL, write
from contactsim.analysis.families import FAMILIES, FamilyFit, Fitted, fit_durations
from contactsim.config.distributions import (
    MAX_CV,
    MAX_SECONDS,
    MIN_SECONDS,
    Distribution,
    _weibull_log_cv,
    weibull_shape,
)
from contactsim.config.loading import load_scenario

#: Shapes that the four families tell apart at n = 5,000: (mean, sd) for each true family.
TRUTHS = {
    "exponential": (300.0, 300.0),
    "lognormal": (300.0, 450.0),
    "gamma": (300.0, 180.0),
    "weibull": (300.0, 450.0),
}


def draw(family: str, n: int, seed: int, *, censor: bool) -> tuple[np.ndarray, np.ndarray]:
    """``n`` values of ``family`` at TRUTHS, right-censored (when ``censor``) at an independent
    exponential time of mean twice the true mean: a quarter to a half censored."""
    gen = np.random.default_rng(seed)
    mean, sd = TRUTHS[family]
    x = Distribution(family, mean, sd).sample(gen, n)
    if not censor:
        return x, np.zeros(n, dtype=bool)
    c = gen.exponential(2 * mean, n)
    return np.minimum(x, c), c < x


def fitted(values: np.ndarray, censored: np.ndarray | None = None, **kw: int) -> Fitted:
    result = fit_durations(values, censored, **kw)
    assert result is not None
    return result


def by_family(result: Fitted) -> dict[str, FamilyFit]:
    return {f.family: f for f in result.table}


# --- the weibull scenario duration ---------------------------------------------------------

def weibull_raw_moment(mean: float, sd: float, r: int) -> float:
    """E[X^r] of the Weibull with this mean and sd: scale^r Gamma(1 + r/k)."""
    k = weibull_shape(sd / mean)
    scale = mean / math.gamma(1 + 1 / k)
    return scale**r * math.gamma(1 + r / k)


@pytest.mark.parametrize(("mean", "sd"), [(420.0, 240.0), (300.0, 450.0), (60.0, 6.0),
                                          (90.0, 90.0)])
def test_weibull_samples_have_the_mean_and_sd_asked_for(mean: float, sd: float) -> None:
    n = 200_000
    x = Distribution("weibull", mean, sd).sample(np.random.default_rng(20261202), n)
    assert x.min() >= 0
    assert weibull_raw_moment(mean, sd, 1) == pytest.approx(mean, rel=1e-9)
    assert math.sqrt(weibull_raw_moment(mean, sd, 2) - mean**2) == pytest.approx(sd, rel=1e-9)
    # standard errors: of the mean, sd / sqrt(n); of the sd, by the delta method on the
    # sample variance, sqrt((mu4 - sd^4) / n) / (2 sd), mu4 the fourth central moment
    m1, m2, m3, m4 = (weibull_raw_moment(mean, sd, r) for r in (1, 2, 3, 4))
    mu4 = m4 - 4 * m3 * m1 + 6 * m2 * m1**2 - 3 * m1**4
    assert abs(x.mean() - mean) <= 4 * sd / math.sqrt(n)
    assert abs(x.std() - sd) <= 4 * math.sqrt((mu4 - sd**4) / n) / (2 * sd)
    assert Distribution("weibull", mean, sd).mean == mean
    assert Distribution("weibull", mean, sd).describe() == f"weibull, mean {mean:g} s, sd {sd:g} s"


@pytest.mark.parametrize("cv", [MIN_SECONDS / MAX_SECONDS, 1e-6, 0.0009999, 0.001, 0.0010001,
                                0.3, 1.0, 2.0, 10.0, MAX_CV])
def test_weibull_shape_is_solved_for_every_accepted_cv(cv: float) -> None:
    k = weibull_shape(cv)
    assert math.exp(_weibull_log_cv(k)) == pytest.approx(cv, rel=1e-9)
    if cv == 1.0:
        assert k == pytest.approx(1.0, rel=1e-9)  # the exponential
    if cv == MAX_CV:
        assert 0.1 < k < 0.15
    x = Distribution("weibull", 300.0, 300.0 * cv).sample(np.random.default_rng(1), 10_000)
    assert np.isfinite(x).all()


def test_weibull_cv_series_meets_the_log_gamma_form() -> None:
    # the two forms of CV(k) agree where they meet (1/k = 1e-3), so the solver sees no step
    below, above = _weibull_log_cv(1000.0 - 1e-9), _weibull_log_cv(1000.0 + 1e-9)
    assert below == pytest.approx(above, rel=1e-9)
    k = 400.0
    direct = math.sqrt(math.gamma(1 + 2 / k) / math.gamma(1 + 1 / k) ** 2 - 1)
    assert math.exp(_weibull_log_cv(k)) == pytest.approx(direct, rel=1e-6)


# --- the interface --------------------------------------------------------------------------

def test_every_family_is_fitted_in_order_with_consistent_figures() -> None:
    x, cens = draw("gamma", 2000, 1, censor=True)
    result = fitted(x, cens)
    assert tuple(f.family for f in result.table) == FAMILIES
    assert result.n == 2000 == result.observed + result.censored
    assert result.censored == int(cens.sum())
    assert result.best == min(result.table, key=lambda f: f.aic)
    for f in result.table:
        assert f.aic == pytest.approx(2 * f.k - 2 * f.loglik)
        assert f.k == (1 if f.family == "exponential" else 2)
        assert f.mean_ci[0] < f.mean < f.mean_ci[1]
        assert 0 <= f.ks <= 1
    assert by_family(result)["exponential"].sd == by_family(result)["exponential"].mean
    curve = result.survival
    assert curve is not None
    assert 2 <= len(curve.t) <= 510
    assert np.all(np.diff(curve.t) > 0)
    assert np.all(np.diff(curve.s) <= 0)
    assert np.all(curve.low <= curve.s + 1e-12)
    assert np.all(curve.s <= curve.high + 1e-12)


def test_loglik_is_the_censored_likelihood_at_the_fitted_parameters() -> None:
    x, cens = draw("lognormal", 3000, 2, censor=True)
    f = by_family(fitted(x, cens))["lognormal"]
    sigma2 = math.log1p((f.sd / f.mean) ** 2)
    frozen = stats.lognorm(math.sqrt(sigma2), scale=f.mean * math.exp(-sigma2 / 2))
    expect = frozen.logpdf(x[~cens]).sum() + frozen.logsf(x[cens]).sum()
    assert f.loglik == pytest.approx(expect, rel=1e-9)


SCIPY = {"lognormal": stats.lognorm, "gamma": stats.gamma, "weibull": stats.weibull_min}


@pytest.mark.parametrize("truth", ["lognormal", "gamma", "weibull"])
@pytest.mark.parametrize("family", ["lognormal", "gamma", "weibull"])
def test_two_parameter_fits_agree_with_scipy_censored_fit(family: str, truth: str) -> None:
    # scipy.stats' own censored fit (a Nelder-Mead search) on a small sample: our maximum is
    # at least as high, and the fitted mean and sd agree within its search tolerance.
    x, cens = draw(truth, 400, 21, censor=True)
    ours = by_family(fitted(x, cens))[family]
    dist = SCIPY[family]
    data = stats.CensoredData(uncensored=x[~cens], right=x[cens])
    shape, _, scale = dist.fit(data, floc=0)
    frozen = dist(shape, scale=scale)
    theirs = float(frozen.logpdf(x[~cens]).sum() + frozen.logsf(x[cens]).sum())
    assert ours.loglik >= theirs - 1e-6
    assert ours.loglik == pytest.approx(theirs, abs=1e-3)
    assert ours.mean == pytest.approx(frozen.mean(), rel=1e-3)
    assert ours.sd == pytest.approx(frozen.std(), rel=1e-3)


def test_complete_samples_match_scipy_exact_fits() -> None:
    # without censoring scipy solves the likelihood equations directly (lognormal in closed
    # form): the same maxima
    x, _ = draw("gamma", 3000, 22, censor=False)
    fits = by_family(fitted(x))
    for family, dist in SCIPY.items():
        shape, _, scale = dist.fit(x, floc=0)
        frozen = dist(shape, scale=scale)
        assert fits[family].loglik == pytest.approx(float(frozen.logpdf(x).sum()), abs=1e-6)
        assert fits[family].mean == pytest.approx(frozen.mean(), rel=1e-6)


def test_heavily_censored_patience_is_fitted() -> None:
    # 999 patience: most callers are answered within seconds (censored), a third at once
    # (censored at 0, dropped); few hang up
    gen = np.random.default_rng(23)
    n = 20_000
    patience = Distribution("lognormal", 120.0, 200.0).sample(gen, n)
    wait = gen.exponential(8.0, n) * (gen.random(n) > 0.3)
    cens = wait < patience
    result = fitted(np.minimum(patience, wait), cens)
    assert result.censored > 10 * result.observed
    assert result.best.family == "lognormal"
    assert result.best.mean_ci[0] <= 120 <= result.best.mean_ci[1]


@pytest.mark.parametrize("family", ["lognormal", "gamma", "weibull"])
@pytest.mark.parametrize("theta", [(0.3, 5.0), (-1.2, 6.5), (1.5, 3.0)])
def test_written_out_likelihoods_are_scipy_logpdf_plus_logsf(family: str,
                                                             theta: tuple[float, float]) -> None:
    from contactsim.analysis.censored import Sample, loglik

    x, cens = draw("gamma", 2000, 24, censor=True)
    x = np.r_[np.round(x), 5.0, 5.0, 5.0]  # whole seconds: many ties, merged by Sample
    cens = np.r_[cens, True, False, True]
    x = np.maximum(x, MIN_SECONDS)
    frozen = SCIPY[family](math.exp(theta[0]), scale=math.exp(theta[1]))
    expect = float(frozen.logpdf(x[~cens]).sum() + frozen.logsf(x[cens]).sum())
    assert loglik(family, theta, Sample.of(x[~cens], x[cens])) == pytest.approx(expect,
                                                                                 rel=1e-10)


def test_gamma_survival_far_in_the_tail_stays_finite_and_continuous() -> None:
    # where Q(a, z) underflows, log Q falls back to its leading asymptotic term
    from contactsim.analysis.censored import Sample, loglik

    def log_q(z: float) -> float:
        obs = np.full(1, 1.0)  # one observed value at 1 s, removed below
        base = loglik("gamma", (math.log(2.0), 0.0), Sample.of(obs, np.empty(0)))
        return loglik("gamma", (math.log(2.0), 0.0), Sample.of(obs, np.array([z]))) - base

    assert log_q(700.0) == pytest.approx(float(stats.gamma(2.0).logsf(700.0)), rel=1e-9)
    far = log_q(800.0)  # Q ~ 1e-345: below the smallest double
    assert math.isfinite(far)
    assert far == pytest.approx(math.log(800.0) - 800.0, abs=0.01)  # log(z e^-z (1 + 1/z))


def test_exponential_closed_form_agrees_with_scipy() -> None:
    x, cens = draw("exponential", 5000, 3, censor=True)
    f = by_family(fitted(x, cens))["exponential"]
    assert f.mean == pytest.approx(x.sum() / (~cens).sum(), rel=1e-12)
    _, scale = stats.expon.fit(stats.CensoredData(uncensored=x[~cens], right=x[cens]), floc=0)
    assert f.mean == pytest.approx(scale, rel=1e-6)
    frozen = stats.expon(scale=f.mean)
    assert f.loglik == pytest.approx(frozen.logpdf(x[~cens]).sum() + frozen.logsf(x[cens]).sum(),
                                     rel=1e-9)


def test_exponential_interval_is_the_chi_square_one() -> None:
    x, _ = draw("exponential", 400, 4, censor=False)
    f = by_family(fitted(x))["exponential"]
    total, d = x.sum(), len(x)
    assert f.mean_ci == pytest.approx((2 * total / stats.chi2.ppf(0.975, 2 * d),
                                       2 * total / stats.chi2.ppf(0.025, 2 * d)))


def test_too_few_observed_values_give_none() -> None:
    x, _ = draw("exponential", 100, 5, censor=False)
    assert fit_durations(x[:19]) is None
    assert fit_durations(x[:20]) is not None
    assert fit_durations(x, np.ones(100, dtype=bool)) is None  # all censored
    flags = np.arange(100) >= 19  # 19 observed, 81 censored
    assert fit_durations(x, flags) is None
    assert fit_durations(np.array([])) is None


def test_censored_zeros_are_dropped_and_observed_zeros_kept() -> None:
    x, cens = draw("gamma", 1000, 6, censor=True)
    with_zeros = fitted(np.r_[x, np.zeros(50)], np.r_[cens, np.ones(50, dtype=bool)])
    without = fitted(x, cens)
    assert with_zeros.n == without.n
    assert with_zeros.censored == without.censored
    assert with_zeros.table == without.table
    zeros = fitted(np.r_[x, np.zeros(5)], np.r_[cens, np.zeros(5, dtype=bool)])
    assert zeros.observed == without.observed + 5
    assert all(math.isfinite(f.loglik) for f in zeros.table)  # zeros raised to 1 ms
    assert {f.family for f in zeros.table} == set(FAMILIES)


def test_bad_values_are_left_out_and_mismatched_flags_refused() -> None:
    x, _ = draw("gamma", 500, 7, censor=False)
    clean = fitted(x)
    dirty = fitted(np.r_[x, np.nan, np.inf, -3.0])
    assert dirty.table == clean.table
    with pytest.raises(ValueError, match="flags"):
        fit_durations(x, np.zeros(3, dtype=bool))


def test_large_samples_are_subsampled_reproducibly() -> None:
    x, cens = draw("lognormal", 30_000, 8, censor=True)
    a = fitted(x, cens, max_points=5000, seed=1)
    assert a.n == 5000
    assert fitted(x, cens, max_points=5000, seed=1).table == a.table
    assert fitted(x, cens, max_points=5000, seed=2).table != a.table
    assert a.best.family == "lognormal"


def test_constant_values_still_fit_the_exponential() -> None:
    result = fitted(np.full(100, 60.0))
    assert result.table[0].family == "exponential"
    assert result.table[0].mean == pytest.approx(60.0)
    for f in result.table:
        assert math.isfinite(f.aic)


@settings(max_examples=60)
@given(st.lists(st.floats(0, 1e6) | st.sampled_from([0.0, 1e-3, 5.0, 5.0, 60.0]),
                min_size=20, max_size=300),
       st.integers(0, 2**32 - 1))
def test_any_durations_give_finite_fits_and_valid_tables(values: list[float], seed: int) -> None:
    x = np.array(values)
    flags = np.random.default_rng(seed).random(len(x)) < 0.3
    result = fit_durations(x, flags)
    if result is None:
        assert np.count_nonzero(~flags) < 20
        return
    assert result.table[0].family == "exponential"
    for f in result.table:
        assert math.isfinite(f.aic), f
        assert math.isfinite(f.mean), f
        assert f.mean > 0, f
        assert math.isfinite(f.ks), f
        table = f.scenario()
        m = float(table["mean"])
        assert MIN_SECONDS <= m <= MAX_SECONDS
        if "sd" in table:
            assert MIN_SECONDS <= float(table["sd"]) <= MAX_CV * m


# --- recovery -------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("censor", [False, True], ids=["complete", "censored"])
@pytest.mark.parametrize("family", ["lognormal", "gamma", "weibull"])
def test_two_parameter_families_are_recovered(family: str, censor: bool) -> None:
    x, cens = draw(family, 5000, 11, censor=censor)
    if censor:
        assert 0.25 <= cens.mean() <= 0.5
    result = fitted(x, cens)
    assert result.best.family == family, [(f.family, f.aic) for f in result.table]
    mean, sd = TRUTHS[family]
    low, high = result.best.mean_ci
    assert low <= mean <= high
    # the sd within 15%: the fitted shape's sd has a standard error of a few percent at n = 5,000
    assert result.best.sd == pytest.approx(sd, rel=0.15)
    # a fit of the right family is close to the data (KS 95% point is 1.36 / sqrt(n) = 0.019
    # uncensored; censoring leaves fewer values, so allow more)
    assert result.best.ks < 0.03


@pytest.mark.slow
@pytest.mark.parametrize("censor", [False, True], ids=["complete", "censored"])
def test_exponential_is_recovered(censor: bool) -> None:
    # Exponential is a gamma (and a Weibull) of shape 1, so AIC prefers the gamma whenever the
    # likelihood-ratio statistic 2 (loglik gamma - loglik exponential), chi-square with 1 degree
    # of freedom for exponential data, exceeds 2: about 16% of samples. It then must have shape
    # close to 1, and exponential must trail by less than the chi-square's 0.1% point (10.83)
    # minus the 2 AIC charges for the extra parameter.
    x, cens = draw("exponential", 5000, 12, censor=censor)
    result = fitted(x, cens)
    fits = by_family(result)
    expo = fits["exponential"]
    assert expo.aic - result.best.aic < stats.chi2.ppf(0.999, 1) - 2
    assert result.best.family in ("exponential", "gamma", "weibull")
    assert result.best.sd / result.best.mean == pytest.approx(1, abs=0.05)
    assert fits["lognormal"].aic - expo.aic > 100
    assert expo.mean_ci[0] <= 300 <= expo.mean_ci[1]


# --- the fitted table is a valid scenario duration -------------------------------------------

def inline(table: dict[str, object]) -> str:
    items = ", ".join(f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v!r}"
                      for k, v in table.items())
    return "{ " + items + " }"


@pytest.mark.parametrize("family", FAMILIES)
def test_fitted_tables_load_and_run(tmp_path: Path, family: str) -> None:
    from contactsim.analysis.experiment import run_experiment

    x, cens = draw(family, 3000, 13, censor=True)
    fit = by_family(fitted(x, cens))[family]
    table = fit.scenario()
    assert table["dist"] == family
    assert table["mean"] == round(fit.mean, 1)
    path = write(tmp_path, "s.toml", MINIMAL)
    sc = load_scenario(path, [f"categories.crime.handle={inline(table)}",
                              f"channels.999.patience={inline(table)}",
                              "run.days=0.5", "run.replications=1", "run.warmup_days=0"])
    assert sc.categories["crime"].handle.mean == pytest.approx(fit.mean, abs=0.05)
    reps = run_experiment(sc, workers=1).replications
    assert len(reps) == 1


@pytest.mark.parametrize(("mean", "sd"), [(1e-9, 1e-9), (0.04, 30.0), (1e9, 5e8), (50.0, 1e6),
                                          (0.3456, 0.1234), (1234.5678, 0.0)])
def test_scenario_tables_stay_within_the_loader_bounds(tmp_path: Path, mean: float,
                                                       sd: float) -> None:
    path = write(tmp_path, "s.toml", MINIMAL)
    for family in FAMILIES:
        fit = FamilyFit(family, mean, sd if family != "exponential" else mean, (mean, mean),
                        0.0, 1, 0.0, 0.0)
        table = fit.scenario()
        m = float(table["mean"])
        assert MIN_SECONDS <= m <= MAX_SECONDS
        if "sd" in table:
            s = float(table["sd"])
            assert MIN_SECONDS <= s <= MAX_CV * m
        load_scenario(path, [f"categories.crime.handle={inline(table)}"])


# --- coverage of the 95% intervals ----------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("censor", [False, True], ids=["complete", "censored"])
@pytest.mark.parametrize("family", FAMILIES)
def test_mean_intervals_cover_the_truth_95_percent_of_the_time(family: str,
                                                               censor: bool) -> None:
    # 200 seeded samples of n = 500: if the intervals are right, the count covering the true
    # mean is binomial(200, 0.95), whose 3-standard-error range is 0.904-0.996
    truth = TRUTHS[family][0]
    covered = 0
    for rep in range(200):
        x, cens = draw(family, 500, 1000 + rep, censor=censor)
        low, high = by_family(fitted(x, cens))[family].mean_ci
        covered += low <= truth <= high
    assert 0.90 <= covered / 200 <= 0.99, covered
