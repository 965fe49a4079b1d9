"""The calendar: dates, seasons, bank holidays and special days turned into hourly rates.

The rule that matters most is that a calendar with nothing in it changes nothing: every row of
``day_rates`` must be bit for bit the engine's hour-of-week rate for that weekday, computed here
with the engine's own formula. The other tests each pin one documented effect on exact dates,
against the 2025 bank holidays of England and Wales and of Scotland as published on GOV.UK.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from matplotlib.image import AxesImage

import contactsim.calendar
from contactsim.calendar import (
    REGIONS,
    Calendar,
    SpecialDay,
    bank_holidays,
    day_labels,
    day_rates,
    holidays_in_run,
    measured_dates,
    month_labels,
    month_of,
    normalised,
    parse_day,
    simulated_dates,
    special_day,
    weekday_of_time_zero,
)
from contactsim.present.calendar_plot import calendar_heatmap_figure, worst_days

D = datetime.date
PER_DAY = 330.7


def plain_normalised(weights: list[float]) -> tuple[float, ...]:
    """How the scenario normalises weekly and hourly profiles today (a plain sum)."""
    total = sum(weights)
    return tuple(w * len(weights) / total for w in weights)


# Awkward, unequal profiles so that any change in the order of operations shows in the bits.
WEEKLY = plain_normalised([0.95, 0.93, 0.95, 0.97, 1.07, 1.1, 1.03])
HOURLY = plain_normalised([0.6, 0.5, 0.45, 0.4, 0.35, 0.35, 0.45, 0.6, 0.8, 0.95, 1.0, 1.05,
                           1.1, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5, 1.55, 1.5, 1.4, 1.15, 0.85])
MONTHLY = normalised([0.93, 0.90, 0.95, 0.98, 1.03, 1.05, 1.10, 1.08, 1.00, 1.00, 0.97, 1.01], 12)


def engine_week(per_day: float = PER_DAY) -> np.ndarray:
    """The engine's 168 hour-of-week rates (arrivals.hourly_rates), hour 0 = Monday 00:00."""
    week: np.ndarray = (per_day * np.repeat(np.asarray(WEEKLY), 24)
                        * np.tile(np.asarray(HOURLY), 7) / 24.0)
    return week


def rates(cal: Calendar, n_days: int, channel: str = "999", **kw: object) -> np.ndarray:
    return day_rates(cal, channel, PER_DAY, WEEKLY, HOURLY, n_days, **kw)  # type: ignore[arg-type]


def row_of(cal: Calendar, day: datetime.date) -> int:
    return (day - simulated_dates(cal, 1)[0]).days


# --- an empty calendar changes nothing ------------------------------------------------------


@pytest.mark.parametrize(("start", "warmup"), [(D(2025, 6, 1), 0), (D(2025, 6, 1), 3),
                                               (D(2024, 2, 20), 1), (D(2030, 12, 25), 7)])
def test_flat_calendar_is_bit_identical_to_the_weekly_profile(start: datetime.date,
                                                              warmup: int) -> None:
    cal = Calendar(start, warmup, normalised([3.0] * 12, 12))
    week = engine_week()
    got = rates(cal, 60)
    assert got.shape == (60, 24)
    first = weekday_of_time_zero(cal)
    for day in range(60):
        hour = (first + day) % 7 * 24
        assert np.array_equal(got[day], week[hour:hour + 24]), day


def test_a_monthly_override_of_ones_is_also_bit_identical() -> None:
    cal = Calendar(D(2025, 1, 1), 0, MONTHLY)
    got = rates(cal, 14, monthly=(1.0,) * 12)
    for day in range(14):
        hour = (D(2025, 1, 1).weekday() + day) % 7 * 24
        assert np.array_equal(got[day], engine_week()[hour:hour + 24])


