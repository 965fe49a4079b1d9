"""The engine's inlined hot path: the same results as the hookable path it stands in for.

A plain room runs most arrivals through ``_on_arrival_direct``, which has ``_start`` inlined;
a room whose ``_start`` is hooked (a subclass, or a wrapper on the instance as a workforce ramp
puts there) runs every arrival through ``_on_arrival`` and ``_start``. Both must give the same
records to the last bit.
"""

from __future__ import annotations

import numpy as np

from conftest import ROOT
from contactsim.config.loading import load_scenario
from contactsim.engine import ControlRoom
from contactsim.engine.entities import Contact, Handler
from contactsim.engine.records import ANSWERED


class Hooked(ControlRoom):
    """A room with a hook on ``_start`` that only counts the contacts it sees."""

    started = 0

    def _start(self, h: Handler, c: Contact) -> None:
        self.started += 1
        super()._start(h, c)


def test_a_hooked_start_sees_every_contact_and_changes_nothing() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", ["run.days=3"])
    plain, hooked = ControlRoom(scenario, 0), Hooked(scenario, 0)
    assert plain.env.arrive == plain._on_arrival_direct
    assert hooked.env.arrive == hooked._on_arrival
    a, b = plain.run().records, hooked.run().records
    for name in ("channel", "category", "hour", "outcome", "origin", "policy", "wait_s",
                 "connect_s"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert hooked.started >= int(np.count_nonzero(b.outcome == ANSWERED)) > 0


def test_a_wrapper_on_the_instance_turns_the_inlined_path_off() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", ["run.days=1"])
    room = ControlRoom(scenario, 0)
    room._start = room._start  # type: ignore[method-assign]  # (as staffing.ramped does)
    assert room._arrival_handler() == room._on_arrival
