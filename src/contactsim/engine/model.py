"""The control room as a discrete-event model on SimPy.

Callers ring 999, 101 or report online. A diversion policy may take some before they reach the
queue. The rest are connected by the network (the national 999 clock is already running), may
sit through a recorded message, and join the queue of their channel. A free handler whose pool
has the skill takes the waiting contact with the lowest priority, first come first served
within a priority; an arriving contact goes straight to an idle handler if there is one,
specialists (pools with fewer skills) first, then whoever has been idle longest. A digital desk
may drop its online work to take a 999 call nobody else can. Callers who run out of patience
hang up; the room may call them back, or they may ring again, ring 999, or go online. A handler
who triages a contact for a partner agency hands it over if the partner is open and has someone
free, and otherwise deals with it in full. Staff come on and go off duty with the roster, take
staggered breaks and are sometimes absent; those on a call finish it before they leave.

The model is pure: it takes a validated scenario and a replication number and returns the
records of what happened. It writes no files and prints nothing. Events are plain callbacks on
a :class:`simpy.Environment` (see :mod:`contactsim.events`); random numbers come from named
streams in numpy batches (see :mod:`contactsim.demand`).
"""

from __future__ import annotations

import gc
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from contactsim.config.distributions import UNIFORM, Distribution
from contactsim.config.spec import Scenario
from contactsim.engine.demand import DayContacts, Demand
from contactsim.engine.events import Call, Environment
from contactsim.engine.partners import Partner
from contactsim.engine.records import (
    ABANDONED,
    ANSWERED,
    CENSORED,
    DIVERTED,
    OUTCOME_SHIFT,
    REDIAL,
    SWITCH,
    RecordBuffer,
    Records,
)
from contactsim.engine.roster import week_changes
from contactsim.engine.streams import StreamName, Streams
from contactsim.timebase import DAY_S, HOUR_S, HOURS_PER_WEEK, WEEK_S

#: How long the run may go on after the last arrival to let queues empty (overload guard).
DRAIN_LIMIT_S = 7 * DAY_S
#: More contacts than this waiting at a day's start means overload: the run stops (memory guard).
MAX_WAITING = 250_000
#: A caller who keeps hanging up tries at most this many times in all about one incident (the
#: first contact, then redials and switches), then gives up: people do, and it stops a scenario
#: with certain redials and no capacity from ringing for ever.
MAX_TRIES = 10

ANSWERED_CODE = ANSWERED << OUTCOME_SHIFT

# Contact states.
WAITING, IN_SERVICE, GONE = 0, 1, 2
# What a handler is doing with the contact in hand.
PLAIN, TRIAGE, HOLD = 0, 1, 2


class Contact:
    """One contact (or a callback: outbound work for a caller who hung up)."""

    __slots__ = ("answered", "cat", "ch", "connect", "deploy", "div", "join", "measured",
                 "patience", "state", "tag", "triage", "tries", "work", "wrap")

    def __init__(self, tag: int, ch: int, cat: int, join: float, connect: float,
                 patience: float, work: float, wrap: float, measured: bool, div: int,
                 triage: float, deploy: bool) -> None:
        self.tag = tag  # its record code: channel, category, hour, origin, policy
        self.ch = ch
        self.cat = cat
        self.join = join
        self.connect = connect
        self.patience = patience
        self.work = work  # talk time still to do (less, after an interruption)
        self.wrap = wrap
        self.measured = measured
        self.div = div  # diversion still to act on it, -1 none
        self.triage = triage
        self.deploy = deploy  # will need an officer if handled (measured contacts only)
        self.state = WAITING
        self.answered = False
        self.tries = 1  # this caller's attempts so far about the incident

    @property
    def hour(self) -> int:
        """Hour of the week of arrival (from the record code)."""
        return (self.tag >> 32) & 0xFF


class Queue:
    """Contacts waiting for one channel, oldest first (abandoned ones are skipped lazily)."""

    __slots__ = ("channel", "items", "priority")

    def __init__(self, channel: int, priority: int) -> None:
        self.channel = channel
        self.priority = priority
        self.items: deque[Contact] = deque()


class Handler:
    """One member of staff on duty."""

    __slots__ = ("contact", "end", "end_at", "idle_since", "phase", "pool", "started")

    def __init__(self, pool: PoolState) -> None:
        self.pool = pool
        self.contact: Contact | None = None
        self.end: Call | None = None  # the pending end of this phase (stale ones are ignored)
        self.end_at = 0.0
        self.started = 0.0
        self.phase = PLAIN
        self.idle_since = 0.0


