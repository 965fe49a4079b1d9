"""``contactsim plot``: a results folder's plots and report drawn again from its saved files,
the folder checked first and swapped in whole."""

from __future__ import annotations

from pathlib import Path

from contactsim.results.folders import FolderKind, results_kind
from contactsim.results.write import write_atomically


def check_folder(folder: Path, kind: FolderKind) -> None:
    """Read a results folder fully, so a broken one is reported before anything is written."""
    if kind == "fit":
        from contactsim.present.fit_report import check_fit

        check_fit(folder)
    elif kind == "backtest":
        from contactsim.present.backtest_report import check_backtest

        check_backtest(folder)
    elif kind == "recruit":
        from contactsim.results.recruit import read_recruit

        read_recruit(folder)
    else:
        from contactsim.present.report import check_readable

        check_readable(folder)


def redraw(folder: Path, kind: FolderKind | None = None) -> Path:
    """Draw a results folder's plots and report again from its saved files; returns the report.

    Fit, back-test and staff folders have reports of their own; every other kind is drawn by
    :func:`contactsim.present.report.redraw`.
    """
    kind = kind or results_kind(folder)
    if kind == "fit":
        from contactsim.present.fit_report import write_fit_report

        return write_fit_report(folder)
    if kind == "backtest":
        from contactsim.present.backtest_report import write_backtest_report

        return write_backtest_report(folder)
    if kind == "staff":
        from contactsim.present.staff_report import write_staff_report

        return write_staff_report(folder)
    if kind == "recruit":
        from contactsim.present.recruit_report import write_recruit_report

        return write_recruit_report(folder)
    from contactsim.present.report import redraw as redraw_results

    return redraw_results(folder)


def plot_job(folder: Path) -> None:
    """``contactsim plot``: check the folder, redraw it in a copy, swap the copy in."""
    from contactsim.present.report import copy_tables

    kind = results_kind(folder)
    check_folder(folder, kind)  # not a results folder: bad input, before anything is written
    drawn: list[Path] = []

    def fill(tmp: Path) -> None:
        copy_tables(folder, tmp)
        drawn.append(redraw(tmp, kind).relative_to(tmp))

    write_atomically(folder, fill)
    what = "report" if drawn[0].suffix == ".html" else "plot"
    print(f"{what}: {folder / drawn[0]}")
