"""The arrival that almost every contact makes, with the room's steps inlined.

A fresh contact with no diversion to act on it, on a channel one pool answers alone (with
nobody to interrupt), either joins its queue or goes straight to an idle handler. This module
runs exactly those steps, :meth:`~contactsim.engine.room.ControlRoom._offer`'s end and
:meth:`~contactsim.engine.room.ControlRoom._start`, inlined into one method: one call per
contact instead of three, which is most of what keeps the engine at 6x idiomatic SimPy
(``benchmarks/engine.py``). The price is a second copy of ``_start``'s steps: a change to one
must be made to the other. ``tests/test_hot_path.py`` and the golden file check that both give
the same records, and :meth:`~contactsim.engine.room.ControlRoom._arrival_handler` uses this
path only when nothing hooks ``_start``, ``_offer`` or ``_on_arrival`` (a subclass, or a
workforce ramp's wrapper).
"""

from __future__ import annotations

import math
from heapq import heappush

from contactsim.engine.entities import IN_SERVICE, PLAIN, Contact, PoolState
from contactsim.engine.events import Call
from contactsim.engine.state import RoomState


class DirectArrivalMixin(RoomState):
    """:meth:`_on_arrival_direct`, a part of :class:`~contactsim.engine.room.ControlRoom`."""

    only_pool: list[PoolState | None]  # by channel: the one pool that answers it, if one

    def _on_arrival_direct(self, c: Contact) -> None:
        """:meth:`_on_arrival`, for a fresh contact with no diversion to act on it on a
        channel one pool answers alone (with nobody to interrupt), with the rest inlined: it
        joins the queue (``_offer``'s end) or goes straight to an idle handler (``_start``):
        what almost every arrival does (the same steps in the same order, so the same
        results)."""
        p = self.only_pool[c.ch]
        if c.div >= 0 or p is None or c.answered:
            self._on_arrival(c)
            return
        if not p.idle:  # _offer's end: the queue, and patience (nobody to interrupt)
            self.queues[c.ch].items.append(c)
            if c.patience != math.inf:
                Call(self.env, c.patience, self._on_patience, c)
            return
        h = p.idle.popleft()
        env = self.env
        now = env.now
        c.answered = True
        if c.deploy:
            self.officers.deploy(c)
        if c.measured:
            rec = self.records
            rec.code.append(c.tag)
            rec.wait_s.append(now - c.join)
            rec.connect_s.append(c.connect)
            # (p.answered is not counted here: see _answered_by)
            self.open = left = self.open - 1
            if not left:
                self._maybe_finish()
        c.state = IN_SERVICE
        p.busy_area += p.busy * (now - p.t)
        p.t = now
        p.busy += 1.0
        h.contact = c
        h.started = now
        h.phase = PLAIN
        h.end_at = end = now + (c.work + c.wrap)
        due = env.due
        if end in due:
            env.add(end, h)
        else:
            due[end] = h
            heappush(env.queue, end)
        if p.digital is not None and self.digital[c.ch]:
            p.digital[h] = now