def test_equal_weights_normalise_to_exactly_one() -> None:
    for w in (0.1, 0.3, 0.7, 1.1, 2.9):
        assert normalised([w] * 12, 12) == (1.0,) * 12
        assert normalised([w] * 24, 24) == (1.0,) * 24
    assert math.fsum(MONTHLY) == pytest.approx(12.0, rel=1e-15)
    with pytest.raises(ValueError, match="all be zero"):
        normalised([0.0] * 12, 12)
    with pytest.raises(ValueError, match="expected 12"):
        normalised([1.0] * 11, 12)


# --- dates --------------------------------------------------------------------------------


def test_day_zero_is_the_first_warm_up_day() -> None:
    cal = Calendar(D(2025, 6, 1), 2)  # a Sunday; time 0 is Friday 30 May
    assert simulated_dates(cal, 4) == [D(2025, 5, 30), D(2025, 5, 31), D(2025, 6, 1),
                                       D(2025, 6, 2)]
    assert weekday_of_time_zero(cal) == 4
    assert measured_dates(cal, 4) == [D(2025, 6, 1), D(2025, 6, 2)]
    assert day_labels(cal, 3)[-1] == "2025-06-01"
    assert month_labels(cal, 3) == ["2025-05", "2025-05", "2025-06"]
    assert month_of(cal, 3).tolist() == [5, 5, 6]


def test_warm_up_must_be_whole_days() -> None:
    with pytest.raises(ValueError, match="whole number of days"):
        Calendar(D(2025, 6, 1), 0.5)  # type: ignore[arg-type]


# --- seasons ------------------------------------------------------------------------------


def test_each_months_average_day_is_its_monthly_weight() -> None:
    cal = Calendar(D(2025, 1, 1), 0, MONTHLY)
    flat = (1.0,) * 7, (1.0,) * 24
    got = day_rates(cal, "999", PER_DAY, *flat, 365).sum(axis=1)
    months = month_of(cal, 365)
    for m in range(1, 13):
        assert got[months == m].mean() / PER_DAY == pytest.approx(MONTHLY[m - 1], rel=1e-12)


def test_monthly_weights_scale_the_weekly_shape_exactly() -> None:
    seasonal = rates(Calendar(D(2025, 1, 1), 0, MONTHLY), 365)
    plain = rates(Calendar(D(2025, 1, 1)), 365)
    months = month_of(Calendar(D(2025, 1, 1)), 365)
    assert np.array_equal(seasonal, plain * np.asarray(MONTHLY)[months - 1][:, None])
    # A channel's own monthly weights replace the calendar's.
    own = normalised([2.0] + [1.0] * 11, 12)
    overridden = rates(Calendar(D(2025, 1, 1), 0, MONTHLY), 365, monthly=own)
    assert np.array_equal(overridden, plain * np.asarray(own)[months - 1][:, None])


# --- special days -------------------------------------------------------------------------


def test_a_yearly_special_day_multiplies_that_date_every_year_for_its_channels_only() -> None:
    cal = Calendar(D(2024, 12, 1), 0, days=(special_day("12-31", 1.4, channels=["999"]),))
    n = (D(2027, 1, 10) - D(2024, 12, 1)).days
    plain = rates(Calendar(D(2024, 12, 1)), n)
    got = rates(cal, n)
    eves = {row_of(cal, D(y, 12, 31)) for y in (2024, 2025, 2026)}
    for day in range(n):
        expected = plain[day] * 1.4 if day in eves else plain[day]
        assert np.array_equal(got[day], expected), simulated_dates(cal, n)[day]
    assert np.array_equal(rates(cal, n, channel="101"), plain)


def test_a_dated_special_day_applies_once() -> None:
    cal = Calendar(D(2025, 6, 1), 0, days=(special_day("2025-06-28", 2.0),))
    got, plain = rates(cal, 400), rates(Calendar(D(2025, 6, 1)), 400)
    changed = np.flatnonzero((got != plain).any(axis=1)).tolist()
    assert changed == [row_of(cal, D(2025, 6, 28))]
    assert got[changed[0]].sum() == pytest.approx(2 * plain[changed[0]].sum(), rel=1e-12)


