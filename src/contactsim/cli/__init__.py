"""The ``contactsim`` command line.

``contactsim run scenarios/baseline.toml`` simulates a scenario and writes its results folder
(tables, plots and report.html); ``contactsim compare A B ...`` runs scenarios with the same seed
and reports their paired differences; ``contactsim sweep SCENARIO --vary KEY=V1,V2,...`` runs a
scenario at every value of one or two keys; ``contactsim plot DIR`` redraws a folder's plots and
report from its tables; ``contactsim validate FILE...`` checks scenario files without running
them. Bad input gives one line per problem (``error: FILE: KEY.PATH: what is wrong``) and exit
code 2; Ctrl-C gives 130 and leaves earlier results untouched.

This package is argparse only: :mod:`~contactsim.cli.parser` builds the parser, whose every
command names its ``cmd_*`` function (``set_defaults(func=...)``); each function, in
:mod:`~contactsim.cli.commands`, hands plain values to one job of :mod:`contactsim.jobs` and
maps the job's errors to command-line words (the options at fault); :func:`main` here maps
what is left to exit codes. Nothing
heavy is imported at the top, nor by ``--help``: each command imports its job when it runs, so
``contactsim validate`` loads neither matplotlib nor scipy.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

from contactsim.cli.commands import (
    ERLANG_FLAGS,
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    UsageError,
    report_problems,
)
from contactsim.cli.parser import build_parser
from contactsim.interrupts import EXIT_INTERRUPTED, INTERRUPTED, from_interrupt
from contactsim.problems import ScenarioError

__all__ = ["ERLANG_FLAGS", "EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "UsageError",
           "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except ScenarioError as exc:
        report_problems(exc.problems)
        return EXIT_BAD_INPUT
    except UsageError as exc:
        print(f"error: {exc}\n(run 'contactsim {args.command} --help' for help)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        return _os_error(exc)
    except Exception as exc:
        return _other_error(exc)


def _raised(exc: BaseException, module: str, name: str) -> bool:
    """Whether ``exc`` is a ``module.name``. A module not yet imported cannot have raised it,
    so it is not imported here: the error paths keep start-up light too."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, name))


def _os_error(exc: OSError) -> int:
    if _raised(exc, "contactsim.results.write", "OutputError"):
        # the place given for results: bad input, like a bad --out
        print(f"error: {exc.strerror}; earlier results were left as they were",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    where = f"{exc.filename}: " if exc.filename else ""  # a file outside the results folder
    print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
    return EXIT_INTERNAL


def _other_error(exc: Exception) -> int:
    if _raised(exc, "contactsim.analysis.experiment", "DaskUnavailableError"):
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if from_interrupt(exc):  # Ctrl-C inside a library that wrapped it in its own error
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    print("internal error in contactsim (please report it with the lines below):",
          file=sys.stderr)
    traceback.print_exc(limit=-3, file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
