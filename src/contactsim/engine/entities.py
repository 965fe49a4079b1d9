"""What moves through the control room, and what it is made of.

A :class:`Contact` is one caller (or one callback, the room ringing back a caller who hung up):
it waits in the :class:`Queue` of its channel until a :class:`Handler` takes it. Handlers belong
to a pool (:class:`PoolState`), which keeps them idle in a line, longest idle first, and keeps
running totals of staff present and staff busy for the hourly tables. :class:`ModelOutput` is
what one replication hands back.

These are plain classes with ``__slots__``: a year of a large force makes millions of contacts,
and slots keep each small and its fields quick to reach. Contacts are built by keyword, except
for the day's contacts in bulk (:meth:`Contact.day_batch`), the one place that builds them by
position because it is the engine's largest single cost outside the event loop.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from contactsim.engine.records import HOUR_MASK, HOUR_SHIFT, Records

if TYPE_CHECKING:
    from contactsim.engine.demand import DayContacts
    from contactsim.engine.events import Call

# Contact states.
WAITING, IN_SERVICE, GONE = 0, 1, 2
# What a handler is doing with the contact in hand.
PLAIN, TRIAGE, HOLD = 0, 1, 2


class Contact:
    """One contact (or a callback: outbound work for a caller who hung up)."""

    # ``caller`` is left unset on the day's contacts (the hot path never touches it): a retry
    # carries the key of its caller's first contact there, and a logging room
    # (:mod:`~contactsim.engine.contactlog`) gives first contacts their keys.
    __slots__ = ("answered", "caller", "cat", "ch", "connect", "deploy", "div", "join",
                 "measured", "patience", "state", "tag", "triage", "tries", "work", "wrap")
    caller: int  # see above: read it with getattr(c, "caller", None)

    def __init__(self, *, tag: int, ch: int, cat: int, join: float, connect: float,
                 patience: float, work: float, wrap: float, measured: bool, div: int,
                 triage: float, deploy: bool) -> None:
        # The same fields as _day_row below; keep the two in step.
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
    def run_hour(self) -> int:
        """Hour of the run it arrived in, hours since time 0 (from the record code)."""
        return (self.tag >> HOUR_SHIFT) & HOUR_MASK

    @staticmethod
    def day_batch(rows: DayContacts, tags: np.ndarray, measured: np.ndarray) -> list[Contact]:
        """A contact for each row, in order: ``tags`` are their record codes, ``measured``
        says which arrived in the measured window (only those can need an officer)."""
        # map() over the columns: building ~100,000 contacts a day by keyword costs more.
        return list(map(
            _day_row, tags.tolist(), rows.ch.tolist(), rows.cat.tolist(), rows.join.tolist(),
            rows.connect.tolist(), rows.patience.tolist(), rows.work.tolist(),
            rows.wrap.tolist(), measured.tolist(), rows.div.tolist(), rows.triage.tolist(),
            (rows.deploy & measured).tolist()))


_new = object.__new__


def _day_row(tag: int, ch: int, cat: int, join: float, connect: float, patience: float,
             work: float, wrap: float, measured: bool, div: int, triage: float,
             deploy: bool) -> Contact:
    """``Contact(...)`` by position, for :meth:`Contact.day_batch` only (as fast as a
    positional ``__init__``: a function call instead of the class's)."""
    c: Contact = _new(Contact)
    c.tag = tag
    c.ch = ch
    c.cat = cat
    c.join = join
    c.connect = connect
    c.patience = patience
    c.work = work
    c.wrap = wrap
    c.measured = measured
    c.div = div
    c.triage = triage
    c.deploy = deploy
    c.state = WAITING
    c.answered = False
    c.tries = 1
    return c


class Queue:
    """Contacts waiting for one channel, oldest first (abandoned ones are skipped lazily)."""

    __slots__ = ("channel", "items", "priority")

    def __init__(self, *, channel: int, priority: float) -> None:
        self.channel = channel
        self.priority = priority
        self.items: deque[Contact] = deque()


class Handler:
    """One member of staff on duty, in ``pool``."""

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

    __slots__ = ("answered", "busy", "busy_area", "changes", "digital", "idle", "index",
                 "leaving", "name", "present", "present_area", "present_t", "queues", "t")

    def __init__(self, *, index: int, name: str, queues: list[Queue], channels: int) -> None:
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
        #: Measured contacts this pool answered, by channel (each counted once, by the pool
        #: that first answered it; a plain list: numpy element updates are slower).
        self.answered = [0] * channels


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
    #: (pools, channels) measured contacts answered by each pool on each channel; each column
    #: adds up to the channel's answered records.
    answered_by: np.ndarray
    #: (channels, 2) measured contacts that arrived while their channel was closed: lost, and
    #: moved to another channel; None when no channel has opening hours.
    closed: np.ndarray | None = None
