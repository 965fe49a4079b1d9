"""The suggested roster verified at full precision: its figures, the hour bands it still
misses, and a repair where it falls short (see :mod:`contactsim.analysis.staffing`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from contactsim.analysis.experiment import Experiment
from contactsim.analysis.rostering import Shift, on_duty, roster_lines, staff_hours, start_times
from contactsim.analysis.staff_model import REPAIR_ROUNDS, Band, Candidate
from contactsim.analysis.staff_search import (
    Simulator,
    covering,
    hourly_bounds,
    pooled_hourly,
    weekly_sl,
)
from contactsim.timebase import HOURS_PER_WEEK


def short_bands(exp: Experiment, channel: str, target: float,
                clearly: np.ndarray) -> tuple[Band, ...]:
    """Runs of consecutive hours whose service level (over every replication's calls) is below
    the target, each with its own service level and weekly calls."""
    p, calls = pooled_hourly(exp, channel)
    weeks = len(exp.replications) * exp.scenario.run.days / 7
    short = (calls > 0) & (np.nan_to_num(p, nan=1.0) < target)
    bands: list[Band] = []
    h = 0
    while h < HOURS_PER_WEEK:
        if not short[h]:
            h += 1
            continue
        end = h
        while end + 1 < HOURS_PER_WEEK and short[end + 1]:
            end += 1
        span = slice(h, end + 1)
        answered = float((p[span] * calls[span]).sum())
        total = float(calls[span].sum())
        bands.append(Band(h, end - h + 1, answered / total, total / max(weeks, 1e-9),
                          bool(clearly[span].any())))
        h = end + 1
    return tuple(bands)


def verify(sim: Simulator, shifts: Sequence[Shift], label: str, kind: str,
           ) -> tuple[Candidate, np.ndarray]:
    """Simulate a roster as written at full precision: the candidate, and the hours whose
    service level falls short of the target."""
    exp = sim.shifts(shifts)
    channel, target = sim.request.channel, sim.request.target
    _, _, high = hourly_bounds(exp, channel)
    clearly = high < target
    sl = weekly_sl(exp, channel)
    bands = short_bands(exp, channel, target, clearly)
    sim.log(f"  {label}: {staff_hours(shifts):,} staff hours, {sl.mean:.1%} in target "
            f"({len(exp.replications)} replications)")
    found = Candidate(label, kind, tuple(shifts), sl, int(clearly.sum()), bands)
    short = np.zeros(HOURS_PER_WEEK, dtype=bool)
    for b in bands:
        short[b.first_hour:b.first_hour + b.hours] = True
    return found, short


def verified(sim: Simulator, need: np.ndarray, patterns: Sequence[tuple[int, int]],
             shifts: Sequence[Shift] = (),
             ) -> list[tuple[Candidate, np.ndarray]]:
    """The roster covering ``need`` (``shifts`` when given: one that does), verified; where it
    misses the target over the week or leaves hours clearly below it (all 168 judged
    together), the hours below it get one more person than it gave them and the roster is
    chosen and verified again, at most
    :data:`REPAIR_ROUNDS` times. An hour whose mean falls a little short while no hour is
    clearly short is chance as likely as not: it is reported (a band), not staffed up.
    Returns each roster verified with the requirement it covers."""
    shifts = list(shifts) or covering(need, patterns)
    found, short = verify(sim, shifts, "covering the requirement", "requirement")
    tried = [(found, need)]
    for repair in range(1, REPAIR_ROUNDS + 1):
        if found.meets(sim.request.target) and not found.short_hours:
            break
        need = np.where(short, on_duty(shifts) + 1, need)
        shifts = covering(need, patterns)
        label = f"covering the requirement, {repair} repair{'s' * (repair > 1)}"
        found, short = verify(sim, shifts, label, "repaired")
        tried.append((found, need))
    return tried


def regularity(shifts: Sequence[Shift]) -> tuple[int, int, int]:
    """The order rosters are preferred in: fewest staff hours, then start times, then lines."""
    return staff_hours(shifts), len(start_times(shifts)), len(roster_lines(shifts))


def recommend(candidates: Sequence[Candidate], target: float) -> Candidate:
    """The candidate to suggest: of those that meet the target over the week, the one with the
    fewest hours clearly short, then the fewest hours below the target, then the fewest staff
    hours (then the more regular roster). If none meets the target, the one with the highest
    service level."""
    meeting = [c for c in candidates if c.meets(target)]
    if not meeting:
        return max(candidates, key=lambda c: c.service_level.mean)
    return min(meeting, key=lambda c: (c.short_hours, sum(b.hours for b in c.bands),
                                       *regularity(c.shifts)))


def pattern_words(shifts: Sequence[Shift]) -> str:
    """``"12-hour shifts at 07:00 and 19:00"``: a roster's lengths and start times."""
    lengths = "/".join(str(n) for n in sorted({s.hours for s in shifts}))
    starts = [f"{h:02d}:00" for h in start_times(shifts)]
    at = ", ".join(starts[:-1]) + " and " + starts[-1] if len(starts) > 1 else "".join(starts)
    return f"{lengths}-hour shifts at {at}"
