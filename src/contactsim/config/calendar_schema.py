"""The ``[calendar]`` table of a scenario (DESIGN §9): the year's shape, bank holidays and
special days; its keys, as :mod:`contactsim.config.schema` holds every other table's."""

from __future__ import annotations

from contactsim.calendar import REGIONS, Calendar, SpecialDay
from contactsim.config import convert
from contactsim.config.build import Derived
from contactsim.config.kinds import DayOfYear, ListOf, Number, Text, Weights
from contactsim.config.tables import Field, Table, TableList
from contactsim.timebase import WEEKDAYS


def _day_part(i: int) -> Derived:
    name = ("month", "day", "year")[i]
    return Derived(name, lambda d, _p: d["date"][i], f"the {name} of its date")


SPECIAL_DAY = Table((
    Field("date", DayOfYear(), 'The day: "MM-DD" every year (a "02-29" only in leap years), or '
          '"YYYY-MM-DD" once.', required=True, example='"12-31"',
          into=None),  # lands as SpecialDay.month, .day and .year (derived below)
    Field("factor", Number(ge=0, le=1000, least=0.001),
          "Multiplies that day's demand (several entries "
          "on one date multiply).", default=1.0, example="1.4"),
    Field("hourly", Weights(24, "00:00-01:00 to 23:00-24:00"), "Its own shape of the day; "
          "need not sum to 1. Absent: the channel's hourly.", unit="weights",
          example="[0.6, 0.5, ..., 2.0]", convert=convert.mean_one_or_none(24)),
    Field("channels", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Channels it applies to; absent: all.", example='["999"]', convert=convert.tuple_or_none),
), spec=SpecialDay, derived=(_day_part(0), _day_part(1), _day_part(2)))

CALENDAR = Table((
    Field("monthly", Weights(12, "January to December"), "Shape of the year; scaled to mean 1 "
          "over the twelve months, so per_day stays the average day. Absent: flat.",
          unit="weights", example="[0.93, 0.90, 0.95, 0.98, 1.03, 1.05, 1.10, 1.08, 1.00, "
          "1.00, 0.97, 1.01]", convert=convert.flat_if_absent(12)),
    Field("bank_holidays", Text(choices=tuple(REGIONS)), "Whose bank holidays (from the "
          "holidays package); absent: none.", example='"england-and-wales"'),
    Field("bank_holiday_profile", Text(choices=WEEKDAYS), "The weekday whose weekly weight a "
          "bank holiday takes.", default="sun", example='"sun"', convert=WEEKDAYS.index),
    Field("days", TableList(SPECIAL_DAY), "Special days: New Year's Eve, a festival, a match "
          "day.", default=()),
), spec=Calendar, derived=(
    Derived("start_date", lambda _t, place: place.doc["run"]["start_date"], "run.start_date"),
    Derived("warmup_days", lambda _t, place: int(place.doc["run"]["warmup_days"]),
            "run.warmup_days, whole days with a calendar"),
))
