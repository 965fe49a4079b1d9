"""The folder ``contactsim staff`` writes: the hours needed, the suggested roster, its summary.

``staffing.csv`` (the contract's columns: hour_of_week, required, rostered, erlang_a) goes
through the one CSV writer; ``suggested.toml`` is a scenario that extends the one planned for,
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
import shlex
from pathlib import Path

import tomli_w

from contactsim.analysis.staffing import (
    CSV_COLUMNS,
    Plan,
    suggested_document,
    summary as staffing_summary,
    table_rows,
)
from contactsim.results.write import OutputError, write_csv

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


def run_instruction(final: Path) -> str:
    """How to run the suggested roster with its results beside the staff folder, not in it."""
    return (f"contactsim run {shlex.quote(str(final / 'suggested.toml'))} --out "
            f"{shlex.quote(str(final) + '-run')}")


def write_staffing(p: Plan, folder: Path, final: Path) -> None:
    """``staffing.csv``, ``staffing.json`` and ``suggested.toml`` into ``folder``.

    ``final`` is where the folder will end up, for the relative ``extends`` path (the folder is
    built beside it under a temporary name, so the path is the same from either). It is checked
    again here, since a planner may have saved something into it while the search ran.
    """
    check_staff_folder(final)
    write_csv(folder / "staffing.csv", CSV_COLUMNS, table_rows(p))
    (folder / "staffing.json").write_text(json.dumps(staffing_summary(p), indent=2) + "\n",
                                          encoding="utf-8")
    header = (f"# Suggested by contactsim staff: {p.request.channel} at {p.request.target:.0%} "
              f"within {p.scenario.channels[p.request.channel].answer_target_s:g} s, "
              f"{p.suggested_hours} staff hours a week in pool {p.pool}.\n"
              "# Run it from where you ran contactsim staff, with its results beside this "
              "folder (not inside it):\n"
              f"#   {run_instruction(final)}\n")
    (folder / "suggested.toml").write_text(header + tomli_w.dumps(suggested_document(p, final)),
                                           encoding="utf-8")
