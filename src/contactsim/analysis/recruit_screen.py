"""The analytic screen of ``contactsim recruit``: people available by month, and the people each
month needs, from the formulas (see :mod:`contactsim.analysis.recruit`).

**People by month.** A plan (people on the course of each allowed month) gives, through
:func:`~contactsim.engine.workforce.expected_pipeline`, the mean people on the roster each day.
The screen counts *effective* people: those available divided by the day's ramp factor (a
recruit still ramping up handles calls more slowly, so counts as less than one), averaged over
the month's measured days.

**People a month needs.** With ``e`` effective people the roster's staff numbers are scaled by
``e / roster_for`` (as the engine does), times the share of rostered time a person is answering
(absence and breaks, from the roster itself). The channel's calls of each hour of the week, times
the month's seasonal weight, meet those staff less the hour's work from the pool's other channels
(their offered hours of work: lower-priority calls still hold handlers), and Erlang A (Erlang C
for callers who never hang up) gives the hour's service level; the month's is the hours' levels
weighted by their calls. Fractional staff are interpolated between whole numbers.

**Calibration.** The formula does not see priorities, shift edges, absences drawn per shift or
callers ringing back, so each month's simulated service level is used to correct it: the offset,
in effective people, between what the plan had and what the formula says gives the simulated
level (``offset``). A month the simulation does not inform (every call answered in time) takes
the median offset of the months it does.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from dataclasses import dataclass

import numpy as np

from contactsim.analysis.erlang import evaluate
from contactsim.analysis.warnings import mean_work_s, weekly_staff_hours
from contactsim.analysis.workforce import months as measured_months
from contactsim.config.spec import IntakeSpec, Scenario, WorkforceSpec
from contactsim.engine.arrivals import offered_rates
from contactsim.engine.roster import rostered_by_hour
from contactsim.engine.workforce import Pipeline, expected_pipeline

#: A plan: people on each allowed course, in the order of the course dates.
Intakes = tuple[int, ...]
#: Service levels the simulation gives that say nothing about the formula's offset.
INFORMATIVE = (0.02, 0.995)
#: The share of the slope between two simulated plans, both short of the target, taken when
#: reading onward to it (the level flattens as it rises).
UPWARD_SLOPE = 0.75
#: How finely the people a month needs is found (effective people).
PEOPLE_STEP = 0.01


@dataclass(frozen=True)
class Months:
    """The calendar months a run measures: their labels ("2025-06") and each day's month."""

    labels: list[str]
    of_day: np.ndarray  # measured day -> month index
    numbers: list[int]  # 1 = January


def run_months(sc: Scenario) -> Months:
    names, of_day = measured_months(sc)  # a workforce needs run.start_date, so sc has a calendar
    return Months(names, of_day, [int(m[5:7]) for m in names])


def course_dates(start: datetime.date, n_days: int, months: tuple[int, ...]) -> list[datetime.date]:
    """The first day of each allowed month within the run (the start date itself when the run
    starts in an allowed month after its first day)."""
    out = []
    for k in range(n_days):
        day = start + datetime.timedelta(days=k)
        if day.month in months and (day.day == 1 or k == 0):
            out.append(day)
    return out


@dataclass(frozen=True)
class People:
    """What a plan gives by month: the mean people available and effective (ramp counted)."""

    available: np.ndarray
    effective: np.ndarray
    recruit_days: float  # recruits' days in post over the run (what they are paid for)


