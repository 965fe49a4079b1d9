"""The simulated room's own telephony export: one row per measured contact (DESIGN §10).

A force's export says, for each call, when the answer clock started, when it joined the queue,
when it was answered or when the caller hung up, how long the handler talked and wrapped up,
where it was handed over, and (hashed) who rang. :class:`LoggingRoom` is the ordinary control
room that also writes that row for every contact it measures, so a simulated room and a real
one can be fitted and back-tested by the same tools. The plain :class:`ControlRoom` is left as
it is: the hooks are overrides here, and a logged replication's records are exactly the plain
engine's.

What each row holds, in the model's seconds:

- ``arrived`` = joining the queue less the connection time (the answer clock starts at the
  operator's connection; any recorded message before that is invisible to the log);
  a contact taken by a pre-queue diversion arrives when it is taken, and is never queued;
- ``queued``, then ``answered`` or ``abandoned`` at the moment it happened; a contact still
  waiting when an overloaded run had to stop has neither (in progress);
- ``talk_s``: the talk time drawn for the contact (before any interruption), or, for a
  contact triaged and handed over, the triage and the hold for the partner; ``wrap_s``;
- ``diverted_to``: the partner of the diversion policy (the policy's own name if it has no
  partner), for pre-queue diversions and for triaged contacts actually handed over;
- ``caller``: a key per caller; a redial or a switch carries its caller's first key;
- ``agent``: who answered, ``pool:k`` for the k-th handler of the pool to answer (from 0; a
  handler is one spell on duty: staff coming on are new handlers).

The engine keeps model seconds only: :func:`simulate_log` hands the rows, with the date of the
model's time 0 (:func:`log_time_zero`), to :func:`contactsim.logs.simulated.on_wall_clock`,
which puts them on the London wall clock.
"""

from __future__ import annotations

import datetime
import math
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from contactsim.calendar import day_zero
from contactsim.config.spec import Scenario
from contactsim.engine.entities import HOLD, WAITING, Contact, Handler, ModelOutput
from contactsim.engine.room import ControlRoom, collector_paused
from contactsim.logs.model import DEFAULT_LOG_START, ContactLog
from contactsim.logs.simulated import ModelRows, on_wall_clock
from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED, DIVERTED
from contactsim.timebase import DAY_S

#: The array type of each log column: channel, category (int16), arrived, queued, end
#: (float64), outcome (int8), talk_s, wrap_s (float64), caller (int64), agent (int32).
_CODES = ("h", "h", "d", "d", "d", "b", "d", "d", "q", "i")
_OUTCOME, _TALK = 5, 6


class LoggingRoom(ControlRoom):
    """A :class:`ControlRoom` that also keeps a log row for every measured contact.

    ``columns`` holds, for each row, ``channel, category, arrived, queued, end, outcome,
    talk_s, wrap_s, caller, agent`` in model seconds (``end``: answered or abandoned; NaN where
    neither; ``agent``: the handler who answered, -1 none), one typed array per column (about
    64 bytes a row: a year of the largest force is millions of rows), in the order the records
    are written, so row ``i`` is record ``i``. ``diverted_to`` maps a row to the diversion
    policy that took or handed it over; ``agents`` names the handlers who answered.
    """

    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.columns: tuple[array[Any], ...] = tuple(array(code) for code in _CODES)
        self._appends: tuple[Callable[[Any], None], ...] = tuple(
            column.append for column in self.columns)
        self.diverted_to: dict[int, int] = {}
        self._triaged: dict[Contact, int] = {}  # answered, triage pending -> its row
        self._callers = 0
        self._handlers: dict[Handler, int] = {}  # handler -> its code in ``agents``
        self._per_pool: dict[str, int] = {}  # pool -> handlers of it named so far
        self.agents: list[str] = []
        super().__init__(scenario, replication)

    def _agent(self, h: Handler) -> int:
        code = self._handlers.get(h)
        if code is None:
            k = self._per_pool.get(h.pool.name, 0)
            self._per_pool[h.pool.name] = k + 1
            code = self._handlers[h] = len(self.agents)
            self.agents.append(f"{h.pool.name}:{k}")
        return code

    def _caller(self, c: Contact) -> int:
        key: int | None = getattr(c, "caller", None)
        if key is None or key < 0:
            key = self._callers
            self._callers += 1
            c.caller = key
        return key

    @property
    def n_rows(self) -> int:
        return len(self.columns[0])

    def _append(self, *row: float) -> None:
        for append, value in zip(self._appends, row, strict=True):
            append(value)

    def _row(self, c: Contact, outcome: int, end: float, talk: float, wrap: float,
             agent: int = -1) -> None:
        self._append(c.ch, c.cat, c.join - c.connect, c.join, end, outcome, talk, wrap,
                     self._caller(c), agent)

    # --- the hooks: each records the row, then does what the plain room does ---------------

    def _start(self, h: Handler, c: Contact) -> None:
        if not c.answered and c.measured:
            if c.div >= 0:  # a triage diversion will act on it when the triage ends
                self._triaged[c] = self.n_rows
            self._row(c, ANSWERED, self.env.now, c.work, c.wrap, self._agent(h))
        super()._start(h, c)

    def _resolve(self, c: Contact, outcome: int, wait: float) -> None:
        nan = math.nan
        if outcome == DIVERTED:
            now = self.env.now
            self._append(c.ch, c.cat, now, nan, nan, outcome, nan, nan, self._caller(c), -1)
        else:
            self._row(c, outcome, self.env.now, nan, nan)
        super()._resolve(c, outcome, wait)

    def _pre_queue(self, c: Contact) -> None:
        policy, before = c.div, self.n_rows
        super()._pre_queue(c)
        # taken (and measured): the row _resolve just wrote (a contact that went on may
        # have been answered at once instead)
        if self.n_rows > before and self.columns[_OUTCOME][before] == DIVERTED:
            self.diverted_to[before] = policy

    def _handover(self, h: Handler) -> None:
        c = h.contact
        assert c is not None
        policy, row = c.div, self._triaged.pop(c, None)
        super()._handover(h)
        if row is not None and h.phase == HOLD:  # handed over: the handler talked until now
            self.diverted_to[row] = policy
            self.columns[_TALK][row] = h.end_at - h.started - c.wrap

    def _after_abandon(self, c: Contact) -> None:
        self._caller(c)  # a retry carries this caller's key, measured or not
        super()._after_abandon(c)

    def _censor_waiting(self) -> int:
        nan = math.nan
        for q in self.queues:  # the same contacts, in the same order, as the records
            for c in q.items:
                if c.state == WAITING and c.measured and not c.answered:
                    self._row(c, CENSORED, nan, nan, nan)
        return super()._censor_waiting()


