"""Sanity checks on a valid scenario, before it runs: is there enough staff for the demand?
Does every key it sets have an effect?

A scenario can be valid and still make no sense as a control room: 999 demand needing 400
staff-hours a week answered by a roster that provides 300. With patient callers the queue
then grows for as long as the run lasts. This module compares, for each group of channels
that share staff, the work the demand brings with the staff time the rosters provide (after
absence and breaks), and words a warning a planner can act on. A group answered by a pool with
a workforce (DESIGN §11) is judged month by month, its roster scaled by the people the workforce
is expected to have that month, and the warning names the first month that falls short. The
engine has its own guard for queues that grow without limit while it runs.
"""

from __future__ import annotations

import numpy as np

from contactsim.analysis.officer_load import officer_warnings
from contactsim.analysis.workforce import has_workforce, months
from contactsim.calendar import MONTH_NAMES
from contactsim.config.spec import Scenario
from contactsim.engine.arrivals import open_minutes
from contactsim.engine.roster import rostered_by_hour, rostered_by_minute
from contactsim.engine.workforce import expected_pipeline, moved_intakes
from contactsim.timebase import DAY_NAMES, MIN_PER_DAY

#: Work above this share of the staff time available is flagged.
OVERLOAD = 1.0
#: Mean talk times below this many seconds are no call a handler takes: minutes were meant.
SHORTEST_HANDLE_S = 30.0
#: Mean patience below this many seconds: minutes were meant.
SHORTEST_PATIENCE_S = 10.0


def mean_work_s(scenario: Scenario, channel: str) -> float:
    """Mean handler time (talk plus wrap-up) of one of the channel's contacts, over its mix."""
    mix = scenario.channels[channel].mix
    return sum(share * (scenario.categories[cat].handle.mean
                        + scenario.categories[cat].wrap_up.mean)
               for cat, share in mix) / sum(share for _, share in mix)


def weekly_work_hours(scenario: Scenario, channel: str) -> float:
    """Staff-hours a week the channel's demand needs (talk plus wrap-up, at the mean)."""
    return scenario.channels[channel].per_day * 7 * mean_work_s(scenario, channel) / 3600


def weekly_staff_hours(scenario: Scenario, pool: str) -> float:
    """Staff-hours a week a pool's roster provides, after absence and breaks."""
    spec = scenario.pools[pool]
    rostered = float(rostered_by_hour(spec).sum())
    shifts = sum(n * len(s.days) for s, n in zip(spec.roster, spec.headcounts, strict=True))
    return rostered * (1 - spec.absence) - shifts * (1 - spec.absence) * spec.breaks_min / 60


def _groups(scenario: Scenario) -> list[tuple[list[str], list[str]]]:
    """Channels and pools that share staff, as connected groups (channels, pools)."""
    pools = {name: set(p.skills) for name, p in scenario.pools.items()}
    groups: list[tuple[set[str], set[str]]] = []
    for name, skills in pools.items():
        merged = ({*skills}, {name})
        for group in [g for g in groups if g[0] & skills]:
            merged[0].update(group[0])
            merged[1].update(group[1])
            groups.remove(group)
        groups.append(merged)
    order = list(scenario.channels)
    return [(sorted(c, key=order.index), sorted(p)) for c, p in groups]


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Everything worth a planner's attention in a valid scenario, before it runs."""
    return (capacity_warnings(scenario) + unused_warnings(scenario)
            + duration_warnings(scenario) + cover_warnings(scenario) + mix_warnings(scenario)
            + scale_warnings(scenario) + course_warnings(scenario) + officer_warnings(scenario))


def course_warnings(scenario: Scenario) -> list[str]:
    """Intakes dated in a ``no_courses`` month: each moves to the next allowed month."""
    out = []
    for name, pool in scenario.pools.items():
        if pool.workforce is None:
            continue
        for intake, day in moved_intakes(pool.workforce):
            out.append(f"pools.{name}.workforce: the intake of {intake.people} on {intake.date} "
                       f"falls in a no_courses month; its course starts on {day} instead.")
    return out


