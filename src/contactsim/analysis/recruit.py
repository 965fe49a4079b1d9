"""Recruiting: how many recruits, on which courses, so every month meets the target.

The planner's question is "we lose people every month and a recruit takes months to become a
call handler: how many must we recruit, and when, to answer 90% of 999 calls within 10 s in
every month of the year?". A pool with a workforce table (DESIGN §11) answers it here. Courses
may start on the first day of each allowed month within the run (``course_months``, by default
every month the pool's ``no_courses`` leaves open); a *plan* is the people on each. The plan's
intakes replace the scenario's own; "no recruiting" is the same scenario with none.

**The answer.** The plan with the fewest recruits, then the fewest recruit-days paid over the run
(a later course costs less), under which the channel's service level meets the target in every
month: the month's mean over replications at least the target, as ``monthly.csv`` reports it.
Where none does (no course's recruits reach the roster in time for some months, or
``max_intake`` caps the courses: by default at the headcount the roster describes), the plan
that misses the fewest months, then the smallest; the answer says which months miss and why.
The answer is facts (:class:`RecruitPlan`: the months each plan misses, those no course can
reach, whether the search stopped early, which months are met only on the mean); the words a
planner reads are :mod:`contactsim.present.recruit_report`'s.

**How it is found.** First the formulas (:mod:`~contactsim.analysis.recruit_screen`): the people
each month needs by Erlang A, and a plan found greedily month by month. Then the simulation, with
common random numbers (the same seed, so the same callers, for every plan): no recruiting first,
whose monthly service levels correct the formula month by month; then the screen's plan, and
again with the correction learnt from it; when a plan meets every month it can, the screen's best
plan with one recruit fewer, to be sure it is the smallest. Every plan simulated is kept with its
figures, and the answer is the best of them, so what it says of each month is what the
simulation found, and ``contactsim run`` on ``suggested.toml`` (same seed) finds it again.
Leavers are drawn per replication, each group of people from its own stream (see
:func:`contactsim.engine.workforce.draw_pipeline`), so plans share their callers, handle times
and the leavers of the people they have in common.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from contactsim.analysis.daily import grouped, period_measures
from contactsim.analysis.experiment import Experiment, run_experiment
from contactsim.analysis.measures import measure_estimate
from contactsim.analysis.recruit_screen import (
    Calibration,
    Intakes,
    People,
    Screen,
    course_dates,
    greedy_plan,
)
from contactsim.analysis.stats import Estimate
from contactsim.config.loading import with_changes
from contactsim.config.spec import MONTH_NAMES, Scenario
from contactsim.standard import TARGET_SL

#: Plans simulated at most (no recruiting included).
MAX_SIMULATIONS = 8
#: Recruits in all at most, as a multiple of the headcount the roster describes.
MOST_RECRUITS = 10

#: The parts of a request a RecruitInputError can blame (the names of RecruitRequest's fields).
Field = Literal["channel", "pool", "course_months"]


class RecruitInputError(ValueError):
    """A request the scenario cannot answer, worded about the values; ``field`` names the part
    of the :class:`RecruitRequest` at fault (the command line names its option)."""

    def __init__(self, field: Field, message: str) -> None:
        super().__init__(message)
        self.field: Field = field


@dataclass(frozen=True)
class RecruitRequest:
    """What the planner asked: a scenario, a pool, a channel, its target and the courses."""

    file: str
    channel: str
    pool: str
    target: float = TARGET_SL
    course_months: tuple[int, ...] | None = None  # 1 = January; None: every open month
    max_intake: int | None = None  # people on one course at most; None: roster_for
    max_simulations: int = MAX_SIMULATIONS
    overrides: tuple[str, ...] = ()
    workers: int | None = None
    dask: str | None = None


@dataclass(frozen=True)
class Trial:
    """A plan, simulated: each month's service level and the people it gives."""

    intakes: Intakes
    service_level: list[Estimate]  # by month
    people: People

    @property
    def recruits(self) -> int:
        return sum(self.intakes)

    def missed(self, target: float) -> list[int]:
        return [m for m, e in enumerate(self.service_level) if not e.mean >= target]

    def rank(self, target: float) -> tuple[int, int, float]:
        return len(self.missed(target)), self.recruits, self.people.recruit_days


