"""``contactsim compare`` and ``contactsim sweep``: several scenarios run with one seed, each
written into the job's folder, then compared."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from contactsim.analysis.experiment import run_experiments
from contactsim.analysis.whatif import Point, Vary
from contactsim.jobs.run import Runner, RunOptions, note, runner, where
from contactsim.results.compare import (
    Member,
    fill_member,
    write_comparison,
    write_sweep_tables,
)
from contactsim.results.read import CompareResults, SweepResults, read_compare, read_sweep
from contactsim.results.write import check_writable, write_atomically, write_tables


def run_compare(members: Sequence[Member], out: Path, *, runner: Runner = run_experiments,
                report: bool = True) -> CompareResults:
    """Run (or copy) every member into ``out/<label>/``, then compare.csv and the report."""
    def fill(tmp: Path) -> None:
        runs = runner([m.scenario for m in members if m.scenario is not None])
        for member in members:
            fill_member(member, tmp / member.label, runs)
            if report:
                from contactsim.present.report import write_run_report

                write_run_report(tmp / member.label)
        write_comparison(tmp, members)
        from contactsim.present.board import write_changes_csv  # the clear rule: words.py

        write_changes_csv(read_compare(tmp), tmp)
        if report:
            from contactsim.present.report import write_compare_report

            write_compare_report(tmp)

    write_atomically(out, fill)
    return read_compare(out)


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


def compare_job(items: Sequence[str], out: Path, overrides: Sequence[str],
                opts: RunOptions) -> None:
    """``contactsim compare``: plan the members (scenario files or results folders), check
    the folder, run, write, and say what differs."""
    from contactsim.present.words import comparison_text
    from contactsim.results.compare import plan_compare

    members = plan_compare(items, overrides, log=note(opts.quiet), out=out)
    check_writable(out)
    result = run_compare(members, out, runner=runner(opts), report=opts.report)
    if not opts.quiet:
        sys.stdout.write(comparison_text(result))
        from contactsim.present.board import cost_bullet

        for i, label in enumerate(result.labels[1:], 1):  # only runs that price anything
            sys.stdout.writelines(f"  {label}: {said}\n" for said in cost_bullet(result, i))
        where(out, opts.report)


def sweep_job(file: str, vary: Sequence[str], out: Path, overrides: Sequence[str],
              opts: RunOptions) -> None:
    """``contactsim sweep``: the scenario at every value (or pair of values) of the varied
    keys, written and summed up."""
    from contactsim.analysis.whatif import parse_vary, plan_sweep
    from contactsim.present.words import sweep_text

    varies = [parse_vary(v) for v in vary]
    points = plan_sweep(file, varies, overrides)
    check_writable(out)
    result = run_sweep(file, varies, points, out, runner=runner(opts), report=opts.report)
    if not opts.quiet:
        sys.stdout.write(sweep_text(result))
        where(out, opts.report)
