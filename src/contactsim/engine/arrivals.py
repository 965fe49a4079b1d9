"""Arrivals: hour-of-week demand profiles and non-homogeneous Poisson arrival times.

A channel's demand is ``per_day`` contacts a day on average, shaped by its ``weekly`` weights
(Monday to Sunday) and ``hourly`` weights (00:00 to 24:00), so the rate in each hour of the week
is ``per_day * weekly[d] * hourly[h] / 24`` with both profiles normalised to mean 1; or, where the
channel has an ``hour_of_week`` profile (168 weights, mean 1), ``per_day * hour_of_week[i] / 24``.
Within an hour the rate is constant, so arrivals are drawn exactly: a Poisson count per hour,
then that many uniform times within the hour. Nothing is sampled across a change of rate, so a
short peak is never skipped.

Two things vary the rate beyond the profiles: a day-level factor (``day_cv``: mean 1, gamma
distributed, one per simulated day, see :func:`day_factors`), and opening hours (``open``: a
contact arriving while the channel is closed is not offered, see :class:`Opening`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from contactsim.config.spec import ChannelSpec, Scenario, WindowSpec
from contactsim.timebase import DAY_S, HOUR_S, HOURS_PER_WEEK, MIN_PER_DAY, MIN_PER_WEEK


def hourly_rates(channel: ChannelSpec) -> np.ndarray:
    """Expected contacts in each hour of the week (168 values, hour 0 = Monday 00:00)."""
    if channel.hour_of_week is not None:
        return channel.per_day * np.asarray(channel.hour_of_week) / 24.0
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


def day_factors(gen: np.random.Generator, cv: float, n_days: int) -> np.ndarray:
    """A rate factor for each of ``n_days`` simulated days: gamma with mean 1 and coefficient
    of variation ``cv`` (shape 1/cv^2, scale cv^2). A day's count is then Poisson given its
    factor, so over days its variance is mean + cv^2 * mean^2 (a negative binomial)."""
    return gen.gamma(1.0 / cv**2, cv**2, n_days)


def open_minutes(windows: Sequence[WindowSpec] | None) -> np.ndarray:
    """Open (True) or closed for each minute of the week, minute 0 = Monday 00:00; ``None``
    (no opening hours given): open at every minute."""
    if windows is None:
        return np.ones(MIN_PER_WEEK, dtype=bool)
    is_open = np.zeros(MIN_PER_WEEK, dtype=bool)
    for window in windows:
        length = window.end_min - window.start_min
        if length <= 0:
            length += MIN_PER_DAY
        for day in window.days:
            first = day * MIN_PER_DAY + window.start_min
            is_open[np.arange(first, first + length) % MIN_PER_WEEK] = True
    return is_open


class Opening:
    """A channel's opening hours on the simulation clock (time 0 falls on ``start_day``)."""

    def __init__(self, windows: Sequence[WindowSpec], start_day: int) -> None:
        self.is_open = open_minutes(windows)
        self.offset_min = start_day * MIN_PER_DAY

    def open_mask(self, times: np.ndarray) -> np.ndarray:
        """True where a contact arriving at ``times`` (s) finds the channel open."""
        minute = (np.floor_divide(times, 60.0).astype(np.int64) + self.offset_min) % MIN_PER_WEEK
        return self.is_open[minute]

    def open_at(self, t: float) -> bool:
        return bool(self.is_open[(int(t // 60) + self.offset_min) % MIN_PER_WEEK])


def offered_rates(scenario: Scenario, name: str) -> np.ndarray:
    """Expected contacts offered on channel ``name`` in each hour of the week: its own while it
    is open, plus those other channels' ``closed`` rules move to it while it is open (168
    values; exactly :func:`hourly_rates` for a channel always open that nothing moves to)."""
    ch = scenario.channels[name]
    movers = [c for c in scenario.channels.values()
              if c.open is not None and c.closed is not None and c.closed.to == name]
    if ch.open is None and not movers:
        return hourly_rates(ch)
    here = open_minutes(ch.open)

    def share(minutes: np.ndarray) -> np.ndarray:  # of each hour of the week
        return minutes.reshape(HOURS_PER_WEEK, 60).mean(axis=1)

    out = hourly_rates(ch) * share(here)
    for c in movers:
        assert c.closed is not None
        out = out + hourly_rates(c) * c.closed.share * share(~open_minutes(c.open) & here)
    return out
