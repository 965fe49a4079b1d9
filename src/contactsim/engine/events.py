"""The engine's event loop: timed callbacks and a sorted stream of arrivals, in one time order.

SimPy's idiom of a process per caller is clear but slow (see ``benchmarks/engine.py``). All the
engine needs is "run this function on this object at that time": a service ending, a caller's
patience running out, a shift change. A :class:`Call` is exactly that, and :class:`EventLoop`
runs them in time order.

Why a loop of our own rather than SimPy's: the engine used to push its calls onto a SimPy
environment's queue, which meant reaching into SimPy's private ``_queue``, ``_now`` and
``_eid`` under a ``<5`` version pin, a class check on every entry to tell its calls from
SimPy's events, and a SimPy event only to say the run was over. None of SimPy's machinery
(processes, conditions, resources) was used. This loop is the few lines of it that were, with
nothing private to reach into and less work per event. The order is SimPy's own for events of
one priority: earliest time first, then the order they were scheduled in, so results are the
same to the last bit.

How it keeps that order: a heap of the times at which something is due (plain floats, each
time once) and a dict from each of those times to what is due then, an entry or, when several
fall due at exactly the same time, a :class:`_Ties` line of them in the order scheduled. The
obvious heap of ``(time, sequence number, entry)`` tuples gives the same order, but comparing
two tuples costs several times what comparing two floats does, and a heap of a few dozen
entries compares a dozen times per event; the dict's look-ups cost less.

Arrivals are different: they are drawn in advance, a day at a time, already sorted. Putting
each on the heap only to take it off again costs as much as the rest of a call's handling, so
the loop merges the sorted batches of arrivals in: at each step it runs whichever comes first,
the next arrival or the next scheduled call (the scheduled call, at the same time).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from heapq import heapify, heappop, heappush
from typing import Any


class Call:
    """``fn(call)`` runs ``delay`` seconds from now; ``call._value`` is what it works on (the
    name SimPy gives an event's value, kept so hooks written for either read the same)."""

    __slots__ = ("_value", "fn")

    def __init__(self, loop: EventLoop, delay: float, fn: Callable[[Call], Any],
                 value: Any) -> None:
        self.fn = fn
        self._value = value
        loop.add(loop.now + delay, self)


class _Ties(deque[Any]):
    """Entries due at exactly the same time ``at``, in the order they were scheduled. The line
    is the loop's entry for that time: its ``fn`` runs them (so the loop need not check)."""

    __slots__ = ("at", "loop")

    def __init__(self, loop: EventLoop, at: float, entries: tuple[Any, ...]) -> None:
        super().__init__(entries)
        self.loop = loop
        self.at = at

    def fn(self, _: Any) -> None:
        """Run them in order. The line is back in ``due`` meanwhile, so a call scheduled for
        now joins its end and one unscheduled leaves it, as on a heap."""
        due = self.loop.due
        due[self.at] = self
        while self:
            call = self.popleft()
            call.fn(call)
        del due[self.at]


class _Stop(Exception):  # noqa: N818 (not an error: how a run ends)
    """Raised by the call :meth:`EventLoop.stop` schedules: the run is over."""


def _raise_stop(_: Call) -> None:
    raise _Stop


Batch = tuple[list[float], list[Any]]


class EventLoop:
    """Scheduled :class:`Call` entries and sorted batches of arrivals, run in time order.

    ``now`` is the clock. Arrivals come in batches from the function given to :meth:`feed`:
    each batch is their times, in order, ending with an infinity, and the items that arrive;
    the loop calls ``arrive(item)`` at each one's time, and asks for the next batch as soon as
    the last item of a batch has arrived. Arrivals never go on the heap. An arrival and a
    scheduled call at exactly the same time: the call runs first.
    """

    __slots__ = ("arrive", "due", "i", "items", "next_batch", "now", "queue", "times")

    def __init__(self) -> None:
        self.now = 0.0
        #: The times at which something is due, a heap, each time once; ``due`` holds what is
        #: due then: an entry (anything with ``fn``: a :class:`Call`, or an object scheduled
        #: with :meth:`schedule`), or a :class:`_Ties` line of them.
        self.queue: list[float] = []
        self.due: dict[float, Any] = {}
        self.arrive: Callable[[Any], None] = _no_feed
        self.next_batch: Callable[[], Batch] = _no_batch
        self.times: list[float] = [math.inf]  # the batch of arrivals under way
        self.items: list[Any] = []
        self.i = 0  # the next in the batch

    def feed(self, arrive: Callable[[Any], None], next_batch: Callable[[], Batch]) -> None:
        """Arrivals for the loop: ``next_batch()`` is asked for the first batch now."""
        self.arrive, self.next_batch = arrive, next_batch
        self.times, self.items = next_batch()
        self.i = 0

    def add(self, at: float, item: Any) -> None:
        """``item.fn(item)`` runs at time ``at``, after anything already due then. (The room's
        hot path has this inlined for the common case, a time nothing else is due at.)"""
        due = self.due
        if at not in due:
            due[at] = item
            heappush(self.queue, at)
            return
        first = due[at]
        if first.__class__ is _Ties:
            first.append(item)
        else:
            due[at] = _Ties(self, at, (first, item))

    def schedule(self, item: Any, delay: float) -> None:
        """``item.fn(item)`` runs ``delay`` seconds from now (for an object that is its own
        entry, as a busy handler is; a :class:`Call` schedules itself)."""
        self.add(self.now + delay, item)

    def unschedule(self, item: Any) -> None:
        """Take ``item``'s pending entry off the loop; the rest still run in the same order."""
        due = self.due
        for at, entry in due.items():
            if entry is item:
                del due[at]
                self.queue.remove(at)
                heapify(self.queue)
                return
            if entry.__class__ is _Ties and any(e is item for e in entry):
                # (an emptied line stays until its time comes round: it runs nothing)
                del entry[next(k for k, e in enumerate(entry) if e is item)]
                return
        raise ValueError("not scheduled")

    def stop(self) -> None:
        """End :meth:`run` once the calls already due now have run (scheduled like any call,
        so what runs before the end does not depend on who asked for it)."""
        Call(self, 0.0, _raise_stop, None)

    def run(self) -> None:
        """Run arrivals and scheduled calls in time order until :meth:`stop` takes effect."""
        queue, due, arrive, next_batch = self.queue, self.due, self.arrive, self.next_batch
        times, items = self.times[self.i:], self.items[self.i:]
        try:
            while True:
                # (times has one more: the infinity that ends it)
                for t, item in zip(times, items, strict=False):  # the engine's hottest loop
                    while queue and queue[0] <= t:  # the calls due by this arrival
                        self.now = now = heappop(queue)
                        call = due.pop(now)
                        call.fn(call)
                    self.now = t
                    arrive(item)
                if not items:  # no arrivals left: the calls still due
                    while queue:
                        self._run_next()
                    raise RuntimeError("nothing left to run, and nothing stopped the run")
                times, items = next_batch()  # the batch has run out: the next, at once
        except _Stop:
            return

    def _run_next(self) -> None:
        """Run what is due at the earliest time on the heap."""
        self.now = now = heappop(self.queue)
        call = self.due.pop(now)
        call.fn(call)

    def run_before(self, until: float) -> None:
        """Run everything due before ``until``, then set the clock to ``until`` (slowly: for
        tests that look at the room part way through)."""
        queue = self.queue
        while min(queue[0] if queue else math.inf, self.times[self.i]) < until:
            if queue and queue[0] <= self.times[self.i]:
                self._run_next()
            else:
                self.now = self.times[self.i]
                self.i += 1
                self.arrive(self.items[self.i - 1])
                if self.i == len(self.items):
                    self.times, self.items = self.next_batch()
                    self.i = 0
        self.now = until


def _no_batch() -> Batch:
    raise RuntimeError("no arrival stream attached")


def _no_feed(_: Any) -> None:
    raise RuntimeError("no arrival stream attached")
