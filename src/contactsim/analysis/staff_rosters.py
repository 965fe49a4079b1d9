"""Rosters of allowed shifts, each simulated as written, and the one to suggest (see
:mod:`contactsim.analysis.staffing`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from contactsim.analysis.rostering import (
    RosterError,
    Shift,
    cover,
    cover_regular,
    roster_lines,
    staff_hours,
    start_times,
)
from contactsim.analysis.staff_model import (
    REPAIR_ROUNDS,
    Candidate,
    Request,
    StaffingInputError,
)
from contactsim.analysis.staff_search import Simulator, hourly_bounds, unreachable, weekly_sl
from contactsim.config.schema import MAX_ON_DUTY
from contactsim.timebase import HOURS_PER_WEEK

# --- rosters of allowed shifts, simulated as written ----------------------------------------


def try_roster(sim: Simulator, shifts: Sequence[Shift], label: str, kind: str,
               ) -> tuple[Candidate, np.ndarray]:
    """Simulate a roster as written: the candidate, and the hours whose mean falls short."""
    exp = sim.shifts(roster_lines(shifts))
    mean, _, high = hourly_bounds(exp, sim.request.channel)
    target = sim.request.target
    sl = weekly_sl(exp, sim.request.channel)
    sim.log(f"  {label}: {staff_hours(shifts):,} staff hours, {sl.mean:.1%} in target")
    found = Candidate(label, kind, tuple(shifts), sl, int((high < target).sum()))
    return found, np.nan_to_num(mean, nan=1.0) < target


def allowed_cover(need: np.ndarray, request: Request, *, regular: bool) -> list[Shift] | None:
    """The fewest staff hours of allowed shifts covering ``need`` (regular: in one pattern)."""
    try:
        if regular:
            return cover_regular(need, request.shift_hours, request.shift_starts)
        return cover(need, request.shift_hours, request.shift_starts)
    except RosterError as exc:  # the allowed shifts, as the planner gave them, fall short
        raise StaffingInputError("shift_starts", str(exc)) from None


def flat_shifts(n: int, request: Request) -> list[Shift]:
    """``n`` on duty around the clock in allowed shifts: a regular pattern where one is as
    cheap as any (12-hour shifts at two start times, say), else the cheapest cover."""
    need = np.full(HOURS_PER_WEEK, n)
    regular = allowed_cover(need, request, regular=True)
    if regular is not None and staff_hours(regular) == need.sum():  # no roster costs less
        return regular
    free = allowed_cover(need, request, regular=False)
    assert free is not None
    return min([s for s in (regular, free) if s is not None], key=regularity)


def regularity(shifts: Sequence[Shift]) -> tuple[int, int, int]:
    """The order rosters are preferred in: fewest staff hours, then start times, then lines."""
    return staff_hours(shifts), len(start_times(shifts)), len(roster_lines(shifts))


def flat_roster(sim: Simulator, highest: int, request: Request,
                tried: list[Candidate]) -> tuple[int, Candidate]:
    """The fewest people on duty around the clock whose weekly service level meets the target.

    Each number tried is written in allowed shifts and simulated as written (absence drawn per
    shift, breaks within shifts), and appended to ``tried``.
    """
    found: dict[int, Candidate] = {}

    def meets(n: int) -> bool:
        found[n], _ = try_roster(sim, flat_shifts(n, request),
                                 f"flat: {n} on duty around the clock", "flat")
        tried.append(found[n])
        return found[n].meets(request.target)

    fails, ok = 0, min(max(1, highest), MAX_ON_DUTY)
    while not meets(ok):
        if ok >= MAX_ON_DUTY:
            raise StaffingInputError("target", unreachable(sim.pool), "lower_target")
        fails, ok = ok, min(2 * ok, MAX_ON_DUTY)
    while ok - fails > 1:
        mid = (ok + fails) // 2
        fails, ok = (fails, mid) if meets(mid) else (mid, ok)
    return ok, found[ok]


def cover_requirement(sim: Simulator, required: np.ndarray, request: Request, *,
                      regular: bool, tried: list[Candidate]) -> int | None:
    """Rosters covering ``required``, simulated as written, appended to ``tried``.

    Where the roster as written falls short of the target (absence drawn per shift and breaks
    taken within shifts differ a little from the search's hour-by-hour view), hours whose
    service level is below the target get one more person and the shifts are chosen again, at
    most ``REPAIR_ROUNDS`` times. A roster with more staff hours than one already found to meet
    the target could never be suggested, so it is not simulated: its staff hours are returned
    (None when every roster was simulated). The first regular pattern is simulated whatever it
    costs, so the planner sees what a regular roster would take.
    """
    need = required.copy()
    kind = "regular" if regular else "requirement"
    for repairs in range(REPAIR_ROUNDS + 1):
        shifts = allowed_cover(need, request, regular=regular)
        if shifts is None:  # no regular pattern fits the allowed start times
            return None
        what = (f"{pattern_words(shifts)}, covering the requirement" if regular
                else "covering the requirement")
        best = min((c.hours for c in tried if c.meets(request.target)), default=None)
        if best is not None and staff_hours(shifts) > best and (repairs or not regular):
            return staff_hours(shifts)
        label = what + (f", {repairs} repair{'s' * (repairs > 1)}" if repairs else "")
        found, short = try_roster(sim, shifts, label, kind)
        tried.append(found)
        if found.meets(request.target):
            return None
        need = need + short
    return None


def pattern_words(shifts: Sequence[Shift]) -> str:
    """``"12-hour shifts at 07:00 and 19:00"``: a roster's lengths and start times."""
    lengths = "/".join(str(n) for n in sorted({s.hours for s in shifts}))
    starts = [f"{h:02d}:00" for h in start_times(shifts)]
    at = ", ".join(starts[:-1]) + " and " + starts[-1] if len(starts) > 1 else "".join(starts)
    return f"{lengths}-hour shifts at {at}"


def regular_note(chosen: Candidate, candidates: Sequence[Candidate],
                 target: float) -> str | None:
    """What a regular pattern would take, when the suggestion is not one."""
    regular = [c for c in candidates if c.kind in ("regular", "flat") and c.meets(target)]
    if chosen in regular or not regular:
        return None
    best = min(regular, key=lambda c: regularity(c.shifts))
    if len(best.starts) >= len(chosen.starts):  # the suggestion is as regular already
        return None
    more = best.hours - chosen.hours
    also = f" ({best.label})" if best.kind == "flat" else ""
    return (f"a regular roster, {pattern_words(best.shifts)} every day{also}, "
            f"meets the target with {best.hours:,} staff hours: {more:,} more than the "
            f"suggestion ({more / chosen.hours:+.0%}) for {len(best.starts)} start times "
            f"instead of {len(chosen.starts)}; its lines are in staffing.json and the report")


def recommend(candidates: Sequence[Candidate], target: float) -> Candidate:
    """The candidate to suggest: the fewest staff hours among those that meet the target.

    So no roster the command tried meets the target for fewer staff hours than the one it
    suggests. Ties go to the more regular roster (fewer start times, then fewer lines), then to
    the one tried first. If none meets the target, the one with the highest service level.
    """
    meeting = [c for c in candidates if c.meets(target)]
    if not meeting:
        return max(candidates, key=lambda c: c.service_level.mean)
    return min(meeting, key=lambda c: regularity(c.shifts))


def choice_note(chosen: Candidate, candidates: Sequence[Candidate], target: float,
                unsimulated: int | None) -> str | None:
    """Why the suggestion is not the roster covering the requirement, when it is not.

    ``unsimulated``: the staff hours of a roster covering the requirement that was not
    simulated because it could not have been suggested (more hours than one that meets).
    """
    if chosen.kind == "requirement":
        return None
    covers = [c.hours for c in candidates if c.kind == "requirement" and c.meets(target)]
    if covers and min(covers) == chosen.hours:
        why = (f"the same staff hours as the roster covering the hour-by-hour requirement, "
               f"with {len(chosen.starts)} start times")
    elif covers:
        why = (f"fewer than the roster covering the hour-by-hour requirement ({min(covers):,}, "
               "which meets it too)")
    elif unsimulated is not None:
        why = (f"fewer than a roster covering the hour-by-hour requirement would take "
               f"({unsimulated:,}; not simulated, since it could not be suggested)")
    else:
        why = "while the rosters covering the hour-by-hour requirement fell short of it"
    short = (f"; {chosen.short_hours} hours of the week are clearly below the target on their "
             "own, made up by the others" if chosen.short_hours else "")
    return (f"suggested: {chosen.label}, which meets the target over the week with "
            f"{chosen.hours:,} staff hours, {why}{short}")

