"""Partner agencies: opening hours and a limited number of staff taking handovers.

A mental-health crisis line open 24/7 with four staff, or a daytime service open 09:00-17:00:
a handover succeeds only if the partner is open and one of its staff is free, and then keeps
that person busy for the handover (``answer_s``) and the partner's own work (``handle_s``).
Otherwise it fails at once and our handler deals with the contact in full.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from contactsim.config.spec import PartnerSpec
from contactsim.engine.events import Call
from contactsim.timebase import MIN_PER_DAY, MIN_PER_WEEK


def open_minutes(spec: PartnerSpec) -> np.ndarray:
    """Open (True) or closed for each minute of the week, minute 0 = Monday 00:00."""
    if spec.hours is None:
        return np.ones(MIN_PER_WEEK, dtype=bool)
    is_open = np.zeros(MIN_PER_WEEK, dtype=bool)
    for window in spec.hours:
        length = window.end_min - window.start_min
        if length <= 0:
            length += MIN_PER_DAY
        for day in window.days:
            first = day * MIN_PER_DAY + window.start_min
            is_open[np.arange(first, first + length) % MIN_PER_WEEK] = True
    return is_open


class Partner:
    """A partner agency's live state during a run."""

    def __init__(self, spec: PartnerSpec, env: simpy.Environment, start_day: int) -> None:
        self.spec = spec
        self.env = env
        self.is_open = open_minutes(spec).tolist()
        self.offset_min = start_day * MIN_PER_DAY
        self.busy = 0

    def open_at(self, t: float) -> bool:
        return bool(self.is_open[(int(t // 60) + self.offset_min) % MIN_PER_WEEK])

    def take(self, busy_s: float) -> bool:
        """Try a handover now; on success one partner staff is busy for ``busy_s`` seconds."""
        if not self.open_at(self.env.now):
            return False
        if self.spec.staff is None:
            return True
        if self.busy >= self.spec.staff:
            return False
        self.busy += 1
        Call(self.env, busy_s, self._release, None)
        return True

    def _release(self, _: Any) -> None:
        self.busy -= 1
