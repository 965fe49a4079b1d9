"""Staffing: how many handlers each hour of the week needs, and a roster that provides them.

The planner's question is "how many people must we roster in each hour to answer 90% of 999
calls within 10 seconds?". Workforce tools answer it with Erlang formulas, which know nothing of
priorities, other channels sharing the pool, shift edges or callers who ring back. Here the
formula only gives the starting point: Erlang A (Erlang C when callers never hang up) on each
hour's offered load. The simulation itself then checks every hour, with common random numbers
(the same seed, so the same callers, at every step), and moves an hour's staffing only on clear
evidence: up by one where the hour's service-level confidence interval lies wholly below the
target, down by one where one fewer person still clearly meets it. "Clearly" is judged for 168
hours at once (a Bonferroni correction: a 5% chance over the whole week of one needless
addition, 1% of one false cut), by both the t interval over replications and a Wilson interval
on the pooled calls, and a cut needs at least 60 instances of the hour (replications x weeks),
so where the formula holds (a stationary M/M/c+M queue) the answer is the formula's.

**What "required" counts.** The number to *roster* in the hour: people to write into the roster
file, before absence and breaks take their share. During the search each hour is a one-hour
shift line; the pool's absence applies to it as it does to any shift (each rostered person
missing with the pool's chance), and breaks are spread evenly: a person on a shift of the mean
allowed length (10 hours by default) loses ``breaks_min`` minutes over it, so each hour carries
its share. With neither, required = staff on duty answering contacts.

**Which roster is suggested.** Every roster of allowed shifts the command tries is simulated as
written (absence drawn per shift, breaks taken within shifts) and kept with its figures:

- flat rosters, the same number on duty around the clock (a regular pattern, such as 12-hour
  shifts at 00:00 and 12:00, where one is as cheap as any), searched for the fewest that meet
  the target;
- the requirement covered with the fewest staff hours of any allowed shifts
  (:func:`~contactsim.analysis.rostering.cover`, which then keeps as few distinct shifts as it can
  without adding an hour), repaired where it falls short: hours whose service level is below the
  target get one more person and the shifts are chosen again, at most ``REPAIR_ROUNDS`` times;
- the requirement covered in one regular pattern (one shift length, the same evenly spaced start
  times every day: :func:`~contactsim.analysis.rostering.cover_regular`), repaired the same way.

The suggestion is the cheapest of them in staff hours whose weekly service level meets the
target, so no roster the command printed or tried meets it for fewer hours. A regular roster is
preferred on a tie (fewer start times, then fewer lines), and where one costs more the notes say
by how much, so the planner can choose it knowingly. A roster costing more than one already found
to meet the target is not simulated (it could not be suggested), except the first regular one.

**When the search is cut short.** Each round's moves are tested by the next round, so a search
that reaches ``max_iterations`` with hours still moving ends on an untested requirement; the
notes say so (and which way the hours were going), and the rosters' own simulated figures are
what the suggestion rests on.

**Where it lives.** The request, the plan and its parts are values in
:mod:`~contactsim.analysis.staff_model`; the hour-by-hour search is in
:mod:`~contactsim.analysis.staff_search` and the rosters of allowed shifts in
:mod:`~contactsim.analysis.staff_rosters`; this module joins them in :func:`plan`. The scenario
comes loaded (the ``staff`` job loads it) and the folder written from a plan is
:mod:`contactsim.results.staff`'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from contactsim.analysis.staff_model import (
    FAMILY_ERROR,
    FAMILY_ERROR_DOWN,
    MAX_ITERATIONS,
    MIN_INSTANCES_DOWN,
    REPAIR_ROUNDS,
    Candidate,
    Load,
    Plan,
    Request,
    Search,
    StaffingInputError,
    availability,
    channel_load,
    choose_pool,
    erlang_staff,
    to_roster,
)
from contactsim.analysis.staff_rosters import (
    choice_note,
    cover_requirement,
    flat_roster,
    flat_shifts,
    pattern_words,
    recommend,
    regular_note,
)
from contactsim.analysis.staff_search import (
    Simulator,
    early_stop_note,
    hourly_lines,
    pool_changes,
    search,
)
from contactsim.config.spec import Scenario
from contactsim.engine.roster import rostered_by_hour

__all__ = [  # with the names of its parts, so callers need import from here only
    "FAMILY_ERROR", "FAMILY_ERROR_DOWN", "MAX_ITERATIONS", "MIN_INSTANCES_DOWN", "REPAIR_ROUNDS",
    "Candidate", "Load", "Plan", "Request", "Search", "Simulator", "StaffingInputError",
    "channel_load", "early_stop_note", "erlang_staff", "flat_shifts", "hourly_lines",
    "pattern_words", "plan", "pool_changes", "recommend", "regular_note", "search",
]


def check_request(sc: Scenario, request: Request) -> str:
    """The pool to plan for, once the request is known to fit the scenario (else
    StaffingInputError)."""
    pool = choose_pool(sc, request.channel, request.pool)
    spec = sc.pools[pool]
    for hours in request.shift_hours:
        if spec.breaks_min >= 60 * hours:
            raise StaffingInputError("shift_hours", f"{hours}-hour shifts cannot hold pool "
                                     f"{pool!r}'s {spec.breaks_min:g} minutes of breaks")
    return pool


def evidence_notes(sc: Scenario) -> list[str]:
    """What the run's size lets the search conclude, where it is too small to move freely."""
    notes = []
    if sc.run.replications < 5:
        notes.append(f"only {sc.run.replications} replications: the search can rarely be "
                     "sure enough to move an hour away from the formula; use 10 or more")
    if sc.run.replications * math.floor(sc.run.days / 7) < MIN_INSTANCES_DOWN:
        notes.append(f"each hour of the week is seen fewer than {MIN_INSTANCES_DOWN} times "
                     "(replications x weeks), too few to be sure one fewer person would do, "
                     "so the search only added staff")
    return notes


