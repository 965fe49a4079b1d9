"""Adjustments to a channel's fitted ``per_day`` so it means what the scenario means by it.

- **One base with the redial share** (issue 20.5d): the share comes from hang-ups with a caller
  key and the scenario applies it to every hang-up, so the redials of hang-ups without a key
  (which cannot be found, and stay in the count) are taken out too.
- **A short log over a base calendar** (issue 20.5f): the log's average is that of its months,
  which the base's calendar weighs; ``per_day`` is divided by their mean weight.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from contactsim.analysis.fit_demand import Demand, Redials, months_of
from contactsim.config.spec import Scenario
from contactsim.logs.model import ContactLog
from contactsim.outcomes import ABANDONED


def on_one_base(log: ContactLog, rows: np.ndarray, redials: Redials | None, demand: Demand,
                used: np.ndarray, day: np.ndarray) -> tuple[Demand, str]:
    """``per_day`` on the redial share's base (issue 20.5d). The share comes from hang-ups with
    a caller key and the scenario applies it to every hang-up, so the redials of hang-ups
    without a key (which cannot be found, and so stay in the count) are taken out too: the
    expected ``share x unkeyed hang-ups on the days used``, as a factor on ``per_day``."""
    if redials is None or not math.isfinite(redials.probability.estimate) \
            or demand.contacts <= 0:
        return demand, ""
    hung = (log.outcome[rows] == ABANDONED) & (log.caller[rows] < 0) \
        & np.isin(day[rows], used)
    unkeyed = int(hung.sum())
    if not unkeyed:
        return demand, ""
    expected = redials.probability.estimate * unkeyed
    factor = max(1.0 - expected / demand.contacts, 0.0)
    out = replace(demand, per_day=demand.per_day.scaled(factor), fitted=demand.fitted * factor,
                  unkeyed_hangups=unkeyed, unkeyed_redials=expected)
    return out, (f"channel {demand.channel}: {unkeyed:,} hang-ups have no caller key, so their "
                 f"redials cannot be found; the scenario redials every hang-up at the share "
                 f"{redials.probability.estimate:.3f}, so about {expected:,.0f} of the contacts "
                 f"counted are such redials and per_day is cut by {1 - factor:.1%} to match")


def base_calendar(base: Scenario | None, name: str, demand: Demand,
                   used: np.ndarray) -> tuple[Demand, str]:
    """``per_day`` of a log too short for ``monthly`` over a base with a calendar (issue
    20.5f): the log's average is that of its months, which the base's calendar weighs; it is
    divided by their mean weight over the days used, so the calendar multiplies it back."""
    if base is None or base.calendar is None or demand.monthly is not None \
            or name not in base.channels:
        return demand, ""
    weights = base.channels[name].monthly or base.calendar.monthly
    mean = float(np.mean(np.asarray(weights, dtype=float)[months_of(used) - 1]))
    if not mean > 0 or mean == 1:
        return demand, ""
    out = replace(demand, per_day=demand.per_day.scaled(1 / mean), calendar_weight=mean)
    if abs(mean - 1) < 0.01:  # corrected, but too small to be worth a warning
        return out, ""
    return out, (f"channel {name}: the log is too short to fit the year's shape, and the "
                 f"base's calendar weighs its month(s) {mean:.3f} on average; per_day is the "
                 f"log's average divided by that ({demand.per_day.estimate:,.1f} to "
                 f"{out.per_day.estimate:,.1f} a day), so the calendar multiplies it back in "
                 "those months (bank holidays and special days in the log are not corrected)")
