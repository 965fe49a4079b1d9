"""The folder ``contactsim recruit`` writes: the plan, month by month, and a scenario to run it.

``recruit.csv`` has one row per measured month: the people available (the expected pipeline's
mean over the month's days) and the channel's service level with its 95% interval, for the plan
and for no recruiting, and whether each meets the target. ``recruit.json`` holds the question,
the plan, every plan simulated and the notes. ``suggested.toml`` extends the scenario planned for
with the plan's intakes (and the command line's ``--set`` values), so ``contactsim run`` on it
with the same seed simulates exactly the plan the command chose and finds the same months.

Like the staff command, a new recruit run replaces the folder as a whole, so it refuses a folder
holding anything it did not write itself.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from contactsim.problems import ResultsError
from contactsim.results.checks import TableSpec, check_table, is_number, kind_of
from contactsim.results.suggested import extending
from contactsim.results.tables import Table, read_json, read_table
from contactsim.results.write import OutputError, write_csv

if TYPE_CHECKING:
    from contactsim.analysis.recruit import RecruitPlan, Trial

RECRUIT_JSON = "recruit.json"
#: The columns of recruit.csv, in this order.
CSV_COLUMNS = ("month", "available_plan", "service_level_plan", "service_level_plan_lo",
               "service_level_plan_hi", "meets_plan", "available_none", "service_level_none",
               "service_level_none_lo", "service_level_none_hi", "meets_none")
#: Every file the recruit command writes at the top of its folder, and in its plots folder.
RECRUIT_FILES = ("recruit.csv", RECRUIT_JSON, "suggested.toml", "report.html")
RECRUIT_PLOTS = ("recruit.png",)


def check_recruit_folder(target: Path) -> None:
    """Refuse to replace ``target`` if it holds anything the recruit command did not write
    (:class:`~contactsim.results.write.OutputError`, exit 2, nothing changed)."""
    target = Path(target)
    if not target.is_dir() or target.is_symlink():
        return
    foreign = []
    for entry in sorted(target.iterdir()):
        if entry.name == "plots" and entry.is_dir() and not entry.is_symlink():
            foreign += [f"plots/{p.name}" for p in sorted(entry.iterdir())
                        if p.name not in RECRUIT_PLOTS or not p.is_file()]
        elif entry.name not in RECRUIT_FILES or not entry.is_file():
            foreign.append(entry.name + "/" * entry.is_dir())
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5:,} more"
                                          if len(foreign) > 5 else "")
        raise OutputError(target, FileExistsError(
            errno.EEXIST, f"the folder holds {shown}, which contactsim recruit did not write, "
            "and new recruit results replace the whole folder; move them out of it or give "
            "another --out", str(target)))


def write_recruit(p: RecruitPlan, folder: Path, final: Path, header: str = "",
                  notes: Sequence[str] = ()) -> None:
    """``recruit.csv``, ``recruit.json`` (with the worded ``notes``) and ``suggested.toml``
    (opening with ``header``)."""
    check_recruit_folder(final)
    write_csv(folder / "recruit.csv", CSV_COLUMNS, table_rows(p))
    (folder / RECRUIT_JSON).write_text(json.dumps(summary(p, notes), indent=2) + "\n",
                                       encoding="utf-8")
    (folder / "suggested.toml").write_text(header + tomli_w.dumps(suggested_document(p, final)),
                                           encoding="utf-8")


def intake_lines(p: RecruitPlan, trial: Trial) -> list[dict[str, Any]]:
    return [{"date": d.isoformat(), "people": n} for d, n in p.intakes(trial)]


def suggested_document(p: RecruitPlan, out: str | os.PathLike[str]) -> dict[str, Any]:
    """``suggested.toml``: extends the input (path relative to ``out``), with the intakes."""
    doc = extending(p.request.file, out,
                    f"{p.scenario.name}: recruiting plan for {p.request.channel}",
                    p.request.overrides)
    wf = doc.setdefault("pools", {}).setdefault(p.pool, {}).setdefault("workforce", {})
    wf["intakes"] = intake_lines(p, p.chosen)
    return doc


def table_rows(p: RecruitPlan) -> list[list[Any]]:
    rows = []
    for m, month in enumerate(p.months):
        row: list[Any] = [month]
        for trial in (p.chosen, p.none):
            sl = trial.service_level[m]
            row += [round(float(trial.people.available[m]), 4), sl.mean, sl.ci_low, sl.ci_high,
                    int(sl.mean >= p.target)]
        rows.append(row)
    return rows


def trial_facts(p: RecruitPlan, trial: Trial) -> dict[str, Any]:
    wf = p.scenario.pools[p.pool].workforce
    each = wf.cost_per_recruit if wf is not None else None
    return {"intakes": intake_lines(p, trial), "recruits": trial.recruits,
            "recruit_days": round(trial.people.recruit_days, 2),
            "cost_of_recruits": None if each is None else each * trial.recruits,
            "months_missed": [p.months[m] for m in trial.missed(p.target)]}


def summary(p: RecruitPlan, notes: Sequence[str] = ()) -> dict[str, Any]:
    """``recruit.json``: the question, the plan against no recruiting, every plan tried, and
    the notes (worded by :func:`contactsim.present.recruit_report.recruit_notes`)."""
    r, sc = p.request, p.scenario
    return {
        "scenario": {"name": sc.name, "file": r.file},
        "channel": r.channel, "pool": p.pool, "target": r.target,
        "answer_target_s": sc.channels[r.channel].answer_target_s,
        "seed": sc.run.seed, "replications": sc.run.replications, "days": sc.run.days,
        "course_dates": [d.isoformat() for d in p.dates], "max_intake": p.cap,
        "meets_every_month": p.meets_every_month, "months": p.months,
        "months_no_course_reaches": [p.months[m] for m in p.unhelped],
        "plan": trial_facts(p, p.chosen), "no_recruiting": trial_facts(p, p.none),
        "simulations": len(p.trials),
        "candidates": [{**trial_facts(p, t), "chosen": t is p.chosen} for t in p.trials],
        "notes": list(notes),
    }


def read_recruit(folder: Path) -> tuple[Table, dict[str, Any]]:
    """A recruit folder's recruit.csv and recruit.json, checked like a run's tables."""
    folder = Path(folder)
    table = read_table(folder / "recruit.csv")
    check_table(folder / "recruit.csv", table, TableSpec(CSV_COLUMNS, (), (), ("month",)))
    facts = read_json(folder / RECRUIT_JSON)
    if not is_number(facts.get("target")):
        raise ResultsError(folder / RECRUIT_JSON, "must be a number, not "
                           f"{kind_of(facts.get('target'))}", "target")
    for key in ("channel", "pool", "plan", "no_recruiting"):
        if key not in facts:
            raise ResultsError(folder / RECRUIT_JSON, "is missing", key)
    return table, facts
