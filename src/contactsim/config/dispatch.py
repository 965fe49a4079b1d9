"""Officers, dispatch and chase calls: the keys of DESIGN §12 and the types they build.

``[officers.NAME]`` is a pool of response officers (a ``roster`` in the pools' shape and a
``travel_s`` from dispatch to arrival). A category's ``grade`` shares out its deployments
(the contacts ``deploy`` picks) among ``immediate``, ``priority``, ``scheduled`` and
``resolved`` (resolved without deployment: the handler spends ``rwd_s`` more, no officer goes).
``[dispatch]`` holds the attendance targets and ``[dispatch.chase]`` the callers who ring again
while they wait for an officer. Areas: every pool given a ``share`` (adding up to 1) is an area
whose officers serve only the incidents arising there, optionally with ``targets`` of its own.
The types they build are in :mod:`contactsim.config.spec`; the engine's side is
:mod:`contactsim.engine.dispatch` (and :mod:`contactsim.engine.dispatch_areas`).

Only :mod:`contactsim.config.schema` adds these tables to a scenario, and
:func:`check_dispatch` the rules that span tables (a chase channel that exists, a ``chase``
category for its handle time, officers for a dispatch to send, areas' shares).
"""

from __future__ import annotations

from typing import Any

from contactsim.config.build import NAME_FROM_KEY
from contactsim.config.distributions import Dist, Distribution
from contactsim.config.kinds import INVALID, Checker, Number, Path, Text
from contactsim.config.spec import (
    CHASE_CATEGORY,
    DEFAULT_TARGETS,
    GRADES,
    ChaseSpec,
    DispatchSpec,
    GradeSpec,
    OfficersSpec,
    TargetsSpec,
)
from contactsim.config.tables import Field, Table, TableList


def _share(grade: str) -> Field:
    return Field(grade, Number(ge=0, le=1), f"Share of the deployments graded {grade}.",
                 default=0.0, example="0.3")


def _check_grade(t: dict[str, Any], path: Path, ck: Checker) -> None:
    total = sum(t[g] for g in GRADES)
    if abs(total - 1.0) > 1e-6:
        ck.error(path, f"grade shares add up to {total:.6g}, not 1 (immediate + priority + "
                 "scheduled + resolved)")


GRADE = Table(tuple(_share(g) for g in GRADES), post=_check_grade, spec=GradeSpec)

#: A category's keys for dispatch, in [categories.NAME] after deploy and officer_hours.
CATEGORY_DISPATCH = (
    Field("grade", GRADE, "With [officers]: shares of the deployments graded immediate, "
          "priority, scheduled and resolved (resolved sends no officer: the handler spends "
          "rwd_s more instead). Absent: all priority.",
          example="{ immediate = 0.3, priority = 0.4, scheduled = 0.2, resolved = 0.1 }"),
    Field("rwd_s", Dist(), "Handler time added to a deployment graded resolved.",
          default=Distribution.constant(0.0), unit="s", example="600"),
    Field("on_scene_s", Dist(positive=True), "With [officers]: time on scene per deployment, "
          "drawn; absent: officer_hours, constant.", unit="s",
          example='{ dist = "exponential", mean = 9000 }'),
)

TARGETS = Table(tuple(
    Field(g, Number(gt=0, le=30 * 86_400, least=1), f"Seconds from answer to arrival for "
          f"{'an' if g[0] in 'aeiou' else 'a'} {g} incident; absent: "
          + (f"{d:.0f}." if d else "no target."), default=d, unit="s",
          example=f"{d or 86_400:.0f}")
    for g, d in (("immediate", 900.0), ("priority", 3600.0), ("scheduled", None))),
    spec=TargetsSpec)

CHASE = Table((
    Field("after_s", Number(gt=0, le=30 * 86_400, least=1), "A caller still waiting for an "
          "officer this long after the answer rings again (with probability share).",
          default=1800.0, unit="s", example="1800"),
    Field("share", Number(ge=0, le=1), "Share of waiting callers who ring again; each who does "
          "rings every repeat_s until the officer arrives.", default=0.3, example="0.3"),
    Field("channel", Text(nonempty=True), "Channel the chase calls arrive on.", required=True,
          example='"101"'),
    Field("repeat_s", Number(gt=0, le=30 * 86_400, least=60), "Time between a caller's chase "
          "calls.", default=1800.0, unit="s", example="1800"),
), spec=ChaseSpec)

