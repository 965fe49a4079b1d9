"""Building the typed scenario from the checked document, by walking the schema.

Each key a planner may write is declared once, in :mod:`contactsim.config.schema`: its type,
bounds, default, docs, and where it lands. A :class:`~contactsim.config.tables.Table` names the
frozen dataclass it builds (``CHANNEL`` builds a :class:`~contactsim.config.spec.ChannelSpec`);
each of its fields lands in the dataclass field of the same name unless it says otherwise
(``start`` lands in ``start_min``; ``extends`` lands nowhere, since loading consumes it) and may
convert its value on the way (``hourly`` weights scaled to mean 1, ``start_day`` to a weekday
index); a :class:`Derived` field is computed where no key sets it (a channel's ``name`` is its
table's key). :func:`build` walks that tree, so a key added to a table reaches the scenario
with no second edit, and :func:`unbound` refuses, when the schema is imported, a key that lands
nowhere without saying so or a dataclass field that nothing feeds.

Why the tables name the dataclasses, rather than tables generated from dataclass metadata: the
dataclasses in :mod:`contactsim.config.spec` are what the engine, the analysis and mypy see, and
they read best as plain typed records (``ShiftSpec(days, start_min, end_min, staff)``). The TOML
is shaped differently: its keys are named for planners (``start``, not ``start_min``), some keys
build nothing (``extends``, ``source``), some fields come from no key (``name``, ``file``), and
the keys' order, docs and examples make the reference page. Metadata would put all of that into
``spec.py`` and still need the same declarations for the exceptions; naming the dataclass from
the table keeps each concern in one place and a checked line between them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from contactsim.config.kinds import Kind, ListOf
from contactsim.config.tables import Named, Table, TableList


@dataclass(frozen=True)
class Place:
    """Where a table is built: its key in the enclosing table or list, and the whole scenario.

    ``doc`` is the whole checked document, for fields resolved against other tables (a
    diversion without ``channels`` covers every channel); ``file`` and ``document`` are what
    loading knows beyond the document: the file to name and the resolved TOML to keep.
    """

    key: str | int | None
    doc: Mapping[str, Any]
    file: str
    document: Mapping[str, Any]

    def at(self, key: str | int) -> Place:
        return dataclasses.replace(self, key=key)


@dataclass(frozen=True)
class Derived:
    """A dataclass field no single key sets: computed from the checked table and its place."""

    attr: str
    compute: Callable[[Mapping[str, Any], Place], Any]
    doc: str


def _entry_name(_table: Mapping[str, Any], place: Place) -> str:
    return str(place.key)


#: The ``name`` of every entry of a named table: ``[channels.999]`` is the channel ``999``.
NAME_FROM_KEY: Final = Derived("name", _entry_name, "the table's own key")


def build(table: Table, value: Mapping[str, Any], place: Place) -> Any:
    """The dataclass ``table`` names, from its checked, problem-free value."""
    if table.spec is None:
        raise TypeError(f"a table with keys {table.field_names()} names no dataclass to build")
    kwargs: dict[str, Any] = {}
    for f in table.fields:
        if f.attr is None:
            continue
        built = _value(f.kind, value[f.name], place.at(f.name))
        kwargs[f.attr] = built if f.convert is None else f.convert(built)
    for d in table.derived:
        kwargs[d.attr] = d.compute(value, place)
    return table.spec(**kwargs)


def _value(kind: Kind, value: Any, place: Place) -> Any:
    """One key's built value: nested tables become their dataclasses, the rest is as checked."""
    if value is None:  # an absent optional key; a convert may still give it meaning
        return None
    if isinstance(kind, Table):
        return build(kind, value, place)
    if isinstance(kind, Named):
        return {name: build(kind.item, item, place.at(name)) for name, item in value.items()}
    if isinstance(kind, TableList):
        return tuple(build(kind.item, item, place.at(i)) for i, item in enumerate(value))
    return value


def unbound(table: Table, where: str = "(top level)") -> list[str]:
    """Everything in ``table`` (and the tables it builds) that does not reach a dataclass field.

    Each key lands in a field of the table's dataclass or says ``into=None``; each dataclass
    field is fed by exactly one key or one :class:`Derived`; each nested table that is built
    names its own dataclass. An empty list means every declared key reaches the scenario.
    """
    if table.spec is None or not dataclasses.is_dataclass(table.spec):
        return [f"{where}: names no dataclass to build (spec=...)"]
    spec = table.spec.__name__
    wanted = [f.name for f in dataclasses.fields(table.spec)]
    fed: dict[str, str] = {}
    out: list[str] = []

    def feed(attr: str, by: str) -> None:
        if attr not in wanted:
            out.append(f"{where}: {by} lands in {spec}.{attr}, which does not exist")
        elif attr in fed:
            out.append(f"{where}: {spec}.{attr} is fed by both {fed[attr]} and {by}")
        fed[attr] = by

    for f in table.fields:
        if f.attr is not None:
            feed(f.attr, f"key {f.name!r}")
            out += _nested_unbound(f.kind, f"{where}.{f.name}")
    for d in table.derived:
        feed(d.attr, f"derived {d.attr!r} ({d.doc})")
    out += [f"{where}: no key or derivation feeds {spec}.{attr}" for attr in wanted
            if attr not in fed]
    return out


def _nested_unbound(kind: Kind, where: str) -> list[str]:
    if isinstance(kind, Table):
        return unbound(kind, where)
    if isinstance(kind, Named):
        return unbound(kind.item, f"{where}.NAME")
    if isinstance(kind, TableList):
        return unbound(kind.item, f"{where}[]")
    if isinstance(kind, ListOf) and isinstance(kind.item, Table | Named | TableList):
        return [f"{where}: a plain list of tables is not built; use TableList"]
    return []
