"""The fit's results folder, written and read back (DESIGN §10).

``contactsim fit`` writes, into a folder swapped into place only when complete
(:func:`contactsim.results.write.write_atomically`):

- ``scenario.toml``: the fitted scenario, valid as it stands (checked by loading it before the
  folder is swapped in), opening with a comment that names the logs, their dates and rows;
- ``fit.json``: every estimate with its 95% interval, each fitted distribution's family table
  (family, mean and sd, AIC, ΔAIC, KS distance, which was chosen), the rows read, used and
  left out (and why), the days used, the fallbacks taken and the warnings;
- ``demand.csv`` (``channel, hour_of_week, observed_per_hour, fitted_per_hour``),
  ``histograms.csv`` (``what, owner, bin_low_s, bin_high_s, density``: the observed values
  of each fitted duration) and ``survival.csv`` (``channel, t_s, km, km_low, km_high``: the
  Kaplan-Meier curve of each patience), which the plots are drawn from;
- ``data/<what>.<owner>.csv``: the log's own values of a duration no family holds, named in
  scenario.toml with its sha256 (:mod:`contactsim.analysis.fit_checks`).

The report is drawn from these files alone (:func:`read_fit`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contactsim import __version__
from contactsim.analysis.families import FAMILIES
from contactsim.analysis.fit import ChannelFit, Duration, LogFit
from contactsim.analysis.fit_demand import REDIAL_WINDOW_S, Interval
from contactsim.analysis.fit_scenario import Defaults
from contactsim.analysis.fit_shape import SEPARABLE_P, SHARED_RHO, DayCv
from contactsim.analysis.fit_staff import StaffEstimate
from contactsim.problems import ResultsError
from contactsim.results.fit_summary import FitSummary, fit_summary_from
from contactsim.results.fit_toml import header_comment, scenario_comments, toml_text
from contactsim.results.tables import Table, read_json, read_table, require_keys
from contactsim.results.write import write_csv

FIT_JSON = "fit.json"
SCENARIO = "scenario.toml"
DEMAND_CSV = "demand.csv"
HISTOGRAMS_CSV = "histograms.csv"
SURVIVAL_CSV = "survival.csv"
#: ``kind`` in fit.json.
KIND = "fit"


def _num(x: float, digits: int = 6) -> float | None:
    return round(float(x), digits) if math.isfinite(x) else None


def duration_json(d: Duration) -> dict[str, Any]:
    """One duration's entry in fit.json."""
    out: dict[str, Any] = {"values": d.n, "observed": d.observed, "censored": d.n - d.observed,
                           "scenario": d.table, "warning": d.warning or None}
    mean = d.mean
    out["mean_s"] = None if mean is None else mean.json(3)
    out["mean_from"] = ("sample, days as the units" if d.sample is not None
                        and d.constant is None else "family" if d.fitted is not None
                        else None)
    out["empirical"] = None if d.empirical is None else {
        "file": d.empirical.file, "sha256": d.empirical.sha256, "values": d.empirical.values,
        "why": d.why_empirical}
    out["tail_warning"] = d.tail or None
    if d.constant is not None:
        out["chosen"] = "constant"
        out["families"] = []
        return out
    if d.fitted is None:
        out["chosen"] = None
        out["families"] = []
        return out
    f = d.fitted
    out["chosen"] = "empirical" if d.empirical is not None else f.best.family
    out["best_by_aic"] = f.best.family
    out["reach_s"] = _num(f.reach, 3)
    out["used"] = {"values": f.n, "observed": f.observed, "censored": f.censored}
    out["families"] = [{
        "family": x.family, "parameters": {"mean_s": _num(x.mean, 3), "sd_s": _num(x.sd, 3)},
        "mean_ci_s": [_num(x.mean_ci[0], 3), _num(x.mean_ci[1], 3)],
        "loglik": _num(x.loglik, 3), "aic": _num(x.aic, 3),
        "delta_aic": _num(x.aic - f.best.aic, 3), "ks": _num(x.ks, 5),
        "chosen": x is f.best} for x in f.table]
    return out


def staff_json(est: StaffEstimate | None) -> dict[str, Any] | None:
    """The staff by hour of the week in fit.json: each estimate with its interval, the
    calibration's factor, target and trials, and the figures written."""
    if est is None:
        return None

    def hours(xs: tuple[Interval, ...] | None) -> list[dict[str, float | None]] | None:
        return None if xs is None else [x.json(3) for x in xs]

    return {
        "source": est.source, "days": est.days,
        "rule": "per day and hour, the distinct agents seen at work (a contact in service in "
                "the hour) where the log has agent, else the most contacts in service at once; "
                "mean over the whole days of each weekday, t interval over them; times one "
                "factor calibrated by simulation; the pool's absence from how far the staff "
                "present in hours when callers waited vary between days of one weekday",
        "absence": round(est.absence, 4),
        "estimate": hours(est.shape), "most_in_service_at_once": hours(est.peak),
        "in_service_while_waiting": hours(est.in_service),
        "agents_seen": hours(est.agents),
        "calibration": None if est.factor is None else {
            "target": est.target, "observed": None if est.observed is None
            else est.observed.json(5),
            "factor": est.factor.json(4), "simulated_at_factor": _num(est.simulated, 5),
            "trials": [{"factor": round(k, 4), "simulated": _num(y, 5)}
                       for k, y in est.trials]},
        "written": est.staff(),
    }


