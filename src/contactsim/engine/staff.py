"""Staff: who is on duty, who is busy, and the hourly record of both.

The roster says how many people each pool has on duty as a step function of time (see
:mod:`~contactsim.engine.roster`, which also takes out the absent and staggers the breaks). The
room asks for it a week at a time. Where the number rises, people come on at once and take
waiting work; where it falls, idle people leave first, and busy ones leave when the contact in
hand ends (someone due to leave who is still busy when the number rises again simply stays).

A digital desk that is ``interruptible_for`` 999 drops its online work to take a 999 call that
nobody else can; the work goes back to the head of its queue, to resume where it stopped.

Each pool keeps running totals of staff-seconds present and busy. Over the measured window they
are cut every hour into the (pool, hour of the week) tables of staff on duty and occupancy.
"""

from __future__ import annotations

import math

import numpy as np

from contactsim.engine.entities import WAITING, Handler, PoolState
from contactsim.engine.events import Call
from contactsim.engine.roster import schedule_changes, week_changes
from contactsim.engine.state import RoomState
from contactsim.engine.streams import StreamName
from contactsim.timebase import DAY_S, HOUR_S, HOURS_PER_WEEK, WEEK_S


class HourlyTables:
    """Staff-seconds on duty and busy, by pool and hour of the week, over the measured window.

    The pools' running integrals are cut into the tables each hour (and at the window's end, or
    when an overloaded run stops early).
    """

    def __init__(self, pools: list[PoolState], warmup_s: float, start_day: int) -> None:
        self.pools = pools
        self.start_day = start_day  # weekday of time 0
        n = len(pools)
        self.present_s = np.zeros((n, HOURS_PER_WEEK))
        self.busy_s = np.zeros((n, HOURS_PER_WEEK))
        self.window_s = np.zeros(HOURS_PER_WEEK)  # seconds of the window in each hour
        self.areas = [(0.0, 0.0)] * n  # by pool: present and busy areas at the last cut
        self.warmup_s = warmup_s
        self.cut_t = warmup_s  # when they were last cut

    def open(self, now: float) -> None:
        """The window opens: the integrals so far are warm-up, not counted."""
        for p in self.pools:
            p.present_change(now, 0)
            self.areas[p.index] = (p.present_area, p.busy_area)
        self.cut_t = now

    def cut(self, now: float) -> None:
        """Add the integrals since the last cut to its hour of the week."""
        hour = (int(self.cut_t // HOUR_S) + 24 * self.start_day) % HOURS_PER_WEEK
        for p in self.pools:
            p.present_change(now, 0)
            present, busy = self.areas[p.index]
            self.present_s[p.index, hour] += p.present_area - present
            self.busy_s[p.index, hour] += p.busy_area - busy
            self.areas[p.index] = (p.present_area, p.busy_area)
        self.window_s[hour] += now - self.cut_t
        self.cut_t = now

    def cut_early(self, now: float) -> None:
        """The run stops at ``now``: cut what the window has run since the last cut, if any."""
        if now > self.cut_t >= self.warmup_s:
            self.cut(now)


class StaffMixin(RoomState):
    """Roster changes, absence, breaks, interruption, and the hourly staff snapshots."""

    absence: list[np.random.Generator]  # by pool

    def _init_staff(self) -> None:
        """The tables, then the first three weeks of roster and the window's own events."""
        self.tables = HourlyTables(self.pools, self.warmup_s, self.start_day)
        self.absence = [self.streams(StreamName.absence(p.name)) for p in self.pools]
        for week in (-1, 0, 1):
            self._add_roster_week(week)
        Call(self.env, WEEK_S * 2 - self.start_day * DAY_S, self._on_roster_week, 2)
        Call(self.env, self.warmup_s, self._on_window_start, None)
        Call(self.env, self.end_s, self._on_window_end, None)

    # --- the roster -------------------------------------------------------------------------

    def _add_roster_week(self, week: int) -> None:
        for p in self.pools:
            spec = self.scenario.pools[p.name]
            schedule_changes(self.env, p.changes,
                             week_changes(spec, week, self.start_day, self.absence[p.index],
                                          self.staffing.scalers[p.index]),
                             self._on_staff_change, p)

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
            p.present_change(self.env.now, delta - stay)
            for _ in range(delta - stay):
                self._free(Handler(p, self._on_end))
        elif delta < 0:
            p.present_change(self.env.now, 0)  # the integrals to now, whoever leaves
            gone = 0
            while gone < -delta and p.idle:
                p.leave(p.idle.pop(), self.env.now)
                gone += 1
            p.leaving += -delta - gone

    # --- interruption -----------------------------------------------------------------------

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
        self.env.unschedule(best)  # the end of the work it dropped
        best.contact = None
        p.present_change(self.env.now, 0)  # (as at every staff event, both integrals)
        p.busy_change(self.env.now, -1)
        return best

    # --- the hourly snapshots over the measured window --------------------------------------

    def _on_window_start(self, _: Call) -> None:
        self.tables.open(self.env.now)
        self._next_hour()

    def _on_hour(self, _: Call) -> None:
        """Hourly snapshot, so staff on duty and busy are known by hour of the week."""
        self.tables.cut(self.env.now)
        self._next_hour()

    def _next_hour(self) -> None:
        next_hour = (math.floor(self.env.now / HOUR_S) + 1) * HOUR_S
        if next_hour < self.end_s:
            Call(self.env, next_hour - self.env.now, self._on_hour, None)

    def _on_window_end(self, _: Call) -> None:
        self.tables.cut(self.env.now)
        self.window_closed = True
        self._maybe_finish()
