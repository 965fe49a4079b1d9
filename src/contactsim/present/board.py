"""Board-ready figures of a comparison: a piece to paste, and the changes as a table.

A planner writing a board paper needs the comparison in two forms: a lead and a few bullets
that state what the change buys, with its uncertainty, and the changes in a spreadsheet (the
comparison folder's ``summary.csv``). The lead says whether the scenario meets or misses 90%
on 999 (within 10 s); each bullet words a clear change as better or worse for the public where
the public feels it (service level, answer times, callers hanging up). Officer hours are
*released* only where diversion released them: when they fall because more callers hung up,
nothing was released (those incidents were not dealt with) and the bullet says so ("13.9
fewer officer hours a day ..., because more callers hung up"). Both forms are built from
compare.csv and the members' saved tables only, in the planner's units
(:mod:`contactsim.results.board`), and a change is called clear by the one rule the report
uses (:func:`contactsim.present.words.is_clear`: its 95% interval, as printed, excludes zero).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contactsim.analysis.stats import Estimate, paired_difference, welch
from contactsim.present.precision import spans_target
from contactsim.present.words import fmt, fmt_ci, fmt_target, is_clear
from contactsim.results.board import REPEATS, dispatch_measure, planner_unit
from contactsim.results.compare import Key, is_paired, replication_values
from contactsim.results.read import CompareResults, RunResults, Table, row_estimate
from contactsim.results.write import write_csv
from contactsim.standard import TARGET_S, TARGET_SL

#: Days in an average month, for "about 2,000 a month".
MONTH_DAYS = 365.25 / 12
CHANGES_CSV = "summary.csv"
CHANGES_COLUMNS = ("scenario", "base", "measure", "channel", "pool", "diversion", "base_mean",
                   "scenario_mean", "unit", "change", "ci_low", "ci_high", "change_unit",
                   "clear", "method", "for_public")
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


#: Measures where a rise is better for the public, and where a fall is; any other change (staff,
#: utilisation, demand, diversions) is neither, and is called a clear rise or fall.
BETTER_UP = frozenset({"service_level", "band_lt10", "answered", "attended_within_target"})
BETTER_DOWN = frozenset({"abandon_rate", "abandoned", "mean_answer_s", "mean_wait_s",
                         "p90_answer_s", "p99_answer_s", "band_ge60", "closed_lost",
                         "mean_arrival_s", "p90_arrival_s", "chase_per_day"})


def for_public(measure: str, change: Estimate) -> str:
    """``better``, ``worse`` (for the public) or ``""``: a clear change of a measure the
    public feels (service level, answer times, callers hanging up), by the report's rule."""
    if measure not in BETTER_UP | BETTER_DOWN or not is_clear(measure, change):
        return ""
    return "better" if (change.mean > 0) == (measure in BETTER_UP) else "worse"


def public_words(measure: str, change: Estimate) -> str:
    """``better for the public``, ``worse for the public`` or ``no clear change``."""
    side = for_public(measure, change)
    return f"{side} for the public" if side else "no clear change"


@dataclass(frozen=True)
class Board:
    """What a scenario changes, for a board paper: a lead sentence, bullets and a note."""

    lead: str
    bullets: tuple[str, ...]
    note: str

    def text(self) -> str:
        """Plain text to paste: the lead, one ``- `` line per bullet, the note."""
        return "\n".join([self.lead, *(f"- {b}" for b in self.bullets), self.note])


def headline_channel(run: RunResults) -> str | None:
    """The channel a scenario is led with: 999 where it has one, else its first channel."""
    return "999" if "999" in run.channels else (run.channels[0] if run.channels else None)


def standard_words(channel: str, target_s: float) -> str:
    if channel == "999" and target_s == TARGET_S:
        return "the 999 standard (90% answered within 10 s)"
    return f"90% answered within {fmt_target(target_s)} on {channel}"


def meets_words(sl: Estimate) -> str:
    """``meets`` or ``misses`` 90%, by the report's badge rule (the mean against 90%)."""
    return "meets" if sl.mean >= TARGET_SL else "misses"


def unsure_words(sl: Estimate) -> str:
    """``, not certainly (...)`` where the 95% interval spans 90%, as the report's badge says."""
    return ", not certainly (its 95% interval spans 90%)" if spans_target(sl) else ""


