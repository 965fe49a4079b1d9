"""The ``contactsim`` command line.

``contactsim run scenarios/baseline.toml`` simulates a scenario and writes its results folder
(tables, plots and report.html); ``contactsim compare A B ...`` runs scenarios with the same seed
and reports their paired differences; ``contactsim sweep SCENARIO --vary KEY=V1,V2,...`` runs a
scenario at every value of one or two keys; ``contactsim plot DIR`` redraws a folder's plots and
report from its tables; ``contactsim validate FILE...`` checks scenario files without running
them. Bad input gives one line per problem (``error: FILE: KEY.PATH: what is wrong``) and exit
code 2; Ctrl-C gives 130 and leaves earlier results untouched.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from contactsim import __version__
from contactsim.analysis.experiment import (
    DaskUnavailableError,
    Experiment,
    run_experiment,
    run_experiments,
)
from contactsim.analysis.warnings import scenario_warnings
from contactsim.atomic import replacing
from contactsim.config.kinds import Problem, ScenarioError
from contactsim.config.loading import FlagOverride, load_scenario
from contactsim.config.spec import Scenario
from contactsim.interrupts import EXIT_INTERRUPTED, INTERRUPTED, from_interrupt
from contactsim.present.progress import JobProgress
from contactsim.results.write import (
    OutputError,
    check_writable,
    follow_link,
    write_atomically,
)
from contactsim.standard import TARGET_SL

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
N = TypeVar("N", int, float)


class UsageError(Exception):
    """A bad command line: ``error: MESSAGE`` and a hint to the command's help, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n(run '{self.prog} --help' for help)\n")


def _number_type(kind: Callable[[str], N], ok: Callable[[N], bool], what: str,
            allowed: str) -> Callable[[str], N]:
    """An argparse type: ``kind`` of the text, refused unless ``ok`` (messages say what)."""
    def parse(text: str) -> N:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text}")
        return value
    return parse


_positive_int = _number_type(int, lambda v: v >= 1, "a whole number", "at least 1")
_seed = _number_type(int, lambda v: 0 <= v < 2**63, "a whole number", "from 0 to 2**63 - 1")
_days = _number_type(float, lambda v: 0 < v <= 3660, "a number of days", "above 0 and at most 3660")
_share = _number_type(float, lambda v: 0 < v < 1, "a share such as 0.9",
                 "above 0 and below 1, e.g. 0.9")


def _set_value(text: str) -> str:
    if "=" not in text or text.startswith("="):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not KEY.PATH=VALUE, e.g. pools.handlers.scale=1.1")
    return text


_DASK_ADDRESS = re.compile(r"(?:tcp|tls)://(?:\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.\-]+):[0-9]{1,5}")


def _dask_address(text: str) -> str:
    if not _DASK_ADDRESS.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Dask scheduler address; give tcp://HOST:PORT, "
            "e.g. tcp://10.0.0.5:8786")
    return text.strip()


