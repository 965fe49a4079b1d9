"""The reports of a comparison and of a sweep: what changes, and where a channel meets 90%.

A comparison's report (``templates/compare.html``) opens with the piece for a board paper,
then each headline measure per scenario with its change against the first scenario (the base)
and whether that change is clear, then the staff, who answered what, diversions and officers,
the change by month for runs pinned to dates, the plots and every row of ``compare.csv``. A
sweep's report (``templates/sweep.html``) reads the planner's question straight off: where does
each channel meet 90%? Both are drawn from the saved folders alone, like every report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from contactsim.analysis.measures import DIVERSION_MEASURES
from contactsim.analysis.stats import Estimate
from contactsim.present.board import board
from contactsim.present.html import REPORT, drawn_text, embed, macro, render
from contactsim.present.plots import MAX_CALENDARS, Plot, colour
from contactsim.present.plots_whatif import draw_compare, draw_sweep
from contactsim.present.words import fmt, fmt_ci, is_clear, label, meets_text
from contactsim.results.read import (
    HEADLINE,
    CompareResults,
    SweepResults,
    Table,
    read_compare,
    read_sweep,
    row_estimate,
)
from contactsim.results.summary import UNDEFINED, Measures

DIFF = ("difference", "ci_low", "ci_high")


@dataclass(frozen=True)
class Change:
    """A change against the base, with whether its interval (as printed) excludes zero."""

    measure: str
    est: Estimate

    @property
    def clear(self) -> bool:
        return math.isfinite(self.est.mean) and is_clear(self.measure, self.est)


def change_cell(measure: str, est: Estimate) -> str:
    """A change as the report shows it: bold when clear (for a test to read)."""
    return macro("change", measure, est, Change(measure, est).clear).strip()


@dataclass(frozen=True)
class Cell:
    """A scenario's value with its interval, and below it its change against the base."""

    value: str
    change: Change | None  # None: this is the base
    verdict: Estimate | None = None  # a channel's service level: the pass/miss badge
    base_lacks: str = ""  # the base has no such diversion: nothing to change from


@dataclass(frozen=True)
class Scenario:
    """A row's first cell: the scenario's colour in the plots, and its name."""

    colour: str
    text: str


def _diff(result: CompareResults, i: int, kind: str, name: str, measure: str) -> Estimate:
    if i == 0:
        return UNDEFINED
    row = (result.differences.where("scenario", result.labels[i]).where("kind", kind)
           .where("name", name).where("measure", measure))
    return row_estimate(row, 0, DIFF) if len(row) else UNDEFINED


def _cell(result: CompareResults, i: int, kind: str, name: str, measure: str, est: Estimate,
          per_day: float = 0.0) -> Cell:
    diff = _diff(result, i, kind, name, measure)
    if per_day:
        est, diff = est.scaled(1 / per_day), diff.scaled(1 / per_day)
    return Cell(fmt_ci(measure, est), None if i == 0 else Change(measure, diff),
                est if measure == "service_level" and kind == "channel" else None)


def _scenario(result: CompareResults, i: int, prefix: str = "") -> Scenario:
    return Scenario(colour(i), f"{prefix}{result.runs[i].name}")


def channel_rows(result: CompareResults, channel: str) -> list[list[Scenario | Cell]]:
    return [[_scenario(result, i),
             *(_cell(result, i, "channel", channel, m, run.measured.channels[channel][m])
               for m in HEADLINE)] for i, run in enumerate(result.runs)]


def pool_rows(result: CompareResults) -> list[list[Scenario | Cell]]:
    pools = [p for p in result.runs[0].pools if all(p in r.pools for r in result.runs)]
    rows: list[list[Scenario | Cell]] = []
    for pool in pools:
        for i, run in enumerate(result.runs):
            m = run.measured.pools[pool]
            rows.append([_scenario(result, i, f"{pool}: "),
                         _cell(result, i, "pool", pool, "utilisation", m.utilisation),
                         _cell(result, i, "pool", pool, "busy_hours", m.busy_hours, run.days),
                         _cell(result, i, "pool", pool, "staff_hours", m.staff_hours,
                               run.days)])
    return rows


def officer_rows(result: CompareResults) -> list[list[Scenario | Cell]]:
    ests = [r.measured.officer_hours for r in result.runs]
    if not any(math.isfinite(e.mean) for e in ests):
        return []
    return [[_scenario(result, i), _cell(result, i, "officers", "all", "officer_hours", e)]
            for i, e in enumerate(ests)]


def diversion_rows(result: CompareResults) -> list[list[Scenario | Cell]]:
    """Diverted contacts and failed handovers per day (all, partner closed, partner busy), per
    diversion and scenario, with the change where the base has the diversion too."""
    names = list(dict.fromkeys(d for r in result.runs for d in r.measured.diversions))
    base = result.runs[0].measured.diversions
    rows: list[list[Scenario | Cell]] = []
    for name in names:
        for i, run in enumerate(result.runs):
            measures: Measures | None = run.measured.diversions.get(name)
            if measures is None:
                continue
            cells = [_cell(result, i, "diversion", name, m, measures[m], run.days)
                     for m in DIVERSION_MEASURES]
            if i and name not in base:  # nothing to change from: say so, not "-"
                cells = [Cell(c.value, None, None, "diversion") for c in cells]
            rows.append([_scenario(result, i, f"{name}: "), *cells])
    return rows


