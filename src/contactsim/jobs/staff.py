"""``contactsim staff``: the staff needed each hour of the week and a roster that provides them,
searched for with the simulation and written as one folder."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from contactsim.jobs.run import note
from contactsim.results.write import check_writable, write_atomically

if TYPE_CHECKING:
    from contactsim.analysis.staff_model import Plan, Request


def save_staffing(result: Plan, final: Path, folder: Path, *, plot: bool) -> None:
    """Everything ``staff`` writes into its (temporary) results folder."""
    from contactsim.present.staff_words import plan_notes, suggested_header
    from contactsim.results.staff import write_staffing  # scipy's optimiser: staff only

    write_staffing(result, folder, final, suggested_header(result, final),
                   tuple(plan_notes(result)))
    if plot:
        from contactsim.present.staff_report import write_staff_report

        write_staff_report(folder)


def staff_job(request: Request, out: Path, *, report: bool = True, quiet: bool = False) -> None:
    """Check the folder, load the scenario, search, write the folder and say what was found.

    A bad request raises :class:`~contactsim.analysis.staff_model.StaffingInputError`, worded
    about the values (the command line names its options).
    """
    from contactsim.analysis.staffing import plan
    from contactsim.config.loading import load_scenario
    from contactsim.present.staff_words import staffing_text
    from contactsim.results.staff import check_staff_folder

    check_writable(out)
    check_staff_folder(out)  # never replace what a planner saved in it
    scenario = load_scenario(request.file, request.overrides)
    result = plan(request, scenario, log=note(quiet))
    write_atomically(out, partial(save_staffing, result, out, plot=report))
    if not quiet:
        sys.stdout.write(staffing_text(result))
        print(f"  results: {out}/ (staffing.csv, staffing.json, suggested.toml"
              + (", plots/staffing.png, report.html" if report else "") + ")")
