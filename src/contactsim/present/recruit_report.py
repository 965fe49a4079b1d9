"""What ``contactsim recruit`` says: the verdict in plain words, the notes on how the answer was
reached (worded here from the plan's facts, saved in ``recruit.json``), the plot of people and
service level by month, the report and the terminal summary.

Every word is drawn from the saved folder (``recruit.csv`` and ``recruit.json``), so the terminal,
the report and ``contactsim plot FOLDER`` say the same thing, and every piece of text on the page
is escaped by the template, ``templates/recruit.html``.
"""

from __future__ import annotations

import datetime
import math
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np

from contactsim import __version__
from contactsim.present.drawing import TARGET_COLOUR, WIDE, Plot, colour, save_figure, text
from contactsim.present.html import REPORT, embed, render
from contactsim.present.words import fmt_target
from contactsim.results.recruit import read_recruit
from contactsim.results.tables import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from contactsim.analysis.recruit import RecruitPlan


def month_word(label: str) -> str:
    """``"2025-06"`` -> ``"Jun 2025"``."""
    try:
        return datetime.date(int(label[:4]), int(label[5:7]), 1).strftime("%b %Y")
    except ValueError:
        return label


def months_text(labels: list[str]) -> str:
    """Months as a planner says them: runs of consecutive months as ranges."""
    runs: list[list[str]] = []
    for label in labels:
        if runs and _next(runs[-1][-1]) == label:
            runs[-1].append(label)
        else:
            runs.append([label])
    return ", ".join(month_word(r[0]) if len(r) == 1 else
                     f"{month_word(r[0])} to {month_word(r[-1])}" for r in runs)


