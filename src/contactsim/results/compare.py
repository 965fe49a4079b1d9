"""Comparing runs from their saved folders: paired differences and the sweep tables.

``compare`` answers "what does this change buy us?": every scenario file is run with the same
seed, replications and run length as the first argument, so both see the same callers (common
random numbers) and the difference in each measure is estimated replication by replication (a
paired difference), which is far sharper than setting two separate intervals side by side. An
existing results folder can stand in for a scenario; when folders differ in seed, replications or
run length their replications do not pair up, so the differences are then estimated as unpaired
(Welch) intervals and the comparison says so.

Everything here reads and writes results folders (``compare.csv``, ``compare.json``, with the
change by month from :mod:`~contactsim.results.compare_months`; ``sweep.csv``,
``sweep_pools.csv``, ``sweep.json``) from the member or point folders already written inside
them, so a comparison can be redrawn from disk without simulating again.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contactsim.analysis.experiment import Experiment
from contactsim.analysis.stats import (
    Estimate,
    mean_ci,
    paired_difference,
    welch,
    welch_from_summary,
)
from contactsim.analysis.whatif import Point, Vary
from contactsim.config.loading import load_scenario, with_changes
from contactsim.config.spec import Scenario
from contactsim.problems import Problem, ScenarioError
from contactsim.results.compare_months import (
    MONTHLY_COLUMNS,
    WORKFORCE_COLUMNS,
    monthly_rows,
    workforce_rows,
)
from contactsim.results.read import (
    COMPARE_CSV,
    COMPARE_JSON,
    COMPARE_MONTHLY_CSV,
    COMPARE_WORKFORCE_CSV,
    SWEEP_CSV,
    SWEEP_JSON,
    SWEEP_POOLS_CSV,
    ResultsError,
    RunResults,
    SweepResults,
    Table,
    estimate_from,
    read_run,
)
from contactsim.results.write import write_csv, write_tables
from contactsim.standard import TARGET_SL

Log = Callable[[str], None]


RUN_KEYS = ("seed", "replications", "days", "warmup_days")


COMPARE_COLUMNS = ("scenario", "base", "kind", "name", "measure", "base_mean", "scenario_mean",
                   "difference", "ci_low", "ci_high", "method")


def _quiet(_: str) -> None:
    """A log that says nothing."""




@dataclass(frozen=True)
class Member:
    """One argument of ``compare``: a scenario to run, or an existing results folder."""

    label: str
    source: str
    scenario: Scenario | None = None
    folder: Path | None = None


def folder_labels(items: Sequence[str]) -> list[str]:
    """Folder names for several scenarios (a comparison's, or ``run``'s): the file stems, made
    unique in order (``good``, ``good-2``)."""
    out: list[str] = []
    for item in items:
        stem = Path(item.rstrip("/\\")).stem or "scenario"
        label, n = stem, 2
        while label in out:
            label, n = f"{stem}-{n}", n + 1
        out.append(label)
    return out


def _run_settings(first: str, overrides: Sequence[str]) -> dict[str, Any]:
    """The seed, replications and run length every scenario file is run with."""
    path = Path(first)
    if path.is_dir():
        summary = read_run(path).summary
        return {k: summary[k] for k in RUN_KEYS if k in summary}
    run = load_scenario(first, overrides).run
    return {k: getattr(run, k) for k in RUN_KEYS}


def plan_compare(items: Sequence[str], overrides: Sequence[str],
                 log: Log = _quiet, out: Path | None = None) -> list[Member]:
    """Check every argument before anything runs; report every problem at once.

    ``out``, the folder the comparison will replace, must be apart from every input: not one
    of the results folders compared, not inside one, and not holding any input.
    """
    if len(items) < 2:
        raise ResultsError("compare", "give at least two scenario files or results folders",
                           "(arguments)")
    if out is not None:
        check_out_apart(out, items)
    settings = _run_settings(items[0], overrides)
    members, problems = [], []
    for label, item in zip(folder_labels(items), items, strict=True):
        try:
            members.append(_member(label, item, overrides, settings, log))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return members


def check_out_apart(out: Path, items: Sequence[str]) -> None:
    """Refuse an output folder that is an input, lies inside one or holds one: writing it
    would replace (delete) what is being read."""
    try:
        target = Path(out).resolve()
    except (OSError, RuntimeError):  # a symlink loop: the output checks name it
        return
    problems = []
    for item in items:
        try:
            path = Path(item).resolve()
        except (OSError, RuntimeError):  # reading the inputs names it
            continue
        if path == target:
            why = "is one of the results folders being compared"
        elif path.is_dir() and path in target.parents:
            why = f"is inside {item}, one of the results folders being compared"
        elif target in path.parents:
            why = f"holds {item}, which is being compared"
        else:
            continue
        problems.append(Problem(str(out), "--out", f"{why}, and new results replace the whole "
                                "folder; give a new folder, such as results/compare-new"))
    if problems:
        raise ScenarioError(problems)


def _member(label: str, item: str, overrides: Sequence[str],
            settings: dict[str, Any], log: Log) -> Member:
    path = Path(item)
    if path.is_dir():
        read_run(path)  # a results folder that cannot be read is bad input, found now
        return Member(label, item, folder=path)
    own = load_scenario(item, overrides)
    changed = [k for k in RUN_KEYS if getattr(own.run, k) != settings.get(k)]
    if not changed:
        return Member(label, item, scenario=own)
    log(f"note: {item}: run with {', '.join(f'{k} = {settings[k]}' for k in changed)} (as the "
        "first scenario) so that the differences are paired")
    return Member(label, item, scenario=with_changes(own, {("run", k): settings[k]
                                                           for k in changed}))


Key = tuple[str, str, str]  # (kind, name, measure)


def replication_values(run: RunResults) -> dict[Key, np.ndarray]:
    """Every per-replication measure of a run: channels, pools, diversions, officer hours."""
    out: dict[Key, np.ndarray] = {}
    for kind, name in (("channel", "replications"), ("pool", "pools")):
        table = run.table(name)
        if table is not None and table.has(kind):
            out.update(_by_replication(table, kind))
    diversions = run.table("diversions")
    if diversions is not None and diversions.has("diversion"):
        out.update(_by_replication(diversions, "diversion", summed=("hour_of_week",)))
    by_pool = run.table("pool_channel")
    if by_pool is not None and by_pool.has("pool") and by_pool.has("channel"):
        for pool in by_pool.distinct("pool"):
            rows = by_pool.where("pool", pool)
            found = _by_replication(rows, "channel", ignored=("pool",))
            out.update({("pool_channel", pool_channel_name(pool, ch), m): v
                        for (_, ch, m), v in found.items()})
    cost = run.table("cost")  # a year's pounds by part, where the run prices anything
    if cost is not None and cost.has("cost"):
        out.update(_by_replication(cost, "cost"))
    officers = run.table("officers")
    if officers is not None and officers.has("officer_hours_per_day"):
        order = np.argsort(officers.numbers("replication"), kind="stable")
        out[("officers", "all", "officer_hours")] = officers.numbers(
            "officer_hours_per_day")[order]
    dispatch = run.table("dispatch")
    if dispatch is not None and dispatch.has("dispatch"):
        out.update((key, v) for key, v in _by_replication(dispatch, "dispatch").items()
                   if not np.isnan(v).all())  # (the cells of measures a row does not have)
    areas = run.table("dispatch_areas")
    if areas is not None and areas.has("area") and areas.has("dispatch"):
        for area in areas.distinct("area"):
            found = _by_replication(areas.where("area", area), "dispatch", ignored=("area",))
            out.update((("dispatch", area_name(area, name), m), v)
                       for (_, name, m), v in found.items() if not np.isnan(v).all())
    return out


def area_name(area: str, name: str) -> str:
    """compare.csv's name of an area's dispatch figures (``kind`` dispatch): ``areas.AREA``
    for the area's own (utilisation, chase calls, incidents waiting), ``areas.AREA.GRADE``
    for a grade's, so that the measure's summary.csv name is its path in summary.json."""
    return f"areas.{area}" if name == "all" else f"areas.{area}.{name}"


def pool_channel_name(pool: str, channel: str) -> str:
    """compare.csv's name of who answered what (``kind`` pool_channel): ``POOL/CHANNEL``
    (scenario names never hold "/")."""
    return f"{pool}/{channel}"


def _by_replication(table: Table, kind: str, summed: Sequence[str] = (),
                    ignored: Sequence[str] = ()) -> dict[Key, np.ndarray]:
    """Per-replication values of each measure of each name; hourly rows are added up."""
    out: dict[Key, np.ndarray] = {}
    for name in table.distinct(kind):
        rows = table.where(kind, name)
        reps = rows.numbers("replication")
        index = np.unique(reps, return_inverse=True)[1]
        for measure in rows.measures(("replication", kind, *summed, *ignored)):
            values = rows.numbers(measure)
            if summed:
                values = np.bincount(index, weights=np.nan_to_num(values))
            else:
                values = values[np.argsort(reps, kind="stable")]
            out[(kind, name, measure)] = values
    return out


def summary_values(run: RunResults) -> dict[Key, Estimate]:
    """Every estimate in summary.json, keyed like :func:`replication_values`."""
    s, n = run.summary, run.replications
    out: dict[Key, Estimate] = {}
    for kind, section in (("channel", "channels"), ("pool", "pools"),
                          ("diversion", "diversions")):
        for name, measures in (s.get(section) or {}).items():
            for measure, node in (measures or {}).items():
                out[(kind, name, measure)] = estimate_from(node, n)
    if isinstance(s.get("officer_hours"), dict):
        out[("officers", "all", "officer_hours")] = estimate_from(s["officer_hours"], n)
    for part, node in (s.get("cost") or {}).items():
        if isinstance(node, dict):
            out[("cost", "year", part)] = estimate_from(node, n)
    for name, node in (s.get("dispatch") or {}).items():  # a grade's measures, or an overall one
        if name == "areas" and isinstance(node, dict):
            out.update(_area_values(node, n))
        elif isinstance(node, dict) and "mean" in node:
            out[("dispatch", "all", name)] = estimate_from(node, n)
        elif isinstance(node, dict):
            out.update((("dispatch", name, m), estimate_from(v, n)) for m, v in node.items())
    for pool, channels in (s.get("pool_channel") or {}).items():
        for channel, measures in (channels or {}).items():
            for measure, node in (measures or {}).items():
                out[("pool_channel", pool_channel_name(pool, channel), measure)] = \
                    estimate_from(node, n)
    return out


def _area_values(areas: dict[str, Any], n: int) -> dict[Key, Estimate]:
    """summary.json's ``dispatch.areas``: each area's grades' measures and its own."""
    out: dict[Key, Estimate] = {}
    for area, grades in areas.items():
        for name, node in (grades if isinstance(grades, dict) else {}).items():
            if isinstance(node, dict) and "mean" in node:
                out[("dispatch", area_name(area, "all"), name)] = estimate_from(node, n)
            elif isinstance(node, dict):
                out.update((("dispatch", area_name(area, name), m), estimate_from(v, n))
                           for m, v in node.items())
    return out


