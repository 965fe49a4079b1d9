"""The fit's report: what the force's own log says, in the scenario's terms, and how sure.

Drawn from the saved folder alone (``fit.json`` and the tables, read by
:mod:`contactsim.results.fit`), like every other report. It opens with the log (files, dates,
rows used and left out) and the warnings, then per channel the demand (contacts a day with its
95% interval, the shape of the week) and the category mix, then every fitted duration: the
family chosen, its mean with a 95% interval, and how well it fits, in words, then the
pictures, and last the fitted scenario file itself.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from contactsim.present.fit_plots import draw_fit
from contactsim.present.plots import Plot
from contactsim.present.report import (
    REPORT,
    check_entries,
    esc,
    figures,
    page,
    table_html,
    warnings_html,
)
from contactsim.results.fit import SCENARIO, FitResults, read_fit
from contactsim.results.tables import require_keys
from contactsim.timebase import DAY_NAMES

WHAT = {"handle": "handle (talk) time", "wrap_up": "wrap-up time", "patience": "patience",
        "connect_s": "connection time", "redial_delay": "redial delay"}


def _ci(node: dict[str, Any] | None, digits: int = 1, unit: str = "") -> str:
    if not node or node.get("estimate") is None:
        return "-"
    low, high = node.get("ci_low"), node.get("ci_high")
    if low is None or high is None:
        return f"{node['estimate']:.{digits}f}{unit}"
    return (f"{node['estimate']:.{digits}f}{unit} ({low:.{digits}f} to {high:.{digits}f})")


def fit_words(ks: float | None) -> str:
    """How close a fitted family lies to the log, in words, from the KS distance (the largest
    gap between the fitted and the observed share of values below any time)."""
    if ks is None or not math.isfinite(ks):
        return "-"
    if ks < 0.02:
        return "very close"
    if ks < 0.05:
        return "close"
    return "fair" if ks < 0.1 else "loose: read the picture"


def header_html(fit: FitResults) -> str:
    s = fit.summary
    logs, days = s["logs"], s["days"]
    skipped = ", ".join(f"{n:,} {why}" for why, n in logs["rows_skipped"].items())
    left = "".join(f"<li>{esc(d['date'])}: {esc(d['why'])}</li>" for d in days["left_out"])
    base = (f"It extends <code>{esc(s['base'])}</code>, which supplies pools, rosters, "
            "partners, diversions, answer targets and priorities."
            if s.get("base") else
            "No base scenario was given: answer targets, priorities and one 24/7 pool are "
            "plain defaults (see the top of scenario.toml), to be replaced by the force's own.")
    return (
        "<p class=\"kicker\">contactsim fit</p>"
        f"<h1>A scenario from {esc(', '.join(logs['files']))}</h1>"
        f"<p class=\"meta\">Log dates {esc(logs['first_date'])} to {esc(logs['last_date'])}; "
        f"{logs['rows_read']:,} rows read, {logs['rows_used']:,} used, "
        f"{logs['duplicates']:,} exact duplicates dropped, {logs['in_progress']:,} still in "
        "progress when exported (counted as demand, left out of patience)"
        + (f"; left out as bad: {esc(skipped)}" if skipped else "")
        + f". Demand is counted over {days['used']} whole days, {esc(days['first'])} to "
        f"{esc(days['last'])}.</p><p class=\"note\">{base}</p>"
        + (f"<p class=\"note\">Days not used for demand:</p><ul class=\"note\">{left}</ul>"
           if left else ""))


def demand_html(fit: FitResults) -> str:
    rows = []
    for name, ch in fit.summary["channels"].items():
        weekly = ch.get("weekly")
        shape = ("flat (some weekday missing)" if not weekly else
                 ", ".join(f"{d} {w['estimate']:.2f}" for d, w in zip(DAY_NAMES, weekly,
                                                                       strict=False)))
        redial = ch.get("redial") or {}
        prob = redial.get("probability")
        rows.append([name, ch["kind"], _ci(ch["per_day"]), shape,
                     _ci(prob, 3) if prob else "-", f"{ch['rows']:,}"])
    return ("<section><h2>Demand</h2>" + table_html(
        ["channel", "kind", "contacts a day (95% interval)", "weekly shape (1 = average day)",
         "share of hang-ups who redial", "rows"], rows) + shape_html(fit)
        + "<p class=\"note\">Contacts a day is the average over the week (the mean of the "
        "seven weekdays); redials found in the log (the same caller on the same channel "
        "within 24 hours of hanging up) are left out of it, because the scenario makes "
        "them itself from the redial share.</p>" + mix_html(fit) + "</section>")


def shape_html(fit: FitResults) -> str:
    """Separability, opening hours and day-to-day variation (fit.json keys, where present)."""
    s = fit.summary
    rows = []
    for name, ch in s["channels"].items():
        if "separability" not in ch:
            return ""
        t = ch["separability"]
        test = ("-" if not t else f"p = {t['p_value']:.3g} (dispersion {t['dispersion']:.2f}): "
                + ("rejected, hour_of_week written" if t["rejected"] else "kept"))
        closed = ch.get("closed_hours_of_week") or []
        rows.append([name, test, f"{len(closed)} of 168 hours closed" if closed else "always"])
    v = s.get("day_cv")
    cv = ("" if not v else f"<p class=\"note\">Day-to-day variation (day_cv): "
          f"{esc(v['decision'])}; written: {esc(str(v['written'] or 'nothing'))}.</p>")
    return ("<h3>Hour by hour, opening hours, day to day</h3>" + table_html(
        ["channel", "per_day x weekly x hourly (separability test)", "open"], rows) + cv)


def mix_html(fit: FitResults) -> str:
    rows = [[name, k, _ci({key: (v * 100 if isinstance(v, float) else v)
                           for key, v in share.items()}, 1, "%")]
            for name, ch in fit.summary["channels"].items() for k, share in ch["mix"].items()]
    return "<h3>Category mix (share of each channel's contacts)</h3>" + table_html(
        ["channel", "category", "share (95% interval)"], rows)


def _durations(s: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for name, ch in s["channels"].items():
        for what in ("patience", "connect_s"):
            if ch.get(what):
                out.append((what, name, ch[what]))
        delay = (ch.get("redial") or {}).get("delay")
        if delay:
            out.append(("redial_delay", name, delay))
    for name, cat in s["categories"].items():
        out += [(what, name, entry) for what, entry in cat.items()]
    return out


def durations_html(fit: FitResults) -> str:
    rows = []
    for what, owner, e in _durations(fit.summary):
        chosen = e.get("chosen")
        fams = e.get("families") or []
        best = next((f for f in fams if f.get("chosen")), None)
        runner = sorted((f for f in fams if not f.get("chosen")),
                        key=lambda f: f.get("delta_aic") or math.inf)
        margin = (f"{runner[0]['family']} by {runner[0]['delta_aic']:.1f}" if runner
                  and runner[0].get("delta_aic") is not None else "-")
        rows.append([WHAT[what], owner,
                     "not fitted" if chosen is None else str(chosen),
                     _ci(e.get("mean_s"), 1, " s"), f"{e['values']:,}"
                     + (f" ({e['censored']:,} lower bounds)" if e.get("censored") else ""),
                     fit_words(best.get("ks") if best else None), margin,
                     e.get("warning") or e.get("tail_warning")
                     or ((e.get("empirical") or {}).get("why") or "")])
    return ("<section><h2>Durations: which shape fits best</h2>" + table_html(
        ["what", "of", "chosen family", "mean (95% interval)", "values", "fit to the log",
         "next best (ΔAIC)", "note"], rows)
        + "<p class=\"note\">Four shapes are fitted to each duration by maximum likelihood: "
        "<b>exponential</b> (memoryless, the Erlang model's), <b>lognormal</b> (a long tail of "
        "long calls), <b>gamma</b> (a lighter tail) and <b>Weibull</b>. The one with the lowest "
        "<b>AIC</b> (Akaike's information criterion: how likely the log is under the shape, "
        "with a penalty for each extra parameter) is chosen; the next best's ΔAIC says by how "
        "much (under 2: the two are as good as each other; over 10: clearly worse). "
        "<b>Fit to the log</b> is from the largest gap between the fitted and the observed "
        "share of values below any time (the Kolmogorov-Smirnov distance): very close under "
        "2 points, close under 5, fair under 10. For patience, callers who were answered "
        "count as lower bounds (they would have waited at least that long), so the fit uses "
        "every caller, not only those who hung up. A duration where every value is the "
        "same (a fixed wrap-up, say) is written as that constant.</p></section>")


def fit_html(fit: FitResults, plots: list[Plot]) -> str:
    s = fit.summary
    path = fit.folder / SCENARIO
    scenario = (f"<section><h2>The fitted scenario</h2><p class=\"note\">Saved as "
                f"<code>{SCENARIO}</code>; run it with <code>contactsim run "
                f"{SCENARIO}</code> or check it against the log with <code>contactsim "
                f"backtest {SCENARIO} LOG</code>.</p><pre>"
                f"{esc(path.read_text(encoding='utf-8'))}</pre></section>"
                if path.is_file() else "")
    body = [header_html(fit), warnings_html(s.get("warnings", [])), demand_html(fit),
            durations_html(fit), f"<section><h2>Pictures</h2>{figures(fit.folder, plots)}"
            "</section>", scenario]
    return page(f"contactsim fit: {', '.join(s['logs']['files'])}", body)


def check_fit(folder: Path) -> None:
    """Read a fit folder fully, so a broken one is reported before anything is written."""
    check_entries(folder)
    fit = read_fit(folder)
    require_keys(folder / "fit.json", fit.summary,
                 ("logs", "days", "channels", "categories", "warnings"))


def write_fit_report(folder: Path) -> Path:
    """Draw a fit folder's plots and write its report.html, from its saved files."""
    fit = read_fit(folder)
    path = folder / REPORT
    path.write_text(fit_html(fit, draw_fit(fit, folder)), encoding="utf-8")
    return path
