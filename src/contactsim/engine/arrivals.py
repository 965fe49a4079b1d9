"""Arrivals: hour-of-week demand profiles and non-homogeneous Poisson arrival times.

A channel's demand is ``per_day`` contacts a day on average, shaped by its ``weekly`` weights
(Monday to Sunday) and ``hourly`` weights (00:00 to 24:00), so the rate in each hour of the week
is ``per_day * weekly[d] * hourly[h] / 24`` with both profiles normalised to mean 1. Within an
hour the rate is constant, so arrivals are drawn exactly: a Poisson count per hour, then that
many uniform times within the hour. Nothing is sampled across a change of rate, so a short peak
is never skipped.
"""

from __future__ import annotations

import numpy as np

from contactsim.config.spec import ChannelSpec
from contactsim.timebase import DAY_S, HOUR_S


def hourly_rates(channel: ChannelSpec) -> np.ndarray:
    """Expected contacts in each hour of the week (168 values, hour 0 = Monday 00:00)."""
    weekly = np.repeat(np.asarray(channel.weekly), 24)
    hourly = np.tile(np.asarray(channel.hourly), 7)
    return channel.per_day * weekly * hourly / 24.0


def day_arrivals(gen: np.random.Generator, rates: np.ndarray, day: int) -> np.ndarray:
    """Sorted arrival times (s) during simulated ``day``, given its 24 hourly expected counts."""
    counts = gen.poisson(rates)
    hour_starts = day * DAY_S + HOUR_S * np.arange(24)
    times = np.repeat(hour_starts, counts) + HOUR_S * gen.random(int(counts.sum()))
    times.sort()
    return times