class PoolState:
    """A pool's live state and its running time integrals (staff present, staff busy)."""

    __slots__ = ("busy", "busy_area", "changes", "digital", "idle", "index", "leaving", "name",
                 "present", "present_area", "present_t", "queues", "t")

    def __init__(self, index: int, name: str, queues: list[Queue]) -> None:
        self.index = index
        self.name = name
        self.queues = sorted(queues, key=lambda q: q.priority)
        self.idle: deque[Handler] = deque()  # longest idle on the left
        self.present = 0  # on duty now, including those finishing a contact after their shift
        self.busy = 0
        self.leaving = 0  # busy staff who leave when their contact ends
        self.t = 0.0  # busy_area is integrated up to here
        self.present_t = 0.0  # present_area is integrated up to here
        self.present_area = 0.0  # staff-seconds present since time 0
        self.busy_area = 0.0
        self.changes: dict[float, int] = {}  # pending roster changes: time -> net change
        self.digital: dict[Handler, float] | None = None  # interruptible work in hand


@dataclass(frozen=True)
class ModelOutput:
    """What one replication produced, before any measure is computed."""

    records: Records
    present_s: np.ndarray  # (pools, 168) staff-seconds on duty in the window, by hour of week
    busy_s: np.ndarray  # (pools, 168) staff-seconds busy in the window, by hour of week
    window_s: np.ndarray  # (168,) seconds of the measured window falling in each hour of week
    diversions: np.ndarray  # (diversions, 168, 2): diverted and failed, by hour of arrival
    callbacks: np.ndarray  # (channels,) callbacks made for measured abandoned calls
    officer_hours: np.ndarray  # (channels,) officer hours for measured contacts
    warnings: tuple[str, ...]


