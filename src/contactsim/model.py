"""The control room as a discrete-event model on SimPy.

Callers ring 999, 101 or report online. Each contact is connected by the network (the national
999 clock is already running), may sit through a recorded message, and joins the queue of its
channel. A free handler whose pool has the skill takes the waiting contact with the lowest
priority, first come first served within a priority; an arriving contact goes straight to an idle
handler if there is one, specialists (pools with fewer skills) first, then whoever has been idle
longest. Callers who run out of patience hang up. Staff come on and go off duty with the roster;
those on a call finish it before they leave.

The model is pure: it takes a validated scenario and a replication number, and returns the
records of what happened. It writes no files and prints nothing.

Speed: SimPy's idiom of one process per caller is clear but slow. Here the engine schedules
plain events with callbacks on a :class:`simpy.Environment`: one event per contact joining the
queue, one per service ending, and a patience event only for contacts that have to wait. Random
numbers are drawn in numpy batches a simulated day at a time.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, Event

from .arrivals import (
    DAY_S,
    HOUR_S,
    HOURS_PER_WEEK,
    WEEK_S,
    day_arrivals,
    hour_of_week,
    hourly_rates,
)
from .records import ABANDONED, ANSWERED, CENSORED, RecordBuffer, Records
from .records import NORMAL as FROM_NORMAL
from .roster import week_changes
from .scenario import ChannelSpec, Scenario
from .streams import Streams

#: How long the run may go on after the last arrival to let queues empty (overload guard).
DRAIN_LIMIT_S = 7 * DAY_S

# Contact states.
WAITING = 0
IN_SERVICE = 1
GONE = 2  # abandoned, or otherwise out of the queue


class Call(Event):
    """An event that fires after ``delay`` and calls ``fn(event)``: a timeout with one callback.

    ``value`` carries the object the callback works on (a contact, a handler...).
    """

    def __init__(self, env: simpy.Environment, delay: float, fn: Any, value: Any) -> None:
        # Inlined from simpy's Timeout: this constructor is on the hot path.
        self.env = env
        self.callbacks = [fn]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)


class Contact:
    """One contact in the system."""

    __slots__ = ("cat", "ch", "connect", "hour", "join", "measured", "origin", "patience",
                 "state", "work", "wrap")

    def __init__(self, ch: int, cat: int, hour: int, join: float, connect: float,
                 patience: float, work: float, wrap: float, measured: bool,
                 origin: int = FROM_NORMAL) -> None:
        self.ch = ch
        self.cat = cat
        self.hour = hour
        self.join = join
        self.connect = connect
        self.patience = patience
        self.work = work
        self.wrap = wrap
        self.measured = measured
        self.origin = origin
        self.state = WAITING


class Queue:
    """Contacts waiting for one channel, oldest first (abandoned ones are skipped lazily)."""

    __slots__ = ("channel", "items", "priority")

    def __init__(self, channel: int, priority: int) -> None:
        self.channel = channel
        self.priority = priority
        self.items: deque[Contact] = deque()


class Handler:
    """One member of staff on duty."""

    __slots__ = ("contact", "end", "idle_since", "pool")

    def __init__(self, pool: PoolState) -> None:
        self.pool = pool
        self.contact: Contact | None = None
        self.end: Event | None = None  # the pending end of service (stale events are ignored)
        self.idle_since = 0.0


class PoolState:
    """A pool's live state and its running time integrals (staff present, staff busy)."""

    __slots__ = ("busy", "busy_area", "changes", "idle", "index", "leaving", "name",
                 "present", "present_area", "queues", "t")

    def __init__(self, index: int, name: str, queues: list[Queue]) -> None:
        self.index = index
        self.name = name
        self.queues = sorted(queues, key=lambda q: q.priority)
        self.idle: deque[Handler] = deque()  # longest idle on the left
        self.present = 0  # on duty now, including those finishing a contact after their shift
        self.busy = 0
        self.leaving = 0  # busy staff who leave when their contact ends
        self.t = 0.0
        self.present_area = 0.0  # staff-seconds present since time 0
        self.busy_area = 0.0
        self.changes: dict[float, int] = {}  # pending roster changes: time -> net change


