"""The HTML report: one self-contained file a planner can open, print or e-mail.

``report.html`` holds everything inline: the style sheet, the plots as base64 ``data:`` images,
the tables and the resolved scenario, so it opens offline on any machine and nothing is fetched
from the network. It is built from a saved results folder (read by :mod:`contactsim.results.read`
and drawn by :mod:`contactsim.present.plots`), so ``contactsim plot DIR`` rebuilds it byte for
byte. The page itself is the template ``templates/run.html`` (see :mod:`contactsim.present.html`),
with autoescaping on: a scenario named ``<script>alert(1)</script>`` shows as that text and runs
nothing. Comparisons and sweeps are in :mod:`contactsim.present.report_whatif`.

Targets: 999 is judged against the national standard, 90% of calls answered within 10 seconds.
No national standard exists for 101 or digital contacts, so each of those channels is judged
against the same 90%, within its own ``answer_target_s`` from the scenario; the report says so.
"""

from __future__ import annotations

import math
import os
import shutil
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from contactsim.analysis.dispatch import AREA_OVERALL
from contactsim.config.spec import ATTENDED
from contactsim.present.calendar_plot import worst_days
from contactsim.present.dispatch_plot import DISPATCH_PNG
from contactsim.present.html import REPORT, drawn_text, embed, render
from contactsim.present.plots import (
    MAX_CALENDARS,
    Plot,
    daily_service_level,
    draw_run,
)
from contactsim.present.report_whatif import write_compare_report, write_sweep_report
from contactsim.present.words import fmt, fmt_ci, fmt_target, label
from contactsim.present.workforce import WORKFORCE_PNG, workforce_section
from contactsim.results.read import (
    RunResults,
    check_regular,
    estimate_from,
    folder_kind,
    read_compare,
    read_run,
    read_staffing,
    read_sweep,
)
from contactsim.standard import TARGET_SL

__all__ = ["REPORT", "check_entries", "check_readable", "copy_tables", "drawn_text", "redraw",
           "write_compare_report", "write_run_report", "write_sweep_report"]

T = TypeVar("T")  # the results a report is drawn from: a run, a comparison or a sweep


@dataclass(frozen=True)
class Calendar:
    """One channel's service level by date: days meeting the target, and the ten worst."""

    channel: str
    met: int
    days: int
    target_s: float
    worst: list[list[str]]


def calendars(run: RunResults) -> list[Calendar]:
    """The calendar tables of a run pinned to real dates (none otherwise)."""
    out = []
    holidays = set(run.bank_holidays)
    for channel in run.channels[:MAX_CALENDARS]:
        dates, values = daily_service_level(run, channel)
        if not dates:
            continue
        worst = [[f"{d:%a %d %b %Y}" + (" (bank holiday)" if d.isoformat() in holidays else ""),
                  fmt("service_level", v)] for d, v in worst_days(dates, values)]
        out.append(Calendar(channel, int(np.sum(values >= TARGET_SL)), len(dates),
                            run.target_s(channel), worst))
    return out


def answered_by(run: RunResults) -> list[list[str]]:
    """Who answered what: per pool and channel, answered per day and share of the channel's."""
    m = run.measured
    rows = []
    for pool, channels in m.answered_by.items():
        for channel, answered in channels.items():
            per_day = answered.scaled(1 / m.days) if m.days > 0 else answered
            total = m.channels[channel].answered.mean if channel in m.channels else math.nan
            share = answered.mean / total if total else math.nan
            rows.append([pool, channel, fmt_ci("answered", per_day), fmt("service_level", share)])
    return rows


#: The dispatch table's columns after the grade (DESIGN §12).
DISPATCH_GRADE = ("attended_within_target", "mean_arrival_s", "p90_arrival_s",
                  "incidents_per_day")


