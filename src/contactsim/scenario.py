"""The scenario: what a planner writes, checked once, as typed frozen dataclasses.

A scenario describes one control room: the channels contacts arrive on (999, 101, online...),
the categories of demand they carry, the pools of staff who answer them and the rosters those
staff work. This module holds the one schema (every key, its type, unit, default and the checks
on it; defaults live only here) and builds the immutable :class:`Scenario` the engine runs.
Reading files, ``extends`` and ``--set`` live in :mod:`contactsim.loading`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .distributions import Dist, Distribution
from .schema import (
    INVALID,
    WEEKDAYS,
    Boolean,
    Checker,
    Days,
    Field,
    ListOf,
    Named,
    Number,
    Path,
    Shares,
    Table,
    TableList,
    Text,
    TimeOfDay,
    Weights,
)

LATER = "it arrives with the demand-behaviour release (issue 4); remove this key for now"

# --- the typed scenario ---------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    days: float
    warmup_days: float
    replications: int
    seed: int
    start_day: int  # 0 = Monday


@dataclass(frozen=True)
class OnAbandon:
    callback: float
    redial: float
    redial_delay: Distribution
    to_999: float
    to_online: float


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    kind: str  # "voice" or "digital"
    per_day: float
    hourly: tuple[float, ...]  # 24 weights, normalised to mean 1
    weekly: tuple[float, ...]  # 7 weights Mon..Sun, normalised to mean 1
    priority: int
    answer_target_s: float
    connect_s: Distribution
    ivr_s: Distribution
    patience: Distribution | None
    mix: tuple[tuple[str, float], ...]
    on_abandon: OnAbandon | None

    @property
    def is_voice(self) -> bool:
        return self.kind == "voice"


@dataclass(frozen=True)
class CategorySpec:
    name: str
    handle: Distribution
    wrap_up: Distribution
    non_police: bool
    deploy: float
    officer_hours: float


@dataclass(frozen=True)
class ShiftSpec:
    days: tuple[int, ...]  # weekday indices, 0 = Monday
    start_min: int
    end_min: int
    staff: int

    @property
    def length_min(self) -> int:
        """Shift length; an end not after the start means the next day."""
        return self.end_min - self.start_min if self.end_min > self.start_min else (
            self.end_min + 1440 - self.start_min)


@dataclass(frozen=True)
class PoolSpec:
    name: str
    skills: tuple[str, ...]
    scale: float
    absence: float
    breaks_min: float
    interruptible_for: tuple[str, ...]
    roster: tuple[ShiftSpec, ...]

    def headcount(self, shift: ShiftSpec) -> int:
        """Rostered headcount of one shift line after ``scale`` (rounded half up)."""
        return int(shift.staff * self.scale + 0.5)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``document`` is the resolved TOML (extends and --set applied)."""

    name: str
    description: str
    run: RunSpec
    channels: dict[str, ChannelSpec]
    categories: dict[str, CategorySpec]
    pools: dict[str, PoolSpec]
    file: str
    document: dict[str, Any]


# --- the schema -----------------------------------------------------------------------------

DIST_DOC = "a duration in seconds: a number, or a distribution table"


def _shift_table(what: str) -> Table:
    return Table((
        Field("days", Days(), f"Days of the week the {what} starts on.", required=True,
              example='"mon-fri"'),
        Field("start", TimeOfDay(), f"Start time of the {what}.", required=True,
              example='"07:00"'),
        Field("end", TimeOfDay(allow_24=True),
              "End time; an end not after the start means the next day.", required=True,
              example='"17:00"'),
        Field("staff", Number(ge=0, le=100_000, integer=True), "People on this shift.",
              required=True, unit="people", example="9"),
    ))


RUN = Table((
    Field("days", Number(gt=0, le=3660), "Measured days simulated per replication.",
          default=28.0, unit="days", example="28"),
    Field("warmup_days", Number(ge=0, le=365),
          "Days simulated first and discarded, so queues start from a realistic state.",
          default=2.0, unit="days", example="2"),
    Field("replications", Number(ge=1, le=10_000, integer=True),
          "Independent replications; confidence intervals come from their spread.",
          default=20, example="20"),
    Field("seed", Number(ge=0, le=2**63 - 1, integer=True),
          "Random seed; the same seed gives the same results.", default=20231001,
          example="20231001"),
    Field("start_day", Text(choices=WEEKDAYS), "Weekday at simulated time 0.", default="mon",
          example='"mon"'),
))

ON_ABANDON = Table((
    Field("callback", Number(ge=0, le=1), "Share of abandoned calls the room calls back.",
          default=0.0, example="0.9"),
    Field("redial", Number(ge=0, le=1), "Share that call the same number again later.",
          default=0.0, example="0.4"),
    Field("redial_delay", Dist(), "Time from abandoning to redialling.",
          default=Distribution.constant(0.0), unit="s",
          example='{ dist = "exponential", mean = 1800 }'),
    Field("to_999", Number(ge=0, le=1), "Share that ring 999 instead, at once.", default=0.0,
          example="0.03"),
    Field("to_online", Number(ge=0, le=1), "Share that report online instead, at once.",
          default=0.0, example="0.10"),
))

