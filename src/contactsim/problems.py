"""Problems: what is wrong with a scenario, where, worded for the planner who must fix it.

A planner who mistypes ``per_dya = 330`` should read one line that names the file, the key path
and what is allowed (``error: rcrp.toml: channels.999.per_dya: unknown key (did you mean
"per_day"?)``), and should see every other mistake in the same file at the same time. A
:class:`Checker` collects those lines while a document is checked, attributing each key to the
file that set it (a parent a scenario ``extends``, the scenario itself, or ``--set``), and
:class:`ScenarioError` carries them all out at once. The helpers below word bad values the way
the planner wrote them (``true``, ``'lots'``, ``a table``) rather than as Python sees them.
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

Path = tuple[str | int, ...]

#: Marker returned by a kind when the value is unusable (a problem has been recorded).
INVALID: Final = object()

#: The key a problem names when the whole file is at fault (unreadable, not TOML, not a log).
FILE_KEY: Final = "(file)"

#: Origin recorded for values that came from ``--set`` on the command line.
SET_ORIGIN: Final = "--set"
#: Origin recorded for values a program changed in an already loaded scenario
#: (:func:`contactsim.config.loading.with_changes`).
CHANGED_ORIGIN: Final = "(changed)"


def not_a_file(origin: str) -> str | None:
    """How a problem says where a value came from when no file set it (``" (from --days)"``:
    ``--set`` or the command-line option the planner typed, or a change made in memory), else
    None. The problem then names the scenario's own file, where the planner looks first."""
    if origin == CHANGED_ORIGIN:
        return " (a change made in memory)"
    return f" (from {origin})" if origin.startswith("--") else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: the file, the dotted key path and what is wrong."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return one_line(f"error: {self.file}: {self.key}: {self.message}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so each problem stays on one line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class ScenarioError(Exception):
    """Bad input: one or more problems, each printed on its own line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ResultsError(ScenarioError):
    """A results folder that cannot be read (bad input: exit code 2)."""

    def __init__(self, path: object, message: str, key: str = "(folder)") -> None:
        super().__init__([Problem(str(path), key, message)])


_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")


def dotted(path: Path) -> str:
    """``("channels", "999", "mix")`` -> ``channels.999.mix``; list items as ``roster[2]``.

    A key that is not a bare TOML key (a dot, a space, an empty name) is quoted as TOML quotes
    it, so ``("channels", "a.b")`` reads ``channels."a.b"`` rather than a misleading path.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            out += ("." if out else "") + key
    return out or "(top level)"


def describe(value: Any) -> str:
    """A short, planner-readable rendering of a bad value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, int) and abs(value) >= 10**40:
        return f"an integer of {_digits(value)} digits"
    if isinstance(value, datetime.date | datetime.time):
        return f"{value} (a TOML date/time; write times of day in quotes, like \"07:30\")"
    return str(value)


def _digits(value: int) -> str:
    try:
        return str(len(str(abs(value))))
    except ValueError:  # beyond Python's limit for printing integers
        return f"about {int(value.bit_length() * math.log10(2)) + 1}"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def finite(value: Any) -> float | None:
    """``value`` as a float when it is a finite number (not a bool), else None."""
    if not is_number(value):
        return None
    try:
        x = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return x if math.isfinite(x) else None


def plural(word: str) -> str:
    """``"channel"`` -> ``"channels"``, ``"category"`` -> ``"categories"``."""
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def suggestion(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class Checker:
    """Collects problems while a document is checked, attributing each to its file."""

    def __init__(self, root_file: str, origins: Mapping[Path, str] | None = None) -> None:
        self.root_file = root_file
        self.origins: Mapping[Path, str] = {} if origins is None else origins
        self.problems: list[Problem] = []
        #: Empirical distributions read from files, by path: the file (absolute) and its
        #: SHA-256, which the resolved scenario names (see :mod:`contactsim.config.datafile`).
        self.data_files: dict[Path, tuple[str, str]] = {}
        #: Take data files named with their sha256 from the values already read in this
        #: process rather than read them again (for variants of a loaded scenario).
        self.reuse_data = False

    def file_of(self, path: Path) -> str:
        """The file that set ``path`` (or its nearest enclosing table)."""
        for n in range(len(path), -1, -1):
            origin = self.origins.get(path[:n])
            if origin is not None:
                return origin
        return self.root_file

    def folder_file_of(self, path: Path) -> str:
        """The file that ``path``'s relative file names are read against: where it was set,
        or the scenario's own file for a value that came from the command line or a program."""
        file = self.file_of(path)
        return self.root_file if not_a_file(file) else file

    def error(self, path: Path, message: str, parts: Sequence[Path] = ()) -> object:
        """Record a problem with ``path``; ``parts`` are keys inside it that make up the bad
        value (a mix's shares), named when one of them came from the command line."""
        file = self.file_of(path)
        if came_from := not_a_file(file):
            file, message = self.root_file, message + came_from
        else:
            changed = [p for p in parts if not_a_file(self.file_of(p))]
            if changed:
                where = str(not_a_file(self.file_of(changed[0]))).strip(" ()")
                message += f" ({', '.join(dotted(p) for p in changed)} {where})"
        self.problems.append(Problem(file, dotted(path), message))
        return INVALID