class ControlRoom:
    """One replication of a scenario. ``ControlRoom(scenario, r).run()`` -> ModelOutput."""

    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.scenario = scenario
        self.env = Environment()
        self.streams = Streams(scenario.run.seed, replication)
        self.demand = Demand(scenario, self.streams)
        self.start_day = scenario.run.start_day
        self.warmup_s = scenario.run.warmup_days * DAY_S
        self.end_s = self.warmup_s + scenario.run.days * DAY_S
        self.records = RecordBuffer()
        self._add_record = self.records.add
        # Bound once: the hot paths below append to the record columns directly.
        self._code = self.records.code.append
        self._wait = self.records.wait_s.append
        self._connect = self.records.connect_s.append
        self._end_callback = self._on_end
        self.warnings: list[str] = []
        self.channel_names = list(scenario.channels)
        self.open = 0  # measured contacts drawn but not yet answered, abandoned or diverted
        self.window_closed = False
        self.arrivals_done = False
        self.done = self.env.event()
        self._init_channels()
        self._init_pools()
        self._init_demand()

    # --- set-up -----------------------------------------------------------------------------

    def _init_channels(self) -> None:
        sc = self.scenario
        chans = list(sc.channels.values())
        self.queues = [Queue(i, ch.priority) for i, ch in enumerate(chans)]
        self.callback_queues = [Queue(i, ch.priority) for i, ch in enumerate(chans)]
        self.digital = [not ch.is_voice for ch in chans]
        self.on_abandon = [ch.on_abandon for ch in chans]
        self.callback_work = {}
        for k, ch in enumerate(chans):
            if ch.on_abandon is not None and ch.on_abandon.callback > 0:
                for cat in sc.categories.values():
                    self.callback_work[k, cat.name] = (
                        self.demand.draws(StreamName.callback_handle(ch.name, cat.name),
                                          cat.handle),
                        self.demand.draws(StreamName.callback_wrap_up(ch.name, cat.name),
                                          cat.wrap_up))
        # Plain lists: updating a numpy element from Python is several times slower.
        self.callbacks = [0] * len(chans)
        self.officer_hours = [0.0] * len(chans)
        self.category_hours = [c.officer_hours for c in sc.categories.values()]
        self.partners = [None if d.partner is None else
                         Partner(sc.partners[d.partner], self.env, self.start_day)
                         for d in sc.diversions.values()]
        self.partner_draws = [
            None if d.partner is None else (
                self.demand.draws(StreamName.partner_answer(d.partner),
                                  sc.partners[d.partner].answer_s),
                self.demand.draws(StreamName.partner_handle(d.partner),
                                  sc.partners[d.partner].handle_s or Distribution.constant(0)))
            for d in sc.diversions.values()]
        self.diversion_counts = [[[0, 0] for _ in range(HOURS_PER_WEEK)]
                                 for _ in sc.diversions]
        self.pre_queue = [d.pre_queue for d in sc.diversions.values()]

    def _init_pools(self) -> None:
        sc = self.scenario
        names = self.channel_names
        self.pools = []
        for i, (name, spec) in enumerate(sc.pools.items()):
            served = [self.queues[names.index(s)] for s in spec.skills]
            served += [self.callback_queues[names.index(s)] for s in spec.skills
                       if self._calls_back(s)]
            served += [self.queues[names.index(s)] for s in spec.interruptible_for]
            pool = PoolState(i, name, served)
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
        n = len(self.pools)
        self.present_s = np.zeros((n, HOURS_PER_WEEK))
        self.busy_s = np.zeros((n, HOURS_PER_WEEK))
        self.window_s = np.zeros(HOURS_PER_WEEK)
        self._tick_areas = [(0.0, 0.0)] * n
        self._tick_t = self.warmup_s
        self.absence = [self.streams(StreamName.absence(p.name)) for p in self.pools]
        for week in (-1, 0, 1):
            self._add_roster_week(week)
        Call(self.env, WEEK_S * 2 - self.start_day * DAY_S, self._on_roster_week, 2)
        Call(self.env, self.warmup_s, self._on_window_start, None)
        Call(self.env, self.end_s, self._on_window_end, None)
        Call(self.env, self.end_s + DRAIN_LIMIT_S, self._on_drain_limit, None)

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

    def _init_demand(self) -> None:
        self.day = 0  # next simulated day whose arrivals are to be drawn
        self.pending: DayContacts | None = None  # contacts drawn but not yet arrived
        self.times: list[float] = []  # when each row's event happens
        self.contacts: list[Contact] = []  # the day's contacts, in order of their event
        self.safe = 0  # rows before this index come before any contact not yet drawn
        self.i = 0
        self.env.feed = self._on_arrival
        self._next_arrival()

    # --- arrivals ---------------------------------------------------------------------------

    def _next_arrival(self) -> None:
        """Set the time of the next contact's arrival, drawing further days as needed."""
        while self.i >= self.safe:
            if self.day * DAY_S >= self.end_s:
                self.env.feed_time = math.inf
                self.arrivals_done = True
                self._maybe_finish()
                return
            self._load_day()
        self.env.feed_time = self.times[self.i]

    def _load_day(self) -> None:
        """Merge the next day's contacts with those still to come, in order of their event.

        A contact's event is its joining the queue, or its arrival if a pre-queue diversion
        may take it. Days are drawn one at a time, so memory stays flat however long the run.
        """
        if self._overloaded():
            self.day = math.ceil(self.end_s / DAY_S)  # no further days
            return
        fresh = self.demand.day(self.day, self.warmup_s, self.end_s)
        self.day += 1
        self.open += int((fresh.arrival >= self.warmup_s).sum())
        if self.pending is not None:
            fresh = DayContacts.concat([self.pending.select(slice(self.i, None)), fresh])
        merged = fresh.select(np.argsort(fresh.time, kind="stable"))
        self.pending = merged
        measured = merged.arrival >= self.warmup_s
        self.contacts = list(map(
            Contact, merged.tags(self.start_day).tolist(), merged.ch.tolist(),
            merged.cat.tolist(), merged.join.tolist(), merged.connect.tolist(),
            merged.patience.tolist(), merged.work.tolist(), merged.wrap.tolist(),
            measured.tolist(), merged.div.tolist(), merged.triage.tolist(),
            (merged.deploy & measured).tolist()))
        self.times = merged.time.tolist()
        boundary = self.day * DAY_S
        self.safe = (len(self.times) if boundary >= self.end_s
                     else int(np.searchsorted(merged.time, boundary)))
        self.i = 0

    def _on_arrival(self) -> None:
        """The next contact arrives (its event: joining the queue, or a pre-queue diversion)."""
        i = self.i
        self.i = i + 1
        c = self.contacts[i]
        only = self.only_pool[c.ch]
        if c.div >= 0 and self.pre_queue[c.div]:
            self._pre_queue(c)
        elif only is not None and only.idle:  # the common case, straight to a handler
            self._start(only.idle.popleft(), c)
        else:
            self._offer(c)
        if self.i < self.safe:
            self.env.feed_time = self.times[self.i]
        else:
            self._next_arrival()

    def _pre_queue(self, c: Contact) -> None:
        """A pre-queue diversion takes the contact now, if its partner can; else it goes on."""
        d = c.div
        draws = self.partner_draws[d]
        partner = self.partners[d]
        taken = partner is None or draws is None or partner.take(draws[0].next()
                                                                 + draws[1].next())
        if c.measured:
            self.diversion_counts[d][c.hour][0 if taken else 1] += 1
        c.div = -1
        if taken:
            c.state = GONE
            if c.measured:
                self._resolve(c, DIVERTED, 0.0)
        elif c.join > self.env.now:
            Call(self.env, c.join - self.env.now, self._on_join, c)
        else:
            self._offer(c)

    def _on_join(self, ev: Call) -> None:
        self._offer(ev._value)

    # --- queueing and service ---------------------------------------------------------------

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

    def _interrupt(self, pools: list[PoolState]) -> Handler | None:
        """Take a handler off digital work (the latest started) for a call; the work resumes
        later from where it stopped, ahead of other digital contacts."""
        best: Handler | None = None
        best_started = -math.inf
        for p in pools:
            assert p.digital is not None
            for h, started in p.digital.items():
                if started > best_started:
                    best, best_started = h, started
        if best is None:
            return None
        p, d = best.pool, best.contact
        assert p.digital is not None
        assert d is not None
        del p.digital[best]
        d.work, d.wrap = best.end_at - self.env.now, 0.0
        d.state = WAITING
        self.queues[d.ch].items.appendleft(d)
        best.end = best.contact = None
        self._touch(p)
        p.busy -= 1
        return best

    def _start(self, h: Handler, c: Contact) -> None:
        now = self.env._now
        if not c.answered:
            c.answered = True
            if c.measured:  # RecordBuffer.add, inlined
                self._code(c.tag | ANSWERED_CODE)
                self._wait(now - c.join)
                self._connect(c.connect)
                self.open -= 1
                if not self.open:
                    self._maybe_finish()
            if c.div < 0 and c.deploy:
                self.officer_hours[c.ch] += self.category_hours[c.cat]
        c.state = IN_SERVICE
        p = h.pool
        # The busy integral up to now (see _touch; inlined on this hot path; staff present
        # only change at roster events, which integrate present_area themselves).
        p.busy_area += p.busy * (now - p.t)
        p.t = now
        p.busy += 1
        h.contact = c
        h.started = now
        if c.div >= 0:
            h.phase = TRIAGE
            self._schedule_end(h, min(c.triage, c.work))
            return
        h.phase = PLAIN
        duration = c.work + c.wrap
        h.end_at = now + duration
        h.end = Call(self.env, duration, self._end_callback, h)
        if p.digital is not None and self.digital[c.ch]:
            p.digital[h] = now

    def _schedule_end(self, h: Handler, duration: float) -> None:
        h.end_at = self.env.now + duration
        h.end = Call(self.env, duration, self._on_end, h)

    def _on_end(self, ev: Call) -> None:
        h: Handler = ev._value
        if h.end is not ev:
            return  # this service was interrupted; its end no longer stands
        if h.phase == TRIAGE:
            self._handover(h)
            return
        p = h.pool
        if p.digital is not None:
            p.digital.pop(h, None)
        h.end = h.contact = None
        now = self.env._now
        p.busy_area += p.busy * (now - p.t)
        p.t = now
        p.busy -= 1
        self._free(h)

    def _handover(self, h: Handler) -> None:
        """End of triage: hand over to the partner, or carry on with the contact in full."""
        c = h.contact
        assert c is not None
        d = c.div
        c.div = -1
        draws, partner = self.partner_draws[d], self.partners[d]
        answer = draws[0].next() if draws is not None else 0.0
        taken = partner is None or draws is None or partner.take(answer + draws[1].next())
        if c.measured:
            self.diversion_counts[d][c.hour][0 if taken else 1] += 1
        if taken:
            h.phase = HOLD
            self._schedule_end(h, answer + c.wrap)
            return
        if c.deploy:
            self.officer_hours[c.ch] += self.category_hours[c.cat]
        h.phase = PLAIN
        # The same end as with no diversion at all, to the last bit: start + (work + wrap).
        self._schedule_end(h, (h.started + (c.work + c.wrap)) - self.env.now)
        if h.pool.digital is not None and self.digital[c.ch]:
            h.pool.digital[h] = self.env.now

    def _free(self, h: Handler) -> None:
        """A handler with nothing in hand: leave if due to, else take work, else wait idle."""
        p = h.pool
        if p.leaving:
            p.leaving -= 1
            self._touch(p)
            p.present -= 1
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
        h.idle_since = self.env._now
        p.idle.append(h)

    def _on_patience(self, ev: Call) -> None:
        c: Contact = ev._value
        if c.state != WAITING:
            return
        c.state = GONE
        if c.measured:
            self._resolve(c, ABANDONED, c.patience)
        if self.on_abandon[c.ch] is not None:
            self._after_abandon(c)

    def _after_abandon(self, c: Contact) -> None:
        """A caller who hung up: called back, or rings again, rings 999, or goes online."""
        rule = self.on_abandon[c.ch]
        assert rule is not None
        name = self.channel_names[c.ch]
        if rule.callback and self.demand.draws(StreamName.callback(name), UNIFORM).next() < \
                rule.callback:
            work, wrap = self.callback_work[c.ch, self.demand.category_names[c.cat]]
            if c.measured:
                self.callbacks[c.ch] += 1
            if c.deploy:  # the callback deals with the incident
                self.officer_hours[c.ch] += self.category_hours[c.cat]
            call = Contact(c.tag, c.ch, c.cat, self.env.now, 0.0, math.inf, work.next(),
                           wrap.next(), False, -1, 0.0, False)
            call.answered = True  # outbound work: not an offered contact
            self._offer(call, self.callback_queues[c.ch])
            return
        u = self.demand.draws(StreamName.retry(name), UNIFORM).next()
        if c.tries >= MAX_TRIES:
            return
        if u < rule.redial:
            target, origin = c.ch, REDIAL
            delay = self.demand.draws(StreamName.redial_delay(name), rule.redial_delay).next()
        elif u < rule.redial + rule.to_999:
            target, origin, delay = self.channel_names.index(rule.emergency_channel), SWITCH, 0.0
        elif u < rule.redial + rule.to_999 + rule.to_online:
            target, origin, delay = self.channel_names.index(rule.online_channel), SWITCH, 0.0
        else:
            return
        at = self.env.now + delay
        if self.warmup_s <= at < self.end_s:
            self.open += 1
        Call(self.env, delay, self._on_retry, (target, c.cat, origin, c.tries + 1))

    def _on_retry(self, ev: Call) -> None:
        """The retry arrives: a new contact on its channel, passing connection and IVR again."""
        k, cat, origin, tries = ev._value
        now = self.env.now
        row = self.demand.retry(k, cat, now, origin)
        measured = self.warmup_s <= now < self.end_s
        c = Contact(int(row.tags(self.start_day)[0]), k, cat, float(row.join[0]),
                    float(row.connect[0]), float(row.patience[0]), float(row.work[0]),
                    float(row.wrap[0]), measured, int(row.div[0]), float(row.triage[0]),
                    bool(row.deploy[0]) and measured)
        c.tries = tries
        if c.div >= 0 and self.pre_queue[c.div]:
            self._pre_queue(c)
        elif c.join > now:
            Call(self.env, c.join - now, self._on_join, c)
        else:
            self._offer(c)

    def _resolve(self, c: Contact, outcome: int, wait: float) -> None:
        self._add_record(c.tag, outcome, wait, c.connect)
        self.open -= 1
        if self.open == 0:
            self._maybe_finish()

    # --- staff ------------------------------------------------------------------------------

    def _touch(self, p: PoolState) -> None:
        """Bring a pool's time integrals up to now before its counts change."""
        now = self.env.now
        p.busy_area += p.busy * (now - p.t)
        p.t = now
        p.present_area += p.present * (now - p.present_t)
        p.present_t = now

    def _add_roster_week(self, week: int) -> None:
        for p in self.pools:
            spec = self.scenario.pools[p.name]
            for t, delta in week_changes(spec, week, self.start_day, self.absence[p.index]):
                t = max(t, 0.0)
                if t in p.changes:
                    p.changes[t] += delta
                else:
                    p.changes[t] = delta
                    Call(self.env, t - self.env.now, self._on_staff_change, (p, t))

    def _on_roster_week(self, ev: Call) -> None:
        week: int = ev._value
        self._add_roster_week(week)
        Call(self.env, WEEK_S, self._on_roster_week, week + 1)

    def _on_staff_change(self, ev: Call) -> None:
        p, t = ev._value
        delta = p.changes.pop(t)
        if delta > 0:
            stay = min(delta, p.leaving)  # people due to leave stay on instead
            p.leaving -= stay
            self._touch(p)
            p.present += delta - stay
            for _ in range(delta - stay):
                self._free(Handler(p))
        elif delta < 0:
            self._touch(p)
            gone = 0
            while gone < -delta and p.idle:
                p.idle.pop()
                gone += 1
            p.present -= gone
            p.leaving += -delta - gone

    # --- the measured window and the end of the run -----------------------------------------

    def _snapshot(self) -> None:
        """Add the pools' time integrals since the last snapshot to their hour of the week."""
        now = self.env.now
        hour = (int(self._tick_t // HOUR_S) + 24 * self.start_day) % HOURS_PER_WEEK
        for p in self.pools:
            self._touch(p)
            present, busy = self._tick_areas[p.index]
            self.present_s[p.index, hour] += p.present_area - present
            self.busy_s[p.index, hour] += p.busy_area - busy
            self._tick_areas[p.index] = (p.present_area, p.busy_area)
        self.window_s[hour] += now - self._tick_t
        self._tick_t = now

    def _on_window_start(self, _: Call) -> None:
        for p in self.pools:
            self._touch(p)
            self._tick_areas[p.index] = (p.present_area, p.busy_area)
        self._tick_t = self.env.now
        self._next_hour()

    def _on_hour(self, _: Call) -> None:
        """Hourly snapshot, so staff on duty and busy are known by hour of the week."""
        self._snapshot()
        self._next_hour()

    def _next_hour(self) -> None:
        next_hour = (math.floor(self.env.now / HOUR_S) + 1) * HOUR_S
        if next_hour < self.end_s:
            Call(self.env, next_hour - self.env.now, self._on_hour, None)

    def _on_window_end(self, _: Call) -> None:
        self._snapshot()
        self.window_closed = True
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        if self.window_closed and self.arrivals_done and self.open == 0 and \
                not self.done.triggered:
            self.done.succeed()

    def _on_drain_limit(self, _: Call) -> None:
        """Overload: contacts still waiting long after the end are recorded as censored."""
        censored = self._censor_waiting()
        if censored:
            self.warnings.append(
                f"{censored} contacts were still waiting {DRAIN_LIMIT_S / DAY_S:g} days after "
                "the last arrival: demand exceeds capacity, so waits are understated. They count "
                "as not answered.")
        self._finish()

    def _censor_waiting(self) -> int:
        """Record every measured contact still waiting as censored; how many there were."""
        now = self.env.now
        censored = 0
        for q in self.queues:
            for c in q.items:
                if c.state == WAITING and c.measured and not c.answered:
                    c.state = GONE
                    self.records.add(c.tag, CENSORED, now - c.join, c.connect)
                    censored += 1
        return censored

    def _finish(self) -> None:
        self.open = 0
        if not self.done.triggered:
            self.done.succeed()

    def _overloaded(self) -> bool:
        """Queues past MAX_WAITING: stop here, so an overloaded run ends in bounded memory."""
        waiting = sum(len(q.items) for q in (*self.queues, *self.callback_queues))
        if waiting <= MAX_WAITING:
            return False
        day = (self.env.now - self.warmup_s) / DAY_S
        censored = self._censor_waiting()
        if self.env.now > self._tick_t >= self.warmup_s:
            self._snapshot()
        self.warnings.append(
            f"overloaded: more than {MAX_WAITING:,} contacts were waiting on measured day "
            f"{max(day, 0):.0f}, so the run stopped there. Demand far exceeds capacity; the "
            f"figures cover only the time before, and the {censored} contacts still waiting "
            "count as not answered.")
        self.env.feed_time = math.inf
        self.arrivals_done = True
        self._finish()
        return True

    def run(self) -> ModelOutput:
        self.env.run_until(self.done)
        return ModelOutput(self.records.freeze(), self.present_s, self.busy_s, self.window_s,
                           np.array(self.diversion_counts, dtype=float).reshape(
                               len(self.diversion_counts), HOURS_PER_WEEK, 2),
                           np.array(self.callbacks, dtype=float),
                           np.array(self.officer_hours), tuple(self.warnings))


def simulate(scenario: Scenario, replication: int) -> ModelOutput:
    """Run one replication of ``scenario``.

    Python's cyclic garbage collector is paused while it runs. The engine makes no reference
    cycles per contact (each contact, event and record is freed by reference counting as soon
    as it is done with; a test checks that what is left for the collector does not grow with
    the length of the run), so the collector would only scan the day's live contacts over and
    over, which costs about a sixth of the run time.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return ControlRoom(scenario, replication).run()
    finally:
        if paused:
            gc.enable()
