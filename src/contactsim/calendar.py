"""The calendar: real dates for a run, so a year is not 52 copies of one week.

Without a calendar every simulated day is the same week turned over: the rate in an hour is
``per_day * weekly[d] * hourly[h] / 24``. A planner who pins the run to real dates (``start_date``)
also gets the seasons and the days that break the pattern. Summer is busier than February
(``monthly`` weights), a bank holiday is answered like a Sunday (``bank_holiday_profile``), and
New Year's Eve has its own volume and its own shape through the night (special ``days``).
So the rate becomes ``per_day * weekly[d] * hourly[h] / 24 * monthly[m] * factor``.

Bank holidays come from the ``holidays`` package, never from a hand-written list: substitute
days ("Boxing Day (observed)") and one-off days (a jubilee, a state funeral) arrive with it.

Everything here is a pure function of a :class:`Calendar` and a channel's profiles, worked out
for every simulated day at once with numpy; nothing depends on the rest of contactsim. Simulated
day 0 is ``warmup_days`` before ``start_date``, the first measured day. Every simulated day has
24 hours: the clocks going forward or back is not modelled, as demand profiles are written in
local clock hours anyway.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from contactsim.timebase import HOURS_PER_DAY, WEEKDAYS

#: Years a run may start in, and a contact log may be dated in. The holidays package knows bank
#: holidays up to 2100, and a run is at most 3,660 days (ten years), so a run starting by 2090
#: ends within what it knows. The scenario's dates (config) and a log's (logs) are both held to
#: these.
FIRST_YEAR: Final = 1950
LAST_YEAR: Final = 2090

#: Bank-holiday regions a scenario may name, as (country, subdivision) for the holidays package.
#: Wales shares England's bank holidays, so "ENG" stands for both.
REGIONS: Final[Mapping[str, tuple[str, str]]] = {
    "england-and-wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern-ireland": ("GB", "NIR"),
}

MONTHS: Final = 12
DAYS_PER_WEEK: Final = len(WEEKDAYS)
SUNDAY: Final = WEEKDAYS.index("sun")
MONTH_NAMES: Final = ("January", "February", "March", "April", "May", "June", "July", "August",
                      "September", "October", "November", "December")

_EVERY_YEAR = re.compile(r"([0-9]{2})-([0-9]{2})")
_ONCE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_FORMS = '"MM-DD" for every year (such as "12-31") or "YYYY-MM-DD" for one date'


@dataclass(frozen=True)
class SpecialDay:
    """A date whose demand differs from its weekday's: New Year's Eve, a festival, a match day.

    ``year`` is None for a date that recurs every year ("12-31"). A recurring "02-29" applies only
    in leap years. ``hourly`` (24 weights, already normalised to mean 1) replaces the channel's
    day shape on that date; ``channels`` None means every channel.
    """

    month: int
    day: int
    year: int | None
    factor: float
    hourly: tuple[float, ...] | None = None
    channels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.factor) and self.factor >= 0):
            raise ValueError(f"a special day's factor must be a number >= 0, got {self.factor}")
        if self.hourly is not None and len(self.hourly) != HOURS_PER_DAY:
            raise ValueError(f"a special day's hourly shape needs {HOURS_PER_DAY} weights, "
                             f"got {len(self.hourly)}")

    def applies_to(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels

    @property
    def label(self) -> str:
        """The date as a planner wrote it: "12-31" or "2025-06-28"."""
        every_year = f"{self.month:02d}-{self.day:02d}"
        return every_year if self.year is None else f"{self.year:04d}-{every_year}"


@dataclass(frozen=True)
class Calendar:
    """The dates a run stands for and what makes those dates differ.

    ``start_date`` is the first measured day; ``warmup_days`` whole days are simulated before
    it. ``monthly`` holds twelve weights (January to December) normalised to mean 1.
    ``bank_holidays`` is a key of :data:`REGIONS` or None, and a bank holiday takes the weekly
    weight of weekday ``bank_holiday_profile`` (0 = Monday ... 6 = Sunday) instead of its own.
    """

    start_date: datetime.date
    warmup_days: int = 0
    monthly: tuple[float, ...] = (1.0,) * MONTHS
    bank_holidays: str | None = None
    bank_holiday_profile: int = SUNDAY
    days: tuple[SpecialDay, ...] = ()

    def __post_init__(self) -> None:
        # Time 0 must be a midnight for simulated days to be dates, so warm-up is whole days.
        if not isinstance(self.warmup_days, int) or self.warmup_days < 0:
            raise ValueError("with a start date, warm-up must be a whole number of days "
                             f"(0 or more), got {self.warmup_days}")
        if len(self.monthly) != MONTHS:
            raise ValueError(f"monthly needs {MONTHS} weights (January to December), "
                             f"got {len(self.monthly)}")
        if self.bank_holidays is not None:
            _region(self.bank_holidays)
        if not 0 <= self.bank_holiday_profile < DAYS_PER_WEEK:
            raise ValueError("bank_holiday_profile must be a weekday 0 (Monday) to 6 (Sunday), "
                             f"got {self.bank_holiday_profile}")


# --- reading what a planner wrote -----------------------------------------------------------


def parse_day(text: str) -> tuple[int, int, int | None]:
    """``(month, day, year)`` of a special day's date; ``year`` is None for "MM-DD".

    "02-29" is accepted as a yearly date (it applies in leap years only); "02-30" never is, and
    "2025-02-29" is an error because 2025 has no 29 February.
    """
    if m := _EVERY_YEAR.fullmatch(text):
        month, day, year = int(m[1]), int(m[2]), None
    elif m := _ONCE.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError(f'"{text}" is not a date: write {_FORMS}')
    if not 1 <= month <= MONTHS:
        raise ValueError(f'"{text}" is not a date: there is no month {month} '
                         '(months run 01 to 12)')
    # 2000 was a leap year, so a yearly date is checked against the longest February.
    try:
        datetime.date(2000 if year is None else year, month, day)
    except ValueError:
        if year is not None and (month, day) == (2, 29):
            raise ValueError(f'"{text}" is not a date: {year} is not a leap year') from None
        raise ValueError(f'"{text}" is not a date: {MONTH_NAMES[month - 1]} has no day '
                         f"{day}") from None
    return month, day, year


def normalised(weights: Sequence[float], n: int) -> tuple[float, ...]:
    """Weights scaled to mean 1 (``w * n / sum(w)``).

    The sum is taken with :func:`math.fsum`, which rounds once, so ``n`` equal weights give
    exactly 1.0 each (a plain ``sum`` of twelve 0.1s would give 1.0000000000000002) and a flat
    profile leaves the rates bit for bit as they were.
    """
    if len(weights) != n:
        raise ValueError(f"expected {n} weights, got {len(weights)}")
    if not all(math.isfinite(w) and w >= 0 for w in weights):
        raise ValueError("weights must be finite numbers >= 0")
    total = math.fsum(weights)
    if total <= 0:
        raise ValueError("weights must not all be zero")
    return tuple(w * n / total for w in weights)


def special_day(date: str, factor: float = 1.0, hourly: Sequence[float] | None = None,
                channels: Sequence[str] | None = None) -> SpecialDay:
    """A :class:`SpecialDay` from a scenario's ``[[calendar.days]]`` entry, hourly normalised."""
    month, day, year = parse_day(date)
    return SpecialDay(month, day, year, float(factor),
                      None if hourly is None else normalised(hourly, HOURS_PER_DAY),
                      None if channels is None else tuple(channels))