def scale_warnings(scenario: Scenario) -> list[str]:
    """A pool ``scale`` whose whole people cannot give the change asked for: the realised
    change in staff hours, when it misses the asked one by half a percent of the hours or more."""
    out = []
    for name, pool in scenario.pools.items():
        asked, got = pool.scale - 1, pool.staff_hours_change
        if pool.scale not in (0, 1) and abs((1 + got) / pool.scale - 1) >= 0.005:
            out.append(f"pools.{name}.scale = {pool.scale:g} asks for {asked:+.1%} staff hours; "
                       f"in whole people per shift line the roster gets {got:+.1%}.")
    return out


def mix_warnings(scenario: Scenario) -> list[str]:
    """Mixes accepted within half a percent of 1 (``0.333`` three times): they are scaled to add
    up to 1, and the planner is told so."""
    mixes = [(f"channels.{name}.mix", ch.mix) for name, ch in scenario.channels.items()]
    mixes += [(f"surges[{i}].mix", s.mix) for i, s in enumerate(scenario.surges)
              if s.mix is not None]
    out = []
    for key, mix in mixes:
        total = sum(share for _, share in mix)
        if abs(total - 1.0) > 1e-6:
            out.append(f"{key}: shares add up to {total:.6g}, not 1; each is scaled by "
                       f"{1 / total:.4g} so they add up to 1.")
    return out


def _minutes_meant(mean_s: float) -> str:
    return f"if {mean_s:g} minutes were meant, write {mean_s * 60:g}"


def duration_warnings(scenario: Scenario) -> list[str]:
    """Durations too short for their key: a handle of ``7`` or a patience of ``3`` is almost
    certainly minutes written where the scenario counts seconds."""
    used = {cat for ch in scenario.channels.values() for cat, share in ch.mix if share > 0}
    out = [f"categories.{name}.handle: a mean talk time of {cat.handle.mean:g} s is shorter "
           f"than any real call ({SHORTEST_HANDLE_S:g} s); durations are in seconds: "
           f"{_minutes_meant(cat.handle.mean)}."
           for name, cat in scenario.categories.items()
           if name in used and cat.handle.mean < SHORTEST_HANDLE_S]
    out += [f"channels.{name}.patience: a mean patience of {ch.patience.mean:g} s means callers "
            f"hang up almost at once (under {SHORTEST_PATIENCE_S:g} s); durations are in "
            f"seconds: {_minutes_meant(ch.patience.mean)}."
            for name, ch in scenario.channels.items()
            if ch.patience is not None and ch.patience.mean < SHORTEST_PATIENCE_S]
    return out


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _day_list(days: list[int]) -> str:
    """Weekdays as a planner writes them: ``every day``, ``Mon-Fri``, ``Sat, Sun``."""
    if len(days) == 7:
        return "every day"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in days)


def uncovered_windows(on_duty: np.ndarray) -> list[str]:
    """The times of the week (a 10,080-minute array) with nobody on duty, grouped by the time of
    day they recur at: ``every day 19:00-19:30``, ``Sat, Sun 00:00-07:00``."""
    by_window: dict[tuple[int, int], list[int]] = {}
    for day in range(7):
        empty = on_duty[day * MIN_PER_DAY:(day + 1) * MIN_PER_DAY] <= 0
        edges = np.flatnonzero(np.diff(np.concatenate(([0], empty.astype(np.int8), [0]))))
        for lo, hi in zip(edges[::2], edges[1::2], strict=True):
            by_window.setdefault((int(lo), int(hi)), []).append(day)
    return [f"{_day_list(days)} {_clock(lo)}-{_clock(hi)}"
            for (lo, hi), days in sorted(by_window.items(), key=lambda kv: (kv[1][0], kv[0]))]


