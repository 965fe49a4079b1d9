"""Comparing scenarios and sweeping a key: the planner's what-if questions.

``compare`` answers "what does this change buy us?": every scenario file is run with the same
seed, replications and run length as the first argument, so both see the same callers (common
random numbers) and the difference in each measure is estimated replication by replication (a
paired difference), which is far sharper than setting two separate intervals side by side. An
existing results folder can stand in for a scenario; when folders differ in seed, replications or
run length their replications do not pair up, so the differences are then estimated as unpaired
(Welch) intervals and the comparison says so.

``sweep`` answers "how much of this do we need?": one scenario run at every value (or pair of
values) of one or two keys, each point with the same seed, tabulated in ``sweep.csv``.

Both write their folder through :func:`contactsim.results.write.write_atomically`, one complete
folder per scenario or point inside it, then draw their plots and report from those saved tables.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import stdtrit

from contactsim.analysis.experiment import Experiment, run_experiments
from contactsim.analysis.stats import LEVEL, Estimate, mean_ci, paired_difference
from contactsim.config.kinds import Problem, ScenarioError
from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.results.read import (
    COMPARE_CSV,
    COMPARE_JSON,
    HEADLINE,
    SWEEP_CSV,
    SWEEP_JSON,
    SWEEP_POOLS_CSV,
    CompareResults,
    ResultsError,
    RunResults,
    SweepResults,
    Table,
    estimate_from,
    fmt,
    fmt_ci,
    fmt_target,
    read_compare,
    read_run,
    read_sweep,
    row_estimate,
)
from contactsim.results.write import write_atomically, write_tables
from contactsim.standard import TARGET_S, TARGET_SL

#: Runs scenarios and yields their experiments in the same order (see run_experiments).
Runner = Callable[[Sequence[Scenario]], Iterator[Experiment]]
Log = Callable[[str], None]
RUN_KEYS = ("seed", "replications", "days", "warmup_days")
COMPARE_COLUMNS = ("scenario", "base", "kind", "name", "measure", "base_mean", "scenario_mean",
                   "difference", "ci_low", "ci_high", "method")


def _quiet(_: str) -> None:
    """A log that says nothing."""


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A tidy CSV: numbers at full precision, undefined (NaN) cells empty."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow(["" if isinstance(v, float) and math.isnan(v)
                          else repr(v) if isinstance(v, float) else v for v in row])


# --- compare: what to run -------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One argument of ``compare``: a scenario to run, or an existing results folder."""

    label: str
    source: str
    scenario: Scenario | None = None
    folder: Path | None = None


def _labels(items: Sequence[str]) -> list[str]:
    """Folder names inside the comparison: the file stems, made unique."""
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
                 log: Log = _quiet) -> list[Member]:
    """Check every argument before anything runs; report every problem at once."""
    if len(items) < 2:
        raise ResultsError("compare", "give at least two scenario files or results folders",
                           "(arguments)")
    settings = _run_settings(items[0], overrides)
    forced = [f"run.{k}={v!r}" for k, v in settings.items()]
    members, problems = [], []
    for label, item in zip(_labels(items), items, strict=True):
        try:
            members.append(_member(label, item, overrides, forced, settings, log))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return members


