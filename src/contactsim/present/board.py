"""Board-ready figures of a comparison: a paragraph to paste, and the changes as a table.

A planner writing a board paper needs the comparison in two forms: a few sentences that state
what the change buys, with its uncertainty ("Against the baseline, RCRP releases 66 officer
hours a day (95% CI 60 to 72; about 2,000 a month); 999 service level +0.3 pts (95% CI -0.2 to
+0.8 pts), not a clear change"), and the changes in a spreadsheet (the comparison folder's
``summary.csv``). Both are built from compare.csv and the members' summary.json only, in the
planner's units (:mod:`contactsim.results.board`), and a change is called clear by the one
rule the report uses (:func:`contactsim.present.words.is_clear`: its 95% interval, as printed,
excludes zero).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from contactsim.analysis.stats import Estimate
from contactsim.present.words import fmt, fmt_ci, is_clear
from contactsim.results.board import REPEATS, planner_unit
from contactsim.results.read import CompareResults, RunResults, Table, row_estimate
from contactsim.results.write import write_csv

#: Days in an average month, for "about 2,000 a month".
MONTH_DAYS = 365.25 / 12
CHANGES_CSV = "summary.csv"
CHANGES_COLUMNS = ("scenario", "base", "measure", "channel", "pool", "diversion", "base_mean",
                   "scenario_mean", "unit", "change", "ci_low", "ci_high", "change_unit",
                   "clear", "method")
NAN = Estimate(math.nan, math.nan, math.nan, 0)


def difference(result: CompareResults, label: str, kind: str, name: str,
               measure: str) -> Estimate:
    """A scenario's change against the base, from compare.csv (NaN when not there)."""
    row = (result.differences.where("scenario", label).where("kind", kind).where("name", name)
           .where("measure", measure))
    if not len(row):
        return NAN
    return row_estimate(row, 0, ("difference", "ci_low", "ci_high"))


def per_day(measure: str, est: Estimate, days: float) -> Estimate:
    """A count or total of hours per day (shares and times as they are), as the report
    shows it and :func:`is_clear` judges it."""
    factor, unit = planner_unit(measure, days)
    return est if unit in ("%", "s") else est.scaled(factor)


def with_ci(measure: str, est: Estimate, *, signed: bool = False) -> str:
    """``+2.0 pts (95% CI +0.5 to +3.5 pts)``: :func:`fmt_ci` with the interval named."""
    return fmt_ci(measure, est, signed=signed).replace(" (", " (95% CI ", 1)


def verdict(measure: str, change: Estimate) -> str:
    if not is_clear(measure, change):
        return "not a clear change"
    return "a clear rise" if change.mean > 0 else "a clear fall"


def about(value: float) -> str:
    """A figure to two significant figures, as said aloud: 2,000, 340, 7.5."""
    if value == 0 or not math.isfinite(value):
        return "0"
    rounded = float(f"{value:.2g}")
    return f"{rounded:,.0f}" if abs(rounded) >= 10 else f"{rounded:g}"


def phrase(measure: str, est: Estimate, words: str, *, signed: bool = False,
           extra: str = "") -> str:
    """``66 officer hours a day (95% CI 60 to 72; EXTRA)``: the figure, then ``words``, then
    its interval (and ``extra``) in brackets."""
    mean, _, interval = fmt_ci(measure, est, signed=signed).partition(" (")
    inside = "; ".join(x for x in (f"95% CI {interval[:-1]}" if interval else "", extra) if x)
    return f"{mean}{words}" + (f" ({inside})" if inside else "")


def _officers(change: Estimate) -> str:
    m = "officer_hours"
    if not is_clear(m, change):
        return f"officer hours a day {with_ci(m, change, signed=True)}, not a clear change"
    if change.mean < 0:
        released = Estimate(-change.mean, -change.ci_high, -change.ci_low, change.n)
        return "releases " + phrase(m, released, " officer hours a day",
                                    extra=f"about {about(released.mean * MONTH_DAYS)} a month")
    return "needs " + phrase(m, change, " more officer hours a day",
                             extra=f"about {about(change.mean * MONTH_DAYS)} a month")


