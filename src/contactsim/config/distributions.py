"""Durations: the tagged TOML forms a planner writes, and samplers that draw them in batches.

Every duration in a scenario is in seconds. A planner writes ``40`` for a constant 40 s, or a
table such as ``{ dist = "lognormal", mean = 420, sd = 240 }`` for talk times that are usually
about seven minutes but sometimes much longer. Lognormal and gamma are given by their mean and
standard deviation (what a control room's own data shows), not by the underlying parameters, and
so is Weibull (``{ dist = "weibull", mean = 420, sd = 240 }``), whose shape is found once from
sd / mean.
Samplers draw whole numpy arrays from a named :class:`numpy.random.Generator`, never one value
at a time, so the engine stays fast and the draws stay reproducible.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

import numpy as np

from contactsim.config.datafile import (
    MAX_FILE_BYTES,
    SHA256,
    DataFileError,
    known_values,
    read_values,
)
from contactsim.config.kinds import Kind, Number
from contactsim.files import FOLDER, MISSING, NotAFileError
from contactsim.problems import (
    INVALID,
    Checker,
    Path,
    describe,
    finite,
    is_number,
    suggestion,
)
from contactsim.timebase import MAX_DURATION_S

KINDS = ("constant", "exponential", "lognormal", "gamma", "weibull", "uniform", "empirical")

#: Parameters each distribution takes (besides ``dist``).
PARAMS: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "exponential": ("mean",),
    "lognormal": ("mean", "sd"),
    "gamma": ("mean", "sd"),
    "weibull": ("mean", "sd"),
    "uniform": ("low", "high"),
    "empirical": ("values", "file", "sha256"),
}

#: Longest duration any distribution parameter may take (timebase.MAX_DURATION_S, 30 days).
MAX_SECONDS = MAX_DURATION_S

#: Largest sd / mean of a lognormal, gamma or Weibull: far beyond real durations, and it keeps the
#: underlying parameters finite (a lognormal's sigma overflows near 1e154).
MAX_CV = 100.0

#: Shortest duration other than 0 that any distribution parameter or value may take: a
#: millisecond. Smaller (subnormal) values are no duration a planner means, and they overflow a
#: gamma's shape or turn a lognormal's parameters into NaN.
MIN_SECONDS = 1e-3

__all__ = ["MAX_FILE_BYTES", "Dist", "Distribution", "Draws"]


def _no_values() -> np.ndarray:
    return np.empty(0)


@dataclass(frozen=True, eq=False)
class Distribution:
    """A non-negative duration distribution in seconds.

    An empirical distribution's ``values`` are one read-only float64 array (a data file may
    hold millions), never copied into a tuple or a list.
    """

    kind: str
    a: float = 0.0  # constant value, mean, or low
    b: float = 0.0  # sd or high
    values: np.ndarray = field(default_factory=_no_values)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        if values.flags.writeable:
            values = values.copy() if values is self.values else values
            values.flags.writeable = False
        object.__setattr__(self, "values", values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Distribution):
            return NotImplemented
        return ((self.kind, self.a, self.b) == (other.kind, other.a, other.b)
                and np.array_equal(self.values, other.values))

    def __hash__(self) -> int:
        return hash((self.kind, self.a, self.b, self.values.size))

    @classmethod
    def constant(cls, value: float) -> Distribution:
        return cls("constant", float(value))

    @property
    def mean(self) -> float:
        """The distribution's mean in seconds."""
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        return self.a  # an empirical distribution's mean, worked out once when it was read

    @property
    def is_zero(self) -> bool:
        return self.kind == "constant" and self.a == 0.0

    def sample(self, gen: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values (float64 array)."""
        if self.kind == "constant":
            return np.full(n, self.a)
        if self.kind == "exponential":
            return gen.exponential(self.a, n)
        if self.kind == "lognormal":
            sigma2 = math.log1p((self.b / self.a) ** 2)
            return gen.lognormal(math.log(self.a) - sigma2 / 2, math.sqrt(sigma2), n)
        if self.kind == "gamma":
            shape = (self.a / self.b) ** 2
            return gen.gamma(shape, self.b**2 / self.a, n)
        if self.kind == "weibull":
            k = weibull_shape(self.b / self.a)
            return self.a / math.exp(math.lgamma(1 + 1 / k)) * gen.weibull(k, n)
        if self.kind == "uniform":
            return gen.uniform(self.a, self.b, n)
        return gen.choice(self.values, n)

    def describe(self) -> str:
        """Planner-readable one-liner, e.g. ``lognormal, mean 420 s, sd 240 s``."""
        if self.kind == "constant":
            return f"{self.a:g} s"
        if self.kind == "exponential":
            return f"exponential, mean {self.a:g} s"
        if self.kind in ("lognormal", "gamma", "weibull"):
            return f"{self.kind}, mean {self.a:g} s, sd {self.b:g} s"
        if self.kind == "uniform":
            return f"uniform {self.a:g}-{self.b:g} s"
        return f"empirical, {len(self.values)} values, mean {self.mean:.4g} s"


@dataclass(frozen=True)
class Dist(Kind):
    """Schema kind for a duration: a bare number or a ``{ dist = ... }`` table.

    ``positive`` demands a mean above zero (handle times, patience); otherwise zero is allowed
    (connection, IVR and wrap-up times may be absent). A distribution is one value: a child
    file that sets it replaces the parent's whole (merged key by key, a parent's lognormal
    ``sd`` would linger under a child's exponential and be refused).
    """

    positive: bool = False
    replaces_whole = True

    def doc_type(self) -> str:
        return "duration: a number, or { dist = ... } (see Distributions)"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if is_number(value):
            checked = Number(gt=0.0 if self.positive else None, ge=None if self.positive else 0.0,
                             le=MAX_SECONDS, least=MIN_SECONDS).check(value, path, ck)
            return INVALID if checked is INVALID else Distribution.constant(checked)
        if not isinstance(value, dict):
            return ck.error(path, "must be a number of seconds or a table like "
                            f'{{ dist = "exponential", mean = 90 }}, got {describe(value)}')
        kind = value.get("dist")
        if kind not in KINDS:
            got = "no 'dist' key" if kind is None else f"dist = {describe(kind)}"
            hint = suggestion(kind, KINDS) if isinstance(kind, str) else ""
            return ck.error(path, f"{got}; choose dist from: {', '.join(KINDS)}{hint}")
        allowed = PARAMS[kind]
        problems = len(ck.problems)
        for key in value:
            if key != "dist" and key not in allowed:
                ck.error((*path, key), f"unknown key for {_a(kind)} distribution"
                         + suggestion(key, allowed) + "; it takes: " + ", ".join(allowed))
        if len(ck.problems) > problems:
            return INVALID
        if kind == "empirical":
            return self._empirical(value, path, ck)
        missing = [p for p in allowed if p not in value]
        if missing:
            return ck.error(path, f"{_a(kind)} distribution needs {' and '.join(missing)}")
        return self._parametric(kind, value, path, ck)

    def _parametric(self, kind: str, value: dict[str, Any], path: Path, ck: Checker) -> Any:
        pos = Number(gt=0.0, le=MAX_SECONDS, least=MIN_SECONDS)
        nonneg = Number(ge=0.0, le=MAX_SECONDS, least=MIN_SECONDS)
        if kind == "constant":
            v = (pos if self.positive else nonneg).check(value["value"], (*path, "value"), ck)
            return INVALID if v is INVALID else Distribution("constant", v)
        if kind == "exponential":
            m = pos.check(value["mean"], (*path, "mean"), ck)
            return INVALID if m is INVALID else Distribution("exponential", m)
        if kind in ("lognormal", "gamma", "weibull"):
            m = pos.check(value["mean"], (*path, "mean"), ck)
            s = pos.check(value["sd"], (*path, "sd"), ck)
            if m is INVALID or s is INVALID:
                return INVALID
            if s > MAX_CV * m:
                return ck.error((*path, "sd"), f"sd = {s:g} is more than {MAX_CV:g} times the "
                                f"mean ({m:g}); is a unit wrong?")
            return Distribution(kind, m, s)
        low = nonneg.check(value["low"], (*path, "low"), ck)
        high = nonneg.check(value["high"], (*path, "high"), ck)
        if low is INVALID or high is INVALID:
            return INVALID
        if high < low or (self.positive and high <= 0):
            return ck.error(path, f"uniform needs low <= high (and high > 0 here), got "
                            f"low = {low:g}, high = {high:g}")
        return Distribution("uniform", low, high)

    def _empirical(self, value: dict[str, Any], path: Path, ck: Checker) -> Any:
        if ("values" in value) == ("file" in value):
            return ck.error(path, "an empirical distribution needs exactly one of values = "
                            '[...] or file = "durations.csv"')
        if "sha256" in value and "file" not in value:
            return ck.error((*path, "sha256"), "checks a data file: it goes with file = "
                            '"durations.csv", not with values')
        if "file" in value:
            where: Path = (*path, "file")
            values = self._read_file(value, where, ck)
            if values is INVALID:
                return INVALID
        else:
            where = (*path, "values")
            if not isinstance(value["values"], list):
                return ck.error(where, f"must be a list of seconds, got "
                                f"{describe(value['values'])}")
            # anything but a finite number (text, true, 1e400) becomes NaN, refused below
            values = np.array([finite(v) for v in value["values"]], dtype=np.float64)
        if not values.size:
            return ck.error(where, "has no values")
        ok = np.isfinite(values) & ((values == 0) | ((values >= MIN_SECONDS)
                                                     & (values <= MAX_SECONDS)))
        if not ok.all():
            first = int(np.argmin(ok))
            shown = value["values"][first] if "values" in value else float(values[first])
            return ck.error(where, f"value {describe(shown)} is not a duration in seconds "
                            f"from 0 to {MAX_SECONDS:,.0f} (0, or at least {MIN_SECONDS:g})")
        if self.positive and values.max() <= 0:
            return ck.error(where, "all values are zero; this duration must be above zero")
        return Distribution("empirical", float(np.mean(values)), 0.0, values)

    @staticmethod
    def _read_file(value: dict[str, Any], path: Path, ck: Checker) -> Any:
        """The values of a data file, checked against its ``sha256`` if one is given; the file
        is recorded (absolute path and fingerprint) for the resolved scenario."""
        name, expected = value["file"], value.get("sha256")
        if not isinstance(name, str) or not name.strip() or "\0" in name:
            return ck.error(path, f"must be a file name, got {describe(name)}")
        if expected is not None and (not isinstance(expected, str)
                                     or not SHA256.fullmatch(expected)):
            return ck.error((*path[:-1], "sha256"), "must be the file's SHA-256 as 64 "
                            f"hexadecimal digits (as sha256sum prints it), got "
                            f"{describe(expected)}")
        target = str(FilePath(ck.folder_file_of(path)).parent / name)
        known = known_values(expected) if ck.reuse_data and expected is not None else None
        if known is not None:  # a variant of a loaded scenario: the values it read
            ck.data_files[path[:-1]] = (os.path.abspath(target), str(expected))
            return known
        try:
            values, sha256 = read_values(target)  # never a device or a FIFO
        except NotAFileError as exc:
            if exc.kind == MISSING:
                return ck.error(path, f"file {target!r} not found (paths are relative to "
                                "the scenario file)")
            if exc.kind == FOLDER:
                return ck.error(path, f"{target!r} is a folder, not a data file")
            return ck.error(path, f"{target!r} {exc.words}, not a data file")
        except DataFileError as exc:
            return ck.error(path, str(exc))
        except OSError as exc:
            return ck.error(path, f"cannot read {target!r}: {exc.strerror or exc}")
        if expected is not None and sha256 != expected:
            return ck.error(path, f"{target!r} has changed since this scenario was saved: its "
                            f"sha256 is {sha256[:12]}..., the scenario expects "
                            f"{expected[:12]}...; put the saved file back, or leave out "
                            "sha256 to use the file as it is now")
        ck.data_files[path[:-1]] = (os.path.abspath(target), sha256)
        return values


def read_data_file(value: dict[str, Any], path: Path, ck: Checker) -> Any:
    """The numbers of the data file ``value["file"]`` names (checked against its ``sha256``
    if given), recorded for the resolved scenario; INVALID (reported at ``path``) if unusable.
    Other keys that accept a file (``hour_of_week``) read it through this too."""
    return Dist._read_file(value, path, ck)


_ZETA2, _ZETA3, _ZETA4 = math.pi**2 / 6, 1.2020569031595942, math.pi**4 / 90


def _weibull_log_cv(k: float) -> float:
    """log(sd / mean) of a Weibull of shape ``k``: CV(k)^2 = G(1+2/k) / G(1+1/k)^2 - 1, from
    log-gamma differences (and, for k above 1000, their series in 1/k, where the difference of
    two nearly equal log-gammas would lose every digit)."""
    x = 1 / k
    if x < 1e-3:
        r = _ZETA2 * x**2 - 2 * _ZETA3 * x**3 + 3.5 * _ZETA4 * x**4
    else:
        r = math.lgamma(1 + 2 * x) - 2 * math.lgamma(1 + x)
    return math.log(math.expm1(r)) / 2


@lru_cache(maxsize=256)
def weibull_shape(cv: float) -> float:
    """The Weibull shape k whose sd / mean is ``cv`` (CV falls as k grows).

    Solved once per CV by Brent's method on log k over [0.05, 1e12], which brackets every CV the
    loader accepts: CV(0.05) is about 370,000 (MAX_CV is 100, k about 0.1) and CV(1e12) about
    1e-12 (the least accepted CV is MIN_SECONDS / MAX_SECONDS, about 4e-10).
    """
    from scipy.optimize import brentq  # here: scipy.optimize is slow to import, rarely needed

    target = math.log(cv)
    log_k = brentq(lambda lk: _weibull_log_cv(math.exp(lk)) - target, math.log(0.05),
                   math.log(1e12), xtol=1e-12, rtol=1e-12)
    return math.exp(float(log_k))


def _a(kind: str) -> str:
    """``"an exponential"``, ``"a lognormal"``."""
    return ("an " if kind[0] in "ae" else "a ") + kind  # not "an uniform"


class Draws:
    """Values of one distribution from one stream, drawn in blocks and handed out one by one.

    For draws made as events happen (a redial delay, a callback's talk time), drawing a block at
    a time keeps numpy's per-call overhead off the hot path; the sequence is the same as drawing
    one at a time from the same named stream, so results stay reproducible.
    """

    __slots__ = ("next",)

    def __init__(self, dist: Distribution, gen: np.random.Generator, block: int = 256) -> None:
        #: The next value (a generator's ``__next__``: cheaper to call than a method that
        #: keeps its own place in the block).
        self.next: Callable[[], float] = _blocks(dist, gen, block).__next__


def _blocks(dist: Distribution, gen: np.random.Generator, block: int) -> Iterator[float]:
    """``dist``'s values from ``gen``, drawn ``block`` at a time, for ever."""
    while True:
        yield from dist.sample(gen, block).tolist()


UNIFORM = Distribution("uniform", 0.0, 1.0)
