"""The staff report: what ``contactsim staff`` suggests, on one page a planner can take to a
meeting.

It answers in the order a planner asks: what is the target, how many people in post that takes
against today (full-time equivalents, with the pool's leave and contracted hours), what roster
is suggested and does it meet the target (its simulated service level with its 95% interval,
and each band of hours it still misses), what does the simulation say is needed hour by hour
against today's roster, and what to be wary of (the notes).

Like every report it is drawn from the saved folder only (``staffing.csv`` and
``staffing.json``, read as a :class:`~contactsim.results.staff_result.StaffResult`), so
``contactsim plot FOLDER`` rebuilds it without simulating, and every piece of text is escaped by
the template, ``templates/staff.html``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contactsim import __version__
from contactsim.analysis.stats import Estimate
from contactsim.present.html import REPORT, embed, render
from contactsim.present.plots import Plot
from contactsim.present.staff_plots import draw_staffing
from contactsim.present.staff_words import band_span, fte_text
from contactsim.present.words import fmt_target
from contactsim.results.read import Table
from contactsim.results.staff_result import RosterResult, StaffResult, read_staff
from contactsim.timebase import HOURS_PER_WEEK, WEEKDAYS


def number(value: object) -> float:
    """A JSON value as a float (NaN when absent or not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def share(x: float) -> str:
    return f"{x:.1%}" if math.isfinite(x) else "n/a"


def with_ci(sl: Estimate) -> str:
    """``"92.1% (95% CI 91.7% to 92.5%)"``."""
    ci = (f" (95% CI {sl.ci_low:.1%} to {sl.ci_high:.1%})"
          if math.isfinite(sl.ci_low + sl.ci_high) else "")
    return share(sl.mean) + ci


def badge(sl: Estimate, target: float) -> tuple[str, str]:
    """Meets or misses the planner's target (``"pass"``, ``"miss"`` or ``"not simulated"``),
    and the target when the 95% interval spans it (else "")."""
    if not math.isfinite(sl.mean):
        return "not simulated", ""
    spans = (f"{target:.0%}" if math.isfinite(sl.ci_low + sl.ci_high)
             and sl.ci_low < target <= sl.ci_high else "")
    return "pass" if sl.mean >= target else "miss", spans


def hours_text(value: object) -> str:
    x = number(value)
    return f"{x:,.0f}" if math.isfinite(x) else "n/a"


def glance(r: StaffResult) -> dict[str, Any]:
    """The target, people in post, the suggestion and its service level, against today."""
    chosen = r.suggested
    fte, today = r.fte.get("suggested", math.nan), r.fte.get("rostered", math.nan)
    return {
        "goal": f"{r.target:.0%} of {r.channel} contacts answered within "
                f"{fmt_target(r.answer_target_s)}, every hour of the week",
        "people": fte_text(fte, today) if math.isfinite(fte + today) else "n/a",
        "units": (f"{r.contracted_hours:g}-hour contracts, {r.leave:.0%} leave and training, "
                  f"{r.shrinkage:.0%} shrinkage in all (leave, absence, breaks)"
                  if math.isfinite(r.contracted_hours + r.leave + r.shrinkage) else ""),
        "hours": {k: hours_text(r.staff_hours.get(k)) for k in ("suggested", "rostered",
                                                                 "required", "erlang_a")},
        "label": chosen.label if chosen else "", "lines": chosen.lines if chosen else "?",
        "starts": ", ".join(chosen.start_times) if chosen else "?",
        "service_level": with_ci(r.suggested_sl), "badge": badge(r.suggested_sl, r.target),
        "patterns": ", ".join(r.patterns),
    }


def band_rows(chosen: RosterResult | None, target: float) -> list[list[str]]:
    """Each band of hours the suggested roster leaves below the target, and by how much."""
    if chosen is None:
        return []
    return [[band_span(b), share(b.service_level),
             f"{100 * (target - b.service_level):.1f}" if math.isfinite(b.service_level)
             else "n/a", hours_text(b.calls_a_week), "yes" if b.clearly else "no"]
            for b in chosen.bands]


def roster_rows(chosen: RosterResult | None) -> list[list[str]]:
    """The suggested roster as shift lines, as they go into ``suggested.toml``."""
    rows = []
    for line in chosen.roster if chosen else ():
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


def candidates(r: StaffResult) -> list[dict[str, Any]]:
    """Every roster verified, in order, the suggestion marked."""
    return [{"label": c.label, "suggested": c.suggested, "hours": hours_text(c.staff_hours),
             "starts": ", ".join(c.start_times), "lines": c.lines,
             "service_level": with_ci(c.service_level), "badge": badge(c.service_level, r.target),
             "below": c.short_hours, "bands": len(c.bands)}
            for c in r.candidates]


def requirement_rows(table: Table) -> list[list[str]]:
    """The simulation's requirement as a day-by-hour grid."""
    by_hour = dict(zip((int(h) for h in table.numbers("hour_of_week")),
                       table.numbers("required"), strict=True))
    return [[day.capitalize(), *(hours_text(by_hour.get(d * 24 + h, math.nan))
                                 for h in range(24))]
            for d, day in enumerate(WEEKDAYS) if d * 24 < HOURS_PER_WEEK]


def staff_html(folder: Path, table: Table, r: StaffResult, plots: Sequence[Plot]) -> str:
    return render(
        "staff.html", title=f"contactsim staff: {r.channel} in pool {r.pool}",
        r=r, version=__version__, notes=list(r.notes), glance=glance(r),
        roster=roster_rows(r.suggested), bands=band_rows(r.suggested, r.target),
        requirement=requirement_rows(table), figures=embed(folder, plots),
        candidates=candidates(r), search=r.search, hours=[f"{h:02d}" for h in range(24)])


def write_staff_report(folder: Path) -> Path:
    """Draw the staffing plot and write the staff folder's report.html, from its saved files."""
    table, result = read_staff(folder)
    plots = draw_staffing(folder)
    path = folder / REPORT
    path.write_text(staff_html(folder, table, result, plots), encoding="utf-8")
    return path
