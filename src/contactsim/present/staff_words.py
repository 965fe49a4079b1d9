"""The words the staff command writes into its folder: ``suggested.toml``'s opening comment.

The terminal summary is :func:`contactsim.present.words.staffing_text` and the report
:mod:`contactsim.present.staff_report`; the folder itself is written by
:mod:`contactsim.results.staff`, which is handed these words by the ``staff`` job.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contactsim.analysis.staff_model import Plan


def run_instruction(final: Path) -> str:
    """How to run the suggested roster with its results beside the staff folder, not in it."""
    return (f"contactsim run {shlex.quote(str(final / 'suggested.toml'))} --out "
            f"{shlex.quote(str(final) + '-run')}")


def suggested_header(p: Plan, final: Path) -> str:
    """``suggested.toml``'s opening comment: what was asked, what it costs, how to run it
    (``final``: where the staff folder ends up)."""
    return (f"# Suggested by contactsim staff: {p.request.channel} at {p.request.target:.0%} "
            f"within {p.scenario.channels[p.request.channel].answer_target_s:g} s, "
            f"{p.suggested_hours} staff hours a week in pool {p.pool}.\n"
            "# Run it from where you ran contactsim staff, with its results beside this "
            "folder (not inside it):\n"
            f"#   {run_instruction(final)}\n")