def channel_json(fit: LogFit, ch: ChannelFit) -> dict[str, Any]:
    """One channel of fit.json: its counts, demand, mix, profile, durations and redials."""
    d = ch.demand
    entry: dict[str, Any] = {
        "kind": ch.kind, "rows": ch.contacts, "answered": ch.answered,
        "abandoned": ch.abandoned, "in_progress_left_out": ch.in_progress,
        "contacts_counted": d.contacts, "days": d.days,
        "per_day": d.per_day.json(3),
        "per_day_calendar_weight": round(d.calendar_weight, 6),
        "weekly": None if d.weekly is None else [w.json(4) for w in d.weekly],
        "hourly": [h.json(4) for h in d.hourly],
        "monthly": None if d.monthly is None else {
            str(m): d.monthly[m].json(4) for m in range(1, 13)},
        "mix": {k: v.json(5) for k, v in ch.mix.items()},
        **_profile_json(ch),
        "patience": None if ch.patience is None else duration_json(ch.patience),
        "connect_s": None if ch.connect is None else duration_json(ch.connect),
    }
    if ch.redials is not None:
        r = ch.redials
        delay = fit.delays.get(ch.name)
        entry["redial"] = {"window_s": REDIAL_WINDOW_S, "abandoned": r.abandoned,
                           "redialled": r.redialled, "probability": r.probability.json(5),
                           "unkeyed_hangups": d.unkeyed_hangups,
                           "unkeyed_redials_taken_out": round(d.unkeyed_redials, 1),
                           "delay": None if delay is None else duration_json(delay)}
    return entry


def fit_summary(fit: LogFit, notes: list[str], defaults: Defaults | None,
                base: str | None) -> dict[str, Any]:
    """fit.json of a fit."""
    log, window = fit.log, fit.window
    channels = {ch.name: channel_json(fit, ch) for ch in fit.channels.values()}
    return {
        "contactsim_version": __version__,
        "kind": KIND,
        "logs": {
            "files": list(log.files), "first_date": log.first_date.isoformat(),
            "last_date": log.last_date.isoformat(), "rows_read": log.rows_read,
            "rows_used": len(log), "rows_skipped": dict(log.skipped),
            "rows_skipped_total": sum(log.skipped.values()), "duplicates": log.duplicates,
            "clock_skew_s": log.clock_skew_s, "rows_clamped": dict(log.clamped),
            "rows_clamped_total": sum(log.clamped.values()),
            "in_progress": log.in_progress, "columns": sorted(log.present),
        },
        "days": {"first": window.first.isoformat(), "last": window.last.isoformat(),
                 "used": len(window.compared),
                 "left_out": [{"date": x.isoformat(), "why": why} for x, why in window.left_out]},
        "base": base,
        "default_pool": None if defaults is None else {
            "pool": "handlers", "staff": defaults.pool_staff,
            "busiest_per_hour": round(defaults.busiest_per_hour, 3),
            "mean_handle_and_wrap_s": round(defaults.handle_s, 1),
            "target_s": defaults.target_s,
            "rule": "Erlang C: fewest handlers answering 90% of the busiest hour's contacts "
                    "within the shortest voice answer target, 24/7",
            "used": defaults.staff is None},
        "staff_by_hour": staff_json(defaults.staff if defaults is not None else fit.staff),
        "channels": channels,
        "categories": {k: {w: duration_json(d) for w, d in v.items()}
                       for k, v in fit.categories.items()},
        "day_cv": _day_cv_json(fit),
        "families": list(FAMILIES),
        "interval": "95%",
        "warnings": list(dict.fromkeys([*log.warnings, *fit.warnings, *notes])),
    }


def _profile_json(ch: ChannelFit) -> dict[str, Any]:
    """The separability test, the hour-of-week weights and the closed hours of a channel."""
    p = ch.profile
    t = p.test
    return {
        "separability": None if t is None else {
            "test": "Pearson X2 of weekday x hour against the product of its margins, over "
                    "the dispersion of days about their weekday's profile",
            "x2": _num(t.x2, 3), "df": t.df, "dispersion": _num(t.dispersion, 4),
            "df_within": t.df_within, "p_value": _num(t.p_value, 10),
            "level": SEPARABLE_P, "rejected": t.rejected},
        "hour_of_week": None if p.weights is None else [round(float(x), 4) for x in p.weights],
        "closed_hours_of_week": [int(h) for h in np.flatnonzero(p.closed)],
    }