def lead(result: CompareResults, i: int) -> str:
    """``RCRP misses the 999 standard (...): 82.2% (95% CI ...); the base ... 79.7%.``"""
    base, run = result.runs[0], result.runs[i]
    channel = headline_channel(run)
    if channel is None:
        return f"{run.name}: no channels to judge against 90%."
    sl = run.measured.channels[channel].service_level
    if not math.isfinite(sl.mean):
        return f"{run.name}: no {channel} contacts to judge against 90%."
    text = (f"{run.name} {meets_words(sl)} {standard_words(channel, run.target_s(channel))}: "
            f"{phrase('service_level', sl, '')}{unsure_words(sl)}")
    if channel in base.measured.channels:
        was = base.measured.channels[channel].service_level
        if math.isfinite(was.mean):
            same = (was.mean >= TARGET_SL) == (sl.mean >= TARGET_SL)
            text += (f"; the base, {base.name}, {meets_words(was)} it{' too' if same else ''},"
                     f" at {fmt('service_level', was.mean)}")
    return text + "."


def _channel_bullet(result: CompareResults, i: int, channel: str) -> str | None:
    """``999: 70.5% within 10 s, -9.1 pts (95% CI ...): worse for the public; ...``"""
    run, label = result.runs[i], result.labels[i]
    measures = run.measured.channels[channel]
    sl = difference(result, label, "channel", channel, "service_level")
    if not math.isfinite(sl.mean):
        return None
    text = (f"{channel}: {fmt('service_level', measures.service_level.mean)} answered within "
            f"{fmt_target(run.target_s(channel))}, {with_ci('service_level', sl, signed=True)} "
            f"on the base: {public_words('service_level', sl)}")
    gave_up = difference(result, label, "channel", channel, "abandon_rate")
    if for_public("abandon_rate", gave_up):
        text += (f"; {fmt('abandon_rate', measures.abandon_rate.mean)} of callers hung up, "
                 f"{with_ci('abandon_rate', gave_up, signed=True)}: "
                 f"{public_words('abandon_rate', gave_up)}")
    return text


def _clear_change(result: CompareResults, i: int, kind: str, measure: str, sign: int) -> bool:
    """Whether any channel (or diversion) of scenario ``i`` clearly moves ``measure`` in the
    direction ``sign`` (+1 up, -1 down) against the base."""
    run = result.runs[i]
    names = run.channels if kind == "channel" else list(run.measured.diversions)
    return any(is_clear(measure, ch) and ch.mean * sign > 0 for ch in (
        per_day(measure, difference(result, result.labels[i], kind, n, measure), run.days)
        for n in names))


def _diverts(result: CompareResults, i: int, sign: int) -> bool:
    """Whether scenario ``i`` diverts clearly more (``sign`` +1) or fewer (-1) contacts to
    partners than the base, counting diversions only one of them has."""
    base, run = result.runs[0].measured.diversions, result.runs[i].measured.diversions
    own, other = (run, base) if sign > 0 else (base, run)
    if any(n not in other and m.diverted.mean > 0 for n, m in own.items()):
        return True
    return _clear_change(result, i, "diversion", "diverted", sign)


def officer_causes(result: CompareResults, i: int, change: Estimate) -> tuple[bool, list[str]]:
    """Why officer hours moved: (whether diversion released any, the other reasons).

    Officer hours fall when diversion hands incidents to partners (hours *released*), when
    more callers hang up (their incidents are not dealt with: nothing is released) or when
    fewer contacts arrive; they rise for the opposite reasons.
    """
    sign = 1 if change.mean > 0 else -1
    released = sign < 0 and _diverts(result, i, 1)
    reasons = []
    if sign > 0 and _diverts(result, i, -1):
        reasons.append("fewer contacts are diverted to partners")
    if _clear_change(result, i, "channel", "abandoned", -sign):
        reasons.append("more callers hung up" if sign < 0 else
                       "fewer callers hung up, so more incidents are dealt with")
    if _new_contacts(result, i, sign):
        reasons.append("more contacts arrive" if sign > 0 else "fewer contacts arrive")
    return released, reasons