def is_paired(base: RunResults, other: RunResults) -> bool:
    """Replication i of each is driven by the same random numbers: same seed and run length."""
    return all(base.summary.get(k) == other.summary.get(k) for k in RUN_KEYS)


def differences(base: RunResults, other: RunResults) -> list[tuple[Key, float, float,
                                                                   Estimate, str]]:
    """``other - base`` for every measure both have: (key, base mean, other mean, diff, method)."""
    paired = is_paired(base, other)
    reps_a, reps_b = replication_values(base), replication_values(other)
    sums_a, sums_b = summary_values(base), summary_values(other)
    out = []
    for key in [k for k in sums_a if k in sums_b] + [k for k in reps_a if k not in sums_a
                                                      and k in reps_b]:
        if key in reps_a and key in reps_b:
            a, b = reps_a[key], reps_b[key]
            diff, method = ((paired_difference(a, b), "paired") if paired
                            else (welch(a, b), "welch"))
            means = (mean_ci(a).mean, mean_ci(b).mean)
        else:
            diff, method = welch_from_summary(sums_a[key], sums_b[key]), "welch-summary"
            means = (sums_a[key].mean, sums_b[key].mean)
        out.append((key, *means, diff, method))
    return out


def compare_rows(labels: Sequence[str], runs: Sequence[RunResults]) -> list[list[Any]]:
    """compare.csv: every scenario after the first against the first."""
    rows: list[list[Any]] = []
    for label, run in zip(labels[1:], runs[1:], strict=True):
        for (kind, name, measure), a, b, d, method in differences(runs[0], run):
            rows.append([label, labels[0], kind, name, measure, a, b, d.mean, d.ci_low,
                         d.ci_high, method])
    return rows


