"""The results folder: summary.json, tidy CSV tables and the resolved scenario.

Everything is written into a temporary folder beside the target and renamed into place only
when complete (:mod:`contactsim.results.place`, whose names are re-exported here), so an
interrupted or failed run leaves the previous results as they were. Plots and the report are
drawn from these saved tables alone.
"""

from __future__ import annotations

import copy
import csv
import errno
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from contactsim import __version__
from contactsim.analysis.daily import PERIOD_MEASURES, grouped, month_groups, period_measures
from contactsim.analysis.dispatch import (
    ALL as DISPATCH_ALL,
    AREA_OVERALL,
    GRADE_MEASURES,
    OVERALL_MEASURES,
    area_names as dispatch_area_names,
    names as dispatch_names,
)
from contactsim.analysis.experiment import Experiment
from contactsim.analysis.measures import (
    CDF_GRID_S,
    CHANNEL_MEASURES,
    DIVERSION_MEASURES,
    EXTRA_MEASURES,
    HOURLY_MEASURES,
    POOL_CHANNEL_MEASURES,
    POOL_HOURLY,
    POOL_MEASURES,
    Replication,
    answering_pairs,
    measure_estimate,
)
from contactsim.calendar import day_labels, month_labels, simulated_days
from contactsim.config.datafile import (
    DATA_FOLDER,
    DataFileError,
    copy_checked,
    data_name,
    empirical_files,
)
from contactsim.config.spec import ChannelSpec, Scenario
from contactsim.results.board import COLUMNS as SUMMARY_COLUMNS, SUMMARY_CSV, summary_rows
from contactsim.results.place import (
    LOCK_WAIT_S as LOCK_WAIT_S,
    OutputError as OutputError,
    check_writable as check_writable,
    follow_link as follow_link,
    out_location as out_location,
    umask as umask,
    write_atomically as write_atomically,
)
from contactsim.results.workforce import workforce_summary, workforce_tables
from contactsim.timebase import HOURS_PER_WEEK

SUMMARY = "summary.json"


def scenario_toml(document: dict[str, Any]) -> str:
    """The resolved scenario as TOML text."""
    return tomli_w.dumps(document)


def write_scenario(folder: Path, document: dict[str, Any], note: str) -> None:
    """``scenario.toml`` (after the comment lines of ``note``) and a copy of each empirical data
    file it reads, ``data/KEY.PATH.csv``, named in it by that relative path and its sha256, so
    the folder reruns as it stands, from anywhere, however large the files."""
    doc = copy.deepcopy(document)  # small: data files are named, not inlined
    copies: dict[str, str] = {}  # sha256 -> its copy, one copy of a file named twice
    for path, node in empirical_files(doc):
        sha256 = node.get("sha256")
        if sha256 not in copies:
            name = data_name(path, set(copies.values()))
            (folder / DATA_FOLDER).mkdir(exist_ok=True)
            try:
                copy_checked(node["file"], folder / name, str(sha256))
            except DataFileError as exc:
                raise OSError(errno.EIO, str(exc)) from None
            copies[str(sha256)] = name
        node["file"] = copies[str(sha256)]
    (folder / "scenario.toml").write_text(note + scenario_toml(doc), encoding="utf-8")


def scenario_sha256(document: dict[str, Any]) -> str:
    """A fingerprint of the model a scenario describes (its key order, source and where its
    data files are kept aside: a data file counts by its own sha256)."""
    canonical = {k: v for k, v in document.items() if k != "source"}
    if any(True for _ in empirical_files(canonical)):
        canonical = copy.deepcopy(canonical)
        for _, node in empirical_files(canonical):
            if "sha256" in node:
                del node["file"]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _estimate(values: Iterable[float], measure: str) -> dict[str, float | None]:
    return measure_estimate(values, measure).as_dict()


