"""The time-varying requirement by formula: the modified offered load, hour by hour.

When calls arrive faster in the evening than in the morning, the work in hand lags the calls:
a call answered at 17:55 is still being handled at 18:05. The *modified offered load*
(Jennings, Mandelbaum, Massey and Whitt 1996) is the mean number of calls in service in an
infinite-server queue with the same arrivals and handle times: with exponential handle times
of mean ``S`` it obeys ``m'(t) = lambda(t) - m(t) / S``. Each hour's stationary formula
(Erlang A, or C when callers never hang up) is then applied to the hour's mean modified load,
as if it were offered steadily: the number of people on duty that gives the target in the hour.

With the rates constant within each hour the equation is solved exactly, hour by hour; the
week repeats, so it is run over two weeks and the second is kept (any start has died away
after a week, since handle times are minutes long). On a steady load the modified load is the
offered load itself, so the requirement is the plain Erlang figure.

A pool that answers other channels too carries their work as well: their modified load (shared
equally among the pools that answer them) is added to the people the channel needs, rounded up
(work that must be done at some point keeps that many people busy on average). The simulation
then corrects what the formula cannot see: priorities, shift edges, callers who ring back.
"""

from __future__ import annotations

import math

import numpy as np

from contactsim.analysis.staff_model import Load
from contactsim.analysis.warnings import mean_work_s
from contactsim.config.spec import Scenario
from contactsim.engine.arrivals import offered_rates
from contactsim.timebase import HOURS_PER_WEEK

SECONDS_PER_HOUR = 3600.0


def modified_load(per_hour: np.ndarray, handle_s: float) -> np.ndarray:
    """Each hour's mean modified offered load (Erlangs) for hourly call rates ``per_hour``
    (168 figures, the week repeating) and mean handle time ``handle_s``."""
    if handle_s <= 0:
        return np.zeros(HOURS_PER_WEEK)
    lam = np.asarray(per_hour, dtype=float) / SECONDS_PER_HOUR
    decay = math.exp(-SECONDS_PER_HOUR / handle_s)
    kept = handle_s / SECONDS_PER_HOUR * (1.0 - decay)  # the hour's mean of the decaying part
    m = float(lam.mean() * handle_s)
    out = np.zeros(HOURS_PER_WEEK)
    for _ in range(2):
        for h in range(HOURS_PER_WEEK):
            steady = lam[h] * handle_s
            out[h] = steady + (m - steady) * kept
            m = steady + (m - steady) * decay
    return out


def mol_agents(load: Load, target: float) -> np.ndarray:
    """People on duty each hour for the channel alone: the stationary formula on the hour's
    modified offered load."""
    m = modified_load(load.per_hour, load.handle_s)
    rates = m * SECONDS_PER_HOUR / load.handle_s if load.handle_s > 0 else load.per_hour
    return np.array([load.agents(float(rate), target) for rate in rates], dtype=int)


def other_work(sc: Scenario, pool: str, channel: str) -> np.ndarray:
    """The mean people kept busy each hour by the pool's other voice channels' work (their
    modified load, shared equally among the pools that answer each)."""
    busy = np.zeros(HOURS_PER_WEEK)
    for name in sc.pools[pool].skills:
        ch = sc.channels.get(name)
        if name == channel or ch is None or ch.kind != "voice":
            continue
        sharing = sum(name in p.skills for p in sc.pools.values())
        busy += modified_load(offered_rates(sc, name), mean_work_s(sc, name)) / sharing
    return busy


def on_duty_requirement(sc: Scenario, pool: str, load: Load, channel: str,
                        target: float) -> np.ndarray:
    """People on duty each hour by formula: the channel's own need and the other work."""
    return mol_agents(load, target) + np.ceil(other_work(sc, pool, channel) - 1e-9).astype(int)
