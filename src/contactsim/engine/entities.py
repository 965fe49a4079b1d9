"""What moves through the control room, and what it is made of.

A :class:`Contact` is one caller (or one callback, the room ringing back a caller who hung up):
it waits in the :class:`Queue` of its channel until a :class:`Handler` takes it. Handlers belong
to a pool (:class:`PoolState`), which keeps them idle in a line, longest idle first, and keeps
running totals of staff present and staff busy for the hourly tables. :class:`ModelOutput` is
what one replication hands back.

These are classes with ``__slots__``: a year of a large force makes millions of contacts, and
slots keep each small and its fields quick to reach. A contact's fields are declared once, on
:class:`Contact`; the day's contacts (and retries) are built from the drawn columns of the same
names by :meth:`Contact.day_batch`, by position, because building them is the engine's largest
single cost outside the event loop; callbacks are built by keyword.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from heapq import heappop, heappush
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np

from contactsim.engine.records import HOUR_MASK, HOUR_SHIFT, Records

if TYPE_CHECKING:
    from contactsim.engine.demand import DayContacts
    from contactsim.engine.dispatch import DispatchOutput
    from contactsim.engine.workforce import Pipeline

# Contact states.
WAITING, IN_SERVICE, GONE = 0, 1, 2
# What a handler is doing with the contact in hand.
PLAIN, TRIAGE, HOLD = 0, 1, 2


@dataclass(slots=True, eq=False)
class Contact:
    """One contact (or a callback: outbound work for a caller who hung up).

    Its fields are declared once, here: the day's contacts are built by position from the
    drawn columns of the same names (:meth:`day_batch`), everything else by keyword. Identity,
    not value, makes two contacts equal (``eq=False``), so a contact can key a dict.
    """

    # Drawn with the day's demand: each is a DayContacts column of the same name.
    ch: int
    cat: int
    join: float
    connect: float
    patience: float
    work: float  # talk time still to do (less, after an interruption)
    wrap: float
    div: int  # diversion still to act on it, -1 none
    triage: float
    # Made from the drawn columns (see day_batch).
    tag: int  # its record code: channel, category, hour, origin, policy
    measured: bool
    deploy: bool  # will need an officer if handled (measured contacts only)
    state: int = WAITING
    answered: bool = False
    tries: int = 1  # this caller's attempts so far about the incident
    # Left unset on the day's contacts (the hot path never touches it): a retry carries the
    # key of its caller's first contact here, and a logging room
    # (:mod:`~contactsim.engine.contactlog`) gives first contacts their keys. Read it with
    # getattr(c, "caller", None).
    caller: int = field(init=False, repr=False)

    @property
    def run_hour(self) -> int:
        """Hour of the run it arrived in, hours since time 0 (from the record code)."""
        return (self.tag >> HOUR_SHIFT) & HOUR_MASK

    @staticmethod
    def day_batch(rows: DayContacts, measured: np.ndarray,
                  deploy_all: bool = False) -> list[Contact]:
        """A contact for each row, in order: ``measured`` says which arrived in the measured
        window (only those can need an officer, unless ``deploy_all``: with [officers], warm-up
        incidents load the officers too)."""
        # map() over the columns, by position: building ~100,000 contacts a day by keyword
        # costs more.
        return list(map(Contact, *(_column(getattr(rows, name)) for name in _DRAWN),
                        rows.tags().tolist(), measured.tolist(),
                        (rows.deploy if deploy_all else rows.deploy & measured).tolist()))


def _column(values: np.ndarray) -> Iterable[object]:
    """A drawn column's values as Python objects, in order: one object repeated when they are
    all the same to the bit (a constant connection time, say), so the day's contacts share it
    rather than each holding a number of its own (fewer objects to make and free)."""
    bits = values.view(f"u{values.itemsize}") if values.dtype.kind == "f" else values
    if len(values) > 1 and bits[0] == bits[-1] and bool((bits == bits[0]).all()):
        return repeat(values[:1].tolist()[0], len(values))
    return values.tolist()


_NAMES = [f.name for f in fields(Contact)]
#: Contact's fields drawn with the demand, in order: all those before ``tag``.
_DRAWN = tuple(_NAMES[:_NAMES.index("tag")])


class Queue:
    """Contacts waiting for one channel, oldest first (abandoned ones are skipped lazily)."""

    __slots__ = ("channel", "items", "priority")

    def __init__(self, *, channel: int, priority: float) -> None:
        self.channel = channel
        self.priority = priority
        self.items: deque[Contact] = deque()


class Handler:
    """One member of staff on duty, in ``pool``, at desk ``index`` there: the lowest number no
    one else on duty in the pool holds (a log's agent: numbers run from 0 to the most ever on
    duty at once less one, and are reused as people come and go).

    A busy handler is itself the event loop's entry for the end of what it is doing: the loop
    runs ``fn(handler)`` then (a Call object per service would cost more).
    """

    __slots__ = ("contact", "end_at", "fn", "idle_since", "index", "phase", "pool", "started")

    def __init__(self, pool: PoolState, on_end: Callable[[Handler], None]) -> None:
        self.pool = pool
        self.index = pool.take_desk()
        self.fn = on_end  # what to do when the phase in hand ends
        self.contact: Contact | None = None
        self.end_at = 0.0  # when the phase in hand ends
        self.started = 0.0
        self.phase = PLAIN
        self.idle_since = 0.0


class PoolState:
    """A pool's live state and its running time integrals (staff present, staff busy)."""

    __slots__ = ("answered", "busy", "busy_area", "changes", "desks", "digital", "free_desks",
                 "idle", "index", "leaving", "name", "present", "present_area", "present_t",
                 "queues", "single", "t")

    def __init__(self, *, index: int, name: str, queues: list[Queue], channels: int) -> None:
        self.index = index
        self.name = name
        self.queues = sorted(queues, key=lambda q: q.priority)
        #: The waiting line of a pool that serves one queue (the common case, which a handler
        #: coming free checks without looping over queues), else None.
        self.single = self.queues[0].items if len(self.queues) == 1 else None
        self.idle: deque[Handler] = deque()  # longest idle on the left
        self.present = 0  # on duty now, including those finishing a contact after their shift
        #: Staff busy now: a whole number kept as a float, because it multiplies a float
        #: for the busy integral at every start and end, and float by float is the quick path
        #: (the products are the same: small whole numbers are exact as floats).
        self.busy = 0.0
        self.leaving = 0  # busy staff who leave when their contact ends
        self.desks = 0  # desk numbers handed out so far (see Handler.index)
        self.free_desks: list[int] = []  # a heap of the numbers handed back
        self.t = 0.0  # busy_area is integrated up to here
        self.present_t = 0.0  # present_area is integrated up to here
        self.present_area = 0.0  # staff-seconds present since time 0
        self.busy_area = 0.0
        self.changes: dict[float, int] = {}  # pending roster changes: time -> net change
        self.digital: dict[Handler, float] | None = None  # interruptible work in hand
        #: Measured contacts this pool answered, by channel (each counted once, by the pool
        #: that first answered it; a plain list: numpy element updates are slower).
        self.answered = [0] * channels

    def take_desk(self) -> int:
        """The lowest desk number free, for a handler coming on duty."""
        if self.free_desks:
            return heappop(self.free_desks)
        self.desks += 1
        return self.desks - 1

    def leave(self, h: Handler, now: float) -> None:
        """``h`` goes off duty (idle, or just finished) at ``now``, handing back its desk."""
        heappush(self.free_desks, h.index)
        self.present_change(now, -1)

    def busy_change(self, now: float, delta: int) -> None:
        """``delta`` more staff busy from ``now`` (the busy integral brought up to ``now``
        first: the one place it is integrated)."""
        self.busy_area += self.busy * (now - self.t)
        self.t = now
        self.busy += delta

    def present_change(self, now: float, delta: int) -> None:
        """``delta`` more staff present from ``now`` (both integrals brought up to ``now``)."""
        self.busy_change(now, 0)
        self.present_area += self.present * (now - self.present_t)
        self.present_t = now
        self.present += delta


