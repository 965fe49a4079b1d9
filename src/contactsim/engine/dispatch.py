"""Dispatch: response officers, the incidents that wait for them, and callers who ring again.

With ``[officers]`` (DESIGN §12) a contact that needs an officer (``deploy``) becomes an
incident when it is answered (when its triage handover fails; or when the room decides to ring
back a caller who hung up). Its grade is drawn from its category's ``grade`` shares. A
``resolved`` incident sends nobody: the handler spends the category's ``rwd_s`` more on the call
(added to its wrap-up; a callback's is not). Any other waits for an officer:

- Order: the most urgent grade first (immediate, priority, scheduled), oldest first within a
  grade. No preemption: an officer on a scheduled job finishes it even when an immediate
  incident waits (forces do divert officers, but rarely from a job already on scene; a model
  that preempts would need a rule for what the interrupted job costs).
- An incident goes to an idle officer at once (officer pools in the scenario's order); an
  officer who finishes takes the next waiting incident.
- The officer travels (``travel_s`` of the pool) and stays on scene for the category's
  ``on_scene_s`` (absent: ``officer_hours``, constant). Time to arrival is counted from the
  call's answer; an incident is attended when the officer arrives.
- Officers come on and off duty by their roster, as handlers do (no absence or breaks): idle
  officers leave first, busy ones when the job in hand ends.
- Areas (a ``share`` on every ``[officers.NAME]``, adding up to 1): each pool is an area. An
  incident that needs an officer arises in an area drawn by the shares (stream
  ``dispatch:area``, drawn only with areas, once per such incident), waits in that area's own
  grade queues (the order above within the area), and only that area's officers attend it: an
  officer who finishes, or comes on duty, takes only from their own area's queues, and an idle
  officer in one area never takes another area's incident. Each area is judged against its own
  ``targets`` (else ``[dispatch]``'s). Without shares every pool serves every incident as
  above. The bookkeeping is :mod:`contactsim.engine.dispatch_areas`'s, so the path without
  areas is untouched.

Chase calls (``[dispatch.chase]``): ``after_s`` after the answer a caller whose officer has not
arrived rings again, with probability ``share`` (one draw per incident whose officer is not
due by then, made when it is dispatched or queued); one who does rings again every
``repeat_s`` until the officer arrives, at most :data:`~contactsim.engine.abandon.MAX_TRIES`
(10) times in all, as a caller who keeps hanging up gives up. A chase call is a contact on the
chase channel of category ``chase`` (its handle time), drawn from streams of its own, which
needs no officer and which no diversion takes; it queues, abandons and redials like any other
contact. Warm-up incidents load the officers and chase too, so the measured window starts from
a realistic state; the measures count measured incidents (answered from a contact that arrived
in the window), each followed until its officer arrives (the run goes on until then, as it
does for contacts; an incident still waiting when an overloaded run stops counts as never
attended, and a warning says how many).

Every draw comes from streams of its own (``dispatch:...``, ``chase:...``), so the contacts'
draws are those of the same scenario without officers.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from contactsim.config.distributions import UNIFORM, Distribution, Draws
from contactsim.config.spec import (
    ALL_PRIORITY,
    ATTENDED,
    CHASE_CATEGORY,
    ChaseSpec,
    OfficersSpec,
)
from contactsim.engine.abandon import MAX_TRIES
from contactsim.engine.entities import Contact
from contactsim.engine.events import Call
from contactsim.engine.officers import Officers
from contactsim.engine.records import HOUR_SHIFT, NORMAL, pack_tag
from contactsim.engine.roster import officers_as_pool, schedule_changes, week_changes
from contactsim.engine.state import RoomState
from contactsim.engine.streams import StreamName
from contactsim.timebase import DAY_S, HOUR_S, HOURS_PER_WEEK, WEEK_S

#: A deployment's grade index: ATTENDED's order, then resolved.
RESOLVED = len(ATTENDED)


@dataclass(frozen=True)
class AreaOutput:
    """One area's part of a :class:`DispatchOutput` (with areas: see dispatch_areas)."""

    incidents: np.ndarray  # (3,) measured incidents arising in the area, by attended grade
    arrival_s: tuple[np.ndarray, ...]  # by grade: answer to arrival of each attended incident
    present_s: float  # the area's officer-seconds on duty in the measured window
    busy_s: float  # and busy
    waiting_s: np.ndarray  # (168,) incident-seconds waiting for the area's officers
    chase: float  # chase calls about the area's incidents arriving in the measured window