def dispatch_rows(run: RunResults) -> tuple[list[list[str]], list[list[str]]]:
    """With officers: per grade its target and measures, and the officers' overall measures
    (each mean with its 95% interval); two empty lists without."""
    node = run.summary.get("dispatch")
    if not isinstance(node, dict):
        return [], []
    n = run.measured.replications
    grades, overall = [], []
    targets = dispatch_targets(run)
    for name, value in node.items():
        if not isinstance(value, dict) or name == AREAS:
            continue
        if "mean" in value:
            overall.append([label(name), fmt_ci(name, estimate_from(value, n))])
            continue
        grades.append([name, _target_text(targets.get(name)), *_grade_cells(value, n)])
    return grades, overall


def dispatch_area_rows(run: RunResults) -> tuple[list[list[str]], list[list[str]]]:
    """With areas: per area and grade its target and measures, and per area its own measures
    (its officers' utilisation, the chase calls about its incidents, its incidents waiting),
    each mean with its 95% interval; two empty lists without areas."""
    node = run.summary.get("dispatch")
    areas = node.get(AREAS) if isinstance(node, dict) else None
    if not isinstance(areas, dict):
        return [], []
    n = run.measured.replications
    targets = area_targets(_scenario_doc(run))
    rows, own = [], []
    for area, figures in areas.items():
        if not isinstance(figures, dict):
            continue
        own.append([area, *(fmt_ci(m, estimate_from(figures.get(m), n))
                            for m in AREA_OVERALL)])
        for grade, value in figures.items():
            if isinstance(value, dict) and "mean" not in value:
                rows.append([area, grade, _target_text(targets.get(area, {}).get(grade)),
                             *_grade_cells(value, n)])
    return rows, own


def _grade_cells(value: dict[str, object], n: int) -> list[str]:
    return [fmt_ci(m, estimate_from(value[m], n)) if m in value else "-"
            for m in DISPATCH_GRADE]


def _target_text(target: float | None) -> str:
    if target is None:
        return "-"
    return "by area" if math.isnan(target) else fmt_target(target)


#: summary.json's ``dispatch`` key of the areas' figures.
AREAS = "areas"
#: The targets a scenario.toml leaves out (DESIGN §12; scheduled has none).
DEFAULT_TARGETS = {"immediate": 900.0, "priority": 3600.0}


def _scenario_doc(run: RunResults) -> dict[str, Any]:
    try:
        return tomllib.loads(run.scenario_text)
    except tomllib.TOMLDecodeError:
        return {}


def _targets(node: object, base: dict[str, float]) -> dict[str, float]:
    """A ``targets`` table of scenario.toml (keys left out take their defaults), or ``base``
    where there is none."""
    if not isinstance(node, dict):
        return base
    return {**DEFAULT_TARGETS, **{k: float(v) for k, v in node.items()
                                  if isinstance(v, int | float)}}


def area_targets(doc: dict[str, Any]) -> dict[str, dict[str, float]]:
    """With areas: area -> its targets (its own, else [dispatch]'s); {} without."""
    force = _targets(doc.get("dispatch", {}).get("targets"), DEFAULT_TARGETS)
    officers = doc.get("officers", {})
    if not any(isinstance(o, dict) and "share" in o for o in officers.values()):
        return {}
    return {name: _targets(o.get("targets"), force) for name, o in officers.items()
            if isinstance(o, dict)}


def dispatch_targets(run: RunResults) -> dict[str, float]:
    """The attendance targets the run was judged against (from its scenario.toml); with areas,
    a grade's target where every area has the same, NaN where they differ."""
    doc = _scenario_doc(run)
    areas = area_targets(doc)
    if not areas:
        return _targets(doc.get("dispatch", {}).get("targets"), DEFAULT_TARGETS)
    out: dict[str, float] = {}
    for grade in ATTENDED:
        goals = [t[grade] for t in areas.values() if grade in t]
        if goals and len(goals) == len(areas):  # else some area has no target for it
            out[grade] = goals[0] if len(set(goals)) == 1 else math.nan
    return out


