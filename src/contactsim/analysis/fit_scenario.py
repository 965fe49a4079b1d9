"""The fitted scenario: what ``contactsim fit`` estimated, as a scenario file's tables.

With a base scenario (``--base``) the fitted file ``extends`` it and sets only what the log
estimates: per channel ``per_day``, ``hourly``, ``weekly`` (``monthly`` and the run's
``start_date`` where the log spans months), the ``mix``, ``connect_s``, ``patience`` and the
redial share and delay; per category ``handle`` and ``wrap_up``. Pools, rosters, partners,
diversions, callbacks, targets and priorities stay the base's.

Without a base the file must stand on its own, so it also gets what a log cannot say, each a
plain documented default a planner should replace:

- answer targets and priorities: channel ``999`` 10 s and priority 1, other voice channels
  60 s and priority 2, digital channels 3600 s and priority 5;
- one pool, ``handlers``, answering every channel, whose ``staff_by_hour`` is the log's
  staff by hour of the week times one factor calibrated by simulation
  (:mod:`contactsim.analysis.fit_staff`), with the pool's ``absence`` where the log's days
  show the staff vary; only where the log cannot show them (no talk times),
  a 24/7 team sized by Erlang C: the fewest handlers that answer 90% of the busiest hour's
  contacts (all channels together, at their mean handle and wrap-up time) within the shortest
  voice answer target;
- a run of :data:`DEFAULT_DAYS` days after one warm-up day, 10 replications, seed 1.

An estimate that could not be made (too few values) falls back: to the base's value where the
base has one; else a handle time to an exponential with the log's mean talk time over all
categories (or :data:`DEFAULT_HANDLE_S`), a patience to none (callers never hang up). Each
fallback is a warning in fit.json and the report.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from contactsim.analysis.erlang import ErlangInputError, agents_needed
from contactsim.analysis.fit import ChannelFit, Duration, LogFit
from contactsim.analysis.fit_shape import windows
from contactsim.analysis.fit_staff import SIM_CONTACTS, StaffEstimate, calibrate, scenario_of
from contactsim.config.schema import MAX_ON_DUTY
from contactsim.config.spec import Scenario
from contactsim.standard import TARGET_SL
from contactsim.timebase import WEEKDAYS

DEFAULT_DAYS = 28
DEFAULT_HANDLE_S = 300.0
DEFAULT_POOL = "handlers"


@dataclass(frozen=True)
class Defaults:
    """What a scenario without a base was given that the log could not say."""

    pool_staff: int
    busiest_per_hour: float
    handle_s: float
    target_s: float
    #: The pool's staff by hour of the week, estimated from the log and calibrated (None: the
    #: log could not say, and the pool is the Erlang C team).
    staff: StaffEstimate | None = None


def _weights(values: Any, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]


def _shares(mix: dict[str, float]) -> dict[str, float]:
    """Shares rounded to 6 places that add up to 1 (the rounding goes to the largest)."""
    total = sum(mix.values())
    out = {k: round(v / total, 6) for k, v in mix.items() if v > 0}
    largest = max(out, key=lambda k: out[k])
    out[largest] = round(out[largest] + 1 - sum(out.values()), 6)
    return out


def _target(name: str, kind: str) -> tuple[float, int]:
    if name == "999":
        return 10.0, 1
    return (60.0, 2) if kind == "voice" else (3600.0, 5)


def fitted_document(fit: LogFit, *, name: str, base_ref: str | None
                    ) -> tuple[dict[str, Any], list[str], Defaults | None]:
    """The fitted scenario's tables (extending ``base_ref`` when given), the fallbacks taken
    (warnings), and the defaults given when there is no base."""
    base = fit.base
    notes: list[str] = []
    doc: dict[str, Any] = {}
    if base_ref is not None:
        doc["extends"] = base_ref
    doc["name"] = name
    doc["description"] = (f"Fitted by contactsim fit from {', '.join(fit.log.files)} "
                          f"({fit.window.first} to {fit.window.last}).")
    channels: dict[str, Any] = {}
    for ch in fit.channels.values():
        if ch.demand.contacts == 0:
            notes.append(f"channel {ch.name}: no contacts on the log's whole days; left out"
                         + (" (kept as the base has it)" if base and ch.name in base.channels
                            else ""))
            continue
        channels[ch.name] = _channel(fit, ch, notes)
    doc["channels"] = channels
    used = {k for table in channels.values() for k in table.get("mix", {})}
    doc["categories"] = {k: _category(fit, k, notes) for k in fit.categories if k in used}
    if base is not None:
        for missing in base.channels:
            if missing not in fit.channels:
                notes.append(f"channel {missing} of the base is not in the log; kept as the "
                             "base has it")
    shared = fit.day_cv.written().get("") if fit.day_cv is not None else None
    if shared is not None:
        doc["demand"] = {"day_cv": shared}
    if any(ch.demand.monthly for ch in fit.channels.values()):
        first = fit.window.first
        doc["run"] = {"start_date": first, "start_day": WEEKDAYS[first.weekday()]}
    defaults = None
    if base is None:
        notes += _emergency(channels)
        defaults = _defaults(fit, doc)
        if defaults.pool_staff >= MAX_ON_DUTY:
            notes.append(f"the log's busiest hour ({defaults.busiest_per_hour:,.0f} contacts) "
                         f"at its mean handle time ({defaults.handle_s:,.0f} s) needs more than "
                         f"{MAX_ON_DUTY:,} people on duty, the most a scenario holds: are its "
                         f"talk times far too long? The pool is written as {MAX_ON_DUTY:,}")
        run = doc.setdefault("run", {})
        run.update({"days": DEFAULT_DAYS, "warmup_days": 1, "replications": 10, "seed": 1})
        doc["pools"] = {DEFAULT_POOL: {"skills": list(channels), "roster": [
            {"days": "mon-sun", "start": "00:00", "end": "24:00",
             "staff": defaults.pool_staff}]}}
        staff = _staff_by_hour(fit, doc, notes)
        if staff is not None:
            doc["pools"] = {DEFAULT_POOL: _pool(list(channels), staff.staff(), staff.absence)}
            defaults = replace(defaults, staff=staff)
    return doc, notes, defaults


def _staff_by_hour(fit: LogFit, doc: dict[str, Any], notes: list[str]) -> StaffEstimate | None:
    """The log's staff by hour of the week, its factor calibrated by simulating ``doc``
    (short runs: :func:`calibration_run`); None where the log cannot say."""
    est = fit.staff
    if est is None or not any(x.estimate > 0 for x in est.shape):
        notes.append("the log cannot show the staff on duty (no talk_s, or no answered "
                     "contact): the pool is a 24/7 team sized by Erlang C")
        return None
    voice = [fit.log.channels.index(n) for n, t in doc["channels"].items()
             if t["kind"] == "voice"]

    absence = est.absence

    def build(staff: list[float]) -> Scenario:
        trial = copy.deepcopy(doc)
        trial["pools"] = {DEFAULT_POOL: _pool(list(doc["channels"]), staff, absence)}
        trial["run"].update(calibration_run(fit, doc))
        return scenario_of(trial, files)

    # data files the fitted file names (the log's own values, where fit writes them)
    files = {e.file: e.data for d in fit.durations()
             if (e := getattr(d, "empirical", None)) is not None}

    run = calibration_run(fit, doc)
    first = run.get("start_date", fit.window.first)
    start = first.weekday() * 24
    covered = np.zeros(168, dtype=bool)
    covered[(start + np.arange(min(run["days"], 7) * 24)) % 168] = True
    est = calibrate(est, fit.log, fit.window.compared, voice, build, covered)
    if est.capped():
        notes.append(f"the log's staff by hour reaches more than {MAX_ON_DUTY:,} people on "
                     "duty at once (contacts in service together: a burst with one time, or "
                     f"talk times far too long?); written as at most {MAX_ON_DUTY:,}")
    if est.factor is None:
        notes.append("the staff by hour could not be calibrated (no measure in the log's "
                     "staffed hours); the estimate is written as it is")
    return est


def _pool(skills: list[str], staff: list[float], absence: float) -> dict[str, Any]:
    """The fitted pool's table: staff_by_hour, and the log's absence where it shows one."""
    out: dict[str, Any] = {"skills": skills, "staff_by_hour": staff}
    if absence >= 0.001:
        out["absence"] = absence
    return out


def calibration_run(fit: LogFit, doc: dict[str, Any]) -> dict[str, Any]:
    """The short run the factor is calibrated on: as many of the log's days as hold
    SIM_CONTACTS contacts (one at least), one warm-up day, one replication, seed 1, from the
    log's first whole day."""
    per_day = sum(t["per_day"] for t in doc["channels"].values())
    days = min(len(fit.window.compared), int(SIM_CONTACTS // max(per_day, 1.0)))
    first = fit.window.first
    run: dict[str, Any] = {"days": max(days, 1), "warmup_days": 1, "replications": 1,
                           "seed": 1, "start_day": WEEKDAYS[first.weekday()]}
    if "start_date" in doc.get("run", {}):
        run["start_date"] = first
    return run
#: Channel names that read as an emergency line though not named ``999``.
_EMERGENCY_WORDS = ("emergency", "112", "911", "000")


def _emergency(channels: dict[str, Any]) -> list[str]:
    """Without a base, the emergency line's 10 s target goes to the channel named ``999``
    alone; a fit with none says so, naming any channel that looks like one (issue 20.4)."""
    if "999" in channels:
        return []
    voice = [n for n, t in channels.items() if t.get("kind") == "voice"]
    like = [n for n in channels if any(w in n.lower() for w in _EMERGENCY_WORDS)]
    return [(
        "no channel in the log is named 999, the emergency line: every voice channel ("
        + (", ".join(voice) or "none") + ") was given a 60 s answer target and priority 2"
        + (f"; {', '.join(like)} looks like an emergency line: name it 999 (a value map in "
           "--columns: EMERGENCY to 999) or set its target and priority in a --base"
           if like else "; if one of them is the emergency line, name it 999 (a value map in "
           "--columns) or give its target and priority in a --base"))]


def _channel(fit: LogFit, ch: ChannelFit, notes: list[str]) -> dict[str, Any]:
    base = fit.base
    known = base is not None and ch.name in base.channels
    d = ch.demand
    out: dict[str, Any] = {}
    if not known:
        target, priority = _target(ch.name, ch.kind)
        out.update({"kind": ch.kind, "priority": priority, "answer_target_s": target})
    out["per_day"] = round(d.per_day.estimate, 3)
    weights = _hour_of_week(fit, ch)
    if weights is not None:
        out["hour_of_week"] = _weights(weights)
    else:
        out["hourly"] = _weights(x.estimate for x in d.hourly)
        if d.weekly is not None:
            out["weekly"] = _weights(x.estimate for x in d.weekly)
    if d.monthly is not None:
        out["monthly"] = _weights(d.monthly[m].estimate for m in range(1, 13))
    out["mix"] = _shares({k: v.estimate for k, v in ch.mix.items()})
    if ch.profile.closed.any():
        out["open"] = windows(ch.profile.closed)
    cv = fit.day_cv.written().get(ch.name) if fit.day_cv is not None else None
    if cv is not None:
        out["day_cv"] = cv
    if ch.connect is not None and ch.connect.table is not None:
        out["connect_s"] = ch.connect.table
    if ch.patience is not None:
        if ch.patience.table is not None:
            out["patience"] = ch.patience.table
        else:
            notes.append(f"patience on channel {ch.name} could not be fitted; "
                         + ("the base's is kept" if known else "callers never hang up"))
    on_abandon = _redial(fit, ch, notes)
    if on_abandon:
        out["on_abandon"] = on_abandon
    return out


def _hour_of_week(fit: LogFit, ch: ChannelFit) -> np.ndarray | None:
    """The 168 weights to write, or None for weekly and hourly: written where the log
    rejects separability (over a base's weekly and hourly it wins), and always where the base
    shapes the channel by hour_of_week (weekly and hourly may not be written over it)."""
    p = ch.profile
    base_doc = ({} if fit.base is None else
                fit.base.document.get("channels", {}).get(ch.name, {}))
    if "hour_of_week" in base_doc:
        return p.every_hour
    return p.weights


def _redial(fit: LogFit, ch: ChannelFit, notes: list[str]) -> dict[str, Any]:
    r = ch.redials
    if r is None or not r.abandoned:
        return {}
    p = r.probability.estimate
    out: dict[str, Any] = {}
    delay = fit.delays.get(ch.name)
    if r.redialled and (delay is None or delay.table is None):
        notes.append(f"redial delay on channel {ch.name} could not be fitted; the redial "
                     "share is not set")
        return {}
    base = fit.base
    others = 0.0
    if base is not None and ch.name in base.channels:
        oa = base.channels[ch.name].on_abandon
        others = 0.0 if oa is None else oa.to_999 + oa.to_online
    if p + others > 1:
        notes.append(f"channel {ch.name}: the redial share {p:.3f} and the base's to_999 and "
                     f"to_online ({others:.3f}) add up to more than 1; the redial share is "
                     f"cut to {1 - others:.3f}")
        p = 1 - others
    out["redial"] = round(p, 4)
    if r.redialled and delay is not None:
        out["redial_delay"] = delay.table
    return out


def _category(fit: LogFit, name: str, notes: list[str]) -> dict[str, Any]:
    base = fit.base
    known = base is not None and name in base.categories
    fits = fit.categories[name]
    out: dict[str, Any] = {}
    handle = fits["handle"].table
    if handle is not None and not (isinstance(handle, float) and handle <= 0):
        out["handle"] = handle
    elif not known:
        mean = _overall_handle(fit)
        out["handle"] = {"dist": "exponential", "mean": round(mean, 1)}
        notes.append(f"handle time of {name} could not be fitted; an exponential with mean "
                     f"{mean:.0f} s is written instead")
    else:
        notes.append(f"handle time of {name} could not be fitted; the base's is kept")
    wrap = fits["wrap_up"].table
    if wrap is not None:
        out["wrap_up"] = wrap
    return out


def _overall_handle(fit: LogFit) -> float:
    """The mean talk time over every category fitted (weighted by values), else the default."""
    pairs = [(d.n, m.estimate) for cat in fit.categories.values()
             if (m := (d := cat["handle"]).mean) is not None and m.estimate > 0]
    n = sum(k for k, _ in pairs)
    return sum(k * m for k, m in pairs) / n if n else DEFAULT_HANDLE_S


def _mean_of(table: Any, fitted: Duration | None = None) -> float:
    """A scenario table's mean; an empirical one's is the fitted duration's (the log's)."""
    if table is None:
        return 0.0
    if isinstance(table, dict):
        if "mean" in table:
            return float(table["mean"])
        mean = None if fitted is None else fitted.mean
        return 0.0 if mean is None else mean.estimate
    return float(table)


def _defaults(fit: LogFit, doc: dict[str, Any]) -> Defaults:
    """The one 24/7 pool sized by Erlang C at the busiest hour of the week."""
    channels = doc["channels"]
    cats = doc["categories"]
    per_hour = np.zeros(168)
    work = 0.0
    for name, table in channels.items():
        demand = fit.channels[name].demand.fitted
        per_hour += np.nan_to_num(demand)
        handle = sum(share * (_mean_of(cats[k].get("handle"), fit.categories[k]["handle"])
                              + _mean_of(cats[k].get("wrap_up"), fit.categories[k]["wrap_up"]))
                     for k, share in table["mix"].items())
        work += table["per_day"] * handle
    total = sum(t["per_day"] for t in channels.values())
    handle_s = work / total if total else DEFAULT_HANDLE_S
    voice = [t["answer_target_s"] for t in channels.values() if t["kind"] == "voice"]
    target = min(voice) if voice else min(t["answer_target_s"] for t in channels.values())
    busiest = float(per_hour.max())
    try:
        staff = agents_needed(max(busiest, 1e-6), max(handle_s, 1e-3), target, TARGET_SL,
                              max_agents=MAX_ON_DUTY) if busiest > 0 else 1
    except ErlangInputError:  # an offered load beyond MAX_ON_DUTY agents: said by a note
        staff = MAX_ON_DUTY
    return Defaults(max(int(staff), 1), busiest, handle_s, target)