def _diversions(result: CompareResults, i: int) -> list[str]:
    run, base = result.runs[i], result.runs[0]
    out = []
    for name, measures in run.measured.diversions.items():
        diverted = per_day("diverted", measures.diverted, run.days)
        failed = per_day("failed", measures.failed, run.days)
        if name in base.measured.diversions:
            change = per_day("diverted", difference(result, result.labels[i], "diversion",
                                                    name, "diverted"), run.days)
            out.append(f"{name} diverts {fmt('diverted', diverted.mean)} contacts a day "
                       f"({with_ci('diverted', change, signed=True)} on the base, "
                       f"{verdict('diverted', change)})")
            continue
        text = f"{name} diverts " + phrase("diverted", diverted, " contacts a day to partners")
        if failed.mean > 0:
            text += f", with {fmt('failed', failed.mean)} handovers a day failing"
        out.append(text)
    return out


def board_paragraph(result: CompareResults, i: int) -> str:
    """What scenario ``i`` (not the base) changes, in sentences for a board paper."""
    base, run, label = result.runs[0], result.runs[i], result.labels[i]
    parts = []
    officers = difference(result, label, "officers", "all", "officer_hours")
    if math.isfinite(officers.mean):
        parts.append(_officers(officers))
    parts += _diversions(result, i)
    for channel in (c for c in base.channels if c in run.channels):
        sl = run.measured.channels[channel].service_level
        change = difference(result, label, "channel", channel, "service_level")
        if math.isfinite(change.mean):
            parts.append(f"{channel} service level {fmt('service_level', sl.mean)}, "
                         f"{with_ci('service_level', change, signed=True)}, "
                         f"{verdict('service_level', change)}")
    for pool in (p for p in base.pools if p in run.pools):
        hours = per_day("staff_hours", difference(result, label, "pool", pool, "staff_hours"),
                        run.days)
        base_hours = base.measured.pools[pool].staff_hours.mean / max(base.days, 1e-9)
        if is_clear("staff_hours", hours) and abs(hours.mean) >= 0.01 * abs(base_hours):
            parts.append(f"{pool} on duty " + phrase("staff_hours", hours, " staff hours a day",
                                                     signed=True))
        use = difference(result, label, "pool", pool, "utilisation")
        if math.isfinite(use.mean):
            parts.append(f"{pool} utilisation {with_ci('utilisation', use, signed=True)}, "
                         f"{verdict('utilisation', use)}")
    if not parts:
        return f"Against {base.name}, {run.name} shows no figures to compare."
    return (f"Against {base.name} (the base), {run.name}: " + "; ".join(parts) + ". "
            + how_paired(result))


def how_paired(result: CompareResults) -> str:
    if result.paired:
        return (f"Changes are paired differences over {result.runs[0].replications} "
                "replications with the same callers; a change is clear when its 95% "
                "interval excludes zero.")
    return ("Some changes are unpaired (different seeds or run lengths), so their intervals "
            "are wider; a change is clear when its 95% interval excludes zero.")


def _names(kind: str, name: str) -> tuple[str, str, str]:
    """(channel, pool, diversion) of a compare.csv row."""
    if kind == "pool_channel":
        pool, _, channel = name.partition("/")
        return channel, pool, ""
    return {"channel": (name, "", ""), "pool": ("", name, ""),
            "diversion": ("", "", name)}.get(kind, ("", "", ""))


def _cell(value: float) -> Any:
    return "" if not math.isfinite(value) else round(value, 3)


def change_rows(table: Table, runs: dict[str, RunResults]) -> list[list[Any]]:
    """The comparison's summary.csv: every change of compare.csv in the planner's units."""
    rows = []
    for r in range(len(table)):
        measure = table.text("measure")[r]
        if measure in REPEATS:
            continue
        run = runs.get(table.text("scenario")[r])
        days = run.days if run is not None else 0.0
        factor, unit = planner_unit(measure, days)
        change = row_estimate(table, r, ("difference", "ci_low", "ci_high"))
        clear = is_clear(measure, per_day(measure, change, days))
        shown = change.scaled(factor)
        rows.append([table.text("scenario")[r], table.text("base")[r], measure,
                     *_names(table.text("kind")[r], table.text("name")[r]),
                     _cell(float(table.numbers("base_mean")[r]) * factor),
                     _cell(float(table.numbers("scenario_mean")[r]) * factor), unit,
                     _cell(shown.mean), _cell(shown.ci_low), _cell(shown.ci_high),
                     "pts" if unit == "%" else unit, "yes" if clear else "no",
                     table.text("method")[r]])
    return rows


def write_changes_csv(result: CompareResults, folder: Path) -> None:
    """The comparison folder's summary.csv (see :func:`change_rows`)."""
    runs = dict(zip(result.labels, result.runs, strict=True))
    write_csv(folder / CHANGES_CSV, CHANGES_COLUMNS, change_rows(result.differences, runs))
