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

# Outcomes of a contact.
ANSWERED = 1
ABANDONED = 2
DIVERTED = 3  # taken away before the queue by a pre-queue diversion: never offered
CENSORED = 4  # still waiting when the run had to stop (overload); counted as not answered

# Origins of a contact.
NORMAL = 0
SURGE = 1
REDIAL = 2  # a caller who abandoned calling the same channel again
SWITCH = 3  # a caller who abandoned one channel and came in on another

# Bit layout of a record's code: (shift, width) of each field.
_FIELDS = {"channel": (0, 16), "category": (16, 16), "hour": (32, 8), "origin": (40, 4),
           "policy": (44, 12), "outcome": (56, 4)}
OUTCOME_SHIFT = _FIELDS["outcome"][0]


def pack_tags(channel: np.ndarray, category: np.ndarray, hour: np.ndarray, origin: np.ndarray,
              policy: np.ndarray) -> np.ndarray:
    """The static part of each contact's record code (everything but the outcome)."""
    parts = {"channel": channel, "category": category, "hour": hour, "origin": origin,
             "policy": policy + 1}
    code = np.zeros(len(channel), dtype=np.int64)
    for name, values in parts.items():
        code |= np.asarray(values, dtype=np.int64) << _FIELDS[name][0]
    return code


def _unpack(code: np.ndarray, name: str) -> np.ndarray:
    shift, width = _FIELDS[name]
    return (code >> shift) & ((1 << width) - 1)


@dataclass(frozen=True)
class Records:
    """Measured contacts of one replication, one array element per contact."""

    channel: np.ndarray  # index into the scenario's channels
    category: np.ndarray
    hour: np.ndarray  # hour of the week of arrival, 0 = Monday 00:00
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
    """Append-only columns the engine writes into: ``code | outcome << OUTCOME_SHIFT``."""

    __slots__ = ("code", "connect_s", "wait_s")

    def __init__(self) -> None:
        self.code = array("q")
        self.wait_s = array("d")
        self.connect_s = array("d")

    def add(self, tag: int, outcome: int, wait_s: float, connect_s: float) -> None:
        self.code.append(tag | outcome << OUTCOME_SHIFT)
        self.wait_s.append(wait_s)
        self.connect_s.append(connect_s)

    def freeze(self) -> Records:
        """The records as numpy arrays."""
        code = np.frombuffer(self.code, dtype=np.int64)
        return Records(
            channel=_unpack(code, "channel").astype(np.int16),
            category=_unpack(code, "category").astype(np.int16),
            hour=_unpack(code, "hour").astype(np.int16),
            outcome=_unpack(code, "outcome").astype(np.int8),
            origin=_unpack(code, "origin").astype(np.int8),
            policy=(_unpack(code, "policy") - 1).astype(np.int16),
            wait_s=np.frombuffer(self.wait_s, dtype=np.float64).copy(),
            connect_s=np.frombuffer(self.connect_s, dtype=np.float64).copy(),
        )
