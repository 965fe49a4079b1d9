"""The feed: the day's contacts, drawn a day at a time and handed to the event loop in order.

Arrivals are not events on the queue. Each simulated day's contacts are drawn at once (see
:mod:`~contactsim.engine.demand`), built, and sorted by the time of their event: joining the
queue, or arriving, for a contact a pre-queue diversion may take. The event loop runs them in
turn, interleaved with the scheduled events (see :class:`~contactsim.engine.events.EventLoop`).
A contact drawn on one day may join the queue on the next, after a long message, so each day is
merged with the contacts still to come, and the feed stops at the first contact that a day not
yet drawn could come before. Memory stays flat however long the run.
"""

from __future__ import annotations

import math

import numpy as np

from contactsim.engine.demand import DayContacts
from contactsim.engine.entities import Contact
from contactsim.engine.state import RoomState
from contactsim.timebase import DAY_S


class FeedMixin(RoomState):
    """Draws the days' contacts and hands them to the event loop in batches."""

    day: int  # next simulated day whose contacts are to be drawn
    pending: DayContacts | None  # contacts drawn: this day's and the rest of the last
    times: list[float]  # when each contact's event happens
    contacts: list[Contact]  # the contacts, in order of their event
    safe: int  # contacts before this index come before any contact not yet drawn
    i: int  # the first contact of the batch under way

    def _init_feed(self) -> None:
        self.day = 0
        self.pending = None
        self.times = []
        self.contacts = []
        self.safe = 0
        self.i = 0
        self.env.feed(self._arrival_handler(), self._next_batch)

    def _next_batch(self) -> tuple[list[float], list[Contact]]:
        """The next contacts to arrive (with their times, then infinity), drawing further days
        as needed; none once every day is drawn. The loop runs each batch to its end."""
        self.i = self.safe  # every contact of the last batch has arrived
        while self.i >= self.safe:
            if self.day * DAY_S >= self.end_s:
                self.arrivals_done = True
                self._maybe_finish()
                return [math.inf], []
            self._load_day()
        return [*self.times[:self.safe], math.inf], self.contacts[:self.safe]

    def _load_day(self) -> None:
        """Merge the next day's contacts with those still to come, in order of their event."""
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
        self.contacts = Contact.day_batch(merged, measured, self.deploy_all)
        self.times = merged.time.tolist()
        boundary = self.day * DAY_S
        self.safe = (len(self.times) if boundary >= self.end_s
                     else int(np.searchsorted(merged.time, boundary)))
        self.i = 0
