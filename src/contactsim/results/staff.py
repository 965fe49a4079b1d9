"""The folder ``contactsim staff`` writes: the hours needed, the suggested roster, its summary.

``staffing.csv`` (the contract's columns: hour_of_week, required, rostered, erlang_a; then
suggested, the suggested roster's people each hour, on_duty_required, the people on duty the
requirement leaves after absence and breaks, and surplus, today's roster less the requirement)
goes through the one CSV writer; ``suggested.toml`` is a scenario that extends the one planned for,
so a planner can run it as it stands; ``staffing.json`` holds the question, how the search
ended, every roster simulated with its figures and the one suggested.

A new staff run replaces the folder as a whole, so it refuses (before simulating, and again
before the swap) a folder holding anything it did not write itself: a planner's own results of
``contactsim run suggested.toml``, notes or a spreadsheet are never deleted. The command tells
them to move those out or to give another ``--out``.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import tomli_w

from contactsim.analysis.rostering import on_duty, roster_lines
from contactsim.analysis.staff_model import Plan
from contactsim.results.suggested import extending
from contactsim.results.write import OutputError, write_csv
from contactsim.timebase import HOURS_PER_WEEK

#: The columns of staffing.csv (the contract's names, in this order).
CSV_COLUMNS = ("hour_of_week", "required", "rostered", "erlang_a", "suggested",
               "on_duty_required", "surplus")

#: Every file the staff command writes at the top of its folder, and in its plots folder.
STAFF_FILES = ("staffing.csv", "staffing.json", "suggested.toml", "report.html")
STAFF_PLOTS = ("staffing.png",)
#: The most names an error lists before counting the rest.
SHOWN = 5


def foreign_entries(folder: Path) -> list[str]:
    """What a staff folder holds that the staff command did not write, by name (plots/x.png)."""
    out = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.name == "plots" and entry.is_dir() and not entry.is_symlink():
            out += [f"plots/{p.name}" + "/" * p.is_dir() for p in sorted(entry.iterdir())
                    if p.name not in STAFF_PLOTS or not p.is_file()]
        elif entry.name not in STAFF_FILES or not entry.is_file():
            out.append(entry.name + "/" * entry.is_dir())
    return out


def check_staff_folder(target: Path) -> None:
    """Refuse to replace ``target`` if it holds anything the staff command did not write.

    Raises :class:`~contactsim.results.write.OutputError` (exit 2, nothing changed). A folder
    that is absent, or not a folder, is left to :func:`~contactsim.results.write.check_writable`.
    """
    target = Path(target)
    if not target.is_dir() or target.is_symlink():
        return
    foreign = foreign_entries(target)
    if not foreign:
        return
    shown = ", ".join(foreign[:SHOWN])
    if len(foreign) > SHOWN:
        shown += f" and {len(foreign) - SHOWN:,} more"
    raise OutputError(target, FileExistsError(
        errno.EEXIST, f"the folder holds {shown}, which contactsim staff did not write, and "
        "new staff results replace the whole folder; move them out of it or give another "
        "--out", str(target)))


def write_staffing(p: Plan, folder: Path, final: Path, header: str = "",
                   notes: tuple[str, ...] = ()) -> None:
    """``staffing.csv``, ``staffing.json`` (with the worded ``notes``) and ``suggested.toml``
    (opening with the comment ``header``) into ``folder``.

    ``final`` is where the folder will end up, for the relative ``extends`` path (the folder is
    built beside it under a temporary name, so the path is the same from either). It is checked
    again here, since a planner may have saved something into it while the search ran.
    """
    check_staff_folder(final)
    write_csv(folder / "staffing.csv", CSV_COLUMNS, table_rows(p))
    (folder / "staffing.json").write_text(json.dumps(summary(p, notes), indent=2) + "\n",
                                          encoding="utf-8")
    (folder / "suggested.toml").write_text(header + tomli_w.dumps(suggested_document(p, final)),
                                           encoding="utf-8")


# --- what is written ----------------------------------------------------------------------


def suggested_document(p: Plan, out: str | os.PathLike[str]) -> dict[str, Any]:
    """``suggested.toml``: extends the input (path relative to ``out``), with the new roster.

    Command-line ``--set`` overrides (and run options) are written in too, so the file runs
    exactly what was simulated.
    """
    doc = extending(p.request.file, out,
                    f"{p.scenario.name}: suggested roster for {p.request.channel}",
                    p.request.overrides)
    pool = doc.setdefault("pools", {}).setdefault(p.pool, {})
    pool["scale"] = 1.0
    pool["roster"] = roster_lines(p.suggested)
    return doc


def table_rows(p: Plan) -> list[tuple[int, int, float, int, int, float, float]]:
    """``staffing.csv`` rows: hour_of_week, required, rostered, erlang_a, suggested,
    on_duty_required, surplus."""
    suggested = on_duty(p.suggested)
    share = p.workforce.on_duty_share
    return [(h, int(p.required[h]), round(float(p.rostered[h]), 4), int(p.erlang_a[h]),
             int(suggested[h]), round(float(p.required[h]) * share, 2),
             round(float(p.rostered[h] - p.required[h]), 4))
            for h in range(HOURS_PER_WEEK)]


def summary(p: Plan, notes: tuple[str, ...] = ()) -> dict[str, Any]:
    """``staffing.json``: the question, how the search went, the roster verified, in planner
    units too."""
    r, w = p.request, p.workforce
    hours = {"required": int(p.required.sum()), "erlang_a": int(p.erlang_a.sum()),
             "rostered": round(float(p.rostered.sum()), 4), "suggested": p.suggested_hours}
    return {
        "scenario": {"name": p.scenario.name, "file": r.file},
        "channel": r.channel, "pool": p.pool, "target": r.target,
        "answer_target_s": p.scenario.channels[r.channel].answer_target_s,
        "seed": p.scenario.run.seed, "replications": p.scenario.run.replications,
        "screen_replications": p.screen_replications,
        "days": p.scenario.run.days, "iterations": p.iterations, "repairs": p.repairs,
        "shift_hours": list(r.shift_hours), "shift_starts": list(r.shift_starts),
        "shift_patterns": [{"start": f"{s:02d}:00", "hours": n} for s, n in p.patterns],
        "availability": w.on_duty_share,
        "staff_hours": hours,
        "workforce": {"contracted_hours": w.contracted_hours, "leave": w.leave,
                      "absence": w.absence, "shrinkage": w.shrinkage,
                      "fte": {k: round(w.fte(v), 2) for k, v in hours.items()}},
        "suggested_service_level": p.suggested_sl.as_dict(),
        "search": {"rounds": p.search.rounds, "limit": p.search.limit,
                   "stopped_early": p.search.stopped_early,
                   "last_round": {"hours_up": p.search.last_up},
                   "hours_not_reached": p.search.stuck,
                   "trimmed_staff_hours": p.search.trimmed,
                   "trim_screens": p.search.trim_screens},
        "one_more_start": None if p.one_more_start is None else {
            "start": f"{p.one_more_start[0]:02d}:00", "staff_hours": p.one_more_start[1]},
        "suggested": {**p.chosen.as_dict(r.target),
                      "on_duty": [int(n) for n in on_duty(p.suggested)]},
        "candidates": [{**c.as_dict(r.target), "suggested": c is p.chosen}
                       for c in p.candidates],
        "notes": list(notes),
    }
