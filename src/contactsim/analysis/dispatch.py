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
"""

from __future__ import annotations

import math

import numpy as np

from contactsim.config.spec import ATTENDED, DEFAULT_TARGETS, Scenario
from contactsim.engine.dispatch import DispatchOutput

#: Measures of each attended grade (summary.json ``dispatch.GRADE``, dispatch.csv).
GRADE_MEASURES = ("attended_within_target", "mean_arrival_s", "p90_arrival_s",
                  "incidents_per_day")
#: Measures of the officers as a whole (summary.json ``dispatch``; dispatch.csv's "all" rows).
OVERALL_MEASURES = ("officer_utilisation", "chase_per_day", "resolved_per_day",
                    "incidents_waiting")
#: dispatch.csv's name for the overall rows.
ALL = "all"
#: Dispatch measures that are shares (their intervals are kept within 0 to 1).
SHARES = frozenset({"attended_within_target", "officer_utilisation"})


def targets(scenario: Scenario) -> tuple[float | None, ...]:
    spec = scenario.dispatch.targets if scenario.dispatch is not None else DEFAULT_TARGETS
    return spec.by_grade()


def dispatch_measures(scenario: Scenario, out: DispatchOutput,
                      window_s: np.ndarray) -> tuple[dict[str, dict[str, float]], np.ndarray]:
    """(name -> measure -> value, with name a grade or ALL; incidents waiting by hour of week)."""
    days = scenario.run.days
    found: dict[str, dict[str, float]] = {}
    for g, (grade, target) in enumerate(zip(ATTENDED, targets(scenario), strict=True)):
        n = float(out.incidents[g])
        arrival = out.arrival_s[g]
        found[grade] = {
            "attended_within_target": (float((arrival <= target).sum()) / n
                                       if target is not None and n else math.nan),
            "mean_arrival_s": float(arrival.mean()) if len(arrival) else math.nan,
            "p90_arrival_s": float(np.percentile(arrival, 90)) if len(arrival) else math.nan,
            "incidents_per_day": n / days,
        }
    window = float(window_s.sum())
    found[ALL] = {
        "officer_utilisation": out.busy_s / out.present_s if out.present_s else math.nan,
        "chase_per_day": out.chase / days,
        "resolved_per_day": out.resolved / days,
        "incidents_waiting": float(out.waiting_s.sum()) / window if window else math.nan,
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        hourly = out.waiting_s / window_s
    return found, hourly


def names(scenario: Scenario) -> list[tuple[str, tuple[str, ...]]]:
    """(grade or ALL, its measures) as summary.json and dispatch.csv give them: a grade with
    no target has no ``attended_within_target``."""
    out = [(grade, GRADE_MEASURES if target is not None else GRADE_MEASURES[1:])
           for grade, target in zip(ATTENDED, targets(scenario), strict=True)]
    return [*out, (ALL, OVERALL_MEASURES)]
