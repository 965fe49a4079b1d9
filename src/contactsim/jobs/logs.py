"""``contactsim backtest`` and ``contactsim fit``: jobs that read the force's own contact logs."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.jobs.run import where
from contactsim.present.progress import JobProgress
from contactsim.problems import ScenarioError
from contactsim.results.write import check_writable, out_location, write_atomically

if TYPE_CHECKING:
    from contactsim.analysis.backtest import Backtest
    from contactsim.analysis.fit import LogFit


def run_backtest_job(scenario: Scenario, logs: Sequence[str], out: Path, *,
                     columns: str | None = None, skip_bad_rows: bool = False,
                     clock_skew_s: float | None = None,
                     replications: int | None = None, seed: int | None = None,
                     workers: int | None = None, report: bool = True,
                     progress: Callable[[int, int], None] | None = None,
                     ready: Callable[[Scenario], None] | None = None) -> Backtest:
    """Read the logs, pin the scenario to their whole days, simulate, write the folder (and
    its report) atomically.

    Every check of the input (the logs, the scenario as pinned, the output folder) comes
    before any simulating, so bad input fails at once with nothing written. ``ready`` is told
    the pinned scenario just before the simulating starts.
    """
    from contactsim.analysis.backtest import backtest_scenario, log_window, run_backtest
    from contactsim.analysis.backtest_days import open_hours
    from contactsim.logs.read import read_logs
    from contactsim.results.backtest import write_backtest

    log = read_logs(logs, columns=columns, skip_bad_rows=skip_bad_rows,
                    channels=tuple(scenario.channels), clock_skew_s=clock_skew_s)
    window = log_window(log, open_hours(scenario, log))
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


def backtest_job(file: str, logs: Sequence[str], out: Path, *, columns: str | None = None,
                 skip_bad_rows: bool = False, clock_skew_s: float | None = None,
                 replications: int | None = None,
                 seed: int | None = None, workers: int | None = None, report: bool = True,
                 quiet: bool = False) -> None:
    """``contactsim backtest``: :func:`run_backtest_job` with a progress line, and the
    coverage found in a few lines."""
    from contactsim.present.log_words import backtest_text
    from contactsim.results.backtest import read_backtest

    scenario = load_scenario(file)
    progress = None if quiet else JobProgress(sys.stderr)
    bar = None if progress is None else progress.stage(scenario.name)

    def ready(pinned: Scenario) -> None:
        if not quiet:
            run = pinned.run
            print(f"back-test: {pinned.name}, {run.days:g} days from {run.start_date}, "
                  f"{run.replications} replications", file=sys.stderr)

    run_backtest_job(scenario, logs, out, columns=columns, skip_bad_rows=skip_bad_rows,
                     clock_skew_s=clock_skew_s, replications=replications, seed=seed,
                     workers=workers, report=report, progress=bar, ready=ready)
    if progress is not None:
        progress.finish()
    if not quiet:
        sys.stdout.write(backtest_text(read_backtest(out).summary))
        where(out, report)


def log_stem(log: str | Path) -> str:
    """A log's name without its folder and its ``.gz`` and ``.csv`` endings."""
    name = Path(log).name
    for ending in (".gz", ".csv"):
        if name.lower().endswith(ending) and len(name) > len(ending):
            name = name[: -len(ending)]
    return name


def base_reference(base: str, out: Path) -> str:
    """The fitted scenario's ``extends``: the base's path relative to the folder, absolute
    where the two share no folder below the root (or are on different drives)."""
    where, folder = os.path.abspath(base), os.path.abspath(out_location(out))
    try:
        shared = os.path.commonpath([where, folder])
    except ValueError:  # another drive
        shared = ""
    near = shared and os.path.dirname(shared) != shared
    return Path(os.path.relpath(where, folder) if near else where).as_posix()


def run_fit_job(logs: Sequence[str], out: Path, *, base: str | None = None,
                columns: str | None = None, skip_bad_rows: bool = False,
                clock_skew_s: float | None = None, report: bool = True) -> LogFit:
    """Read the logs, fit them, write the folder (scenario.toml, fit.json, tables, plots and
    report) atomically.

    The base scenario, the logs and the output folder are all checked before any fitting, so
    bad input fails at once with nothing written. The fitted scenario is loaded from the new
    folder before it is swapped in: a fit whose scenario would not load is an internal error,
    never a folder left behind.
    """
    from contactsim.analysis.fit import fit_log
    from contactsim.analysis.fit_scenario import fitted_document
    from contactsim.logs.read import read_logs
    from contactsim.results.fit import SCENARIO, write_fit

    scenario = load_scenario(base) if base is not None else None
    log = read_logs(logs, columns=columns, skip_bad_rows=skip_bad_rows,
                    channels=None if scenario is None else tuple(scenario.channels),
                    clock_skew_s=clock_skew_s)
    check_writable(out)
    fit = fit_log(log, scenario)
    base_ref = None if base is None else base_reference(base, out)
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


def fit_job(logs: Sequence[str], out: Path, *, base: str | None = None,
            columns: str | None = None, skip_bad_rows: bool = False,
            clock_skew_s: float | None = None, quiet: bool = False) -> None:
    """``contactsim fit``: :func:`run_fit_job`, and what was fitted in a few lines."""
    from contactsim.present.log_words import fit_text
    from contactsim.results.fit import read_fit

    with warnings.catch_warnings():
        if quiet:  # nothing but errors: numpy's and scipy's runtime warnings are not
            warnings.simplefilter("ignore")
        run_fit_job(logs, out, base=base, columns=columns, skip_bad_rows=skip_bad_rows,
                    clock_skew_s=clock_skew_s)
    if not quiet:
        sys.stdout.write(fit_text(read_fit(out).summary))
        print(f"  scenario: {out / 'scenario.toml'}")
        where(out, True)