def _vary(text: str) -> str:
    from contactsim.analysis.whatif import parse_vary

    try:
        parse_vary(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _add_run_options(cmd: argparse.ArgumentParser, every: str = "") -> None:
    """The options that say how scenarios are run (shared by run, compare and sweep)."""
    cmd.add_argument("--replications", type=_positive_int,
                     help=f"override run.replications{every}")
    cmd.add_argument("--days", type=_days, help=f"override run.days (measured days){every}")
    cmd.add_argument("--seed", type=_seed, help=f"override run.seed{every}")
    cmd.add_argument("--workers", type=_positive_int,
                     help="parallel processes (default: all cores); results do not depend on it")
    cmd.add_argument("--dask", metavar="tcp://HOST:PORT", type=_dask_address,
                     help="run the replications on the Dask cluster whose scheduler is at this "
                     "address (results identical to a local run; see the README)")
    cmd.add_argument("--set", dest="overrides", action="append", default=[], type=_set_value,
                     metavar="KEY=VALUE", help="override a scenario key, value in TOML syntax, "
                     f"e.g. --set pools.handlers.scale=1.1 (repeatable){every}")
    cmd.add_argument("--no-report", action="store_true", help="write tables only, no plots or "
                     "HTML report")
    cmd.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _add_report_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    every = ", for every scenario file"
    cmp = sub.add_parser("compare", help="run scenarios with the same seed and compare them",
                         description="Run each scenario file with the first one's seed, "
                         "replications and run length (common random numbers), or read an "
                         "existing results folder, and write OUT/<name>/ for each, compare.csv "
                         "(paired differences against the first, with 95% confidence "
                         "intervals), plots and report.html.")
    cmp.add_argument("items", nargs="+", metavar="SCENARIO_OR_RESULTS",
                     help="scenario TOML files or results folders; the first is the base")
    cmp.add_argument("--out", type=Path, default=Path("results/compare"),
                     help="comparison folder (default results/compare)")
    _add_run_options(cmp, every)

    swp = sub.add_parser("sweep", help="run a scenario at every value of one or two keys",
                         description="Run SCENARIO once per value (or pair of values) of the "
                         "--vary keys, all with the same seed, and write sweep.csv, plots and "
                         "report.html.")
    swp.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    swp.add_argument("--vary", action="append", required=True, type=_vary,
                     metavar="KEY=V1,V2,...", help="a dotted key and its values in TOML syntax, "
                     "e.g. --vary pools.handlers.scale=0.8,0.9,1.0,1.1,1.2 (once or twice)")
    swp.add_argument("--out", type=Path,
                     help="sweep folder (default results/sweep-<file stem>)")
    _add_run_options(swp)

    plot = sub.add_parser("plot", help="redraw a results folder's plots and report",
                          description="Draw plots/*.png and report.html again from the saved "
                          "tables of a run, compare or sweep folder, without simulating.")
    plot.add_argument("folder", type=Path, metavar="RESULTS_DIR",
                      help="a folder written by run, compare, sweep, staff or backtest")


def build_parser() -> Parser:
    parser = Parser(prog="contactsim", description="Discrete-event simulation of police "
                    "control rooms: 999, 101 and digital demand, staff rosters and answer times.")
    parser.add_argument("--version", action="version", version=f"contactsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser, help="what to do; 'contactsim COMMAND "
                                "--help' describes each")

    run = sub.add_parser("run", help="simulate scenarios and write their results folders",
                         description="Simulate each scenario and write results/<name>/ "
                         "(summary.json, tables, resolved scenario).")
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario TOML file(s)")
    run.add_argument("--out", type=Path, help="results folder (default results/<file stem>; "
                     "with several scenarios, a folder holding one sub-folder each)")
    _add_run_options(run)
    run.add_argument("--contact-log", action="store_true",
                     help="also write contacts.csv.gz: the simulated telephony export of "
                     "replication 1, one row per contact, in the contact-log format that fit "
                     "and backtest read (replication 1 is simulated once more to make it)")
    _add_report_commands(sub)

    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                     help="scenario TOML file(s) to check")
    val.add_argument("--set", dest="overrides", action="append", default=[], type=_set_value,
                     metavar="KEY=VALUE", help="check with this key overridden, value in TOML "
                     "syntax, e.g. --set pools.handlers.scale=1.1 (repeatable)")

    ref = sub.add_parser("reference", help="print the scenario file reference (markdown)")
    ref.add_argument("--out", type=Path, help="write to this file instead of printing")
    _add_staffing_commands(sub)
    _add_backtest_command(sub)
    _add_fit_command(sub)
    return parser


