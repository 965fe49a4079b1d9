"""Rules that span tables: every name a scenario refers to is defined, and the whole adds up.

Each table of a scenario is checked on its own first (:mod:`contactsim.config.schema`). Some
mistakes only show across tables: a channel's ``mix`` names a category nobody defined, a pool
answers a channel that does not exist, a 999 call has no pool to answer it, a surge falls after
the run ends, or the whole run would simulate more contacts than memory holds. These rules read
the checked document, skip whatever already failed its own check (so one typo is reported once),
and report each problem against the key the planner should change.
"""

from __future__ import annotations

import datetime
from typing import Any

from contactsim.config.dispatch import check_dispatch
from contactsim.config.kinds import INVALID, Checker, Path, plural, suggestion
from contactsim.config.schema import CHANNEL, MAX_CONTACTS, MAX_ON_DUTY, SURGE
from contactsim.config.spec import round_to_total
from contactsim.config.tables import Shares, Table
from contactsim.config.workforce import check_workforce_dates
from contactsim.problems import not_a_file
from contactsim.timebase import MIN_PER_DAY, WEEKDAYS


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


def _shares_kind(table: Table, key: str) -> Shares:
    kind = next(f.kind for f in table.fields if f.name == key)
    assert isinstance(kind, Shares)
    return kind


CHANNEL_MIX, SURGE_MIX = _shares_kind(CHANNEL, "mix"), _shares_kind(SURGE, "mix")


def _check_shares(kind: Shares, shares: Any, doc: dict[str, Any], path: Path,
                  ck: Checker) -> None:
    """Every name in a share table is defined, and then (only then) the shares add up to 1.

    A typo'd name is reported as the typo, with a suggestion; its share would also put the total
    off, but the planner should read what to fix, not a sum. Where the names cannot be checked
    (their tables failed their own checks), the total still is.
    """
    if not isinstance(shares, dict) or not _ok(shares):
        return
    defined = _table(doc, kind.names)
    unknown = [name for name in shares if defined and name not in defined]
    for name in unknown:
        _names_exist([name], defined, kind.what, (*path, name), ck)
    if not unknown:
        kind.check_total(shares, path, ck)


def cross_check(doc: dict[str, Any], ck: Checker) -> None:
    """Rules that span tables: every name referenced is defined, every channel is answered."""
    _check_channels(doc, ck)
    _check_pools(doc, ck)
    _check_diversions(doc, ck)
    _check_surges(doc, ck)
    _check_volume(doc, ck)
    _check_calendar(doc, ck)
    check_workforce_dates(doc, ck)
    check_dispatch(doc, ck)


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
        else:
            _check_shares(CHANNEL_MIX, ch["mix"], doc, (*path, "mix"), ck)
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
        _check_demand_shape(channels, name, ch, path, ck)


def _check_demand_shape(channels: dict[str, Any], name: str, ch: dict[str, Any], path: Path,
                        ck: Checker) -> None:
    """hour_of_week replaces weekly and hourly; closed needs open and names another channel.

    A file that extends one with weekly and hourly may add hour_of_week (it wins, as a file's
    keys win over its parent's); both in one file, or weekly or hourly written later than
    hour_of_week (in the child, or with --set), are refused: one of them would be ignored.
    """
    if ch["hour_of_week"] not in (None, INVALID):
        def rank(file: str) -> int:  # the command line, the scenario itself, a parent
            return 2 if not_a_file(file) else 1 if file == ck.root_file else 0

        profile = ck.file_of((*path, "hour_of_week"))
        for key in ("weekly", "hourly"):
            written = ck.file_of((*path, key))
            if ch[key] is not None and (written == profile
                                        or rank(written) > rank(profile)
                                        or rank(written) == rank(profile) > 0):
                ck.error((*path, key), "hour_of_week already shapes every hour of the week; "
                         f"remove {key} (or hour_of_week)")
    rule = ch["closed"]
    if rule in ("lost", INVALID):  # "lost" unchecked: the default
        return
    if ch["open"] is None:
        ck.error((*path, "closed"), "says what happens outside opening hours, but the channel "
                 "has no open hours (always open); add open = [...] or remove closed")
    if rule.to == name:
        ck.error((*path, "closed", "to"), "names this channel itself; name another channel, "
                 'or write closed = "lost"')
    elif rule.to is not None and rule.to not in channels:
        _names_exist([rule.to], channels, "channel", (*path, "closed", "to"), ck)


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
        if pool["roster"] is not None and _ok(pool["roster"], pool["scale"]):
            _check_roster(pool, path, ck)
        if _ok(pool["skills"], pool["interruptible_for"]) and pool["interruptible_for"]:
            _check_interruptible(pool, channels, path, ck)
    if not pools or any(not isinstance(p, dict) or not _ok(p["skills"], p["interruptible_for"])
                        for p in pools.values()):
        return
    for name in channels:
        if not any(name in p["skills"] or name in p["interruptible_for"]
                   for p in pools.values()):
            ck.error(("channels", name), f'no pool answers this channel; add "{name}" to the '
                     "skills of a pool")