def cover_warnings(scenario: Scenario) -> list[str]:
    """Voice channels left with nobody on duty who can answer them while they are open (a gap
    between shifts)."""
    out = []
    by_pool = {p.name: rostered_by_minute(p) for p in scenario.pools.values()}
    for name, ch in scenario.channels.items():
        if not ch.is_voice or ch.per_day <= 0:
            continue
        on_duty = sum((by_pool[p.name] for p in scenario.pools.values() if name in p.skills),
                      np.zeros(7 * MIN_PER_DAY))
        gaps = uncovered_windows(np.where(open_minutes(ch.open), on_duty, 1))  # closed: no gap
        if gaps:
            shown = "; ".join(gaps[:6]) + ("; ..." if len(gaps) > 6 else "")
            out.append(f"channels.{name}: nobody who can answer {name} is on duty {shown} "
                       "(a gap in the roster: its callers wait, or hang up, until someone starts).")
    return out


def unused_warnings(scenario: Scenario) -> list[str]:
    """Keys that are valid but can have no effect as the scenario stands."""
    return [f"channels.{name}.on_abandon has no effect: {name} callers never hang up (the "
            "channel has no patience), so nobody calls back, redials or switches."
            for name, ch in scenario.channels.items()
            if ch.on_abandon is not None and ch.patience is None]


def _about(hours: float) -> str:
    """Staff-hours as a planner reads them: whole hours, or two figures below 10 (not "0")."""
    return f"{hours:,.0f}" if hours >= 10 or hours == 0 else f"{hours:.2g}"


def _overload_words(scenario: Scenario, channels: list[str], work: float,
                    staff: float) -> str:
    """The share of capacity the work takes, and what follows from it (the end of a capacity
    warning, from the opening parenthesis on)."""
    patient = [c for c in channels if scenario.channels[c].patience is None]
    tail = (f"; {', '.join(patient)} contacts never give up, so their queue grows for "
            "as long as the run lasts" if patient else
            "; callers will abandon in large numbers")
    share = f"{work / staff:,.0%} of capacity" if staff > 0 else "no capacity at all"
    return f"({share}){tail}."


def capacity_warnings(scenario: Scenario) -> list[str]:
    """A warning for each group of channels whose demand needs more staff time than exists.

    A group answered by a pool with a workforce is judged month by month instead
    (:func:`workforce_capacity_warning`): its roster as written never runs unscaled."""
    out = []
    for channels, pools in _groups(scenario):
        if has_workforce(scenario) and any(scenario.pools[p].workforce for p in pools):
            out += workforce_capacity_warning(scenario, channels, pools)
            continue
        work = sum(weekly_work_hours(scenario, c) for c in channels)
        staff = sum(weekly_staff_hours(scenario, p) for p in pools)
        if staff <= 0 or work > OVERLOAD * staff:
            out.append(
                f"demand exceeds capacity: {', '.join(channels)} need about {_about(work)} "
                f"staff-hours a week, but {', '.join(pools)} provide about {_about(staff)} "
                f"after absence and breaks {_overload_words(scenario, channels, work, staff)}")
        else:
            out += season_capacity_warning(scenario, channels, pools, staff)
    return out


def monthly_work_hours(scenario: Scenario,
                       channels: list[str]) -> tuple[list[str], list[int], np.ndarray]:
    """The run's measured months (``YYYY-MM``), their numbers (0 = January) and the channels'
    staff-hours a week in each: the weekly work times the month's seasonal weight (the
    channel's ``monthly``, else the calendar's). Empty without a calendar."""
    cal = scenario.calendar
    labels, _ = months(scenario) if cal is not None else ([], None)
    if cal is None or not labels:
        return [], [], np.zeros(0)
    numbers = [int(label[5:7]) - 1 for label in labels]
    work = sum((weekly_work_hours(scenario, c) * np.array(
        [(scenario.channels[c].monthly or cal.monthly)[n] for n in numbers])
        for c in channels), np.zeros(len(labels)))
    return labels, numbers, work


