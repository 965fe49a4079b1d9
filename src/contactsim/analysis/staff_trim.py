"""Trimming the screened roster: people taken off shifts whose every hour has a surplus.

The cover of the hourly requirement by the allowed shifts is exact (fewest staff hours,
:func:`~contactsim.analysis.rostering.cover_patterns`), but a force's own patterns rarely fit
the requirement's shape: where three shifts overlap (say 07:00-17:00, 10:00-20:00 and
15:00-01:00), the hours they share get far more people than they need, while each shift's
other hours hold its headcount up. The requirement is also judged hour by hour, while a
queue's hours help one another (a spare person at 08:59 still answers at 09:01).

So, after screening, each round takes people off every shift line whose hours all lie clearly
above the target (more than :data:`~contactsim.analysis.staff_search.SCREEN_Z` standard errors)
and screens the result with the same replications (common random numbers: only the roster
differs). A removal is kept only if no hour on or just after its shift falls below the target
(nor, if it was below already, any lower); the others are put back and tried again with half
as many people, until nothing is left to try or :data:`TRIM_SCREENS` screenings have run.
The final roster is then verified at full precision like any other.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from contactsim.analysis.experiment import Experiment
from contactsim.analysis.rostering import Shift, on_duty
from contactsim.analysis.staff_model import Load, to_roster
from contactsim.analysis.staff_search import Simulator, pooled_hourly, screen_low
from contactsim.timebase import HOURS_PER_WEEK

#: Screening runs the trim may spend at most (each the first few replications, as screening).
TRIM_SCREENS = 6
#: Hours after a shift's end whose fall still counts against taking people off it (the queue
#: a shift leaves behind is answered by the next one).
SPILL_HOURS = 2

Key = tuple[int, int, int]  # day, start hour, length: one shift line on one day


def key(s: Shift) -> Key:
    return s.day, s.start_h, s.hours


def span(s: Shift, after: int = 0) -> np.ndarray:
    """The hours of the week a shift covers (and ``after`` hours beyond its end)."""
    return (s.first_hour + np.arange(s.hours + after)) % HOURS_PER_WEEK


def spare(load: Load, share: float, target: float, duty: np.ndarray, p: np.ndarray,
          clear: np.ndarray) -> np.ndarray:
    """People each clearly-above hour could lose, by the formula applied to what the hour's
    simulated service level implies (half the gap, at least one); none elsewhere."""
    out = np.zeros(HOURS_PER_WEEK, dtype=int)
    for h in np.flatnonzero(clear & (duty > 0)):
        agents = max(1, math.floor(duty[h] * share))
        observed = min(float(np.nan_to_num(p[h], nan=1.0)), 1.0 - 1e-9)
        rate = load.equivalent_rate(max(float(load.per_hour[h]), 1e-6), agents, observed)
        try:
            needed = int(to_roster(np.array([load.agents(rate, target)]), share)[0])
        except ValueError:
            continue
        gap = int(duty[h]) - needed
        out[h] = max(1, gap // 2) if gap >= 1 else 0
    return out


def cuts(shifts: Sequence[Shift], room: np.ndarray, clear: np.ndarray,
         caps: dict[Key, int]) -> dict[Key, int]:
    """People to take off each line whose hours are all clearly above the target: the least
    room over its hours, shared out so that lines sharing an hour do not both spend it
    (the most staff hours first)."""
    room = room.copy()
    out: dict[Key, int] = {}
    for s in sorted(shifts, key=lambda s: (-s.hours * s.staff, key(s))):
        hours = span(s)
        if not clear[hours].all():
            continue
        k = min(int(room[hours].min()), s.staff, caps.get(key(s), s.staff))
        if k > 0:
            out[key(s)] = k
            room[hours] -= k
    return out


def without(shifts: Sequence[Shift], taken: dict[Key, int]) -> list[Shift]:
    """The roster with ``taken`` people off each line (lines left empty dropped)."""
    out = [dataclasses.replace(s, staff=s.staff - taken.get(key(s), 0)) for s in shifts]
    return [s for s in out if s.staff > 0]


def harmed(before: np.ndarray, after: np.ndarray, calls: np.ndarray, target: float,
           ) -> np.ndarray:
    """Hours that fell below the target, or further below it, from ``before`` to ``after``."""
    with np.errstate(invalid="ignore"):
        fell = (after < target) & ((before >= target) | (after < before))
    return np.asarray(fell & (calls > 0), dtype=bool)


def trim(sim: Simulator, shifts: Sequence[Shift], screened: Experiment | None, load: Load,
         share: float, replications: int) -> tuple[list[Shift], int]:
    """The screened roster with what it can spare taken off (see the module's words), and the
    screening runs spent."""
    channel, target = sim.request.channel, sim.request.target
    current, ref = list(shifts), screened
    caps: dict[Key, int] = {}
    spent = 0
    while spent < TRIM_SCREENS:
        if ref is None:
            ref = sim.shifts(current, replications)
            spent += 1
            continue
        p, calls = pooled_hourly(ref, channel)
        clear = (calls == 0) | (screen_low(ref, channel) > target)
        room = spare(load, share, target, on_duty(current), p, clear)
        taken = cuts(current, room, clear, caps)
        if not taken:
            break
        trial = without(current, taken)
        tried = sim.shifts(trial, replications)
        spent += 1
        after, _ = pooled_hourly(tried, channel)
        bad = harmed(p, after, calls, target)
        back = {k: n for k, n in taken.items()
                if bad[span(Shift(*k, staff=1), SPILL_HOURS)].any()}
        for k, n in back.items():
            caps[k] = n // 2
        kept = {k: n for k, n in taken.items() if k not in back}
        current = without(current, kept)
        ref = tried if not back else (ref if not kept else None)
        sim.log(f"  trimming: {sum(kept.values())} people off {len(kept)} shifts kept, "
                f"{len(back)} put back")
    return current, spent