def answered_rows(result: CompareResults) -> list[list[Scenario | Cell]]:
    """Contacts each pool answered on each channel, per day, per scenario and its change."""
    rows: list[list[Scenario | Cell]] = []
    for pool, channels in result.runs[0].measured.answered_by.items():
        for channel in channels:
            for i, run in enumerate(result.runs):
                est = run.measured.answered_by.get(pool, {}).get(channel, UNDEFINED)
                if math.isfinite(est.mean):
                    rows.append([_scenario(result, i, f"{pool} on {channel}: "),
                                 _cell(result, i, "pool_channel", f"{pool}/{channel}",
                                       "answered", est, run.days)])
    return rows


@dataclass(frozen=True)
class Month:
    """One month of one channel: the base's service level, each scenario's and its change."""

    month: str
    base: str
    values: list[str]
    changes: list[Change | None]


def by_month(table: Table | None, key: str,
             measure: str) -> list[tuple[str, list[str], list[Month]]]:
    """Each ``key``'s (channel's or pool's) months of ``measure`` in a table of changes by
    month, per scenario (its name and rows)."""
    if table is None or not len(table):
        return []
    out = []
    for name in table.distinct(key)[:MAX_CALENDARS]:
        rows = table.where(key, name).where("measure", measure)
        others = rows.distinct("scenario")
        months = []
        for month in rows.distinct("month"):
            here = rows.where("month", month)
            mine = [here.where("scenario", o) for o in others]
            months.append(Month(
                month, fmt(measure, float(here.numbers("base_mean")[0])),
                [fmt(measure, float(t.numbers("scenario_mean")[0])) if len(t) else "-"
                 for t in mine],
                [Change(measure, row_estimate(t, 0, DIFF)) if len(t) else None
                 for t in mine]))
        out.append((name, others, months))
    return out


def monthly(result: CompareResults) -> list[tuple[str, list[str], list[Month]]]:
    """For runs pinned to dates: each channel's service level by month."""
    return by_month(result.monthly, "channel", "service_level")


def people(result: CompareResults) -> list[tuple[str, list[str], list[Month]]]:
    """For runs with a workforce: each pool's people available by month."""
    return by_month(result.workforce, "pool", "available")


def differences(table: Table) -> list[list[str]]:
    """Every row of compare.csv, in words."""
    rows = []
    for i in range(len(table)):
        measure = table.text("measure")[i]
        rows.append([table.text("scenario")[i], table.text("kind")[i], table.text("name")[i],
                     label(measure), fmt(measure, float(table.numbers("base_mean")[i])),
                     fmt(measure, float(table.numbers("scenario_mean")[i])),
                     fmt_ci(measure, row_estimate(table, i, DIFF), signed=True),
                     table.text("method")[i]])
    return rows


def compare_html(result: CompareResults, plots: Sequence[Plot]) -> str:
    common = [c for c in result.runs[0].channels if all(c in r.channels for r in result.runs)]
    return render(
        "compare.html", title="contactsim comparison: " + " vs ".join(r.name for r in
                                                                      result.runs),
        result=result, base=result.runs[0], colours=[colour(i) for i in range(len(result.runs))],
        warnings=[*result.notes, *(f"{r.name}: {w}" for r in result.runs for w in r.warnings)],
        boards=[board(result, i) for i in range(1, len(result.runs))],
        channels=[(c, channel_rows(result, c)) for c in common], pools=pool_rows(result),
        answered=answered_rows(result), diversions=diversion_rows(result),
        officers=officer_rows(result), monthly=monthly(result), people=people(result),
        headline=[label(m).split(" (")[0] for m in HEADLINE],
        figures=embed(result.folder, plots), not_drawn=drawn_text(common),
        differences=differences(result.differences))


def write_compare_report(folder: Path) -> Path:
    """Draw the comparison plots and write its report.html, from the saved tables."""
    result = read_compare(folder)
    path = folder / REPORT
    path.write_text(compare_html(result, draw_compare(result, folder)), encoding="utf-8")
    return path


def sweep_rows(sweep: SweepResults) -> list[tuple[list[str], dict[str, Estimate]]]:
    """Each point and channel: the keys' values and the channel, and the headline estimates."""
    t = sweep.table
    reps = sweep.run_facts[0]
    n = int(reps) if reps.isdigit() else 0  # every point ran this many (for the badge's advice)
    return [([*(t.text(k)[i] for k in sweep.keys), t.text("channel")[i]],
             {m: replace(row_estimate(t, i, (f"{m}_mean", f"{m}_ci_low",
                                                         f"{m}_ci_high")), n=n)
              for m in HEADLINE}) for i in range(len(t))]


def sweep_html(sweep: SweepResults, plots: Sequence[Plot]) -> str:
    varied = " and ".join(f"{k} over {', '.join(sweep.values(k))}" for k in sweep.keys)
    return render("sweep.html", title=f"contactsim sweep: {sweep.name}", sweep=sweep,
                  varied=varied, answers=[meets_text(sweep, c) for c in sweep.channels],
                  headline=HEADLINE, rows=sweep_rows(sweep), figures=embed(sweep.folder, plots),
                  not_drawn=drawn_text(sweep.channels))


def write_sweep_report(folder: Path) -> Path:
    """Draw the sweep's plots and write its report.html, from the saved tables."""
    sweep = read_sweep(folder)
    path = folder / REPORT
    path.write_text(sweep_html(sweep, draw_sweep(sweep, folder)), encoding="utf-8")
    return path
