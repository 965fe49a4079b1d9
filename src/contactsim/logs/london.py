"""Local wall-clock time in Europe/London and true instants, for whole columns at once.

A telephony export writes local times. Twice a year they are not one-to-one with instants: at
the start of summer time the clock skips an hour (01:00-01:59 GMT does not occur), at its end it
repeats one (01:00-01:59 happens first in BST, then in GMT). The offsets come from the
time-zone database through :mod:`zoneinfo` (no hand-written rules); this module only applies
them to numpy columns of seconds.

Both kinds of seconds count from 1970-01-01 00:00: ``local`` on the wall clock (naive),
``utc`` as instants.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo

import numpy as np

ZONE = "Europe/London"
_HOUR = 3600


@functools.lru_cache(maxsize=64)
def _transitions(first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """UTC instants where the offset changes in [first_year - 1, last_year + 1], and the offset
    (seconds east of UTC) from each on; element 0 is the offset before them all."""
    tz = zoneinfo.ZoneInfo(ZONE)
    start = datetime.datetime(first_year - 1, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(last_year + 2, 1, 1, tzinfo=datetime.UTC)
    t0, t1 = int(start.timestamp()), int(end.timestamp())

    def offset(t: int) -> int:
        off = datetime.datetime.fromtimestamp(t, tz).utcoffset()
        assert off is not None
        return int(off.total_seconds())

    at = [float("-inf")]
    offsets = [offset(t0)]
    # Europe/London changes on the hour (UTC); scan hourly, then pin each change to the second.
    for t in range(t0 + _HOUR, t1, _HOUR):
        if offset(t) != offsets[-1]:
            lo, hi = t - _HOUR, t  # offset(lo) is the old one, offset(hi) the new
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offsets[-1] else (lo, mid)
            at.append(float(hi))
            offsets.append(offset(hi))
    return np.array(at), np.array(offsets, dtype=np.float64)


def _years(seconds: np.ndarray) -> tuple[int, int]:
    finite = seconds[np.isfinite(seconds)]
    if not len(finite):
        return 2000, 2000
    lo = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=float(finite.min()))
    hi = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=float(finite.max()))
    return lo.year, hi.year


def utc_to_local(utc: np.ndarray) -> np.ndarray:
    """Wall-clock seconds of each instant (NaN stays NaN)."""
    utc = np.asarray(utc, dtype=np.float64)
    at, offsets = _transitions(*_years(utc))
    idx = np.searchsorted(at, np.nan_to_num(utc, nan=0.0), side="right") - 1
    return utc + offsets[idx]


def local_to_utc(local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The instants each wall-clock time can be: ``(earliest, latest)``.

    Equal for an ordinary time; 3,600 s apart for a time in the repeated hour (earliest: the
    first pass, in summer time); both NaN for a time in the skipped hour, which never shows on
    a London clock (and NaN for NaN).
    """
    local = np.asarray(local, dtype=np.float64)
    at, offsets = _transitions(*_years(local))
    before, after = offsets[:-1], offsets[1:]
    # On the wall clock, change k spans [lo, hi): skipped when the offset grows, shown twice
    # when it shrinks. Outside every span a wall-clock time has one offset: the one after
    # the last span that ended at or before it.
    lo = at[1:] + np.minimum(before, after)
    hi = at[1:] + np.maximum(before, after)
    single = local - offsets[np.searchsorted(hi, local, side="right")]
    k = np.maximum(np.searchsorted(lo, local, side="right") - 1, 0)
    inside = (local >= lo[k]) & (local < hi[k]) if len(lo) else np.zeros(local.shape, bool)
    gap = inside & (after[k] > before[k])
    fold = inside & ~gap
    earliest = np.where(fold, local - before[k], single)
    latest = np.where(fold, local - after[k], single)
    earliest[gap] = latest[gap] = np.nan
    return earliest, latest


def model_to_utc(local: np.ndarray) -> np.ndarray:
    """The instant to write for a simulated wall-clock time.

    The model's days are all 24 hours long. A time it places in the skipped hour is read the
    way a clock that was not put forward would read it (01:30 becomes 01:30 GMT, which London
    clocks show as 02:30 BST); a time in the repeated hour is its first pass.
    """
    earliest, _ = local_to_utc(local)
    at, offsets = _transitions(*_years(local))
    before = offsets[np.searchsorted(at, local - offsets.max(), side="right") - 1]
    return np.where(np.isnan(earliest) & ~np.isnan(local), local - before, earliest)
