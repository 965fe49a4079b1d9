"""The HTML report: one self-contained file a planner can open, print or e-mail.

``report.html`` holds everything inline: the style sheet, the plots as base64 ``data:`` images,
the tables and the resolved scenario, so it opens offline on any machine and nothing is fetched
from the network. It is built from a saved results folder (through :mod:`contactsim.tables` and
:mod:`contactsim.plots`), so ``contactsim plot DIR`` rebuilds it byte for byte.

Every piece of user text (scenario names, descriptions, channel and pool names, keys and values)
is escaped with :func:`html.escape`: a scenario named ``<script>alert(1)</script>`` shows as that
text and runs nothing.

Targets: 999 is judged against the national standard, 90% of calls answered within 10 seconds.
No national standard exists for 101 or digital contacts, so each of those channels is judged
against the same 90%, within its own ``answer_target_s`` from the scenario; the report says so.
"""

from __future__ import annotations

import base64
import html
import math
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from contactsim import __version__
from contactsim.analysis.stats import Estimate
from contactsim.present.board import board_paragraph
from contactsim.present.calendar_plot import worst_days
from contactsim.present.plots import (
    MAX_CALENDARS,
    MAX_DRAWN,
    Plot,
    colour,
    daily_service_level,
    draw_run,
    not_drawn,
)
from contactsim.present.plots_whatif import draw_compare, draw_sweep
from contactsim.present.words import (
    MEANINGS,
    fmt,
    fmt_ci,
    fmt_target,
    is_clear,
    label,
    meets_text,
    target_label,
)
from contactsim.results.read import (
    HEADLINE,
    CompareResults,
    RunResults,
    SweepResults,
    Table,
    check_regular,
    folder_kind,
    read_compare,
    read_run,
    read_staffing,
    read_sweep,
    row_estimate,
)
from contactsim.standard import TARGET_S, TARGET_SL

REPORT = "report.html"
T = TypeVar("T")  # the results a report is drawn from: a run, a comparison or a sweep

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #1b1b1b; background: #f4f5f7; margin: 0; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 1.7em; margin: 0.1em 0 0.3em; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.5em; border-bottom: 2px solid #e2e4e8;
     padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.78em; color: #555;
          margin: 0; }
