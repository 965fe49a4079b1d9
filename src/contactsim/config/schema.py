"""The scenario schema: every key a planner may write, checked once, and what it builds.

A scenario describes one control room: the channels contacts arrive on (999, 101, online...),
the categories of demand they carry, the pools of staff who answer them and the rosters those
staff work. This module holds the one schema: every key, its type, unit, default and the checks
on it (defaults live only here), and where its value lands in the immutable
:class:`~contactsim.config.spec.Scenario` the engine runs. Each table names the dataclass it
builds; a key lands in the dataclass field of the same name unless it says ``into=...``, and a
``convert`` turns what the planner wrote into what the engine reads. :func:`build_scenario`
walks the tables (:mod:`contactsim.config.build`), so adding a key here is the whole change to
the scenario's reading. Rules that span tables are in :mod:`contactsim.config.rules`; reading
files, ``extends`` and ``--set`` in :mod:`contactsim.config.loading`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contactsim.config import convert
from contactsim.config.build import NAME_FROM_KEY, Derived, Place, build, unbound
from contactsim.config.calendar_schema import CALENDAR
from contactsim.config.dispatch import CATEGORY_DISPATCH, DISPATCH, officers_table
from contactsim.config.distributions import MIN_SECONDS, Dist, Distribution
from contactsim.config.kinds import (
    INVALID,
    Boolean,
    Checker,
    Date,
    Days,
    ListOf,
    Number,
    Path,
    Text,
    TimeOfDay,
    Weights,
)
from contactsim.config.profiles import (
    MAX_DAY_CV,
    WEEK_ORDER,
    Closed,
    HourOfWeek,
    closed_rule,
    demand_or_none,
    hourly_lines,
)
from contactsim.config.spec import (
    CALLBACK_ORDERS,
    CategorySpec,
    ChannelSpec,
    DemandSpec,
    DiversionSpec,
    OnAbandon,
    PartnerSpec,
    PoolSpec,
    RunSpec,
    Scenario,
    ShiftSpec,
    SurgeSpec,
    WindowSpec,
)
from contactsim.config.tables import Field, Named, Shares, Table, TableList
from contactsim.config.workforce import WORKFORCE
from contactsim.standard import TARGET_S
from contactsim.timebase import HOURS_PER_WEEK, MIN_PER_DAY, WEEKDAYS

#: Most contacts one replication may simulate: a national model for a year fits; more would
#: exhaust memory (each contact is kept as a record) long before it finished.
MAX_CONTACTS = 100_000_000
#: Most diversion policies a scenario may define (a contact's policy is packed into its record
#: code beside its channel and category, each at most tables.MAX_NAMED).
MAX_DIVERSIONS = 1_000
#: Most people a pool may have rostered at once (the sum of its scaled shift lines).
MAX_ON_DUTY = 100_000

# --- the schema -----------------------------------------------------------------------------

DIST_DOC = "a duration in seconds: a number, or a distribution table"


SHIFT = Table((
    Field("days", Days(), "Days of the week the shift starts on.", required=True,
          example='"mon-fri"'),
    Field("start", TimeOfDay(), "Start time of the shift.", required=True, example='"07:00"',
          into="start_min"),
    Field("end", TimeOfDay(allow_24=True),
          "End time; an end not after the start means the next day.", required=True,
          example='"17:00"', into="end_min"),
    Field("staff", Number(ge=0, le=100_000, integer=True), "People on this shift.",
          required=True, unit="people", example="9"),
), spec=ShiftSpec)


#: A weekly opening window: partner hours and channel opening hours, in the roster's shape.
WINDOW = Table((
    Field("days", Days(), "Days the opening starts on.", required=True,
          example='"mon-sun"'),
    Field("start", TimeOfDay(), "Opening time.", required=True, example='"09:00"',
          into="start_min"),
    Field("end", TimeOfDay(allow_24=True), "Closing time; not after the start means the "
          "next day.", required=True, example='"17:00"', into="end_min"),
), spec=WindowSpec)

RUN = Table((
    Field("days", Number(gt=0, le=3660, least=0.01),
          "Measured days simulated per replication (with "
          "warm-up, at most 100 million contacts a replication over all channels).",
          default=28.0, unit="days", example="28"),
    Field("warmup_days", Number(ge=0, le=365, least=0.001),
          "Days simulated first and discarded, so queues start from a realistic state.",
          default=2.0, unit="days", example="2"),
    Field("replications", Number(ge=1, le=10_000, integer=True),
          "Independent replications; confidence intervals come from their spread.",
          default=20, example="20"),
    Field("seed", Number(ge=0, le=2**63 - 1, integer=True),
          "Random seed; the same seed gives the same results.", default=20231001,
          example="20231001"),
    Field("start_day", Text(choices=WEEKDAYS), "Weekday at simulated time 0; absent: Monday, "
          "or with start_date the weekday warmup_days before it. With start_date, leave it out "
          "or give start_date's own weekday.", example='"mon"',
          into=None),  # RunSpec.start_day is derived: with start_date it is time 0's weekday
    Field("start_date", Date(), "Pins the run to real dates and turns the calendar on: the "
          "first measured day (warm-up days come before it). Absent: no calendar, every week "
          "alike.", example='"2025-06-01"'),
), spec=RunSpec, derived=(Derived("start_day", convert.time_zero_weekday,
                                  "start_day's weekday, or time 0's with start_date"),))

ON_ABANDON = Table((
    Field("callback", Number(ge=0, le=1), "Share of abandoned calls the room calls back.",
          default=0.0, example="0.9"),
    Field("redial", Number(ge=0, le=1), "Share that call the same number again later.",
          default=0.0, example="0.4"),
    Field("redial_delay", Dist(), "Time from abandoning to redialling.",
          default=Distribution.constant(0.0), unit="s",
          example='{ dist = "exponential", mean = 1800 }'),
    Field("to_999", Number(ge=0, le=1), "Share that ring 999 instead, at once (not on the "
          "emergency channel itself: that is a redial).", default=0.0,
          example="0.03"),
    Field("to_online", Number(ge=0, le=1), "Share that report online instead, at once.",
          default=0.0, example="0.10"),
    Field("emergency_channel", Text(nonempty=True), "Channel that `to_999` callers ring.",
          default="999", example='"999"'),
    Field("online_channel", Text(nonempty=True), "Digital channel that `to_online` callers "
          "use.", default="online", example='"online"'),
    Field("callback_priority", Text(choices=CALLBACK_ORDERS), "Where callbacks queue: "
          '"after_live" waits behind every live call of this channel (control rooms answer '
          'live 999 calls before ringing anyone back), still ahead of channels with a higher '
          'priority number; "with_live" queues them at the channel\'s own priority, first come '
          "first served with live calls (the older order; under heavy overload callbacks then "
          "take handler time from live calls).", default="after_live",
          example='"after_live"'),
), post=lambda t, path, ck: _check_on_abandon(t, path, ck), spec=OnAbandon)

CHANNEL = Table((
    Field("kind", Text(choices=("voice", "digital")),
          "Voice calls can abandon; digital contacts wait until worked.", default="voice",
          example='"voice"'),
    Field("per_day", Number(gt=0, le=1_000_000, least=0.001),
          "Average contacts a day over the week.",
          required=True, unit="contacts/day", example="330"),
    Field("hourly", Weights(24, "00:00-01:00 to 23:00-24:00"),
          "Shape of the day; need not sum to 1. Absent: flat.", unit="weights",
          example="[0.6, 0.5, ..., 0.85]", convert=convert.mean_one(24)),
    Field("weekly", Weights(7, "Monday to Sunday"),
          "Shape of the week, always Monday to Sunday. Absent: flat.", unit="weights",
          example="[0.95, 0.93, 0.95, 0.97, 1.07, 1.1, 1.03]", convert=convert.mean_one(7)),
    Field("priority", Number(ge=0, le=1000, integer=True),
          "Lower is answered first; ties are first come, first served.", default=1,
          example="1"),
    Field("answer_target_s", Number(gt=0, le=30 * 86_400, least=MIN_SECONDS),
          "Service-level threshold: answered within this many seconds.", default=TARGET_S,
          unit="s", example="10"),
    Field("connect_s", Dist(), "Network connection time before the control room sees the "
          "contact; counted in answer time.", default=Distribution.constant(0.0), unit="s",
          example='{ dist = "uniform", low = 2, high = 7 }'),
    Field("ivr_s", Dist(), "Recorded message/menu time before queueing; not counted in "
          "answer time.", default=Distribution.constant(0.0), unit="s", example="40"),
    Field("patience", Dist(positive=True),
          "How long a caller waits in the queue before hanging up. Absent: never abandons.",
          unit="s", example='{ dist = "exponential", mean = 90 }'),
    Field("mix", Shares("category", "categories"), "Categories of demand and their shares "
          "(sum to 1). May be left out when only one category is defined.", unit="shares",
          example="{ crime = 0.6, info = 0.4 }", convert=convert.shares_above_zero),
    Field("on_abandon", ON_ABANDON, "What callers who abandon do next (voice channels).",
          example="{ callback = 0.9 }"),
    Field("monthly", Weights(12, "January to December"), "This channel's own shape of the "
          "year, instead of the calendar's monthly (needs run.start_date). Absent: the "
          "calendar's.", unit="weights", example="[0.93, 0.90, ..., 1.01]",
          convert=convert.mean_one_or_none(12)),
    Field("hour_of_week", HourOfWeek(), f"Shape of the whole week, hour by hour ({WEEK_ORDER}, "
          "whatever start_day is), where days differ in shape; scaled so the week holds 7 x "
          "per_day. Replaces weekly and hourly: not in the same file as them, but a file "
          "extending one that has them may add it, and it wins. Inline, or a data file (one "
          "weight a line, a header allowed, pinned by sha256 like an empirical file). Calendar "
          "months, bank holidays (the bank_holiday_profile day's 24 hours) and special days "
          "apply on top. Absent: weekly x hourly.", unit="weights",
          example='{ file = "101-hour-of-week.csv" }',
          convert=convert.mean_one_or_none(HOURS_PER_WEEK)),
    Field("open", TableList(WINDOW, min_len=1), "Opening hours, in the roster's shape; a "
          "contact arriving outside them is not offered: see closed. Absent: always open.",
          example='[{ days = "sun-thu", start = "07:00", end = "24:00" }]'),
    Field("closed", Closed(), 'A contact arriving while the channel is closed (needs open): '
          '"lost" (counted in closed_lost), or { to = "CHANNEL", share = S }: a share S (default '
          "1) arrive on that channel at once (counted in closed_moved; offered there if it is "
          "open, else lost), the rest are lost. Redials and switches arriving while it is "
          "closed are lost.", default="lost", example='{ to = "101", share = 0.3 }',
          convert=closed_rule),
    Field("day_cv", Number(ge=0, le=MAX_DAY_CV), "This channel's own day-to-day variation: "
          "each simulated day its rates are multiplied by a factor of its own, gamma with mean "
          "1 and this coefficient of variation, so daily counts have variance mean + day_cv^2 x "
          "mean^2. Absent: [demand] day_cv. 0: none.", unit="ratio", example="0.15"),
), spec=ChannelSpec, derived=(NAME_FROM_KEY,))

DEMAND = Table((
    Field("day_cv", Number(ge=0, le=MAX_DAY_CV), "Day-to-day variation shared by every channel "
          "without its own day_cv: each simulated day one factor (gamma, mean 1, this "
          "coefficient of variation) multiplies all their rates, so busy days are busy on every "
          "line; daily counts have variance mean + day_cv^2 x mean^2. 0: none (Poisson).",
          default=0.0, unit="ratio", example="0.15"),
), spec=DemandSpec)

CATEGORY = Table((
    Field("handle", Dist(positive=True), "Talk/work time per contact.", required=True,
          unit="s", example='{ dist = "lognormal", mean = 420, sd = 240 }'),
    Field("wrap_up", Dist(), "After-contact work.", default=Distribution.constant(0.0),
          unit="s", example="60"),
    Field("non_police", Boolean(), "Flags non-police demand in the outputs.", default=False,
          example="true"),
    Field("deploy", Number(ge=0, le=1), "Share of handled contacts needing an officer "
          "(diverted contacts need none).", default=0.0, example="0.6"),
    Field("officer_hours", Number(ge=0, le=1000, least=0.001),
          "Officer hours per deployment (with [officers]: the time on scene).", default=0.0,
          unit="hours", example="2.5"),
    *CATEGORY_DISPATCH,  # grade, rwd_s, on_scene_s (DESIGN §12)
), spec=CategorySpec, derived=(NAME_FROM_KEY,))

POOL = Table((
    Field("skills", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Channels this pool answers.", required=True, example='["999", "101"]'),
    Field("scale", Number(ge=0, le=100, least=0.001),
          "Multiplies every roster headcount, rounded to whole people so the pool's staff hours "
          "change by the scale as nearly as whole people allow (validate says the realised "
          "change when it differs).",
          default=1.0, example="1.1"),
    Field("absence", Number(ge=0, lt=1, least=0.001),
          "Chance a rostered person is missing for a whole shift.", default=0.0,
          example="0.08"),
    Field("breaks_min", Number(ge=0, le=600, least=1),
          "Minutes of breaks per person per shift, taken "
          "in spells of up to 15 minutes staggered across the team; less than the shortest "
          "shift.", default=0.0, unit="min",
          example="45"),
    Field("leave", Number(ge=0, lt=1, least=0.001),
          "Share of contracted hours spent off the roster (annual leave, training, rest days "
          "in lieu); only contactsim staff uses it, to turn rostered hours into people in post "
          "(sickness on the day is absence, breaks are breaks_min).", default=0.0,
          example="0.15"),
    Field("contracted_hours", Number(gt=0, le=168),
          "Hours a week of one full-time post; only contactsim staff uses it, to count people "
          "in post as full-time equivalents.", default=37.0, unit="hours", example="40"),
    Field("interruptible_for", ListOf(Text(nonempty=True), unique=True),
          "Voice channels for which these staff drop digital work (which resumes later) to "
          "take a waiting call.", default=(), example='["999"]'),
    Field("roster", TableList(SHIFT, min_len=1), "Shifts worked each week "
          "(after scale, at most 100,000 people over all lines). Give this or "
          "staff_by_hour.",
          example='[{ days = "mon-sun", start = "07:00", end = "17:00", staff = 9 }]'),
    Field("staff_by_hour", Weights(168, "Monday 00:00-01:00 first, Sunday 23:00-24:00 last"),
          "Instead of roster: the staff on duty in each hour of the week (what contactsim fit "
          "writes). A fraction is that share of the hour with one more person (4.25: five "
          "people for the first 15 minutes, then four). Each hour is a shift line of its own "
          "for absence; no breaks_min (give the staff actually on duty).", unit="people",
          example="[2, 2, 2, ..., 9.5, 11, ..., 3]"),
    Field("workforce", WORKFORCE, "People over months (needs run.start_date): leavers, "
          "recruits, training and ramp-up; each day the roster's staff scale with the people "
          "available. Absent: the same roster every week.", example="{ headcount = 60 }"),
    Field("cost_per_hour", Number(ge=0, le=10_000), "Pounds per staff hour on duty (training "
          "hours included). Absent: the pool is not costed.", unit="GBP/hour", example="25"),
), post=lambda t, path, ck: _staff_by_hour(t, path, ck), spec=PoolSpec,
    derived=(NAME_FROM_KEY,))


def _staff_by_hour(pool: dict[str, Any], path: Path, ck: Checker) -> None:
    """Exactly one of roster and staff_by_hour; staff_by_hour becomes roster lines."""
    hourly = pool["staff_by_hour"]
    if (pool["roster"] is None) == (hourly is None):
        ck.error(path, "give either roster (shift lines) or staff_by_hour (168 numbers), "
                 + ("not both" if hourly is not None else "one of them is required"))
        pool["roster"] = INVALID
        return
    if hourly is None:
        return
    if pool["breaks_min"] > 0:
        ck.error((*path, "breaks_min"), "breaks do not apply to staff_by_hour: give the staff "
                 "actually on duty each hour, breaks taken out, and remove breaks_min")
    if max(hourly) > MAX_ON_DUTY:
        ck.error((*path, "staff_by_hour"), f"puts {max(hourly):,.0f} people on duty at once; "
                 f"at most {MAX_ON_DUTY:,}")
        pool["roster"] = INVALID
        return
    pool["roster"] = hourly_lines(hourly)



PARTNER = Table((
    Field("hours", TableList(WINDOW),
          "Opening hours; absent: always open; an empty list: never open.",
          example='[{ days = "mon-sun", start = "00:00", end = "24:00" }]'),
    Field("staff", Number(ge=0, le=100_000, integer=True), "People taking handovers at once; "
          "absent: always answers. A handover when all are busy fails.", unit="people",
          example="4"),
    Field("answer_s", Dist(), "Our handler holds this long while the partner picks up.",
          default=Distribution.constant(0.0), unit="s",
          example='{ dist = "exponential", mean = 60 }'),
    Field("handle_s", Dist(positive=True), "Partner staff time per handover (required with "
          "staff).", unit="s", example='{ dist = "lognormal", mean = 1200, sd = 600 }'),
), post=lambda t, path, ck: _check_partner(t, path, ck), spec=PartnerSpec,
    derived=(NAME_FROM_KEY,))

SURGE = Table((
    Field("channel", Text(nonempty=True), "Channel the extra calls arrive on.", required=True,
          example='"999"'),
    Field("day", Number(ge=0, le=3660, integer=True), "Measured day, 0 = the first day after "
          "warm-up.", required=True, unit="day", example="3"),
    Field("start", TimeOfDay(), "When the burst starts.", required=True, example='"21:00"',
          into="start_min"),
    Field("minutes", Number(gt=0, le=7 * MIN_PER_DAY, least=1), "How long it lasts.", required=True,
          unit="min", example="60"),
    Field("calls", Number(gt=0, le=1_000_000, least=0.001),
          "Expected extra calls, spread over the window "
          "(Poisson).", required=True, unit="calls", example="150"),
    Field("mix", Shares("category", "categories"), "Categories of the extra calls; absent: the "
          "channel's mix.", unit="shares", example="{ traffic = 1.0 }",
          convert=convert.shares_or_none),
), spec=SurgeSpec)

DIVERSION = Table((
    Field("categories", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Categories this policy diverts.", required=True,
          example='["mental_health", "welfare"]'),
    Field("channels", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Channels it applies to; absent: all.", example='["999", "101"]',
          into=None),  # resolved against the scenario's channels: see derived below
    Field("share", Number(ge=0, le=1), "Share of matching contacts diverted.", required=True,
          example="0.3"),
    Field("at", Text(choices=("pre_queue", "triage")), '"pre_queue": taken away before the '
          'queue, never offered; "triage": a handler answers, triages, then hands over.',
          required=True, example='"triage"'),
    Field("partner", Text(nonempty=True), "Partner agency that takes them; absent: always "
          "accepted.", example='"mh_crisis_line"'),
    Field("hours", TableList(WINDOW, min_len=1), "When the scheme runs, in the roster's shape: "
          "a contact arriving outside these hours is not diverted and goes on as with no "
          "policy (not counted as a failed handover). Absent: always.",
          example='[{ days = "mon-fri", start = "08:00", end = "20:00" }]'),
    Field("triage_s", Dist(), "Handler time before the handover, instead of the handle time "
          "(triage only; never longer than the contact's own handle time).",
          unit="s", example='{ dist = "lognormal", mean = 180, sd = 60 }',
          convert=convert.zero_if_absent),  # absent, not 0, in the file: a pre-queue rule has none
), spec=DiversionSpec, derived=(NAME_FROM_KEY, Derived(
    "channels", lambda d, place: tuple(d["channels"] or place.doc["channels"]),
    "the channels listed, or every channel of the scenario when none are")))

SCENARIO = Table((
    Field("name", Text(nonempty=True), "Scenario name shown in reports.", required=True,
          example='"Dorset-sized force: baseline"'),
    Field("description", Text(), "What this scenario is and where its figures come from.",
          default="", example='"..."'),
    Field("extends", Text(nonempty=True), "A scenario file this one builds on (relative "
          "path); this file's keys are merged over it.", example='"baseline.toml"',
          into=None),  # consumed by loading, which merges the parent in
    Field("source", Text(), "Written by contactsim in a resolved scenario.toml: the file it "
          "was resolved from. Leave it out of your own files.", example='"baseline.toml"',
          into=None),  # names the scenario's file: see Scenario.file below
    Field("run", RUN, "Run length, replications and seed.", default=None),
    Field("channels", Named(CHANNEL, "channel", min_len=1), "Channels contacts arrive on.",
          required=True),
    Field("categories", Named(CATEGORY, "category", min_len=1), "Categories of demand.",
          required=True),
    Field("pools", Named(POOL, "pool", min_len=1), "Pools of staff.", required=True),
    Field("partners", Named(PARTNER, "partner"), "Partner agencies contacts are handed to.",
          default=None, convert=convert.empty_if_absent),
    Field("surges", TableList(SURGE), "Bursts of extra calls about one incident.", default=()),
    Field("diversions", Named(DIVERSION, "diversion", max_len=MAX_DIVERSIONS), "Diversion "
          "policies (Right Care, Right Person).", default=None, convert=convert.empty_if_absent),
    Field("calendar", CALENDAR, "Seasons, bank holidays and special days (with "
          "run.start_date).", default=None),
    Field("demand", DEMAND, "Demand shared across channels: day-to-day variation.",
          default=None, convert=demand_or_none),
    Field("officers", Named(officers_table(SHIFT), "officer pool"), "Response officers "
          "(DESIGN §12): incidents queue for them by grade. Absent: officer hours are only "
          "added up.", default=None, convert=convert.empty_if_absent),
    Field("dispatch", DISPATCH, "Attendance targets and chase calls (with [officers]).",
          default=None),
), spec=Scenario, derived=(
    Derived("file", lambda t, place: t["source"] or place.file,
            "the file it was resolved from (source), else the file read"),
    Derived("document", lambda _t, place: place.document,
            "the resolved TOML: extends merged, --set applied, data files by path and sha256"),
))


def _check_on_abandon(t: dict[str, Any], path: Path, ck: Checker) -> None:
    retry = t["redial"] + t["to_999"] + t["to_online"]
    if retry > 1 + 1e-9:
        ck.error(path, f"redial + to_999 + to_online add up to {retry:g}; they are exclusive "
                 "shares of abandoned calls, so at most 1")


def _check_partner(t: dict[str, Any], path: Path, ck: Checker) -> None:
    if t["staff"] is not None and t["staff"] > 0 and t["handle_s"] is None:
        ck.error(path, "a partner with staff needs handle_s (how long each handover keeps one "
                 "of its staff busy)")


# --- building -------------------------------------------------------------------------------


def build_scenario(doc: Mapping[str, Any], file: str, document: dict[str, Any]) -> Scenario:
    """The typed scenario from a checked, normalised document with no problems left."""
    scenario = build(SCENARIO, doc, Place(None, doc, file, document))
    assert isinstance(scenario, Scenario)
    return scenario


# Every key must land somewhere or say it does not, and every dataclass field must be fed: a
# key added to a table without a home would otherwise be checked and then silently ignored.
if _unbound := unbound(SCENARIO):
    raise TypeError("the scenario schema does not match its dataclasses:\n"
                    + "\n".join(_unbound))
