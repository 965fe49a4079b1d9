"""The ``contactsim`` command line.

``contactsim run scenarios/baseline.toml`` simulates a scenario and writes its results folder;
``contactsim validate FILE...`` checks scenario files without running them. Bad input gives one
line per problem (``error: FILE: KEY.PATH: what is wrong``) and exit code 2; Ctrl-C gives 130
and leaves earlier results untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import NoReturn, TextIO

from . import __version__
from .experiment import Experiment, run_experiment
from .loading import load_scenario
from .output import write_atomically, write_tables
from .scenario import Scenario
from .schema import Problem, ScenarioError
from .stats import Estimate, mean_ci

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """A bad command line (exit code 2 with a usage hint)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n(run '{self.prog} --help' for help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError("must be between 0 and 2**63 - 1")
    return value


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of days, got {text!r}") from None
    if not 0 < value <= 3660:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 3660, got {text}")
    return value


def _set_value(text: str) -> str:
    if "=" not in text or text.startswith("="):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not KEY.PATH=VALUE, e.g. pools.handlers.scale=1.1")
    return text


def build_parser() -> Parser:
    parser = Parser(prog="contactsim", description="Discrete-event simulation of police "
                    "control rooms: 999, 101 and digital demand, staff rosters and answer times.")
    parser.add_argument("--version", action="version", version=f"contactsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser)

    run = sub.add_parser("run", help="simulate scenarios and write their results folders",
                         description="Simulate each scenario and write results/<name>/ "
                         "(summary.json, tables, resolved scenario).")
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario TOML file(s)")
    run.add_argument("--out", type=Path, help="results folder (default results/<file stem>; "
                     "with several scenarios, a folder holding one sub-folder each)")
    run.add_argument("--replications", type=_positive_int, help="override run.replications")
    run.add_argument("--days", type=_days, help="override run.days (measured days)")
    run.add_argument("--seed", type=_seed, help="override run.seed")
    run.add_argument("--workers", type=_positive_int,
                     help="parallel processes (default: all cores); results do not depend on it")
    run.add_argument("--set", dest="overrides", action="append", default=[], type=_set_value,
                     metavar="KEY=VALUE", help="override a scenario key, value in TOML syntax, "
                     "e.g. --set pools.handlers.scale=1.1 (repeatable)")
    run.add_argument("--no-report", action="store_true", help="write tables only, no plots or "
                     "HTML report")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")

    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    val.add_argument("--set", dest="overrides", action="append", default=[], type=_set_value,
                     metavar="KEY=VALUE")

    ref = sub.add_parser("reference", help="print the scenario file reference (markdown)")
    ref.add_argument("--out", type=Path, help="write to this file instead of printing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "reference":
            return cmd_reference(args)
        raise AssertionError(args.command)
    except ScenarioError as exc:
        report_problems(exc.problems)
        return EXIT_BAD_INPUT
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted: earlier results were left as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        where = f" {exc.filename!r}" if exc.filename else ""
        print(f"error: cannot write results{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception:
        print("internal error in contactsim (please report it with the lines below):",
              file=sys.stderr)
        traceback.print_exc(limit=-3, file=sys.stderr)
        return EXIT_INTERNAL


def report_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def _overrides(args: argparse.Namespace) -> list[str]:
    out = list(args.overrides)
    for flag, key in (("replications", "run.replications"), ("days", "run.days"),
                      ("seed", "run.seed")):
        value = getattr(args, flag, None)
        if value is not None:
            out.append(f"{key}={value!r}")
    return out


def load_all(files: Sequence[str], overrides: Sequence[str]) -> list[Scenario]:
    """Load every scenario, reporting the problems of all of them before giving up."""
    scenarios, problems = [], []
    for file in files:
        try:
            scenarios.append(load_scenario(file, overrides))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def cmd_validate(args: argparse.Namespace) -> int:
    for sc in load_all(args.scenarios, args.overrides):
        print(f"ok: {sc.file}: {sc.name} ({len(sc.channels)} channels, {len(sc.pools)} pools)")
    return EXIT_OK


def cmd_reference(args: argparse.Namespace) -> int:
    from .reference import reference_markdown

    text = reference_markdown()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    scenarios = load_all(args.scenarios, _overrides(args))
    stems = [Path(f).stem for f in args.scenarios]
    if len(set(stems)) != len(stems) and args.out is None:
        raise UsageError("two scenarios share a file name; give --out DIR")
    for sc, stem in zip(scenarios, stems, strict=True):
        if args.out is None:
            target = Path("results") / stem
        else:
            target = args.out / stem if len(scenarios) > 1 else args.out
        progress = None if args.quiet else ProgressBar(sc.name, sys.stderr)
        exp = run_experiment(sc, workers=args.workers, progress=progress)
        if progress is not None:
            progress.finish()
        write_atomically(target, partial(save, exp, report=not args.no_report))
        if not args.quiet:
            print_summary(exp, target, sys.stdout)
    return EXIT_OK


def save(exp: Experiment, folder: Path, *, report: bool) -> None:
    """Everything a run writes into its (temporary) results folder."""
    write_tables(exp, folder)
    del report  # plots and the HTML report arrive with the report release (issue 3)


class ProgressBar:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label if len(label) <= 40 else label[:37] + "..."
        self.stream = stream
        self.live = stream.isatty() and os.environ.get("TERM") != "dumb"
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.live:
            return
        elapsed = time.monotonic() - self.start
        width = 24
        filled = round(width * done / total)
        left = elapsed / done * (total - done) if done else 0.0
        self.stream.write(f"\r{self.label}: [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total} replications, {elapsed:.0f} s, ~{left:.0f} s left ")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def print_summary(exp: Experiment, folder: Path, out: TextIO) -> None:
    """Per channel: service level against target, mean answer time, abandonment, with CIs."""
    sc, reps = exp.scenario, exp.replications
    out.write(f"\n{sc.name}  ({len(reps)} replications x {sc.run.days:g} days, "
              f"{exp.wall_s:.1f} s)\n")
    header = (f"  {'channel':<10} {'target':>8} {'service level (95% CI)':>26} "
              f"{'mean answer s (95% CI)':>26} {'abandoned (95% CI)':>24}\n")
    out.write(header)
    for name, ch in sc.channels.items():
        sl = mean_ci([r.channels[name]["service_level"] for r in reps])
        ma = mean_ci([r.channels[name]["mean_answer_s"] for r in reps])
        ab = mean_ci([r.channels[name]["abandon_rate"] for r in reps])
        out.write(f"  {name:<10} {ch.answer_target_s:>7g}s "
                  f"{_fmt_est(sl, percent=True):>26} {_fmt_est(ma):>26} "
                  f"{_fmt_est(ab, percent=True):>24}\n")
    for warning in exp.warnings:
        out.write(f"  warning: {warning}\n")
    out.write(f"  results: {folder}/\n")


def _fmt_est(est: Estimate, percent: bool = False) -> str:
    scale, unit = (100.0, "%") if percent else (1.0, "")
    if est.n == 0:
        return "-"
    text = f"{scale * est.mean:.1f}{unit}"
    if est.n > 1:
        text += f" ({scale * est.ci_low:.1f}-{scale * est.ci_high:.1f})"
    return text


if __name__ == "__main__":
    sys.exit(main())