@dataclass(frozen=True)
class DispatchOutput:
    """What the officers did in one replication (measured incidents only)."""

    incidents: np.ndarray  # (3,) measured incidents by attended grade
    resolved: float  # measured deployments resolved without an officer
    arrival_s: tuple[np.ndarray, ...]  # by grade: answer to arrival of each attended incident
    waiting_s: np.ndarray  # (168,) incident-seconds waiting for an officer, by hour of week
    present_s: float  # officer-seconds on duty in the measured window
    busy_s: float  # officer-seconds busy (travelling or on scene) in the window
    chase: float  # chase calls arriving in the measured window
    #: With areas: each area's figures, in the order of [officers]; empty without.
    areas: tuple[AreaOutput, ...] = ()


class Incident:
    """An incident waiting for an officer (or whose caller will chase)."""

    __slots__ = ("arrival", "chases", "created", "grade", "measured", "on_scene")

    def __init__(self, grade: int, created: float, on_scene: float, measured: bool) -> None:
        self.grade = grade
        self.created = created
        self.on_scene = on_scene
        self.measured = measured
        self.arrival = math.inf  # when the officer arrives (known once dispatched)
        self.chases = 0  # chase calls its caller has made


def _unset(_: OfficerPool) -> None:
    raise RuntimeError("an officer pool's job ended before its dispatch was set up")


class OfficerPool:
    """One ``[officers.NAME]`` pool. The pool is itself the event loop's entry for the end of
    each of its officers' jobs (``fn(pool)`` then, as a busy handler is: a :class:`Call` per
    job would cost more).

    Its officer time on duty and busy is kept as two sums (see :meth:`integral`); the force's
    is the sum of its pools'."""

    __slots__ = ("busy", "busy_area", "changes", "fn", "leaving", "present", "present_area",
                 "queues", "spec", "travel_next", "window")

    def __init__(self, spec: OfficersSpec, travel: Draws) -> None:
        self.spec = officers_as_pool(spec)
        self.travel_next = travel.next
        self.present = 0
        self.busy = 0
        self.leaving = 0  # busy officers who go off duty when their job ends
        self.changes: dict[float, int] = {}
        self.fn: Callable[[OfficerPool], None] = _unset
        #: The grade queues its officers take from (the force's, shared by every pool,
        #: unless the pool is an area).
        self.queues: list[deque[Incident]] = []
        self.present_area = self.busy_area = 0.0  # see integral
        self.window: list[tuple[float, float]] = []  # the integral at the window's edges

    def integral(self, now: float) -> tuple[float, float]:
        """Officer-seconds on duty and busy from time 0 to ``now``. Each officer's spell (on
        duty, or on a job) adds its end and takes away its start, so the areas hold the sum of
        ended spells' lengths less the starts of those still running: adding ``now`` for each
        running one gives the integral, with no work per event beyond one sum."""
        return self.present_area + self.present * now, self.busy_area + self.busy * now

    def window_s(self, now: float) -> tuple[float, float]:
        """Officer-seconds on duty and busy in the measured window (up to ``now`` if the run
        stopped before its end)."""
        start = self.window[0] if self.window else self.integral(now)
        end = self.window[1] if len(self.window) > 1 else self.integral(now)
        return end[0] - start[0], end[1] - start[1]


