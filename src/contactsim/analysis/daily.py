"""Measures by date and by month, for runs pinned to the calendar.

A year-long run is judged day by day as well as overall: July may miss the standard while
February meets it, and a bank-holiday Monday or New Year's Eve may stand out. Each replication
keeps, per channel and measured day, five running sums over the contacts that arrived that day
(offered, answered within target, answered, total answer time, abandoned). Any grouping of days
(a date, a month) turns them into the contract's measures the same way the whole run does:
``service_level`` = answered within target / offered, ``mean_answer_s`` = mean answer time over
answered, ``abandon_rate`` = abandoned / offered. Sums, unlike rates, add up across days, so a
month's service level is its contacts' service level, not an average of daily rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from contactsim.engine.records import ABANDONED, ANSWERED, DIVERTED

#: The measures of daily.csv and monthly.csv, in this order (the contract's names).
PERIOD_MEASURES = ("offered", "service_level", "mean_answer_s", "abandon_rate")
#: What a replication keeps per channel and measured day.
SUMS = ("offered", "within", "answered", "answer_sum", "abandoned")

Sums = dict[str, np.ndarray]


def day_sums(day: np.ndarray, answer_s: np.ndarray, outcome: np.ndarray, target_s: float,
             n_days: int) -> Sums:
    """Per measured day (``day`` counts from the first measured day), the five sums."""
    inside = (day >= 0) & (day < n_days)
    d, ans, out = day[inside], answer_s[inside], outcome[inside]
    answered = out == ANSWERED

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(d[mask], weights=None if weights is None else weights[mask],
                           minlength=n_days).astype(float)

    return {
        "offered": count(out != DIVERTED),
        "within": count(answered & (ans <= target_s)),
        "answered": count(answered),
        "answer_sum": count(answered, ans),
        "abandoned": count(out == ABANDONED),
    }


def grouped(sums: Sums, groups: np.ndarray, n_groups: int) -> Sums:
    """The sums of each group of days (``groups[i]`` is the group of measured day ``i``)."""
    return {k: np.bincount(groups, weights=v, minlength=n_groups) for k, v in sums.items()}


def period_measures(sums: Sums) -> dict[str, np.ndarray]:
    """The contract's measures for each period of ``sums``; undefined (NaN) where none."""
    with np.errstate(invalid="ignore", divide="ignore"):
        offered = sums["offered"]
        return {
            "offered": offered.copy(),
            "service_level": np.where(offered > 0, sums["within"] / offered, math.nan),
            "mean_answer_s": np.where(sums["answered"] > 0,
                                      sums["answer_sum"] / sums["answered"], math.nan),
            "abandon_rate": np.where(offered > 0, sums["abandoned"] / offered, math.nan),
        }


def month_groups(months: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Distinct months in order of first appearance, and each day's index among them."""
    names = list(dict.fromkeys(months))
    index = {m: i for i, m in enumerate(names)}
    return names, np.array([index[m] for m in months], dtype=np.int64)
