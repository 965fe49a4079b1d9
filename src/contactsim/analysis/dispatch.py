"""Dispatch measures: attendance by grade, officer utilisation and chase calls (DESIGN §12).

Over the incidents of measured contacts (each followed until its officer arrives):

- per grade (``immediate``, ``priority``, ``scheduled``): ``attended_within_target``, the
  share of the grade's incidents whose officer arrived within the grade's target of the call's
  answer (those never attended count as failures; absent for a grade with no target), as the
  999 standard's share is; ``mean_arrival_s`` and ``p90_arrival_s`` of the time from answer to
  arrival over attended incidents; ``incidents_per_day``.
- overall: ``officer_utilisation`` (officer time travelling or on scene / officer time on duty,
  in the measured window), ``chase_per_day`` (chase calls arriving in the window, per day),
  ``resolved_per_day`` (deployments resolved without an officer) and ``incidents_waiting``
  (mean incidents waiting for an officer; by hour of the week in dispatch_hourly.csv).

With areas (a ``share`` on every ``[officers.NAME]``) each incident is judged against its own
area's targets (the pool's ``targets``, else those of ``[dispatch]``), so the force-wide
``attended_within_target`` of a grade counts each incident against its area's target (and is
absent when some area has no target for the grade); and each area has the grade measures and
its own ``officer_utilisation``, ``chase_per_day`` (chase calls about its incidents) and
``incidents_waiting`` (:func:`area_measures`; the areas' chase calls and incidents waiting add
up to the force's).
"""

from __future__ import annotations

import math

import numpy as np

from contactsim.config.spec import ATTENDED, DEFAULT_TARGETS, Scenario, has_areas
from contactsim.engine.dispatch import DispatchOutput

#: Measures of each attended grade (summary.json ``dispatch.GRADE``, dispatch.csv).
GRADE_MEASURES = ("attended_within_target", "mean_arrival_s", "p90_arrival_s",
                  "incidents_per_day")
#: Measures of the officers as a whole (summary.json ``dispatch``; dispatch.csv's "all" rows).
OVERALL_MEASURES = ("officer_utilisation", "chase_per_day", "resolved_per_day",
                    "incidents_waiting")
#: An area's overall measures (summary.json ``dispatch.areas.NAME``).
AREA_OVERALL = ("officer_utilisation", "chase_per_day", "incidents_waiting")
#: dispatch.csv's name for the overall rows.
ALL = "all"
#: Dispatch measures that are shares (their intervals are kept within 0 to 1).
SHARES = frozenset({"attended_within_target", "officer_utilisation"})


Targets = tuple[float | None, ...]


def targets(scenario: Scenario) -> Targets:
    """The ``[dispatch]`` targets by attended grade (the defaults without it)."""
    spec = scenario.dispatch.targets if scenario.dispatch is not None else DEFAULT_TARGETS
    return spec.by_grade()


def area_targets(scenario: Scenario) -> dict[str, Targets]:
    """With areas: area -> its targets by grade (its own, else ``[dispatch]``'s); {} without."""
    if not has_areas(scenario.officers):
        return {}
    force = targets(scenario)
    return {name: o.targets.by_grade() if o.targets is not None else force
            for name, o in scenario.officers.items()}


def judged_targets(scenario: Scenario) -> Targets:
    """The force-wide grades' targets: ``[dispatch]``'s. With areas (each incident judged
    against its own area's): for a grade every area has a target for, that target where they
    all share it, else NaN (they differ); None where some area has none."""
    areas = area_targets(scenario)
    if not areas:
        return targets(scenario)
    out: list[float | None] = []
    for g in range(len(ATTENDED)):
        goals = {t[g] for t in areas.values()}
        out.append(None if None in goals else goals.pop() if len(goals) == 1 else math.nan)
    return tuple(out)


def _grade(arrival: np.ndarray, n: float, within: float | None, days: float) -> dict[str, float]:
    """A grade's measures: ``within`` incidents attended within target (None: no target)."""
    return {
        "attended_within_target": within / n if within is not None and n else math.nan,
        "mean_arrival_s": float(arrival.mean()) if len(arrival) else math.nan,
        "p90_arrival_s": float(np.percentile(arrival, 90)) if len(arrival) else math.nan,
        "incidents_per_day": n / days,
    }


