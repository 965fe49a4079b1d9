"""The staff report: what ``contactsim staff`` suggests, on one page a planner can take to a
meeting.

It answers in the order a planner asks: what is the target, what roster do we suggest and does
it meet the target (its simulated service level with its 95% interval), what does it cost in
staff hours against a flat 24/7 roster and the current one, what does the simulation say is
needed hour by hour, which rosters were tried and why this one was chosen, and what to be wary
of (the notes, among them a search cut short by its round limit).

Like every report it is drawn from the saved folder only (``staffing.csv`` and
``staffing.json``), so ``contactsim plot FOLDER`` rebuilds it without simulating, and every
piece of text is escaped by the template, ``templates/staff.html``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contactsim import __version__
from contactsim.present.html import REPORT, embed, render
from contactsim.present.plots import Plot
from contactsim.present.plots_whatif import draw_staffing
from contactsim.present.words import fmt_target
from contactsim.results.read import Table, read_staffing
from contactsim.timebase import HOURS_PER_WEEK, WEEKDAYS


def number(value: object) -> float:
    """A JSON value as a float (NaN when absent or not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def texts(value: object) -> list[str]:
    """A JSON list as text items (an empty list for anything else)."""
    return [str(v) for v in value] if isinstance(value, list) else []


def share(value: object) -> str:
    x = number(value)
    return f"{x:.1%}" if math.isfinite(x) else "n/a"


def with_ci(sl: object) -> str:
    """``"92.1% (95% CI 91.7% to 92.5%)"`` from a saved estimate."""
    if not isinstance(sl, dict):
        return "n/a"
    low, high = number(sl.get("ci_low")), number(sl.get("ci_high"))
    ci = f" (95% CI {low:.1%} to {high:.1%})" if math.isfinite(low + high) else ""
    return share(sl.get("mean")) + ci


def badge(sl: object, target: float) -> tuple[str, str]:
    """Meets or misses the planner's target (``"pass"``, ``"miss"`` or ``"not simulated"``),
    and the target when the 95% interval spans it (else "")."""
    mean = number(sl.get("mean")) if isinstance(sl, dict) else math.nan
    if not math.isfinite(mean):
        return "not simulated", ""
    low = number(sl.get("ci_low")) if isinstance(sl, dict) else math.nan
    high = number(sl.get("ci_high")) if isinstance(sl, dict) else math.nan
    spans = f"{target:.0%}" if math.isfinite(low + high) and low < target <= high else ""
    return "pass" if mean >= target else "miss", spans


def hours_text(value: object) -> str:
    x = number(value)
    return f"{x:,.0f}" if math.isfinite(x) else "n/a"


def glance(facts: dict[str, Any]) -> dict[str, Any]:
    """The target, the suggestion and its service level, against flat and current rosters."""
    target = float(facts["target"])
    hours = facts.get("staff_hours") if isinstance(facts.get("staff_hours"), dict) else {}
    assert isinstance(hours, dict)
    chosen = facts.get("suggested") if isinstance(facts.get("suggested"), dict) else {}
    assert isinstance(chosen, dict)
    sl = facts.get("suggested_service_level")
    return {
        "goal": f"{target:.0%} of {facts['channel']} contacts answered within "
                f"{fmt_target(float(facts['answer_target_s']))}, over the week",
        "hours": {k: hours_text(hours.get(k)) for k in ("suggested", "flat", "rostered",
                                                         "required", "erlang_a")},
        "label": chosen.get("label", ""), "lines": chosen.get("lines", "?"),
        "starts": ", ".join(texts(chosen.get("start_times"))) or "?",
        "service_level": with_ci(sl), "badge": badge(sl, target),
        "flat_staff": facts.get("flat_staff", "?"),
        "flat_service_level": with_ci(facts.get("flat_service_level")),
    }


def roster_rows(facts: dict[str, Any]) -> list[list[str]]:
    """The suggested roster as shift lines, as they go into ``suggested.toml``."""
    chosen = facts.get("suggested")
    lines = chosen.get("roster") if isinstance(chosen, dict) else None
    rows = []
    for line in lines if isinstance(lines, list) else []:
        if not isinstance(line, dict):
            continue
        start, end = str(line.get("start", "")), str(line.get("end", ""))
        length = shift_length(start, end)
        days = str(line.get("days", ""))
        count = day_count(days)
        staff = number(line.get("staff"))
        weekly = length * staff * count if math.isfinite(length * staff) and count else math.nan
        rows.append([days, start, end, f"{length:g}" if math.isfinite(length) else "?",
                     hours_text(staff), hours_text(weekly)])
    return rows


def shift_length(start: str, end: str) -> float:
    """Hours from ``"HH:MM"`` to ``"HH:MM"``, past midnight when the end is not after it."""
    try:
        h0, m0 = (int(x) for x in start.split(":"))
        h1, m1 = (int(x) for x in end.split(":"))
    except ValueError:
        return math.nan
    minutes = (h1 * 60 + m1) - (h0 * 60 + m0)
    return (minutes if minutes > 0 else minutes + 24 * 60) / 60


def day_count(days: str) -> int:
    """How many days a roster line's ``days`` names: ``"mon-fri"`` 5, ``"sat,sun"`` 2."""
    names = [d.lower() for d in WEEKDAYS]
    total = 0
    for part in days.split(","):
        ends = part.strip().lower().split("-")
        if not all(e in names for e in ends) or len(ends) > 2:
            return 0
        first, last = names.index(ends[0]), names.index(ends[-1])
        total += (last - first) % 7 + 1
    return total


def candidates(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Every roster simulated, cheapest first, the suggestion marked."""
    listed = facts.get("candidates")
    found = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    target = float(facts["target"])
    return [{"label": str(c.get("label", "")), "suggested": bool(c.get("suggested")),
             "hours": hours_text(c.get("staff_hours")),
             "starts": ", ".join(texts(c.get("start_times"))), "lines": c.get("lines", ""),
             "service_level": with_ci(c.get("service_level")),
             "badge": badge(c.get("service_level"), target),
             "below": c.get("hours_clearly_below_target", "")}
            for c in sorted(found, key=lambda c: (number(c.get("staff_hours")),
                                                   not c.get("suggested")))]


def requirement_rows(table: Table) -> list[list[str]]:
    """The simulation's requirement as a day-by-hour grid."""
    by_hour = dict(zip((int(h) for h in table.numbers("hour_of_week")),
                       table.numbers("required"), strict=True))
    return [[day.capitalize(), *(hours_text(by_hour.get(d * 24 + h, math.nan))
                                 for h in range(24))]
            for d, day in enumerate(WEEKDAYS) if d * 24 < HOURS_PER_WEEK]


def staff_html(folder: Path, table: Table, facts: dict[str, Any], plots: Sequence[Plot]) -> str:
    scenario = facts.get("scenario") if isinstance(facts.get("scenario"), dict) else {}
    assert isinstance(scenario, dict)
    search = facts.get("search")
    return render(
        "staff.html", title=f"contactsim staff: {facts['channel']} in pool {facts['pool']}",
        facts=facts, name=scenario.get("name", ""), file=scenario.get("file", ""),
        version=__version__, notes=texts(facts.get("notes")), glance=glance(facts),
        roster=roster_rows(facts), requirement=requirement_rows(table),
        figures=embed(folder, plots), candidates=candidates(facts),
        search=search if isinstance(search, dict) else None,
        hours=[f"{h:02d}" for h in range(24)])


def write_staff_report(folder: Path) -> Path:
    """Draw the staffing plot and write the staff folder's report.html, from its saved files."""
    table, facts = read_staffing(folder)
    plots = draw_staffing(folder)
    path = folder / REPORT
    path.write_text(staff_html(folder, table, facts, plots), encoding="utf-8")
    return path