def test_29_february_every_year_applies_in_leap_years_only() -> None:
    cal = Calendar(D(2023, 1, 1), 0, days=(special_day("02-29", 3.0),))
    n = (D(2026, 1, 1) - D(2023, 1, 1)).days
    changed = np.flatnonzero((rates(cal, n) != rates(Calendar(D(2023, 1, 1)), n)).any(axis=1))
    assert changed.tolist() == [row_of(cal, D(2024, 2, 29))]


def test_a_special_days_hourly_shape_replaces_the_shape_and_keeps_its_total() -> None:
    night = [3.0] * 6 + [1.0] * 12 + [3.0] * 6
    cal = Calendar(D(2025, 12, 1), 0, days=(special_day("12-31", 1.4, hourly=night),))
    day = row_of(cal, D(2025, 12, 31))  # a Wednesday
    got = rates(cal, 40)[day]
    assert got.sum() == pytest.approx(PER_DAY * WEEKLY[2] * 1.4, rel=1e-12)
    assert got / got.sum() == pytest.approx(np.asarray(night) / sum(night), rel=1e-12)
    assert np.array_equal(rates(cal, 40)[day + 1], rates(Calendar(D(2025, 12, 1)), 40)[day + 1])


def test_several_entries_on_one_date_multiply_and_the_last_shape_wins() -> None:
    early, late = [2.0] * 12 + [1.0] * 12, [1.0] * 12 + [2.0] * 12
    cal = Calendar(D(2025, 12, 1), 0, days=(
        special_day("12-31", 1.5, hourly=early),
        special_day("2025-12-31", 2.0, hourly=late),
        special_day("12-31", 1.1),  # no shape of its own: the last shape listed still wins
        special_day("12-31", 9.0, channels=["online"]),  # another channel's: ignored
    ))
    got = rates(cal, 40)[row_of(cal, D(2025, 12, 31))]
    assert got.sum() == pytest.approx(PER_DAY * WEEKLY[2] * 1.5 * 2.0 * 1.1, rel=1e-12)
    assert got[23] == pytest.approx(2 * got[0], rel=1e-12)


def test_special_day_records_what_was_written() -> None:
    day = special_day("2025-06-28", 1.2, hourly=[2.0] * 24, channels=["999", "101"])
    assert day == SpecialDay(6, 28, 2025, 1.2, (1.0,) * 24, ("999", "101"))
    assert day.label == "2025-06-28"
    assert special_day("12-31").label == "12-31"
    with pytest.raises(ValueError, match="24 weights"):
        special_day("12-31", hourly=[1.0] * 23)


# --- bank holidays ------------------------------------------------------------------------


def test_england_and_wales_2025() -> None:
    found = bank_holidays("england-and-wales", D(2025, 1, 1), D(2025, 12, 31))
    assert D(2025, 8, 25) in found
    assert found[D(2025, 12, 26)] == "Boxing Day"
    assert D(2025, 8, 4) not in found
    assert D(2025, 1, 2) not in found
    assert len(found) == 8  # GOV.UK: eight bank holidays in England and Wales in 2025


def test_scotland_2025() -> None:
    found = bank_holidays("scotland", D(2025, 1, 1), D(2025, 12, 31))
    assert D(2025, 8, 4) in found
    assert D(2025, 1, 2) in found
    assert D(2025, 8, 25) not in found
    assert D(2025, 4, 21) not in found  # no Easter Monday in Scotland


def test_substitute_days_are_named_and_the_range_is_inclusive() -> None:
    found = bank_holidays("england-and-wales", D(2026, 12, 25), D(2026, 12, 28))
    assert found[D(2026, 12, 28)] == "Boxing Day (observed)"
    assert list(found) == sorted(found)
    assert D(2026, 12, 25) in found
    assert bank_holidays("northern-ireland", D(2025, 3, 17), D(2025, 3, 17)) == {
        D(2025, 3, 17): "Saint Patrick's Day"}