def _add_staffing_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    erl = sub.add_parser("erlang", help="Erlang C / Erlang A figures for one queue",
                         description="Exact steady-state figures for one queue of calls: "
                         "Erlang A (callers hang up after an exponential patience) when "
                         "--patience-s is given, else Erlang C (callers never hang up).")
    erl.add_argument("--per-hour", required=True, metavar="X", help="calls offered per hour")
    erl.add_argument("--handle-s", required=True, metavar="S",
                     help="mean handle time per call, seconds (talk plus wrap-up)")
    erl.add_argument("--agents", required=True, metavar="N", help="handlers on duty")
    erl.add_argument("--patience-s", metavar="P", help="mean patience before a caller hangs "
                     "up, seconds (Erlang A); absent: callers never hang up (Erlang C)")
    erl.add_argument("--target-s", default="10", metavar="T",
                     help="answer target, seconds of waiting (default 10)")
    erl.add_argument("--target-sl", metavar="SHARE", help="also find the fewest handlers "
                     "that answer this share within the target, e.g. 0.9")
    erl.add_argument("--max-abandon", metavar="SHARE", help="with --target-sl: the largest "
                     "share of callers allowed to hang up, e.g. 0.05")
    erl.add_argument("--json", action="store_true", help="print one JSON object")

    stf = sub.add_parser("staff", help="staff needed each hour of the week, and a roster",
                         description="For each hour of the week, the fewest staff to roster in "
                         "the pool that answers CHANNEL for its service level to meet the "
                         "target: Erlang A first, then checked and adjusted with the simulation "
                         "(same seed throughout). Writes staffing.csv, staffing.json, "
                         "suggested.toml (a ready-to-run roster: the cheapest of those "
                         "simulated that meets the target), plots/staffing.png and "
                         "report.html.")
    stf.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    stf.add_argument("--channel", required=True, help="the channel to staff for, e.g. 999")
    stf.add_argument("--target", type=_share, default=TARGET_SL, metavar="SHARE",
                     help="share to answer within the channel's answer_target_s (default 0.9)")
    stf.add_argument("--pool", help="the pool to staff (needed when several answer CHANNEL)")
    stf.add_argument("--out", type=Path,
                     help="results folder (default results/staff-<file stem>)")
    stf.add_argument("--shift-hours", type=partial(_hours_list, low=1, high=24),
                     default=(8, 10, 12), metavar="H,H,...",
                     help="allowed shift lengths in whole hours (default 8,10,12)")
    stf.add_argument("--shift-starts", type=partial(_hours_list, low=0, high=23),
                     default=tuple(range(24)), metavar="H,H,...",
                     help="allowed start hours, 0-23, the same every day (default every hour)")
    stf.add_argument("--max-iterations", type=_positive_int, default=12, metavar="N",
                     help="rounds of simulation in the search at most (default 12)")
    _add_run_options(stf)


