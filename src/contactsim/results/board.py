"""summary.csv: every figure of summary.json in a planner's units, ready for a spreadsheet.

summary.json is the contract for tools: shares from 0 to 1, counts as totals over the measured
days of one replication, staff hours as totals. A planner pasting figures into a board paper
wants them as the room talks about them, so summary.csv holds one row per figure of
summary.json, converted:

- shares (service level, abandonment, the answer-time bands, utilisation) in **%**;
- times (``..._s``) in **seconds**;
- staff hours, hours busy and officer hours in **hours per day**;
- every count (offered, answered, abandoned, callbacks, redials, diverted, failed handovers,
  contacts a pool answered on a channel) **per day**.

Columns: ``measure, channel, pool, diversion, mean, ci_low, ci_high, unit`` (the name columns
that do not apply are empty; an undefined figure is an empty cell). Dispatch figures are named
by their path in summary.json (``dispatch.immediate.attended_within_target``, with areas
``dispatch.areas.AREA.immediate.attended_within_target``). ``pool_channel``'s
``answered_per_day`` is the same figure as its ``answered`` per day, so it is one row.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from contactsim.analysis.measures import SHARE_MEASURES
from contactsim.analysis.stats import Estimate

SUMMARY_CSV = "summary.csv"
COLUMNS = ("measure", "channel", "pool", "diversion", "mean", "ci_low", "ci_high", "unit")
#: Figures already per day in summary.json (officer hours; dispatch's counts, DESIGN §12).
PER_DAY = frozenset({"officer_hours", "chase_per_day", "incidents_per_day",
                     "resolved_per_day"})
#: Dispatch's counts of incidents (not contacts), already per day.
INCIDENTS = frozenset({"incidents_per_day", "resolved_per_day"})
#: Totals of hours over the measured days, shown per day.
HOURS = frozenset({"staff_hours", "busy_hours", "officer_hours"})
#: Figures that repeat another row of summary.csv in the same units.
REPEATS = frozenset({"answered_per_day"})
#: Decimal places kept: 0.001 of a percentage point, a second or a contact a day.
DECIMALS = 3


def is_share(measure: str) -> bool:
    return measure in SHARE_MEASURES or measure.endswith("_rate")


def planner_unit(measure: str, days: float) -> tuple[float, str]:
    """(factor, unit): a summary.json figure times ``factor`` is in the planner's ``unit``."""
    if is_share(measure):
        return 100.0, "%"
    if measure.endswith("_s"):
        return 1.0, "s"
    if measure == "incidents_waiting":  # a mean over time, not a count
        return 1.0, "incidents"
    per_day = 1.0 if measure in PER_DAY or days <= 0 else 1 / days
    if measure in INCIDENTS:
        return per_day, "incidents per day"
    return per_day, "hours per day" if measure in HOURS else "contacts per day"


def planner_estimate(measure: str, est: Estimate, days: float) -> tuple[Estimate, str]:
    """An estimate in the planner's unit, and the unit."""
    factor, unit = planner_unit(measure, days)
    return est.scaled(factor), unit


def _cell(value: float) -> Any:
    return "" if not math.isfinite(value) else round(value, DECIMALS)


def _estimate(node: Any) -> Estimate:
    def value(key: str) -> float:
        v = node.get(key) if isinstance(node, dict) else None
        return float(v) if isinstance(v, int | float) else math.nan

    return Estimate(value("mean"), value("ci_low"), value("ci_high"), 2)


def figures(summary: dict[str, Any]) -> Iterator[tuple[str, str, str, str, Estimate]]:
    """Every figure of a summary.json: (measure, channel, pool, diversion, estimate)."""
    for section, where in (("channels", 0), ("pools", 1), ("diversions", 2)):
        for name, measures in (summary.get(section) or {}).items():
            for measure, node in (measures or {}).items():
                names = ["", "", ""]
                names[where] = name
                yield measure, *names, _estimate(node)
    if isinstance(summary.get("officer_hours"), dict):
        yield "officer_hours", "", "", "", _estimate(summary["officer_hours"])
    for pool, channels in (summary.get("pool_channel") or {}).items():
        for channel, measures in (channels or {}).items():
            for measure, node in (measures or {}).items():
                yield measure, channel, pool, "", _estimate(node)
    # with officers (DESIGN §12): each figure named by its path, dispatch.GRADE.MEASURE,
    # dispatch.MEASURE, and with areas dispatch.areas.AREA.GRADE.MEASURE
    for path, node in _leaves("dispatch", summary.get("dispatch")):
        yield path, "", "", "", _estimate(node)


def _leaves(path: str, node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, estimate) of every ``{mean, ...}`` within ``node``, in order."""
    if not isinstance(node, dict):
        return
    if "mean" in node:
        yield path, node
        return
    for key, inner in node.items():
        yield from _leaves(f"{path}.{key}", inner)


def dispatch_measure(name: str, measure: str) -> str:
    """summary.csv's name of a dispatch figure: its path in summary.json,
    ``dispatch.immediate.attended_within_target`` or ``dispatch.chase_per_day``."""
    return f"dispatch.{measure}" if name == "all" else f"dispatch.{name}.{measure}"


def base_measure(measure: str) -> str:
    """The measure a summary.csv name stands for (``dispatch.GRADE.M`` is ``M``)."""
    return measure.rsplit(".", 1)[-1]


def summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """summary.csv's rows from a summary.json, in the planner's units."""
    days = float(summary.get("days", 0.0))
    rows = []
    for measure, channel, pool, diversion, est in figures(summary):
        if measure in REPEATS:
            continue
        shown, unit = planner_estimate(base_measure(measure), est, days)
        rows.append([measure, channel, pool, diversion, _cell(shown.mean),
                     _cell(shown.ci_low), _cell(shown.ci_high), unit])
    return rows