def _day_cv_json(fit: LogFit) -> dict[str, Any] | None:
    v = fit.day_cv
    if v is None:
        return None

    def cv(x: DayCv | None) -> dict[str, float | None] | None:
        return None if x is None else {"estimate": _num(x.estimate, 4),
                                       "ci_low": _num(x.low, 4), "ci_high": _num(x.high, 4)}

    return {"per_channel": {k: cv(x) for k, x in v.own.items()}, "shared": cv(v.shared),
            "factor_correlation": _num(v.correlation, 4), "decision": v.decision,
            "written": v.written(),
            "rule": "written where the 95% interval's low end is above 0; shared when the "
                    f"channels' day factors correlate at least {SHARED_RHO} and the shared cv "
                    "lies in every channel's interval"}


# --- scenario.toml ----------------------------------------------------------------------------

def write_fit(fit: LogFit, folder: Path, doc: dict[str, Any], notes: list[str],
              defaults: Defaults | None, base: str | None) -> None:
    """scenario.toml, fit.json and the tables the plots are drawn from into ``folder``."""
    for d in fit.durations():
        if d.empirical is not None:
            (folder / d.empirical.file).parent.mkdir(exist_ok=True)
            (folder / d.empirical.file).write_bytes(d.empirical.data)
    text = header_comment(fit, base, defaults) + toml_text(doc, scenario_comments(fit, doc))
    (folder / SCENARIO).write_text(text, encoding="utf-8")
    (folder / FIT_JSON).write_text(json.dumps(fit_summary(fit, notes, defaults, base),
                                              indent=2, allow_nan=False, default=str) + "\n",
                                   encoding="utf-8")
    write_csv(folder / DEMAND_CSV, ("channel", "hour_of_week", "observed_per_hour",
                                    "fitted_per_hour"),
              ([ch.name, h, float(ch.demand.observed[h]), float(ch.demand.fitted[h])]
               for ch in fit.channels.values() for h in range(168)))
    write_csv(folder / HISTOGRAMS_CSV, ("what", "owner", "bin_low_s", "bin_high_s", "density"),
              _histogram_rows(fit.durations()))
    write_csv(folder / SURVIVAL_CSV, ("channel", "t_s", "km", "km_low", "km_high"),
              ([ch.name, float(t), float(s), float(lo), float(hi)]
               for ch in fit.channels.values()
               if ch.patience is not None and ch.patience.fitted is not None
               and (km := ch.patience.fitted.survival) is not None
               for t, s, lo, hi in zip(km.t, km.s, km.low, km.high, strict=True)))


def _histogram_rows(durations: Iterable[Duration]) -> Iterable[list[Any]]:
    for d in durations:
        for i in range(len(d.density)):
            yield [d.what, d.owner, float(d.edges[i]), float(d.edges[i + 1]),
                   float(d.density[i])]


# --- reading it back ------------------------------------------------------------------------


@dataclass(frozen=True)
class FitResults:
    """A fit folder read back."""

    folder: Path
    summary: FitSummary
    demand: Table
    histograms: Table
    survival: Table


def is_fit(folder: Path) -> bool:
    """Whether ``folder`` looks like a fit's (it has fit.json)."""
    return (Path(folder) / FIT_JSON).is_file()


def read_fit(folder: Path) -> FitResults:
    """A fit folder's fit.json (read once into a FitSummary) and tables, checked enough to
    draw from."""
    folder = Path(folder)
    summary = read_json(folder / FIT_JSON)
    if summary.get("kind") != KIND or not isinstance(summary.get("channels"), dict):
        raise ResultsError(folder / FIT_JSON, f"is not a fit's summary (kind is not {KIND!r})",
                           "kind")
    tables = []
    for name, columns in ((DEMAND_CSV, ("channel", "hour_of_week", "observed_per_hour",
                                        "fitted_per_hour")),
                          (HISTOGRAMS_CSV, ("what", "owner", "bin_low_s", "bin_high_s",
                                            "density")),
                          (SURVIVAL_CSV, ("channel", "t_s", "km", "km_low", "km_high"))):
        table = read_table(folder / name)
        missing = [c for c in columns if not table.has(c)]
        if missing:
            raise ResultsError(folder / name, "lacks the column(s) " + ", ".join(missing),
                               "(header)")
        tables.append(table)
    require_keys(folder / FIT_JSON, summary, ("logs", "days", "channels", "categories",
                                              "warnings"))
    return FitResults(folder, fit_summary_from(folder / FIT_JSON, summary), *tables)
