"""Is there an officer for the incidents? The officers' side of the pre-run capacity check.

With ``[officers]`` (DESIGN §12), every incident holds an officer for the travel and the time on
scene. If the incidents of a week need more officer time than the officers' rosters provide,
incidents wait for as long as the run lasts, attendance collapses and callers chase without
end; the run still finishes (it stops at a bounded overrun and counts those incidents as never
attended), but the figures describe a force that cannot exist. This check words that before
the run, as the handlers' capacity check does for calls: for the force, else for a season
(with a calendar, the months whose demand lifts the incidents beyond the officers), else for an
area (with areas, its share of the incidents at its own travel).

The load leans low, so the warning does not fire on a force that could cope with its
diversions: every diversion that could take a category's contacts takes its full share (their
sum, at most all of them) whether its hours allow or not. It counts every contact as answered,
as the handlers' check does: a room that loses many callers before an answer has fewer
incidents than this (and its own warning).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from contactsim.analysis.workforce import months
from contactsim.calendar import MONTH_NAMES
from contactsim.config.spec import ALL_PRIORITY, OfficersSpec, Scenario
from contactsim.engine.roster import officers_as_pool, rostered_by_hour
from contactsim.timebase import HOUR_S

#: Incidents needing more than this share of the officers' rostered time are flagged.
OVERLOAD = 1.0


def _pool_hours(spec: OfficersSpec) -> float:
    return float(rostered_by_hour(officers_as_pool(spec)).sum())


def weekly_officer_hours(scenario: Scenario) -> float:
    """Officer-hours a week the officers' rosters provide (every pool)."""
    return sum(_pool_hours(o) for o in scenario.officers.values())


def _mean_travel_s(scenario: Scenario) -> float:
    """Mean travel: with areas, the areas' means weighted by their shares of the incidents;
    else the pools' means weighted by their rostered hours (the shortest pool's mean if no
    pool is ever on duty)."""
    pools = list(scenario.officers.values())
    if all(o.share is not None for o in pools):
        return sum((o.share or 0.0) * o.travel_s.mean for o in pools)
    hours = [_pool_hours(o) for o in pools]
    if sum(hours) <= 0:
        return min(o.travel_s.mean for o in pools)
    return sum(h * o.travel_s.mean for h, o in zip(hours, pools, strict=True)) / sum(hours)


def _diverted(scenario: Scenario, channel: str, category: str) -> float:
    """The most of a channel's contacts of one category any diversions could take."""
    return min(1.0, sum(d.share for d in scenario.diversions.values()
                        if category in d.categories and channel in d.channels))


def weekly_incidents(scenario: Scenario,
                     channels: Sequence[str] | None = None) -> tuple[float, float]:
    """(incidents an officer attends a week, their officer-hours on scene), at the means (see
    the module's note on what it counts), from ``channels`` (None: every channel)."""
    incidents = on_scene_h = 0.0
    for name, ch in scenario.channels.items():
        if channels is not None and name not in channels:
            continue
        weights = sum(share for _, share in ch.mix)
        for cat_name, share in ch.mix:
            cat = scenario.categories[cat_name]
            attended = 1.0 - (cat.grade or ALL_PRIORITY).resolved
            on_scene = (cat.on_scene_s.mean if cat.on_scene_s is not None
                        else cat.officer_hours * HOUR_S)
            n = (ch.per_day * 7 * share / weights * cat.deploy * attended
                 * (1.0 - _diverted(scenario, name, cat_name)))
            incidents += n
            on_scene_h += n * on_scene / HOUR_S
    return incidents, on_scene_h


def weekly_incident_hours(scenario: Scenario) -> float:
    """Officer-hours a week the incidents need: travel plus time on scene, at the means, for
    every deployment an officer attends (see the module's note on what it counts)."""
    incidents, on_scene_h = weekly_incidents(scenario)
    return on_scene_h + incidents * _mean_travel_s(scenario) / HOUR_S


def monthly_incident_hours(scenario: Scenario) -> tuple[list[str], np.ndarray]:
    """With a calendar: the measured months (``YYYY-MM``) and the officer-hours a week the
    incidents need in each, each channel's at its month's seasonal weight (its ``monthly``,
    else the calendar's). Empty without a calendar."""
    cal = scenario.calendar
    labels = months(scenario)[0] if cal is not None else []
    need = np.zeros(len(labels))
    if cal is None or not labels:
        return labels, need
    travel = _mean_travel_s(scenario)
    for name, ch in scenario.channels.items():
        incidents, on_scene_h = weekly_incidents(scenario, [name])
        weight = np.array([(ch.monthly or cal.monthly)[int(m[5:7]) - 1] for m in labels])
        need += (on_scene_h + incidents * travel / HOUR_S) * weight
    return labels, need


def _season(scenario: Scenario, have: float) -> list[str]:
    """The months whose seasonal incidents need more officer time than the rosters give,
    though the year's average does not (none, or one warning naming them)."""
    labels, need = monthly_incident_hours(scenario)
    short = [m for m in range(len(labels)) if _overload(float(need[m]), have)]
    if not short:
        return []
    names = [f"{MONTH_NAMES[int(labels[m][5:7]) - 1]} {labels[m][:4]}" for m in short]
    peak = max(short, key=lambda m: need[m])
    which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    who = ", ".join(f"officers.{name}" for name in scenario.officers)
    return [f"officers cannot keep up in {which}: the season lifts incidents to about "
            f"{need[peak]:,.0f} officer-hours a week in {names[short.index(peak)]} (travel and "
            f"time on scene), but {who} provide {have:,.0f} "
            f"({_overload(float(need[peak]), have)}); incidents will wait longer and longer "
            "in those months: add officers or shorten time on scene."]


def _overload(need: float, have: float) -> str | None:
    """The share of the officers' time needed, worded, if more than they have; else None."""
    if need <= 0 or (have > 0 and need <= OVERLOAD * have):
        return None
    return f"{need / have:,.0%} of their time" if have > 0 else "and none are ever on duty"


def officer_warnings(scenario: Scenario) -> list[str]:
    """A warning when the incidents need more officer time than the officers provide: for
    the force; else for the months a season lifts beyond them; and, with areas, for each area
    short (its share of the incidents, its own travel)."""
    if not scenario.officers:
        return []
    need, have = weekly_incident_hours(scenario), weekly_officer_hours(scenario)
    force = _overload(need, have)
    if force:
        who = ", ".join(f"officers.{name}" for name in scenario.officers)
        return [_words(who, need, have, force)]
    out = _season(scenario, have)
    incidents, on_scene_h = weekly_incidents(scenario)
    for name, o in scenario.officers.items():
        if o.share is None:
            continue
        area_need = o.share * (on_scene_h + incidents * o.travel_s.mean / HOUR_S)
        area = _overload(area_need, _pool_hours(o))
        if area:
            out.append(_words(f"officers.{name} (its area's {o.share:.0%} of incidents)",
                              area_need, _pool_hours(o), area))
    return out


def _words(who: str, need: float, have: float, share: str) -> str:
    return (f"officers cannot keep up: incidents need about {need:,.0f} officer-hours a week "
            f"(travel and time on scene), but {who} provide {have:,.0f} ({share}); incidents "
            "will wait longer and longer, so attendance and chase calls describe a force that "
            "cannot exist: add officers or shorten time on scene.")