def _new_contacts(result: CompareResults, i: int, sign: int) -> bool:
    """Whether any channel clearly gets more (``sign`` +1) or fewer (-1) new contacts:
    arrivals less redials, replication by replication (fewer redials are callers hanging up
    less, not less demand)."""
    base, run = result.runs[0], result.runs[i]
    a, b = replication_values(base), replication_values(run)
    for ch in (c for c in run.channels if c in base.channels):
        keys = [("channel", ch, m) for m in ("arrivals", "redials")]
        if not all(k in a and k in b for k in keys):
            continue
        new_a, new_b = (v[keys[0]] - v[keys[1]] - _chase_calls(r, v, ch)
                        for r, v in ((base, a), (run, b)))
        change = (paired_difference(new_a, new_b) if is_paired(base, run)
                  else welch(new_a, new_b))
        change = per_day("arrivals", change, run.days)
        if is_clear("arrivals", change) and change.mean * sign > 0:
            return True
    return False


def _chase_calls(run: RunResults, values: dict[Key, np.ndarray], channel: str) -> Any:
    """The chase calls arriving on ``channel`` in each replication (0 without any): callers
    ringing again about an incident, not new contacts (DESIGN §12)."""
    try:
        chase = tomllib.loads(run.scenario_text).get("dispatch", {}).get("chase", {})
    except tomllib.TOMLDecodeError:
        return 0.0
    key = ("dispatch", "all", "chase_per_day")
    if chase.get("channel") != channel or key not in values:
        return 0.0
    return values[key] * run.days


def officers_bullet(result: CompareResults, i: int, change: Estimate) -> str:
    """Officer hours a day: released only where diversion released them."""
    m = "officer_hours"
    if not is_clear(m, change):
        return f"officer hours a day {with_ci(m, change, signed=True)}: not a clear change"
    released, reasons = officer_causes(result, i, change)
    size = change if change.mean > 0 else Estimate(-change.mean, -change.ci_high,
                                                   -change.ci_low, change.n)
    month = f"about {about(size.mean * MONTH_DAYS)} a month"
    if change.mean > 0:
        text = "needs " + phrase(m, size, " more officer hours a day", extra=month)
        return text + (", because " + " and ".join(reasons) if reasons else "")
    if released and not reasons:
        return "releases " + phrase(m, size, " officer hours a day", extra=month) + \
            ", through diversion to partners"
    text = phrase(m, size, " fewer officer hours a day", extra=month)
    if released:
        return (text + ": partly released by diversion to partners, partly because "
                + " and ".join(reasons) + ", which releases nothing")
    return text + (", because " + " and ".join(reasons) if reasons else "") + \
        " (not hours released: fewer incidents are dealt with)"


def _dispatch(result: CompareResults, i: int) -> list[str]:
    """With officers in both (DESIGN §12): attendance within target by grade, and the chase
    calls, each from the base's figure to the scenario's with the change's interval."""
    base, run, label = result.runs[0], result.runs[i], result.labels[i]
    if not isinstance(base.summary.get("dispatch"), dict) or \
            not isinstance(run.summary.get("dispatch"), dict):
        return []
    parts = []
    for grade, node in run.summary["dispatch"].items():
        if not isinstance(node, dict) or "attended_within_target" not in node:
            continue
        change = difference(result, label, "dispatch", grade, "attended_within_target")
        if math.isfinite(change.mean):
            parts.append(_moved(result, i, grade, "attended_within_target", change,
                                f"{grade} incidents attended within target"))
    chase = difference(result, label, "dispatch", "all", "chase_per_day")
    if math.isfinite(chase.mean):
        parts.append(_moved(result, i, "all", "chase_per_day", chase, "chase calls a day"))
    return ["officers: " + "; ".join(parts)] if parts else []


def _moved(result: CompareResults, i: int, name: str, measure: str, change: Estimate,
           words: str) -> str:
    """``WORDS 71.8% -> 75.3% (+3.4 pts, 95% CI ...), better``."""
    def mean(run: RunResults) -> float:
        node = run.summary["dispatch"]
        node = node.get(name, {}) if name != "all" else node
        value = (node.get(measure) or {}).get("mean")
        return float(value) if isinstance(value, int | float) else math.nan

    good = for_public(measure, change)
    return (f"{words} {fmt(measure, mean(result.runs[0]))} -> {fmt(measure, mean(result.runs[i]))}"
            f" ({with_ci(measure, change, signed=True).replace(' (', ', ', 1)}"
            + (f", {good}" if good else f", {verdict(measure, change)}"))


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
                       f"to partners, {with_ci('diverted', change, signed=True)} on the base: "
                       f"{verdict('diverted', change)}")
            continue
        text = f"{name} diverts " + phrase("diverted", diverted, " contacts a day to partners")
        if failed.mean > 0:
            text += f", with {fmt('failed', failed.mean)} handovers a day failing"
            split = [(why, per_day(m, measures[m], run.days)) for why, m in
                     (("partner closed", "failed_closed"), ("partner busy", "failed_busy"))]
            if all(math.isfinite(e.mean) for _, e in split):  # older runs have no split
                text += " (" + ", ".join(f"{why} {fmt('failed', e.mean)}"
                                         for why, e in split) + ")"
        out.append(text)
    return out


