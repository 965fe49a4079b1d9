"""Fitting duration families to 200,000 censored values: seconds per fit, per family.

``contactsim fit`` fits four families to every duration of a force's log; the largest force's
per-category samples run to a million values, fitted on a subsample of ``max_points`` =
200,000. Two censored samples of that size are timed:

- ``handle-like``: gamma, mean 300 s, sd 180 s, censored at an independent exponential time of
  mean 600 s (about 40% censored);
- ``patience-like``: lognormal patience, mean 120 s, sd 200 s, seen only when the caller hangs
  up before an exponential wait of mean 8 s (about 94% censored, as 999 patience is).

For each family it prints the best of ``--repeats`` times of one fit (the maximum likelihood
and its 95% interval for the mean, as ``fit_durations`` does them), its ratio to the
exponential's closed form, and the whole ``fit_durations`` call (all four families, the
Kaplan-Meier curve and the goodness of fit). ``--scipy`` adds scipy.stats' own censored fit
(``dist.fit(CensoredData(...), floc=0)``) for comparison; it is slow.

Target (the families brief): a 200,000-point censored gamma fit well under 5 s.

Run: ``python benchmarks/families.py`` (``--scipy`` to compare, ``--points 50000`` for a
quick look).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats

from contactsim.analysis import families
from contactsim.analysis.censored import Sample
from contactsim.config.distributions import Distribution

SCIPY = {"lognormal": stats.lognorm, "gamma": stats.gamma, "weibull": stats.weibull_min}


def samples(n: int, seed: int = 1) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    gen = np.random.default_rng(seed)
    handle = Distribution("gamma", 300.0, 180.0).sample(gen, n)
    limit = gen.exponential(600.0, n)
    patience = Distribution("lognormal", 120.0, 200.0).sample(gen, n)
    wait = gen.exponential(8.0, n)
    return {"handle-like": (np.minimum(handle, limit), limit < handle),
            "patience-like": (np.minimum(patience, wait), wait < patience)}


def best_of(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, x: np.ndarray, cens: np.ndarray, repeats: int, with_scipy: bool) -> None:
    obs, right = x[~cens], x[cens]
    km = families._kaplan_meier(obs, right)
    expo = families._exponential(obs, right, km)
    sample = Sample.of(obs, right)
    print(f"{name}: {len(x):,} values, {cens.mean():.0%} censored")
    t_expo = best_of(repeats, lambda: families._exponential(obs, right, km))
    print(f"  {'exponential':13s} {t_expo:8.4f} s   closed form")
    data = stats.CensoredData(uncensored=obs, right=right)
    for family in families.FAMILIES[1:]:
        t = best_of(repeats, lambda f=family: families._two(f, sample, km, expo.mean))
        line = f"  {family:13s} {t:8.4f} s   {t / t_expo:8.0f} x exponential"
        if with_scipy:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_sp = best_of(1, lambda f=family: SCIPY[f].fit(data, floc=0))
            line += f"   scipy.stats fit {t_sp:6.2f} s"
        print(line)
    t_all = best_of(repeats, lambda: families.fit_durations(x, cens))
    print(f"  {'fit_durations':13s} {t_all:8.4f} s   all four, Kaplan-Meier and KS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scipy", action="store_true", help="also time scipy.stats' fit")
    args = parser.parse_args()
    for name, (x, cens) in samples(args.points).items():
        report(name, x, cens, args.repeats, args.scipy)


if __name__ == "__main__":
    main()
