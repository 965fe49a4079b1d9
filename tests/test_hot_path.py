"""The engine's inlined hot path: the same results as the hookable path it stands in for.

A plain room runs most arrivals through ``_on_arrival_direct``, which has ``_start`` inlined;
a room whose ``_start`` is hooked (a subclass, or a wrapper on the instance as a workforce ramp
puts there) runs every arrival through ``_on_arrival`` and ``_start``. Both must give the same
records to the last bit.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from conftest import MINIMAL, ROOT, write
from contactsim.analysis.measures import _rows, contact_measures, replication_measures
from contactsim.config.loading import load_scenario
from contactsim.engine import ControlRoom, simulate
from contactsim.engine.entities import Contact, Handler, Queue, _column
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


def test_a_constant_column_is_one_object_and_the_same_values() -> None:
    same = np.zeros(5)
    made = list(_column(same))
    assert made == same.tolist()
    assert len({id(x) for x in made}) == 1
    signed = np.array([0.0, -0.0, 0.0])  # equal, but not the same bits: kept apart
    assert [math.copysign(1, x) for x in _column(signed)] == [1, -1, 1]
    nan = np.full(3, np.nan)
    assert all(math.isnan(x) for x in _column(nan))
    varied = np.array([1, 2, 1])
    assert list(_column(varied)) == [1, 2, 1]
    assert list(_column(np.zeros(0))) == []


def test_pool_channel_counts_match_the_answered_records() -> None:
    """A channel one pool answers alone has its count from the records: it adds up."""
    scenario = load_scenario(ROOT / "scenarios" / "rcrp.toml", ["run.days=2"])
    room = ControlRoom(scenario, 0)
    out = room.run()
    answered = out.records.outcome == ANSWERED
    for k in range(len(room.channel_names)):
        on_k = answered & (out.records.channel == k)
        assert out.answered_by[:, k].sum() == np.count_nonzero(on_k)
    assert any(p is not None for p in room.only_pool)


def test_one_channel_measures_from_views_are_those_from_copies(tmp_path: Path) -> None:
    """With one channel every record is the channel's: its measures are taken from views of
    the columns (no copies), and are the same numbers as from masked copies."""
    scenario = load_scenario(write(tmp_path, "s.toml", MINIMAL))
    out = simulate(scenario, 0)
    rec = out.records
    assert _rows(rec.channel == 0) == slice(None)
    assert isinstance(_rows(np.array([True, False])), np.ndarray)
    mask = rec.channel == 0
    copied = contact_measures(rec.answer_s[mask], rec.wait_s[mask], rec.outcome[mask],
                              rec.origin[mask], 10.0)
    assert copied["offered"] > 0
    assert replication_measures(scenario, 0, out).channels["999"] == {
        **copied, "callbacks": 0.0, "officer_hours": 0.0}


def test_a_hooked_offer_turns_the_inlined_path_off() -> None:
    class Offered(ControlRoom):
        def _offer(self, c: Contact, queue: Queue | None = None) -> None:
            super()._offer(c, queue)

    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", ["run.days=1"])
    room = Offered(scenario, 0)
    assert room.env.arrive == room._on_arrival
