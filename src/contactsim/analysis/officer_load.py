"""Is there an officer for the incidents? The officers' side of the pre-run capacity check.

With ``[officers]`` (DESIGN §12), every incident holds an officer for the travel and the time on
scene. If the incidents of a week need more officer time than the officers' rosters provide,
incidents wait for as long as the run lasts, attendance collapses and callers chase without
end; the run still finishes (it stops at a bounded overrun and counts those incidents as never
attended), but the figures describe a force that cannot exist. This check words that before
the run, as the handlers' capacity check does for calls.

The load leans low, so the warning does not fire on a force that could cope with its
diversions: every diversion that could take a category's contacts takes its full share (their
sum, at most all of them) whether its hours allow or not. It counts every contact as answered,
as the handlers' check does: a room that loses many callers before an answer has fewer
incidents than this (and its own warning).
"""

from __future__ import annotations

from contactsim.config.spec import ALL_PRIORITY, Scenario
from contactsim.engine.roster import officers_as_pool, rostered_by_hour
from contactsim.timebase import HOUR_S

#: Incidents needing more than this share of the officers' rostered time are flagged.
OVERLOAD = 1.0


def weekly_officer_hours(scenario: Scenario) -> float:
    """Officer-hours a week the officers' rosters provide (every pool)."""
    return sum(float(rostered_by_hour(officers_as_pool(o)).sum())
               for o in scenario.officers.values())


def _mean_travel_s(scenario: Scenario) -> float:
    """Mean travel, the pools' means weighted by their rostered hours (the shortest pool's
    mean if no pool is ever on duty)."""
    pools = list(scenario.officers.values())
    hours = [float(rostered_by_hour(officers_as_pool(o)).sum()) for o in pools]
    if sum(hours) <= 0:
        return min(o.travel_s.mean for o in pools)
    return sum(h * o.travel_s.mean for h, o in zip(hours, pools, strict=True)) / sum(hours)


def _diverted(scenario: Scenario, channel: str, category: str) -> float:
    """The most of a channel's contacts of one category any diversions could take."""
    return min(1.0, sum(d.share for d in scenario.diversions.values()
                        if category in d.categories and channel in d.channels))


def weekly_incident_hours(scenario: Scenario) -> float:
    """Officer-hours a week the incidents need: travel plus time on scene, at the means, for
    every deployment an officer attends (see the module's note on what it counts)."""
    travel = _mean_travel_s(scenario)
    total = 0.0
    for name, ch in scenario.channels.items():
        weights = sum(share for _, share in ch.mix)
        for cat_name, share in ch.mix:
            cat = scenario.categories[cat_name]
            attended = 1.0 - (cat.grade or ALL_PRIORITY).resolved
            on_scene = (cat.on_scene_s.mean if cat.on_scene_s is not None
                        else cat.officer_hours * HOUR_S)
            incidents = (ch.per_day * 7 * share / weights * cat.deploy * attended
                         * (1.0 - _diverted(scenario, name, cat_name)))
            total += incidents * (travel + on_scene) / HOUR_S
    return total


def officer_warnings(scenario: Scenario) -> list[str]:
    """A warning when the incidents need more officer time than the officers provide."""
    if not scenario.officers:
        return []
    need, have = weekly_incident_hours(scenario), weekly_officer_hours(scenario)
    if need <= 0 or (have > 0 and need <= OVERLOAD * have):
        return []
    share = f"{need / have:,.0%} of their time" if have > 0 else "and none are ever on duty"
    pools = ", ".join(f"officers.{name}" for name in scenario.officers)
    return [f"officers cannot keep up: incidents need about {need:,.0f} officer-hours a "
            f"week (travel and time on scene), but {pools} provide {have:,.0f} ({share}); "
            "incidents will wait longer and longer, so attendance and chase calls describe a "
            "force that cannot exist: add officers or shorten time on scene."]
