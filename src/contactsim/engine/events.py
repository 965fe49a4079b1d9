"""The engine's events: timed callbacks, on a SimPy environment fed with arrivals.

SimPy's idiom of a process per caller is clear but slow. The engine instead schedules plain
callbacks on a SimPy environment's event queue: a service ending, a caller's patience running
out, a shift change. A :class:`Call` is the lightest thing that can sit on that queue: the
function to run and the object it works on (``_value``, as on a SimPy event), with none of an
event's machinery (a callback list, success and failure, yielding from processes), which the
engine never uses for them. The environment runs them, and SimPy's own events (the run's end),
in one time order.

Arrivals are different: they are drawn in advance, a day at a time, already sorted. Putting
each on the event queue only to take it off again costs as much as the rest of a call's
handling, so :class:`Environment` merges the sorted stream of arrivals into SimPy's loop: at
each step it runs whichever comes first, the next arrival or the next scheduled event.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any, cast

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, Event

#: SimPy's event queue: (time, priority, sequence number, Event or Call) entries.
Heap = list[tuple[float, int, int, Any]]


class Call:
    """``fn(call)`` runs ``delay`` seconds from now; ``call._value`` is what it works on."""

    __slots__ = ("_value", "fn")

    def __init__(self, env: simpy.Environment, delay: float, fn: Callable[[Call], Any],
                 value: Any) -> None:
        self.fn = fn
        self._value = value
        # The heap entry Environment.schedule(event, NORMAL, delay) would push.
        heappush(cast(Heap, env._queue), (env._now + delay, NORMAL, next(env._eid), self))


class Environment(simpy.Environment):
    """A SimPy environment that runs :class:`Call` entries and a sorted stream of arrivals.

    ``feed_time`` is when the next arrival happens (infinity when there is none) and
    ``feed()`` handles it and sets the following ``feed_time``. Arrivals never go on the event
    queue. An arrival and an event at exactly the same time: the event runs first.

    The engine reads the clock as ``env._now`` on its hottest paths (the ``now`` property
    costs a function call); it is the same value.
    """

    def __init__(self) -> None:
        super().__init__()
        self.feed_time = math.inf
        self.feed: Callable[[], None] = _no_feed

    def step(self) -> None:
        """Process the next scheduled entry: a Call runs its function; an Event as in SimPy."""
        try:
            self._now, _, _, entry = heappop(cast(Heap, self._queue))
        except IndexError:
            raise EmptySchedule from None
        if entry.__class__ is Call:
            entry.fn(entry)
        else:
            _fire(entry)

    def run_until(self, done: Event) -> None:
        """Run arrivals and scheduled entries in time order until ``done`` is triggered."""
        done.callbacks.append(StopSimulation.callback)
        queue = cast(Heap, self._queue)
        try:
            while True:
                if queue and queue[0][0] <= self.feed_time:
                    # step(), inlined: this is the engine's hottest loop.
                    self._now, _, _, entry = heappop(queue)
                    if entry.__class__ is Call:
                        entry.fn(entry)
                    else:
                        _fire(entry)
                elif self.feed_time < math.inf:
                    # Subclass privilege: advance the clock to the arrival, as step() does
                    # for a scheduled event.
                    self._now = self.feed_time
                    self.feed()
                else:
                    raise EmptySchedule
        except StopSimulation:
            return


def _fire(event: Event) -> None:
    """A SimPy event's turn, exactly as simpy.Environment.step() handles it."""
    callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc


def _no_feed() -> None:
    raise RuntimeError("no arrival stream attached")
