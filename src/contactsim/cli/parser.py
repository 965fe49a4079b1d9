"""The command line's parser: every command, its options and their checks (argparse types, so
a bad value is refused before anything runs, exit code 2)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NoReturn, TypeVar

from contactsim import __version__
from contactsim.cli.commands import (
    EXIT_BAD_INPUT,
    cmd_backtest,
    cmd_compare,
    cmd_erlang,
    cmd_fit,
    cmd_plot,
    cmd_reference,
    cmd_run,
    cmd_staff,
    cmd_sweep,
    cmd_validate,
)
from contactsim.cli.recruit import add_recruit_command
from contactsim.standard import TARGET_SL

#: staff's screening rounds at most, by default (analysis.staff_model.MAX_ITERATIONS, held
#: equal by a test; not imported, so the parser stays light).
SCREEN_ROUNDS = 6

N = TypeVar("N", int, float)


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
    cmp.set_defaults(func=cmd_compare)

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
    swp.set_defaults(func=cmd_sweep)

    plot = sub.add_parser("plot", help="redraw a results folder's plots and report",
                          description="Draw plots/*.png and report.html again from the saved "
                          "tables of a run, compare or sweep folder, without simulating.")
    plot.add_argument("folder", type=Path, metavar="RESULTS_DIR",
                      help="a folder written by run, compare, sweep, staff, recruit or backtest")
    plot.set_defaults(func=cmd_plot)


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
    run.set_defaults(func=cmd_run)
    _add_report_commands(sub)

    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                     help="scenario TOML file(s) to check")
    val.add_argument("--set", dest="overrides", action="append", default=[], type=_set_value,
                     metavar="KEY=VALUE", help="check with this key overridden, value in TOML "
                     "syntax, e.g. --set pools.handlers.scale=1.1 (repeatable)")
    val.set_defaults(func=cmd_validate)

    ref = sub.add_parser("reference", help="print the scenario file reference (markdown)")
    ref.add_argument("--out", type=Path, help="write to this file instead of printing")
    ref.set_defaults(func=cmd_reference)
    _add_staffing_commands(sub)
    add_recruit_command(sub, _share, _positive_int, _add_run_options)
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
    erl.set_defaults(func=cmd_erlang)

    stf = sub.add_parser("staff", help="staff needed each hour of the week, and a roster",
                         description="For each hour of the week, the staff to roster in the "
                         "pool that answers CHANNEL for its service level to meet the target: "
                         "the modified offered load with Erlang A first, then screened with a "
                         "few replications and raised where hours fall short, in the pool's own "
                         "shift patterns (same seed throughout); the final roster is verified "
                         "with every replication. Writes staffing.csv, staffing.json, "
                         "suggested.toml (a ready-to-run roster), plots/staffing.png and "
                         "report.html, and says the people in post it takes.")
    stf.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    stf.add_argument("--channel", required=True, help="the channel to staff for, e.g. 999")
    stf.add_argument("--target", type=_share, default=TARGET_SL, metavar="SHARE",
                     help="share to answer within the channel's answer_target_s (default 0.9)")
    stf.add_argument("--pool", help="the pool to staff (needed when several answer CHANNEL)")
    stf.add_argument("--out", type=Path,
                     help="results folder (default results/staff-<file stem>)")
    stf.add_argument("--shift-hours", type=partial(_hours_list, low=1, high=24),
                     default=(), metavar="H,H,...",
                     help="also allow shifts of these lengths in whole hours (default: only the "
                     "pool's own shift patterns, with headcounts chosen)")
    stf.add_argument("--shift-starts", type=partial(_hours_list, low=0, high=23),
                     default=(), metavar="H,H,...",
                     help="also allow shifts starting at these hours, 0-23, the same every day "
                     "(default: only the pool's own shift patterns)")
    stf.add_argument("--max-iterations", type=_positive_int, default=SCREEN_ROUNDS,
                     metavar="N", help="screening rounds of simulation at most (default "
                     f"{SCREEN_ROUNDS})")
    _add_run_options(stf)
    stf.set_defaults(func=cmd_staff)


def _hours_list(text: str, low: int, high: int) -> tuple[int, ...]:
    try:
        hours = tuple(sorted({int(part) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be whole hours separated by commas, e.g. 8,10,12; got {text!r}") from None
    if not all(low <= h <= high for h in hours):
        raise argparse.ArgumentTypeError(f"each hour must be from {low} to {high}; got {text!r}")
    return hours


def _add_log_arguments(parser: Parser, *, counted_in: str) -> None:
    """The contact-log arguments backtest and fit share: LOG..., --columns, --skip-bad-rows,
    --clock-skew."""
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
    bt.set_defaults(func=cmd_backtest)


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
    fit.set_defaults(func=cmd_fit)
