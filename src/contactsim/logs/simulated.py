"""A simulated room's log rows, in the model's seconds, put on the London wall clock.

The engine (:mod:`contactsim.engine.contactlog`) knows only the model's time: seconds from its
time 0, every day 24 hours long. An export is written on a London wall clock, where a day in
spring is 23 hours and one in autumn 25. This module is where the two meet: given the date
whose midnight is time 0, each arrival is written at the instant a London clock shows its
model time (:func:`~contactsim.logs.london.model_to_utc`: the first pass of the repeated
autumn hour; a time in the hour skipped in spring as a clock not yet put forward reads it), and
every later time of a row is that instant plus the model's elapsed seconds, so durations are
exact across a clock change. Rows are put in order of their instant of arrival.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from contactsim.logs.london import model_to_utc, utc_to_local
from contactsim.logs.model import OPTIONAL, ContactLog

_EPOCH = datetime.date(1970, 1, 1)
_DAY_S = 86400
#: A simulated log has every optional column.
_PRESENT = frozenset(OPTIONAL)


@dataclass(frozen=True)
class ModelRows:
    """One row per contact of a simulated room, in the model's seconds (aligned arrays)."""

    zero: datetime.date  # the date whose midnight (London wall clock) is the model's time 0
    channels: tuple[str, ...]
    categories: tuple[str, ...]
    partners: tuple[str, ...]
    agents: tuple[str, ...]  # who answered: "pool:k", the k-th handler of the pool to answer
    channel: np.ndarray  # int16
    category: np.ndarray  # int16
    arrived: np.ndarray  # float64: model seconds
    outcome: np.ndarray  # int8
    connect_s: np.ndarray  # float64
    wait_s: np.ndarray  # float64, NaN where neither answered nor abandoned
    talk_s: np.ndarray  # float64
    wrap_s: np.ndarray  # float64
    diverted_to: np.ndarray  # int16 index into partners, -1 none
    caller: np.ndarray  # int64
    agent: np.ndarray  # int32 index into agents, -1 none


def on_wall_clock(rows: ModelRows) -> ContactLog:
    """The rows as a :class:`ContactLog` on the London wall clock, in order of arrival."""
    zero_s = (rows.zero - _EPOCH).days * _DAY_S
    arrived_utc = model_to_utc(zero_s + rows.arrived)
    order = np.argsort(arrived_utc, kind="stable")
    arrived_utc = arrived_utc[order]
    return ContactLog(
        files=(), channels=rows.channels, categories=rows.categories, partners=rows.partners,
        present=_PRESENT, channel=rows.channel[order], category=rows.category[order],
        arrived_local=utc_to_local(arrived_utc), arrived_utc=arrived_utc,
        outcome=rows.outcome[order], connect_s=rows.connect_s[order],
        wait_s=rows.wait_s[order], talk_s=rows.talk_s[order], wrap_s=rows.wrap_s[order],
        diverted_to=rows.diverted_to[order], caller=rows.caller[order],
        rows_read=len(order), agents=rows.agents, agent=rows.agent[order])
