"""What-if planning: the scenarios a sweep runs, one per value of the keys it varies.

``sweep`` answers "how much of this do we need?": one scenario run at every value (or pair of
values) of one or two keys, each point with the same seed, so that neighbouring points see the
same callers (common random numbers) and differ only by what was varied. Every point is loaded
and checked before anything runs, so a bad value is reported at once, not after an hour.

Comparing scenarios against a base (paired differences under common random numbers) is done
from saved folders by :mod:`contactsim.results.compare`; running and writing both is
:mod:`contactsim.jobs`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from contactsim.config.loading import load_scenario, parse_override, parse_value, with_changes
from contactsim.config.spec import Scenario
from contactsim.problems import Problem, ScenarioError

# --- sweep ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vary:
    """One ``--vary KEY=V1,V2,...``: a dotted key and its values as TOML text."""

    key: str
    values: tuple[str, ...]


def split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets, braces and quotes: ``[1,2],[3]`` -> two values."""
    parts, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote and text[i - 1] != "\\" else quote
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_vary(text: str) -> Vary:
    """``"pools.handlers.scale=0.9,1.0,1.1"`` -> Vary; ValueError saying what is wrong."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not p.strip() for p in key.split(".")):
        raise ValueError(f"{text!r} is not KEY.PATH=V1,V2,..., e.g. "
                         "pools.handlers.scale=0.9,1.0,1.1")
    values = split_top_level(raw)
    if any(not v for v in values):
        raise ValueError(f"{text!r} has an empty value; separate values with single commas")
    if len(set(values)) != len(values):
        raise ValueError(f"{text!r} repeats a value")
    return Vary(key, tuple(values))


@dataclass(frozen=True)
class Point:
    """One run of a sweep: the values of the varied keys and the scenario they give."""

    index: int
    values: dict[str, str]
    scenario: Scenario

    @property
    def folder(self) -> str:
        return f"points/point-{self.index + 1:02d}"


#: The most points a sweep runs (each is a whole run of the scenario, with its own results
#: folder); checked before any point is planned, so a typo cannot plan a million runs.
MAX_POINTS = 400


def plan_sweep(file: str, varies: Sequence[Vary], overrides: Sequence[str]) -> list[Point]:
    """The scenario at every point, made in memory from the file loaded once, before anything
    runs; every problem is reported at once."""
    keys = [v.key for v in varies]
    if not 1 <= len(varies) <= 2 or len(set(keys)) != len(keys):
        raise ScenarioError([Problem(file, "--vary", "give one or two different --vary keys")])
    count = math.prod(len(v.values) for v in varies)
    if count > MAX_POINTS:
        sizes = " x ".join(f"{len(v.values):,}" for v in varies)
        raise ScenarioError([Problem(file, "--vary", f"{sizes} values make {count:,} points; a "
                                     f"sweep runs at most {MAX_POINTS:,} (each point is a full "
                                     "run): give fewer values")])
    base = load_scenario(file, overrides)
    points: list[Point] = []
    problems: list[Problem] = []
    for i, combo in enumerate(itertools.product(*(v.values for v in varies))):
        values = dict(zip(keys, combo, strict=True))
        try:
            changes = {parse_override(f"{k}={v}")[0]: parse_value(v) for k, v in values.items()}
        except ValueError as exc:
            problems.append(Problem(file, "--vary", str(exc)))
            continue
        try:
            points.append(Point(i, values, with_changes(base, changes)))
        except ScenarioError as exc:
            problems.extend(_from_vary(p, keys) for p in exc.problems)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return points


def _from_vary(problem: Problem, keys: Sequence[str]) -> Problem:
    """Say ``--vary`` where the loader says a change made in memory about a varied key."""
    if not any(problem.key == k or problem.key.startswith(k + ".") for k in keys):
        return problem
    return Problem(problem.file, problem.key, problem.message.replace(
        "(a change made in memory)", "(from --vary)"))