class Screen:
    """The formulas' view of one pool and channel over the run's months."""

    def __init__(self, sc: Scenario, pool: str, channel: str,
                 dates: list[datetime.date]) -> None:
        spec = sc.pools[pool]
        assert spec.workforce is not None
        assert sc.calendar is not None
        self.workforce: WorkforceSpec = spec.workforce
        self.start = sc.calendar.start_date
        self.months = run_months(sc)
        self.n_days = len(self.months.of_day)
        self.dates = dates
        cal_weights = sc.calendar.monthly
        ch = sc.channels[channel]
        self.weights = np.array([(ch.monthly or cal_weights)[m - 1] for m in self.months.numbers])
        self.rates = offered_rates(sc, channel)
        self.handle_s = mean_work_s(sc, channel)
        self.wait_s = max(0.0, ch.answer_target_s - ch.connect_s.mean)
        self.patience_s = ch.patience.mean if ch.patience is not None else None
        rostered = rostered_by_hour(spec)
        share = weekly_staff_hours(sc, pool) / max(float(rostered.sum()), 1e-9)
        self.per_person = rostered * share / self.workforce.roster_for  # on duty, per person
        self.other = np.zeros((len(self.months.labels), len(self.rates)))  # Erlangs by month
        for name in spec.skills:
            other = sc.channels[name]
            if name == channel:
                continue
            answering = sum(name in p.skills for p in sc.pools.values())
            w = np.array([(other.monthly or cal_weights)[m - 1] for m in self.months.numbers])
            load = offered_rates(sc, name) * mean_work_s(sc, name) / 3600 / answering
            self.other += w[:, None] * load[None, :]
        self._sl: dict[tuple[int, int, int], float] = {}
        self._people: dict[Intakes, People] = {}
        self._base = self.pipeline((0,) * len(dates)).headcount

    # --- people -------------------------------------------------------------------------

    def intakes(self, plan: Intakes) -> tuple[IntakeSpec, ...]:
        return tuple(IntakeSpec(d, n) for d, n in zip(self.dates, plan, strict=True) if n)

    def pipeline(self, plan: Intakes) -> Pipeline:
        spec = dataclasses.replace(self.workforce, intakes=self.intakes(plan))
        return expected_pipeline(spec, self.start, self.n_days)

    def people(self, plan: Intakes) -> People:
        if plan not in self._people:
            self._people[plan] = self._count(plan)
        return self._people[plan]

    def _count(self, plan: Intakes) -> People:
        pipe = self.pipeline(plan)
        count = np.bincount(self.months.of_day, minlength=len(self.months.labels))

        def by_month(x: np.ndarray) -> np.ndarray:
            return np.bincount(self.months.of_day, weights=x,
                               minlength=len(self.months.labels)) / count

        return People(by_month(pipe.available), by_month(pipe.available / pipe.handle_factor),
                      float((pipe.headcount - self._base).sum()))

    # --- service level ------------------------------------------------------------------

    def _hour_sl(self, month: int, hour: int, agents: int) -> float:
        key = (month, hour, agents)
        if key not in self._sl:
            rate = float(self.rates[hour] * self.weights[month])
            self._sl[key] = 0.0 if agents <= 0 else evaluate(
                rate, self.handle_s, agents, self.wait_s, self.patience_s).service_level
        return self._sl[key]

    def service_level(self, month: int, effective: float) -> float:
        """The formula's service level of the month with ``effective`` people."""
        on_duty = np.maximum(self.per_person * effective - self.other[month], 0.0)
        total = weighted = 0.0
        for hour, rate in enumerate(self.rates):
            if rate <= 0:
                continue
            low = math.floor(on_duty[hour])
            frac = on_duty[hour] - low
            sl = (1 - frac) * self._hour_sl(month, hour, low)
            if frac > 0:
                sl += frac * self._hour_sl(month, hour, low + 1)
            total += rate
            weighted += rate * sl
        return weighted / total if total > 0 else 1.0

    def people_for(self, month: int, level: float) -> float | None:
        """The fewest effective people whose formula service level reaches ``level`` (None
        beyond ten times ``roster_for``)."""
        low, high = 0.0, float(self.workforce.roster_for)
        while self.service_level(month, high) < level:
            low, high = high, high * 2
            if high > 10 * self.workforce.roster_for:
                return None
        while high - low > PEOPLE_STEP:
            mid = (low + high) / 2
            low, high = (mid, high) if self.service_level(month, mid) < level else (low, mid)
        return high