@dataclass(frozen=True)
class ModelOutput:
    """What one replication produced, before any measure is computed."""

    records: Records
    present_s: np.ndarray  # (pools, 168) staff-seconds on duty in the window, by hour of week
    busy_s: np.ndarray  # (pools, 168) staff-seconds busy in the window, by hour of week
    window_s: np.ndarray  # (168,) seconds of the measured window falling in each hour of week
    warnings: tuple[str, ...]


class ControlRoom:
    """One replication of a scenario. ``ControlRoom(scenario, r).run()`` -> ModelOutput."""

    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.streams = Streams(scenario.run.seed, replication)
        self.start_day = scenario.run.start_day
        self.warmup_s = scenario.run.warmup_days * DAY_S
        self.end_s = self.warmup_s + scenario.run.days * DAY_S
        self.records = RecordBuffer()
        self.warnings: list[str] = []
        self.channel_names = list(scenario.channels)
        self.category_names = list(scenario.categories)
        self.queues = [Queue(i, ch.priority) for i, ch in enumerate(scenario.channels.values())]
        self.pools = [
            PoolState(i, name, [self.queues[self.channel_names.index(s)] for s in pool.skills])
            for i, (name, pool) in enumerate(scenario.pools.items())
        ]
        self.routes = [self._route(name) for name in self.channel_names]
        self.open = 0  # measured contacts not yet answered or abandoned
        self.window_closed = False
        self.arrivals_done = False
        self.done = self.env.event()
        self._init_arrivals()
        self._init_pool_accounts()

    # --- set-up -----------------------------------------------------------------------------

    def _route(self, channel: str) -> list[list[PoolState]]:
        """Pools that answer ``channel``, grouped by number of skills, specialists first."""
        specs = self.scenario.pools
        able = [p for p in self.pools if channel in specs[p.name].skills]
        groups: dict[int, list[PoolState]] = {}
        for p in able:
            groups.setdefault(len(specs[p.name].skills), []).append(p)
        return [groups[k] for k in sorted(groups)]

    def _init_pool_accounts(self) -> None:
        n = len(self.pools)
        self.present_s = np.zeros((n, HOURS_PER_WEEK))
        self.busy_s = np.zeros((n, HOURS_PER_WEEK))
        self.window_s = np.zeros(HOURS_PER_WEEK)
        self._tick_areas = [(0.0, 0.0)] * n
        self._tick_t = self.warmup_s
        for week in (-1, 0, 1):
            self._add_roster_week(week)
        Call(self.env, WEEK_S * 2 - self.start_day * DAY_S, self._on_roster_week, 2)
        Call(self.env, self.warmup_s, self._on_window_start, None)
        Call(self.env, self.end_s, self._on_window_end, None)
        Call(self.env, self.end_s + DRAIN_LIMIT_S, self._on_drain_limit, None)

    def _init_arrivals(self) -> None:
        sc = self.scenario
        self.rates = [hourly_rates(ch) for ch in sc.channels.values()]
        cats = self.category_names
        self.mixes = [(np.array([cats.index(c) for c, _ in ch.mix]),
                       np.array([w for _, w in ch.mix]) / sum(w for _, w in ch.mix))
                      for ch in sc.channels.values()]
        self.day = 0  # next simulated day whose arrivals are to be drawn
        self.arrays: dict[str, np.ndarray] = {}  # contacts drawn but not yet joined
        self.cols: dict[str, list[Any]] = {}
        self.i = 0
        self._next_join()

    # --- arrivals ---------------------------------------------------------------------------

    def _draw_day(self, day: int) -> dict[str, np.ndarray]:
        """Every contact arriving on simulated ``day``, all channels, with its attributes."""
        parts = [self._draw_channel(k, ch, day) for k, ch in
                 enumerate(self.scenario.channels.values())]
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}

    def _draw_channel(self, k: int, ch: ChannelSpec, day: int) -> dict[str, np.ndarray]:
        s = self.streams
        name = ch.name
        arrival = day_arrivals(s(f"arrivals:{name}"), self.rates[k], day, self.start_day)
        arrival = arrival[arrival < self.end_s]
        n = len(arrival)
        cat_ids, shares = self.mixes[k]
        cat = cat_ids[s(f"mix:{name}").choice(len(cat_ids), n, p=shares)] if n else \
            np.zeros(0, dtype=np.int64)
        connect = ch.connect_s.sample(s(f"connect:{name}"), n)
        ivr = ch.ivr_s.sample(s(f"ivr:{name}"), n)
        patience = (ch.patience.sample(s(f"patience:{name}"), n) if ch.patience is not None
                    else np.full(n, math.inf))
        work = np.empty(n)
        wrap = np.empty(n)
        for c in cat_ids:
            mask = cat == c
            m = int(mask.sum())
            spec = self.scenario.categories[self.category_names[c]]
            work[mask] = spec.handle.sample(s(f"handle:{name}:{spec.name}"), m)
            wrap[mask] = spec.wrap_up.sample(s(f"wrap_up:{name}:{spec.name}"), m)
        return {
            "join": arrival + connect + ivr, "arrival": arrival, "ch": np.full(n, k),
            "cat": cat, "connect": connect, "patience": patience, "work": work, "wrap": wrap,
        }

    def _next_join(self) -> None:
        """Schedule the next contact joining a queue, drawing further days as needed."""
        while True:
            boundary = self.day * DAY_S
            if self.i < len(self.cols.get("join", ())) and (
                    self.cols["join"][self.i] < boundary or boundary >= self.end_s):
                Call(self.env, self.cols["join"][self.i] - self.env.now, self._on_join, None)
                return
            if boundary >= self.end_s:
                self.arrivals_done = True
                self._maybe_finish()
                return
            self._load_day()

    def _load_day(self) -> None:
        """Merge the next day's contacts with those still to join, in order of joining."""
        fresh = self._draw_day(self.day)
        self.day += 1
        rest = {k: v[self.i:] for k, v in self.arrays.items()}
        merged = {k: np.concatenate([rest[k], fresh[k]]) if rest else fresh[k] for k in fresh}
        order = np.argsort(merged["join"], kind="stable")
        merged = {k: v[order] for k, v in merged.items()}
        merged["hour"] = hour_of_week(merged["arrival"], self.start_day)
        self.arrays = merged
        self.cols = {k: v.tolist() for k, v in merged.items()}
        self.cols["measured"] = (merged["arrival"] >= self.warmup_s).tolist()
        self.i = 0

    def _on_join(self, _: Event) -> None:
        cols, i = self.cols, self.i
        self.i = i + 1
        contact = Contact(cols["ch"][i], cols["cat"][i], cols["hour"][i], cols["join"][i],
                          cols["connect"][i], cols["patience"][i], cols["work"][i],
                          cols["wrap"][i], cols["measured"][i])
        self._offer(contact)
        self._next_join()

    # --- queueing and service ---------------------------------------------------------------

    def _offer(self, c: Contact) -> None:
        """A contact joins its channel's queue, or goes straight to an idle handler."""
        if c.measured:
            self.open += 1
        h = self._idle_handler(self.routes[c.ch])
        if h is not None:
            self._start(h, c)
            return
        self.queues[c.ch].items.append(c)
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
        now = self.env.now
        c.state = IN_SERVICE
        if c.measured:
            self._resolve(c, ANSWERED, now - c.join)
        p = h.pool
        self._touch(p)
        p.busy += 1
        h.contact = c
        h.end = Call(self.env, c.work + c.wrap, self._on_end, h)

    def _on_end(self, ev: Event) -> None:
        h: Handler = ev._value
        if h.end is not ev:
            return  # this service was interrupted; its end no longer stands
        h.end = h.contact = None
        p = h.pool
        self._touch(p)
        p.busy -= 1
        self._free(h)

    def _free(self, h: Handler) -> None:
        """A handler with nothing in hand: leave if due to, else take work, else wait idle."""
        p = h.pool
        if p.leaving:
            p.leaving -= 1
            self._touch(p)
            p.present -= 1
            return
        c = self._next_waiting(p)
        if c is not None:
            self._start(h, c)
            return
        h.idle_since = self.env.now
        p.idle.append(h)

    @staticmethod
    def _next_waiting(p: PoolState) -> Contact | None:
        """The waiting contact with the lowest priority, oldest first, among the pool's skills."""
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
        if best_q is None:
            return None
        best_q.items.popleft()
        return best

    def _on_patience(self, ev: Event) -> None:
        c: Contact = ev._value
        if c.state == WAITING:
            c.state = GONE
            if c.measured:
                self._resolve(c, ABANDONED, c.patience)

    def _resolve(self, c: Contact, outcome: int, wait: float) -> None:
        self.records.add(c.ch, c.cat, c.hour, outcome, c.origin, wait, c.connect)
        self.open -= 1
        if self.open == 0:
            self._maybe_finish()

    # --- staff ------------------------------------------------------------------------------

    def _touch(self, p: PoolState) -> None:
        """Bring a pool's time integrals up to now before its counts change."""
        now = self.env.now
        p.busy_area += p.busy * (now - p.t)
        p.present_area += p.present * (now - p.t)
        p.t = now

    def _add_roster_week(self, week: int) -> None:
        for p in self.pools:
            for t, delta in week_changes(self.scenario.pools[p.name], week, self.start_day):
                t = max(t, 0.0)
                if t in p.changes:
                    p.changes[t] += delta
                else:
                    p.changes[t] = delta
                    Call(self.env, t - self.env.now, self._on_staff_change, (p, t))

    def _on_roster_week(self, ev: Event) -> None:
        week: int = ev._value
        self._add_roster_week(week)
        Call(self.env, WEEK_S, self._on_roster_week, week + 1)

    def _on_staff_change(self, ev: Event) -> None:
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

    def _on_window_start(self, _: Event) -> None:
        for p in self.pools:
            self._touch(p)
            self._tick_areas[p.index] = (p.present_area, p.busy_area)
        self._tick_t = self.env.now
        self._on_hour_after()

    def _on_hour(self, _: Event) -> None:
        """Hourly snapshot, so staff on duty and busy are known by hour of the week."""
        self._snapshot()
        self._on_hour_after()

    def _on_hour_after(self) -> None:
        next_hour = (math.floor(self.env.now / HOUR_S) + 1) * HOUR_S
        if next_hour < self.end_s:
            Call(self.env, next_hour - self.env.now, self._on_hour, None)

    def _on_window_end(self, _: Event) -> None:
        self._snapshot()
        self.window_closed = True
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        if self.window_closed and self.arrivals_done and self.open == 0 and \
                not self.done.triggered:
            self.done.succeed()

    def _on_drain_limit(self, _: Event) -> None:
        """Overload: contacts still waiting long after the end are recorded as censored."""
        now = self.env.now
        censored = 0
        for q in self.queues:
            for c in q.items:
                if c.state == WAITING and c.measured:
                    c.state = GONE
                    self.records.add(c.ch, c.cat, c.hour, CENSORED, c.origin, now - c.join,
                                     c.connect)
                    censored += 1
        if censored:
            self.warnings.append(
                f"{censored} contacts were still waiting {DRAIN_LIMIT_S / DAY_S:g} days after "
                "the last arrival: demand exceeds capacity, so waits are understated. They count "
                "as not answered.")
        self.open = 0
        if not self.done.triggered:
            self.done.succeed()

    def run(self) -> ModelOutput:
        self.env.run(until=self.done)
        return ModelOutput(self.records.freeze(), self.present_s, self.busy_s, self.window_s,
                           tuple(self.warnings))


def simulate(scenario: Scenario, replication: int) -> ModelOutput:
    """Run one replication of ``scenario``."""
    return ControlRoom(scenario, replication).run()