def unpaired_notes(labels: Sequence[str], runs: Sequence[RunResults]) -> list[str]:
    notes = []
    for label, run in zip(labels[1:], runs[1:], strict=True):
        diff = [k for k in RUN_KEYS if run.summary.get(k) != runs[0].summary.get(k)]
        if diff:
            notes.append(f"{label} differs from {labels[0]} in {', '.join(diff)}: its "
                         "replications do not pair with the base's, so its differences are "
                         "unpaired (Welch) intervals, wider than paired ones.")
    return notes


def fill_member(member: Member, folder: Path, runs: Iterator[Experiment]) -> None:
    if member.folder is not None:
        shutil.copytree(member.folder, folder, ignore=shutil.ignore_patterns(".*"))
        return
    folder.mkdir()
    write_tables(next(runs), folder)


def write_comparison(folder: Path, members: Sequence[Member]) -> None:
    """compare.csv and compare.json (and compare_monthly.csv for runs pinned to dates, and
    compare_workforce.csv for runs with a workforce) from the member folders already inside
    ``folder``."""
    labels = [m.label for m in members]
    runs = [read_run(folder / label) for label in labels]
    write_csv(folder / COMPARE_CSV, COMPARE_COLUMNS, compare_rows(labels, runs))
    paired = [is_paired(runs[0], run) for run in runs[1:]]
    if monthly := monthly_rows(labels, runs, paired):
        write_csv(folder / COMPARE_MONTHLY_CSV, MONTHLY_COLUMNS, monthly)
    if people := workforce_rows(labels, runs, paired):
        write_csv(folder / COMPARE_WORKFORCE_CSV, WORKFORCE_COLUMNS, people)
    notes = unpaired_notes(labels, runs)
    meta = {
        "base": labels[0],
        "paired": not notes,
        "notes": notes,
        "scenarios": [{"label": m.label, "name": r.name, "source": m.source,
                       "simulated": m.scenario is not None} for m, r in
                      zip(members, runs, strict=True)],
    }
    (folder / COMPARE_JSON).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def sweep_rows(points: Sequence[Point], runs: Sequence[RunResults], keys: Sequence[str],
               section: str) -> tuple[list[str], list[list[Any]]]:
    """sweep.csv (section "channels") or sweep_pools.csv ("pools"): a row per point and name."""
    kind = "channel" if section == "channels" else "pool"
    measures = list(dict.fromkeys(m for r in runs for node in r.summary.get(section, {})
                                  .values() for m in node))
    extra = ["answer_target_s"] if kind == "channel" else []
    header = ["point", *keys, kind, *extra,
              *(f"{m}_{p}" for m in measures for p in ("mean", "ci_low", "ci_high"))]
    rows = []
    for point, run in zip(points, runs, strict=True):
        for name in run.summary.get(section, {}):
            cells: list[Any] = [point.index + 1, *(point.values[k] for k in keys), name]
            if extra:
                cells.append(run.targets_s.get(name, math.nan))
            for m in measures:
                est = run.estimate(section, name, m)
                cells.extend([est.mean, est.ci_low, est.ci_high])
            rows.append(cells)
    return header, rows


