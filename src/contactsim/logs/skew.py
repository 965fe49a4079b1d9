"""Clocks that disagree by a second or two: times a little early, moved forward and counted.

A telephony export's times come from more than one system (the switch that takes the call, the
queue, the handler's desk), and their clocks drift apart by a second or two: a real bank's
export has a third of its rows ``answered`` one second before ``queued``. A time up to the
clock skew allowed (``--clock-skew``, ``clock_skew_s`` in the ``--columns`` file, default
:data:`~contactsim.logs.columns.DEFAULT_CLOCK_SKEW_S`) before the time it follows is read as
equal to it, and each such row is counted once, under the first of its times so moved (queued
before arrived, then answered or abandoned before queued or arrived). A time earlier than that
is still a problem: the reader names its row.
"""

from __future__ import annotations

import numpy as np


class Clamps:
    """The rows whose times were moved forward, and which time first."""

    def __init__(self, rows: int, skew: float) -> None:
        self.rows = rows
        self.skew = skew
        self.reasons: list[str] = []  # what clamp k (from 1) was
        self.first: np.ndarray | None = None  # int8 per row: its first clamp (0: none)

    def clamp(self, reason: str, times: np.ndarray, start: np.ndarray,
              early: np.ndarray) -> np.ndarray:
        """``times`` (in place) where ``early`` (a mask: before ``start``) by at most the skew
        allowed set to ``start``, counted under ``reason``; the rows earlier than that."""
        rows = np.flatnonzero(early)
        if not len(rows):
            return rows
        near = times[rows] >= start[rows] - self.skew
        moved = rows[near]
        if len(moved):
            times[moved] = start[moved]
            if self.first is None:
                self.first = np.zeros(self.rows, dtype=np.int8)
            self.reasons.append(reason)
            fresh = moved[self.first[moved] == 0]
            self.first[fresh] = len(self.reasons)
        return rows[~near]

    def counts(self, kept: np.ndarray | None = None) -> dict[str, int]:
        """Rows (of ``kept``, indices; default all) clamped, by their first clamp."""
        if self.first is None:
            return {}
        first = self.first if kept is None else self.first[kept]
        kinds = np.bincount(first, minlength=len(self.reasons) + 1)
        return {reason: int(kinds[k]) for k, reason in enumerate(self.reasons, start=1)
                if kinds[k]}
