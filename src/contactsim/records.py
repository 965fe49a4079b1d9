"""Per-contact records, kept as compact typed arrays.

The engine writes one row per measured contact when its fate is known (answered, abandoned,
diverted before the queue, or still waiting when the run had to stop). Rows go into
:mod:`array` buffers (a few bytes each, not Python objects), so a year of a large force fits in
memory, and become numpy arrays for the measures.
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


@dataclass(frozen=True)
class Records:
    """Measured contacts of one replication, one array element per contact."""

    channel: np.ndarray  # int16: index into the scenario's channels
    category: np.ndarray  # int16
    hour: np.ndarray  # int16: hour of the week of arrival, 0 = Monday 00:00
    outcome: np.ndarray  # int8: ANSWERED, ABANDONED, DIVERTED, CENSORED
    origin: np.ndarray  # int8: NORMAL, SURGE, REDIAL, SWITCH
    policy: np.ndarray  # int16: the diversion policy that picked the contact, -1 none
    wait_s: np.ndarray  # float64: time in queue until answered or abandoned
    connect_s: np.ndarray  # float64: connection time, part of the answer time

    @property
    def answer_s(self) -> np.ndarray:
        return self.wait_s + self.connect_s

    def __len__(self) -> int:
        return len(self.channel)


class RecordBuffer:
    """Append-only columns the engine writes into."""

    __slots__ = ("category", "channel", "connect_s", "hour", "origin", "outcome", "policy",
                 "wait_s")

    def __init__(self) -> None:
        self.channel = array("h")
        self.category = array("h")
        self.hour = array("h")
        self.outcome = array("b")
        self.origin = array("b")
        self.policy = array("h")
        self.wait_s = array("d")
        self.connect_s = array("d")

    def add(self, channel: int, category: int, hour: int, outcome: int, origin: int,
            policy: int, wait_s: float, connect_s: float) -> None:
        self.channel.append(channel)
        self.category.append(category)
        self.hour.append(hour)
        self.outcome.append(outcome)
        self.origin.append(origin)
        self.policy.append(policy)
        self.wait_s.append(wait_s)
        self.connect_s.append(connect_s)

    def freeze(self) -> Records:
        """The records as numpy arrays (the buffers are copied once, then dropped)."""
        return Records(
            channel=np.frombuffer(self.channel, dtype=np.int16).copy(),
            category=np.frombuffer(self.category, dtype=np.int16).copy(),
            hour=np.frombuffer(self.hour, dtype=np.int16).copy(),
            outcome=np.frombuffer(self.outcome, dtype=np.int8).copy(),
            origin=np.frombuffer(self.origin, dtype=np.int8).copy(),
            policy=np.frombuffer(self.policy, dtype=np.int16).copy(),
            wait_s=np.frombuffer(self.wait_s, dtype=np.float64).copy(),
            connect_s=np.frombuffer(self.connect_s, dtype=np.float64).copy(),
        )
