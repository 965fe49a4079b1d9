"""The scenario schema: every key a planner may write, checked once.

A scenario describes one control room: the channels contacts arrive on (999, 101, online...),
the categories of demand they carry, the pools of staff who answer them and the rosters those
staff work. This module holds the one schema (every key, its type, unit, default and the checks
on it; defaults live only here) and builds the immutable :class:`~contactsim.config.spec.Scenario`
the engine runs. Reading files, ``extends`` and ``--set`` live in :mod:`contactsim.config.loading`.
"""

from __future__ import annotations

from typing import Any

from contactsim.config.distributions import Dist, Distribution
from contactsim.config.kinds import (
    INVALID,
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
    plural,
    suggestion,
)
from contactsim.config.spec import (
    CategorySpec,
    ChannelSpec,
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
from contactsim.standard import TARGET_S
from contactsim.timebase import MIN_PER_DAY, WEEKDAYS

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
    Field("days", Number(gt=0, le=3660), "Measured days simulated per replication (with "
          "warm-up, at most 100 million contacts a replication over all channels).",
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
    Field("to_999", Number(ge=0, le=1), "Share that ring 999 instead, at once (not on the "
          "emergency channel itself: that is a redial).", default=0.0,
          example="0.03"),
    Field("to_online", Number(ge=0, le=1), "Share that report online instead, at once.",
          default=0.0, example="0.10"),
    Field("emergency_channel", Text(nonempty=True), "Channel that `to_999` callers ring.",
          default="999", example='"999"'),
    Field("online_channel", Text(nonempty=True), "Digital channel that `to_online` callers "
          "use.", default="online", example='"online"'),
), post=lambda t, path, ck: _check_on_abandon(t, path, ck))

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
    Field("mix", Shares("category"), "Categories of demand and their shares (sum to 1). "
          "May be left out when only one category is defined.", unit="shares",
          example="{ crime = 0.6, info = 0.4 }"),
    Field("on_abandon", ON_ABANDON, "What callers who abandon do next (voice channels).",
          example="{ callback = 0.9 }"),
))

CATEGORY = Table((
    Field("handle", Dist(positive=True), "Talk/work time per contact.", required=True,
          unit="s", example='{ dist = "lognormal", mean = 420, sd = 240 }'),
    Field("wrap_up", Dist(), "After-contact work.", default=Distribution.constant(0.0),
          unit="s", example="60"),
    Field("non_police", Boolean(), "Flags non-police demand in the outputs.", default=False,
          example="true"),
    Field("deploy", Number(ge=0, le=1), "Share of handled contacts needing an officer "
          "(diverted contacts need none).", default=0.0, example="0.6"),
    Field("officer_hours", Number(ge=0, le=1000), "Officer hours per deployment.", default=0.0,
          unit="hours", example="2.5"),
))

