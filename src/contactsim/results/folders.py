"""What kind of results folder a folder is: the one place this is decided.

Every command that writes a folder leaves a marker file in it (``compare.json``, ``sweep.json``,
``staffing.json``, ``recruit.json``, ``fit.json``, ``backtest.csv`` beside a ``summary.json``,
or a run's ``summary.json``); ``contactsim plot`` reads the kind from here to choose the checks
and the report it draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from contactsim.results.backtest import is_backtest
from contactsim.results.fit import is_fit
from contactsim.results.read import folder_kind

FolderKind = Literal["run", "compare", "sweep", "staff", "fit", "backtest", "recruit"]
KINDS: tuple[FolderKind, ...] = get_args(FolderKind)


def results_kind(folder: Path) -> FolderKind:
    """The kind of results folder ``folder`` is.

    A fit's folder (``fit.json``) and a back-test's (``backtest.csv``; it has a summary.json
    too) are told first; the others by :func:`~contactsim.results.read.folder_kind`, which
    raises :class:`~contactsim.problems.ResultsError` for a folder that is missing or holds
    no marker.
    """
    if is_fit(folder):
        return "fit"
    if is_backtest(folder):
        return "backtest"
    kind = folder_kind(folder)
    assert kind in KINDS, kind
    return kind
