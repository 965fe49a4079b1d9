"""What the parts of the control room share.

The control room is one object made of several parts, each in its own module: the hot path of
arrivals and service (:mod:`~contactsim.engine.room`), the day-by-day feed of contacts
(:mod:`~contactsim.engine.feed`), callers who hang up (:mod:`~contactsim.engine.abandon`),
diversion to partner agencies (:mod:`~contactsim.engine.diversion`), staff coming and going
(:mod:`~contactsim.engine.staff`) and the guards that stop an overloaded run
(:mod:`~contactsim.engine.overload`). They are mixins of one class, so a call from one part to
another is an ordinary method call on the same object, with no extra hop on the hot path.

:class:`RoomState` declares, for the type checker, the state that more than one part reads or
writes and the methods one part calls in another. It has no behaviour and adds nothing at run
time; each part declares the state only it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from contactsim.config.spec import Scenario
from contactsim.engine.demand import Demand
from contactsim.engine.entities import Contact, Handler, PoolState, Queue
from contactsim.engine.events import Call, EventLoop
from contactsim.engine.officers import Officers
from contactsim.engine.records import RecordBuffer
from contactsim.engine.streams import Streams

if TYPE_CHECKING:
    from contactsim.engine.staff import HourlyTables
    from contactsim.engine.staffing import Staffing


class RoomState:
    """The state the parts of :class:`~contactsim.engine.room.ControlRoom` share."""

    scenario: Scenario
    env: EventLoop
    streams: Streams
    demand: Demand
    start_day: int  # weekday of simulated time 0, 0 = Monday
    warmup_s: float  # the measured window is [warmup_s, end_s)
    end_s: float
    channel_names: list[str]
    records: RecordBuffer
    warnings: list[str]
    open: int  # measured contacts drawn but not yet answered, abandoned or diverted
    window_closed: bool  # the measured window is over
    arrivals_done: bool  # every contact has arrived (or overload stopped the arrivals)
    stopping: bool  # the run is over
    deploy_all: bool  # with [officers]: warm-up contacts need officers too
    queues: list[Queue]  # by channel
    callback_queues: list[Queue]  # by channel: outbound work for callers who hung up
    digital: list[bool]  # by channel: not voice, so an interruptible desk may drop it
    officers: Officers
    pools: list[PoolState]
    pre_queue: list[bool]  # by diversion: acts before the queue (else at triage)
    tables: HourlyTables  # staff on duty and busy by hour of the week (see staff.py)
    staffing: Staffing  # people over months (see staffing.py)

    if TYPE_CHECKING:
        # Implemented in room.py.
        def _offer(self, c: Contact, queue: Queue | None = None) -> None: ...
        def _join(self, c: Contact) -> None: ...
        def _schedule_end(self, h: Handler, duration: float) -> None: ...
        def _free(self, h: Handler) -> None: ...
        def _on_end(self, h: Handler) -> None: ...
        def _resolve(self, c: Contact, outcome: int, wait: float) -> None: ...
        def _on_arrival(self, c: Contact) -> None: ...
        def _arrival_handler(self) -> Callable[[Contact], None]: ...
        def _maybe_finish(self) -> None: ...
        def _stop(self) -> None: ...
        # Implemented in abandon.py, diversion.py, overload.py and staff.py.
        def _on_patience(self, ev: Call) -> None: ...
        def _pre_queue(self, c: Contact) -> None: ...
        def _overloaded(self) -> bool: ...