DISPATCH = Table((
    Field("targets", TARGETS, "Attendance targets by grade (default immediate 900 s, "
          "priority 3600 s, scheduled none).", default=None,
          convert=lambda t: t if t is not None else DEFAULT_TARGETS),
    Field("chase", CHASE, "Callers who ring again while they wait (category chase).",
          default=None),
), spec=DispatchSpec)


def officers_table(shift: Table) -> Table:
    """``[officers.NAME]``, its roster lines those of the pools (``shift``)."""
    return Table((
        Field("roster", TableList(shift, min_len=1), "Officers on duty each week, in the "
              "pools' roster shape.", required=True,
              example='[{ days = "mon-sun", start = "07:00", end = "17:00", staff = 20 }]'),
        Field("travel_s", Dist(), "Time from dispatch to arrival at the scene.",
              default=Distribution.constant(0.0), unit="s",
              example='{ dist = "lognormal", mean = 600, sd = 300 }'),
        Field("share", Number(ge=0, le=1), "Areas: the share of incidents arising in this "
              "pool's area; its officers serve only their own area's incidents. Give every "
              "pool a share (adding up to 1) or none (absent: one area, every pool serves every "
              "incident, in the scenario's order).", default=None, example="0.7"),
        Field("targets", TARGETS, "With share: this area's attendance targets by grade, in "
              "place of [dispatch] targets (a key left out takes its default, as there).",
              default=None, example="{ immediate = 1200, priority = 3600 }"),
    ), spec=OfficersSpec, derived=(NAME_FROM_KEY,))


def _check_areas(officers: dict[str, Any], ck: Checker) -> None:
    """Areas: every pool has a share or none does, and the shares add up to 1; targets are an
    area's, so they need shares."""
    pools = {name: o for name, o in officers.items() if isinstance(o, dict)}
    shares = {name: o.get("share") for name, o in pools.items()}
    given = [name for name, s in shares.items() if s is not None]
    if not given:
        for name, o in pools.items():
            if o.get("targets") is not None:
                ck.error(("officers", name, "targets"), "an area's targets need areas: give "
                         "every [officers.NAME] a share")
        return
    missing = [name for name in shares if name not in given]
    for name in missing:
        ck.error(("officers", name, "share"), f"missing: {', '.join(given)} "
                 f"{'has' if len(given) == 1 else 'have'} a share (areas), so every "
                 "[officers.NAME] needs one")
    numbers = [s for s in shares.values() if isinstance(s, int | float)]
    if not missing and len(numbers) == len(shares) and abs(sum(numbers) - 1.0) > 1e-6:
        ck.error(("officers",), f"the areas' shares (officers.NAME.share) add up to "
                 f"{sum(numbers):.6g}, not 1: " + " + ".join(
                     f"{name} {s:g}" for name, s in shares.items()))


def check_dispatch(doc: dict[str, Any], ck: Checker) -> None:
    """The rules across tables: areas' shares (all or none, adding up to 1); dispatch and
    grades need officers; a chase channel exists and a ``chase`` category gives the chase calls
    their handle time."""
    officers = doc.get("officers") or {}
    dispatch = doc.get("dispatch")
    cats = doc.get("categories")
    if isinstance(officers, dict):
        _check_areas(officers, ck)
    if not officers:
        if dispatch is not None:
            ck.error(("dispatch",), "needs at least one [officers.NAME] to dispatch")
        for name, cat in (cats or {}).items() if isinstance(cats, dict) else ():
            if isinstance(cat, dict) and cat.get("grade") is not None:
                ck.error(("categories", name, "grade"), "needs at least one [officers.NAME]")
        return
    if not isinstance(dispatch, dict) or dispatch is INVALID:
        return
    chase = dispatch.get("chase")
    if not isinstance(chase, dict):
        return
    channels = doc.get("channels")
    if isinstance(channels, dict) and isinstance(chase.get("channel"), str) \
            and chase["channel"] not in channels:
        ck.error(("dispatch", "chase", "channel"), f"unknown channel {chase['channel']!r}; "
                 f"defined channels: {', '.join(channels)}")
    if isinstance(cats, dict) and CHASE_CATEGORY not in cats:
        ck.error(("dispatch", "chase"), "needs a [categories.chase] (the chase calls' handle "
                 "time, with no deploy)")