def _within(arrival: np.ndarray, target: float | None) -> float | None:
    return float((arrival <= target).sum()) if target is not None else None


def dispatch_measures(scenario: Scenario, out: DispatchOutput,
                      window_s: np.ndarray) -> tuple[dict[str, dict[str, float]], np.ndarray]:
    """(name -> measure -> value, with name a grade or ALL; incidents waiting by hour of week)."""
    days = scenario.run.days
    found: dict[str, dict[str, float]] = {}
    areas = list(area_targets(scenario).values())
    for g, (grade, target) in enumerate(zip(ATTENDED, judged_targets(scenario), strict=True)):
        if not areas:
            within = _within(out.arrival_s[g], target)
        else:  # each incident against its own area's target
            counts = [_within(a.arrival_s[g], t[g]) for a, t in zip(out.areas, areas,
                                                                    strict=True)]
            within = None if target is None else sum(c or 0.0 for c in counts)
        found[grade] = _grade(out.arrival_s[g], float(out.incidents[g]), within, days)
    waiting, hourly = _waiting(out.waiting_s, window_s)
    found[ALL] = {
        "officer_utilisation": out.busy_s / out.present_s if out.present_s else math.nan,
        "chase_per_day": out.chase / days,
        "resolved_per_day": out.resolved / days,
        "incidents_waiting": waiting,
    }
    return found, hourly


def _waiting(waiting_s: np.ndarray, window_s: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean incidents waiting over the window, and by hour of the week."""
    window = float(window_s.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        hourly = waiting_s / window_s
    return (float(waiting_s.sum()) / window if window else math.nan), hourly


AreaFigures = dict[str, dict[str, dict[str, float]]]


def area_measures(scenario: Scenario, out: DispatchOutput,
                  window_s: np.ndarray) -> tuple[AreaFigures, dict[str, np.ndarray]] | None:
    """With areas: (area -> (grade or ALL) -> measure, each incident against its area's
    targets, ALL holding the area's ``officer_utilisation``, ``chase_per_day`` and
    ``incidents_waiting``; area -> incidents waiting by hour of the week). None without."""
    areas = area_targets(scenario)
    if not areas:
        return None
    days = scenario.run.days
    found: AreaFigures = {}
    hourly: dict[str, np.ndarray] = {}
    for (name, goals), a in zip(areas.items(), out.areas, strict=True):
        found[name] = {
            grade: _grade(a.arrival_s[g], float(a.incidents[g]),
                          _within(a.arrival_s[g], goals[g]), days)
            for g, grade in enumerate(ATTENDED)}
        waiting, hourly[name] = _waiting(a.waiting_s, window_s)
        found[name][ALL] = {
            "officer_utilisation": a.busy_s / a.present_s if a.present_s else math.nan,
            "chase_per_day": a.chase / days, "incidents_waiting": waiting}
    return found, hourly


def _grade_names(goals: Targets) -> list[tuple[str, tuple[str, ...]]]:
    return [(grade, GRADE_MEASURES if target is not None else GRADE_MEASURES[1:])
            for grade, target in zip(ATTENDED, goals, strict=True)]


def names(scenario: Scenario) -> list[tuple[str, tuple[str, ...]]]:
    """(grade or ALL, its measures) as summary.json and dispatch.csv give them: a grade with
    no target (with areas: that some area has no target for) has no
    ``attended_within_target``."""
    return [*_grade_names(judged_targets(scenario)), (ALL, OVERALL_MEASURES)]


def area_names(scenario: Scenario) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """With areas: area -> (grade or ALL, its measures), as :func:`names` does force-wide
    (ALL: ``officer_utilisation`` alone); {} without areas."""
    return {name: [*_grade_names(goals), (ALL, AREA_OVERALL)]
            for name, goals in area_targets(scenario).items()}
