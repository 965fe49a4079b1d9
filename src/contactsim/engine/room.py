"""The control room as a discrete-event model: its hot path and its run.

Callers ring 999, 101 or report online. A diversion policy may take some before they reach the
queue. The rest are connected by the network (the national 999 clock is already running), may
sit through a recorded message, and join the queue of their channel. A free handler whose pool
has the skill takes the waiting contact with the lowest priority, first come first served
within a priority; an arriving contact goes straight to an idle handler if there is one,
specialists (pools with fewer skills) first, then whoever has been idle longest. The handler
talks, wraps up, and takes the next contact or waits idle.

That path, which almost every contact takes, is here. The rest of the room is in modules of its
own, mixed into :class:`ControlRoom` (see :mod:`~contactsim.engine.state`): the day-by-day feed
of contacts (:mod:`~contactsim.engine.feed`); callers who hang up, and what they do next
(:mod:`~contactsim.engine.abandon`); diversion and the handover to partner agencies
(:mod:`~contactsim.engine.diversion`); staff coming on and going off duty, breaks, absence and
the digital desk that drops its work for a 999 call (:mod:`~contactsim.engine.staff`); and the
guards that stop a run whose demand exceeds its capacity (:mod:`~contactsim.engine.overload`).
State with a bookkeeping rule of its own sits in a small object that owns it, each rule in one
place: a pool's time integrals (:class:`~contactsim.engine.entities.PoolState`), officer hours
(:class:`~contactsim.engine.officers.Officers`), the hourly staff tables
(:class:`~contactsim.engine.staff.HourlyTables`), diversion counts and partners
(:class:`~contactsim.engine.diversion.DiversionCounts`,
:class:`~contactsim.engine.diversion.Partner`), and people over months, which scale the roster
and slow new handlers (:class:`~contactsim.engine.staffing.Staffing`).

Who answered: a :class:`~contactsim.engine.entities.Handler` knows its pool (``h.pool``, with
its ``index`` and ``name``) and its desk number there (``h.index``), so a hook on
:meth:`ControlRoom._start` (``_start(h, c)``) can record which handler took each contact.

The model is pure: it takes a validated scenario and a replication number and returns the
records of what happened. It writes no files and prints nothing. Events are plain callbacks on
an event loop of the engine's own (see :mod:`contactsim.engine.events`, which says why not
SimPy's); random numbers come from named streams in numpy batches (see
:mod:`contactsim.engine.demand`).
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable, Iterator
from heapq import heappush

import numpy as np

from contactsim.config.spec import WITH_LIVE, ChannelSpec, Scenario
from contactsim.engine.abandon import AbandonMixin
from contactsim.engine.demand import Demand
from contactsim.engine.direct import DirectArrivalMixin
from contactsim.engine.dispatch import Dispatch
from contactsim.engine.dispatch_areas import make_dispatch
from contactsim.engine.diversion import DiversionMixin
from contactsim.engine.entities import (
    IN_SERVICE,
    PLAIN,
    TRIAGE,
    WAITING,
    Contact,
    Handler,
    ModelOutput,
    PoolState,
    Queue,
)
from contactsim.engine.events import Call, EventLoop
from contactsim.engine.feed import FeedMixin
from contactsim.engine.officers import Officers
from contactsim.engine.overload import OverloadMixin
from contactsim.engine.records import ANSWERED, RecordBuffer, Records
from contactsim.engine.staff import StaffMixin
from contactsim.engine.staffing import Staffing
from contactsim.engine.streams import Streams
from contactsim.timebase import DAY_S


class ControlRoom(FeedMixin, AbandonMixin, DiversionMixin, StaffMixin, OverloadMixin,
                  DirectArrivalMixin):
    """One replication of a scenario. ``ControlRoom(scenario, r).run()`` -> ModelOutput."""

    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.scenario = scenario
        self.env = EventLoop()
        self.streams = Streams(scenario.run.seed, replication)
        self.demand = Demand(scenario, self.streams)
        self.start_day = scenario.run.start_day
        self.warmup_s = scenario.run.warmup_days * DAY_S
        self.end_s = self.warmup_s + scenario.run.days * DAY_S
        self.records = RecordBuffer(scenario.run.start_day,
                                    dated=scenario.calendar is not None)
        self._add_record = self.records.add
        self.warnings: list[str] = []
        self.channel_names = list(scenario.channels)
        self.open = 0  # measured contacts drawn but not yet answered, abandoned or diverted
        self.window_closed = False
        self.arrivals_done = False
        self.stopping = False  # the run is over (the loop stops once the calls due now have run)
        self.deploy_all = bool(scenario.officers)  # warm-up contacts need officers too
        self._init_channels()
        self._init_pools()
        self.staffing = Staffing(scenario, self.streams)  # people over months (staffing.py)
        if self.staffing.ramping:  # only then: no wrapper on the hot path without a workforce
            self._start = self.staffing.ramped(  # type: ignore[method-assign,assignment]
                self.env, self._start)
        # Events due at the same moment run in the order they were scheduled, so this order
        # (roster, window, drain limit, then the first arrival) is part of the results.
        self._init_staff()
        self._init_drain_limit()
        self._init_feed()

    # --- set-up -----------------------------------------------------------------------------

    def _init_channels(self) -> None:
        chans = list(self.scenario.channels.values())
        self.queues = [Queue(channel=i, priority=ch.priority) for i, ch in enumerate(chans)]
        self.callback_queues = [Queue(channel=i, priority=self._callback_priority(ch))
                                for i, ch in enumerate(chans)]
        self.digital = [not ch.is_voice for ch in chans]
        # With [officers], incidents queue for them (dispatch.py); without, officer hours
        # are only added up. Either way the room calls officers.deploy(c) and nothing else.
        self.officers = make_dispatch(self) if self.scenario.officers else Officers(self.scenario)
        self._init_abandon()
        self._init_diversions()

    def _init_pools(self) -> None:
        sc = self.scenario
        names = self.channel_names
        self.pools = []
        for i, (name, spec) in enumerate(sc.pools.items()):
            served = [self.queues[names.index(s)] for s in spec.skills]
            served += [self.callback_queues[names.index(s)] for s in spec.skills
                       if self._calls_back(s)]
            served += [self.queues[names.index(s)] for s in spec.interruptible_for]
            pool = PoolState(index=i, name=name, queues=served, channels=len(names))
            if spec.interruptible_for:
                pool.digital = {}
            self.pools.append(pool)
        self.routes = [self._route(name) for name in names]
        # Callbacks are outbound work for the pools with the skill, never for a digital desk
        # that only drops its work for incoming calls.
        self.callback_routes = [[g for g in route if all(
            name in sc.pools[p.name].skills for p in g)] for name, route in
            zip(names, self.routes, strict=True)]
        self.interrupters = [[p for p in self.pools if name in sc.pools[p.name].interruptible_for]
                             for name in names]
        # The common case of one pool answering a channel, with nobody to interrupt, gets a
        # short path in _offer.
        self.only_pool = [route[0][0] if len(route) == 1 and len(route[0]) == 1
                          and not self.interrupters[k] else None
                          for k, route in enumerate(self.routes)]

    @staticmethod
    def _callback_priority(ch: ChannelSpec) -> float:
        """Callbacks wait behind the channel's live calls (half a step below them, so still
        ahead of the next priority number), or with ``with_live`` among them, oldest first."""
        rule = ch.on_abandon
        if rule is not None and rule.callback_priority == WITH_LIVE:
            return ch.priority
        return ch.priority + 0.5

    def _calls_back(self, channel: str) -> bool:
        rule = self.scenario.channels[channel].on_abandon
        return rule is not None and rule.callback > 0

    def _route(self, channel: str) -> list[list[PoolState]]:
        """Pools that answer ``channel``: by number of skills, specialists first; pools that
        only drop digital work for it come last."""
        specs = self.scenario.pools
        groups: dict[int, list[PoolState]] = {}
        for p in self.pools:
            if channel in specs[p.name].skills:
                groups.setdefault(len(specs[p.name].skills), []).append(p)
        route = [groups[k] for k in sorted(groups)]
        backup = [p for p in self.pools if channel in specs[p.name].interruptible_for]
        return route + ([backup] if backup else [])

    # --- arrivals, queueing and service -----------------------------------------------------

    def _on_arrival(self, c: Contact) -> None:
        """The next contact arrives (its event: joining the queue, or a pre-queue diversion)."""
        if c.div >= 0 and self.pre_queue[c.div]:
            self._pre_queue(c)
            return
        only = self.only_pool[c.ch]
        if only is not None:
            idle = only.idle
            if idle:  # the common case, straight to a handler
                self._start(idle.popleft(), c)
                return
        self._offer(c)

    def _arrival_handler(self) -> Callable[[Contact], None]:
        """What the loop runs for each arrival: :meth:`_on_arrival`, or, when nothing hooks
        the methods it stands in for (no subclass overrides them, no workforce ramp wraps
        ``_start``), the same with ``_start`` and ``_offer`` inlined for the common cases
        (:meth:`_on_arrival_direct`)."""
        hooked = "_start" in vars(self) or any(
            getattr(type(self), name) is not getattr(ControlRoom, name)
            for name in ("_start", "_offer", "_on_arrival"))
        return self._on_arrival if hooked else self._on_arrival_direct

    def _join(self, c: Contact) -> None:
        """A contact not yet in the queue joins it when due: now, or at ``c.join``."""
        now = self.env.now
        if c.join > now:
            Call(self.env, c.join - now, self._on_join, c)
        else:
            self._offer(c)

    def _on_join(self, ev: Call) -> None:
        self._offer(ev._value)

    def _offer(self, c: Contact, queue: Queue | None = None) -> None:
        """A contact joins its queue (or ``queue``), or goes straight to an idle handler."""
        only = self.only_pool[c.ch]
        if only is not None:
            h = only.idle.popleft() if only.idle else None
        else:
            h = self._idle_handler(self.routes[c.ch] if queue is None else
                                   self.callback_routes[c.ch])
        if h is not None:
            self._start(h, c)
            return
        if queue is None and self.interrupters[c.ch]:
            h = self._interrupt(self.interrupters[c.ch])
            if h is not None:
                self._start(h, c)
                return
        (queue or self.queues[c.ch]).items.append(c)
        if c.patience != math.inf:
            Call(self.env, c.patience, self._on_patience, c)

    @staticmethod
    def _idle_handler(route: list[list[PoolState]]) -> Handler | None:
        """Specialists first; within equally skilled pools, whoever has been idle longest."""
        for group in route:
            best: PoolState | None = None
            for p in group:
                if p.idle and (best is None or p.idle[0].idle_since < best.idle[0].idle_since):
                    best = p
            if best is not None:
                return best.idle.popleft()
        return None

    def _start(self, h: Handler, c: Contact) -> None:
        """Handler ``h`` takes contact ``c``: its answer (the first time) and its service."""
        env = self.env
        now = env.now
        p = h.pool
        if not c.answered:
            c.answered = True
            if c.deploy and c.div < 0:  # (first: an incident may keep the run open)
                self.officers.deploy(c)
            if c.measured:  # RecordBuffer.add, inlined (the bare tag: see RecordBuffer)
                rec = self.records
                rec.code.append(c.tag)
                rec.wait_s.append(now - c.join)
                rec.connect_s.append(c.connect)
                p.answered[c.ch] += 1  # who answered what: one count per answered record
                self.open -= 1
                if not self.open:
                    self._maybe_finish()
        c.state = IN_SERVICE
        # p.busy_change(now, 1) and env.schedule(h, duration), inlined: this runs for every
        # contact answered (the same arithmetic, so the same results to the last bit).
        p.busy_area += p.busy * (now - p.t)
        p.t = now
        p.busy += 1.0
        h.contact = c
        h.started = now
        if c.div >= 0:
            h.phase = TRIAGE
            self._schedule_end(h, min(c.triage, c.work))
            return
        h.phase = PLAIN
        h.end_at = end = now + (c.work + c.wrap)
        due = env.due
        if end in due:  # something else is due then too: the rare case
            env.add(end, h)
        else:
            due[end] = h
            heappush(env.queue, end)
        if p.digital is not None and self.digital[c.ch]:
            p.digital[h] = now

    def _schedule_end(self, h: Handler, duration: float) -> None:
        h.end_at = self.env.now + duration
        self.env.schedule(h, duration)

    def _on_end(self, h: Handler) -> None:
        """What handler ``h`` is doing ends (the loop runs it: see :class:`Handler`)."""
        if h.phase == TRIAGE:
            self._handover(h)
            return
        p = h.pool
        if p.digital is not None:
            p.digital.pop(h, None)
        h.contact = None
        now = self.env.now
        p.busy_area += p.busy * (now - p.t)  # p.busy_change(now, -1), inlined
        p.t = now
        p.busy -= 1.0
        items = p.single
        if items is None or p.leaving:
            self._free(h)
            return
        # _free(h) for a pool with one queue and nobody due to leave, inlined: this runs for
        # every contact handled (the same steps, so the same results).
        while items:
            c = items.popleft()
            if c.state == WAITING:
                self._start(h, c)
                return
        h.idle_since = now
        p.idle.append(h)

    def _free(self, h: Handler) -> None:
        """A handler with nothing in hand: leave if due to, else take work, else wait idle."""
        p = h.pool
        if p.leaving:
            p.leaving -= 1
            p.leave(h, self.env.now)
            return
        items = p.single
        if items is not None:  # the common case: one queue, its oldest still waiting
            while items:
                c = items.popleft()
                if c.state == WAITING:
                    self._start(h, c)
                    return
            h.idle_since = self.env.now
            p.idle.append(h)
            return
        # The waiting contact with the lowest priority, oldest first, among the pool's work
        # (queues are sorted by priority; abandoned contacts are dropped as they are met).
        best: Contact | None = None
        best_q: Queue | None = None
        for q in p.queues:
            if best_q is not None and q.priority > best_q.priority:
                break
            items = q.items
            while items and items[0].state != WAITING:
                items.popleft()
            if items and (best is None or items[0].join < best.join):
                best, best_q = items[0], q
        if best_q is not None:
            best_q.items.popleft()
            assert best is not None
            self._start(h, best)
            return
        h.idle_since = self.env.now
        p.idle.append(h)

    def _resolve(self, c: Contact, outcome: int, wait: float) -> None:
        self._add_record(c.tag, outcome, wait, c.connect)
        self.open -= 1
        if self.open == 0:
            self._maybe_finish()

    # --- the end of the run (overload: see overload.py) ------------------------------------

    def _maybe_finish(self) -> None:
        if self.window_closed and self.arrivals_done and self.open == 0:
            self._stop()

    def _stop(self) -> None:
        """The run is over: the loop stops once the calls already due now have run."""
        if not self.stopping:
            self.stopping = True
            self.env.stop()

    def run(self) -> ModelOutput:
        self.env.run()
        tables = self.tables
        # (before the warnings are taken: incidents never attended add one)
        dispatch = self.officers.output() if isinstance(self.officers, Dispatch) else None
        records = self.records.freeze()
        return ModelOutput(
            records=records, present_s=tables.present_s, busy_s=tables.busy_s,
            window_s=tables.window_s, diversions=self.diversion_counts.array(),
            callbacks=np.array(self.callbacks, dtype=float),
            officer_hours=np.array(self.officers.hours), warnings=tuple(self.warnings),
            answered_by=self._answered_by(records),
            closed=self.demand.closed_counts(), workforce=self.staffing.pipelines or None,
            dispatch=dispatch)


    def _answered_by(self, records: Records) -> np.ndarray:
        """(pools, channels): measured contacts each pool answered on each channel. A channel
        that one pool alone answers (``only_pool``) has all its answered records from that
        pool, so its column is counted from the records (the inlined arrival path does not
        count them as it goes); the rest were counted as they were answered."""
        out = np.array([p.answered for p in self.pools], dtype=float).reshape(
            len(self.pools), len(self.channel_names))
        answered = records.outcome == ANSWERED
        for k, only in enumerate(self.only_pool):
            if only is not None:
                out[only.index, k] = float(np.count_nonzero(answered & (records.channel == k)))
        return out


def simulate(scenario: Scenario, replication: int) -> ModelOutput:
    """Run one replication of ``scenario`` (with the collector paused: see
    :func:`collector_paused`)."""
    with collector_paused():
        return ControlRoom(scenario, replication).run()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a replication runs.

    The engine makes no reference cycles per contact (each contact, event and record is freed
    by reference counting as soon as it is done with; a test checks that what is left for the
    collector does not grow with the length of the run), so the collector would only scan the
    day's live contacts over and over, which costs about a sixth of the run time.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