.meta { color: #555; font-size: 0.9em; }
.desc { max-width: 60em; }
.warnings { border: 3px solid #D55E00; background: #fff4ec; padding: 10px 16px;
            margin: 16px 0; border-radius: 6px; }
.warnings h2 { border: 0; margin: 0.2em 0; color: #8a3200; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 300px; border: 1px solid #d9dce1; border-radius: 8px; padding: 12px 14px; }
.card .big { font-size: 1.9em; font-weight: 650; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 650;
         font-size: 0.85em; color: #fff; white-space: nowrap; }
.pass { background: #0072B2; }
.miss { background: #D55E00; }
.neutral { background: #6b6b6b; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e2e4e8; padding: 5px 10px; text-align: right;
         vertical-align: top; }
th { background: #f0f2f5; }
th:first-child, td:first-child { text-align: left; min-width: 12em; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.nw { white-space: nowrap; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px;
          vertical-align: -0.1em; margin-right: 0.35em; }
figure { margin: 18px 0 26px; }
figure img { width: 100%; height: auto; border: 1px solid #e2e4e8; }
figcaption { color: #444; font-size: 0.9em; margin-top: 4px; max-width: 60em; }
figcaption b { color: #1b1b1b; }
pre { background: #f6f7f9; border: 1px solid #e2e4e8; padding: 10px; overflow: auto;
      font-size: 0.82em; max-height: 40em; white-space: pre-wrap; }
.note { color: #444; font-size: 0.9em; max-width: 62em; }
.scroll { overflow-x: auto; }
"""


def esc(value: object) -> str:
    """Any value as HTML text: every user string passes through here."""
    return html.escape(str(value), quote=True)


# --- building blocks ------------------------------------------------------------------------


def page(title: str, body: Iterable[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def table_html(header: Sequence[str], rows: Iterable[Sequence[str]], *,
               raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw`` (already built from escaped parts)."""
    cell = (lambda v: v) if raw else esc
    head = "".join(f"<th>{cell(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td class=\"num\">{cell(v)}</td>" if i else
                                    f"<td>{cell(v)}</td>" for i, v in enumerate(row))
                   + "</tr>\n" for row in rows)
    return f"<div class=\"scroll\"><table>\n<tr>{head}</tr>\n{body}</table></div>"


def figures(folder: Path, plots: Sequence[Plot]) -> str:
    """Each plot as an embedded PNG (a data: URI) with its caption."""
    out = []
    for plot in plots:
        data = base64.b64encode((folder / plot.file).read_bytes()).decode("ascii")
        out.append(f"<figure><img src=\"data:image/png;base64,{data}\" alt=\"{esc(plot.title)}\">"
                   f"<figcaption><b>{esc(plot.title)}.</b> {esc(plot.caption)}</figcaption>"
                   "</figure>")
    return "\n".join(out)


def warnings_html(warnings: Sequence[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
    return (f"<section class=\"warnings\"><h2>Warnings: read these first</h2><ul>{items}</ul>"
            "</section>")


def verdict(est: Estimate) -> str:
    """A pass/miss badge for a service level against 90%, with how sure it is."""
    if not math.isfinite(est.mean):
        return "<span class=\"badge neutral\">no contacts</span>"
    ok = est.mean >= TARGET_SL
    badge = ("<span class=\"badge pass\">&#10003; meets target</span>" if ok else
             "<span class=\"badge miss\">&#10007; misses target</span>")
    if math.isfinite(est.ci_low) and est.ci_low < TARGET_SL <= est.ci_high:
        badge += "<br><span class=\"note\">(not certain: the 95% interval spans 90%)</span>"
    return badge


def target_note() -> str:
    return ("<p class=\"note\"><b>Targets.</b> 999 is judged against the national standard: "
            "90% of calls answered within 10 seconds, the clock starting when the network "
            "operator connects the call. There is no national standard for 101 or digital "
            "contacts, so each of those is judged against the same 90%, within its own answer "
            "target from the scenario file (<code>answer_target_s</code>). A channel "
            "<i>meets</i> its target when its mean service level is at least 90%.</p>")


def reading_note() -> str:
    return ("<section><h2>How to read this report</h2><ul class=\"note\">"
            "<li><b>Service level</b>: contacts answered within the channel's target time, "
            "divided by all contacts offered. Callers who hang up count as failures.</li>"
            "<li><b>Answer time</b>: connection plus time in the queue (recorded messages "
            "before the queue are not counted), over answered contacts, as forces publish "
            "it.</li>"
            "<li><b>95% confidence interval</b> (the figures in brackets and the shaded bands): "
            "the range the true long-run figure lies in with 95% confidence, from the spread "
            "over independent replications (Student t). More replications or longer runs "
            "narrow it.</li>"
            "<li><b>Counts</b> (offered, answered, abandoned) are totals over the measured days "
            "of one replication; per-day figures are given beside them.</li></ul></section>")


# --- one run --------------------------------------------------------------------------------


def run_header(run: RunResults, kicker: str = "contactsim report") -> str:
    s = run.summary
    warmup = float(s.get("warmup_days", 0.0))
    meta = (f"{run.replications} replications &times; {run.days:g} measured days "
            f"(after {warmup:g} warm-up days) &middot; seed "
            f"{esc(s.get('seed', ''))} &middot; scenario file "
            f"<code>{esc(s.get('scenario', {}).get('file', ''))}</code> &middot; contactsim "
            f"{esc(s.get('contactsim_version', __version__))}")
    desc = f"<p class=\"desc\">{esc(run.description)}</p>" if run.description else ""
    return (f"<header><p class=\"kicker\">{esc(kicker)}</p><h1>{esc(run.name)}</h1>{desc}"
            f"<p class=\"meta\">{meta}</p></header>")


def glance(run: RunResults) -> str:
    """One card per channel: service level against target, and the verdict."""
    cards = []
    for channel in run.channels:
        target_s = run.targets_s.get(channel, TARGET_S)
        sl = run.estimate("channels", channel, "service_level")
        ma = run.estimate("channels", channel, "mean_answer_s")
        cards.append(
            f"<div class=\"card\"><div><b>{esc(channel)}</b> &middot; "
            f"{esc(target_label(channel, target_s))}</div>"
            f"<div class=\"big\">{esc(fmt('service_level', sl.mean))}</div>"
            f"<div>answered within {esc(fmt_target(target_s))} "
            f"<span class=\"note\">(95% CI {esc(_interval('service_level', sl))})</span></div>"
            f"<div>{verdict(sl)}</div><div class=\"note\">mean answer time "
            f"{esc(fmt_ci('mean_answer_s', ma))}</div></div>")
    return f"<section><h2>At a glance</h2><div class=\"cards\">{''.join(cards)}</div>" \
           f"{target_note()}</section>"


def _interval(measure: str, est: Estimate) -> str:
    if not (math.isfinite(est.ci_low) and math.isfinite(est.ci_high)):
        return "not available from one replication"
    return f"{fmt(measure, est.ci_low)} to {fmt(measure, est.ci_high)}"


def measures_table(run: RunResults) -> str:
    """Every channel measure (rows) for every channel (columns), mean and 95% interval."""
    channels = run.channels
    measures = list(dict.fromkeys(m for ch in channels
                                  for m in run.summary["channels"][ch]))
    rows: list[list[str]] = [
        ["target", *(esc(target_label(c, run.targets_s.get(c, TARGET_S))) for c in channels)],
        ["meets the target?", *(verdict(run.estimate("channels", c, "service_level"))
                                for c in channels)],
    ]
    for m in measures:
        meaning = f"<br><span class=\"note\">{esc(MEANINGS[m])}</span>" if m in MEANINGS else ""
        rows.append([esc(label(m)) + meaning, *(esc(fmt_ci(m, run.estimate("channels", c, m)))
                                      for c in channels)])
        if m == "offered" and run.days > 0:
            rows.append([esc("contacts offered per day"),
                         *(esc(fmt_ci(m, _per_day(run.estimate("channels", c, m), run.days)))
                           for c in channels)])
    return ("<section><h2>Every measure, per channel</h2><p class=\"note\">Mean over "
            "replications with its 95% confidence interval in brackets.</p>"
            + table_html(["measure", *(esc(c) for c in channels)], rows, raw=True)
            + "</section>")


def _per_day(est: Estimate, days: float) -> Estimate:
    return est.scaled(1 / days)


def pools_table(run: RunResults) -> str:
    if not run.pools:
        return ""
    measures = list(dict.fromkeys(m for p in run.pools for m in run.summary["pools"][p]))
    header = ["pool", *(label(m) for m in measures)]
    rows = [[p, *(fmt_ci(m, run.estimate("pools", p, m)) for m in measures)] for p in run.pools]
    if "staff_hours" in measures and run.days > 0:
        header.append("staff hours on duty per day")
        for row, p in zip(rows, run.pools, strict=True):
            row.append(fmt_ci("staff_hours", _per_day(run.estimate("pools", p, "staff_hours"),
                                                      run.days)))
    return ("<section><h2>Staff</h2><p class=\"note\">Utilisation is time busy with contacts "
            "over time on duty; staff hours are totals over the measured days.</p>"
            + table_html(header, rows) + "</section>")


def extras(run: RunResults) -> str:
    """Diversions and officer hours, where the run reports them."""
    parts = []
    diversions = run.summary.get("diversions") or {}
    if diversions:
        measures = list(dict.fromkeys(m for d in diversions.values() for m in (d or {})))
        rows = [[d, *(fmt_ci(m, run.estimate("diversions", d, m)) for m in measures)]
                for d in diversions]
        parts.append("<h3>Diversions to partners</h3>"
                     + table_html(["diversion", *(label(m) for m in measures)], rows))
    officer = run.estimate("officer_hours")
    if math.isfinite(officer.mean):
        parts.append(f"<h3>Officer demand</h3><p>Officer hours per day: <b>"
                     f"{esc(fmt_ci('officer_hours', officer))}</b></p>")
    return f"<section><h2>Partners and officers</h2>{''.join(parts)}</section>" if parts else ""


def who_answered(run: RunResults) -> str:
    """Who answered what: contacts each pool answered on each channel, per day."""
    node = run.summary.get("pool_channel") or {}
    rows = []
    for pool, channels in node.items():
        for channel in channels:
            est = _per_day(run.estimate("pool_channel", pool, channel, "answered"), run.days)
            total = run.estimate("channels", channel, "answered").mean
            share = est.mean * run.days / total if total else math.nan
            rows.append([pool, channel, fmt_ci("answered", est), fmt("service_level", share)])
    if not rows or run.days <= 0:
        return ""
    return ("<section><h2>Who answered what</h2><p class=\"note\">Contacts each pool answered "
            "on each channel, per day (mean and 95% confidence interval), and its share of all "
            "the contacts answered on the channel. A pool that drops digital work for 999 "
            "calls is listed against 999 too.</p>"
            + table_html(["pool", "channel", "answered per day", "share of the channel's "
                          "answered"], rows) + "</section>")


def calendar_section(run: RunResults, plots: Sequence[Plot]) -> str:
    """Service level by date and the ten worst days, for a run pinned to real dates."""
    pages = [p for p in plots if p.file.startswith("plots/calendar_")]
    tables = []
    holidays = set(run.bank_holidays)
    for channel in run.channels[:MAX_CALENDARS]:
        dates, values = daily_service_level(run, channel)
        if not dates:
            continue
        rows = [[f"{d:%a %d %b %Y}" + (" (bank holiday)" if d.isoformat() in holidays else ""),
                 fmt("service_level", v)] for d, v in worst_days(dates, values)]
        met = int(np.sum(values >= TARGET_SL))
        tables.append(f"<h3>{esc(channel)}: the ten worst days</h3><p>{met} of {len(dates)} "
                      f"days meet {100 * TARGET_SL:.0f}% within "
                      f"{esc(fmt_target(run.targets_s.get(channel, TARGET_S)))}.</p>"
                      + table_html(["date", "service level (mean)"], rows))
    if not tables:
        return ""
    return ("<section><h2>Service level by date</h2>" + figures(run.folder, pages)
            + "".join(tables) + "</section>")


def scenario_section(run: RunResults) -> str:
    return ("<section><h2>The scenario as run</h2><p class=\"note\">The resolved scenario "
            "(<code>extends</code> and <code>--set</code> applied), as saved in "
            "<code>scenario.toml</code>; running it again with the same seed reproduces these "
            f"results.</p><pre>{esc(run.scenario_text)}</pre></section>")


def drawn_note(channels: Sequence[str], pools: Sequence[str] = ()) -> str:
    """What the plots leave out when there are more channels (or pools) than they draw."""
    parts = [f"The plots show {MAX_DRAWN} of the {len(names):,} {what}s{first}:"
             f"{not_drawn(names, what)}" for names, what, first in
             ((channels, "channel", " (999 first, then in the scenario's order)"),
              (pools, "pool", "")) if not_drawn(names, what)]
    if not parts:
        return ""
    return (f"<p class=\"note\"><b>Not every one is drawn.</b> {esc(' '.join(parts))} "
            "Every one is in the tables above and in the CSV files.</p>")


def run_html(run: RunResults, plots: Sequence[Plot]) -> str:
    weekly = [p for p in plots if not p.file.startswith("plots/calendar_")]
    body = [run_header(run), warnings_html(run.warnings), glance(run), measures_table(run),
            pools_table(run), who_answered(run), extras(run), calendar_section(run, plots),
            f"<section><h2>Plots</h2>{drawn_note(run.channels, run.pools)}"
            f"{figures(run.folder, weekly)}</section>",
            reading_note(), scenario_section(run)]
    return page(f"contactsim: {run.name}", body)


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


# --- a comparison ---------------------------------------------------------------------------


def _swatch(i: int) -> str:
    return f"<span class=\"swatch\" style=\"background:{colour(i)}\"></span>"


def compare_header(result: CompareResults) -> str:
    items = []
    for i, (lab, run) in enumerate(zip(result.labels, result.runs, strict=True)):
        role = " (the base: every other scenario is compared with it)" if i == 0 else ""
        desc = f"<br><span class=\"note\">{esc(run.description)}</span>" if run.description \
            else ""
        items.append(f"<li>{_swatch(i)}<b>{esc(run.name)}</b>{esc(role)} &middot; "
                     f"<a href=\"{esc(lab)}/{REPORT}\">its own report</a> &middot; folder "
                     f"<code>{esc(lab)}/</code>{desc}</li>")
    base = result.runs[0]
    how = ("Every scenario was run with the same seed, replications and run length, so they "
           "see the same callers (common random numbers) and each difference is estimated "
           "replication by replication (a paired difference)." if result.paired else
           "Some scenarios were run with a different seed, number of replications or run "
           "length; their differences are unpaired (Welch) intervals, wider than paired ones.")
    return (f"<header><p class=\"kicker\">contactsim comparison</p><h1>Comparison of "
            f"{len(result.runs)} scenarios</h1><ul>{''.join(items)}</ul>"
            f"<p class=\"meta\">{base.replications} replications &times; "
            f"{esc(f'{base.days:g}')} measured days &middot; seed "
            f"{esc(base.summary.get('seed', ''))}. {esc(how)}</p></header>")


def _diff(result: CompareResults, label_: str, kind: str, name: str, measure: str) -> Estimate:
    row = (result.differences.where("scenario", label_).where("kind", kind).where("name", name)
           .where("measure", measure))
    if not len(row):
        return Estimate(math.nan, math.nan, math.nan, 0)
    return row_estimate(row, 0, ("difference", "ci_low", "ci_high"))


def change_cell(measure: str, est: Estimate) -> str:
    """A change with its interval, and whether the interval (as printed) excludes zero."""
    if not math.isfinite(est.mean):
        return "-"
    text = esc(fmt_ci(measure, est, signed=True))
    if is_clear(measure, est):
        return f"<b class=\"nw\">{text}</b>"
    return f"<span class=\"nw\">{text}</span><br><span class=\"note\">(no clear change)</span>"


def _cell(result: CompareResults, i: int, kind: str, name: str, measure: str, est: Estimate,
          per_day: float = 0.0) -> str:
    """A scenario's value with its interval, and below it its change against the base."""
    diff = Estimate(math.nan, math.nan, math.nan, 0) if i == 0 else _diff(
        result, result.labels[i], kind, name, measure)
    if per_day:
        est, diff = _per_day(est, per_day), _per_day(diff, per_day)
    cell = f"<span class=\"nw\">{esc(fmt_ci(measure, est))}</span>"
    if measure == "service_level" and kind == "channel":
        cell += "<br>" + verdict(est)
    change = "the base" if i == 0 else change_cell(measure, diff)
    return f"{cell}<br><span class=\"note\">change:</span> {change}"


def _scenario_cell(result: CompareResults, i: int, prefix: str = "") -> str:
    return f"{_swatch(i)}{esc(prefix)}{esc(result.runs[i].name)}"


def compare_channel_table(result: CompareResults, channel: str) -> str:
    header = ["scenario", *(esc(label(m).split(" (")[0]) for m in HEADLINE)]
    rows = [[_scenario_cell(result, i),
             *(_cell(result, i, "channel", channel, m, run.estimate("channels", channel, m))
               for m in HEADLINE)] for i, run in enumerate(result.runs)]
    target = target_label(channel, result.runs[0].targets_s.get(channel, TARGET_S))
    return (f"<h3>{esc(channel)} <span class=\"note\">({esc(target)})</span></h3>"
            + table_html(header, rows, raw=True))


def compare_pools_table(result: CompareResults) -> str:
    pools = [p for p in result.runs[0].pools if all(p in r.pools for r in result.runs)]
    if not pools:
        return ""
    rows = []
    for pool in pools:
        for i, run in enumerate(result.runs):
            rows.append([_scenario_cell(result, i, f"{pool}: "),
                         _cell(result, i, "pool", pool, "utilisation",
                               run.estimate("pools", pool, "utilisation")),
                         _cell(result, i, "pool", pool, "busy_hours",
                               run.estimate("pools", pool, "busy_hours"), per_day=run.days),
                         _cell(result, i, "pool", pool, "staff_hours",
                               run.estimate("pools", pool, "staff_hours"), per_day=run.days)])
    header = ["pool: scenario", "utilisation (busy / on duty)", "staff hours busy per day",
              "staff hours on duty per day"]
    return "<h3>Staff pools</h3>" + table_html(header, rows, raw=True)


def compare_officers(result: CompareResults) -> str:
    ests = [r.estimate("officer_hours") for r in result.runs]
    if not any(math.isfinite(e.mean) for e in ests):
        return ""
    rows = [[_scenario_cell(result, i), _cell(result, i, "officers", "all", "officer_hours", e)]
            for i, e in enumerate(ests)]
    return "<h3>Officer demand</h3>" + table_html(["scenario", "officer hours per day"], rows,
                                                  raw=True)


def compare_diversions(result: CompareResults) -> str:
    """Diverted contacts and failed handovers per day, per diversion and scenario, with the
    change where the base has the diversion too."""
    names = list(dict.fromkeys(d for r in result.runs for d in r.summary.get("diversions") or {}))
    rows = []
    for name in names:
        in_base = name in (result.runs[0].summary.get("diversions") or {})
        for i, run in enumerate(result.runs):
            if name not in (run.summary.get("diversions") or {}):
                continue
            cells = [_cell(result, i, "diversion", name, m,
                           run.estimate("diversions", name, m), per_day=run.days)
                     for m in ("diverted", "failed")]
            if i and not in_base:  # nothing to change from: say so, not "-"
                cells = [c.split("<br>")[0] + "<br><span class=\"note\">(the base has no "
                         "such diversion)</span>" for c in cells]
            rows.append([_scenario_cell(result, i, f"{name}: "), *cells])
    if not rows:
        return ""
    return ("<h3>Diversions to partners</h3>"
            + table_html(["diversion: scenario", "diverted per day", "handovers failed per "
                          "day"], rows, raw=True))


def compare_who_answered(result: CompareResults) -> str:
    """Contacts each pool answered on each channel, per day, per scenario and its change."""
    base = result.runs[0].summary.get("pool_channel") or {}
    rows = []
    for pool, channels in base.items():
        for channel in channels:
            for i, run in enumerate(result.runs):
                est = run.estimate("pool_channel", pool, channel, "answered")
                if not math.isfinite(est.mean):
                    continue
                rows.append([_scenario_cell(result, i, f"{pool} on {channel}: "),
                             _cell(result, i, "pool_channel", f"{pool}/{channel}", "answered",
                                   est, per_day=run.days)])
    if not rows:
        return ""
    return ("<h3>Who answered what</h3>"
            + table_html(["pool on channel: scenario", "answered per day"], rows, raw=True))


def board_section(result: CompareResults) -> str:
    """The paragraph to paste into a board paper, one per scenario compared."""
    paragraphs = "".join(f"<p class=\"desc\">{esc(board_paragraph(result, i))}</p>"
                         for i in range(1, len(result.runs)))
    return ("<section><h2>For a board paper</h2><p class=\"note\">Generated from the figures "
            "below, to paste as it is; the same changes, in a planner's units, are in "
            "<code>summary.csv</code>.</p>" + paragraphs + "</section>")


def all_differences(table: Table) -> str:
    rows = []
    for i in range(len(table)):
        measure = table.text("measure")[i]
        diff = row_estimate(table, i, ("difference", "ci_low", "ci_high"))
        rows.append([table.text("scenario")[i], table.text("kind")[i], table.text("name")[i],
                     label(measure), fmt(measure, float(table.numbers("base_mean")[i])),
                     fmt(measure, float(table.numbers("scenario_mean")[i])),
                     fmt_ci(measure, diff, signed=True), table.text("method")[i]])
    header = ["scenario", "kind", "name", "measure", "base", "scenario value",
              "difference (95% CI)", "interval"]
    return ("<section><h2>Every difference</h2><p class=\"note\">Interval: <i>paired</i> "
            "(replication by replication, same seed), <i>welch</i> (unpaired) or "
            "<i>welch-summary</i> (unpaired, rebuilt from the summaries' intervals).</p>"
            f"<details><summary>Show all {len(rows)} rows of <code>compare.csv</code>"
            "</summary>" + table_html(header, rows) + "</details></section>")


def compare_monthly(result: CompareResults) -> str:
    """For runs pinned to dates: each month's service level per scenario and its change."""
    table = result.monthly
    if table is None or not len(table):
        return ""
    parts = []
    for channel in table.distinct("channel")[:MAX_CALENDARS]:
        rows_ch = table.where("channel", channel).where("measure", "service_level")
        others = rows_ch.distinct("scenario")
        header = ["month", esc(result.labels[0]), *(esc(o) for o in others),
                  *(f"change: {esc(o)}" for o in others)]
        rows = []
        for month in rows_ch.distinct("month"):
            here = rows_ch.where("month", month)
            base = float(here.numbers("base_mean")[0])
            cells = [month, esc(fmt("service_level", base))]
            cells += [esc(fmt("service_level", float(here.where("scenario", o)
                                                      .numbers("scenario_mean")[0])))
                      if len(here.where("scenario", o)) else "-" for o in others]
            cells += [change_cell("service_level", row_estimate(here.where("scenario", o), 0, (
                "difference", "ci_low", "ci_high"))) if len(here.where("scenario", o)) else "-"
                for o in others]
            rows.append(cells)
        parts.append(f"<h3>{esc(channel)}: service level by month</h3>"
                     + table_html(header, rows, raw=True))
    return ("<section><h2>Change by month</h2><p class=\"note\">Each month's service level "
            "(mean over replications) and its change against the first scenario with the "
            "95% confidence interval; <b>bold</b> changes are clear.</p>" + "".join(parts)
            + "</section>")


def compare_html(result: CompareResults, plots: Sequence[Plot]) -> str:
    warnings = [*result.meta.get("notes", []),
                *(f"{r.name}: {w}" for r in result.runs for w in r.warnings)]
    common = [c for c in result.runs[0].channels if all(c in r.channels for r in result.runs)]
    tables = [compare_channel_table(result, c) for c in common]
    body = [compare_header(result), warnings_html(warnings), board_section(result),
            "<section><h2>Headline measures and changes</h2><p class=\"note\">Mean over "
            "replications (95% confidence interval). Each change is against the first "
            "scenario; <b>bold</b> changes are clear (their interval excludes zero). Shares "
            "change in percentage points (pts).</p>" + "".join(tables)
            + compare_pools_table(result) + compare_who_answered(result)
            + compare_diversions(result) + compare_officers(result) + target_note()
            + "</section>", compare_monthly(result),
            f"<section><h2>Plots</h2>{drawn_note(common)}{figures(result.folder, plots)}"
            "</section>",
            all_differences(result.differences), reading_note()]
    return page("contactsim comparison: " + " vs ".join(r.name for r in result.runs), body)


def write_compare_report(folder: Path) -> Path:
    """Draw the comparison plots and write its report.html, from the saved tables."""
    return _write_report(folder, read_compare, draw_compare, compare_html)


# --- a sweep --------------------------------------------------------------------------------


def sweep_answer(sweep: SweepResults) -> str:
    """The planner's question read straight off: where does each channel meet 90%?"""
    items = "".join(f"<li>{esc(meets_text(sweep, c))}.</li>" for c in sweep.channels)
    return (f"<section><h2>At a glance</h2><ul>{items}</ul><p class=\"note\">A value meets "
            "the target when the mean service level there is at least 90%; check its "
            "interval in the table below.</p>" + target_note() + "</section>")


def sweep_table(sweep: SweepResults) -> str:
    t = sweep.table
    keys = sweep.keys
    header = [*(esc(k) for k in keys), "channel", *(esc(label(m)) for m in HEADLINE)]
    rows = []
    for i in range(len(t)):
        ests = {m: row_estimate(t, i, (f"{m}_mean", f"{m}_ci_low", f"{m}_ci_high"))
                for m in HEADLINE}
        rows.append([*(esc(t.text(k)[i]) for k in keys), esc(t.text("channel")[i]),
                     esc(fmt_ci("service_level", ests["service_level"])) + " "
                     + verdict(ests["service_level"]),
                     *(esc(fmt_ci(m, ests[m])) for m in HEADLINE[1:])])
    return ("<section><h2>Every point</h2><p class=\"note\">Mean over replications (95% "
            "confidence interval); all points ran with the same seed. Full figures are in "
            "<code>sweep.csv</code> and each point's results folder under "
            "<code>points/</code>.</p>" + table_html(header, rows, raw=True) + "</section>")


def sweep_html(sweep: SweepResults, plots: Sequence[Plot]) -> str:
    meta = sweep.meta
    name = str(meta.get("scenario", {}).get("name", ""))
    varied = " and ".join(f"{k} over {', '.join(sweep.values(k))}" for k in sweep.keys)
    header = (f"<header><p class=\"kicker\">contactsim sweep</p><h1>{esc(name)}</h1>"
              f"<p>Varying {esc(varied)}.</p><p class=\"meta\">Scenario file <code>"
              f"{esc(meta.get('scenario', {}).get('file', ''))}</code> &middot; "
              f"{esc(meta.get('replications', ''))} replications &times; "
              f"{esc(meta.get('days', ''))} measured days &middot; seed "
              f"{esc(meta.get('seed', ''))}</p></header>")
    body = [header, sweep_answer(sweep), sweep_table(sweep),
            f"<section><h2>Plots</h2>{drawn_note(sweep.channels)}"
            f"{figures(sweep.folder, plots)}</section>", reading_note()]
    return page(f"contactsim sweep: {name}", body)


def write_sweep_report(folder: Path) -> Path:
    """Draw the sweep's plots and write its report.html, from the saved tables."""
    return _write_report(folder, read_sweep, draw_sweep, sweep_html)


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
