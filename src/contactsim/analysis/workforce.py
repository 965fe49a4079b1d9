"""People and money over months: one replication's workforce by month, and a year's cost.

With ``[pools.NAME.workforce]`` (DESIGN §11) each replication draws its own leavers, so its
people by month differ from the next one's; the month's figures are the pipeline's
(:mod:`contactsim.engine.workforce`): stocks on the month's last day (``headcount``,
``training``, ``ramping``, ``available``), flows over its days (``leavers``; ``joiners``,
recruits starting their course, in post and paid from that day).

A year's cost, in pounds, for a scenario that gives any price (a pool's ``cost_per_hour``, a
workforce's ``cost_per_recruit``), with its parts:

- ``staff``: the pool's staff hours on duty in the measured window x ``cost_per_hour``;
- ``training``: recruits' paid hours in training x ``cost_per_hour``, a day in training paid as
  many hours as the pool's average person on the roster was on duty that run (its staff hours
  over its available person-days);
- ``recruits``: recruits whose course starts within a year of ``run.start_date`` x
  ``cost_per_recruit`` (the plan's recruits, however long the run).

The hours are scaled from the measured days to a year (x 365 / days), so a 28-day run and a
year's run state the same kind of figure; ``total`` is their sum. Without any price there is no
cost at all: a scenario that says nothing about money is told nothing about it.
"""

from __future__ import annotations

import datetime
import math

import numpy as np

from contactsim.analysis.daily import month_groups
from contactsim.calendar import month_labels, simulated_days
from contactsim.config.spec import PoolSpec, Scenario
from contactsim.engine.roster import rostered_by_hour
from contactsim.engine.workforce import Pipeline, course_start

#: A year's cost, in the order of summary.json and cost.csv.
COST_PARTS = ("total", "staff", "training", "recruits")
YEAR_DAYS = 365

Months = dict[str, dict[str, np.ndarray]]  # pool -> MONTHLY measure -> one value a month


def has_workforce(scenario: Scenario) -> bool:
    return scenario.calendar is not None and any(
        p.workforce is not None for p in scenario.pools.values())


def is_costed(scenario: Scenario) -> bool:
    """Whether the scenario prices anything (then, and only then, it has a cost)."""
    return any(p.cost_per_hour is not None or (
        p.workforce is not None and p.workforce.cost_per_recruit is not None)
        for p in scenario.pools.values())


def months(scenario: Scenario) -> tuple[list[str], np.ndarray]:
    """The measured months ("2025-06") and each measured day's index among them."""
    cal = scenario.calendar
    assert cal is not None
    return month_groups(month_labels(cal, simulated_days(cal, scenario.run.days))
                        [cal.warmup_days:])


def workforce_months(scenario: Scenario, pipelines: dict[str, Pipeline] | None) -> Months | None:
    """Per pool with a workforce, the MONTHLY measures month by month."""
    if not pipelines:
        return None
    names, groups = months(scenario)
    return {pool: pipe.monthly(groups, len(names)) for pool, pipe in pipelines.items()}


def recruits_within(pool: PoolSpec, first: datetime.date, days: int) -> int:
    """Recruits whose course (moved by ``no_courses``) starts in ``[first, first + days)``."""
    wf = pool.workforce
    if wf is None:
        return 0
    last = first + datetime.timedelta(days=days)
    return sum(i.people for i in wf.intakes if first <= course_start(i, wf.no_courses) < last)


def _hours_per_person_day(pool: PoolSpec, staff_hours: float, pipe: Pipeline) -> float:
    """Hours on duty per person-day on the roster: the run's own figure, or (nobody on the
    roster all run) the roster's hours a week over the people it is written for."""
    person_days = float(pipe.available.sum())
    if person_days > 0:
        return staff_hours / person_days
    assert pool.workforce is not None
    return float(rostered_by_hour(pool).sum()) / pool.workforce.roster_for / 7


def replication_cost(scenario: Scenario, staff_hours: dict[str, float],
                     pipelines: dict[str, Pipeline] | None) -> dict[str, float] | None:
    """A year's cost of one replication by part (``COST_PARTS``), or None when unpriced.

    ``staff_hours``: each pool's staff hours on duty over the measured days.
    """
    if not is_costed(scenario):
        return None
    year = YEAR_DAYS / scenario.run.days
    parts = dict.fromkeys(COST_PARTS, 0.0)
    for name, pool in scenario.pools.items():
        rate = pool.cost_per_hour or 0.0
        parts["staff"] += staff_hours[name] * rate * year
        pipe = (pipelines or {}).get(name)
        if pipe is not None and rate:
            per_day = _hours_per_person_day(pool, staff_hours[name], pipe)
            parts["training"] += float(pipe.training.sum()) * per_day * rate * year
        wf, cal = pool.workforce, scenario.calendar
        if wf is not None and wf.cost_per_recruit and cal is not None:
            parts["recruits"] += wf.cost_per_recruit * recruits_within(pool, cal.start_date,
                                                                       YEAR_DAYS)
    parts["total"] = parts["staff"] + parts["training"] + parts["recruits"]
    return {k: v if math.isfinite(v) else math.nan for k, v in parts.items()}
