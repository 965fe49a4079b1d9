"""Overload: a run whose demand exceeds its capacity still ends, in bounded time and memory.

Normally a run ends once the measured window has closed, every contact has arrived and the fate
of every measured contact is known. When more work arrives than the staff can do, the queue
grows without end and that moment never comes. Two guards stop such a run and say so in a
warning. If contacts are still waiting :data:`DRAIN_LIMIT_S` after the end of the window, the
run stops there. If more than :data:`MAX_WAITING` are waiting at the start of a day, the run
stops at once (no further days are drawn), with the hourly tables cut at that moment. Either
way every measured contact still waiting is recorded as censored: not answered, with the wait
it had so far, so the waits reported are understated and the warning says so.
"""

from __future__ import annotations

from contactsim.engine.entities import GONE, WAITING
from contactsim.engine.events import Call
from contactsim.engine.records import CENSORED
from contactsim.engine.state import RoomState
from contactsim.timebase import DAY_S

#: How long the run may go on after the last arrival to let queues empty (overload guard).
DRAIN_LIMIT_S = 7 * DAY_S
#: More contacts than this waiting at a day's start means overload: the run stops (memory guard).
MAX_WAITING = 250_000


class OverloadMixin(RoomState):
    """The drain limit and the waiting limit, and the censoring of those still waiting."""

    def _init_drain_limit(self) -> None:
        Call(self.env, self.end_s + DRAIN_LIMIT_S, self._on_drain_limit, None)

    def _on_drain_limit(self, _: Call) -> None:
        """Overload: contacts still waiting long after the end are recorded as censored."""
        censored = self._censor_waiting()
        if censored:
            self.warnings.append(
                f"{censored} contacts were still waiting {DRAIN_LIMIT_S / DAY_S:g} days after "
                "the last arrival: demand exceeds capacity, so waits are understated. They count "
                "as not answered.")
        self._finish()

    def _overloaded(self) -> bool:
        """Queues past MAX_WAITING: stop here, so an overloaded run ends in bounded memory."""
        waiting = sum(len(q.items) for q in (*self.queues, *self.callback_queues))
        if waiting <= MAX_WAITING:
            return False
        day = (self.env.now - self.warmup_s) / DAY_S
        censored = self._censor_waiting()
        self.tables.cut_early(self.env.now)
        self.warnings.append(
            f"overloaded: more than {MAX_WAITING:,} contacts were waiting on measured day "
            f"{max(day, 0):.0f}, so the run stopped there. Demand far exceeds capacity; the "
            f"figures cover only the time before, and the {censored} contacts still waiting "
            "count as not answered.")
        self.arrivals_done = True  # (and _load_day draws no further days)
        self._finish()
        return True

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
        self._stop()
