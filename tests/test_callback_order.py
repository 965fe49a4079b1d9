"""The order of callbacks: behind their channel's live calls, or among them.

Callbacks wait behind live calls of their channel by default; ``callback_priority =
"with_live"`` restores the older order (first come, first served with live calls). Under
overload the difference decides whether live 999 calls get any service at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from contactsim.analysis.experiment import run_experiment
from contactsim.config.loading import load_scenario
from contactsim.engine import ControlRoom

#: Extreme 999 overload: 100 calls an hour for 6 handlers whose calls last 4 minutes (111% of
#: capacity), callers hang up after a minute on average, and every one of them is called back.
OVERLOAD = """\
name = "999 overload with callbacks"
[run]
days = 2
warmup_days = 0.5
replications = 3
seed = 11
[channels.999]
per_day = 2400
answer_target_s = 10
patience = { dist = "exponential", mean = 60 }
on_abandon = { callback = 1.0 }
[channels.101]
per_day = 10
priority = 2
answer_target_s = 60
patience = { dist = "exponential", mean = 600 }
[categories.crime]
handle = { dist = "exponential", mean = 240 }
[pools.handlers]
skills = ["999", "101"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 6 } ]
"""


def _order(tmp_path: Path, order: str | None) -> list[tuple[str, float]]:
    extra = [] if order is None else [f'channels.999.on_abandon.callback_priority="{order}"']
    room = ControlRoom(load_scenario(write(tmp_path, "o.toml", OVERLOAD), extra), 0)
    callbacks = set(map(id, room.callback_queues))
    return [("callback" if id(q) in callbacks else room.channel_names[q.channel], q.priority)
            for q in room.pools[0].queues]


def test_callbacks_queue_behind_live_calls_by_default(tmp_path: Path) -> None:
    # Behind 999's live calls, still ahead of 101 (a higher priority number).
    assert [name for name, _ in _order(tmp_path, None)] == ["999", "callback", "101"]
    assert _order(tmp_path, None) == _order(tmp_path, "after_live")


def test_with_live_queues_callbacks_at_the_channel_priority(tmp_path: Path) -> None:
    order = _order(tmp_path, "with_live")
    assert [p for _, p in order] == [1, 1, 2]
    assert order[-1][0] == "101"


@pytest.mark.slow
def test_live_999_keeps_some_service_under_overload_only_when_callbacks_wait(
        tmp_path: Path) -> None:
    """With callbacks behind live calls a free handler takes a waiting live call first, so a
    live call waits at most for the next of six handlers to finish (mean 40 s) and about one in
    ten is answered within 10 s (every replication measured 0.10-0.11; the spread between
    replications of a 2-day run with ~4,800 calls is about 0.005, so 0.05 is ten spreads away).
    With the older order the backlog of callbacks, which never hang up, sits ahead of every live
    call, which waits for hours and hangs up: service level 0 in every replication."""
    path = write(tmp_path, "s.toml", OVERLOAD)
    after = run_experiment(load_scenario(path), workers=1).replications
    with_live = run_experiment(load_scenario(
        path, ['channels.999.on_abandon.callback_priority="with_live"']), workers=1).replications
    assert all(r.channels["999"]["service_level"] > 0.05 for r in after)
    assert all(r.channels["999"]["service_level"] < 0.01 for r in with_live)
    # The same callers either way (common random numbers); only the order of work differs.
    assert [r.channels["999"]["offered"] for r in after] == \
        [r.channels["999"]["offered"] for r in with_live]
