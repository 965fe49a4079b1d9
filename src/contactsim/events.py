"""The engine's events: timeouts that call a function, on an environment fed with arrivals.

SimPy's idiom of a process per caller is clear but slow. The engine instead schedules plain
events with one callback each on a SimPy environment: a service ending, a caller's patience
running out, a shift change. ``value`` carries the object the callback works on.

Arrivals are different: they are drawn in advance, a day at a time, already sorted. Putting
each on the event heap only to take it off again costs as much as the rest of a call's
handling, so :class:`Environment` merges the sorted stream of arrivals into SimPy's loop: at
each step it runs whichever comes first, the next arrival or the next scheduled event.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, Event


class Call(Event):
    """An event that fires after ``delay`` seconds and calls ``fn(event)``."""

    def __init__(self, env: simpy.Environment, delay: float, fn: Any, value: Any) -> None:
        # Inlined from simpy's Timeout and Environment.schedule: this is the hot path. The
        # heap entry is exactly the one Environment.schedule(self, NORMAL, delay) pushes.
        self.env = env
        self.callbacks = [fn]
        self._value = value
        self._ok = True
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))


class Environment(simpy.Environment):
    """A SimPy environment that also runs a time-sorted stream of arrivals.

    ``feed_time`` is when the next arrival happens (infinity when there is none) and
    ``feed()`` handles it and sets the following ``feed_time``. Arrivals never go on the event
    heap. An arrival and an event at exactly the same time: the event runs first.

    The engine reads the clock as ``env._now`` on its hottest paths (the ``now`` property
    costs a function call); it is the same value.
    """

    def __init__(self) -> None:
        super().__init__()
        self.feed_time = math.inf
        self.feed: Callable[[], None] = _no_feed

    def run_until(self, done: Event) -> None:
        """Run arrivals and events in time order until ``done`` is triggered."""
        done.callbacks.append(StopSimulation.callback)
        queue = self._queue
        step = self.step
        try:
            while True:
                if queue and queue[0][0] <= self.feed_time:
                    step()
                elif self.feed_time < math.inf:
                    # Subclass privilege: advance the clock to the arrival, as step() does
                    # for a scheduled event.
                    self._now = self.feed_time
                    self.feed()
                else:
                    raise EmptySchedule
        except StopSimulation:
            return


def _no_feed() -> None:
    raise RuntimeError("no arrival stream attached")
