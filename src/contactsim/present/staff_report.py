"""The staff report: what ``contactsim staff`` suggests, on one page a planner can take to a
meeting.

It answers in the order a planner asks: what is the target, what roster do we suggest and does
it meet the target (its simulated service level with its 95% interval), what does it cost in
staff hours against a flat 24/7 roster and the current one, what does the simulation say is
needed hour by hour, which rosters were tried and why this one was chosen, and what to be wary
of (the notes, among them a search cut short by its round limit).

Like every report it is drawn from the saved folder only (``staffing.csv`` and
``staffing.json``), so ``contactsim plot FOLDER`` rebuilds it without simulating, and every
piece of text from the scenario passes through :func:`~contactsim.present.report.esc`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contactsim import __version__
from contactsim.present.plots import Plot
from contactsim.present.plots_whatif import draw_staffing
from contactsim.present.report import REPORT, esc, figures, page, table_html
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


def badge(sl: object, target: float) -> str:
    """Meets or misses the planner's target, and whether the interval is sure of it."""
    mean = number(sl.get("mean")) if isinstance(sl, dict) else math.nan
    if not math.isfinite(mean):
        return "<span class=\"badge neutral\">not simulated</span>"
    out = ("<span class=\"badge pass\">&#10003; meets target</span>" if mean >= target else
           "<span class=\"badge miss\">&#10007; misses target</span>")
    low = number(sl.get("ci_low")) if isinstance(sl, dict) else math.nan
    high = number(sl.get("ci_high")) if isinstance(sl, dict) else math.nan
    if math.isfinite(low + high) and low < target <= high:
        out += f" <span class=\"note\">(the 95% interval spans {target:.0%})</span>"
    return out


def hours_text(value: object) -> str:
    x = number(value)
    return f"{x:,.0f}" if math.isfinite(x) else "n/a"


def header(facts: dict[str, Any]) -> str:
    scenario = facts.get("scenario") if isinstance(facts.get("scenario"), dict) else {}
    name = scenario.get("name", "") if isinstance(scenario, dict) else ""
    file = scenario.get("file", "") if isinstance(scenario, dict) else ""
    meta = (f"{esc(facts.get('replications', ''))} replications &times; "
            f"{esc(facts.get('days', ''))} measured days &middot; seed "
            f"{esc(facts.get('seed', ''))} &middot; scenario file <code>{esc(file)}</code> "
            f"&middot; contactsim {esc(__version__)}")
    return (f"<header><p class=\"kicker\">contactsim staff</p><h1>Staff for "
            f"{esc(facts['channel'])} in pool {esc(facts['pool'])}</h1>"
            f"<p class=\"desc\">{esc(name)}</p><p class=\"meta\">{meta}</p></header>")


def answer(facts: dict[str, Any]) -> str:
    """The target, the suggestion and its service level, against flat and current rosters."""
    target = float(facts["target"])
    goal = (f"{target:.0%} of {facts['channel']} contacts answered within "
            f"{fmt_target(float(facts['answer_target_s']))}, over the week")
    hours = facts.get("staff_hours") if isinstance(facts.get("staff_hours"), dict) else {}
    assert isinstance(hours, dict)
    chosen = facts.get("suggested") if isinstance(facts.get("suggested"), dict) else {}
    assert isinstance(chosen, dict)
    sl = facts.get("suggested_service_level")
    starts = ", ".join(texts(chosen.get("start_times")))
    cards = [
        ("Target", esc(goal), ""),
        ("Suggested roster", f"{esc(hours_text(hours.get('suggested')))} staff hours a week",
         f"{esc(chosen.get('label', ''))}; {esc(chosen.get('lines', '?'))} shift lines "
         f"starting at {esc(starts or '?')}<br>service level {esc(with_ci(sl))} "
         f"{badge(sl, target)}"),
        ("Flat 24/7 roster", f"{esc(facts.get('flat_staff', '?'))} on duty = "
         f"{esc(hours_text(hours.get('flat')))} staff hours",
         f"service level {esc(with_ci(facts.get('flat_service_level')))}"),
        ("Current roster", f"{esc(hours_text(hours.get('rostered')))} staff hours",
         f"the simulation's hour-by-hour requirement is {esc(hours_text(hours.get('required')))}"
         f" staff hours; Erlang A alone says {esc(hours_text(hours.get('erlang_a')))}"),
    ]
    html = "".join(f"<div class=\"card\"><div><b>{title}</b></div><div class=\"big\">{big}"
                   f"</div><div>{small}</div></div>" for title, big, small in cards)
    return (f"<section><h2>At a glance</h2><div class=\"cards\">{html}</div><p class=\"note\">"
            "The suggestion is the roster with the fewest staff hours, of all those simulated, "
            "whose service level over the week meets the target; on a tie, the one with fewer "
            "start times, then fewer lines. Staff hours count people rostered, before absence "
            "and breaks.</p></section>")