@dataclass
class RecruitPlan:
    """The answer: the months, the courses, every plan simulated and the one chosen."""

    request: RecruitRequest
    scenario: Scenario
    pool: str
    months: list[str]  # "2025-06"
    dates: list[datetime.date]  # the allowed course dates
    trials: list[Trial]  # every plan simulated, in order; the first recruits nobody
    unhelped: list[int]  # months no course's recruits reach the roster by
    cap: int  # people on one course at most
    #: The scenario had intakes of its own for the pool, which each plan replaced.
    replaced_intakes: bool = False
    #: The search reached ``max_simulations`` before it was done: a smaller plan may exist.
    stopped: bool = False

    @property
    def target(self) -> float:
        return self.request.target

    @property
    def chosen(self) -> Trial:
        return min(self.trials, key=lambda t: t.rank(self.target))

    @property
    def none(self) -> Trial:
        return self.trials[0]

    @property
    def meets_every_month(self) -> bool:
        return not self.chosen.missed(self.target)

    def unsure(self) -> list[int]:
        """Months the chosen plan meets on the mean whose 95% interval reaches below the
        target (more replications would make sure)."""
        return [m for m, e in enumerate(self.chosen.service_level)
                if e.mean >= self.target and e.ci_low < self.target]

    def intakes(self, trial: Trial) -> list[tuple[datetime.date, int]]:
        return [(d, n) for d, n in zip(self.dates, trial.intakes, strict=True) if n]


# --- the question -------------------------------------------------------------------------


def check_request(sc: Scenario, request: RecruitRequest) -> list[datetime.date]:
    """The allowed course dates, once the request is known to fit the scenario (else
    RecruitInputError)."""
    channel, pool = request.channel, request.pool
    if channel not in sc.channels:
        raise RecruitInputError("channel", f"unknown channel {channel!r}; the scenario's "
                                f"channels are: {', '.join(sc.channels)}")
    if pool not in sc.pools:
        raise RecruitInputError("pool", f"unknown pool {pool!r}; the scenario's pools are: "
                                f"{', '.join(sc.pools)}")
    spec = sc.pools[pool]
    if channel not in spec.skills:
        raise RecruitInputError("pool", f"pool {pool!r} does not answer {channel!r}")
    wf, cal = spec.workforce, sc.calendar
    if wf is None or cal is None:
        with_wf = [p.name for p in sc.pools.values() if p.workforce is not None]
        raise RecruitInputError("pool", f"pool {pool!r} has no workforce table "
                                f"([pools.{pool}.workforce]), so its people do not change "
                                f"over months; pools with one: {', '.join(with_wf) or 'none'}")
    months = request.course_months or tuple(m for m in range(1, 13) if m not in wf.no_courses)
    closed = [MONTH_NAMES[m - 1] for m in months if m in wf.no_courses]
    if closed:
        raise RecruitInputError("course_months", f"{', '.join(closed)}: no course starts then "
                                f"(pools.{pool}.workforce.no_courses)")
    dates = course_dates(cal.start_date, math.ceil(sc.run.days), months)
    if not dates:
        raise RecruitInputError("course_months", "no allowed month starts within the run "
                                f"({cal.start_date} and {sc.run.days:g} days on)")
    return dates


# --- simulating a plan --------------------------------------------------------------------


def monthly_levels(exp: Experiment, channel: str, screen: Screen) -> list[Estimate]:
    """Each month's service level over the replications, as monthly.csv reports it."""
    n = len(screen.months.labels)
    per_rep = []
    for rep in exp.replications:
        assert rep.daily is not None  # a dated run keeps its days
        sums = grouped(rep.daily[channel], screen.months.of_day, n)
        per_rep.append(period_measures(sums)["service_level"])
    return [measure_estimate((float(v[m]) for v in per_rep), "service_level")
            for m in range(n)]


class Simulator:
    """Runs the scenario with a plan's intakes, always with the same seed."""

    def __init__(self, request: RecruitRequest, sc: Scenario, pool: str, screen: Screen,
                 log: Callable[[str], None]) -> None:
        self.request, self.sc, self.pool, self.screen, self.log = request, sc, pool, screen, log

    def scenario(self, plan: Intakes) -> Scenario:
        intakes = [{"date": d.isoformat(), "people": n} for d, n in
                   zip(self.screen.dates, plan, strict=True) if n]
        return with_changes(self.sc, {("pools", self.pool, "workforce", "intakes"): intakes})

    def __call__(self, plan: Intakes) -> Trial:
        words = ", ".join(f"{n} on {d:%b %Y}" for d, n in zip(self.screen.dates, plan,
                                                              strict=True) if n)
        self.log(f"simulating {sum(plan)} recruits" + (f" ({words})" if words else ""))
        exp = run_experiment(self.scenario(plan), workers=self.request.workers,
                             dask=self.request.dask)
        return Trial(plan, monthly_levels(exp, self.request.channel, self.screen),
                     self.screen.people(plan))


# --- the search ---------------------------------------------------------------------------