def _region(region: str) -> tuple[str, str]:
    try:
        return REGIONS[region]
    except KeyError:
        raise ValueError(f'unknown bank-holiday region "{region}": choices are '
                         f"{', '.join(sorted(REGIONS))}") from None


def bank_holidays(region: str, first: datetime.date,
                  last: datetime.date) -> dict[datetime.date, str]:
    """Bank holidays of ``region`` from ``first`` to ``last`` (both included), by date.

    Names are the holidays package's, in English. Substitute days come as the package gives them,
    named like "Boxing Day (observed)"; the package also lists a holiday on its own date when
    that falls at a weekend (26 December on a Saturday as well as the Monday after). Two
    holidays on one date are joined with "; ".
    """
    import holidays  # on first use: a large package (every country's calendar), 0.1 s to load

    country, subdiv = _region(region)
    if last < first:
        return {}
    found = holidays.country_holidays(country, subdiv=subdiv,
                                      years=range(first.year, last.year + 1))
    return {day: "; ".join(found.get_list(day))
            for day in sorted(found) if first <= day <= last}


# --- simulated days and their dates ---------------------------------------------------------


def day_zero(cal: Calendar) -> datetime.date:
    """The date of simulated day 0 (time 0): the first warm-up day, or ``start_date``."""
    return cal.start_date - datetime.timedelta(days=cal.warmup_days)