def notes_section(facts: dict[str, Any]) -> str:
    notes = texts(facts.get("notes"))
    if not notes:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return (f"<section class=\"warnings\"><h2>Notes: read these first</h2><ul>{items}</ul>"
            "</section>")


def roster_section(facts: dict[str, Any]) -> str:
    """The suggested roster as shift lines, as they go into ``suggested.toml``."""
    chosen = facts.get("suggested")
    lines = chosen.get("roster") if isinstance(chosen, dict) else None
    if not isinstance(lines, list) or not lines:
        return ""
    rows = []
    for line in lines:
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
    return ("<section><h2>The suggested roster</h2><p class=\"note\">Each line: the days it "
            "runs, when the shift starts and ends (an end before the start is the next "
            "morning) and how many people work it. It is <code>suggested.toml</code> in this "
            "folder, which extends your scenario with this roster.</p>"
            + table_html(["days", "start", "end", "hours", "staff", "staff hours a week"], rows)
            + "</section>")


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


def candidates_section(facts: dict[str, Any]) -> str:
    """Every roster simulated, cheapest first, the suggestion marked."""
    listed = facts.get("candidates")
    found = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    if not found:
        return ""
    target = float(facts["target"])
    rows = []
    for c in sorted(found, key=lambda c: (number(c.get("staff_hours")), not c.get("suggested"))):
        mark = "<b>suggested</b>" if c.get("suggested") else ""
        rows.append([f"{esc(c.get('label', ''))} {mark}", esc(hours_text(c.get('staff_hours'))),
                     esc(", ".join(texts(c.get("start_times")))),
                     esc(c.get("lines", "")), esc(with_ci(c.get("service_level"))),
                     badge(c.get("service_level"), target),
                     esc(c.get("hours_clearly_below_target", ""))])
    return ("<section><h2>Every roster simulated</h2><p class=\"note\">Each was written in the "
            "allowed shifts and simulated as written (absence drawn per shift, breaks within "
            "shifts), with the same seed, so they face the same callers. Flat rosters are the "
            "fewest people on duty around the clock; the others cover the simulation's "
            "hour-by-hour requirement, freely or in one regular pattern, with repairs where "
            "hours fell short. <i>Hours clearly below target</i>: hours of the week whose own "
            "service level is clearly under the target (judged for all 168 together).</p>"
            + table_html(["roster", "staff hours a week", "start times", "lines",
                          "service level (95% CI)", "", "hours clearly below target"],
                         rows, raw=True) + "</section>")


def requirement_section(folder: Path, table: Table, plots: Sequence[Plot]) -> str:
    """The simulation's requirement as a day-by-hour grid, then the plot."""
    by_hour = dict(zip((int(h) for h in table.numbers("hour_of_week")),
                       table.numbers("required"), strict=True))
    rows = [[day.capitalize(), *(hours_text(by_hour.get(d * 24 + h, math.nan)) for h in range(24))]
            for d, day in enumerate(WEEKDAYS) if d * 24 < HOURS_PER_WEEK]
    return ("<section><h2>Staff needed, hour by hour</h2><p class=\"note\">People to roster "
            "in each hour (before absence and breaks) for the hour's service level to meet the "
            "target, found with the simulation starting from the Erlang A formula. The hour "
            "columns start on the hour (00 = 00:00 to 01:00). Every figure is in "
            "<code>staffing.csv</code>.</p>"
            + table_html(["", *(f"{h:02d}" for h in range(24))], rows)
            + figures(folder, plots) + "</section>")


def search_section(facts: dict[str, Any]) -> str:
    search = facts.get("search") if isinstance(facts.get("search"), dict) else None
    if not isinstance(search, dict):
        return ""
    ended = ("it stopped at its round limit with hours still moving (see the notes)"
             if search.get("stopped_early") else "it settled: nothing moved in its last round")
    return (f"<section><h2>How the requirement was found</h2><p class=\"note\">The search ran "
            f"{esc(search.get('rounds', '?'))} of at most {esc(search.get('limit', '?'))} rounds "
            f"of simulation; {esc(ended)}. Each round simulates the current staffing and one "
            "fewer in every hour, and moves an hour only on clear evidence (up where it clearly "
            "misses the target, down where one fewer clearly meets it).</p></section>")


def staff_html(folder: Path, table: Table, facts: dict[str, Any], plots: Sequence[Plot]) -> str:
    body = [header(facts), notes_section(facts), answer(facts), roster_section(facts),
            requirement_section(folder, table, plots), candidates_section(facts),
            search_section(facts)]
    return page(f"contactsim staff: {facts['channel']} in pool {facts['pool']}",
                [part for part in body if part])


def write_staff_report(folder: Path) -> Path:
    """Draw the staffing plot and write the staff folder's report.html, from its saved files."""
    table, facts = read_staffing(folder)
    plots = draw_staffing(folder)
    path = folder / REPORT
    path.write_text(staff_html(folder, table, facts, plots), encoding="utf-8")
    return path
