"""A staff folder's staffing.json as typed objects, read once.

staffing.json (written by :mod:`contactsim.results.staff`) is a nest of objects: the question,
how the screening ended, the rosters verified with their figures and the hour bands each leaves
below the target, and the planner units. :func:`staff_result` turns it, once
:func:`~contactsim.results.read.read_staffing` has checked its few required keys, into the
frozen objects below, so the report, the plot and the words read attributes instead of walking
strings through dicts. A value a folder lacks (one written by an older version, or edited) reads
as NaN, an empty text or an empty list, as an empty cell in a table does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contactsim.analysis.stats import Estimate
from contactsim.results.read import Table, read_staffing
from contactsim.results.summary import estimate_from
from contactsim.timebase import HOURS_PER_WEEK


def _num(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class BandResult:
    """Consecutive hours of the week a roster leaves below the target."""

    first_hour: int
    hours: int
    service_level: float
    calls_a_week: float
    clearly: bool


@dataclass(frozen=True)
class RosterResult:
    """A roster verified by simulation, as saved."""

    label: str
    kind: str
    staff_hours: float
    lines: int
    start_times: tuple[str, ...]
    service_level: Estimate
    meets: bool
    short_hours: int
    bands: tuple[BandResult, ...]
    roster: tuple[dict[str, Any], ...]  # the lines as they go into suggested.toml
    suggested: bool = False
    on_duty: tuple[float, ...] | None = None  # people rostered each hour (the suggestion's)


@dataclass(frozen=True)
class SearchResult:
    rounds: int
    limit: int
    stopped_early: bool
    hours_up: int


@dataclass(frozen=True)
class StaffResult:
    """What ``contactsim staff`` found, as saved in staffing.json."""

    scenario_name: str
    scenario_file: str
    channel: str
    pool: str
    target: float
    answer_target_s: float
    seed: str
    replications: str
    screen_replications: str
    days: str
    staff_hours: dict[str, float]  # required, erlang_a, rostered, suggested
    fte: dict[str, float]  # the same, as full-time posts
    contracted_hours: float
    leave: float
    shrinkage: float
    availability: float
    patterns: tuple[str, ...]  # "07:00 for 10 h", the shifts allowed
    suggested_sl: Estimate
    suggested: RosterResult | None
    candidates: tuple[RosterResult, ...]
    search: SearchResult | None
    notes: tuple[str, ...]


def _band(node: object) -> BandResult | None:
    b = _obj(node)
    first, hours = _num(b.get("first_hour")), _num(b.get("hours"))
    if not (math.isfinite(first) and math.isfinite(hours)):
        return None
    return BandResult(int(first), int(hours), _num(b.get("service_level")),
                      _num(b.get("calls_a_week")), bool(b.get("clearly")))


def _on_duty(value: object) -> tuple[float, ...] | None:
    hours = [_num(v) for v in _list(value)]
    if len(hours) != HOURS_PER_WEEK or not all(math.isfinite(h) for h in hours):
        return None
    return tuple(hours)


def _roster(node: object) -> RosterResult | None:
    c = _obj(node)
    if not c:
        return None
    lines, below = _num(c.get("lines")), _num(c.get("hours_clearly_below_target"))
    return RosterResult(
        str(c.get("label", "")), str(c.get("kind", "")), _num(c.get("staff_hours")),
        int(lines) if math.isfinite(lines) else 0,
        tuple(str(t) for t in _list(c.get("start_times"))),
        estimate_from(c.get("service_level"), 0), bool(c.get("meets")),
        int(below) if math.isfinite(below) else 0,
        tuple(b for b in map(_band, _list(c.get("short_bands"))) if b is not None),
        tuple(line for line in _list(c.get("roster")) if isinstance(line, dict)),
        bool(c.get("suggested")), _on_duty(c.get("on_duty")))


def _search(node: object) -> SearchResult | None:
    s = _obj(node)
    if not s:
        return None
    rounds, limit = _num(s.get("rounds")), _num(s.get("limit"))
    up = _num(_obj(s.get("last_round")).get("hours_up"))
    return SearchResult(int(rounds) if math.isfinite(rounds) else 0,
                        int(limit) if math.isfinite(limit) else 0, bool(s.get("stopped_early")),
                        int(up) if math.isfinite(up) else 0)


def staff_result(facts: dict[str, Any]) -> StaffResult:
    """staffing.json's facts (checked by read_staffing) as a StaffResult."""
    scenario, work = _obj(facts.get("scenario")), _obj(facts.get("workforce"))
    patterns = tuple(f"{_obj(p).get('start', '?')} for {_obj(p).get('hours', '?')} h"
                     for p in _list(facts.get("shift_patterns")))
    return StaffResult(
        str(scenario.get("name", "")), str(scenario.get("file", "")), str(facts["channel"]),
        str(facts["pool"]), float(facts["target"]), float(facts["answer_target_s"]),
        str(facts.get("seed", "")), str(facts.get("replications", "")),
        str(facts.get("screen_replications", "")), str(facts.get("days", "")),
        {k: _num(v) for k, v in _obj(facts.get("staff_hours")).items()},
        {k: _num(v) for k, v in _obj(work.get("fte")).items()},
        _num(work.get("contracted_hours")), _num(work.get("leave")),
        _num(work.get("shrinkage")), _num(facts.get("availability")), patterns,
        estimate_from(facts.get("suggested_service_level"), 0), _roster(facts.get("suggested")),
        tuple(c for c in map(_roster, _list(facts.get("candidates"))) if c is not None),
        _search(facts.get("search")), tuple(str(n) for n in _list(facts.get("notes"))))


def read_staff(folder: Path) -> tuple[Table, StaffResult]:
    """A staff folder's staffing.csv (checked) and staffing.json as a StaffResult."""
    table, facts = read_staffing(folder)
    return table, staff_result(facts)
