"""The tables of the declarative schema: a :class:`Field` (one key), a :class:`Table` (keys
that become one frozen dataclass), :class:`Named` and :class:`TableList` (tables of tables) and
:class:`Shares` (a ``mix``). The kinds of single value they hold are in
:mod:`contactsim.config.kinds`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from contactsim.config.kinds import Kind, Number
from contactsim.problems import (
    INVALID,
    Checker,
    Path,
    describe,
    is_number,
    plural,
    suggestion,
)

if TYPE_CHECKING:
    from contactsim.config.build import Derived


#: How a key's checked value becomes the value of its dataclass field.
Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One key of a table: how it is checked, what the docs say about it, and where it lands."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    default: Any = None
    unit: str = ""
    example: str = ""
    #: Set while a key's behaviour is not built yet: the key is refused with this reason.
    not_yet: str = ""
    #: The dataclass field this key builds: "" for the field of the same name, a name to land
    #: elsewhere (``start`` -> ``start_min``), None for a key that builds no field itself (read
    #: while loading, like ``extends``, or only through a :class:`Derived` field).
    into: str | None = ""
    #: Applied to the checked value (a nested table's: once built) on the way into the
    #: dataclass, e.g. weights normalised to mean 1, a weekday name to its index.
    convert: Convert | None = None

    @property
    def attr(self) -> str | None:
        """The dataclass field this key builds, or None."""
        return self.name if self.into == "" else self.into


@dataclass(frozen=True)
class Table(Kind):
    """A TOML table with known keys; unknown keys are errors with a suggestion.

    ``spec`` is the frozen dataclass the checked table builds; every one of its fields is fed by
    one field's key (see :attr:`Field.into`) or by one of ``derived``
    (:func:`contactsim.config.build.unbound` holds the schema to that).
    """

    fields: tuple[Field, ...]
    doc: str = ""
    #: Extra check on the whole normalised table (cross-field rules).
    post: Callable[[dict[str, Any], Path, Checker], None] | None = None
    spec: type | None = None
    derived: tuple[Derived, ...] = ()
    type_name = "table"

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict):
            return ck.error(path, f"must be a table, got {describe(value)}")
        names = self.field_names()
        out: dict[str, Any] = {}
        ok = True
        for key in value:
            if key not in names:
                ck.error((*path, key), "unknown key" + suggestion(key, names)
                         + f"; allowed here: {', '.join(names)}")
        for f in self.fields:
            if f.name not in value:
                if f.required:
                    ck.error(path, f"missing required key {f.name!r} ({f.doc.rstrip('.')})")
                    out[f.name], ok = INVALID, False
                else:
                    out[f.name] = f.default
                continue
            if f.not_yet:
                ck.error((*path, f.name), f"not supported yet: {f.not_yet}")
                out[f.name], ok = INVALID, False
                continue
            checked = f.kind.check(value[f.name], (*path, f.name), ck)
            ok = ok and checked is not INVALID
            out[f.name] = checked
        # A table with a bad key still returns what it could check, so that later cross-checks
        # report every other problem in the same pass; bad entries are INVALID.
        if ok and self.post is not None:
            self.post(out, path, ck)
        return out


_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")


#: Most entries a named table may hold (channels, categories, pools...): the engine packs a
#: contact's channel and category into one integer record code.
MAX_NAMED: Final = 10_000


@dataclass(frozen=True)
class Named(Kind):
    """A table of named sub-tables, such as ``[channels.999]`` and ``[channels.101]``."""

    item: Table
    what: str
    min_len: int = 0
    max_len: int = MAX_NAMED

    def doc_type(self) -> str:
        return f"tables, one per {self.what}"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict):
            return ck.error(path, f"must be a table of {plural(self.what)}, got "
                            f"{describe(value)}")
        if len(value) < self.min_len:
            return ck.error(path, f"must define at least {self.min_len} {self.what}")
        if len(value) > self.max_len:
            return ck.error(path, f"defines {len(value):,} {plural(self.what)}; at most "
                            f"{self.max_len:,} are allowed")
        out: dict[str, Any] = {}
        for name, sub in value.items():
            if not _NAME.fullmatch(name):
                ck.error((*path, name), f"{self.what} names may use letters, digits, '_' and "
                         "'-' only")
                continue
            out[name] = self.item.check(sub, (*path, name), ck)
        return out


@dataclass(frozen=True)
class TableList(Kind):
    """An array of tables (``[[surges]]``, roster lines)."""

    item: Table
    min_len: int = 0

    def doc_type(self) -> str:
        return "list of tables"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, list):
            return ck.error(path, f"must be a list of tables, got {describe(value)}")
        if len(value) < self.min_len:
            return ck.error(path, f"must have at least {self.min_len} entr"
                            + ("y" if self.min_len == 1 else "ies"))
        return [self.item.check(v, (*path, i), ck) for i, v in enumerate(value)]


@dataclass(frozen=True)
class Shares(Kind):
    """A table of names -> shares that must add up to 1 (a ``mix``).

    The names are those of the scenario's ``names`` tables (categories), which this table cannot
    see, so :meth:`check` checks the shares one by one and the rules that span tables
    (:mod:`contactsim.config.rules`) then check the names and, only when every name is known,
    the total with :meth:`check_total`: a typo'd name is reported as the typo it is, not as a
    total that is off. A child file's share table replaces its parent's whole (a mix is one
    value; merged key by key, a renamed or removed category would linger from the parent).
    """

    what: str
    names: str
    #: Shares within half a percent of 1 are accepted (``0.333`` three times) and scaled to add
    #: up to 1 when contacts are drawn; the run's warnings say so.
    tolerance: float = 0.005
    replaces_whole = True

    def doc_type(self) -> str:
        return (f"table of {self.what} = share (shares sum to 1, within 0.5%; in a file that "
                "extends another, it replaces the other's whole)")

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict) or not value:
            got = "an empty table {}" if isinstance(value, dict) else describe(value)
            return ck.error(path, f"must be a table like {{ crime = 0.6, info = 0.4 }}, got "
                            f"{got}")
        out: dict[str, float] = {}
        for name, share in value.items():
            if is_number(share) and 2.0 <= share <= 100.0:  # a percentage
                ck.error((*path, name), f"a share is a fraction of 1, got {share:g}; did you "
                         f"mean {share / 100:g}?")
                continue
            checked = Number(ge=0.0, le=1.0).check(share, (*path, name), ck)
            if checked is not INVALID:
                out[name] = checked
        if len(out) != len(value):
            return INVALID
        return out

    def check_total(self, shares: dict[str, float], path: Path, ck: Checker) -> None:
        """Report shares (each already checked) that do not add up to 1."""
        total = sum(shares.values())
        if abs(total - 1.0) > self.tolerance:
            ck.error(path, f"shares add up to {total:.6g}, not 1; check for a typo",
                     [(*path, name) for name in shares])
