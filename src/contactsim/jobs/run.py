"""``contactsim run``, and what every simulating job shares: how scenarios are run (workers, a
Dask cluster), the size warning before a very large job and the progress line during it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from contactsim.analysis.experiment import Experiment, run_experiment, run_experiments
from contactsim.analysis.warnings import scenario_warnings
from contactsim.config.spec import Scenario
from contactsim.jobs.quick import load_all
from contactsim.present.progress import JobProgress
from contactsim.results.write import check_writable, write_atomically, write_tables

#: Runs scenarios and yields their experiments in the same order (see run_experiments).
Runner = Callable[[Sequence[Scenario]], Iterator[Experiment]]

#: The simulated contact log's file in a results folder (``run --contact-log``).
CONTACT_LOG_FILE = "contacts.csv.gz"


@dataclass(frozen=True)
class RunOptions:
    """How a job's scenarios are run and what it prints (the options run, compare, sweep and
    staff share)."""

    workers: int | None = None  # parallel processes (None: all cores)
    dask: str | None = None  # a Dask scheduler's address, or None to run here
    report: bool = True  # draw the plots and report.html
    quiet: bool = False  # print nothing but errors


def note(quiet: bool) -> Callable[[str], None]:
    """Where a job's remarks go: standard error, or nowhere when quiet."""
    return (lambda _: None) if quiet else (lambda text: print(text, file=sys.stderr))


def warn_size(opts: RunOptions, scenarios: Sequence[Scenario]) -> None:
    """Before a very large run: what it will cost and how to make it smaller (never refused)."""
    from contactsim.analysis.experiment import default_workers
    from contactsim.analysis.size import size_warning

    if opts.quiet or not scenarios:
        return
    workers = min(opts.workers or default_workers(), max(sc.run.replications
                                                         for sc in scenarios))
    warning = size_warning(scenarios, workers)
    if warning is not None:
        where = scenarios[0].file if len(scenarios) == 1 else "this job"
        print(f"warning: {where}: {warning}", file=sys.stderr)


def progress(opts: RunOptions, scenarios: Sequence[Scenario]) -> JobProgress | None:
    """The progress line of a job over ``scenarios`` (None when quiet)."""
    if opts.quiet:
        return None
    return JobProgress(sys.stderr, sum(sc.run.replications for sc in scenarios),
                       len(scenarios))


def runner(opts: RunOptions) -> Runner:
    """Run the scenarios of a comparison or sweep: a size warning first if the job is very
    large, then a progress line for each scenario with the time left for the whole job."""
    def run(scenarios: Sequence[Scenario]) -> Iterator[Experiment]:
        warn_size(opts, scenarios)
        bar = progress(opts, scenarios)
        stage = None if bar is None else (lambda sc: bar.stage(sc.name))
        for exp in run_experiments(scenarios, opts.workers, stage, opts.dask):
            if bar is not None:
                bar.finish()
            yield exp

    return run


def save_run(exp: Experiment, folder: Path, *, report: bool, contact_log: bool = False) -> None:
    """Everything a run writes into its (temporary) results folder.

    With ``contact_log``, ``contacts.csv.gz`` too: replication 1 (index 0) is simulated once
    more, here in this process, by the logging room, which gives the same records as the
    worker's run (so the log and the results agree) and costs one more replication's time.
    """
    write_tables(exp, folder)
    if contact_log:
        from contactsim.engine.contactlog import simulate_log
        from contactsim.logs.write import write_log

        _, log = simulate_log(exp.scenario, 0)
        write_log(log, folder / CONTACT_LOG_FILE)
    if report:
        from contactsim.present.report import write_run_report

        write_run_report(folder)


def run_targets(files: Sequence[str], out: Path | None) -> list[Path]:
    """Each file's results folder: ``out`` for one file; for several, ``out/<file stem>`` (or
    ``results/<file stem>`` without ``out``), stems made unique as a comparison makes them
    (``good``, ``good-2``), so two files of one name never write the same folder."""
    from contactsim.results.compare import folder_labels

    if out is not None and len(files) == 1:
        return [out]
    return [(out or Path("results")) / label for label in folder_labels(files)]


def run_job(files: Sequence[str], out: Path | None, overrides: Sequence[str],
            opts: RunOptions, *, contact_log: bool = False) -> None:
    """``contactsim run``: simulate each scenario file and write its folder (see run_targets).

    Every file is loaded and every target checked before any simulating; each scenario's
    warnings come just before its run, so the planner can stop it and fix the file.
    """
    from contactsim.present.run_words import print_summary

    scenarios = load_all(files, overrides)
    targets = run_targets(files, out)
    for target in targets:
        check_writable(target)  # before hours of simulating, not after
    warn_size(opts, scenarios)
    bar = progress(opts, scenarios)
    for sc, target in zip(scenarios, targets, strict=True):
        if not opts.quiet:
            for warning in scenario_warnings(sc):
                print(f"warning: {sc.file}: {warning}", file=sys.stderr)
        exp = run_experiment(sc, workers=opts.workers, dask=opts.dask,
                             progress=None if bar is None else bar.stage(sc.name))
        if bar is not None:
            bar.finish()
        write_atomically(target, partial(save_run, exp, report=opts.report,
                                         contact_log=contact_log))
        if not opts.quiet:
            print_summary(exp, target, sys.stdout)
            if opts.report:
                print(f"  report: {target / 'report.html'}")


def where(folder: Path, report: bool) -> None:
    """The last line of a job's words: where its report (or, without one, its tables) is."""
    what = "report" if report else "tables"
    target = folder / "report.html" if report else folder
    print(f"  {what}: {target}")
