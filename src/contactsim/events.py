"""The engine's one kind of event: a timeout that calls a function.

SimPy's idiom of a process per caller is clear but slow. The engine instead schedules plain
events with one callback each on a :class:`simpy.Environment`: a caller joining a queue, a
service ending, a caller's patience running out. ``value`` carries the object the callback
works on (a contact, a handler...).
"""

from __future__ import annotations

from typing import Any

import simpy
from simpy.events import NORMAL, Event


class Call(Event):
    """An event that fires after ``delay`` seconds and calls ``fn(event)``."""

    def __init__(self, env: simpy.Environment, delay: float, fn: Any, value: Any) -> None:
        # Inlined from simpy's Timeout: this constructor is on the hot path.
        self.env = env
        self.callbacks = [fn]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)