def channel_measures(sc: Scenario, channel: str) -> tuple[str, ...]:
    """The measures summary.json reports for a channel: the contract's twelve, plus
    ``callbacks``, ``redials``, ``arrivals`` and ``diverted`` where the scenario makes them
    happen (so ``arrivals = offered + diverted`` can be checked)."""
    extra = []
    rule = sc.channels[channel].on_abandon
    if rule is not None and rule.callback > 0:
        extra.append("callbacks")
    if any(_retries_to(c, channel) for c in sc.channels.values()):
        extra.append("redials")
    if any(d.pre_queue and channel in d.channels for d in sc.diversions.values()):
        extra += ["arrivals", "diverted"]
    return (*CHANNEL_MEASURES, *extra)


def _retries_to(source: ChannelSpec, channel: str) -> bool:
    rule = source.on_abandon
    if rule is None:
        return False
    return ((rule.redial > 0 and source.name == channel)
            or (rule.to_999 > 0 and rule.emergency_channel == channel)
            or (rule.to_online > 0 and rule.online_channel == channel))


def summary(exp: Experiment) -> dict[str, Any]:
    """The contract for tools (DESIGN §6; ``dispatch`` only with officers, §12)."""
    sc, reps = exp.scenario, exp.replications
    figures = {
        "contactsim_version": __version__,
        "scenario": {"name": sc.name, "file": sc.file,
                     "sha256": scenario_sha256(sc.document)},
        "seed": sc.run.seed,
        "replications": len(reps),
        "days": sc.run.days,
        "warmup_days": sc.run.warmup_days,
        "wall_s": round(exp.wall_s, 3),
        "channels": {
            ch: {m: _estimate((r.channels[ch][m] for r in reps), m)
                 for m in channel_measures(sc, ch)}
            for ch in sc.channels
        },
        "pools": {
            p: {m: _estimate((r.pools[p][m] for r in reps), m) for m in POOL_MEASURES}
            for p in sc.pools
        },
        "diversions": {
            d: {m: _estimate((r.diversions[d][m] for r in reps), m) for m in DIVERSION_MEASURES}
            for d in sc.diversions
        },
        "officer_hours": _estimate((r.officer_hours for r in reps), "officer_hours"),
        "warnings": exp.warnings,
        # Additive (not in DESIGN §6): who answered what, pool -> channel -> measure.
        "pool_channel": {
            p: {ch: {m: _estimate((pool_channel_value(r, p, ch, m, sc.run.days) for r in reps),
                                  m) for m in POOL_CHANNEL_MEASURES} for ch in channels}
            for p, channels in pool_channels(sc).items()
        },
        # Additive (DESIGN §11), only with a workforce or a price: workforce, cost.
        **workforce_summary(exp),
    }
    if sc.officers:
        figures["dispatch"] = dispatch_summary(exp)
    return figures


def dispatch_summary(exp: Experiment) -> dict[str, Any]:
    """``dispatch``: per grade its measures, then the officers' overall ones at the top; with
    areas, ``areas``: per area the same shape (per grade, then its ``officer_utilisation``)."""
    reps = [r.dispatch for r in exp.replications if r.dispatch is not None]
    out = _dispatch_node(reps, dispatch_names(exp.scenario))
    areas = dispatch_area_names(exp.scenario)
    if areas:
        by_area = [r.dispatch_areas for r in exp.replications if r.dispatch_areas is not None]
        out["areas"] = {area: _dispatch_node([r[area] for r in by_area], names)
                        for area, names in areas.items()}
    return out


