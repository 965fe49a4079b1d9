"""``contactsim recruit``: the intakes a pool needs for every month to meet the target,
searched for with the formulas and the simulation and written as one folder."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from contactsim.jobs.run import note
from contactsim.results.write import check_writable, write_atomically

if TYPE_CHECKING:
    from contactsim.analysis.recruit import RecruitPlan, RecruitRequest


def save_recruit(result: RecruitPlan, final: Path, folder: Path, *, plot: bool) -> None:
    """Everything ``recruit`` writes into its (temporary) results folder."""
    from contactsim.present.recruit_report import recruit_notes, suggested_header
    from contactsim.results.recruit import write_recruit

    write_recruit(result, folder, final, suggested_header(result, final),
                  recruit_notes(result))
    if plot:
        from contactsim.present.recruit_report import write_recruit_report

        write_recruit_report(folder)


def recruit_job(request: RecruitRequest, out: Path, *, report: bool = True,
                quiet: bool = False) -> RecruitPlan:
    """Check the folder, load the scenario, search, write the folder and say what was found.

    A bad request raises :class:`~contactsim.analysis.recruit.RecruitInputError`, worded about
    the values (the command line names its options).
    """
    from contactsim.analysis.recruit import recruit
    from contactsim.config.loading import load_scenario
    from contactsim.present.recruit_report import recruit_text
    from contactsim.results.recruit import check_recruit_folder, read_recruit

    check_writable(out)
    check_recruit_folder(out)  # never replace what a planner saved in it
    scenario = load_scenario(request.file, request.overrides)
    result = recruit(request, scenario, log=note(quiet))
    write_atomically(out, partial(save_recruit, result, out, plot=report))
    if not quiet:
        sys.stdout.write(recruit_text(read_recruit(out)[1], out, report))
    return result