def plan(request: Request, sc: Scenario, log: Callable[[str], None] = lambda _: None) -> Plan:
    """Answer the request for the scenario ``sc`` (loaded from ``request.file`` with
    ``request.overrides``): the Erlang start, the simulated requirement and the rosters tried.
    """
    pool = check_request(sc, request)
    spec = sc.pools[pool]
    mean_shift_h = sum(request.shift_hours) / len(request.shift_hours)
    share = availability(sc, pool, request.shift_hours)
    load = channel_load(sc, request.channel)
    try:
        on_duty_now = erlang_staff(load, request.target)
    except ValueError as exc:
        raise StaffingInputError("target", str(exc)) from None
    erlang = to_roster(on_duty_now, share)
    sim = Simulator(request, sc, pool, spec.breaks_min / mean_shift_h, log)
    notes = evidence_notes(sc)
    log(f"Erlang A start: {int(erlang.sum())} staff hours a week; searching with the simulation")
    found = search(sim, erlang, load, share, request.target, request.max_iterations)
    if found.stopped_early:
        notes.append(early_stop_note(found))
        log(f"  note: {notes[-1]}")
    tried: list[Candidate] = []
    log("flat roster: searching for the fewest people on duty around the clock")
    flat_n, flat = flat_roster(sim, int(found.required.max()), request, tried)
    log("suggested roster: choosing shifts and simulating them")
    unsimulated = cover_requirement(sim, found.required, request, regular=False, tried=tried)
    cover_requirement(sim, found.required, request, regular=True, tried=tried)
    chosen = recommend(tried, request.target)
    notes.extend(note for note in (choice_note(chosen, tried, request.target, unsimulated),
                                   regular_note(chosen, tried, request.target)) if note)
    return Plan(request, sc, pool, erlang, rostered_by_hour(spec), found, tried, chosen, flat,
                flat_n, notes)

