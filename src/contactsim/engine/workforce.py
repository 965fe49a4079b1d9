"""The workforce pipeline: a pool's people, day by day, over the months of a run (DESIGN §11).

On the start date a pool has ``headcount`` trained people in post. Each month some leave: of the
people in post at the start of a month, each leaves in it with probability
``1 - (1 - attrition) ** (1/12)`` (a part month: its share of the month), so after ``m`` whole
months the headcount has mean ``headcount x (1 - attrition) ** (m/12)``; each leaver goes on a
day drawn uniformly from the month's days and is gone from that day on. Recruits start on their
course's date (an intake dated in a ``no_courses`` month moves to the first day of the next
allowed month), in post and paid from that day, leaving at the same rate from the next month
on. After ``training_weeks`` (7 x weeks days, rounded) they join the roster; for ``ramp_weeks``
more their handle time is ``ramp_factor`` times the usual on their first day, falling linearly
to 1 (the factor of a day is its value at midday).

:func:`draw_pipeline` draws one replication's pipeline, each group of people (the first ones,
each course) from a random stream of its own (leavers are the only randomness);
:func:`expected_pipeline` gives the mean of the same arithmetic with no randomness (the expected
leavers of a month spread evenly over its days), for screening plans analytically. Both return
a :class:`Pipeline`, day by day over the measured days (day 0 is ``run.start_date``);
:meth:`Pipeline.monthly` sums it up by month. The engine reads it through
:class:`contactsim.engine.staffing.Staffing`.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from contactsim.config.spec import IntakeSpec, WorkforceSpec

#: The columns of workforce.csv, in order: stocks at the month's end, then the month's flows.
STOCKS = ("headcount", "training", "ramping", "available")
FLOWS = ("leavers", "joiners")
MONTHLY = (*STOCKS, *FLOWS)

#: How the leavers of one group in one month are placed on days: ``(group, at risk, chance
#: each leaves, first day, end day) -> leavers on each day of [first, end)``.
Leave = Callable[["Group", float, float, int, int], np.ndarray]


def course_start(intake: IntakeSpec, no_courses: tuple[int, ...]) -> datetime.date:
    """The day a course starts: its date, or, in a ``no_courses`` month, the first day of the
    next allowed month."""
    day = intake.date
    for _ in range(12):
        if day.month not in no_courses:
            return day
        day = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    raise ValueError("no_courses names every month")  # refused when the scenario is read


def moved_intakes(spec: WorkforceSpec) -> list[tuple[IntakeSpec, datetime.date]]:
    """The intakes a ``no_courses`` month moves, with the day each now starts."""
    return [(i, course_start(i, spec.no_courses)) for i in spec.intakes
            if course_start(i, spec.no_courses) != i.date]


def training_days(spec: WorkforceSpec) -> int:
    return round(7 * spec.training_weeks)


def ramp_days(spec: WorkforceSpec) -> int:
    return round(7 * spec.ramp_weeks)


@dataclass(frozen=True)
class Group:
    """People who started together: the headcount on the start date, or one course."""

    start: int  # the day they are in post from (0: the start date)
    people: int
    joins: int  # the day they join the roster
    ramped: int  # the day their ramp-up is over
    #: The group's own name for its random stream: ``start`` (the first people), or
    #: ``course:DAY:K`` (the K-th course starting on day DAY).
    key: str = "start"


def groups(spec: WorkforceSpec, start_date: datetime.date) -> list[Group]:
    """The headcount, then each course in order of its start (moved by ``no_courses``)."""
    train, ramp = training_days(spec), ramp_days(spec)
    out = [Group(0, spec.headcount, 0, 0)]
    starts = sorted(((course_start(i, spec.no_courses) - start_date).days, i.people)
                    for i in spec.intakes)
    for s, n in starts:
        same_day = sum(g.start == s for g in out[1:])
        out.append(Group(s, n, s + train, s + train + ramp, f"course:{s}:{same_day}"))
    return out


def month_spans(start_date: datetime.date, n_days: int) -> list[tuple[int, int, float]]:
    """``(first day, end day, share of its month)`` of each calendar month the days touch."""
    out = []
    a = 0
    while a < n_days:
        day = start_date + datetime.timedelta(days=a)
        length = calendar.monthrange(day.year, day.month)[1]
        b = min(n_days, a + length - day.day + 1)
        out.append((a, b, (b - a) / length))
        a = b
    return out


@dataclass(frozen=True)
class Pipeline:
    """One pool's people on each measured day (floats: the expected pipeline is fractional).

    A leaver is gone on the day they leave; a recruit counts from the course's first day.
    ``handle_factor`` is the mean handle-time multiplier over the people available that day
    (1 with nobody ramping or nobody available).
    """

    headcount: np.ndarray  # in post: training + available
    training: np.ndarray  # in post, not yet on the roster
    ramping: np.ndarray  # on the roster, still slower
    available: np.ndarray  # on the roster (ramping included)
    leavers: np.ndarray  # leaving on the day
    joiners: np.ndarray  # recruits starting on the day
    handle_factor: np.ndarray

    def monthly(self, month: np.ndarray, n_months: int) -> dict[str, np.ndarray]:
        """By month (``month[d]`` is day d's month index): stocks on the month's last day,
        flows summed over its days."""
        last = np.zeros(n_months, dtype=np.int64)
        np.maximum.at(last, month, np.arange(len(month)))  # each month's last day
        out = {name: getattr(self, name)[last].astype(float) for name in STOCKS}
        out.update({name: np.bincount(month, weights=getattr(self, name),
                                      minlength=n_months) for name in FLOWS})
        return out


def draw_pipeline(spec: WorkforceSpec, start_date: datetime.date, n_days: int,
                  stream: Callable[[str], np.random.Generator]) -> Pipeline:
    """One replication's pipeline: each group's leavers of each month (binomial count, then a
    uniform day each), months in order, drawn from the group's own stream ``stream(key)``
    (:attr:`Group.key`). A group's own stream keeps the first people's leavers the same
    whatever courses a plan adds or resizes (common random numbers for ``recruit``)."""
    rngs: dict[str, np.random.Generator] = {}

    def leave(group: Group, at_risk: float, chance: float, a: int, b: int) -> np.ndarray:
        rng = rngs.get(group.key) or rngs.setdefault(group.key, stream(group.key))
        count = int(rng.binomial(round(at_risk), chance))
        return np.bincount(rng.integers(a, b, size=count) - a, minlength=b - a).astype(float)

    return _pipeline(spec, start_date, n_days, leave)


def expected_pipeline(spec: WorkforceSpec, start_date: datetime.date,
                      n_days: int) -> Pipeline:
    """The mean pipeline, with no randomness: each month's expected leavers spread evenly
    over its days."""
    def leave(group: Group, at_risk: float, chance: float, a: int, b: int) -> np.ndarray:
        return np.full(b - a, at_risk * chance / (b - a))

    return _pipeline(spec, start_date, n_days, leave)


def _pipeline(spec: WorkforceSpec, start_date: datetime.date, n_days: int,
              leave: Leave) -> Pipeline:
    found = groups(spec, start_date)
    gone = np.zeros((len(found), n_days))  # leavers of each group on each day
    for a, b, share in month_spans(start_date, n_days):
        chance = 1.0 - (1.0 - spec.attrition) ** (share / 12)
        for g, group in enumerate(found):
            if group.start <= a and chance > 0:
                at_risk = group.people - gone[g, :a].sum()
                gone[g, a:b] = leave(group, at_risk, chance, a, b)
    days = np.arange(n_days)
    alive = np.array([np.where(days >= g.start, g.people, 0) for g in found]) - gone.cumsum(1)
    starts = np.array([[g.start] for g in found])
    joins = np.array([[g.joins] for g in found])
    ramped = np.array([[g.ramped] for g in found])
    training = np.where((days >= starts) & (days < joins), alive, 0.0).sum(0)
    on_ramp = (days >= joins) & (days < ramped)
    ramping = np.where(on_ramp, alive, 0.0).sum(0)
    headcount = alive.sum(0)
    available = headcount - training
    span = np.maximum(ramped - joins, 1)
    extra = (spec.ramp_factor - 1.0) * (1.0 - (days - joins + 0.5) / span)
    slow = available + np.where(on_ramp, alive * extra, 0.0).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(available > 0, slow / available, 1.0)
    joiners = np.zeros(n_days)
    for course in found[1:]:
        if course.start < n_days:
            joiners[course.start] += course.people
    return Pipeline(headcount, training, ramping, available, gone.sum(0), joiners, factor)