def _hours_list(text: str, low: int, high: int) -> tuple[int, ...]:
    try:
        hours = tuple(sorted({int(part) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be whole hours separated by commas, e.g. 8,10,12; got {text!r}") from None
    if not all(low <= h <= high for h in hours):
        raise argparse.ArgumentTypeError(f"each hour must be from {low} to {high}; got {text!r}")
    return hours


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "reference":
            return cmd_reference(args)
        if args.command == "erlang":
            return cmd_erlang(args)
        if args.command == "staff":
            return cmd_staff(args)
        if args.command == "backtest":
            return cmd_backtest(args)
        if args.command == "fit":
            return cmd_fit(args)
        if args.command in ("compare", "sweep", "plot"):
            return {"compare": cmd_compare, "sweep": cmd_sweep, "plot": cmd_plot}[
                args.command](args)
        raise AssertionError(args.command)
    except ScenarioError as exc:
        report_problems(exc.problems)
        return EXIT_BAD_INPUT
    except UsageError as exc:
        print(f"error: {exc}\n(run 'contactsim {args.command} --help' for help)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except DaskUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    except OutputError as exc:  # the place given for results: bad input, like a bad --out
        print(f"error: {exc.strerror}; earlier results were left as they were",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a file that cannot be read or written, outside the results folder
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:
        if from_interrupt(exc):  # Ctrl-C inside a library that wrapped it in its own error
            print(INTERRUPTED, file=sys.stderr)
            return EXIT_INTERRUPTED
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
            out.append(FlagOverride(f"{key}={value!r}", f"--{flag}"))
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
        for warning in scenario_warnings(sc):
            print(f"warning: {sc.file}: {warning}", file=sys.stderr)
    return EXIT_OK


def cmd_reference(args: argparse.Namespace) -> int:
    from contactsim.present.reference import reference_markdown

    text = reference_markdown()
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    # Atomically (contactsim.atomic): a full disk or Ctrl-C leaves the previous file whole.
    out: Path = args.out
    try:
        out = follow_link(args.out, "file")  # a link is kept: the file it points to is written
        if out.is_dir():
            raise IsADirectoryError(0, "it is a folder; give a file name, such as "
                                    "docs/scenario-reference.md")
        with replacing(out) as tmp:
            tmp.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise ScenarioError([Problem(str(args.out), "(file)",
                                     f"cannot write: {exc.strerror or exc}")]) from None
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from contactsim.jobs import save_run
    from contactsim.present.words import print_summary

    scenarios = load_all(args.scenarios, _overrides(args))
    stems = [Path(f).stem for f in args.scenarios]
    if len(set(stems)) != len(stems) and args.out is None:
        raise UsageError("two scenarios share a file name; give --out DIR")
    targets = [Path("results") / stem if args.out is None
               else args.out / stem if len(scenarios) > 1 else args.out for stem in stems]
    for target in targets:
        check_writable(target)  # before hours of simulating, not after
    _warn_size(args, scenarios)
    bar = _progress(args, scenarios)
    for sc, target in zip(scenarios, targets, strict=True):
        if not args.quiet:  # before a long run, so the planner can stop it and fix the file
            for warning in scenario_warnings(sc):
                print(f"warning: {sc.file}: {warning}", file=sys.stderr)
        exp = run_experiment(sc, workers=args.workers, dask=args.dask,
                             progress=None if bar is None else bar.stage(sc.name))
        if bar is not None:
            bar.finish()
        write_atomically(target, partial(save_run, exp, report=not args.no_report,
                                         contact_log=args.contact_log))
        if not args.quiet:
            print_summary(exp, target, sys.stdout)
            if not args.no_report:
                print(f"  report: {target / 'report.html'}")
    return EXIT_OK


def _warn_size(args: argparse.Namespace, scenarios: Sequence[Scenario]) -> None:
    """Before a very large run: what it will cost and how to make it smaller (never refused)."""
    from contactsim.analysis.experiment import default_workers
    from contactsim.analysis.size import size_warning

    if args.quiet or not scenarios:
        return
    workers = min(args.workers or default_workers(), max(sc.run.replications
                                                         for sc in scenarios))
    warning = size_warning(scenarios, workers)
    if warning is not None:
        where = scenarios[0].file if len(scenarios) == 1 else "this job"
        print(f"warning: {where}: {warning}", file=sys.stderr)


def _progress(args: argparse.Namespace, scenarios: Sequence[Scenario]) -> JobProgress | None:
    """The progress line of a job over ``scenarios`` (None with --quiet)."""
    if args.quiet:
        return None
    return JobProgress(sys.stderr, sum(sc.run.replications for sc in scenarios),
                       len(scenarios))


def _runner(args: argparse.Namespace) -> Callable[[Sequence[Scenario]], Iterator[Experiment]]:
    """Run the scenarios of a comparison or sweep: a size warning first if the job is very
    large, then a progress line for each scenario with the time left for the whole job."""
    def run(scenarios: Sequence[Scenario]) -> Iterator[Experiment]:
        _warn_size(args, scenarios)
        bar = _progress(args, scenarios)
        stage = None if bar is None else (lambda sc: bar.stage(sc.name))
        for exp in run_experiments(scenarios, args.workers, stage, args.dask):
            if bar is not None:
                bar.finish()
            yield exp

    return run


def _note(args: argparse.Namespace) -> Callable[[str], None]:
    return (lambda _: None) if args.quiet else (lambda text: print(text, file=sys.stderr))


def cmd_compare(args: argparse.Namespace) -> int:
    from contactsim.jobs import run_compare
    from contactsim.present.words import comparison_text
    from contactsim.results.compare import plan_compare

    members = plan_compare(args.items, _overrides(args), log=_note(args), out=args.out)
    check_writable(args.out)
    result = run_compare(members, args.out, runner=_runner(args), report=not args.no_report)
    if not args.quiet:
        sys.stdout.write(comparison_text(result))
        _where(args.out, args.no_report)
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from contactsim.analysis.whatif import parse_vary, plan_sweep
    from contactsim.jobs import run_sweep
    from contactsim.present.words import sweep_text

    varies = [parse_vary(v) for v in args.vary]
    points = plan_sweep(args.scenario, varies, _overrides(args))
    out = args.out or Path("results") / f"sweep-{Path(args.scenario).stem}"
    check_writable(out)
    result = run_sweep(args.scenario, varies, points, out, runner=_runner(args),
                       report=not args.no_report)
    if not args.quiet:
        sys.stdout.write(sweep_text(result))
        _where(out, args.no_report)
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from contactsim.jobs import redraw
    from contactsim.present.report import check_readable, copy_tables
    from contactsim.results.backtest import is_backtest
    from contactsim.results.fit import is_fit

    folder = args.folder
    draw = redraw
    if is_fit(folder):  # so has a fit folder
        from contactsim.present.fit_report import check_fit

        check_fit(folder)
    elif is_backtest(folder):  # a back-test folder has its own report
        from contactsim.present.backtest_report import check_backtest

        check_backtest(folder)
    else:
        check_readable(folder)  # not a results folder: bad input, before anything is written

    drawn: list[Path] = []

    def fill(tmp: Path) -> None:
        copy_tables(folder, tmp)
        drawn.append(draw(tmp).relative_to(tmp))

    write_atomically(folder, fill)
    what = "report" if drawn[0].suffix == ".html" else "plot"
    print(f"{what}: {folder / drawn[0]}")
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
    from contactsim.analysis.erlang import ErlangInputError, agents_needed, evaluate

    values = {name: _number(args, name, int if name == "agents" else float)
              for name in ERLANG_FLAGS}
    if values["max_abandon"] is not None and values["target_sl"] is None:
        raise UsageError("--max-abandon: needs --target-sl (the share to answer within the "
                         "target)")
    _in_range(values)
    try:
        result = evaluate(values["per_hour"], values["handle_s"], values["agents"],
                          values["target_s"], values["patience_s"])
        needed = None if values["target_sl"] is None else agents_needed(
            values["per_hour"], values["handle_s"], values["target_s"],
            values["target_sl"], values["patience_s"], values["max_abandon"])
    except ErlangInputError as exc:
        raise UsageError(f"{ERLANG_FLAGS[exc.param]}: {exc}") from None
    except ValueError as exc:  # the arithmetic failing at extreme figures, as before: exit 2
        raise UsageError(f"--per-hour: {exc}") from None
    from contactsim.present.words import erlang_text

    sys.stdout.write(erlang_text(values, result, needed, as_json=args.json))
    return EXIT_OK


def cmd_staff(args: argparse.Namespace) -> int:
    from contactsim.analysis.staffing import Request, StaffingInputError, plan
    from contactsim.jobs import save_staffing
    from contactsim.present.words import staffing_text
    from contactsim.results.staff import check_staff_folder

    out = args.out or Path("results") / f"staff-{Path(args.scenario).stem}"
    request = Request(file=args.scenario, channel=args.channel, target=args.target,
                      pool=args.pool, overrides=tuple(_overrides(args)),
                      shift_hours=args.shift_hours, shift_starts=args.shift_starts,
                      max_iterations=args.max_iterations, workers=args.workers, dask=args.dask)
    check_writable(out)
    check_staff_folder(out)  # never replace what a planner saved in it
    try:
        result = plan(request, log=_note(args))
    except StaffingInputError as exc:  # its message starts with the option at fault
        raise UsageError(str(exc)) from None
    write_atomically(out, partial(save_staffing, result, out, plot=not args.no_report))
    if not args.quiet:
        sys.stdout.write(staffing_text(result))
        print(f"  results: {out}/ (staffing.csv, staffing.json, suggested.toml"
              + ("" if args.no_report else ", plots/staffing.png, report.html") + ")")
    return EXIT_OK


def _add_log_arguments(parser: Parser, *, counted_in: str) -> None:
    """The contact-log arguments backtest and fit share: LOG..., --columns, --skip-bad-rows."""
    parser.add_argument("logs", nargs="+", metavar="LOG",
                        help="contact log(s): CSV, or .csv.gz")
    parser.add_argument("--columns", metavar="MAP.toml", help="a TOML file mapping the log's "
                        "column names onto contactsim's (e.g. arrived = \"CallStartTime\")")
    parser.add_argument("--skip-bad-rows", action="store_true", help="leave bad rows of the "
                        f"log out (counted in {counted_in}) instead of stopping")
    parser.add_argument("--clock-skew", type=float, metavar="SECONDS", help="a time up to this "
                        "many seconds before the one it follows (answered before queued, ...) "
                        f"is read as equal to it and counted in {counted_in} (default 2, or "
                        "clock_skew_s in the --columns file; at most 60)")


def _add_backtest_command(sub: argparse._SubParsersAction[Parser]) -> None:
    bt = sub.add_parser("backtest", help="check a scenario against the force's own contact log",
                        description="Simulate SCENARIO over the whole days the contact log(s) "
                        "cover and compare, per channel and hour of the week, the observed "
                        "contacts offered, service level, mean answer time and abandoned share "
                        "with the simulated mean and its 95% prediction interval. Writes "
                        "backtest.csv, summary.json (coverage: the share of hours inside the "
                        "band, per measure), plots and report.html.")
    bt.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    _add_log_arguments(bt, counted_in="summary.json")
    bt.add_argument("--out", type=Path,
                    help="results folder (default results/backtest-<scenario file stem>)")
    bt.add_argument("--replications", type=_positive_int,
                    help="override run.replications (at least 2; 10 or more for a useful band)")
    bt.add_argument("--seed", type=_seed, help="override run.seed")
    bt.add_argument("--workers", type=_positive_int,
                    help="parallel processes (default: all cores); results do not depend on it")
    bt.add_argument("--no-report", action="store_true", help="write tables only, no plots or "
                    "HTML report")
    bt.add_argument("--quiet", action="store_true", help="print nothing but errors")


def cmd_backtest(args: argparse.Namespace) -> int:
    from contactsim.jobs import run_backtest_job
    from contactsim.present.words import backtest_text
    from contactsim.results.backtest import read_backtest

    scenario = load_scenario(args.scenario)
    out = args.out or Path("results") / f"backtest-{Path(args.scenario).stem}"
    progress = None if args.quiet else JobProgress(sys.stderr)
    bar = None if progress is None else progress.stage(scenario.name)

    def ready(pinned: Scenario) -> None:
        if not args.quiet:
            run = pinned.run
            print(f"back-test: {pinned.name}, {run.days:g} days from {run.start_date}, "
                  f"{run.replications} replications", file=sys.stderr)

    run_backtest_job(scenario, args.logs, out, columns=args.columns,
                     skip_bad_rows=args.skip_bad_rows, clock_skew_s=args.clock_skew,
                     replications=args.replications,
                     seed=args.seed, workers=args.workers, report=not args.no_report,
                     progress=bar, ready=ready)
    if progress is not None:
        progress.finish()
    if not args.quiet:
        sys.stdout.write(backtest_text(read_backtest(out).summary))
        _where(out, args.no_report)
    return EXIT_OK


def _add_fit_command(sub: argparse._SubParsersAction[Parser]) -> None:
    fit = sub.add_parser("fit", help="estimate a scenario from the force's own contact log",
                         description="Estimate, per channel, contacts a day, the shapes of the "
                         "day, week (and year), the category mix, connection time, callers' "
                         "patience and redials, and per category handle and wrap-up times, "
                         "each with its 95% interval, from contact log(s). Writes "
                         "scenario.toml (valid as it stands), fit.json, plots and report.html.")
    _add_log_arguments(fit, counted_in="fit.json")
    fit.add_argument("--base", metavar="SCENARIO", help="a scenario supplying what a log "
                     "cannot (pools, rosters, partners, diversions, targets); the fitted file "
                     "extends it")
    fit.add_argument("--out", type=Path,
                     help="results folder (default results/fit-<first log's name>)")
    fit.add_argument("--quiet", action="store_true", help="print nothing but errors")


def cmd_fit(args: argparse.Namespace) -> int:
    from contactsim.jobs import log_stem, run_fit_job
    from contactsim.present.words import fit_text
    from contactsim.results.fit import read_fit

    out = args.out or Path("results") / f"fit-{log_stem(args.logs[0])}"
    run_fit_job(args.logs, out, base=args.base, columns=args.columns,
                skip_bad_rows=args.skip_bad_rows, clock_skew_s=args.clock_skew)
    if not args.quiet:
        sys.stdout.write(fit_text(read_fit(out).summary))
        print(f"  scenario: {out / 'scenario.toml'}")
        _where(out, False)
    return EXIT_OK


def _where(folder: Path, no_report: bool) -> None:
    what = "tables" if no_report else "report"
    target = folder if no_report else folder / "report.html"
    print(f"  {what}: {target}")


if __name__ == "__main__":
    sys.exit(main())
