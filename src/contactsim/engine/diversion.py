"""Diversion: contacts that a partner agency deals with instead of the police.

A diversion policy picks a share of the contacts of some categories on some channels (which
ones was drawn with the day's demand). A ``pre_queue`` policy acts before the queue: the contact
goes straight to the partner and is never offered to a handler. A triage policy acts after
answer: the handler triages the contact, holds for the partner to answer, and hands it over,
after which one of the partner's staff is busy with it for a while.

A partner is an agency with opening hours and a limited number of staff: a mental-health crisis
line open 24/7 with four staff, or a daytime service open 09:00-17:00. A handover succeeds only
if the partner is open and one of its staff is free. Otherwise it fails at once (counted as
failed because the partner was closed, or busy): a contact diverted before the queue joins it
after all, and a triaged contact takes its full handle time (the triage is part of it, so it
costs what it would have cost with no diversion). A diverted contact needs no officer.

A diversion with ``hours`` acts only on contacts that arrive within them: on any other it is
not attempted at all (no handover, no failure counted, no partner draws) and the contact goes
on exactly as with no policy. A triaged contact is then dealt with in full when its triage
ends: the triage is part of the handle time, so that costs what no policy would.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from contactsim.config.distributions import Distribution, Draws
from contactsim.config.spec import PartnerSpec, WindowSpec
from contactsim.engine.arrivals import open_minutes
from contactsim.engine.entities import GONE, HOLD, PLAIN, Contact, Handler
from contactsim.engine.events import Call, EventLoop
from contactsim.engine.records import DIVERTED
from contactsim.engine.state import RoomState
from contactsim.engine.streams import StreamName
from contactsim.timebase import HOURS_PER_WEEK, MIN_PER_DAY, MIN_PER_WEEK


class Partner:
    """A partner agency's live state during a run."""

    def __init__(self, spec: PartnerSpec, env: EventLoop, start_day: int) -> None:
        self.spec = spec
        self.env = env
        self.is_open = open_minutes(spec.hours).tolist()
        self.offset_min = start_day * MIN_PER_DAY
        self.busy = 0

    def open_at(self, t: float) -> bool:
        return bool(self.is_open[(int(t // 60) + self.offset_min) % MIN_PER_WEEK])

    def take(self, busy_s: float) -> int:
        """Try a handover now: TAKEN (one partner staff is then busy for ``busy_s`` seconds),
        CLOSED or BUSY."""
        if not self.open_at(self.env.now):
            return CLOSED
        if self.spec.staff is None:
            return TAKEN
        if self.busy >= self.spec.staff:
            return BUSY
        self.busy += 1
        Call(self.env, busy_s, self._release, None)
        return TAKEN

    def _release(self, _: Any) -> None:
        self.busy -= 1


#: A handover's outcome: taken by the partner, or failed because it was closed or had nobody
#: free. Also the columns of :meth:`DiversionCounts.array` after ``failed`` (column 1).
TAKEN, CLOSED, BUSY = 0, 2, 3


class DiversionCounts:
    """Measured contacts each diversion took, and failed to, by hour of the week of arrival."""

    def __init__(self, diversions: int, start_day: int) -> None:
        self.start_day = start_day  # weekday of time 0
        #: [diversion][hour of week]: [taken, failed, failed as closed, failed as busy]
        self.counts = [[[0, 0, 0, 0] for _ in range(HOURS_PER_WEEK)] for _ in range(diversions)]

    def add(self, c: Contact, diversion: int, outcome: int) -> None:
        """``diversion`` acted on ``c`` (TAKEN, CLOSED or BUSY): counted if ``c`` is measured."""
        if c.measured:
            row = self.counts[diversion][(c.run_hour + 24 * self.start_day) % HOURS_PER_WEEK]
            row[0 if outcome == TAKEN else 1] += 1
            if outcome != TAKEN:
                row[outcome] += 1

    def array(self) -> np.ndarray:
        """(diversions, 168, 4): taken, failed, and the failed as partner closed and as
        partner busy, by hour of the week of arrival."""
        return np.array(self.counts, dtype=float).reshape(len(self.counts), HOURS_PER_WEEK, 4)


class Hours:
    """When a diversion runs, on the simulation clock (time 0 falls on ``start_day``)."""

    def __init__(self, windows: tuple[WindowSpec, ...], start_day: int) -> None:
        self.is_open = open_minutes(windows).tolist()
        self.offset_min = start_day * MIN_PER_DAY

    def open_at(self, t: float) -> bool:
        return bool(self.is_open[(int(t // 60) + self.offset_min) % MIN_PER_WEEK])


class DiversionMixin(RoomState):
    """Pre-queue and triage diversion, and the handover to a partner."""

    partners: list[Partner | None]  # by diversion; None: no partner, every handover succeeds
    partner_draws: list[tuple[Draws, Draws] | None]  # by diversion: answer, partner's handle
    diversion_counts: DiversionCounts
    diversion_hours: list[Hours | None]  # by diversion; None: it always runs

    def _init_diversions(self) -> None:
        sc = self.scenario
        self.diversion_hours = [None if d.hours is None else Hours(d.hours, self.start_day)
                                for d in sc.diversions.values()]
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
        self.diversion_counts = DiversionCounts(len(sc.diversions), self.start_day)
        self.pre_queue = [d.pre_queue for d in sc.diversions.values()]

    def _runs_for(self, c: Contact, d: int) -> bool:
        """Whether diversion ``d`` acts on ``c``: it arrived within the diversion's hours."""
        hours = self.diversion_hours[d]
        return hours is None or hours.open_at(c.join - c.connect)

    def _pre_queue(self, c: Contact) -> None:
        """A pre-queue diversion takes the contact now, if its partner can; else it goes on."""
        d = c.div
        c.div = -1
        if not self._runs_for(c, d):  # outside the scheme's hours: as with no policy
            self._join(c)
            return
        draws = self.partner_draws[d]
        partner = self.partners[d]
        outcome = TAKEN if partner is None or draws is None else partner.take(
            draws[0].next() + draws[1].next())
        taken = outcome == TAKEN
        self.diversion_counts.add(c, d, outcome)
        if taken:
            c.state = GONE
            if c.measured:
                self._resolve(c, DIVERTED, 0.0)
        else:
            self._join(c)

    def _handover(self, h: Handler) -> None:
        """End of triage: hand over to the partner, or carry on with the contact in full."""
        c = h.contact
        assert c is not None
        d = c.div
        c.div = -1
        if not self._runs_for(c, d):  # outside the scheme's hours: as with no policy
            self._carry_on(h, c)
            return
        draws, partner = self.partner_draws[d], self.partners[d]
        answer = draws[0].next() if draws is not None else 0.0
        outcome = TAKEN if partner is None or draws is None else partner.take(
            answer + draws[1].next())
        self.diversion_counts.add(c, d, outcome)
        if outcome == TAKEN:
            h.phase = HOLD
            self._schedule_end(h, answer + c.wrap)
            return
        self._carry_on(h, c)

    def _carry_on(self, h: Handler, c: Contact) -> None:
        """The handler deals with the contact in full, as with no diversion."""
        self.officers.deploy(c)
        h.phase = PLAIN
        # The same end as with no diversion at all, to the last bit: start + (work + wrap).
        self._schedule_end(h, (h.started + (c.work + c.wrap)) - self.env.now)
        if h.pool.digital is not None and self.digital[c.ch]:
            h.pool.digital[h] = self.env.now
