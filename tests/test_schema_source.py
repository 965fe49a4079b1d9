"""One source for the schema: every key a planner may write reaches the built Scenario.

Each key is declared once, in a table of ``contactsim.config.schema``, and the typed dataclasses
of ``contactsim.config.spec`` are built by walking those tables. Two things would let a key be
checked and then silently ignored, and each has a test here:

- **Structure.** Every key of every table lands in a field of the dataclass its table names, or
  is listed below as built by nothing (read while loading, or only through a derivation); every
  dataclass field is fed by exactly one key or one declared derivation; and a nested table lands
  in a field whose type is its dataclass.
- **Behaviour.** For every key, a scenario file that sets it to another legal value builds a
  Scenario that differs from the unchanged one exactly in the expected attribute, and nowhere
  else. A key added to the schema without a case here fails the completeness test.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from contactsim.config.build import NAME_FROM_KEY, Derived, unbound
from contactsim.config.kinds import Kind, ListOf, Number, Text
from contactsim.config.loading import load_scenario
from contactsim.config.schema import SCENARIO
from contactsim.config.spec import Scenario
from contactsim.config.tables import Field, Named, Table, TableList

# --- structure -----------------------------------------------------------------------------


def tables(kind: Kind, key: str = "") -> Iterator[tuple[str, Table]]:
    """Every table in the schema, with its key (``channels.*``, ``pools.*.roster[]``)."""
    if isinstance(kind, Table):
        yield key, kind
        for f in kind.fields:
            yield from tables(f.kind, f"{key}.{f.name}" if key else f.name)
    elif isinstance(kind, Named):
        yield from tables(kind.item, f"{key}.*")
    elif isinstance(kind, TableList):
        yield from tables(kind.item, f"{key}[]")
    elif isinstance(kind, ListOf):
        yield from tables(kind.item, key)


def schema_keys(kind: Kind = SCENARIO) -> set[str]:
    return {f"{key}.{f.name}" if key else f.name for key, table in tables(kind)
            for f in table.fields}


#: Keys that build no dataclass field themselves, each for a stated reason.
NOT_BUILT = {
    "extends": "loading merges the parent file in; the key itself is gone by then",
    "source": "names the scenario's file: Scenario.file is derived from it",
    "diversions.*.channels": "resolved against the scenario: DiversionSpec.channels is derived",
    "run.start_day": "with start_date, RunSpec.start_day is time 0's weekday: it is derived",
    "calendar.days[].date": "lands as SpecialDay.month, .day and .year, each derived from it",
}

#: Dataclass fields no key sets directly, by the table that derives them.
DERIVED = {
    "": {"file", "document"},
    "channels.*": {"name"},
    "categories.*": {"name"},
    "pools.*": {"name"},
    "partners.*": {"name"},
    "officers.*": {"name"},
    "diversions.*": {"name", "channels"},
    "run": {"start_day"},
    "calendar": {"start_date", "warmup_days"},
    "calendar.days[]": {"month", "day", "year"},
}


def test_every_table_names_the_dataclass_it_builds() -> None:
    found = list(tables(SCENARIO))
    # scenario, run, channel, on_abandon, category, pool, shift, ...; officers (DESIGN §12):
    # category grade, officers, their roster's shift, dispatch, its targets and chase; a pool's
    # workforce and its intakes (DESIGN §11); an officer area's targets
    assert len(found) == 25
    for key, table in found:
        assert table.spec is not None, key
        assert dataclasses.is_dataclass(table.spec), key


def test_every_key_lands_in_a_dataclass_field_or_is_marked_not_built() -> None:
    not_built = set()
    for key, table in tables(SCENARIO):
        assert table.spec is not None
        names = {f.name for f in dataclasses.fields(table.spec)}
        for f in table.fields:
            full = f"{key}.{f.name}" if key else f.name
            if f.attr is None:
                not_built.add(full)
            else:
                assert f.attr in names, f"{full} lands in {table.spec.__name__}.{f.attr}, " \
                    "which does not exist"
    assert not_built == set(NOT_BUILT)


def test_every_dataclass_field_is_fed_by_one_key_or_one_derivation() -> None:
    for key, table in tables(SCENARIO):
        assert table.spec is not None
        feeds = [f.attr for f in table.fields if f.attr is not None]
        derived = [d.attr for d in table.derived]
        wanted = sorted(f.name for f in dataclasses.fields(table.spec))
        assert sorted(feeds + derived) == wanted, key
        assert set(derived) == DERIVED.get(key, set()), key


def _mentions(hint: Any, cls: type) -> bool:
    return hint is cls or any(_mentions(a, cls) for a in typing.get_args(hint))


def test_nested_tables_land_in_fields_typed_as_their_dataclass() -> None:
    for key, table in tables(SCENARIO):
        assert table.spec is not None
        hints = typing.get_type_hints(table.spec)
        for f in table.fields:
            inner = f.kind.item if isinstance(f.kind, Named | TableList) else f.kind
            if isinstance(inner, Table) and f.attr is not None:
                assert inner.spec is not None
                assert _mentions(hints[f.attr], inner.spec), (key, f.name, hints[f.attr])


def test_unbound_reports_a_key_with_no_home_and_a_field_with_no_key() -> None:
    assert unbound(SCENARIO) == []

    @dataclasses.dataclass(frozen=True)
    class Spec:
        name: str
        fed: float
        forgotten: int

    table = Table((Field("fed", Number(), "fed"), Field("extra", Number(), "new, no home")),
                  spec=Spec, derived=(NAME_FROM_KEY,))
    assert unbound(table, "t") == [
        "t: key 'extra' lands in Spec.extra, which does not exist",
        "t: no key or derivation feeds Spec.forgotten",
    ]
    twice = Table((Field("name", Text(), "n"), Field("fed", Number(), "f"),
                   Field("forgotten", Number(), "g")), spec=Spec,
                  derived=(Derived("name", lambda _t, p: "x", "also the name"),))
    assert unbound(twice, "t") == [
        "t: Spec.name is fed by both key 'name' and derived 'name' (also the name)"]
    assert unbound(Table((Field("x", Number(), "x"),)), "t") == [
        "t: names no dataclass to build (spec=...)"]


# --- behaviour -----------------------------------------------------------------------------

ALL_DAY = {"days": "mon-sun", "start": "00:00", "end": "24:00"}

#: A scenario that leaves every optional key out, except where a case needs a table to exist
#: (an on_abandon rule, partner hours, a surge and a diversion) to change a key inside it.
BASE: dict[str, Any] = {
    "name": "every key",
    "channels": {
        "999": {"per_day": 100, "mix": {"crime": 0.5, "welfare": 0.5}},
        "101": {"per_day": 50, "mix": {"crime": 1.0},
                "on_abandon": {"to_999": 0.1, "to_online": 0.1}},
        "112": {"per_day": 10, "mix": {"crime": 1.0}, "open": [{**ALL_DAY}]},
        "online": {"kind": "digital", "per_day": 20, "mix": {"crime": 1.0}},
        "web": {"kind": "digital", "per_day": 5, "mix": {"crime": 1.0}},
    },
    "categories": {"crime": {"handle": 300}, "welfare": {"handle": 600}},
    "pools": {
        "handlers": {"skills": ["999", "101", "112"], "roster": [{**ALL_DAY, "staff": 3}]},
        "desk": {"skills": ["online", "web"], "roster": [{**ALL_DAY, "staff": 1}]},
    },
    "partners": {"nhs": {}, "line": {"hours": [{**ALL_DAY}]}},
    "surges": [{"channel": "999", "day": 0, "start": "10:00", "minutes": 30, "calls": 20}],
    "diversions": {"rcrp": {"categories": ["welfare"], "share": 0.3, "at": "triage",
                            "hours": [{**ALL_DAY}]}},
}

ABSENT = object()  # as a value: leave the key out of the file

C999, ON101, HANDLERS, SHIFT = ("channels", "999"), ("channels", "101", "on_abandon"), \
    ("pools", "handlers"), ("pools", "handlers", "roster", 0)
HOURS, SURGE, RCRP = ("partners", "line", "hours", 0), ("surges", 0), ("diversions", "rcrp")
DIV_HOURS = (*RCRP, "hours", 0)
C112, OPEN0 = ("channels", "112"), ("channels", "112", "open", 0)

def edited(doc: dict[str, Any], edits: dict[Path_, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for path, value in edits.items():
        node: Any = out
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
        if value is ABSENT:
            del node[path[-1]]
        else:
            node[path[-1]] = copy.deepcopy(value)
    return out


# Each case: the schema key, the edits to BASE (key path -> new value), and the attributes of
# the built Scenario that must differ (attribute paths; everything else must be equal).
Path_ = tuple[str | int, ...]
CASES: list[tuple[str, dict[Path_, Any], list[Path_]]] = [
    ("name", {("name",): "renamed"}, [("name",)]),
    ("description", {("description",): "why"}, [("description",)]),
    ("source", {("source",): "elsewhere.toml"}, [("file",)]),
    ("run", {("run",): {"seed": 5}}, [("run", "seed")]),
    ("run.days", {("run", "days"): 14}, [("run", "days")]),
    ("run.warmup_days", {("run", "warmup_days"): 1}, [("run", "warmup_days")]),
    ("run.replications", {("run", "replications"): 3}, [("run", "replications")]),
    ("run.seed", {("run", "seed"): 5}, [("run", "seed")]),
    ("run.start_day", {("run", "start_day"): "wed"}, [("run", "start_day")]),
    ("channels", {("channels", "112"): ABSENT, (*HANDLERS, "skills"): ["999", "101"]},
     [("channels", "112"), (*HANDLERS, "skills"), (*RCRP, "channels")]),
    ("channels.*.kind", {("channels", "112", "kind"): "digital"}, [("channels", "112", "kind")]),
    ("channels.*.per_day", {(*C999, "per_day"): 120}, [(*C999, "per_day")]),
    ("channels.*.hourly", {(*C999, "hourly"): [1] * 12 + [3] * 12}, [(*C999, "hourly")]),
    ("channels.*.weekly", {(*C999, "weekly"): [1, 1, 1, 1, 1, 2, 2]}, [(*C999, "weekly")]),
    ("channels.*.priority", {(*C999, "priority"): 2}, [(*C999, "priority")]),
    ("channels.*.answer_target_s", {(*C999, "answer_target_s"): 20},
     [(*C999, "answer_target_s")]),
    ("channels.*.connect_s", {(*C999, "connect_s"): 5}, [(*C999, "connect_s")]),
    ("channels.*.ivr_s", {(*C999, "ivr_s"): 10}, [(*C999, "ivr_s")]),
    ("channels.*.patience", {(*C999, "patience"): {"dist": "exponential", "mean": 90}},
     [(*C999, "patience")]),
    ("channels.*.mix", {(*C999, "mix"): {"crime": 0.25, "welfare": 0.75}}, [(*C999, "mix")]),
    ("channels.*.on_abandon", {(*C999, "on_abandon"): {"callback": 0.5}},
     [(*C999, "on_abandon")]),
    ("channels.*.on_abandon.callback", {(*ON101, "callback"): 0.5}, [(*ON101, "callback")]),
    ("channels.*.on_abandon.redial", {(*ON101, "redial"): 0.2}, [(*ON101, "redial")]),
    ("channels.*.on_abandon.redial_delay", {(*ON101, "redial_delay"): 600},
     [(*ON101, "redial_delay")]),
    ("channels.*.on_abandon.to_999", {(*ON101, "to_999"): 0.2}, [(*ON101, "to_999")]),
    ("channels.*.on_abandon.to_online", {(*ON101, "to_online"): 0.2}, [(*ON101, "to_online")]),
    ("channels.*.on_abandon.emergency_channel", {(*ON101, "emergency_channel"): "112"},
     [(*ON101, "emergency_channel")]),
    ("channels.*.on_abandon.online_channel", {(*ON101, "online_channel"): "web"},
     [(*ON101, "online_channel")]),
    ("channels.*.on_abandon.callback_priority", {(*ON101, "callback_priority"): "with_live"},
     [(*ON101, "callback_priority")]),
    ("channels.*.hour_of_week", {(*C999, "hour_of_week"): [1] * 167 + [2]},
     [(*C999, "hour_of_week")]),
    ("channels.*.open", {(*C999, "open"): [{**ALL_DAY}]}, [(*C999, "open")]),
    ("channels.*.open[].days", {(*OPEN0, "days"): "mon"}, [(*OPEN0, "days")]),
    ("channels.*.open[].start", {(*OPEN0, "start"): "09:00"}, [(*OPEN0, "start_min")]),
    ("channels.*.open[].end", {(*OPEN0, "end"): "17:00"}, [(*OPEN0, "end_min")]),
    ("channels.*.closed", {(*C112, "closed"): {"to": "999", "share": 0.5}}, [(*C112, "closed")]),
    ("channels.*.day_cv", {(*C999, "day_cv"): 0.2}, [(*C999, "day_cv")]),
    ("demand", {("demand",): {"day_cv": 0.1}}, [("demand", "day_cv")]),
    ("demand.day_cv", {("demand", "day_cv"): 0.1}, [("demand", "day_cv")]),
    ("categories", {("categories", "info"): {"handle": 60}}, [("categories", "info")]),
    ("categories.*.handle", {("categories", "crime", "handle"): 400},
     [("categories", "crime", "handle")]),
    ("categories.*.wrap_up", {("categories", "crime", "wrap_up"): 30},
     [("categories", "crime", "wrap_up")]),
    ("categories.*.non_police", {("categories", "welfare", "non_police"): True},
     [("categories", "welfare", "non_police")]),
    ("categories.*.deploy", {("categories", "crime", "deploy"): 0.5},
     [("categories", "crime", "deploy")]),
    ("categories.*.officer_hours", {("categories", "crime", "officer_hours"): 2.5},
     [("categories", "crime", "officer_hours")]),
    ("pools", {("pools", "spare"): {"skills": ["999"], "roster": [{**ALL_DAY, "staff": 1}]}},
     [("pools", "spare")]),
    ("pools.*.skills", {(*HANDLERS, "skills"): ["999", "101", "112", "online"]},
     [(*HANDLERS, "skills")]),
    ("pools.*.scale", {(*HANDLERS, "scale"): 2}, [(*HANDLERS, "scale")]),
    ("pools.*.absence", {(*HANDLERS, "absence"): 0.1}, [(*HANDLERS, "absence")]),
    ("pools.*.breaks_min", {(*HANDLERS, "breaks_min"): 30}, [(*HANDLERS, "breaks_min")]),
    ("pools.*.cost_per_hour", {(*HANDLERS, "cost_per_hour"): 25},
     [(*HANDLERS, "cost_per_hour")]),
    ("pools.*.leave", {(*HANDLERS, "leave"): 0.15}, [(*HANDLERS, "leave")]),
    ("pools.*.contracted_hours", {(*HANDLERS, "contracted_hours"): 40},
     [(*HANDLERS, "contracted_hours")]),
    ("pools.*.interruptible_for", {("pools", "desk", "interruptible_for"): ["999"]},
     [("pools", "desk", "interruptible_for")]),
    ("pools.*.roster", {(*HANDLERS, "roster"): [{**ALL_DAY, "staff": 3}] * 2},
     [(*HANDLERS, "roster", 1)]),
    ("pools.*.staff_by_hour", {(*HANDLERS, "roster"): ABSENT,
                               (*HANDLERS, "staff_by_hour"): [3.5] * 168},
     [(*HANDLERS, "staff_by_hour"), (*HANDLERS, "roster")]),
    ("pools.*.roster[].days", {(*SHIFT, "days"): "mon-fri"}, [(*SHIFT, "days")]),
    ("pools.*.roster[].start", {(*SHIFT, "start"): "01:00"}, [(*SHIFT, "start_min")]),
    ("pools.*.roster[].end", {(*SHIFT, "end"): "23:00"}, [(*SHIFT, "end_min")]),
    ("pools.*.roster[].staff", {(*SHIFT, "staff"): 4}, [(*SHIFT, "staff")]),
    ("partners", {("partners",): ABSENT}, [("partners",)]),
    ("partners.*.hours", {("partners", "nhs", "hours"): []}, [("partners", "nhs", "hours")]),
    ("partners.*.hours[].days", {(*HOURS, "days"): "mon"}, [(*HOURS, "days")]),
    ("partners.*.hours[].start", {(*HOURS, "start"): "09:00"}, [(*HOURS, "start_min")]),
    ("partners.*.hours[].end", {(*HOURS, "end"): "17:00"}, [(*HOURS, "end_min")]),
    ("partners.*.staff", {("partners", "nhs", "staff"): 0}, [("partners", "nhs", "staff")]),
    ("partners.*.answer_s", {("partners", "nhs", "answer_s"): 30},
     [("partners", "nhs", "answer_s")]),
    ("partners.*.handle_s", {("partners", "nhs", "handle_s"): 600},
     [("partners", "nhs", "handle_s")]),
    ("surges", {("surges",): ABSENT}, [("surges",)]),
    ("surges[].channel", {(*SURGE, "channel"): "101"}, [(*SURGE, "channel")]),
    ("surges[].day", {(*SURGE, "day"): 1}, [(*SURGE, "day")]),
    ("surges[].start", {(*SURGE, "start"): "11:00"}, [(*SURGE, "start_min")]),
    ("surges[].minutes", {(*SURGE, "minutes"): 45}, [(*SURGE, "minutes")]),
    ("surges[].calls", {(*SURGE, "calls"): 25}, [(*SURGE, "calls")]),
    ("surges[].mix", {(*SURGE, "mix"): {"crime": 1.0}}, [(*SURGE, "mix")]),
    ("diversions", {("diversions",): ABSENT}, [("diversions",)]),
    ("diversions.*.categories", {(*RCRP, "categories"): ["welfare", "crime"]},
     [(*RCRP, "categories")]),
    ("diversions.*.channels", {(*RCRP, "channels"): ["999"]}, [(*RCRP, "channels")]),
    ("diversions.*.share", {(*RCRP, "share"): 0.5}, [(*RCRP, "share")]),
    ("diversions.*.at", {(*RCRP, "at"): "pre_queue"}, [(*RCRP, "at")]),
    ("diversions.*.partner", {(*RCRP, "partner"): "nhs"}, [(*RCRP, "partner")]),
    ("diversions.*.triage_s", {(*RCRP, "triage_s"): 60}, [(*RCRP, "triage_s")]),
    ("diversions.*.hours", {(*RCRP, "hours"): ABSENT}, [(*RCRP, "hours")]),
    ("diversions.*.hours[].days", {(*DIV_HOURS, "days"): "mon"}, [(*DIV_HOURS, "days")]),
    ("diversions.*.hours[].start", {(*DIV_HOURS, "start"): "09:00"},
     [(*DIV_HOURS, "start_min")]),
    ("diversions.*.hours[].end", {(*DIV_HOURS, "end"): "17:00"}, [(*DIV_HOURS, "end_min")]),
]


#: The calendar's keys, changed from a base pinned to dates with one special day.
#: (With a workforce for the handlers: its keys need the start date.)
WF = (*HANDLERS, "workforce")
CAL_BASE: dict[str, Any] = edited({**BASE, "run": {"start_date": "2025-06-04"},
                                   "calendar": {"days": [{"date": "12-31", "factor": 1.2}]}},
                                  {WF: {"headcount": 3, "intakes": [{"date": "2025-07-01",
                                                                     "people": 2}]}})
CAL, DAY0, INTAKE0 = ("calendar",), ("calendar", "days", 0), (*WF, "intakes", 0)
CAL_CASES: list[tuple[str, dict[Path_, Any], list[Path_]]] = [
    ("run.start_date", {("run", "start_date"): "2025-06-05"},
     [("run", "start_date"), ("run", "start_day"), (*CAL, "start_date")]),
    ("channels.*.monthly", {(*C999, "monthly"): [1] * 11 + [2]}, [(*C999, "monthly")]),
    ("calendar", {CAL: {"monthly": [1] * 11 + [2]}}, [CAL]),
    ("calendar.monthly", {(*CAL, "monthly"): [2] + [1] * 11}, [(*CAL, "monthly")]),
    ("calendar.bank_holidays", {(*CAL, "bank_holidays"): "scotland"},
     [(*CAL, "bank_holidays")]),
    ("calendar.bank_holiday_profile", {(*CAL, "bank_holiday_profile"): "sat"},
     [(*CAL, "bank_holiday_profile")]),
    ("calendar.days", {(*CAL, "days"): []}, [(*CAL, "days")]),
    ("calendar.days[].date", {(*DAY0, "date"): "2025-12-24"},
     [(*DAY0, "day"), (*DAY0, "year")]),
    ("calendar.days[].factor", {(*DAY0, "factor"): 1.5}, [(*DAY0, "factor")]),
    ("calendar.days[].hourly", {(*DAY0, "hourly"): [1] * 12 + [3] * 12}, [(*DAY0, "hourly")]),
    ("calendar.days[].channels", {(*DAY0, "channels"): ["999"]}, [(*DAY0, "channels")]),
    ("pools.*.workforce", {WF: ABSENT}, [WF]),
    ("pools.*.workforce.headcount", {(*WF, "headcount"): 4},
     [(*WF, "headcount"), (*WF, "roster_for")]),
    ("pools.*.workforce.roster_for", {(*WF, "roster_for"): 4}, [(*WF, "roster_for")]),
    ("pools.*.workforce.attrition", {(*WF, "attrition"): 0.1}, [(*WF, "attrition")]),
    ("pools.*.workforce.intakes", {(*WF, "intakes"): []}, [(*WF, "intakes")]),
    ("pools.*.workforce.intakes[].date", {(*INTAKE0, "date"): "2025-07-02"},
     [(*INTAKE0, "date")]),
    ("pools.*.workforce.intakes[].people", {(*INTAKE0, "people"): 3}, [(*INTAKE0, "people")]),
    ("pools.*.workforce.training_weeks", {(*WF, "training_weeks"): 4},
     [(*WF, "training_weeks")]),
    ("pools.*.workforce.ramp_weeks", {(*WF, "ramp_weeks"): 4}, [(*WF, "ramp_weeks")]),
    ("pools.*.workforce.ramp_factor", {(*WF, "ramp_factor"): 1.5}, [(*WF, "ramp_factor")]),
    ("pools.*.workforce.no_courses", {(*WF, "no_courses"): ["jan"]}, [(*WF, "no_courses")]),
    ("pools.*.workforce.cost_per_recruit", {(*WF, "cost_per_recruit"): 1000},
     [(*WF, "cost_per_recruit")]),
]


#: The officers' keys (DESIGN §12), changed from a base with officers, a graded category, a
#: chase category and a dispatch table with its chase calls.
OFF_BASE: dict[str, Any] = {
    **BASE,
    "categories": {"crime": {"handle": 300, "deploy": 0.5, "grade": {"immediate": 1.0}},
                   "welfare": {"handle": 600}, "chase": {"handle": 60}},
    "officers": {"response": {"roster": [{**ALL_DAY, "staff": 4}]}},
    "dispatch": {"targets": {"immediate": 1200}, "chase": {"channel": "101"}},
}
CRIME, GRADE = ("categories", "crime"), ("categories", "crime", "grade")
RESPONSE, OFF_SHIFT = ("officers", "response"), ("officers", "response", "roster", 0)
TARGETS, CHASE = ("dispatch", "targets"), ("dispatch", "chase")
OFF_CASES: list[tuple[str, dict[Path_, Any], list[Path_]]] = [
    ("categories.*.grade", {(*CRIME, "grade"): ABSENT}, [GRADE]),
    *((f"categories.*.grade.{g}", {GRADE: {g: 0.5, other: 0.5}}, [(*GRADE, g), (*GRADE, other)])
      for g, other in (("immediate", "priority"), ("priority", "immediate"),
                       ("scheduled", "immediate"), ("resolved", "immediate"))),
    ("categories.*.rwd_s", {(*CRIME, "rwd_s"): 300}, [(*CRIME, "rwd_s")]),
    ("categories.*.on_scene_s", {(*CRIME, "on_scene_s"): 3600}, [(*CRIME, "on_scene_s")]),
    ("officers", {("officers", "extra"): {"roster": [{**ALL_DAY, "staff": 1}]}},
     [("officers", "extra")]),
    ("officers.*.roster", {(*RESPONSE, "roster"): [{**ALL_DAY, "staff": 2}]},
     [(*OFF_SHIFT, "staff")]),
    ("officers.*.roster[].days", {(*OFF_SHIFT, "days"): "mon"}, [(*OFF_SHIFT, "days")]),
    ("officers.*.roster[].start", {(*OFF_SHIFT, "start"): "09:00"},
     [(*OFF_SHIFT, "start_min")]),
    ("officers.*.roster[].end", {(*OFF_SHIFT, "end"): "17:00"}, [(*OFF_SHIFT, "end_min")]),
    ("officers.*.roster[].staff", {(*OFF_SHIFT, "staff"): 9}, [(*OFF_SHIFT, "staff")]),
    ("officers.*.travel_s", {(*RESPONSE, "travel_s"): 600}, [(*RESPONSE, "travel_s")]),
    # areas: one pool given the whole share is one area; targets need a share, so their cases
    # set both (from no targets: the whole TargetsSpec changes)
    ("officers.*.share", {(*RESPONSE, "share"): 1.0}, [(*RESPONSE, "share")]),
    ("officers.*.targets", {(*RESPONSE, "share"): 1.0, (*RESPONSE, "targets"): {}},
     [(*RESPONSE, "share"), (*RESPONSE, "targets")]),
    *((f"officers.*.targets.{g}", {(*RESPONSE, "share"): 1.0, (*RESPONSE, "targets", g): 7200},
       [(*RESPONSE, "share"), (*RESPONSE, "targets")])
      for g in ("immediate", "priority", "scheduled")),
    ("dispatch", {("dispatch",): {"chase": {"channel": "101"}}}, [(*TARGETS, "immediate")]),
    ("dispatch.targets", {TARGETS: ABSENT}, [(*TARGETS, "immediate")]),
    ("dispatch.targets.immediate", {(*TARGETS, "immediate"): 600}, [(*TARGETS, "immediate")]),
    ("dispatch.targets.priority", {(*TARGETS, "priority"): 7200}, [(*TARGETS, "priority")]),
    ("dispatch.targets.scheduled", {(*TARGETS, "scheduled"): 86400},
     [(*TARGETS, "scheduled")]),
    ("dispatch.chase", {CHASE: ABSENT}, [CHASE]),
    ("dispatch.chase.after_s", {(*CHASE, "after_s"): 600}, [(*CHASE, "after_s")]),
    ("dispatch.chase.share", {(*CHASE, "share"): 0.5}, [(*CHASE, "share")]),
    ("dispatch.chase.channel", {(*CHASE, "channel"): "999"}, [(*CHASE, "channel")]),
    ("dispatch.chase.repeat_s", {(*CHASE, "repeat_s"): 600}, [(*CHASE, "repeat_s")]),
]


def load(folder: Path, doc: dict[str, Any]) -> Scenario:
    folder.mkdir()
    file = folder / "s.toml"
    file.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return load_scenario(file)


#: Where the dataclasses a scenario is built of live.
SPEC_MODULES = ("contactsim.config.spec", "contactsim.calendar")


def leaves(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every leaf of a built scenario by attribute path (the file by name, the TOML aside)."""
    if isinstance(value, Scenario):
        value = dataclasses.replace(value, file=Path(value.file).name, document={})
    if dataclasses.is_dataclass(value) and type(value).__module__ in SPEC_MODULES:
        for f in dataclasses.fields(value):
            if f.name != "document":
                yield from leaves(getattr(value, f.name), (*path, f.name))
    elif isinstance(value, dict | tuple) and value:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            yield from leaves(v, (*path, k))
    else:  # a number, a name, a Distribution, None, or an empty table or list
        yield path, repr(value)


