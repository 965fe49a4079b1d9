"""The workforce table: a pool's people over months (``[pools.NAME.workforce]``, DESIGN §11).

A roster says how many people are on duty each hour of a typical week. Over a year that number
moves: people leave every month, and a recruit spends months in training before taking a call
and months more before handling one as quickly as an experienced handler. This table says, for
one pool, who is in post on the run's start date (``headcount``), which headcount the roster's
``staff`` numbers describe (``roster_for``), how many leave a year (``attrition``), the courses
of recruits (``intakes``), how long they train and ramp up, in which months no course starts
(``no_courses``) and what a recruit costs. The pipeline it drives is
:mod:`contactsim.engine.workforce`; this module only reads and checks the keys.
"""

from __future__ import annotations

import datetime
from typing import Any

from contactsim.config.kinds import INVALID, Checker, Date, ListOf, Number, Path, Text
from contactsim.config.spec import MONTH_NAMES, IntakeSpec, WorkforceSpec
from contactsim.config.tables import Field, Table, TableList

#: Most people a workforce table may count (a national force is a few thousand handlers).
MAX_PEOPLE = 100_000
#: Longest training or ramp-up, in weeks (ten years: anything longer is surely a typo).
MAX_WEEKS = 520

INTAKE = Table((
    Field("date", Date(), "The day the course starts (recruits are in post, paid, from it). "
          "In a no_courses month it moves to the first day of the next allowed month.",
          required=True, example='"2025-09-01"'),
    Field("people", Number(ge=0, le=MAX_PEOPLE, integer=True), "Recruits on the course.",
          required=True, unit="people", example="12"),
), spec=IntakeSpec)

WORKFORCE = Table((
    Field("headcount", Number(ge=0, le=MAX_PEOPLE, integer=True), "People in post on "
          "run.start_date (trained and on the roster).", required=True, unit="people",
          example="60"),
    Field("roster_for", Number(gt=0, le=MAX_PEOPLE, integer=True), "The headcount the "
          "roster's staff numbers describe: each day they are scaled by the people available "
          "over this. Absent: headcount.", unit="people", example="60"),
    Field("attrition", Number(ge=0, lt=1), "Share of the people in post who leave in a year; "
          "leavers are drawn month by month, so replications differ.", default=0.0,
          unit="share/year", example="0.12"),
    Field("intakes", TableList(INTAKE), "Courses of recruits.", default=(),
          example='[{ date = "2025-09-01", people = 12 }]'),
    Field("training_weeks", Number(ge=0, le=MAX_WEEKS), "Weeks a recruit trains (paid, off the "
          "roster) before joining it (whole days: 7 x weeks, rounded).", default=0.0,
          unit="weeks", example="26"),
    Field("ramp_weeks", Number(ge=0, le=MAX_WEEKS), "Weeks on the roster before a new handler "
          "is as quick as the rest (whole days: 7 x weeks, rounded).", default=0.0,
          unit="weeks", example="26"),
    Field("ramp_factor", Number(ge=1, le=10), "A new handler's handle time on the first day "
          "on the roster, as a multiple of the usual; it falls linearly to 1 over ramp_weeks.",
          default=1.0, unit="ratio", example="1.5"),
    Field("no_courses", ListOf(Text(choices=MONTH_NAMES), unique=True), "Months in which no "
          "course starts (an intake dated in one moves to the next allowed month, with a "
          "warning).", default=(), example='["jun", "jul", "aug"]',
          convert=lambda names: tuple(MONTH_NAMES.index(n) + 1 for n in names)),
    Field("cost_per_recruit", Number(ge=0, le=10_000_000), "Pounds per recruit (advertising, "
          "vetting, kit), on top of the hours paid. Absent: not costed.", unit="GBP",
          example="4000"),
), post=lambda t, path, ck: _check_workforce(t, path, ck), spec=WorkforceSpec)


def _check_workforce(t: dict[str, Any], path: Path, ck: Checker) -> None:
    """``roster_for`` defaults to ``headcount``; a course must be able to start somewhere."""
    if t["roster_for"] is None:
        t["roster_for"] = t["headcount"] if t["headcount"] > 0 else 1
    if t["intakes"] and len(t["no_courses"]) == len(MONTH_NAMES):
        ck.error((*path, "no_courses"), "names every month, so no intake can start; leave "
                 "at least one month out (or remove the intakes)")


def check_workforce_dates(doc: dict[str, Any], ck: Checker) -> None:
    """Rules that span tables: a workforce needs run.start_date, and no intake starts before
    it (people in post on the start date are the headcount)."""
    pools, run = doc.get("pools"), doc.get("run")
    start = run.get("start_date") if isinstance(run, dict) else None
    for name, pool in (pools.items() if isinstance(pools, dict) else ()):
        table = pool.get("workforce") if isinstance(pool, dict) else None
        if not isinstance(table, dict):
            continue
        path: Path = ("pools", name, "workforce")
        if start is None:
            ck.error(path, 'needs run.start_date (the day the headcount is in post, '
                     '"YYYY-MM-DD"): a workforce changes month by month')
            continue
        if not isinstance(start, datetime.date) or table["intakes"] is INVALID:
            continue
        for i, intake in enumerate(table["intakes"]):
            day = intake.get("date") if isinstance(intake, dict) else None
            if isinstance(day, datetime.date) and day < start:
                ck.error((*path, "intakes", i, "date"), f"{day} is before run.start_date "
                         f"{start}; people already in post on the start date are the "
                         "headcount")