def _member(label: str, item: str, overrides: Sequence[str], forced: Sequence[str],
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
    return Member(label, item, scenario=load_scenario(item, [*forced, *overrides]))


# --- compare: paired and unpaired differences -----------------------------------------------


def welch(base: np.ndarray, other: np.ndarray, level: float = LEVEL) -> Estimate:
    """``mean(other) - mean(base)`` with a Welch interval (independent samples)."""
    a, b = base[~np.isnan(base)], other[~np.isnan(other)]
    if not len(a) or not len(b):
        return Estimate(math.nan, math.nan, math.nan, 0)
    diff = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return Estimate(diff, math.nan, math.nan, min(len(a), len(b)))
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    return _welch_interval(diff, va, vb, len(a) - 1, len(b) - 1, level)


def _welch_interval(diff: float, va: float, vb: float, dfa: float, dfb: float,
                    level: float) -> Estimate:
    se2 = va + vb
    if se2 == 0:
        return Estimate(diff, diff, diff, 2)
    df = se2**2 / (va**2 / dfa + vb**2 / dfb)
    half = float(stdtrit(df, (1 + level) / 2) * math.sqrt(se2))
    return Estimate(diff, diff - half, diff + half, 2)


def welch_from_summary(base: Estimate, other: Estimate, level: float = LEVEL) -> Estimate:
    """A Welch interval rebuilt from two summary intervals (when no per-replication rows)."""
    diff = other.mean - base.mean
    if not all(math.isfinite(v) for v in (base.half_width, other.half_width)) or min(
            base.n, other.n) < 2:
        return Estimate(diff, math.nan, math.nan, 0)
    t = [float(stdtrit(e.n - 1, (1 + level) / 2)) for e in (base, other)]
    va, vb = (base.half_width / t[0]) ** 2, (other.half_width / t[1]) ** 2
    return _welch_interval(diff, va, vb, base.n - 1, other.n - 1, level)


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
    officers = run.table("officers")
    if officers is not None and officers.has("officer_hours_per_day"):
        order = np.argsort(officers.numbers("replication"), kind="stable")
        out[("officers", "all", "officer_hours")] = officers.numbers(
            "officer_hours_per_day")[order]
    return out


def _by_replication(table: Table, kind: str, summed: Sequence[str] = ()) -> dict[Key,
                                                                              np.ndarray]:
    """Per-replication values of each measure of each name; hourly rows are added up."""
    out: dict[Key, np.ndarray] = {}
    for name in table.distinct(kind):
        rows = table.where(kind, name)
        reps = rows.numbers("replication")
        index = np.unique(reps, return_inverse=True)[1]
        for measure in rows.measures(("replication", kind, *summed)):
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


# --- compare: running and writing -----------------------------------------------------------


def _fill_member(member: Member, folder: Path, runs: Iterator[Experiment]) -> None:
    if member.folder is not None:
        shutil.copytree(member.folder, folder, ignore=shutil.ignore_patterns(".*"))
        return
    folder.mkdir()
    write_tables(next(runs), folder)


def write_comparison(folder: Path, members: Sequence[Member]) -> None:
    """compare.csv and compare.json from the member folders already inside ``folder``."""
    labels = [m.label for m in members]
    runs = [read_run(folder / label) for label in labels]
    write_csv(folder / COMPARE_CSV, COMPARE_COLUMNS, compare_rows(labels, runs))
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


def run_compare(members: Sequence[Member], out: Path, *, runner: Runner = run_experiments,
                report: bool = True) -> CompareResults:
    """Run (or copy) every member into ``out/<label>/``, then compare.csv and the report."""
    def fill(tmp: Path) -> None:
        runs = runner([m.scenario for m in members if m.scenario is not None])
        for member in members:
            _fill_member(member, tmp / member.label, runs)
            if report:
                from contactsim.present.report import write_run_report
                write_run_report(tmp / member.label)
        write_comparison(tmp, members)
        if report:
            from contactsim.present.report import write_compare_report
            write_compare_report(tmp)

    write_atomically(out, fill)
    return read_compare(out)


#: Pool measures that are totals over the measured days, shown per day.
PER_DAY_TOTALS = frozenset({"busy_hours", "staff_hours"})


def comparison_text(result: CompareResults) -> str:
    """The comparison table for the terminal: headline measures and their changes."""
    base = result.runs[0].name
    how = "paired: same seed and run length" if result.paired else "some unpaired"
    lines = [f"\nComparison against {result.labels[0]} ({base}): mean, and change with its "
             f"95% CI ({how}); * = a clear change",
             f"  {'scenario':<20} {'channel/pool':<12} {'measure':<20} {'value':>9} "
             f"{'change (95% CI)':>32}"]
    groups: list[tuple[str, str, str, tuple[str, ...]]] = [
        ("channel", c, "channels", HEADLINE) for c in result.runs[0].channels]
    groups += [("pool", p, "pools", ("utilisation", "busy_hours")) for p in result.runs[0].pools]
    groups.append(("officers", "all", "", ("officer_hours",)))
    for kind, name, section, measures in groups:
        for measure in measures:
            lines.append("")
            for i, (label, run) in enumerate(zip(result.labels, result.runs, strict=True)):
                est = run.estimate(section, name, measure) if section else run.estimate(measure)
                if not math.isfinite(est.mean):
                    continue
                per = run.days if measure in PER_DAY_TOTALS and run.days > 0 else 1.0
                est = est.scaled(1 / per)
                row = (result.differences.where("scenario", label).where("kind", kind)
                       .where("name", name).where("measure", measure))
                change = _change_text(row, measure, 1 / per) if i else ""
                lines.append(f"  {label[:20]:<20} {name[:12]:<12} {_measure_name(measure):<20} "
                             f"{fmt(measure, est.mean):>9} {change:>32}")
    lines.extend(f"  note: {n}" for n in result.meta.get("notes", []))
    return "\n".join(line.rstrip() for i, line in enumerate(lines) if line or lines[i - 1]) + "\n"


def _measure_name(measure: str) -> str:
    return {"service_level": "service level", "mean_answer_s": "mean answer time",
            "abandon_rate": "abandoned", "officer_hours": "officer hours/day",
            "busy_hours": "hours busy/day"}.get(
                measure, measure)


def _change_text(row: Table, measure: str, scale: float = 1.0) -> str:
    if not len(row):
        return "-"
    est = row_estimate(row, 0, ("difference", "ci_low", "ci_high")).scaled(scale)
    clear = math.isfinite(est.ci_low) and (est.ci_low > 0 or est.ci_high < 0)
    return fmt_ci(measure, est, signed=True) + (" *" if clear else "  ")


# --- sweep ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vary:
    """One ``--vary KEY=V1,V2,...``: a dotted key and its values as TOML text."""

    key: str
    values: tuple[str, ...]


def split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets, braces and quotes: ``[1,2],[3]`` -> two values."""
    parts, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote and text[i - 1] != "\\" else quote
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_vary(text: str) -> Vary:
    """``"pools.handlers.scale=0.9,1.0,1.1"`` -> Vary; ValueError saying what is wrong."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not p.strip() for p in key.split(".")):
        raise ValueError(f"{text!r} is not KEY.PATH=V1,V2,..., e.g. "
                         "pools.handlers.scale=0.9,1.0,1.1")
    values = split_top_level(raw)
    if any(not v for v in values):
        raise ValueError(f"{text!r} has an empty value; separate values with single commas")
    if len(set(values)) != len(values):
        raise ValueError(f"{text!r} repeats a value")
    return Vary(key, tuple(values))


@dataclass(frozen=True)
class Point:
    """One run of a sweep: the values of the varied keys and the scenario they give."""

    index: int
    values: dict[str, str]
    scenario: Scenario

    @property
    def folder(self) -> str:
        return f"points/point-{self.index + 1:02d}"


def plan_sweep(file: str, varies: Sequence[Vary], overrides: Sequence[str]) -> list[Point]:
    """Load the scenario at every point before anything runs; report every problem once."""
    keys = [v.key for v in varies]
    if not 1 <= len(varies) <= 2 or len(set(keys)) != len(keys):
        raise ResultsError(file, "give one or two different --vary keys", "--vary")
    points: list[Point] = []
    problems: list[Problem] = []
    for i, combo in enumerate(itertools.product(*(v.values for v in varies))):
        values = dict(zip(keys, combo, strict=True))
        try:
            sc = load_scenario(file, [*overrides, *(f"{k}={v}" for k, v in values.items())])
            points.append(Point(i, values, sc))
        except ScenarioError as exc:
            problems.extend(_from_vary(p, keys) for p in exc.problems)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return points


def _from_vary(problem: Problem, keys: Sequence[str]) -> Problem:
    """Say ``--vary`` where the loader says ``--set`` about a varied key."""
    if not any(problem.key == k or problem.key.startswith(k + ".") for k in keys):
        return problem
    return Problem(problem.file, problem.key, problem.message.replace("--set", "--vary"))


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


def run_sweep(file: str, varies: Sequence[Vary], points: Sequence[Point], out: Path, *,
              runner: Runner = run_experiments, report: bool = True) -> SweepResults:
    """Run every point into ``out/points/``, then sweep.csv, the plots and the report."""
    def fill(tmp: Path) -> None:
        runs = runner([p.scenario for p in points])
        for point, exp in zip(points, runs, strict=True):
            target = tmp / point.folder
            target.mkdir(parents=True)
            write_tables(exp, target)
        write_sweep_tables(tmp, file, varies, points)
        if report:
            from contactsim.present.report import write_sweep_report
            write_sweep_report(tmp)

    write_atomically(out, fill)
    return read_sweep(out)


def meets_from(sweep: SweepResults, channel: str) -> list[dict[str, str]]:
    """The points (in the order run) at which a channel's mean service level meets 90%."""
    rows = sweep.table.where("channel", channel)
    sl = rows.numbers("service_level_mean")
    return [{k: rows.text(k)[i] for k in sweep.keys} for i in range(len(rows))
            if sl[i] >= TARGET_SL]


def meets_text(sweep: SweepResults, channel: str) -> str:
    """Where a channel meets 90% within its target, in words: the planner's answer."""
    meets = meets_from(sweep, channel)
    target = f"90% within {fmt_target(sweep.targets_s.get(channel, TARGET_S))}"
    if not meets:
        return f"{channel} meets {target} at none of the values tried"
    if len(sweep.keys) == 1:
        key = sweep.keys[0]
        return (f"{channel} meets {target} at {key} = "
                + ", ".join(m[key] for m in meets))
    pairs = "; ".join(", ".join(f"{k} = {v}" for k, v in m.items()) for m in meets[:8])
    return f"{channel} meets {target} at {pairs}" + (" ..." if len(meets) > 8 else "")


def sweep_text(sweep: SweepResults) -> str:
    """The sweep table for the terminal: per point and channel, the headline measures."""
    keys = sweep.keys
    width = max(12, *(len(k) for k in keys))
    lines = [f"\nSweep of {sweep.meta.get('scenario', {}).get('name', '')}; mean (95% CI)"]
    lines.append("  " + " ".join(f"{k:<{width}}" for k in keys) + f" {'channel':<9} "
                 f"{'service level':>28} {'mean answer time':>30} {'abandoned':>26}")
    t = sweep.table
    for i in range(len(t)):
        cells = [f"{t.text(k)[i]:<{width}}" for k in keys]
        ch = t.text("channel")[i]
        ests = [row_estimate(t, i, (f"{m}_mean", f"{m}_ci_low", f"{m}_ci_high"))
                for m in HEADLINE]
        lines.append("  " + " ".join(cells) + f" {ch[:9]:<9} " + " ".join(
            f"{fmt_ci(m, e):>{w}}" for m, e, w in zip(HEADLINE, ests, (28, 30, 26),
                                                          strict=True)))
    lines.extend(f"  {meets_text(sweep, channel)}" for channel in sweep.channels)
    return "\n".join(lines) + "\n"
