"""Per-contact records, kept as compact typed arrays.

The engine writes one row per measured contact when its fate is known (answered, abandoned,
diverted before the queue, or still waiting when the run had to stop). A row is three numbers:
a packed integer code (channel, category, hour of arrival, origin, diversion policy, outcome),
the wait and the connection time. Rows go into :mod:`array` buffers, not Python objects, so a
year of a large force fits in memory; :meth:`RecordBuffer.freeze` unpacks them into numpy
arrays for the measures.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from contactsim.config.schema import MAX_DIVERSIONS
from contactsim.config.tables import MAX_NAMED

# The engine's record codes, named here too (re-exported).
from contactsim.outcomes import (
    ABANDONED as ABANDONED,
    ANSWERED as ANSWERED,
    CENSORED as CENSORED,
    DIVERTED as DIVERTED,
    NORMAL as NORMAL,
    REDIAL as REDIAL,
    SURGE as SURGE,
    SWITCH as SWITCH,
)
from contactsim.timebase import HOURS_PER_WEEK

# Bit layout of a record's code: (shift, width) of each field. ``hour`` is the hour of the run
# the contact arrived in (hours since time 0), so both its hour of the week and its day are
# known: 17 bits hold 3,660 measured and 365 warm-up days. The loader's limits on channels,
# categories and policies fit their widths (checked below).
_FIELDS = {"channel": (0, 14), "category": (14, 14), "hour": (28, 17), "origin": (45, 2),
           "policy": (47, 12), "outcome": (59, 3)}
OUTCOME_SHIFT = _FIELDS["outcome"][0]
HOUR_SHIFT = _FIELDS["hour"][0]
HOUR_MASK = (1 << _FIELDS["hour"][1]) - 1
if not (1 << _FIELDS["channel"][1] > MAX_NAMED and 1 << _FIELDS["category"][1] > MAX_NAMED
        and (1 << _FIELDS["policy"][1]) - 1 > MAX_DIVERSIONS):
    raise TypeError("the record code is too narrow for the loader's limits")


def pack_tags(channel: np.ndarray, category: np.ndarray, hour: np.ndarray, origin: np.ndarray,
              policy: np.ndarray) -> np.ndarray:
    """The static part of each contact's record code (everything but the outcome); ``hour``
    is the hour of the run of its arrival."""
    parts = {"channel": channel, "category": category, "hour": hour, "origin": origin,
             "policy": policy + 1}
    code = np.zeros(len(channel), dtype=np.int64)
    for name, values in parts.items():
        code |= np.asarray(values, dtype=np.int64) << _FIELDS[name][0]
    return code


def pack_tag(channel: int, category: int, hour: int, origin: int, policy: int) -> int:
    """:func:`pack_tags` for one contact."""
    return (channel << _FIELDS["channel"][0] | category << _FIELDS["category"][0]
            | hour << _FIELDS["hour"][0] | origin << _FIELDS["origin"][0]
            | (policy + 1) << _FIELDS["policy"][0])


def _unpack(code: np.ndarray, name: str) -> np.ndarray:
    shift, width = _FIELDS[name]
    return (code >> shift) & ((1 << width) - 1)


@dataclass(frozen=True)
class Records:
    """Measured contacts of one replication, one array element per contact."""

    channel: np.ndarray  # index into the scenario's channels
    category: np.ndarray
    hour: np.ndarray  # hour of the week of arrival, 0 = Monday 00:00
    day: np.ndarray | None  # simulated day of arrival (0 = time 0's day); kept with a calendar
    outcome: np.ndarray  # ANSWERED, ABANDONED, DIVERTED, CENSORED
    origin: np.ndarray  # NORMAL, SURGE, REDIAL, SWITCH
    policy: np.ndarray  # the diversion policy that picked the contact, -1 none
    wait_s: np.ndarray  # float64: time in queue until answered or abandoned
    connect_s: np.ndarray  # float64: connection time, part of the answer time

    @property
    def answer_s(self) -> np.ndarray:
        return self.wait_s + self.connect_s

    def __len__(self) -> int:
        return len(self.channel)


class RecordBuffer:
    """Append-only columns the engine writes into: ``code | outcome << OUTCOME_SHIFT``.

    An answered contact's code goes in without its outcome, as the bare tag (the engine's hot
    path appends to ``code`` directly): every other outcome is written in, and the outcome bits
    are never zero in a finished record, so :meth:`freeze` can tell the answered rows apart and
    set their bits all at once. That saves building a new (large) integer per contact answered.
    """

    __slots__ = ("code", "connect_s", "dated", "start_day", "wait_s")

    def __init__(self, start_day: int, *, dated: bool = False) -> None:
        self.start_day = start_day  # weekday of time 0, to turn hours of the run into the week's
        self.dated = dated  # keep each record's day (a run pinned to dates)
        self.code = array("q")
        self.wait_s = array("d")
        self.connect_s = array("d")

    def add(self, tag: int, outcome: int, wait_s: float, connect_s: float) -> None:
        self.code.append(tag | outcome << OUTCOME_SHIFT)
        self.wait_s.append(wait_s)
        self.connect_s.append(connect_s)

    def freeze(self) -> Records:
        """The records as numpy arrays."""
        code = np.frombuffer(self.code, dtype=np.int64)  # (writable: the buffer's memory)
        code[code < 1 << OUTCOME_SHIFT] |= ANSWERED << OUTCOME_SHIFT  # (the bare tags)
        # In place: a year of a large force is millions of records, and each temporary int64
        # column adds tens of MB to the run's peak memory.
        hours = code >> HOUR_SHIFT
        hours &= HOUR_MASK
        day = (hours // 24).astype(np.int16) if self.dated else None
        hours += 24 * self.start_day
        np.remainder(hours, HOURS_PER_WEEK, out=hours)
        hour = hours.astype(np.int16)
        del hours  # before the other columns' temporaries
        return Records(
            channel=_unpack(code, "channel").astype(np.int16),
            category=_unpack(code, "category").astype(np.int16),
            hour=hour,
            day=day,
            outcome=_unpack(code, "outcome").astype(np.int8),
            origin=_unpack(code, "origin").astype(np.int8),
            policy=(_unpack(code, "policy") - 1).astype(np.int16),
            wait_s=np.frombuffer(self.wait_s, dtype=np.float64).copy(),
            connect_s=np.frombuffer(self.connect_s, dtype=np.float64).copy(),
        )
