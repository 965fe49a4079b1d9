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

from contactsim.present.fit_plots import draw_fit
from contactsim.present.html import REPORT, embed, render
from contactsim.present.plots import Plot
from contactsim.present.report import check_entries
from contactsim.results.fit import SCENARIO, FitResults, read_fit
from contactsim.results.fit_summary import Ci, FitSummary, FittedDuration
from contactsim.timebase import DAY_NAMES

WHAT = {"handle": "handle (talk) time", "wrap_up": "wrap-up time", "patience": "patience",
        "connect_s": "connection time", "redial_delay": "redial delay"}


def _ci(c: Ci | None, digits: int = 1, unit: str = "") -> str:
    if c is None or c.estimate is None:
        return "-"
    if c.low is None or c.high is None:
        return f"{c.estimate:.{digits}f}{unit}"
    return f"{c.estimate:.{digits}f}{unit} ({c.low:.{digits}f} to {c.high:.{digits}f})"


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


def demand_rows(fit: FitResults) -> list[list[str]]:
    rows = []
    for name, ch in fit.summary.channels.items():
        shape = ("flat (some weekday missing)" if not ch.weekly else
                 ", ".join(f"{d} {w:.2f}" for d, w in zip(DAY_NAMES, ch.weekly, strict=False)))
        prob = ch.redial_probability
        rows.append([name, ch.kind, _ci(ch.per_day), shape, _ci(prob, 3) if prob else "-",
                     f"{ch.rows:,}"])
    return rows


def mix_rows(fit: FitResults) -> list[list[str]]:
    return [[name, k, _ci(share.times(100), 1, "%")]
            for name, ch in fit.summary.channels.items() for k, share in ch.mix.items()]


def _durations(s: FitSummary) -> list[tuple[str, str, FittedDuration]]:
    out = []
    for name, ch in s.channels.items():
        for what, entry in (("patience", ch.patience), ("connect_s", ch.connect_s),
                            ("redial_delay", ch.redial_delay)):
            if entry is not None:
                out.append((what, name, entry))
    for name, cat in s.categories.items():
        out += [(what, name, entry) for what, entry in cat.items()]
    return out


def duration_rows(fit: FitResults) -> list[list[str]]:
    rows = []
    for what, owner, e in _durations(fit.summary):
        best = next((f for f in e.families if f.chosen), None)
        runner = sorted((f for f in e.families if not f.chosen),
                        key=lambda f: f.delta_aic or math.inf)
        margin = (f"{runner[0].family} by {runner[0].delta_aic:.1f}" if runner
                  and runner[0].delta_aic is not None else "-")
        rows.append([WHAT[what], owner, "not fitted" if e.chosen is None else str(e.chosen),
                     _ci(e.mean_s, 1, " s"), f"{e.values:,}"
                     + (f" ({e.censored:,} lower bounds)" if e.censored else ""),
                     fit_words(best.ks if best else None), margin, e.note])
    return rows


def shape_rows(fit: FitResults) -> list[list[str]]:
    """Separability and opening hours per channel (fit.json keys, where present)."""
    rows = []
    for name, ch in fit.summary.channels.items():
        if not ch.has_shape:
            return []
        t = ch.separability
        test = ("-" if t is None else f"p = {t.p_value:.3g} (dispersion {t.dispersion:.2f}): "
                + ("rejected, hour_of_week written" if t.rejected else "kept"))
        closed = ch.closed_hours
        rows.append([name, test, f"{len(closed)} of 168 hours closed" if closed else "always"])
    return rows


def fit_html(fit: FitResults, plots: list[Plot]) -> str:
    s = fit.summary
    path = fit.folder / SCENARIO
    return render(
        "fit.html", title=f"contactsim fit: {', '.join(s.logs.files)}", s=s,
        skipped=", ".join(f"{n:,} {why}" for why, n in s.logs.rows_skipped.items()),
        demand=demand_rows(fit), mix=mix_rows(fit), durations=duration_rows(fit),
        shape=shape_rows(fit), day_cv=s.day_cv,
        figures=embed(fit.folder, plots), file=SCENARIO,
        scenario=path.read_text(encoding="utf-8") if path.is_file() else None)


def check_fit(folder: Path) -> None:
    """Read a fit folder fully, so a broken one is reported before anything is written."""
    check_entries(folder)
    read_fit(folder)


def write_fit_report(folder: Path) -> Path:
    """Draw a fit folder's plots and write its report.html, from its saved files."""
    fit = read_fit(folder)
    path = folder / REPORT
    path.write_text(fit_html(fit, draw_fit(fit, folder)), encoding="utf-8")
    return path