def simulated_dates(cal: Calendar, n_days: int) -> list[datetime.date]:
    """The date of each simulated day 0 .. ``n_days - 1``, warm-up days included."""
    first = day_zero(cal)
    return [first + datetime.timedelta(days=i) for i in range(n_days)]


def measured_dates(cal: Calendar, n_days: int) -> list[datetime.date]:
    """The dates of the measured days of an ``n_days`` simulation (warm-up left out)."""
    return simulated_dates(cal, n_days)[cal.warmup_days:]


def weekday_of_time_zero(cal: Calendar) -> int:
    """Weekday (0 = Monday) of time 0, which is the first warm-up day, not ``start_date``."""
    return day_zero(cal).weekday()


def simulated_days(cal: Calendar, days: float) -> int:
    """Days simulated for ``days`` measured days (a part day counts): warm-up, then the run."""
    return cal.warmup_days + math.ceil(days)


def day_labels(cal: Calendar, n_days: int) -> list[str]:
    """ISO dates ("2025-06-01") of the simulated days, as ``daily.csv`` writes them."""
    return [d.isoformat() for d in simulated_dates(cal, n_days)]


def month_labels(cal: Calendar, n_days: int) -> list[str]:
    """The month ("2025-06") of each simulated day, the key ``monthly.csv`` groups by.

    The year is part of the key, so a run of more than a year keeps its two Junes apart.
    """
    return [f"{d.year:04d}-{d.month:02d}" for d in simulated_dates(cal, n_days)]


def month_of(cal: Calendar, n_days: int) -> np.ndarray:
    """The month (1 = January ... 12 = December) of each simulated day."""
    return _days(cal, n_days).month + 1


def holidays_in_run(cal: Calendar, n_days: int) -> dict[datetime.date, str]:
    """The bank holidays among the simulated days, with their names (empty without a region)."""
    if cal.bank_holidays is None or n_days <= 0:
        return {}
    first = day_zero(cal)
    return bank_holidays(cal.bank_holidays, first, first + datetime.timedelta(days=n_days - 1))


@dataclass(frozen=True)
class _DayTable:
    """Per simulated day: whose weekly weight it takes, its month (0-11), year and day of month."""

    profile_day: np.ndarray
    month: np.ndarray
    year: np.ndarray
    dom: np.ndarray


