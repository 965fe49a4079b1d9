"""How checked values land in the scenario's dataclasses: the small conversions the schema's
fields name (profile weights scaled to mean 1, absent values made flat, empty or zero, shares
kept above zero, the weekday of time 0).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from contactsim.calendar import normalised
from contactsim.config.build import Place
from contactsim.config.distributions import Distribution
from contactsim.config.tables import Convert
from contactsim.timebase import WEEKDAYS


def mean_one(n: int) -> Convert:
    """Profile weights scaled to mean 1 over their ``n`` slots; absent: a flat profile."""
    def convert(weights: tuple[float, ...] | None) -> tuple[float, ...]:
        if weights is None:
            return (1.0,) * n
        total = sum(weights)
        return tuple(w * n / total for w in weights)
    return convert


def mean_one_or_none(n: int) -> Convert:
    """Weights scaled to mean 1 (summed exactly, so equal weights give exactly 1); absent: None."""
    def convert(weights: tuple[float, ...] | None) -> tuple[float, ...] | None:
        return None if weights is None else normalised(weights, n)
    return convert


def flat_if_absent(n: int) -> Convert:
    def convert(weights: tuple[float, ...] | None) -> tuple[float, ...]:
        return (1.0,) * n if weights is None else normalised(weights, n)
    return convert


def tuple_or_none(names: list[str] | None) -> tuple[str, ...] | None:
    return None if names is None else tuple(names)


def time_zero_weekday(run: Mapping[str, Any], _place: Place) -> int:
    """Weekday of time 0: start_day's, or with start_date, warmup_days before that date."""
    start: datetime.date | None = run["start_date"]
    if start is None:
        return WEEKDAYS.index(run["start_day"] or "mon")
    return (start - datetime.timedelta(days=int(run["warmup_days"]))).weekday()


def shares_above_zero(mix: dict[str, float]) -> tuple[tuple[str, float], ...]:
    # a category with share 0 is never drawn, so the built mix leaves it out
    return tuple((name, share) for name, share in mix.items() if share > 0)


def shares_or_none(mix: dict[str, float] | None) -> tuple[tuple[str, float], ...] | None:
    return None if mix is None else tuple(mix.items())


def zero_if_absent(dist: Distribution | None) -> Distribution:
    return Distribution.constant(0.0) if dist is None else dist


def empty_if_absent(tables: dict[str, Any] | None) -> dict[str, Any]:
    return {} if tables is None else tables