class Dispatch(Officers):
    """The officers' live state: takes the place of :class:`Officers` (the same ``deploy``
    and ``hours``) when a scenario has ``[officers]``."""

    #: The type of each officer pool (an area's with areas: see dispatch_areas).
    POOL: type[OfficerPool] = OfficerPool

    def __init__(self, room: RoomState) -> None:
        sc = room.scenario
        super().__init__(sc)
        self.room = room
        self.env = room.env
        demand = room.demand
        cats = list(sc.categories.values())
        self.cum = [list(accumulate((c.grade or ALL_PRIORITY).shares())) for c in cats]
        self.grade_next = [demand.draws(StreamName.grade(c.name), UNIFORM).next for c in cats]
        self.rwd = [demand.draws(StreamName.rwd(c.name), c.rwd_s) for c in cats]
        self.on_scene_next = [demand.draws(StreamName.on_scene(c.name), c.on_scene_s or
                                           Distribution.constant(c.officer_hours * HOUR_S)).next
                              for c in cats]
        self.pools = [self.POOL(spec, demand.draws(StreamName.travel(name), spec.travel_s))
                      for name, spec in sc.officers.items()]
        #: every grade queue (the pools', or with areas each area's, in order)
        self.queues: list[deque[Incident]] = [deque() for _ in ATTENDED]
        for pool in self.pools:
            pool.fn = self._on_job_end
            if not pool.queues:
                pool.queues = self.queues
        self.incidents = [0] * len(ATTENDED)
        self.resolved = 0
        self.arrivals: list[list[float]] = [[] for _ in ATTENDED]
        #: (answered, dispatched) of every incident that had to wait
        self.waits: list[tuple[float, float]] = []
        chase = sc.dispatch.chase if sc.dispatch is not None else None
        self.chase = chase
        self.chase_calls = 0
        if chase is not None:
            self._init_chase(chase.channel)
        for week in (-1, 0, 1):
            self._add_roster_week(week)
        Call(self.env, WEEK_S * 2 - room.start_day * DAY_S, self._on_roster_week, 2)
        Call(self.env, room.warmup_s, self._on_window_edge, None)
        Call(self.env, room.end_s, self._on_window_edge, None)

    def _init_chase(self, channel: str) -> None:
        """The chase calls' draws: whether a caller chases, and each call's attributes, from
        streams named as a batch of contacts' (``chase:connect:101``, ...), drawn in blocks."""
        sc, demand, names = self.room.scenario, self.room.demand, StreamName
        ch, cat = sc.channels[channel], sc.categories[CHASE_CATEGORY]
        self.chase_u = demand.draws(names.chase(), UNIFORM)
        self.chase_channel = k = self.room.channel_names.index(channel)
        self.chase_connect = demand.draws(names.contact(names.CHASE, "connect", channel),
                                          ch.connect_s)
        self.chase_ivr = demand.draws(names.contact(names.CHASE, "ivr", channel), ch.ivr_s)
        self.chase_patience = None if ch.patience is None else demand.draws(
            names.contact(names.CHASE, "patience", channel), ch.patience)
        self.chase_work = demand.draws(names.handle(names.CHASE, channel, cat.name), cat.handle)
        self.chase_wrap = demand.draws(names.wrap_up(names.CHASE, channel, cat.name),
                                       cat.wrap_up)
        self.chase_category = list(sc.categories).index(cat.name)
        self.chase_tag = pack_tag(k, self.chase_category, 0, NORMAL, -1)

    # --- incidents ---------------------------------------------------------------------------

    def deploy(self, c: Contact) -> None:
        """``c`` needs an officer (if ``c.deploy``): grade it, then resolve it by phone, send
        an idle officer, or queue it."""
        if not c.deploy:
            return
        cat, now, measured = c.cat, self.env.now, c.measured
        grade = bisect_right(self.cum[cat], self.grade_next[cat]())  # edges at or below u
        if grade >= RESOLVED:
            c.wrap += self.rwd[cat].next()
            self.resolved += measured
            return
        on_scene = self.on_scene_next[cat]()
        if measured:
            self.hours[c.ch] += on_scene / HOUR_S
            self.incidents[grade] += 1
            if self.room.stopping:  # the run ends now: never attended (counted as failing)
                return
        for pool in self.pools:
            if pool.present > pool.busy:  # an officer sets off at once
                pool.busy += 1
                pool.busy_area -= now  # its job starts: see OfficerPool.integral
                travel = pool.travel_next()
                self.env.add(now + (travel + on_scene), pool)  # the job's end: pool.fn(pool)
                if measured:
                    self.arrivals[grade].append(travel)
                arrival = now + travel
                incident = None
                break
        else:
            incident = Incident(grade, now, on_scene, measured)
            self.queues[grade].append(incident)
            arrival = math.inf
            if measured:
                self.room.open += 1  # the run goes on until the officer arrives
        chase = self.chase
        if chase is not None and arrival > now + chase.after_s:
            self._may_chase(chase, incident, grade, now, on_scene, measured, arrival)

    def _may_chase(self, chase: ChaseSpec, incident: Incident | None, grade: int, now: float,
                   on_scene: float, measured: bool, arrival: float) -> None:
        """An incident whose officer is not due within ``after_s``: its caller will ring again
        with probability ``share`` (``incident`` is None when an officer is already on the
        way, due at ``arrival``)."""
        if self.chase_u.next() < chase.share:
            if incident is None:
                incident = Incident(grade, now, on_scene, measured)
                incident.arrival = arrival
            Call(self.env, chase.after_s, self._on_chase, incident)

    def _take(self, pool: OfficerPool, incident: Incident, now: float) -> None:
        """An officer of ``pool``, already counted busy, sets off now for ``incident``, which
        has been waiting."""
        travel = pool.travel_next()
        created = incident.created
        self.waits.append((created, now))
        self.env.add(now + (travel + incident.on_scene), pool)  # the job's end: pool.fn(pool)
        incident.arrival = now + travel
        if incident.measured:
            self.arrivals[incident.grade].append(now + travel - created)
            room = self.room
            room.open -= 1
            if not room.open:
                room._maybe_finish()

    def _on_job_end(self, pool: OfficerPool) -> None:
        """An officer of ``pool`` finishes a job: takes the next incident waiting (staying
        busy), goes off duty if due to, or waits for the next."""
        now = self.env.now
        if not pool.leaving:
            for q in pool.queues:
                if q:
                    self._take(pool, q.popleft(), now)
                    return
        pool.busy -= 1
        pool.busy_area += now  # its job ends: see OfficerPool.integral
        if pool.leaving:
            pool.leaving -= 1
            pool.present -= 1
            pool.present_area += now

    # --- chase calls -------------------------------------------------------------------------

    def _on_chase(self, ev: Call) -> None:
        """A caller still waiting for an officer rings again, and again every ``repeat_s``
        until the officer arrives (whether this caller chases at all was drawn once, when
        the incident was dispatched or queued)."""
        incident: Incident = ev._value
        chase = self.chase
        assert chase is not None
        now = self.env.now
        if incident.arrival <= now:
            return
        self._chase_call(now)
        incident.chases += 1
        if incident.chases < MAX_TRIES:  # then the caller gives up ringing
            Call(self.env, chase.repeat_s, self._on_chase, incident)

    def _chase_call(self, now: float) -> None:
        """A chase call arrives on the chase channel now: a contact like any other, except
        that no diversion takes it and it needs no officer (its incident is already with the
        police)."""
        room = self.room
        k = self.chase_channel
        measured = room.warmup_s <= now < room.end_s
        if room.demand.shut_out(k, now, measured):
            return
        connect = self.chase_connect.next()
        patience = self.chase_patience
        c = Contact(ch=k, cat=self.chase_category, join=now + connect + self.chase_ivr.next(),
                    connect=connect, patience=math.inf if patience is None else patience.next(),
                    work=self.chase_work.next(), wrap=self.chase_wrap.next(), div=-1,
                    triage=0.0, tag=self.chase_tag | int(now // HOUR_S) << HOUR_SHIFT,
                    measured=measured, deploy=False)
        if measured:
            room.open += 1
            self.chase_calls += 1
        room._join(c)

    # --- the roster and the window -----------------------------------------------------------

    def _add_roster_week(self, week: int) -> None:
        for p in self.pools:
            schedule_changes(self.env, p.changes, week_changes(p.spec, week, self.room.start_day),
                             self._on_roster_change, p)

    def _on_roster_week(self, ev: Call) -> None:
        self._add_roster_week(ev._value)
        Call(self.env, WEEK_S, self._on_roster_week, ev._value + 1)

    def _on_roster_change(self, ev: Call) -> None:
        p, t = ev._value
        delta = p.changes.pop(t)
        now = self.env.now
        if delta > 0:
            stay = min(delta, p.leaving)  # officers due to leave stay on instead
            p.leaving -= stay
            p.present += delta - stay
            p.present_area -= (delta - stay) * now  # see OfficerPool.integral
            for _ in range(delta - stay):  # each takes the pool's next incident waiting
                incident = next((q.popleft() for q in p.queues if q), None)
                if incident is None:
                    break
                p.busy += 1
                p.busy_area -= now
                self._take(p, incident, now)
        elif delta < 0:
            gone = min(-delta, p.present - p.busy)
            p.present -= gone
            p.present_area += gone * now
            p.leaving += -delta - gone

    def _on_window_edge(self, _: Call) -> None:
        now = self.env.now
        for p in self.pools:
            p.window.append(p.integral(now))

    # --- the output --------------------------------------------------------------------------

    def output(self) -> DispatchOutput:
        """The replication's figures (incidents still waiting count as never attended)."""
        now = self.env.now
        present_s = busy_s = 0.0
        for p in self.pools:
            present, busy = p.window_s(now)
            present_s += present
            busy_s += busy
        waits = self.waits + [(i.created, now) for q in self.queues for i in q]
        unattended = sum(self.incidents) - sum(len(a) for a in self.arrivals)
        if unattended:
            self.room.warnings.append(
                f"{unattended} measured incidents were still waiting for an officer when the "
                "run stopped: they count as not attended within target.")
        return DispatchOutput(
            incidents=np.array(self.incidents, dtype=float), resolved=float(self.resolved),
            arrival_s=tuple(np.array(a) for a in self.arrivals),
            waiting_s=waiting_by_hour(waits, self.room.warmup_s, self.room.end_s,
                                      self.room.start_day),
            present_s=present_s, busy_s=busy_s, chase=float(self.chase_calls))


def waiting_by_hour(waits: list[tuple[float, float]], lo: float, hi: float,
                    start_day: int) -> np.ndarray:
    """Seconds spent waiting within ``[lo, hi)`` by the intervals ``waits``, by hour of the
    week (time 0 falls on ``start_day``)."""
    out = np.zeros(HOURS_PER_WEEK)
    if not waits or hi <= lo:
        return out
    a = np.sort(np.array([w[0] for w in waits]))
    b = np.sort(np.array([w[1] for w in waits]))
    first = math.floor(lo / HOUR_S) + 1
    edges = np.concatenate([[lo], np.arange(first, math.ceil(hi / HOUR_S)) * HOUR_S, [hi]])
    edges = edges[edges <= hi]

    def area(x: np.ndarray) -> np.ndarray:  # sum over intervals of max(0, t - x_i), at edges
        n = np.searchsorted(x, edges, side="left")
        before = np.concatenate([[0.0], np.cumsum(x)])[n]
        return edges * n - before

    # (never below 0: the two areas are large and close, so rounding can leave -1e-12)
    integral = np.maximum(np.diff(area(a) - area(b)), 0.0)
    hours = (np.floor(edges[:-1] / HOUR_S).astype(np.int64) + 24 * start_day) % HOURS_PER_WEEK
    np.add.at(out, hours, integral)
    return out