POOL = Table((
    Field("skills", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Channels this pool answers.", required=True, example='["999", "101"]'),
    Field("scale", Number(ge=0, le=100), "Multiplies every roster headcount (rounded).",
          default=1.0, example="1.1"),
    Field("absence", Number(ge=0, lt=1),
          "Chance a rostered person is missing for a whole shift.", default=0.0,
          example="0.08"),
    Field("breaks_min", Number(ge=0, le=600), "Minutes of breaks per person per shift, taken "
          "in spells of up to 15 minutes staggered across the team; less than the shortest "
          "shift.", default=0.0, unit="min",
          example="45"),
    Field("interruptible_for", ListOf(Text(nonempty=True), unique=True),
          "Voice channels for which these staff drop digital work (which resumes later) to "
          "take a waiting call.", default=(), example='["999"]'),
    Field("roster", TableList(_shift_table("shift"), min_len=1), "Shifts worked each week "
          "(after scale, at most 100,000 people over all lines).",
          required=True,
          example='[{ days = "mon-sun", start = "07:00", end = "17:00", staff = 9 }]'),
))

PARTNER = Table((
    Field("hours", TableList(Table((
        Field("days", Days(), "Days the opening starts on.", required=True,
              example='"mon-sun"'),
        Field("start", TimeOfDay(), "Opening time.", required=True, example='"09:00"'),
        Field("end", TimeOfDay(allow_24=True), "Closing time; not after the start means the "
              "next day.", required=True, example='"17:00"'),
    ))), "Opening hours; absent: always open; an empty list: never open.",
          example='[{ days = "mon-sun", start = "00:00", end = "24:00" }]'),
    Field("staff", Number(ge=0, le=100_000, integer=True), "People taking handovers at once; "
          "absent: always answers. A handover when all are busy fails.", unit="people",
          example="4"),
    Field("answer_s", Dist(), "Our handler holds this long while the partner picks up.",
          default=Distribution.constant(0.0), unit="s",
          example='{ dist = "exponential", mean = 60 }'),
    Field("handle_s", Dist(positive=True), "Partner staff time per handover (required with "
          "staff).", unit="s", example='{ dist = "lognormal", mean = 1200, sd = 600 }'),
), post=lambda t, path, ck: _check_partner(t, path, ck))

SURGE = Table((
    Field("channel", Text(nonempty=True), "Channel the extra calls arrive on.", required=True,
          example='"999"'),
    Field("day", Number(ge=0, le=3660, integer=True), "Measured day, 0 = the first day after "
          "warm-up.", required=True, unit="day", example="3"),
    Field("start", TimeOfDay(), "When the burst starts.", required=True, example='"21:00"'),
    Field("minutes", Number(gt=0, le=7 * MIN_PER_DAY), "How long it lasts.", required=True,
          unit="min", example="60"),
    Field("calls", Number(gt=0, le=1_000_000), "Expected extra calls, spread over the window "
          "(Poisson).", required=True, unit="calls", example="150"),
    Field("mix", Shares("category"), "Categories of the extra calls; absent: the channel's mix.",
          unit="shares", example="{ traffic = 1.0 }"),
))

DIVERSION = Table((
    Field("categories", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Categories this policy diverts.", required=True,
          example='["mental_health", "welfare"]'),
    Field("channels", ListOf(Text(nonempty=True), min_len=1, unique=True),
          "Channels it applies to; absent: all.", example='["999", "101"]'),
    Field("share", Number(ge=0, le=1), "Share of matching contacts diverted.", required=True,
          example="0.3"),
    Field("at", Text(choices=("pre_queue", "triage")), '"pre_queue": taken away before the '
          'queue, never offered; "triage": a handler answers, triages, then hands over.',
          required=True, example='"triage"'),
    Field("partner", Text(nonempty=True), "Partner agency that takes them; absent: always "
          "accepted.", example='"mh_crisis_line"'),
    Field("triage_s", Dist(), "Handler time before the handover, instead of the handle time "
          "(triage only; never longer than the contact's own handle time).",
          unit="s", example='{ dist = "lognormal", mean = 180, sd = 60 }'),
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
    Field("partners", Named(PARTNER, "partner"), "Partner agencies contacts are handed to.",
          default=None),
    Field("surges", TableList(SURGE), "Bursts of extra calls about one incident.", default=()),
    Field("diversions", Named(DIVERSION, "diversion"), "Diversion policies (Right Care, Right "
          "Person).", default=None),
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
    if not _ok(names):
        return
    for name in names:
        if name not in defined:
            ck.error(path, f"unknown {what} {name!r}" + suggestion(name, list(defined))
                     + f"; defined {plural(what)}: {', '.join(defined) or 'none'}")


def _table(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """A named-tables section as a dict (empty where absent or unusable)."""
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def cross_check(doc: dict[str, Any], ck: Checker) -> None:
    """Rules that span tables: every name referenced is defined, every channel is answered."""
    _check_channels(doc, ck)
    _check_pools(doc, ck)
    _check_diversions(doc, ck)
    _check_surges(doc, ck)
    _check_volume(doc, ck)


#: Most contacts one replication may simulate: a national model for a year fits; more would
#: exhaust memory (each contact is kept as a record) long before it finished.
MAX_CONTACTS = 100_000_000


def _check_volume(doc: dict[str, Any], ck: Checker) -> None:
    run = doc.get("run")
    if not isinstance(run, dict) or not _ok(run["days"], run["warmup_days"]):
        return
    per_day = [ch["per_day"] for ch in _table(doc, "channels").values()
               if isinstance(ch, dict) and _ok(ch["per_day"])]
    contacts = sum(per_day) * (run["days"] + run["warmup_days"])
    if contacts > MAX_CONTACTS:
        ck.error(("run", "days"), f"{contacts:,.0f} contacts a replication (per_day of every "
                 f"channel x (days + warmup_days)) is more than the {MAX_CONTACTS:,} one "
                 "replication can hold; simulate fewer days and more replications")


def _check_channels(doc: dict[str, Any], ck: Checker) -> None:
    channels, categories = _table(doc, "channels"), _table(doc, "categories")
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
        abandon = ch["on_abandon"]
        if ch["kind"] == "digital" and abandon not in (None, INVALID):
            ck.error((*path, "on_abandon"), "digital contacts never abandon; remove on_abandon")
        elif isinstance(abandon, dict) and _ok(abandon):
            if abandon["to_999"] > 0 and abandon["emergency_channel"] == name:
                ck.error((*path, "on_abandon", "to_999"), f"callers who abandon {name!r} "
                         "cannot switch to the same channel; that is a redial (use redial)")
            _check_retry_target(channels, abandon, "to_999", "emergency_channel", "voice",
                                (*path, "on_abandon"), ck)
            _check_retry_target(channels, abandon, "to_online", "online_channel", "digital",
                                (*path, "on_abandon"), ck)


def _check_retry_target(channels: dict[str, Any], abandon: dict[str, Any], share: str,
                        target_key: str, kind: str, path: Path, ck: Checker) -> None:
    if abandon[share] <= 0:
        return
    target = abandon[target_key]
    ch = channels.get(target)
    if ch is None:
        ck.error((*path, target_key), f"{share} sends callers to channel {target!r}, which is "
                 f"not defined; name the {kind} channel with {target_key} = \"...\"")
    elif isinstance(ch, dict) and ch["kind"] not in (kind, INVALID):
        ck.error((*path, target_key), f"{share} needs a {kind} channel, but {target!r} is "
                 f"{ch['kind']}")


def _check_pools(doc: dict[str, Any], ck: Checker) -> None:
    channels, pools = _table(doc, "channels"), _table(doc, "pools")
    for name, pool in pools.items():
        path: Path = ("pools", name)
        if not isinstance(pool, dict):
            continue
        if channels:
            _names_exist(pool["skills"], channels, "channel", (*path, "skills"), ck)
            _names_exist(pool["interruptible_for"], channels, "channel",
                         (*path, "interruptible_for"), ck)
        if _ok(pool["roster"], pool["scale"]):
            _check_roster(pool, path, ck)
        if _ok(pool["skills"], pool["interruptible_for"]) and pool["interruptible_for"]:
            kinds = {channels[c]["kind"] for c in pool["skills"]
                     if isinstance(channels.get(c), dict)}
            if "digital" not in kinds:
                ck.error((*path, "interruptible_for"), "only a pool that works digital "
                         "contacts can drop them for calls; this pool has no digital skill")
            for c in pool["interruptible_for"]:
                if isinstance(channels.get(c), dict) and channels[c]["kind"] != "voice":
                    ck.error((*path, "interruptible_for"), f"{c!r} is not a voice channel")
                elif c in pool["skills"]:
                    ck.error((*path, "interruptible_for"), f"{c!r} is already in skills")
    if not pools or any(not isinstance(p, dict) or not _ok(p["skills"], p["interruptible_for"])
                        for p in pools.values()):
        return
    for name in channels:
        if not any(name in p["skills"] or name in p["interruptible_for"]
                   for p in pools.values()):
            ck.error(("channels", name), f'no pool answers this channel; add "{name}" to the '
                     "skills of a pool")


#: Most people a pool may have rostered at once (the sum of its scaled shift lines).
MAX_ON_DUTY = 100_000


def _check_roster(pool: dict[str, Any], path: Path, ck: Checker) -> None:
    """Someone works at some time; not absurdly many at once; breaks fit inside every shift."""
    heads = [int(s["staff"] * pool["scale"] + 0.5) for s in pool["roster"]]
    scaled = " after scale" if pool["scale"] != 1 else ""
    if not any(heads):
        ck.error((*path, "roster"), "has no staff at any time of the week" + scaled)
    elif sum(heads) > MAX_ON_DUTY:
        ck.error((*path, "roster"), f"rosters {sum(heads):,} people{scaled}; at most "
                 f"{MAX_ON_DUTY:,} may be on duty at once")
    staffed = [s for s, n in zip(pool["roster"], heads, strict=True) if n > 0]
    if _ok(pool["breaks_min"]) and pool["breaks_min"] > 0 and staffed:
        shortest = min(_length_min(s) for s in staffed)
        if pool["breaks_min"] >= shortest:
            ck.error((*path, "breaks_min"), f"{pool['breaks_min']:g} minutes of breaks do not "
                     f"fit in the shortest shift ({shortest} minutes)")


def _length_min(shift: dict[str, Any]) -> int:
    start, end = shift["start"], shift["end"]
    return end - start if end > start else end + MIN_PER_DAY - start


def _check_diversions(doc: dict[str, Any], ck: Checker) -> None:
    channels, categories = _table(doc, "channels"), _table(doc, "categories")
    partners = _table(doc, "partners")
    for name, div in _table(doc, "diversions").items():
        path: Path = ("diversions", name)
        if not isinstance(div, dict):
            continue
        if categories:
            _names_exist(div["categories"], categories, "category", (*path, "categories"), ck)
        if channels and div["channels"] is not None:
            _names_exist(div["channels"], channels, "channel", (*path, "channels"), ck)
        if isinstance(div["partner"], str) and doc.get("partners") is not INVALID:
            _names_exist([div["partner"]], partners, "partner", (*path, "partner"), ck)
        if div["at"] == "pre_queue" and div["triage_s"] is not None:
            ck.error((*path, "triage_s"), 'a "pre_queue" diversion has no triage; remove '
                     'triage_s or use at = "triage"')


def _check_surges(doc: dict[str, Any], ck: Checker) -> None:
    channels, categories = _table(doc, "channels"), _table(doc, "categories")
    run = doc.get("run") if isinstance(doc.get("run"), dict) else {}
    days = run.get("days") if isinstance(run, dict) else None
    surges = doc.get("surges")
    for i, surge in enumerate(surges if isinstance(surges, list) else ()):
        path: Path = ("surges", i)
        if not isinstance(surge, dict):
            continue
        if isinstance(surge["channel"], str) and channels:
            _names_exist([surge["channel"]], channels, "channel", (*path, "channel"), ck)
        if isinstance(surge["mix"], dict) and categories:
            for cat in surge["mix"]:
                _names_exist([cat], categories, "category", (*path, "mix", cat), ck)
        if isinstance(days, float) and isinstance(surge["day"], int):
            _check_surge_time(surge, days, path, ck)


def _check_surge_time(surge: dict[str, Any], days: float, path: Path, ck: Checker) -> None:
    if surge["day"] >= days:
        ck.error((*path, "day"), f"day {surge['day']} is after the run's {days:g} measured "
                 "days (day 0 is the first measured day)")
    elif isinstance(surge["start"], int) and surge["day"] + surge["start"] / MIN_PER_DAY >= days:
        ck.error((*path, "start"), f"day {surge['day']} at {surge['start'] // 60:02d}:"
                 f"{surge['start'] % 60:02d} is after the end of the run's {days:g} measured "
                 "days")


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
    partners = {
        name: PartnerSpec(
            name=name, staff=p["staff"], answer_s=p["answer_s"], handle_s=p["handle_s"],
            hours=None if p["hours"] is None else tuple(
                WindowSpec(w["days"], w["start"], w["end"]) for w in p["hours"]),
        )
        for name, p in (doc["partners"] or {}).items()
    }
    surges = tuple(
        SurgeSpec(channel=s["channel"], day=s["day"], start_min=s["start"],
                  minutes=s["minutes"], calls=s["calls"],
                  mix=None if s["mix"] is None else tuple(s["mix"].items()))
        for s in doc["surges"]
    )
    diversions = {
        name: DiversionSpec(
            name=name, categories=tuple(d["categories"]),
            channels=tuple(d["channels"] or channels), share=d["share"], at=d["at"],
            partner=d["partner"], triage_s=d["triage_s"] or Distribution.constant(0.0),
        )
        for name, d in (doc["diversions"] or {}).items()
    }
    return Scenario(
        name=doc["name"], description=doc["description"],
        run=RunSpec(days=run["days"], warmup_days=run["warmup_days"],
                    replications=run["replications"], seed=run["seed"],
                    start_day=WEEKDAYS.index(run["start_day"])),
        channels=channels, categories=categories, pools=pools, partners=partners,
        surges=surges, diversions=diversions, file=file, document=document,
    )