def season_capacity_warning(scenario: Scenario, channels: list[str], pools: list[str],
                            staff: float) -> list[str]:
    """With a calendar: the months whose seasonal demand needs more staff time than the
    rosters give, though the year's average does not (none, or one warning naming them)."""
    labels, numbers, work = monthly_work_hours(scenario, channels)
    short = [m for m in range(len(labels)) if work[m] > OVERLOAD * staff]
    if not short:
        return []
    peak = max(short, key=lambda m: work[m])
    names = [f"{MONTH_NAMES[numbers[m]]} {labels[m][:4]}" for m in short]
    which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return [f"demand exceeds capacity in {which}: the season lifts {', '.join(channels)} to "
            f"about {_about(work[peak])} staff-hours a week in {names[short.index(peak)]}, "
            f"but {', '.join(pools)} provide about {_about(staff)} after absence and breaks "
            f"{_overload_words(scenario, channels, float(work[peak]), staff)}"]


def _people(x: float) -> str:
    """Expected people: whole when within a twentieth of one, else to one decimal."""
    return f"{x:.0f}" if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def expected_people(scenario: Scenario, pool: str) -> tuple[np.ndarray, np.ndarray]:
    """A workforce pool's expected people in each measured month, from the expected pipeline
    (:func:`~contactsim.engine.workforce.expected_pipeline`, the engine's arithmetic without
    its draws): the mean available over the month's days, and the mean *effective* people (the
    available over the day's ramp factor: a recruit still ramping up counts as less than one)."""
    spec, cal = scenario.pools[pool].workforce, scenario.calendar
    assert spec is not None
    assert cal is not None
    names, of_day = months(scenario)
    pipe = expected_pipeline(spec, cal.start_date, len(of_day))
    days = np.bincount(of_day, minlength=len(names))

    def mean(x: np.ndarray) -> np.ndarray:
        return np.bincount(of_day, weights=x, minlength=len(names)) / days

    return mean(pipe.available), mean(pipe.available / pipe.handle_factor)


def _who(scenario: Scenario, people: dict[str, tuple[np.ndarray, np.ndarray]], m: int) -> str:
    """The expected people of month ``m``, as the warning names them."""
    parts = []
    for pool, (available, effective) in people.items():
        spec = scenario.pools[pool].workforce
        assert spec is not None
        of = (f"of the {spec.roster_for} the roster is written for" if len(people) == 1
              else f"in {pool} (of {spec.roster_for})")
        slow = (f" ({_people(effective[m])} at full speed: recruits still ramping up are "
                "slower)" if effective[m] < available[m] - 0.05 else "")
        parts.append(f"{_people(available[m])} available {of}{slow}")
    return " and ".join(parts)


def workforce_capacity_warning(scenario: Scenario, channels: list[str],
                               pools: list[str]) -> list[str]:
    """The first month in which a group's rosters, scaled by the workforce's expected people,
    cannot carry its demand (none, or one warning).

    Month by month (the run's measured months): the work is the channels' weekly work times the
    month's seasonal weight (the channel's ``monthly``, else the calendar's); the staff time is
    each pool's weekly staff hours after absence and breaks, for a pool with a workforce scaled
    by its expected effective people over ``roster_for``, as the engine scales its roster day by
    day (:mod:`contactsim.engine.staffing`)."""
    labels, numbers, work = monthly_work_hours(scenario, channels)
    if not labels:
        return []
    people = {p: expected_people(scenario, p) for p in pools
              if scenario.pools[p].workforce is not None}
    staff = np.zeros(len(labels))
    for p in pools:
        spec = scenario.pools[p].workforce
        share = people[p][1] / spec.roster_for if spec is not None else 1.0
        staff += weekly_staff_hours(scenario, p) * share
    short = np.flatnonzero((staff <= 0) | (work > OVERLOAD * staff))
    if not short.size:
        return []
    m = int(short[0])
    month = f"{MONTH_NAMES[numbers[m]]} {labels[m][:4]}"
    when = f"by {month}" if m else f"in {month}, the run's first month,"
    keys = ", ".join(f"pools.{p}.workforce" for p in people)
    return [f"{keys}: {when} the expected {_who(scenario, people, m)} cannot carry the load of "
            f"{', '.join(channels)}: they need about {_about(work[m])} staff-hours a week that "
            f"month, but {', '.join(pools)} provide about {_about(staff[m])} after absence and "
            f"breaks {_overload_words(scenario, channels, float(work[m]), float(staff[m]))}"]