def _union(sections: Sequence[Sequence[str]]) -> list[str]:
    return list(dict.fromkeys(name for names in sections for name in names))


def run_html(run: RunResults, plots: Sequence[Plot]) -> str:
    m = run.measured
    pool_measures = _union([p.names for p in m.pools.values()])
    weekly = [p for p in plots if not p.file.startswith(("plots/calendar_",
                                                         f"plots/{WORKFORCE_PNG}",
                                                         f"plots/{DISPATCH_PNG}"))]
    calendar_plots = [p for p in plots if p.file.startswith("plots/calendar_")]
    workforce_plots = [p for p in plots if p.file == f"plots/{WORKFORCE_PNG}"]
    dispatch_plots = [p for p in plots if p.file == f"plots/{DISPATCH_PNG}"]
    tables = calendars(run)
    grades, overall = dispatch_rows(run)
    by_area, area_own = dispatch_area_rows(run)
    return render(
        "run.html", title=f"contactsim: {run.name}", run=run,
        channel_measures=_union([c.names for c in m.channels.values()]),
        pool_measures=pool_measures,
        per_day_hours="staff_hours" in pool_measures and m.days > 0,
        diversion_measures=_union([d.names for d in m.diversions.values()]),
        answered_by=answered_by(run), calendars=tables, dispatch_grades=grades,
        dispatch_overall=overall, dispatch_figures=embed(run.folder, dispatch_plots),
        dispatch_columns=["grade", "target", *(label(m) for m in DISPATCH_GRADE)],
        dispatch_areas=by_area, dispatch_area_columns=[
            "area", "grade", "target", *(label(m) for m in DISPATCH_GRADE)],
        dispatch_area_own=area_own,
        dispatch_area_own_columns=["area", *(label(m) for m in AREA_OVERALL)],
        calendar_figures=embed(run.folder, calendar_plots) if tables else [],
        workforce=workforce_section(run), workforce_figures=embed(run.folder, workforce_plots),
        figures=embed(run.folder, weekly), not_drawn=drawn_text(run.channels, run.pools))


def _write_report(folder: Path, read: Callable[[Path], T],
                  draw: Callable[[T, Path], list[Plot]],
                  html: Callable[[T, list[Plot]], str]) -> Path:
    """Read a folder's saved tables, draw its plots there and write its report.html."""
    results = read(folder)
    path = folder / REPORT
    path.write_text(html(results, draw(results, folder)), encoding="utf-8")
    return path


def write_run_report(folder: Path) -> Path:
    """Draw a run's plots and write its report.html, from its saved tables."""
    return _write_report(folder, read_run, draw_run, run_html)


# --- redrawing a folder ---------------------------------------------------------------------


def check_readable(folder: Path) -> None:
    """Read a results folder fully, so a broken one is reported before anything is written."""
    kind = folder_kind(folder)
    check_entries(folder)
    if kind == "staff":
        read_staffing(folder)
        return
    {"compare": read_compare, "sweep": read_sweep, "run": read_run}[kind](folder)


def check_entries(folder: Path) -> None:
    """Refuse a folder holding anything copy_tables could not copy as it is: a named pipe,
    a device or a socket (copying one would block or never end)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "plots" and not d.startswith(".")]
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():  # a link is copied as a link; reading checks its target
                check_regular(path)


def redraw(folder: Path) -> Path:
    """Draw a results folder's plots and report again from its tables; returns the report."""
    kind = folder_kind(folder)
    if kind == "compare":
        for lab in read_compare(folder).labels:
            write_run_report(folder / lab)
        return write_compare_report(folder)
    if kind == "sweep":
        return write_sweep_report(folder)
    return write_run_report(folder)


def copy_tables(source: Path, target: Path) -> None:
    """Copy a results folder without its plots and reports (they are drawn again)."""
    shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True,
                    ignore=shutil.ignore_patterns("plots", REPORT, ".*"))