def _pools(result: CompareResults, i: int) -> list[str]:
    base, run, label = result.runs[0], result.runs[i], result.labels[i]
    out = []
    for pool in (p for p in base.pools if p in run.pools):
        parts = []
        hours = per_day("staff_hours", difference(result, label, "pool", pool, "staff_hours"),
                        run.days)
        base_hours = base.measured.pools[pool].staff_hours.mean / max(base.days, 1e-9)
        if is_clear("staff_hours", hours) and abs(hours.mean) >= 0.01 * abs(base_hours):
            parts.append(phrase("staff_hours", hours, " staff hours on duty a day",
                                signed=True))
        use = difference(result, label, "pool", pool, "utilisation")
        if math.isfinite(use.mean):
            parts.append(f"utilisation {with_ci('utilisation', use, signed=True)}, "
                         f"{verdict('utilisation', use)}")
        if parts:
            out.append(f"{pool}: " + "; ".join(parts))
    return out


def cost_bullet(result: CompareResults, i: int) -> list[str]:
    """The change in a year's cost and the pounds per point of 999 service level gained;
    nothing where either run prices nothing (a scenario without costs says nothing of money)."""
    label = result.labels[i]
    cost = difference(result, label, "cost", "year", "total")
    if not math.isfinite(cost.mean):
        return []
    text = (f"Cost: {'+' if cost.mean >= 0 else '-'}£{abs(cost.mean):,.0f} a year (95% CI "
            f"£{cost.ci_low:,.0f} to £{cost.ci_high:,.0f})")
    sl = difference(result, label, "channel", "999", "service_level")
    if math.isfinite(sl.ci_low) and sl.ci_low > 0:
        text += (f"; £{cost.mean / (100 * sl.mean):,.0f} a year per point of 999 service "
                 "level gained")
    elif math.isfinite(sl.mean):
        text += "; the 999 service level does not clearly rise, so there is no price per point"
    return [text]


def board(result: CompareResults, i: int) -> Board:
    """What scenario ``i`` (not the base) changes, for a board paper: led by whether it meets
    90% on 999, then each channel (better or worse for the public), officer hours (released
    only where diversion released them), diversions and staff."""
    run, label = result.runs[i], result.labels[i]
    bullets = [b for b in (_channel_bullet(result, i, c) for c in result.runs[0].channels
                           if c in run.channels) if b]
    officers = difference(result, label, "officers", "all", "officer_hours")
    if math.isfinite(officers.mean):
        bullets.append(officers_bullet(result, i, officers))
    bullets += _dispatch(result, i)
    bullets += _diversions(result, i) + _pools(result, i) + cost_bullet(result, i)
    return Board(lead(result, i), tuple(bullets),
                 f"Against {result.runs[0].name} (the base). {how_paired(result)}")


def board_paragraph(result: CompareResults, i: int) -> str:
    """:func:`board` as plain text, to paste."""
    return board(result, i).text()


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
        kind, name = table.text("kind")[r], table.text("name")[r]
        rows.append([table.text("scenario")[r], table.text("base")[r],
                     dispatch_measure(name, measure) if kind == "dispatch" else measure,
                     *_names(kind, name),
                     _cell(float(table.numbers("base_mean")[r]) * factor),
                     _cell(float(table.numbers("scenario_mean")[r]) * factor), unit,
                     _cell(shown.mean), _cell(shown.ci_low), _cell(shown.ci_high),
                     "pts" if unit == "%" else unit, "yes" if clear else "no",
                     table.text("method")[r], for_public(measure, change)])
    return rows


def write_changes_csv(result: CompareResults, folder: Path) -> None:
    """The comparison folder's summary.csv (see :func:`change_rows`)."""
    runs = dict(zip(result.labels, result.runs, strict=True))
    write_csv(folder / CHANGES_CSV, CHANGES_COLUMNS, change_rows(result.differences, runs))