CHANNEL = Table((
    Field("kind", Text(choices=("voice", "digital")),
          "Voice calls can abandon; digital contacts wait until worked.", default="voice",
          example='"voice"'),
    Field("per_day", Number(gt=0, le=1_000_000), "Average contacts a day over the week.",
          required=True, unit="contacts/day", example="330"),
    Field("hourly", Weights(24, "00:00-01:00 to 23:00-24:00"),
          "Shape of the day; need not sum to 1. Absent: flat.", unit="weights",
          example="[0.6, 0.5, ..., 0.85]"),
    Field("weekly", Weights(7, "Monday to Sunday"),
          "Shape of the week, always Monday to Sunday. Absent: flat.", unit="weights",
          example="[0.95, 0.93, 0.95, 0.97, 1.07, 1.1, 1.03]"),
    Field("priority", Number(ge=0, le=1000, integer=True),
          "Lower is answered first; ties are first come, first served.", default=1,
          example="1"),
    Field("answer_target_s", Number(gt=0, le=30 * 86_400),
          "Service-level threshold: answered within this many seconds.", default=10.0,
          unit="s", example="10"),
    Field("connect_s", Dist(), "Network connection time before the control room sees the "
          "contact; counted in answer time.", default=Distribution.constant(0.0), unit="s",
          example='{ dist = "uniform", low = 2, high = 7 }'),
    Field("ivr_s", Dist(), "Recorded message/menu time before queueing; not counted in "
          "answer time.", default=Distribution.constant(0.0), unit="s", example="40"),
    Field("patience", Dist(positive=True),
          "How long a caller waits in the queue before hanging up. Absent: never abandons.",
          unit="s", example='{ dist = "exponential", mean = 90 }'),
    Field("mix", Shares("category"), "Categories of demand and their shares (sum to 1). "
          "May be left out when only one category is defined.", unit="shares",
          example="{ crime = 0.6, info = 0.4 }"),
    Field("on_abandon", ON_ABANDON, "What callers who abandon do next.", not_yet=LATER),
))

CATEGORY = Table((
    Field("handle", Dist(positive=True), "Talk/work time per contact.", required=True,
          unit="s", example='{ dist = "lognormal", mean = 420, sd = 240 }'),
    Field("wrap_up", Dist(), "After-contact work.", default=Distribution.constant(0.0),
          unit="s", example="60"),
    Field("non_police", Boolean(), "Flags non-police demand in the outputs.", default=False,
          example="true"),
    Field("deploy", Number(ge=0, le=1), "Share of contacts needing an officer.", default=0.0,
          not_yet=LATER, example="0.6"),
    Field("officer_hours", Number(ge=0, le=1000), "Officer hours per deployment.", default=0.0,
          unit="hours", not_yet=LATER, example="2.5"),
))

