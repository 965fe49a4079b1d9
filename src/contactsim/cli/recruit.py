"""``contactsim recruit``: its options and how its errors are worded (argparse only)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from contactsim.cli.commands import EXIT_OK, UsageError, _overrides
from contactsim.standard import TARGET_SL

#: The option that sets each part of a recruit request.
RECRUIT_FLAGS = {"channel": "--channel", "pool": "--pool", "course_months": "--course-months"}


def _months(text: str) -> tuple[int, ...]:
    try:
        months = tuple(sorted({int(part) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be month numbers separated by commas, e.g. 3,9; got {text!r}") from None
    if not all(1 <= m <= 12 for m in months):
        raise argparse.ArgumentTypeError(f"each month must be from 1 (January) to 12 "
                                         f"(December); got {text!r}")
    return months


def add_recruit_command(sub: Any, share: Any, positive: Any, add_run_options: Any) -> None:
    """The ``recruit`` command's parser (``share``, ``positive``: the parser's checked types;
    ``add_run_options``: the options every simulating command shares)."""
    rec = sub.add_parser("recruit", help="the recruits a pool needs for every month to meet "
                         "the target", description="For a pool with a workforce table, the "
                         "smallest intake plan (then the cheapest: later courses) on the allowed "
                         "course months under which CHANNEL's service level meets the target in "
                         "every month, or, where none does, the plan that misses fewest months; "
                         "screened with Erlang A, then simulated with the same seed throughout. "
                         "Writes recruit.csv, recruit.json, suggested.toml, plots/recruit.png "
                         "and report.html.")
    rec.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    rec.add_argument("--pool", required=True, help="the pool to recruit for (it needs "
                     "[pools.NAME.workforce])")
    rec.add_argument("--channel", required=True, help="the channel to meet the target on, "
                     "e.g. 999")
    rec.add_argument("--target", type=share, default=TARGET_SL, metavar="SHARE",
                     help="share to answer within the channel's answer_target_s, every month "
                     "(default 0.9)")
    rec.add_argument("--course-months", type=_months, metavar="M,M,...",
                     help="months (1-12) in which a course may start, on the month's first day "
                     "(default: every month the workforce's no_courses leaves open)")
    rec.add_argument("--max-intake", type=positive, metavar="N",
                     help="people on one course at most (default: the workforce's roster_for, the "
                     "headcount the roster describes)")
    rec.add_argument("--max-simulations", type=positive, default=8, metavar="N",
                     help="plans simulated at most, no recruiting included (default 8)")
    rec.add_argument("--out", type=Path, help="results folder (default "
                     "results/recruit-<file stem>)")
    add_run_options(rec)
    rec.set_defaults(func=cmd_recruit)


def cmd_recruit(args: argparse.Namespace) -> int:
    from contactsim.analysis.recruit import RecruitInputError, RecruitRequest
    from contactsim.jobs.recruit import recruit_job

    out = args.out or Path("results") / f"recruit-{Path(args.scenario).stem}"
    request = RecruitRequest(file=args.scenario, channel=args.channel, pool=args.pool,
                             target=args.target, course_months=args.course_months,
                             max_intake=args.max_intake, max_simulations=args.max_simulations,
                             overrides=tuple(_overrides(args)), workers=args.workers,
                             dask=args.dask)
    try:
        recruit_job(request, out, report=not args.no_report, quiet=args.quiet)
    except RecruitInputError as exc:
        raise UsageError(f"{RECRUIT_FLAGS[exc.field]}: {exc}") from None
    return EXIT_OK
