"""London wall clock and instants (logs.london), checked against zoneinfo row by row."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pytest
from hypothesis import given, strategies as st

from contactsim.logs.london import local_to_utc, model_to_utc, utc_to_local

LONDON = zoneinfo.ZoneInfo("Europe/London")
EPOCH = dt.datetime(1970, 1, 1)


def local(text: str) -> float:
    return (dt.datetime.fromisoformat(text) - EPOCH).total_seconds()


def instant(text: str) -> float:
    """UTC seconds of an ISO time written with its offset."""
    return dt.datetime.fromisoformat(text).timestamp()


@given(st.integers(min_value=int(instant("1990-01-01T00:00+00:00")),
                   max_value=int(instant("2060-01-01T00:00+00:00"))))
def test_utc_to_local_agrees_with_zoneinfo(t: int) -> None:
    wall = dt.datetime.fromtimestamp(t, LONDON).replace(tzinfo=None)
    assert utc_to_local(np.array([float(t)]))[0] == (wall - EPOCH).total_seconds()


@pytest.mark.parametrize(("wall", "earliest", "latest"), [
    ("2025-07-01 12:00:00", "2025-07-01T12:00+01:00", "2025-07-01T12:00+01:00"),
    ("2025-01-15 08:00:00", "2025-01-15T08:00+00:00", "2025-01-15T08:00+00:00"),
    # the repeated hour at the end of summer time: first in BST, then in GMT
    ("2025-10-26 01:30:00", "2025-10-26T01:30+01:00", "2025-10-26T01:30+00:00"),
    ("2025-10-26 02:00:00", "2025-10-26T02:00+00:00", "2025-10-26T02:00+00:00"),
])
def test_local_to_utc(wall: str, earliest: str, latest: str) -> None:
    lo, hi = local_to_utc(np.array([local(wall)]))
    assert (lo[0], hi[0]) == (instant(earliest), instant(latest))


def test_the_skipped_hour_has_no_instant_and_the_model_reads_it_unadjusted() -> None:
    t = np.array([local("2025-03-30 01:30:00"), np.nan])
    lo, hi = local_to_utc(t)
    assert np.isnan(lo).all()
    assert np.isnan(hi).all()
    # A model time in the skipped hour is where a clock not put forward would be: 01:30 GMT,
    # which London clocks show as 02:30.
    m = model_to_utc(t)
    assert m[0] == instant("2025-03-30T01:30+00:00")
    assert np.isnan(m[1])
    assert utc_to_local(m)[0] == local("2025-03-30 02:30:00")


@given(st.integers(min_value=2015, max_value=2035),
       st.lists(st.integers(min_value=0, max_value=364 * 86400), min_size=1, max_size=20),
       st.integers(min_value=-7200, max_value=7200))
def test_local_to_utc_agrees_with_zoneinfo(year: int, walls: list[int], shift: int) -> None:
    """Whole columns at once (one search over the clock changes), each time as zoneinfo reads
    it: fold 0 and fold 1, and a time that does not round-trip is in the skipped hour. Two
    times are put near the year's clock changes, where the two passes differ."""
    start = local(f"{year}-01-01 00:00:00")
    near = [local(f"{_last_sunday(year, month)} 01:30:00") + shift for month in (3, 10)]
    times = np.array([start + w for w in walls] + near, dtype=np.float64)
    lo, hi = local_to_utc(times)
    for t, a, b in zip(times, lo, hi, strict=True):
        wall = EPOCH + dt.timedelta(seconds=float(t))
        first = wall.replace(tzinfo=LONDON, fold=0)
        second = wall.replace(tzinfo=LONDON, fold=1)
        if first.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) != wall:
            assert np.isnan(a)
            assert np.isnan(b)
        else:
            assert (a, b) == (first.timestamp(), second.timestamp())


def _last_sunday(year: int, month: int) -> dt.date:
    """The day of the change: the last Sunday of March or October."""
    day = dt.date(year, month, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)
