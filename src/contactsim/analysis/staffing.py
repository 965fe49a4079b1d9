"""Staffing: how many handlers each hour of the week needs, and a roster a force could work.

The planner's question is "how many people must we roster in each hour to answer 90% of 999
calls within 10 seconds, and how many is that in post?". It is answered in three steps, so that
the whole costs a few runs of the scenario, not dozens:

1. **The formula, hour by hour.** The modified offered load with Erlang A (Erlang C when callers
   never hang up) gives the people on duty each hour for the channel; a pool that answers other
   voice channels too carries their mean work as well
   (:mod:`~contactsim.analysis.staff_load`). Divided by the share of rostered time a person is
   on duty (absence on the day, breaks), it is the people to roster. On a steady load this is
   the plain Erlang figure.
2. **Screening.** The fewest staff hours of the allowed shifts covering that requirement
   (:func:`~contactsim.analysis.rostering.cover_patterns`) are simulated with only the first
   ``SCREEN_REPLICATIONS`` replications, the same ones every round (common random numbers: two
   rounds differ only in the roster). Hours clearly short of the target get more people, and
   the roster is chosen again, until none is clearly short or ``max_iterations`` rounds have
   run. Hours never come down: where only the channel's own calls matter, the formula holds.
   The cover is exact (an integer programme), so where the pool's own shifts overlap (say
   07:00-17:00 and 15:00-01:00 both needed in full for their other hours) the hours they share
   get more people than they need: that is the patterns' cost, not the solver's. **Trimming**
   (:mod:`~contactsim.analysis.staff_trim`) then takes people off shift lines whose every hour
   lies clearly above the target, with the same replications, keeping a removal only if no
   hour falls below the target; the requirement is lowered to what the trimmed roster puts on
   duty where it was enough. The plan also names the one start time whose addition would cover
   the requirement most cheaply (:func:`~contactsim.analysis.rostering.one_more_start`).
3. **Verification.** The final roster is simulated at full precision (every replication) as
   written. Where it misses the target over the week or leaves hours clearly short (all 168
   judged together), those hours get one more person and it is verified again, at most
   ``REPAIR_ROUNDS`` times; the suggestion is the best verified roster, and every band of hours
   it still leaves below the target is reported with its service level.

**The allowed shifts.** By default the pool's own shift patterns: each roster line's start and
length, on any day; only headcounts change. ``shift_hours`` and ``shift_starts`` widen the
choice. So the suggestion is never a flat 24/7 team unless that is the pattern given.

**What "required" counts.** The people to roster in each hour: before absence and breaks take
their share. :class:`~contactsim.analysis.staff_model.Workforce` turns staff hours into people
in post (full-time equivalents), with the pool's ``leave`` and ``contracted_hours``.

**Where it lives.** The request, the plan and its parts are values in
:mod:`~contactsim.analysis.staff_model`; the screening in
:mod:`~contactsim.analysis.staff_search`; verification in
:mod:`~contactsim.analysis.staff_rosters`; this module joins them in :func:`plan`. The folder
written from a plan is :mod:`contactsim.results.staff`'s, and its words are present's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from contactsim.analysis import rostering
from contactsim.analysis.rostering import staff_hours
from contactsim.analysis.staff_load import on_duty_requirement
from contactsim.analysis.staff_model import (
    FAMILY_ERROR,
    MAX_ITERATIONS,
    REPAIR_ROUNDS,
    SCREEN_REPLICATIONS,
    Band,
    Candidate,
    Load,
    Plan,
    Request,
    Search,
    StaffingInputError,
    Workforce,
    allowed_patterns,
    availability,
    channel_load,
    choose_pool,
    erlang_staff,
    to_roster,
)
from contactsim.analysis.staff_rosters import pattern_words, recommend, verified
from contactsim.analysis.staff_search import (
    Simulator,
    covering,
    hourly_lines,
    pool_changes,
    search,
)
from contactsim.analysis.staff_trim import trim
from contactsim.config.spec import Scenario
from contactsim.engine.roster import rostered_by_hour

__all__ = [  # with the names of its parts, so callers need import from here only
    "FAMILY_ERROR", "MAX_ITERATIONS", "REPAIR_ROUNDS", "SCREEN_REPLICATIONS", "Band",
    "Candidate", "Load", "Plan", "Request", "Search", "Simulator", "StaffingInputError",
    "Workforce", "channel_load", "erlang_staff", "hourly_lines", "pattern_words", "plan",
    "pool_changes", "recommend", "search",
]


def check_request(sc: Scenario, request: Request) -> tuple[str, list[tuple[int, int]]]:
    """The pool to plan for and the shifts allowed, once the request is known to fit the
    scenario (else StaffingInputError)."""
    pool = choose_pool(sc, request.channel, request.pool)
    spec = sc.pools[pool]
    patterns = allowed_patterns(sc, pool, request)
    for _, hours in patterns:
        if spec.breaks_min >= 60 * hours:
            raise StaffingInputError("shift_hours", f"{hours}-hour shifts cannot hold pool "
                                     f"{pool!r}'s {spec.breaks_min:g} minutes of breaks")
    return pool, patterns


def workforce(sc: Scenario, pool: str, share: float) -> Workforce:
    spec = sc.pools[pool]
    return Workforce(spec.contracted_hours, spec.leave, spec.absence, share)


def plan(request: Request, sc: Scenario, log: Callable[[str], None] = lambda _: None) -> Plan:
    """Answer the request for the scenario ``sc`` (loaded from ``request.file`` with
    ``request.overrides``): the formula's start, the screened requirement and the verified
    roster."""
    pool, patterns = check_request(sc, request)
    share = availability(sc, pool, patterns)
    load = channel_load(sc, request.channel)
    try:
        on_duty = on_duty_requirement(sc, pool, load, request.channel, request.target)
    except ValueError as exc:
        raise StaffingInputError("target", str(exc)) from None
    start = to_roster(on_duty, share)
    sim = Simulator(request, sc, pool, log)
    screen = min(SCREEN_REPLICATIONS, sc.run.replications)
    log(f"formula: {int(start.sum()):,} staff hours a week; screening with {screen} "
        "replications")
    found = search(sim, start, load, share, patterns, screen)
    shifts = list(found.shifts) or covering(found.required, patterns)
    trimmed, spent = trim(sim, shifts, found.screened if found.shifts else None, load, share,
                          screen)
    need = np.minimum(found.required, rostering.on_duty(trimmed))
    found = dataclasses.replace(found, required=need, shifts=tuple(trimmed), screened=None,
                                trimmed=staff_hours(shifts) - staff_hours(trimmed),
                                trim_screens=spent)
    log("verifying the roster with every replication")
    tried = verified(sim, need, patterns, trimmed)
    candidates = [c for c, _ in tried]
    chosen = recommend(candidates, request.target)
    need = tried[candidates.index(chosen)][1]
    wider = None
    if not request.shift_hours and not request.shift_starts:
        wider = rostering.one_more_start(need, patterns)
    return Plan(request, sc, pool, start, rostered_by_hour(sc.pools[pool]), found, need,
                candidates, chosen, workforce(sc, pool, share), tuple(patterns), on_duty,
                screen, one_more_start=wider)