def _check_interruptible(pool: dict[str, Any], channels: dict[str, Any], path: Path,
                         ck: Checker) -> None:
    """``interruptible_for`` lists voice channels a digital pool drops its work for; each
    message says what to change, naming the channels that would do."""
    key = (*path, "interruptible_for")

    def of_kind(kind: str) -> str:
        names = [n for n, c in channels.items() if isinstance(c, dict) and c["kind"] == kind]
        return ", ".join(repr(n) for n in names) or "none defined"

    kinds = {channels[c]["kind"] for c in pool["skills"] if isinstance(channels.get(c), dict)}
    if "digital" not in kinds:
        ck.error(key, "only a pool that works digital contacts can drop them for calls; this "
                 "pool has no digital skill: remove interruptible_for from it, or add a "
                 f"digital channel to its skills (digital channels: {of_kind('digital')})")
    for c in pool["interruptible_for"]:
        if isinstance(channels.get(c), dict) and channels[c]["kind"] != "voice":
            ck.error(key, f"{c!r} is not a voice channel: list only voice channels here "
                     f"(voice channels: {of_kind('voice')}); to have this pool answer {c!r}, "
                     "add it to skills instead")
        elif c in pool["skills"]:
            ck.error(key, f"{c!r} is already in skills: keep it in one of the two (in "
                     f"skills the pool answers {c!r} like its other work; in "
                     "interruptible_for it takes those calls after the pools with the skill, "
                     "dropping digital work for them)")


def _check_roster(pool: dict[str, Any], path: Path, ck: Checker) -> None:
    """Someone works at some time; not absurdly many at once; breaks fit inside every shift."""
    heads = round_to_total([s["staff"] * pool["scale"] for s in pool["roster"]],
                           [_length_min(s) * len(s["days"]) for s in pool["roster"]])
    scaled = " after scale" if pool["scale"] != 1 else ""
    if not any(heads):
        ck.error((*path, "roster"), "has no staff at any time of the week" + scaled)
    elif sum(heads) > MAX_ON_DUTY and pool.get("staff_by_hour") is None:
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
    channels = _table(doc, "channels")
    run = doc.get("run") if isinstance(doc.get("run"), dict) else {}
    days = run.get("days") if isinstance(run, dict) else None
    surges = doc.get("surges")
    for i, surge in enumerate(surges if isinstance(surges, list) else ()):
        path: Path = ("surges", i)
        if not isinstance(surge, dict):
            continue
        if isinstance(surge["channel"], str) and channels:
            _names_exist([surge["channel"]], channels, "channel", (*path, "channel"), ck)
        _check_shares(SURGE_MIX, surge["mix"], doc, (*path, "mix"), ck)
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


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _check_calendar(doc: dict[str, Any], ck: Checker) -> None:
    """A calendar needs a start date; the start date and start_day agree; whole warm-up days."""
    run = doc.get("run")
    if not isinstance(run, dict):
        return
    start = run.get("start_date")
    channels = _table(doc, "channels")
    if start is None:
        if doc.get("calendar") not in (None, INVALID):
            ck.error(("calendar",), 'a calendar needs run.start_date (the first measured day, '
                     '"YYYY-MM-DD")')
        for name, ch in channels.items():
            if isinstance(ch, dict) and ch.get("monthly") not in (None, INVALID):
                ck.error(("channels", name, "monthly"), "monthly weights need run.start_date "
                         "(the calendar is off without it)")
        return
    if not isinstance(start, datetime.date):
        return
    day = run.get("start_day")
    if isinstance(day, str) and WEEKDAYS.index(day) != start.weekday():
        own = WEEKDAYS[start.weekday()]
        ck.error(("run", "start_day"), f"{day!r} disagrees with run.start_date {start}, a "
                 f"{WEEKDAY_NAMES[start.weekday()]}; leave start_day out or make it "
                 f"{own!r}".replace("'", '"'))
    warmup = run.get("warmup_days")
    if _ok(warmup) and isinstance(warmup, float) and not warmup.is_integer():
        ck.error(("run", "warmup_days"), f"must be a whole number of days with "
                 f"run.start_date, got {warmup:g}")
    calendar = doc.get("calendar")
    days = calendar.get("days") if isinstance(calendar, dict) else None
    for i, special in enumerate(days if isinstance(days, list | tuple) else ()):
        if isinstance(special, dict) and channels and special.get("channels") is not None:
            _names_exist(special.get("channels"), channels, "channel",
                         ("calendar", "days", i, "channels"), ck)