@dataclass(frozen=True)
class ModelOutput:
    """What one replication produced, before any measure is computed."""

    records: Records
    present_s: np.ndarray  # (pools, 168) staff-seconds on duty in the window, by hour of week
    busy_s: np.ndarray  # (pools, 168) staff-seconds busy in the window, by hour of week
    window_s: np.ndarray  # (168,) seconds of the measured window falling in each hour of week
    #: (diversions, 168, 4) by hour of arrival: diverted, failed, and of the failed those the
    #: partner was closed for and those it had nobody free for
    diversions: np.ndarray
    callbacks: np.ndarray  # (channels,) callbacks made for measured abandoned calls
    officer_hours: np.ndarray  # (channels,) officer hours for measured contacts
    warnings: tuple[str, ...]
    #: (pools, channels) measured contacts answered by each pool on each channel; each column
    #: adds up to the channel's answered records.
    answered_by: np.ndarray
    #: (channels, 2) measured contacts that arrived while their channel was closed: lost, and
    #: moved to another channel; None when no channel has opening hours.
    closed: np.ndarray | None = None
    #: pool -> its workforce day by day (pools with ``[pools.NAME.workforce]``); None: none.
    workforce: dict[str, Pipeline] | None = None
    #: Officers, attendance and chase calls (with [officers]); None without.
    dispatch: DispatchOutput | None = None