def test_unknown_region_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r'"wales": choices are england-and-wales') as err:
        bank_holidays("wales", D(2025, 1, 1), D(2025, 12, 31))
    assert all(region in str(err.value) for region in REGIONS)
    with pytest.raises(ValueError, match="unknown bank-holiday region"):
        Calendar(D(2025, 1, 1), bank_holidays="england")


def test_a_bank_holiday_monday_takes_sundays_weekly_weight() -> None:
    cal = Calendar(D(2025, 8, 1), 0, bank_holidays="england-and-wales")
    got = rates(cal, 31)
    sunday = PER_DAY * WEEKLY[6] * np.asarray(HOURLY) / 24.0
    assert np.array_equal(got[row_of(cal, D(2025, 8, 25))], sunday)
    assert np.array_equal(got[row_of(cal, D(2025, 8, 18))], engine_week()[:24])  # a Monday
    assert holidays_in_run(cal, 31) == {D(2025, 8, 25): "Late Summer Bank Holiday"}
    # Another profile, and Scotland's summer holiday on a different Monday.
    scot = Calendar(D(2025, 8, 1), 0, bank_holidays="scotland", bank_holiday_profile=5)
    saturday = PER_DAY * WEEKLY[5] * np.asarray(HOURLY) / 24.0
    assert np.array_equal(rates(scot, 31)[row_of(scot, D(2025, 8, 4))], saturday)
    assert np.array_equal(rates(scot, 31)[row_of(scot, D(2025, 8, 25))], engine_week()[:24])


def test_a_special_day_on_a_bank_holiday_scales_the_holiday_profile() -> None:
    cal = Calendar(D(2025, 12, 1), 0, bank_holidays="england-and-wales",
                   days=(special_day("12-26", 0.8),))
    got = rates(cal, 31)[row_of(cal, D(2025, 12, 26))]  # Boxing Day, a Friday
    assert np.array_equal(got, PER_DAY * WEEKLY[6] * np.asarray(HOURLY) / 24.0 * 0.8)


# --- reading dates ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("13-01", "no month 13"),
    ("00-10", "no month 0"),
    ("02-30", "February has no day 30"),
    ("04-31", "April has no day 31"),
    ("2025-02-29", "2025 is not a leap year"),
    ("xx", 'write "MM-DD"'),
    ("12/31", 'write "MM-DD"'),
    ("2025-6-1", 'write "MM-DD"'),
    ("", 'write "MM-DD"'),
])
def test_bad_dates_are_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        parse_day(text)
    assert f'"{text}" is not a date' in str(err.value)


def test_good_dates() -> None:
    assert parse_day("12-31") == (12, 31, None)
    assert parse_day("02-29") == (2, 29, None)
    assert parse_day("2024-02-29") == (2, 29, 2024)
    assert parse_day("2025-06-01") == (6, 1, 2025)


# --- a long run with many channels ---------------------------------------------------------


