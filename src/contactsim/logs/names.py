"""A log's names as a planner meant them: a vendor's values mapped onto ours, one case each.

Exports spell the same thing differently: a queue called ``EMERGENCY`` where the scenario says
``999``, or ``Crime`` on some rows and ``CRIME`` on others. A ``[values.COLUMN]`` table of the
``--columns`` file (:mod:`contactsim.logs.columns`) maps the export's values onto ours (matched
ignoring case); then names that differ only by case are read as one, with a warning that says
which spellings were joined and how many rows each had. Everything here works on the few
distinct names, and touches the rows' codes once, only when a name changed. The small
helpers at the end select the rows kept, renumber their codes and drop exact repeats of a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping

import numpy as np

#: What a scenario accepts as a channel, category or partner name (``config.kinds._NAME``).
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_\-]+")


def scenario_name(name: str) -> str:
    """``name`` as a scenario can hold it: each run of other characters than letters, digits,
    ``_`` and ``-`` (spaces, control characters, NUL) one ``_``, never a leading ``-``."""
    if _NAME.fullmatch(name):
        return name
    fixed = _NOT_NAME.sub("_", name)
    return "_" + fixed if fixed.startswith("-") else fixed


def as_scenario_names(column: str, names: tuple[str, ...], codes: np.ndarray, longest: int,
                      prefer: Collection[str] = ()) -> tuple[tuple[str, ...], np.ndarray,
                                                             list[str]]:
    """:func:`recode` of ``names`` into names a scenario accepts (names longer than
    ``longest`` are left for the reader to refuse), with a warning saying which were rewritten."""
    fixed = {name: scenario_name(name) for name in names if len(name) <= longest}
    changed = {name: new for name, new in fixed.items() if new != name}
    if not changed:
        return names, codes, []
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    rows = {name: int(counts[k]) for k, name in enumerate(names) if name in changed}
    said = ", ".join(f"{name!r} ({rows[name]:,} rows) as {new!r}"
                     for name, new in list(changed.items())[:10])
    more = f" and {len(changed) - 10:,} more" if len(changed) > 10 else ""
    found, recoded, warnings = recode(column, names, codes,
                                      {name.casefold(): new for name, new in changed.items()},
                                      prefer)
    return found, recoded, [f"{column}: read {said}{more} (scenario names may use letters, "
                            "digits, '_' and '-' only)", *warnings]


def recode(column: str, names: tuple[str, ...], codes: np.ndarray, values: Mapping[str, str],
           prefer: Collection[str] = ()) -> tuple[tuple[str, ...], np.ndarray, list[str]]:
    """``names`` (sorted) and each row's index into them (-1 absent), after the value map
    ``values`` (the export's value, case-folded -> ours) and case folding; and the warnings.

    Spellings that differ only by case from one of ``prefer`` (the scenario's channels) are
    read as it; others that differ only by case from each other as the one on most rows (ties:
    the first in sorted order).
    """
    mapped = [values.get(name.casefold(), name) for name in names]
    groups: dict[str, list[int]] = {}
    for k, name in enumerate(mapped):
        groups.setdefault(name.casefold(), []).append(k)
    ours = {name.casefold(): name for name in prefer}
    warnings: list[str] = []
    counts: np.ndarray | None = None
    for folded, members in groups.items():
        spellings = sorted({mapped[k] for k in members})
        if spellings == [ours.get(folded)] or (len(spellings) < 2 and folded not in ours):
            continue
        if counts is None:
            counts = np.bincount(codes[codes >= 0], minlength=len(names))
        rows = {s: int(sum(counts[k] for k in members if mapped[k] == s)) for s in spellings}
        said = ", ".join(f"{s!r} ({rows[s]:,} rows)" for s in spellings)
        if folded in ours:
            chosen = ours[folded]
            warnings.append(f"{column}: {said} read as the scenario's {chosen!r} (they differ "
                            "only by case)")
        else:
            chosen = max(spellings, key=lambda s: rows[s])
            warnings.append(f"{column}: {said} differ only by case; read as one, {chosen!r}")
        for k in members:
            mapped[k] = chosen
    if mapped == list(names):
        return names, codes, warnings
    final = tuple(sorted(set(mapped)))
    where = {name: k for k, name in enumerate(final)}
    table = np.array([where[name] for name in mapped] + [-1], dtype=codes.dtype)
    return final, table[codes], warnings


def picker(good: np.ndarray, n: int) -> Callable[[np.ndarray], np.ndarray]:
    """Selecting the ``good`` rows of a column of ``n``: the column itself when all are."""
    if len(good) == n:
        return lambda column: column
    return lambda column: column[good]


def reindex(codes: np.ndarray, used: list[int], dtype: type = np.int16) -> np.ndarray:
    """Codes into the full sorted names -> codes into the names the good rows use."""
    lookup: np.ndarray = np.full(max(used, default=0) + 2, -1, dtype=dtype)
    lookup[used] = np.arange(len(used), dtype=dtype)
    return lookup[codes]


def used_codes(codes: np.ndarray) -> list[int]:
    """The codes (0 or more) that occur, in order."""
    return np.flatnonzero(np.bincount(codes[codes >= 0], minlength=1)).tolist()


def renumber(keys: np.ndarray) -> np.ndarray:
    """Keys renumbered 0, 1, ... in order of first appearance (-1 stays -1)."""
    out = np.full(len(keys), -1, dtype=np.int64)
    given = keys >= 0
    _, first, inverse = np.unique(keys[given], return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    out[given] = rank[inverse]
    return out


def without_repeats(parts: list[np.ndarray], good: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """``good`` (indices into columns of ``n`` rows) less exact repeats of an earlier row in
    every one of ``parts``, and how many were dropped: rows are hashed, and only those whose
    hash another shares are compared value by value."""
    pick = picker(good, n)
    mix = np.zeros(len(good), dtype=np.uint64)
    for k, part in enumerate(parts):
        bits = np.nan_to_num(np.asarray(pick(part), dtype=np.float64), nan=-1.5e308)
        mix ^= bits.view(np.uint64)
        del bits
        mix *= np.uint64(0x9E3779B97F4A7C15 + 2 * k)
        mix ^= mix >> np.uint64(29)
    _, inverse, counts = np.unique(mix, return_inverse=True, return_counts=True)
    del mix
    alike = np.flatnonzero(counts[inverse] > 1)  # rows whose hash another row shares
    del inverse, counts
    if not len(alike):
        return good, 0
    # Rows with equal hashes are compared value by value: only exact repeats are dropped.
    stack = np.stack([np.nan_to_num(np.asarray(p, dtype=np.float64)[good[alike]],
                                    nan=-1.5e308) for p in parts], axis=1)
    _, first = np.unique(stack, axis=0, return_index=True)
    drop = np.setdiff1d(alike, alike[first])
    return np.delete(good, drop), len(drop)
