"""The start of a ``suggested.toml`` that ``staff`` and ``recruit`` write: a scenario that
extends the one they were given, so the planner's file stays the one source of everything the
suggestion does not change."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from contactsim.config.loading import parse_override


def extending(file: str | os.PathLike[str], out: str | os.PathLike[str], name: str,
              overrides: Sequence[str]) -> dict[str, Any]:
    """A document that ``extends`` ``file`` (its path relative to the folder ``out``), named
    ``name``, with the command line's ``--set`` overrides written in, so the file runs exactly
    what was simulated."""
    doc: dict[str, Any] = {
        "extends": os.path.relpath(os.path.abspath(file), os.path.abspath(out)),
        "name": name,
    }
    for text in overrides:
        path, value = parse_override(text)
        node = doc
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return doc
