"""A run's terminal summary: each channel against its target, each pool's staff hours and
utilisation, officer hours and diversions; then, only where the scenario has them, officers'
attendance and chase calls (``[officers]``, DESIGN §12), each workforce pool's people over the
months and a year's cost (DESIGN §11). Each says nothing where the scenario has none of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from contactsim.analysis.experiment import Experiment
from contactsim.analysis.measures import measure_estimate
from contactsim.present.precision import replications_advice, spans_target
from contactsim.present.words import column_width, fmt_ci, fmt_target

# --- terminal summaries ---------------------------------------------------------------------


def print_summary(exp: Experiment, folder: Path, out: TextIO) -> None:
    """Per channel: service level against target, mean answer time, abandonment, with CIs."""
    sc, reps = exp.scenario, exp.replications
    out.write(f"\n{sc.name}  ({len(reps)} replications x {sc.run.days:g} days, "
              f"{exp.wall_s:.1f} s)\n")
    w = column_width(sc.channels, 10)
    header = (f"  {'channel':<{w}} {'target':>8} {'service level (95% CI)':>26} "
              f"{'mean answer time (95% CI)':>26} {'abandoned (95% CI)':>24}\n")
    out.write(header)
    for name, ch in sc.channels.items():
        sl, ma, ab = (measure_estimate((r.channels[name][m] for r in reps), m)
                      for m in ("service_level", "mean_answer_s", "abandon_rate"))
        # the report's units (fmt_ci): an online channel's hours read as hours in both
        out.write(f"  {name:<{w}} {fmt_target(ch.answer_target_s):>8} "
                  f"{fmt_ci('service_level', sl):>26} {fmt_ci('mean_answer_s', ma):>26} "
                  f"{fmt_ci('abandon_rate', ab):>24}\n")
    out.write("".join(f"  {line}\n" for line in staff_lines(exp)))
    for name in sc.channels:
        sl = measure_estimate((r.channels[name]["service_level"] for r in reps), "service_level")
        if spans_target(sl):
            out.write(f"  note: {name}'s service level interval spans 90%, so whether it meets "
                      f"the target is not certain: {replications_advice(sl, len(reps))}\n")
    for warning in exp.warnings:
        out.write(f"  warning: {warning}\n")
    out.write(f"  results: {folder}/\n")


def staff_lines(exp: Experiment) -> list[str]:
    """The terminal summary's lines after the channels: each pool's staff hours, utilisation
    and who it answered, the officer hours, and each diversion (per day, with 95% CIs)."""
    sc, reps = exp.scenario, exp.replications
    days = sc.run.days

    def est(values: Iterable[float], measure: str, scale: float = 1.0) -> str:
        return fmt_ci(measure, measure_estimate(values, measure).scaled(scale))

    w = column_width(sc.pools, 12)
    lines = [f"{'pool':<{w}} {'staff hours/day (95% CI)':>26} {'utilisation (95% CI)':>24}  "
             "answered per day"]
    for pool in sc.pools:
        answered = ", ".join(
            f"{ch} {est((r.pool_channel[pool][ch] for r in reps), 'answered', 1 / days)}"
            for ch in (reps[0].pool_channel.get(pool, {}) if reps else {}))
        hours = est((r.pools[pool]["staff_hours"] for r in reps), "staff_hours", 1 / days)
        use = est((r.pools[pool]["utilisation"] for r in reps), "utilisation")
        lines.append(f"{pool:<{w}} {hours:>26} {use:>24}  {answered}")
    lines.append(f"officer hours per day: {est((r.officer_hours for r in reps), 'officer_hours')}")
    lines += dispatch_lines(exp) + workforce_lines(exp)
    for name in sc.diversions:
        per_day = {m: est((r.diversions[name][m] for r in reps), m, 1 / days)
                   for m in ("diverted", "failed", "failed_closed", "failed_busy")}
        lines.append(f"diversion {name}: {per_day['diverted']} diverted per day, "
                     f"{per_day['failed']} handovers failed per day (partner closed "
                     f"{per_day['failed_closed']}, partner busy {per_day['failed_busy']})")
    return lines



def pounds(node: Any) -> str:
    """An estimate of money: "£2,285,000 (£2,268,000 to £2,302,000)"."""
    mean, lo, hi = (float(node.get(k) if node.get(k) is not None else math.nan)
                    for k in ("mean", "ci_low", "ci_high"))
    if not math.isfinite(mean):
        return "-"
    if lo == hi == mean or not math.isfinite(lo):
        return f"£{mean:,.0f}"
    return f"£{mean:,.0f} (£{lo:,.0f} to £{hi:,.0f})"


def _people(node: dict[str, Any]) -> str:
    """People (a mean over replications): "48.3 (44.4 to 52.1)", or "12" where every
    replication agrees."""
    mean, lo, hi = (math.nan if node.get(k) is None else float(node[k])
                    for k in ("mean", "ci_low", "ci_high"))
    if lo == hi == mean or not math.isfinite(lo):
        return f"{mean:,.0f}" if float(mean).is_integer() else f"{mean:,.1f}"
    return f"{mean:,.1f} ({lo:,.1f} to {hi:,.1f})"


def workforce_lines(exp: Experiment) -> list[str]:
    """The terminal's workforce and cost lines (DESIGN §11), where the scenario has them: each
    pool's people at the start and the end, its lowest month, leavers and recruits; a year's
    cost with its parts. Nothing about money where nothing is priced."""
    from contactsim.results.workforce import workforce_summary

    found = workforce_summary(exp)
    lines = []
    for pool, w in (found.get("workforce") or {}).items():
        end = w["end"]
        lines.append(
            f"workforce {pool}: {w['headcount_start']} in post at the start; at the end "
            f"{_people(end['headcount'])} in post, {_people(end['available'])} available on "
            f"the roster; lowest month {_people(w['available_lowest_month'])} available; "
            f"{_people(w['leavers'])} leavers, {w['recruits']} recruits")
    cost = found.get("cost")
    if cost:
        parts = ", ".join(f"{part} {pounds(cost[part])}" for part in ("staff", "training",
                                                                      "recruits"))
        lines.append(f"a year's cost: {pounds(cost['total'])} ({parts})")
    return lines


def dispatch_lines(exp: Experiment) -> list[str]:
    """The terminal's officers lines (DESIGN §12), with ``[officers]``: each attended grade's
    attendance within its target, mean and 90th percentile time to arrival and incidents per
    day; then the officers' utilisation and the chase calls per day; with areas, a line per
    area (attendance within its targets, its officers' utilisation and its chase calls)."""
    from contactsim.analysis.dispatch import ALL, area_targets, judged_targets
    from contactsim.config.spec import ATTENDED

    reps = [r.dispatch for r in exp.replications if r.dispatch is not None]
    if not reps or len(reps) != len(exp.replications):
        return []

    def est(name: str, measure: str, area: str = "") -> str:
        values = ((r.dispatch_areas or {})[area][name][measure] for r in exp.replications) \
            if area else (r[name][measure] for r in reps)
        return fmt_ci(measure, measure_estimate(values, measure))

    def within(target: float | None) -> str:
        return "its area's target" if target is not None and math.isnan(target) else \
            fmt_target(target) if target is not None else ""

    lines = []
    for grade, target in zip(ATTENDED, judged_targets(exp.scenario), strict=True):
        share = (f"{est(grade, 'attended_within_target')} attended within {within(target)}, "
                 if target is not None else "")
        lines.append(f"officers, {grade}: {share}arrival mean "
                     f"{est(grade, 'mean_arrival_s')}, 90th percentile "
                     f"{est(grade, 'p90_arrival_s')}; {est(grade, 'incidents_per_day')} "
                     "incidents per day")
    lines.append(f"officers: utilisation {est(ALL, 'officer_utilisation')}; "
                 f"{est(ALL, 'chase_per_day')} chase calls per day")
    for area, goals in area_targets(exp.scenario).items():
        parts = [f"{grade} {est(grade, 'attended_within_target', area)} within "
                 f"{within(target)}" for grade, target in zip(ATTENDED, goals, strict=True)
                 if target is not None]
        lines.append(f"officers, area {area}: {'; '.join(parts)}; utilisation "
                     f"{est(ALL, 'officer_utilisation', area)}; "
                     f"{est(ALL, 'chase_per_day', area)} chase calls per day")
    return lines