POOL = Table((
    Field("skills", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Channels this pool answers.", required=True, example='["999", "101"]'),
    Field("scale", Number(ge=0, le=100), "Multiplies every roster headcount (rounded).",
          default=1.0, example="1.1"),
    Field("absence", Number(ge=0, lt=1),
          "Chance a rostered person is missing for a whole shift.", default=0.0,
          not_yet=LATER, example="0.08"),
    Field("breaks_min", Number(ge=0, le=600), "Minutes of breaks per shift, staggered.",
          default=0.0, unit="min", not_yet=LATER, example="45"),
    Field("interruptible_for", ListOf(Text(nonempty=True), unique=True),
          "Channels for which these staff drop digital work.", default=(), not_yet=LATER,
          example='["999"]'),
    Field("roster", TableList(_shift_table("shift"), min_len=1), "Shifts worked each week.",
          required=True,
          example='[{ days = "mon-sun", start = "07:00", end = "17:00", staff = 9 }]'),
))

SCENARIO = Table((
    Field("name", Text(nonempty=True), "Scenario name shown in reports.", required=True,
          example='"Dorset-sized force: baseline"'),
    Field("description", Text(), "What this scenario is and where its figures come from.",
          default="", example='"..."'),
    Field("extends", Text(nonempty=True), "A scenario file this one builds on (relative "
          "path); this file's keys are merged over it.", example='"baseline.toml"'),
    Field("source", Text(), "Written by contactsim in a resolved scenario.toml: the file it "
          "was resolved from. Leave it out of your own files.", example='"baseline.toml"'),
    Field("run", RUN, "Run length, replications and seed.", default=None),
    Field("channels", Named(CHANNEL, "channel", min_len=1), "Channels contacts arrive on.",
          required=True),
    Field("categories", Named(CATEGORY, "category", min_len=1), "Categories of demand.",
          required=True),
    Field("pools", Named(POOL, "pool", min_len=1), "Pools of staff.", required=True),
    Field("partners", Table(()), "Partner agencies.", not_yet=LATER),
    Field("surges", TableList(Table(())), "Bursts of calls about one incident.",
          not_yet=LATER),
    Field("diversions", Table(()), "Diversion policies.", not_yet=LATER),
))


# --- cross-checks and building --------------------------------------------------------------


def _ok(*values: Any) -> bool:
    """True when no value, nor anything inside it, failed its check."""
    for v in values:
        if v is INVALID:
            return False
        if isinstance(v, dict) and not _ok(*v.values()):
            return False
        if isinstance(v, list | tuple) and not _ok(*v):
            return False
    return True


def _names_exist(names: Any, defined: dict[str, Any], what: str, path: Path,
                 ck: Checker) -> None:
    """Report every name in ``names`` that is not defined (with a suggestion)."""
    from .schema import suggestion

    if not _ok(names):
        return
    for name in names:
        if name not in defined:
            ck.error(path, f"unknown {what} {name!r}" + suggestion(name, list(defined))
                     + f"; defined {what}s: {', '.join(defined) or 'none'}")


def cross_check(doc: dict[str, Any], ck: Checker) -> None:
    """Rules that span tables: every name referenced is defined, every channel is answered."""
    channels = doc["channels"] if isinstance(doc["channels"], dict) else {}
    categories = doc["categories"] if isinstance(doc["categories"], dict) else {}
    pools = doc["pools"] if isinstance(doc["pools"], dict) else {}
    for name, ch in channels.items():
        path: Path = ("channels", name)
        if not isinstance(ch, dict):
            continue
        if ch["mix"] is None and categories:
            if len(categories) == 1:
                ch["mix"] = {next(iter(categories)): 1.0}
            else:
                ck.error(path, "missing required key 'mix' (the categories of this channel's "
                         "demand and their shares, e.g. { crime = 0.6, info = 0.4 })")
        elif isinstance(ch["mix"], dict) and categories:
            for cat in ch["mix"]:
                _names_exist([cat], categories, "category", (*path, "mix", cat), ck)
        if ch["kind"] == "digital" and ch["patience"] not in (None, INVALID):
            ck.error((*path, "patience"), "digital contacts never abandon; remove patience or "
                     'make the channel kind = "voice"')
    for name, pool in pools.items():
        if not isinstance(pool, dict):
            continue
        if channels:
            _names_exist(pool["skills"], channels, "channel", ("pools", name, "skills"), ck)
        if _ok(pool["roster"], pool["scale"]):
            staffed = [s for s in pool["roster"] if int(s["staff"] * pool["scale"] + 0.5) > 0]
            if not staffed:
                ck.error(("pools", name, "roster"), "has no staff at any time of the week"
                         + (" after scale" if pool["scale"] != 1 else ""))
    if not pools or any(not isinstance(p, dict) or not _ok(p["skills"]) for p in pools.values()):
        return
    for name in channels:
        answered_by = [p for p, pool in pools.items() if name in pool["skills"]]
        if not answered_by:
            ck.error(("channels", name), f'no pool answers this channel; add "{name}" to the '
                     "skills of a pool")


def _normalised(weights: tuple[float, ...] | None, n: int) -> tuple[float, ...]:
    """Weights scaled to mean 1 (a flat profile when absent)."""
    if weights is None:
        return (1.0,) * n
    total = sum(weights)
    return tuple(w * n / total for w in weights)


def build(doc: dict[str, Any], file: str, document: dict[str, Any]) -> Scenario:
    """Typed scenario from a checked, normalised document (no problems left)."""
    run = doc["run"]
    channels = {
        name: ChannelSpec(
            name=name, kind=c["kind"], per_day=c["per_day"],
            hourly=_normalised(c["hourly"], 24), weekly=_normalised(c["weekly"], 7),
            priority=c["priority"], answer_target_s=c["answer_target_s"],
            connect_s=c["connect_s"], ivr_s=c["ivr_s"], patience=c["patience"],
            mix=tuple((k, v) for k, v in c["mix"].items() if v > 0),
            on_abandon=None if c["on_abandon"] is None else OnAbandon(**c["on_abandon"]),
        )
        for name, c in doc["channels"].items()
    }
    categories = {
        name: CategorySpec(name=name, handle=c["handle"], wrap_up=c["wrap_up"],
                           non_police=c["non_police"], deploy=c["deploy"],
                           officer_hours=c["officer_hours"])
        for name, c in doc["categories"].items()
    }
    pools = {
        name: PoolSpec(
            name=name, skills=tuple(p["skills"]), scale=p["scale"], absence=p["absence"],
            breaks_min=p["breaks_min"], interruptible_for=tuple(p["interruptible_for"]),
            roster=tuple(ShiftSpec(days=s["days"], start_min=s["start"], end_min=s["end"],
                                   staff=s["staff"]) for s in p["roster"]),
        )
        for name, p in doc["pools"].items()
    }
    return Scenario(
        name=doc["name"], description=doc["description"],
        run=RunSpec(days=run["days"], warmup_days=run["warmup_days"],
                    replications=run["replications"], seed=run["seed"],
                    start_day=WEEKDAYS.index(run["start_day"])),
        channels=channels, categories=categories, pools=pools, file=file, document=document,
    )
