"""The change month by month in a comparison of runs pinned to dates: ``compare_monthly.csv``
(each channel's measures) and ``compare_workforce.csv`` (each workforce's people).

Both are read off a per-replication table of each member run (``monthly_replications.csv``,
``workforce_replications.csv``): for each month, each scenario after the first against the
first, paired replication by replication when the runs pair (same seed and run length: the same
callers, and the same leavers in every group of people both plans share), else as Welch
intervals. A name or month one run lacks is left out, so ``compare_workforce.csv`` is written
only when the base and another scenario both have a workforce; a comparison without one writes
what it wrote before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from contactsim.analysis.daily import PERIOD_MEASURES
from contactsim.analysis.stats import mean_ci, paired_difference, welch
from contactsim.engine.workforce import MONTHLY
from contactsim.results.read import RunResults

#: The columns of compare_monthly.csv: the change in each month, for runs pinned to dates.
MONTHLY_COLUMNS = ("scenario", "base", "channel", "month", "measure", "base_mean",
                   "scenario_mean", "difference", "ci_low", "ci_high", "method")
#: The columns of compare_workforce.csv: the change in each month's people, per pool.
WORKFORCE_COLUMNS = ("scenario", "base", "pool", "month", "measure", "base_mean",
                     "scenario_mean", "difference", "ci_low", "ci_high", "method")


def month_rows(labels: Sequence[str], runs: Sequence[RunResults], paired: Sequence[bool],
               table: str, key: str, measures: Sequence[str]) -> list[list[Any]]:
    """Per ``key`` (a channel or a pool), month and measure of the per-replication ``table``,
    each scenario after the first against the first; ``paired[i]``: whether scenario ``i + 1``
    pairs with the base."""
    base = runs[0].table(table)
    if base is None or not base.has("month"):
        return []
    rows: list[list[Any]] = []
    for label, run, pairs in zip(labels[1:], runs[1:], paired, strict=True):
        other = run.table(table)
        if other is None or not other.has("month"):
            continue
        for name in base.distinct(key):
            a_name, b_name = base.where(key, name), other.where(key, name)
            for month in a_name.distinct("month"):
                a_rows, b_rows = a_name.where("month", month), b_name.where("month", month)
                if not len(b_rows):
                    continue
                for measure in measures:
                    a = a_rows.numbers(measure)[np.argsort(a_rows.numbers("replication"))]
                    b = b_rows.numbers(measure)[np.argsort(b_rows.numbers("replication"))]
                    d = paired_difference(a, b) if pairs else welch(a, b)
                    rows.append([label, labels[0], name, month, measure, mean_ci(a).mean,
                                 mean_ci(b).mean, d.mean, d.ci_low, d.ci_high,
                                 "paired" if pairs else "welch"])
    return rows


def monthly_rows(labels: Sequence[str], runs: Sequence[RunResults],
                 paired: Sequence[bool]) -> list[list[Any]]:
    """compare_monthly.csv: per channel, month and measure (PERIOD_MEASURES)."""
    return month_rows(labels, runs, paired, "monthly_replications", "channel", PERIOD_MEASURES)


def workforce_rows(labels: Sequence[str], runs: Sequence[RunResults],
                   paired: Sequence[bool]) -> list[list[Any]]:
    """compare_workforce.csv: per pool with a workforce, month and measure (workforce.csv's
    ``headcount, training, ramping, available, leavers, joiners``)."""
    return month_rows(labels, runs, paired, "workforce_replications", "pool", MONTHLY)