def _next(label: str) -> str:
    year, month = int(label[:4]), int(label[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def intakes_text(plan: dict[str, Any]) -> str:
    lines = [f"{i['people']} on the {month_word(str(i['date'])[:7])} course ({i['date']})"
             for i in plan.get("intakes", []) if isinstance(i, dict)]
    return ", ".join(lines) or "none"


def verdict(facts: dict[str, Any]) -> str:
    """The answer in a few plain sentences."""
    target, channel = float(facts["target"]), facts["channel"]
    goal = f"{target:.0%} of {channel} calls within {fmt_target(float(facts['answer_target_s']))}"
    plan, none = facts["plan"], facts["no_recruiting"]
    missed, none_missed = plan["months_missed"], none["months_missed"]
    out = []
    if facts.get("meets_every_month") and not plan["recruits"]:
        return f"No recruits are needed: without recruiting, {goal} is met in every month."
    if facts.get("meets_every_month"):
        out.append(f"Recruit {plan['recruits']}: {intakes_text(plan)}. With them, {goal} is "
                   "met in every month of the run")
    else:
        out.append(f"No plan found meets {goal} in every month. The best, {plan['recruits']} "
                   f"recruits ({intakes_text(plan)}), still misses {len(missed)} "
                   f"month{'s' * (len(missed) != 1)}: {months_text(missed)}")
    out[-1] += (f"; without recruiting {len(none_missed)} month"
                f"{'s' * (len(none_missed) != 1)} miss" + ("es" if len(none_missed) == 1 else "")
                + (f" ({months_text(none_missed)})." if none_missed else "."))
    unreached = [m for m in facts.get("months_no_course_reaches", []) if m in missed]
    if unreached:
        out.append(f"No allowed course's recruits reach the roster in time for "
                   f"{months_text(unreached)}: only more people already trained, or fewer "
                   "leavers, could help those months.")
    others = [m for m in missed if m not in unreached]
    if others:
        out.append(f"{months_text(others)} miss{'es' * (len(others) == 1)} under every plan "
                   f"tried, with courses of at most {facts.get('max_intake', '?')} people "
                   "(--max-intake).")
    return " ".join(out)


#: Fewer replications than this earn a note: a month's mean service level is too uncertain.
FEW_REPLICATIONS = 5


def recruit_notes(p: RecruitPlan) -> list[str]:
    """What the planner should know about how the answer was reached (recruit.json's
    ``notes``, which the terminal and the report show)."""
    out = []
    if p.replaced_intakes:
        out.append(f"the scenario's own intakes of pool {p.pool!r} are replaced by each plan "
                   "(no recruiting means none of them)")
    if p.stopped:
        out.append(f"the search stopped after {len(p.trials)} simulated plans (the most it "
                   "may run); a smaller plan may exist")
    if unsure := p.unsure():
        one = len(unsure) == 1
        out.append(f"{len(unsure)} of the months the plan meets {'does' if one else 'do'} so on "
                   f"the mean, but {'its' if one else 'their'} 95% interval reaches below the "
                   f"target ({', '.join(month_word(p.months[m]) for m in unsure)}); more "
                   "replications would make sure")
    if p.scenario.run.replications < FEW_REPLICATIONS:
        out.append(f"only {p.scenario.run.replications} replications: a month's mean service "
                   "level is uncertain; use 10 or more")
    return out


def suggested_header(p: RecruitPlan, final: Path) -> str:
    """``suggested.toml``'s opening comment: what was asked and how to run it."""
    run = (f"contactsim run {shlex.quote(str(final / 'suggested.toml'))} --out "
           f"{shlex.quote(str(final) + '-run')}")
    return (f"# Suggested by contactsim recruit: {p.request.channel} at {p.target:.0%} in "
            f"every month, {p.chosen.recruits} recruits in pool {p.pool}.\n"
            "# Run it from where you ran contactsim recruit (results beside this folder):\n"
            f"#   {run}\n")


def recruit_text(facts: dict[str, Any], folder: Path, report: bool) -> str:
    """What the command prints when it is done."""
    lines = [f"\nRecruiting for {facts['channel']} in pool {facts['pool']}",
             "  " + verdict(facts),
             f"  plans simulated: {facts.get('simulations', '?')}, same seed throughout"]
    lines += [f"  note: {n}" for n in facts.get("notes", [])]
    lines.append(f"  results: {folder}/ (recruit.csv, recruit.json, suggested.toml"
                 + (", plots/recruit.png, report.html" if report else "") + ")")
    return "\n".join(lines) + "\n"


# --- the plot and the page ----------------------------------------------------------------


def recruit_figure(table: Table, facts: dict[str, Any]) -> Figure:
    """People available (top) and service level with its interval (bottom), by month, for the
    plan and for no recruiting, the target drawn."""
    months = table.text("month")
    x = np.arange(len(months))
    fig, (people, sl) = plt.subplots(2, 1, figsize=(WIDE, 7.0), sharex=True,
                                     layout="constrained")
    for i, (which, name) in enumerate((("plan", f"plan: {facts['plan']['recruits']} "
                                        "recruits"), ("none", "no recruiting"))):
        style = {"color": colour(i), "marker": "o", "linestyle": "-" if i == 0 else "--"}
        people.plot(x, table.numbers(f"available_{which}"), label=name, **style)
        mean = table.numbers(f"service_level_{which}")
        low, high = table.numbers(f"service_level_{which}_lo"), \
            table.numbers(f"service_level_{which}_hi")
        sl.errorbar(x + (0.08 if i else -0.08), mean,
                    yerr=[np.nan_to_num(mean - low), np.nan_to_num(high - mean)],
                    capsize=3, label=name, **style)
    target = float(facts["target"])
    sl.axhline(target, color=TARGET_COLOUR, linewidth=1.2, linestyle=":",
               label=f"target {target:.0%}")
    people.set_ylabel("people available (mean)")
    sl.set_ylabel(f"{facts['channel']} service level")
    finite = table.numbers("service_level_none_lo")
    low_end = min(target, float(np.nanmin(finite)) if np.isfinite(finite).any() else target)
    sl.set_ylim(max(0.0, math.floor(10 * low_end - 0.5) / 10), 1.01)
    sl.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    sl.set_xticks(x, labels=[month_word(m) for m in months], rotation=45, ha="right")
    for ax in (people, sl):
        ax.grid(color="#e4e4e4", linewidth=0.6)
    people.legend(fontsize=9, frameon=False)
    sl.legend(fontsize=9, frameon=False, loc="lower left")
    people.set_title(text(f"People and {facts['channel']} service level by month "
                          f"(pool {facts['pool']})"), loc="left")
    return fig


def draw_recruit(folder: Path) -> list[Plot]:
    table, facts = read_recruit(folder)
    return [Plot(save_figure(recruit_figure(table, facts), folder, "recruit.png"),
                 "People and service level by month",
                 "Top: people on the roster (trained), the expected mean over each month's "
                 "days, with the plan (solid) and with no recruiting (dashed). Bottom: the "
                 "channel's service level each month, the mean over replications with its 95% "
                 "interval; dotted: the target.")]


def month_rows(table: Table) -> list[list[str]]:
    def share(v: float) -> str:
        return f"{v:.1%}" if math.isfinite(v) else "n/a"

    def ci(which: str, i: int) -> str:
        lo, hi = (table.numbers(f"service_level_{which}_{e}")[i] for e in ("lo", "hi"))
        return f"{share(lo)} to {share(hi)}"

    rows = []
    for i, month in enumerate(table.text("month")):
        row = [month_word(month)]
        for which in ("plan", "none"):
            row += [f"{table.numbers(f'available_{which}')[i]:.1f}",
                    share(table.numbers(f"service_level_{which}")[i]), ci(which, i),
                    "meets" if table.numbers(f"meets_{which}")[i] else "misses"]
        rows.append(row)
    return rows


def candidate_rows(facts: dict[str, Any]) -> list[list[str]]:
    found = [c for c in facts.get("candidates", []) if isinstance(c, dict)]
    return [[("chosen: " if c.get("chosen") else "") + intakes_text(c), str(c.get("recruits")),
             f"{c.get('recruit_days', 0):,.0f}", str(len(c.get("months_missed", []))),
             months_text(c.get("months_missed", [])) or "none"] for c in found]


def write_recruit_report(folder: Path) -> Path:
    """Draw the plot and write the recruit folder's report.html, from its saved files."""
    table, facts = read_recruit(folder)
    plots = draw_recruit(folder)
    scenario = facts.get("scenario") if isinstance(facts.get("scenario"), dict) else {}
    assert isinstance(scenario, dict)
    html = render("recruit.html", title=f"contactsim recruit: {facts['channel']} in pool "
                  f"{facts['pool']}", facts=facts, name=scenario.get("name", ""),
                  file=scenario.get("file", ""), version=__version__,
                  notes=[str(n) for n in facts.get("notes", [])], verdict=verdict(facts),
                  months=month_rows(table), candidates=candidate_rows(facts),
                  figures=embed(folder, plots))
    path = folder / REPORT
    path.write_text(html, encoding="utf-8")
    return path