@dataclass
class Calibration:
    """Per month, what the simulated plans say of the people it needs for the target.

    Each month keeps every simulated plan's (effective people, service level). The formula's
    offset comes from the plan whose level was nearest the target. Where plans fall on both
    sides of the target, the need is read between the nearest two; where two or more plans
    (a person or more apart) fall on one side, the line through the nearest two is followed
    too (upward at :data:`UPWARD_SLOPE` of its slope), and the larger of that and the corrected
    formula is taken (the simulation gains less from a person than the formula, since extra
    staff also answer the pool's other channels).
    """

    target: float
    offsets: dict[int, tuple[float, float]] = dataclasses.field(default_factory=dict)
    points: dict[int, list[tuple[float, float]]] = dataclasses.field(default_factory=dict)

    def learn(self, screen: Screen, effective: np.ndarray, simulated: np.ndarray) -> None:
        for m, (e, s) in enumerate(zip(effective, simulated, strict=True)):
            if not INFORMATIVE[0] < s < INFORMATIVE[1]:
                continue
            self.points.setdefault(m, []).append((float(e), float(s)))
            known = self.offsets.get(m)
            if known is not None and abs(known[1] - self.target) <= abs(s - self.target):
                continue
            formula = screen.people_for(m, float(s))
            if formula is not None:
                self.offsets[m] = (float(e) - formula, float(s))

    def offset(self, month: int) -> float:
        if month in self.offsets:
            return self.offsets[month][0]
        known = [o for o, _ in self.offsets.values()]
        return float(np.median(known)) if known else 0.0

    def between(self, month: int) -> tuple[float | None, bool]:
        """The need read from the simulated plans alone, and whether they straddle the
        target (None where they cannot say)."""
        points = self.points.get(month, [])
        below = [p for p in points if p[1] < self.target]
        above = [p for p in points if p[1] >= self.target]
        if below and above:
            (e0, s0), (e1, s1) = max(below, key=lambda p: p[1]), min(above, key=lambda p: p[1])
            if e1 > e0 and s1 > s0:
                return e0 + (self.target - s0) * (e1 - e0) / (s1 - s0), True
            return e1, True
        near = sorted(points, key=lambda p: abs(p[1] - self.target))
        for e1, s1 in near[1:]:
            e0, s0 = near[0]
            slope = (s1 - s0) / (e1 - e0) if abs(e1 - e0) >= 1 else 0.0
            if slope > 0:
                # Upward, the level gains less from each person the nearer it is to the target:
                # a gentler slope steps past it, so the next plan straddles it.
                slope *= UPWARD_SLOPE if s0 < self.target else 1.0
                return e0 + (self.target - s0) / slope, False
        return None, False

    def needed(self, screen: Screen, extra: np.ndarray) -> np.ndarray:
        """Effective people each month needs for the target (inf where the formula cannot
        reach it), from the simulated plans and the corrected formula, plus ``extra`` people
        the search has added."""
        out = np.full(len(screen.months.labels), math.inf)
        for m in range(len(out)):
            read, straddle = self.between(m)
            formula = screen.people_for(m, self.target)
            if straddle and read is not None:
                out[m] = read + extra[m]
            elif formula is not None:
                out[m] = max(formula + self.offset(m), read or 0.0) + extra[m]
        return out


def greedy_plan(screen: Screen, needed: np.ndarray, cap: int | None,
                limit: int) -> tuple[Intakes, list[int]]:
    """The smallest plan the screen finds for ``needed``, and the months it cannot reach.

    Months in order; while a month falls short, one more recruit goes on the course that adds
    the most effective people to it (the latest course among equals, so fewer days are paid).
    A month that even full courses (``cap`` each, ``limit`` recruits in all) cannot lift is left
    to miss, and costs no recruits.
    """
    plan = [0] * len(screen.dates)
    unreachable: list[int] = []
    for m in range(len(needed)):
        have = screen.people(tuple(plan)).effective[m]
        if have >= needed[m]:
            continue
        full = [cap if cap is not None else max(p, limit) for p in plan]
        if not math.isfinite(needed[m]) or screen.people(tuple(full)).effective[m] < needed[m]:
            unreachable.append(m)
            continue
        while have < needed[m] and sum(plan) < limit:
            gains = []
            for j in range(len(plan)):
                if cap is not None and plan[j] >= cap:
                    continue
                trial = plan.copy()
                trial[j] += 1
                gains.append((screen.people(tuple(trial)).effective[m] - have, j))
            gain, best = max(gains)
            if gain <= 1e-9:
                break
            plan[best] += 1
            have += gain
    return tuple(plan), unreachable
