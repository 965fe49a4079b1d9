"""Staffing over months: the workforce pipeline applied to the room's roster and handle times.

A pool with a ``workforce`` table (DESIGN §11) has, each measured day, ``available`` people on
the roster (:mod:`contactsim.engine.workforce` draws them, per replication, from the stream
:meth:`~contactsim.engine.streams.StreamName.leavers`). Its roster's ``staff`` numbers describe
``roster_for`` people, so each shift starting on a day is scaled by ``available / roster_for``
for that day, and the day's shifts are rounded together so the day's total is right: the
total is the scaled total rounded half up, each shift gets the whole part of its own scaled
number, and the people left over go one each to the shifts with the largest remainders (the
largest-remainder method). Among equal remainders (a ``staff_by_hour`` pool's 24 lines of 1.5
people) the extra people are spread along the day as cumulative rounding would place them,
every other hour, rather than all given to the first hours. Absence and breaks then apply to
the scaled numbers as they do to a fixed roster. Warm-up days use the start date's people, and
the days after the measured window (while the run drains) the last measured day's.

New handlers are slower: a pool whose recruits ramp up has, each day, the mean handle-time
factor of its available people (the ramping share at their own factor, the rest at 1). Each
contact the pool answers has its handle time (not its wrap-up) multiplied by the factor of the
day it is answered: the pool's mean work rate is right without deciding which handler is new.

A scenario without a workforce builds a :class:`Staffing` with nothing to do: no stream is
drawn, no roster line is touched, and the room's hot path is not wrapped, so its results are
exactly those of a room with no workforce at all.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from functools import partial

import numpy as np

from contactsim.config.spec import Scenario, WorkforceSpec
from contactsim.engine.entities import Contact, Handler
from contactsim.engine.events import EventLoop
from contactsim.engine.streams import StreamName, Streams
from contactsim.engine.workforce import Pipeline, draw_pipeline
from contactsim.timebase import DAY_S

#: A week's shift instances, ``(start_s, end_s, headcount)``.
Shifts = Iterable[tuple[float, float, int]]
Scaler = Callable[[Shifts], list[tuple[float, float, int]]]
Start = Callable[[Handler, Contact], None]


def _half_up(x: float) -> int:
    return math.floor(x + 0.5 + 1e-9)


def shares_to_total(wanted: list[float]) -> list[int]:
    """Whole numbers near ``wanted`` adding up to their total rounded half up: each rounded
    down, then one more for the largest remainders; among equal remainders, first those that
    cumulative rounding gives one more, then the earlier."""
    out = [math.floor(w + 1e-9) for w in wanted]
    short = _half_up(sum(wanted)) - sum(out)
    cum = [_half_up(x) for x in itertools.accumulate(wanted, initial=0.0)]
    spread = [cum[i + 1] - cum[i] - out[i] for i in range(len(wanted))]
    order = sorted(range(len(wanted)), key=lambda i: (-round(wanted[i] - out[i], 9),
                                                       -spread[i], i))
    for i in order[:max(short, 0)]:
        out[i] += 1
    return out


def _leavers_stream(streams: Streams, pool: str, group: str) -> np.random.Generator:
    """The stream of one group's leavers (see :func:`~contactsim.engine.workforce.
    draw_pipeline`)."""
    return streams(StreamName.leavers(pool, group))


class Staffing:
    """The workforce of each pool of one replication, and what it does to the room.

    ``pipelines``: pool name -> its drawn :class:`Pipeline` (pools with a workforce only);
    ``scalers``: by pool index, the roster scaler for :func:`~contactsim.engine.roster.
    week_changes`, or None; ``ramps``: by pool index, the handle factor of each simulated day
    (warm-up days first, at the start date's factor), or None where nobody ramps.
    """

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        cal = scenario.calendar
        self.pipelines: dict[str, Pipeline] = {}
        self.scalers: list[Scaler | None] = []
        self.ramps: list[list[float] | None] = []
        self.warmup_days = cal.warmup_days if cal is not None else 0
        for name, pool in scenario.pools.items():
            spec = pool.workforce
            if spec is None or cal is None:
                self.scalers.append(None)
                self.ramps.append(None)
                continue
            pipe = draw_pipeline(spec, cal.start_date, math.ceil(scenario.run.days),
                                 partial(_leavers_stream, streams, name))
            self.pipelines[name] = pipe
            self.scalers.append(self._scaler(spec, pipe))
            slow = spec.ramp_factor > 1 and pipe.handle_factor.max() > 1
            factors = [float(f) for f in pipe.handle_factor]
            self.ramps.append([factors[0]] * self.warmup_days + factors if slow else None)

    def _day(self, t: float, n_days: int) -> int:
        """The measured day of simulated time ``t``, held within the measured days."""
        return min(max(int(t // DAY_S) - self.warmup_days, 0), n_days - 1)

    def _scaler(self, spec: WorkforceSpec, pipe: Pipeline) -> Scaler:
        share = [float(a) / spec.roster_for for a in pipe.available]

        def scale(shifts: Shifts) -> list[tuple[float, float, int]]:
            out = list(shifts)
            by_day: dict[int, list[int]] = {}
            for k, (start, _, _) in enumerate(out):
                by_day.setdefault(self._day(start, len(share)), []).append(k)
            for day, ks in by_day.items():
                heads = shares_to_total([out[k][2] * share[day] for k in ks])
                for k, n in zip(ks, heads, strict=True):
                    out[k] = (out[k][0], out[k][1], n)
            return out

        return scale

    def ramped(self, env: EventLoop, start: Start) -> Start:
        """``start`` (the room's ``_start``) with each contact's handle time, the first time it
        is answered, multiplied by its pool's factor of the day."""
        ramps = self.ramps

        def ramped_start(h: Handler, c: Contact) -> None:
            if not c.answered:
                factors = ramps[h.pool.index]
                if factors is not None:
                    day = int(env.now // DAY_S)  # simulated day; past the last: the last's
                    c.work *= factors[day] if day < len(factors) else factors[-1]
            start(h, c)

        return ramped_start

    @property
    def ramping(self) -> bool:
        return any(r is not None for r in self.ramps)