def test_ten_years_for_forty_channels_look_up_the_days_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Bank holidays are by far the slowest step, so a run looks its days up once, whatever
    its number of channels (counted, not timed); and ten years of special days each apply on
    their date every year, on top of the bank holidays, and nowhere else."""
    christmas = tuple(special_day(f"12-{d:02d}", 1.1) for d in range(20, 32))
    cal = Calendar(D(2025, 1, 1), 5, MONTHLY, "scotland", days=christmas)
    plain = Calendar(D(2025, 1, 1), 5, MONTHLY, "scotland")
    looked_up = []

    def counted(c: Calendar, n_days: int) -> dict[datetime.date, str]:
        looked_up.append(c)
        return holidays_in_run(c, n_days)

    monkeypatch.setattr(contactsim.calendar, "holidays_in_run", counted)
    first = day_rates(cal, "channel 0", PER_DAY, WEEKLY, HOURLY, 3660)
    before = len(looked_up)
    assert before <= 1  # none if an earlier test made the same days
    for i in range(1, 40):
        assert np.array_equal(day_rates(cal, f"channel {i}", PER_DAY, WEEKLY, HOURLY, 3660),
                              first)
    assert len(looked_up) == before
    assert first.shape == (3660, 24)
    base = day_rates(plain, "999", PER_DAY, WEEKLY, HOURLY, 3660)
    dates = simulated_dates(cal, 3660)
    festive = np.array([d.month == 12 and d.day >= 20 for d in dates])
    # 20 to 31 December of 2025 to 2034, and the warm-up's 27 to 31 December 2024
    assert festive.sum() == 12 * 10 + 5
    np.testing.assert_allclose(first[festive], 1.1 * base[festive], rtol=1e-15)
    assert np.array_equal(first[~festive], base[~festive])


# --- the picture and the worst days -------------------------------------------------------


def test_worst_days_lowest_first_nan_skipped_ties_by_date() -> None:
    dates = [D(2025, 6, d) for d in range(1, 8)]
    values = np.array([0.9, math.nan, 0.7, 0.8, 0.7, 0.95, 0.6])
    assert worst_days(dates, values, n=4) == [(D(2025, 6, 7), 0.6), (D(2025, 6, 3), 0.7),
                                              (D(2025, 6, 5), 0.7), (D(2025, 6, 4), 0.8)]
    assert len(worst_days(dates, values)) == 6
    assert worst_days(dates, values, n=0) == []


def calendar_image(dates: list[datetime.date],
                   values: np.ndarray) -> tuple[AxesImage, np.ndarray, list[str]]:
    """The drawn calendar image, the grid of values it shows, and its month labels."""
    fig = calendar_heatmap_figure(dates, values, 0.9, "999: % answered within 10 s, by date")
    fig.canvas.draw()  # render for real: layout and text problems only show when drawn
    (ax,) = [a for a in fig.axes if a.get_images()]
    (image,) = [i for i in ax.get_images() if i.get_gid() == "calendar"]
    shown = image.get_array()
    assert shown is not None
    return image, np.ma.getdata(shown), [t.get_text() for t in ax.get_yticklabels()]


def test_heatmap_of_a_28_day_run() -> None:
    dates = measured_dates(Calendar(D(2025, 6, 20), 2), 30)
    values = np.linspace(0.5, 1.0, 28)
    values[3] = math.nan
    _, grid, months = calendar_image(dates, values)
    assert months == ["Jun 2025", "Jul 2025"]
    assert grid.shape == (2, 31)
    assert grid[0, 19] == values[0]  # 20 June
    assert np.isnan(grid[0, 22])  # 23 June had no figure
    assert np.isnan(grid[1, 17])  # 18 July was not simulated


def test_heatmap_of_a_366_day_run() -> None:
    dates = simulated_dates(Calendar(D(2025, 6, 1)), 366)
    values = np.random.default_rng(3).uniform(0.6, 1.0, 366)
    _, grid, months = calendar_image(dates, values)
    assert len(months) == 13
    assert (months[0], months[-1]) == ("Jun 2025", "Jun 2026")
    assert grid.shape == (13, 31)
    assert np.isfinite(grid).sum() == 366


def test_heatmap_colours_split_at_the_target() -> None:
    image, _, _ = calendar_image([D(2025, 6, 1)], np.array([0.9]))
    miss, meet = np.asarray(image.cmap(image.norm(np.array([0.899, 0.9]))))
    assert miss[0] > miss[2]  # red over blue: a miss
    assert meet[2] > meet[0]  # blue over red: meets the target
    assert image.norm.vmin == 0.0
    assert image.norm.vmax == 1.0
