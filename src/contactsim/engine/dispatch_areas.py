"""Dispatch with areas: each officer pool serves only the incidents arising in its own area.

With a ``share`` on every ``[officers.NAME]`` (see :mod:`contactsim.engine.dispatch` for the
rules they share), each pool is an area: an incident that needs an officer arises in an area
drawn by the shares (from the stream ``dispatch:area``, drawn only with areas and only for an
incident an officer attends, not one resolved by phone, so every other draw is the one it is
without areas), and waits in that area's grade queues; an officer who finishes a job, or comes
on duty, takes only from their own area's queues. The areas keep their own counts (incidents,
arrivals, officer time on duty and busy, incidents' waits, chase calls) beside the force-wide
ones, for the per-area measures.

Without areas the room holds a plain :class:`~contactsim.engine.dispatch.Dispatch`, whose hot
path is untouched by this module (:func:`make_dispatch` chooses).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from dataclasses import replace
from itertools import accumulate
from typing import cast

import numpy as np

from contactsim.config.distributions import UNIFORM, Draws
from contactsim.config.spec import ATTENDED, OfficersSpec, has_areas
from contactsim.engine.dispatch import (
    RESOLVED,
    AreaOutput,
    Dispatch,
    DispatchOutput,
    Incident,
    OfficerPool,
    waiting_by_hour,
)
from contactsim.engine.entities import Contact
from contactsim.engine.events import Call
from contactsim.engine.state import RoomState
from contactsim.engine.streams import StreamName
from contactsim.timebase import HOUR_S


class AreaPool(OfficerPool):
    """An area: its officer pool, its own grade queues and its own counts."""

    __slots__ = ("arrivals", "chase", "incidents", "waits")

    def __init__(self, spec: OfficersSpec, travel: Draws) -> None:
        super().__init__(spec, travel)
        self.queues = [deque() for _ in ATTENDED]  # its own (Dispatch shares the force's)
        self.incidents = [0] * len(ATTENDED)
        self.arrivals: list[list[float]] = [[] for _ in ATTENDED]
        self.waits: list[tuple[float, float]] = []  # as Dispatch's, the area's incidents
        self.chase = 0  # measured chase calls about the area's incidents


class AreaIncident(Incident):
    """An incident that knows its area (for the area's chase calls)."""

    __slots__ = ("area",)

    def __init__(self, grade: int, created: float, on_scene: float, measured: bool,
                 area: AreaPool) -> None:
        super().__init__(grade, created, on_scene, measured)
        self.area = area


def make_dispatch(room: RoomState) -> Dispatch:
    """The room's dispatch: by area where the officer pools have shares."""
    return AreaDispatch(room) if has_areas(room.scenario.officers) else Dispatch(room)


class AreaDispatch(Dispatch):
    """:class:`Dispatch` with areas: one :class:`AreaPool` per ``[officers.NAME]``."""

    POOL = AreaPool

    def __init__(self, room: RoomState) -> None:
        super().__init__(room)
        self.areas = cast(list[AreaPool], self.pools)
        shares = [spec.share or 0.0 for spec in room.scenario.officers.values()]
        self.area_cum = list(accumulate(shares))
        self.last = len(shares) - 1
        self.area_next = room.demand.draws(StreamName.area(), UNIFORM).next
        # every incident waiting, in any area (the force-wide figures read them at the end)
        self.queues = [q for a in self.areas for q in a.queues]

    def deploy(self, c: Contact) -> None:
        """As :meth:`Dispatch.deploy`, in the incident's area: its officers or its queue."""
        if not c.deploy:
            return
        cat, now, measured = c.cat, self.env.now, c.measured
        grade = bisect_right(self.cum[cat], self.grade_next[cat]())
        if grade >= RESOLVED:
            c.wrap += self.rwd[cat].next()
            self.resolved += measured
            return
        on_scene = self.on_scene_next[cat]()
        area = self.areas[min(bisect_right(self.area_cum, self.area_next()), self.last)]
        if measured:
            self.hours[c.ch] += on_scene / HOUR_S
            self.incidents[grade] += 1
            area.incidents[grade] += 1
            if self.room.stopping:  # the run ends now: never attended (counted as failing)
                return
        incident = None
        if area.present > area.busy:  # an officer of the area sets off at once
            area.busy += 1
            area.busy_area -= now  # its job starts: see OfficerPool.integral
            travel = area.travel_next()
            self.env.add(now + (travel + on_scene), area)  # the job's end: area.fn(area)
            if measured:
                self.arrivals[grade].append(travel)
                area.arrivals[grade].append(travel)
            arrival = now + travel
        else:
            incident = AreaIncident(grade, now, on_scene, measured, area)
            area.queues[grade].append(incident)
            arrival = math.inf
            if measured:
                self.room.open += 1  # the run goes on until the officer arrives
        chase = self.chase
        if chase is not None and arrival > now + chase.after_s:
            if incident is None:  # (made here, not in _may_chase: it must know its area)
                incident = AreaIncident(grade, now, on_scene, measured, area)
                incident.arrival = arrival
            self._may_chase(chase, incident, grade, now, on_scene, measured, arrival)

    def _on_chase(self, ev: Call) -> None:
        """As :meth:`Dispatch._on_chase`, counting a measured chase call to its area."""
        calls = self.chase_calls
        super()._on_chase(ev)
        if self.chase_calls > calls:
            ev._value.area.chase += 1

    def _take(self, pool: OfficerPool, incident: Incident, now: float) -> None:
        """As :meth:`Dispatch._take`, counting the wait and the arrival to the area too."""
        super()._take(pool, incident, now)
        area = cast(AreaPool, pool)
        area.waits.append((incident.created, now))
        if incident.measured:
            area.arrivals[incident.grade].append(incident.arrival - incident.created)

    def output(self) -> DispatchOutput:
        """The force-wide figures, and each area's."""
        out = super().output()
        now = self.env.now
        areas = []
        for a in self.areas:
            present_s, busy_s = a.window_s(now)
            waits = a.waits + [(i.created, now) for q in a.queues for i in q]
            areas.append(AreaOutput(
                incidents=np.array(a.incidents, dtype=float),
                arrival_s=tuple(np.array(x) for x in a.arrivals),
                present_s=present_s, busy_s=busy_s,
                waiting_s=waiting_by_hour(waits, self.room.warmup_s, self.room.end_s,
                                          self.room.start_day),
                chase=float(a.chase)))
        return replace(out, areas=tuple(areas))