@dataclass
class Search:
    """The search's state: the screen, what the simulation taught it, the plans tried."""

    screen: Screen
    calibration: Calibration
    cap: int | None
    limit: int
    trials: list[Trial] = field(default_factory=list)
    extra: np.ndarray = field(default_factory=lambda: np.zeros(0))
    settled: set[Intakes] = field(default_factory=set)  # plans whose one-fewer failed
    given_up: set[int] = field(default_factory=set)  # months no plan the screen offers meets
    reductions: dict[Intakes, int] = field(default_factory=dict)  # smaller plans: by how much
    step: int = 1  # recruits the next smaller plan takes away

    @property
    def target(self) -> float:
        return self.calibration.target

    def best(self) -> Trial:
        return min(self.trials, key=lambda t: t.rank(self.target))

    def learn(self, trial: Trial) -> None:
        best = self.best() if self.trials else None
        self.trials.append(trial)
        self.calibration.learn(self.screen, trial.people.effective,
                               np.array([e.mean for e in trial.service_level]))
        step = self.reductions.get(trial.intakes)
        if best is None or step is None:
            return
        if trial.rank(self.target) < best.rank(self.target):
            self.step = step * 2  # smaller and as good: take bigger steps down
            return
        if step == 1:
            self.settled.add(best.intakes)  # one fewer fails: the best is the smallest
        self.step = 1

    def needed(self) -> np.ndarray:
        """Effective people each month needs, as the screen now sees it; none in the months
        the search has given up on."""
        out = self.calibration.needed(self.screen, self.extra)
        out[sorted(self.given_up)] = -math.inf
        return out

    def screened(self) -> Intakes:
        return greedy_plan(self.screen, self.needed(), self.cap, self.limit)[0]

    def propose(self, helpable: set[int]) -> Intakes | None:
        """The next plan to simulate, or None when the search is done.

        The screen's plan, if new. Else, while the best plan simulated misses months a course
        could reach, the screen is asked for more people there (half a person at a time); if
        it has nothing new to offer, those months are given up (they count as misses) and the
        search turns to making the best plan smaller, a recruit at a time, until one fewer
        fails (taking bigger steps while smaller plans keep as good).
        """
        tried = {t.intakes for t in self.trials}
        plan = self.screened()
        if plan not in tried:
            return plan
        best = self.best()
        short = [m for m in best.missed(self.target) if m in helpable - self.given_up]
        for _ in range(20):  # the screen repeats itself: ask it for more where still short
            if not short:
                break
            self.extra[short] += 0.5
            plan = self.screened()
            if plan not in tried:
                return plan
        self.given_up.update(short)
        if best.intakes in self.settled:
            return None
        return self.one_fewer(best, tried)

    def one_fewer(self, best: Trial, tried: set[Intakes]) -> Intakes | None:
        """The best plan less ``step`` recruits (one, doubling while smaller plans keep as
        good), each taken from the course the screen then misses least; one fewer when that
        was tried."""
        for step in dict.fromkeys((self.step, 1)):
            plan: Intakes | None = best.intakes
            for _ in range(step):
                plan = self._less_one(plan) if plan is not None else None
            if plan is not None and plan not in tried:
                self.reductions[plan] = step
                return plan
        self.settled.add(best.intakes)
        return None

    def _less_one(self, plan: Intakes) -> Intakes | None:
        needed = self.needed()
        options = []
        for j, n in enumerate(plan):
            if n == 0:
                continue
            fewer = tuple(x - (k == j) for k, x in enumerate(plan))
            margin = self.screen.people(fewer).effective - needed
            options.append((float(np.min(np.where(np.isfinite(margin), margin, np.inf))), j,
                            fewer))
        return max(options)[2] if options else None


def helped_months(screen: Screen, limit: int) -> set[int]:
    """Months some course's recruits can reach: a full plan gives more people than none."""
    full = screen.people((limit,) * len(screen.dates)).effective
    none = screen.people((0,) * len(screen.dates)).effective
    return {m for m in range(len(full)) if full[m] > none[m] + 1e-9}


def recruit(request: RecruitRequest, sc: Scenario,
            log: Callable[[str], None] = lambda _: None) -> RecruitPlan:
    """Answer the request for the scenario ``sc`` (loaded from ``request.file`` with
    ``request.overrides``): every plan simulated, the best of them chosen."""
    dates = check_request(sc, request)
    pool = request.pool
    wf = sc.pools[pool].workforce
    assert wf is not None
    screen = Screen(sc, pool, request.channel, dates)
    limit = MOST_RECRUITS * wf.roster_for
    cap = request.max_intake or wf.roster_for
    search = Search(screen, Calibration(request.target), cap, limit,
                    extra=np.zeros(len(screen.months.labels)))
    simulate = Simulator(request, sc, pool, screen, log)
    helpable = helped_months(screen, cap)
    search.learn(simulate((0,) * len(dates)))
    while (plan := search.propose(helpable)) is not None:
        if len(search.trials) >= request.max_simulations:
            break
        search.learn(simulate(plan))
    unhelped = [m for m in range(len(screen.months.labels)) if m not in helpable]
    return RecruitPlan(request, sc, pool, screen.months.labels, dates, search.trials,
                       unhelped, cap, replaced_intakes=wf.intakes != (),
                       stopped=plan is not None)
