"""Jobs: simulate, write the results folder, draw its report, as one atomic step.

Each command that produces a folder (``run``, ``compare``, ``sweep``, ``backtest``, ``fit``) is
one job here: the replications run (in parallel or on a Dask cluster), the tables are written into a
temporary folder, the plots and report are drawn from those saved tables, and only then is the
folder swapped into place, so an interrupted job leaves the previous results intact. This is the one
layer that joins the analysis, the results folder and the presentation; the command line above
it only parses arguments and prints. The report module (and with it matplotlib) is imported
only when a report is drawn, so ``--no-report`` runs start quickly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from contactsim.analysis.experiment import Experiment, run_experiments
from contactsim.analysis.whatif import Point, Vary
from contactsim.config.spec import Scenario
from contactsim.problems import ScenarioError
from contactsim.results.compare import (
    Member,
    fill_member,
    write_comparison,
    write_sweep_tables,
)
from contactsim.results.read import CompareResults, SweepResults, read_compare, read_sweep
from contactsim.results.write import write_atomically, write_tables

if TYPE_CHECKING:
    from contactsim.analysis.backtest import Backtest
    from contactsim.analysis.fit import LogFit
    from contactsim.analysis.staffing import Plan

#: Runs scenarios and yields their experiments in the same order (see run_experiments).
Runner = Callable[[Sequence[Scenario]], Iterator[Experiment]]


#: The simulated contact log's file in a results folder (``run --contact-log``).
CONTACT_LOG_FILE = "contacts.csv.gz"


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


def save_staffing(result: Plan, final: Path, folder: Path, *, plot: bool) -> None:
    """Everything ``staff`` writes into its (temporary) results folder."""
    from contactsim.results.staff import write_staffing  # scipy's optimiser: staff only

    write_staffing(result, folder, final)
    if plot:
        from contactsim.present.staff_report import write_staff_report

        write_staff_report(folder)


def run_backtest_job(scenario: Scenario, logs: Sequence[str], out: Path, *,
                     columns: str | None = None, skip_bad_rows: bool = False,
                     clock_skew_s: float | None = None, replications: int | None = None,
                     seed: int | None = None, workers: int | None = None, report: bool = True,
                     progress: Callable[[int, int], None] | None = None,
                     ready: Callable[[Scenario], None] | None = None) -> Backtest:
    """``contactsim backtest``: read the logs, pin the scenario to their whole days, simulate,
    write the folder (and its report) atomically.

    Every check of the input (the logs, the scenario as pinned, the output folder) comes
    before any simulating, so bad input fails at once with nothing written. ``ready`` is told
    the pinned scenario just before the simulating starts.
    """
    from contactsim.analysis.backtest import backtest_scenario, log_window, run_backtest
    from contactsim.logs.read import read_logs
    from contactsim.results.backtest import write_backtest
    from contactsim.results.write import check_writable

    log = read_logs(logs, columns=columns, skip_bad_rows=skip_bad_rows,
                    channels=tuple(scenario.channels), clock_skew_s=clock_skew_s)
    window = log_window(log)
    pinned = backtest_scenario(scenario, window, replications=replications, seed=seed)
    check_writable(out)
    if ready is not None:
        ready(pinned)
    result = run_backtest(pinned, log, window, workers=workers, progress=progress)

    def fill(tmp: Path) -> None:
        write_backtest(result, tmp)
        if report:
            from contactsim.present.backtest_report import write_backtest_report

            write_backtest_report(tmp)

    write_atomically(out, fill)
    return result


def log_stem(log: str | Path) -> str:
    """A log's name without its folder and its ``.gz`` and ``.csv`` endings."""
    name = Path(log).name
    for ending in (".gz", ".csv"):
        if name.lower().endswith(ending) and len(name) > len(ending):
            name = name[: -len(ending)]
    return name


def run_fit_job(logs: Sequence[str], out: Path, *, base: str | None = None,
                columns: str | None = None, skip_bad_rows: bool = False,
                clock_skew_s: float | None = None, report: bool = True) -> LogFit:
    """``contactsim fit``: read the logs, fit them, write the folder (scenario.toml, fit.json,
    tables, plots and report) atomically.

    The base scenario, the logs and the output folder are all checked before any fitting, so
    bad input fails at once with nothing written. The fitted scenario is loaded from the new
    folder before it is swapped in: a fit whose scenario would not load is an internal error,
    never a folder left behind. With a base, ``extends`` is the base's path relative to the
    folder (absolute where there is none, e.g. another drive).
    """
    import os

    from contactsim.analysis.fit import fit_log
    from contactsim.analysis.fit_scenario import fitted_document
    from contactsim.config.loading import load_scenario
    from contactsim.logs.read import read_logs
    from contactsim.results.fit import SCENARIO, write_fit
    from contactsim.results.write import check_writable, out_location

    scenario = load_scenario(base) if base is not None else None
    log = read_logs(logs, columns=columns, skip_bad_rows=skip_bad_rows,
                    channels=None if scenario is None else tuple(scenario.channels),
                    clock_skew_s=clock_skew_s)
    check_writable(out)
    fit = fit_log(log, scenario)
    base_ref = None
    if base is not None:
        where, folder = os.path.abspath(base), os.path.abspath(out_location(out))
        try:  # relative where the two share a folder below the root, else absolute
            shared = os.path.commonpath([where, folder])
        except ValueError:  # another drive
            shared = ""
        near = shared and os.path.dirname(shared) != shared
        base_ref = Path(os.path.relpath(where, folder) if near else where).as_posix()
    name = f"Fitted from {Path(logs[0]).name}" + (
        "" if scenario is None else f" over {scenario.name}")
    doc, notes, defaults = fitted_document(fit, name=name, base_ref=base_ref)

    def fill(tmp: Path) -> None:
        write_fit(fit, tmp, doc, notes, defaults, base_ref)
        try:
            load_scenario(tmp / SCENARIO)
        except ScenarioError as exc:
            raise RuntimeError("the fitted scenario does not load: " + "; ".join(
                f"{p.key}: {p.message}" for p in exc.problems)) from None
        if report:
            from contactsim.present.fit_report import write_fit_report

            write_fit_report(tmp)

    write_atomically(out, fill)
    return fit


def redraw(folder: Path) -> Path:
    """Draw a results folder's plots and report again from its saved files; returns the report.

    A staff folder's report is drawn by :mod:`contactsim.present.staff_report` and a back-test
    folder's by :mod:`contactsim.present.backtest_report` (both build on the report module, so
    the report module cannot call them); every other kind by
    :func:`contactsim.present.report.redraw`.
    """
    from contactsim.results.backtest import is_backtest
    from contactsim.results.fit import is_fit
    from contactsim.results.read import folder_kind

    if is_fit(folder):
        from contactsim.present.fit_report import write_fit_report

        return write_fit_report(folder)
    if is_backtest(folder):
        from contactsim.present.backtest_report import write_backtest_report

        return write_backtest_report(folder)
    if folder_kind(folder) == "staff":
        from contactsim.present.staff_report import write_staff_report

        return write_staff_report(folder)
    from contactsim.present.report import redraw as redraw_results

    return redraw_results(folder)