@functools.lru_cache(maxsize=32)
def _days(cal: Calendar, n_days: int) -> _DayTable:
    # Cached because every channel of a run asks for the same days, and looking up bank
    # holidays is by far the slowest step; the arrays are read-only so sharing them is safe.
    first = np.datetime64(day_zero(cal), "D")
    dates = first + np.arange(n_days)
    months = dates.astype("datetime64[M]")
    # 1970-01-01, day 0 of datetime64, was a Thursday (weekday 3).
    profile_day = (dates.astype(np.int64) + 3) % DAYS_PER_WEEK
    if cal.bank_holidays is not None:
        start = day_zero(cal)
        offsets = [(d - start).days for d in holidays_in_run(cal, n_days)]
        profile_day[offsets] = cal.bank_holiday_profile
    table = _DayTable(profile_day=profile_day,
                      month=months.astype(np.int64) % MONTHS,
                      year=months.astype("datetime64[Y]").astype(np.int64) + 1970,
                      dom=(dates - months).astype(np.int64) + 1)
    for array in (table.profile_day, table.month, table.year, table.dom):
        array.flags.writeable = False
    return table


# --- rates ----------------------------------------------------------------------------------


def day_rates(cal: Calendar, channel: str, per_day: float, weekly: Sequence[float],
              hourly: Sequence[float], n_days: int,
              monthly: Sequence[float] | None = None,
              week_hours: Sequence[float] | None = None) -> np.ndarray:
    """Expected contacts of ``channel`` in each hour of each simulated day, shape (n_days, 24).

    ``weekly`` (Monday to Sunday) and ``hourly`` are the channel's profiles, normalised to mean
    1; ``monthly``, if given, replaces the calendar's twelve weights for this channel. The rate
    is ``per_day * weekly[d] * hourly[h] / 24 * monthly[m] * factor``, where ``d`` is the
    bank-holiday profile's weekday on a bank holiday. Special days that name this channel (or
    none) apply on their date: when several fall on one date their factors multiply, and the
    last one listed that has an ``hourly`` shape gives the day its shape.

    The weekly part is computed exactly as the engine's hour-of-week rates are, then multiplied
    by ``monthly[m] * factor``, so with no seasons, holidays or special days every row is bit for
    bit the rate of its weekday without a calendar.

    ``week_hours`` (168 weights, Monday 00:00 first, mean 1), if given, replaces ``weekly`` and
    ``hourly``: a day's 24 rates are its profile weekday's 24 weights, and a special day's own
    ``hourly`` shape keeps that weekday's share of the week.
    """
    table = _days(cal, n_days)
    week = np.asarray(weekly, dtype=float)
    shape = np.asarray(hourly, dtype=float)
    seasons = np.asarray(cal.monthly if monthly is None else monthly, dtype=float)
    if week.shape != (DAYS_PER_WEEK,) or shape.shape != (HOURS_PER_DAY,):
        raise ValueError("weekly needs 7 weights and hourly 24")
    if seasons.shape != (MONTHS,):
        raise ValueError(f"monthly needs {MONTHS} weights, got {seasons.size}")
    factor = np.ones(n_days)
    shaped: dict[int, np.ndarray] = {}
    for special in cal.days:
        if not special.applies_to(channel):
            continue
        on = (table.month == special.month - 1) & (table.dom == special.day)
        if special.year is not None:
            on &= table.year == special.year
        factor[on] *= special.factor
        if special.hourly is not None:
            for day in np.flatnonzero(on).tolist():
                shaped[day] = np.asarray(special.hourly, dtype=float)
    # Same operations in the same order as arrivals.hourly_rates, so the bits agree.
    if week_hours is not None:
        hours = np.asarray(week_hours, dtype=float).reshape(DAYS_PER_WEEK, HOURS_PER_DAY)
        rates: np.ndarray = per_day * hours[table.profile_day] / 24.0
        week = hours.mean(axis=1)  # each weekday's weight: its special days keep it
    else:
        rates = (per_day * week[table.profile_day][:, np.newaxis]
                 * shape[np.newaxis, :] / 24.0)
    for day, day_shape in shaped.items():
        rates[day] = per_day * week[table.profile_day[day]] * day_shape / 24.0
    # monthly * factor first: when both are 1.0 the product is 1.0 and the rates keep their bits.
    rates *= (seasons[table.month] * factor)[:, np.newaxis]
    return rates
