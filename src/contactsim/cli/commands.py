"""What each command does: its options, as plain values, handed to one job of
:mod:`contactsim.jobs`, and the job's errors worded in terms of the options (a
:class:`UsageError`). Each job is imported when its command runs, so start-up stays light."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contactsim.problems import Problem

if TYPE_CHECKING:
    from contactsim.jobs.run import RunOptions

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """A bad command line: ``error: MESSAGE`` and a hint to the command's help, exit code 2."""


def report_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def _overrides(args: argparse.Namespace) -> list[str]:
    from contactsim.config.loading import FlagOverride

    out = list(args.overrides)
    for flag, key in (("replications", "run.replications"), ("days", "run.days"),
                      ("seed", "run.seed")):
        value = getattr(args, flag, None)
        if value is not None:
            out.append(FlagOverride(f"{key}={value!r}", f"--{flag}"))
    return out


def _options(args: argparse.Namespace) -> RunOptions:
    from contactsim.jobs.run import RunOptions

    return RunOptions(workers=args.workers, dask=args.dask, report=not args.no_report,
                      quiet=args.quiet)


def cmd_validate(args: argparse.Namespace) -> int:
    from contactsim.jobs.quick import validate_job

    validate_job(args.scenarios, args.overrides)
    return EXIT_OK


def cmd_reference(args: argparse.Namespace) -> int:
    from contactsim.jobs.quick import reference_job

    reference_job(args.out)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from contactsim.jobs.run import run_job

    run_job(args.scenarios, args.out, _overrides(args), _options(args),
            contact_log=args.contact_log)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from contactsim.jobs.whatif import compare_job

    compare_job(args.items, args.out, _overrides(args), _options(args))
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from contactsim.jobs.whatif import sweep_job

    out = args.out or Path("results") / f"sweep-{Path(args.scenario).stem}"
    sweep_job(args.scenario, args.vary, out, _overrides(args), _options(args))
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from contactsim.jobs.folders import plot_job

    plot_job(args.folder)
    return EXIT_OK


#: The flag that sets each parameter of erlang.py's formulas (every one the command passes on).
ERLANG_FLAGS = {"per_hour": "--per-hour", "handle_s": "--handle-s", "agents": "--agents",
                "patience_s": "--patience-s", "target_s": "--target-s",
                "target_sl": "--target-sl", "max_abandon": "--max-abandon"}


def _number(args: argparse.Namespace, name: str, kind: type[int] | type[float]) -> Any:
    text = getattr(args, name)
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise UsageError(f"{ERLANG_FLAGS[name]}: must be {what}, got {text!r}") from None


#: Planner-sized ranges for erlang's flags (low, high); a flag outside is a usage error before
#: any arithmetic: the formulas at 99,999,999,999 agents would allocate hundreds of GiB.
ERLANG_RANGES: dict[str, tuple[float, float]] = {
    "per_hour": (0.001, 1_000_000), "handle_s": (0.001, 30 * 86_400),
    "agents": (1, 100_000), "patience_s": (0.001, 30 * 86_400), "target_s": (0.001, 30 * 86_400)}


def _in_range(values: dict[str, Any]) -> None:
    for name, (low, high) in ERLANG_RANGES.items():
        x = values[name]
        if x is None or not math.isfinite(x) or (name == "patience_s" and x == math.inf):
            continue  # nan and the like: erlang.py says what is wrong
        zero = name == "target_s"  # answering at once: a target of 0 s
        if (x < low and not (zero and x == 0)) or x > high:
            shown = f"{x:,}" if isinstance(x, int) else f"{x:g}"
            raise UsageError(f"{ERLANG_FLAGS[name]}: must be {'0 or ' if zero else ''}from "
                             f"{low:,g} to {high:,.0f}, got {shown}")


def cmd_erlang(args: argparse.Namespace) -> int:
    from contactsim.analysis.erlang import ErlangInputError
    from contactsim.jobs.quick import erlang_job

    values = {name: _number(args, name, int if name == "agents" else float)
              for name in ERLANG_FLAGS}
    if values["max_abandon"] is not None and values["target_sl"] is None:
        raise UsageError("--max-abandon: needs --target-sl (the share to answer within the "
                         "target)")
    _in_range(values)
    try:
        erlang_job(values, as_json=args.json)
    except ErlangInputError as exc:
        raise UsageError(f"{ERLANG_FLAGS[exc.param]}: {exc}") from None
    except ValueError as exc:  # the arithmetic failing at extreme figures, as before: exit 2
        raise UsageError(f"--per-hour: {exc}") from None
    return EXIT_OK


#: The option that sets each part of a staff request, and the words for what to change.
STAFF_FLAGS = {"channel": "--channel", "pool": "--pool", "target": "--target",
               "shift_hours": "--shift-hours", "shift_starts": "--shift-starts"}
STAFF_ADVICE = {"choose_pool": " with --pool NAME",
                "lower_target": ": lower --target or check the scenario"}


def cmd_staff(args: argparse.Namespace) -> int:
    from contactsim.analysis.staffing import Request, StaffingInputError
    from contactsim.jobs.staff import staff_job

    out = args.out or Path("results") / f"staff-{Path(args.scenario).stem}"
    request = Request(file=args.scenario, channel=args.channel, target=args.target,
                      pool=args.pool, overrides=tuple(_overrides(args)),
                      shift_hours=args.shift_hours, shift_starts=args.shift_starts,
                      max_iterations=args.max_iterations, workers=args.workers, dask=args.dask)
    try:
        staff_job(request, out, report=not args.no_report, quiet=args.quiet)
    except StaffingInputError as exc:
        advice = "" if exc.advice is None else STAFF_ADVICE[exc.advice]
        raise UsageError(f"{STAFF_FLAGS[exc.field]}: {exc}{advice}") from None
    return EXIT_OK
def cmd_backtest(args: argparse.Namespace) -> int:
    from contactsim.jobs.logs import backtest_job

    out = args.out or Path("results") / f"backtest-{Path(args.scenario).stem}"
    backtest_job(args.scenario, args.logs, out, columns=args.columns,
                 skip_bad_rows=args.skip_bad_rows, clock_skew_s=args.clock_skew,
                 replications=args.replications,
                 seed=args.seed, workers=args.workers, report=not args.no_report,
                 quiet=args.quiet)
    return EXIT_OK


def cmd_fit(args: argparse.Namespace) -> int:
    from contactsim.jobs.logs import fit_job, log_stem

    out = args.out or Path("results") / f"fit-{log_stem(args.logs[0])}"
    fit_job(args.logs, out, base=args.base, columns=args.columns,
            skip_bad_rows=args.skip_bad_rows, clock_skew_s=args.clock_skew, quiet=args.quiet)
    return EXIT_OK