def differences(a: Scenario, b: Scenario) -> set[Path_]:
    left, right = dict(leaves(a)), dict(leaves(b))
    return {p for p in left.keys() | right.keys() if left.get(p, ABSENT) != right.get(p, ABSENT)}


def test_every_key_has_a_case() -> None:
    every = CASES + CAL_CASES + OFF_CASES
    assert sorted({c[0] for c in every} | {"extends"}) == sorted(schema_keys())
    assert len({c[0] for c in every}) == len(every)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load(tmp_path_factory.mktemp("base") / "s", BASE)


@pytest.mark.parametrize(("key", "edits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_key_changes_exactly_its_attribute(base: Scenario, tmp_path: Path, key: str,
                                                edits: dict[Path_, Any],
                                                expected: list[Path_]) -> None:
    variant = load(tmp_path / "variant", edited(BASE, edits))
    changed = differences(base, variant)
    assert changed, f"setting {key} changed nothing in the built scenario"
    stray = {p for p in changed if not any(p[:len(e)] == e for e in expected)}
    assert not stray, f"setting {key} changed other attributes: {sorted(map(str, stray))}"
    missed = [e for e in expected if not any(p[:len(e)] == e for p in changed)]
    assert not missed, f"setting {key} did not change {missed}"


def test_extends_merges_the_parent_in(base: Scenario, tmp_path: Path) -> None:
    parent = tmp_path / "parent.toml"
    parent.write_text(tomli_w.dumps(edited(BASE, {("description",): "from the parent"})),
                      encoding="utf-8")
    child = tmp_path / "child" / "s.toml"
    child.parent.mkdir()
    child.write_text('extends = "../parent.toml"\n', encoding="utf-8")
    assert differences(base, load_scenario(child)) == {("description",)}


@pytest.fixture(scope="module")
def cal_base(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load(tmp_path_factory.mktemp("cal") / "s", CAL_BASE)


@pytest.mark.parametrize(("key", "edits", "expected"), CAL_CASES, ids=[c[0] for c in CAL_CASES])
def test_each_calendar_key_changes_exactly_its_attribute(cal_base: Scenario, tmp_path: Path,
                                                         key: str, edits: dict[Path_, Any],
                                                         expected: list[Path_]) -> None:
    assert cal_base.calendar is not None
    variant = load(tmp_path / "variant", edited(CAL_BASE, edits))
    changed = differences(cal_base, variant)
    assert changed, f"setting {key} changed nothing in the built scenario"
    stray = {p for p in changed if not any(p[:len(e)] == e for e in expected)}
    assert not stray, f"setting {key} changed other attributes: {sorted(map(str, stray))}"


@pytest.fixture(scope="module")
def off_base(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load(tmp_path_factory.mktemp("off") / "s", OFF_BASE)


@pytest.mark.parametrize(("key", "edits", "expected"), OFF_CASES, ids=[c[0] for c in OFF_CASES])
def test_each_officers_key_changes_exactly_its_attribute(off_base: Scenario, tmp_path: Path,
                                                         key: str, edits: dict[Path_, Any],
                                                         expected: list[Path_]) -> None:
    variant = load(tmp_path / "variant", edited(OFF_BASE, edits))
    changed = differences(off_base, variant)
    assert changed, f"setting {key} changed nothing in the built scenario"
    stray = {p for p in changed if not any(p[:len(e)] == e for e in expected)}
    assert not stray, f"setting {key} changed other attributes: {sorted(map(str, stray))}"
    missed = [e for e in expected if not any(p[:len(e)] == e for p in changed)]
    assert not missed, f"setting {key} did not change {missed}"
