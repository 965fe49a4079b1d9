"""The folder ``contactsim staff`` writes: the hours needed, the suggested roster, its summary.

``staffing.csv`` (the contract's columns: hour_of_week, required, rostered, erlang_a) goes
through the one CSV writer; ``suggested.toml`` is a scenario that extends the one planned for,
so a planner can run it as it stands from inside the folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import tomli_w

from contactsim.analysis.staffing import (
    CSV_COLUMNS,
    Plan,
    suggested_document,
    summary as staffing_summary,
    table_rows,
)
from contactsim.results.write import write_csv


def write_staffing(p: Plan, folder: Path, final: Path) -> None:
    """``staffing.csv``, ``staffing.json`` and ``suggested.toml`` into ``folder``.

    ``final`` is where the folder will end up, for the relative ``extends`` path (the folder is
    built beside it under a temporary name, so the path is the same from either).
    """
    write_csv(folder / "staffing.csv", CSV_COLUMNS, table_rows(p))
    (folder / "staffing.json").write_text(json.dumps(staffing_summary(p), indent=2) + "\n",
                                          encoding="utf-8")
    header = (f"# Suggested by contactsim staff: {p.request.channel} at {p.request.target:.0%} "
              f"within {p.scenario.channels[p.request.channel].answer_target_s:g} s, "
              f"{p.suggested_hours} staff hours a week in pool {p.pool}.\n"
              f"# Run it from this folder: contactsim run suggested.toml\n")
    (folder / "suggested.toml").write_text(header + tomli_w.dumps(suggested_document(p, final)),
                                           encoding="utf-8")