def _dispatch_node(reps: list[dict[str, dict[str, float]]],
                   names: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, measures in names:
        figures = {m: _estimate((r[name][m] for r in reps), m) for m in measures}
        if name == DISPATCH_ALL:
            out.update(figures)
        else:
            out[name] = figures
    return out


def pool_channels(sc: Scenario) -> dict[str, list[str]]:
    """pool -> the channels it can answer (see :func:`answering_pairs`)."""
    out: dict[str, list[str]] = {}
    for pool, ch in answering_pairs(sc):
        out.setdefault(pool, []).append(ch)
    return out


def pool_channel_value(rep: Replication, pool: str, channel: str, measure: str,
                       days: float) -> float:
    """Contacts on ``channel`` that ``pool`` answered in one replication (or per day)."""
    total = rep.pool_channel[pool][channel]
    return total / days if measure == "answered_per_day" else total


def _number(v: float | np.floating[Any]) -> str:
    """CSV text for a number: full precision, empty where undefined (NaN)."""
    return "" if math.isnan(v) else repr(float(v))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A tidy CSV, the one writer of every table: ``\n`` line ends, numbers at full precision
    (``repr``), undefined (NaN) cells empty."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow([_number(v) if isinstance(v, float | np.floating) else v for v in row])


def write_tables(exp: Experiment, folder: Path) -> None:
    """summary.json, the CSV tables and scenario.toml into ``folder``."""
    sc, reps = exp.scenario, exp.replications
    figures = summary(exp)
    (folder / SUMMARY).write_text(json.dumps(figures, indent=2, allow_nan=False) + "\n",
                                  encoding="utf-8")
    write_csv(folder / SUMMARY_CSV, SUMMARY_COLUMNS, summary_rows(figures))
    write_scenario(folder, sc.document,
                   "# The resolved scenario (extends and --set applied). Run it again with\n"
                   "#   contactsim run scenario.toml\n# to reproduce summary.json.\n\n")
    every = (*CHANNEL_MEASURES, *EXTRA_MEASURES)
    write_csv(folder / "replications.csv", ["replication", "channel", *every],
               ([r.index, ch, *(r.channels[ch][m] for m in every)]
                for r in reps for ch in sc.channels))
    write_csv(folder / "hourly.csv", ["replication", "channel", "hour_of_week",
                                       *HOURLY_MEASURES],
               ([r.index, ch, h, *(float(r.hourly[ch][m][h]) for m in HOURLY_MEASURES)]
                for r in reps for ch in sc.channels for h in range(HOURS_PER_WEEK)))
    if sc.diversions:
        write_csv(folder / "diversions.csv", ["replication", "diversion", "hour_of_week",
                                               *DIVERSION_MEASURES],
                   ([r.index, d, h, *(float(r.diversions_hourly[d][m][h])
                                      for m in DIVERSION_MEASURES)]
                    for r in reps for d in sc.diversions for h in range(HOURS_PER_WEEK)))
    write_csv(folder / "officers.csv", ["replication", "officer_hours_per_day"],
               ([r.index, r.officer_hours] for r in reps))
    write_csv(folder / "pools.csv", ["replication", "pool", *POOL_MEASURES],
               ([r.index, p, *(r.pools[p][m] for m in POOL_MEASURES)]
                for r in reps for p in sc.pools))
    write_csv(folder / "pool_channel.csv", ["replication", "pool", "channel",
                                            *POOL_CHANNEL_MEASURES],
              ([r.index, p, ch, *(pool_channel_value(r, p, ch, m, sc.run.days)
                                  for m in POOL_CHANNEL_MEASURES)]
               for r in reps for p, ch in answering_pairs(sc)))
    write_csv(folder / "pools_hourly.csv", ["replication", "pool", "hour_of_week",
                                             *POOL_HOURLY],
               ([r.index, p, h, *(float(r.pools_hourly[p][m][h]) for m in POOL_HOURLY)]
                for r in reps for p in sc.pools for h in range(HOURS_PER_WEEK)))
    write_csv(folder / "answer_times.csv", ["replication", "channel", "answer_s",
                                             "share_answered_within"],
               ([r.index, ch, float(x), float(y)] for r in reps for ch in sc.channels
                for x, y in zip(CDF_GRID_S, r.cdf[ch], strict=True)))
    write_calendar_tables(exp, folder)
    for name, (header, rows) in workforce_tables(exp).items():
        write_csv(folder / name, header, rows)
    write_dispatch_tables(exp, folder)


#: dispatch.csv's measure columns: each grade's, then the overall ones (empty where they do
#: not apply).
DISPATCH_COLUMNS = (*GRADE_MEASURES, *OVERALL_MEASURES)


#: With areas: the areas' table (dispatch.csv stays as it is without areas, and holds the
#: force-wide rows with them: ``compare`` pairs those).
DISPATCH_AREAS_CSV = "dispatch_areas.csv"
#: With areas: each area's incidents waiting by hour of the week.
DISPATCH_AREAS_HOURLY_CSV = "dispatch_areas_hourly.csv"
#: dispatch_areas.csv's measure columns: each grade's, then the area's utilisation.
AREA_COLUMNS = (*GRADE_MEASURES, *AREA_OVERALL)


def write_dispatch_tables(exp: Experiment, folder: Path) -> None:
    """dispatch.csv (by replication and grade, or "all") and dispatch_hourly.csv (mean
    incidents waiting for an officer by hour of the week), with officers; with areas,
    dispatch_areas.csv (by replication, area and grade, or "all") and
    dispatch_areas_hourly.csv (by replication, area and hour of the week)."""
    sc, reps = exp.scenario, exp.replications
    if not sc.officers:
        return
    rows = []
    for r in reps:
        assert r.dispatch is not None
        for name, _ in dispatch_names(sc):
            rows.append([r.index, name, *(float(r.dispatch[name].get(m, math.nan))
                                          for m in DISPATCH_COLUMNS)])
    write_csv(folder / "dispatch.csv", ["replication", "dispatch", *DISPATCH_COLUMNS], rows)
    areas = dispatch_area_names(sc)
    if areas:
        write_csv(folder / DISPATCH_AREAS_CSV, ["replication", "area", "dispatch",
                                                *AREA_COLUMNS],
                  ([r.index, area, name, *(float(r.dispatch_areas[area][name].get(m, math.nan))
                                           for m in AREA_COLUMNS)]
                   for r in reps if r.dispatch_areas is not None
                   for area, names in areas.items() for name, _ in names))
    write_csv(folder / "dispatch_hourly.csv", ["replication", "hour_of_week",
                                               "incidents_waiting"],
              ([r.index, h, float(r.dispatch_hourly[h])] for r in reps
               if r.dispatch_hourly is not None for h in range(HOURS_PER_WEEK)))
    if areas:
        write_csv(folder / DISPATCH_AREAS_HOURLY_CSV, ["replication", "area", "hour_of_week",
                                                       "incidents_waiting"],
                  ([r.index, area, h, float(r.dispatch_areas_hourly[area][h])] for r in reps
                   if r.dispatch_areas_hourly is not None for area in areas
                   for h in range(HOURS_PER_WEEK)))


def write_calendar_tables(exp: Experiment, folder: Path) -> None:
    """daily.csv and monthly.csv (mean and 95% CI over replications), and the per-replication
    monthly figures that ``compare`` pairs, for a run pinned to the calendar."""
    sc, reps = exp.scenario, exp.replications
    cal = sc.calendar
    if cal is None:
        return
    n_days = simulated_days(cal, sc.run.days)
    dates = day_labels(cal, n_days)[cal.warmup_days:]
    months, groups = month_groups(month_labels(cal, n_days)[cal.warmup_days:])
    header = [f"{m}_{p}" for m in PERIOD_MEASURES for p in ("mean", "ci_low", "ci_high")]
    daily: list[list[Any]] = []
    monthly: list[list[Any]] = []
    by_rep: list[list[Any]] = []
    kept = [r.daily for r in reps if r.daily is not None]
    assert len(kept) == len(reps)  # every replication of a dated run keeps its days
    for ch in sc.channels:
        per_day = [period_measures(d[ch]) for d in kept]
        per_month = [period_measures(grouped(d[ch], groups, len(months))) for d in kept]
        for rows, labels, values in ((daily, dates, per_day),
                                     (monthly, months, per_month)):
            for i, label in enumerate(labels):
                cells: list[Any] = [label, ch]
                for m in PERIOD_MEASURES:
                    est = measure_estimate((float(v[m][i]) for v in values), m)
                    cells += [est.mean, est.ci_low, est.ci_high]
                rows.append(cells)
        by_rep += [[r.index, month, ch, *(float(v[m][i]) for m in PERIOD_MEASURES)]
                   for r, v in zip(reps, per_month, strict=True) for i, month in enumerate(months)]
    write_csv(folder / "daily.csv", ["date", "channel", *header], daily)
    write_csv(folder / "monthly.csv", ["month", "channel", *header], monthly)
    write_csv(folder / "monthly_replications.csv", ["replication", "month", "channel",
                                                    *PERIOD_MEASURES], by_rep)