def write_sweep_tables(folder: Path, file: str, varies: Sequence[Vary],
                       points: Sequence[Point]) -> None:
    """sweep.csv, sweep_pools.csv and sweep.json from the point folders inside ``folder``."""
    keys = [v.key for v in varies]
    runs = [read_run(folder / p.folder) for p in points]
    write_csv(folder / SWEEP_CSV, *sweep_rows(points, runs, keys, "channels"))
    write_csv(folder / SWEEP_POOLS_CSV, *sweep_rows(points, runs, keys, "pools"))
    first = runs[0]
    meta = {
        "scenario": {"name": first.name, "file": file},
        "keys": keys,
        "values": {v.key: list(v.values) for v in varies},
        "points": [{"point": p.index + 1, "values": p.values, "folder": p.folder}
                   for p in points],
        "seed": first.summary.get("seed"),
        "replications": first.replications,
        "days": first.days,
        "targets_s": first.targets_s,
        "target_service_level": TARGET_SL,
    }
    (folder / SWEEP_JSON).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def meets_from(sweep: SweepResults, channel: str) -> list[dict[str, str]]:
    """The points (in the order run) at which a channel's mean service level meets 90%."""
    rows = sweep.table.where("channel", channel)
    sl = rows.numbers("service_level_mean")
    return [{k: rows.text(k)[i] for k in sweep.keys} for i in range(len(rows))
            if sl[i] >= TARGET_SL]