def log_time_zero(scenario: Scenario) -> datetime.date:
    """The date whose midnight (London wall clock) is the model's time 0.

    With a ``start_date``: the first warm-up day (``start_date`` less the warm-up days), as
    the calendar has it. Without one: the first day with the scenario's ``start_day`` weekday
    whose time 0 puts the measured window on or after Monday 2024-01-01 00:00
    (:data:`~contactsim.logs.model.DEFAULT_LOG_START`); with ``start_day = "mon"`` and no
    warm-up that is 2024-01-01 itself, with two warm-up days the log starts on Wednesday
    2024-01-03 after a Monday and a Tuesday of warm-up.
    """
    run = scenario.run
    if scenario.calendar is not None:
        zero = day_zero(scenario.calendar)
    else:
        earliest = DEFAULT_LOG_START - datetime.timedelta(days=math.floor(run.warmup_days))
        zero = earliest + datetime.timedelta(days=(run.start_day - earliest.weekday()) % 7)
        if (zero - DEFAULT_LOG_START).days * DAY_S + run.warmup_days * DAY_S < 0:
            zero += datetime.timedelta(days=7)
    if zero.weekday() != run.start_day:
        raise ValueError(f"time 0 falls on {zero:%A} but the scenario's start_day is "
                         f"weekday {run.start_day}")
    return zero


def simulate_log(scenario: Scenario, replication: int = 0) -> tuple[ModelOutput, ContactLog]:
    """Run one replication with :class:`LoggingRoom`: its records, as the plain engine's,
    and its contact log (rows in order of arrival instant)."""
    with collector_paused():  # as engine.room.simulate runs
        room = LoggingRoom(scenario, replication)
        output = room.run()
    return output, _contact_log(scenario, room)


def _contact_log(scenario: Scenario, room: LoggingRoom) -> ContactLog:
    ch, cat, arrived, queued, end, outcome, talk, wrap, caller, agent = (
        np.frombuffer(column, dtype=column.typecode) if len(column) else
        np.zeros(0, dtype=column.typecode) for column in room.columns)
    outcome = outcome.astype(np.int8)
    queued = queued.astype(np.float64)
    connect = np.where(np.isnan(queued), 0.0, queued - arrived)
    wait = np.where((outcome == ANSWERED) | (outcome == ABANDONED), end - queued, np.nan)
    diverted = np.full(len(outcome), -1, dtype=np.int16)
    # The partner of each policy, or the policy's own name where it has none.
    to = [d.partner or name for name, d in scenario.diversions.items()]
    partners = tuple(dict.fromkeys(to))
    for row, policy in room.diverted_to.items():
        diverted[row] = partners.index(to[policy])
    return on_wall_clock(ModelRows(
        zero=log_time_zero(scenario), channels=tuple(scenario.channels),
        categories=tuple(scenario.categories), partners=partners, agents=tuple(room.agents),
        channel=ch.astype(np.int16), category=cat.astype(np.int16),
        arrived=arrived.astype(np.float64), outcome=outcome, connect_s=connect, wait_s=wait,
        talk_s=talk.astype(np.float64), wrap_s=wrap.astype(np.float64), diverted_to=diverted,
        caller=caller.astype(np.int64), agent=agent.astype(np.int32)))
