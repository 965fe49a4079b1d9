"""Properties of the loader and the engine, on input that hypothesis makes up.

The loader stands between a planner's text and the model, so whatever it is handed it must
answer in one of two ways: a scenario, or a :class:`~contactsim.schema.ScenarioError` whose
every line reads ``error: FILE: KEY.PATH: problem`` on one line and names a real file. Never a
TypeError, KeyError or OverflowError from deep inside. Three kinds of input check that:
arbitrary TOML documents (nested tables and lists, NaN and infinity, huge integers, empty and
unicode strings, keys from the schema mixed with made-up ones), random ``--set KEY=VALUE``
overrides, and the shipped scenarios with one thing broken (a key dropped, a value swapped for
one of another type, an unknown key added).

The engine, given any small valid scenario (one to three voice or digital channels, random
mixes, handle and patience distributions of every kind, rosters of one to three shift lines,
callbacks and redials, sometimes a diversion policy), must conserve contacts (on every
channel, each measured contact that arrives, new or trying again, ends exactly once: answered,
abandoned, diverted or censored; only channels with patience lose callers, only a pre-queue
policy diverts), never report a negative or NaN wait, count the connection in the
answer time, keep busy time within time on duty, give the same records for the same seed, and
keep nobody waiting when every channel has 500 people on duty around the clock.

Examples per run: see EXAMPLES below (the total is what the closing note of issue 5 reports).
``make check`` runs the --set fuzzer and the two engine properties on FAST examples each, a
quick first look with the same strategies and assertions; ``make test`` runs them again on
the full EXAMPLES (the ``*_at_length`` tests, marked slow).
"""

from __future__ import annotations

import itertools
import math
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import MINIMAL, ROOT
from contactsim.config.kinds import Kind, ListOf
from contactsim.config.loading import load_scenario
from contactsim.config.schema import SCENARIO
from contactsim.config.tables import Named, Table, TableList
from contactsim.engine import ControlRoom, simulate
from contactsim.engine.records import ABANDONED, ANSWERED, CENSORED, DIVERTED
from contactsim.engine.room import collector_paused
from contactsim.problems import Problem, ScenarioError

EXAMPLES = {"documents": 600, "overrides": 500, "mutations": 600, "simulate": 100,
            "huge_roster": 40}
#: The examples the fast tier (make check) runs of the three property tests it keeps.
FAST = {"overrides": 100, "simulate": 15, "huge_roster": 8}

SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
_counter = itertools.count()


def schema_keys(kind: Kind) -> Iterator[str]:
    """Every key name the schema knows, so made-up documents reach the deeper checks."""
    if isinstance(kind, Table):
        for f in kind.fields:
            yield f.name
            yield from schema_keys(f.kind)
    elif isinstance(kind, Named | TableList | ListOf):
        yield from schema_keys(kind.item)


KEY_NAMES = sorted(set(schema_keys(SCENARIO)) | {
    "999", "101", "online", "crime", "info", "handlers", "desk", "nhs", "rcrp",
    "dist", "mean", "sd", "low", "high", "value", "values"})

# --- strategies -----------------------------------------------------------------------------

keys = st.one_of(st.sampled_from(KEY_NAMES), st.text(max_size=8))
scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 10**19, -(10**30), 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "mon-fri", "mon--sun", "07:00", "24:00", "7am", "voice",
                     "digital", "exponential", "lognormal", "empirical", "uniform", "triage",
                     "pre_queue", "999", "crime", "baseline.toml", ".", "/", "x.csv"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)
documents = st.dictionaries(keys, values, max_size=8)
#: What a planner might type after ``--set KEY=``: numbers, words, TOML fragments, junk.
set_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["1", "-1", "0", "nan", "inf", "1e400", "1e9", "true", "[]", "[1, 2]",
                     "{}", '{ dist = "exponential", mean = 3 }', '"mon-fri"', "07:00",
                     '"07:00"', "[[1]]", "{ a = { b = 1 } }", "9" * 5000, "1\nname = 2"]),
    values.map(lambda v: tomli_w.dumps({"v": v})[4:].strip()),
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the shipped scenarios, so ``extends`` between them still resolves."""
    folder = tmp_path_factory.mktemp("properties")
    for src in SHIPPED:
        shutil.copy(src, folder / src.name)
    (folder / "minimal.toml").write_text(MINIMAL, encoding="utf-8")
    return folder


def write_doc(folder: Path, doc: dict[str, Any], stem: str = "doc") -> Path:
    path = folder / f"{stem}-{next(_counter)}.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


def problems_of(path: Path, overrides: list[str] | None = None) -> list[Problem] | None:
    """The problems a load reports (None when it succeeds); any other exception escapes."""
    try:
        load_scenario(path, overrides or [])
    except ScenarioError as exc:
        return exc.problems
    return None


def load_or_explain(path: Path, overrides: list[str] | None = None) -> None:
    """Load; any failure must be a ScenarioError of well-formed lines naming real files."""
    problems = problems_of(path, overrides)
    if problems is None:
        return
    assert problems
    for problem in problems:
        line = str(problem)
        assert line.startswith(f"error: {problem.file}: "), line
        assert "\n" not in line, line
        assert "\r" not in line, line
        assert Path(problem.file).parent == path.parent, line
        assert problem.key, line


# --- (a) the loader never fails with anything but ScenarioError ------------------------------

@pytest.mark.slow
@settings(max_examples=EXAMPLES["documents"], deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents)
def test_arbitrary_documents(workdir: Path, doc: dict[str, Any]) -> None:
    load_or_explain(write_doc(workdir, doc))


override_args = {"path": st.lists(keys, min_size=1, max_size=4), "value": set_values,
                 "base": st.sampled_from(["minimal.toml", "baseline.toml", "rcrp.toml"])}


@settings(max_examples=FAST["overrides"], deadline=None)
@given(**override_args)
def test_arbitrary_set_overrides(workdir: Path, path: list[str], value: str,
                                 base: str) -> None:
    load_or_explain(workdir / base, [".".join(path) + "=" + value])


@pytest.mark.slow
@settings(max_examples=EXAMPLES["overrides"], deadline=None)
@given(**override_args)
def test_arbitrary_set_overrides_at_length(workdir: Path, path: list[str], value: str,
                                           base: str) -> None:
    load_or_explain(workdir / base, [".".join(path) + "=" + value])


def paths_in(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a document: each table key and each list item, depth first."""
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for k, v in items:
        yield (*here, k)
        yield from paths_in(v, (*here, k))


def tables_in(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [()] + [p for p in paths_in(doc) if isinstance(_at(doc, p), dict)]


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A shipped scenario with one key dropped, one value replaced, or one key added."""
    src = draw(st.sampled_from(SHIPPED))
    doc = tomllib.loads(src.read_text(encoding="utf-8"))
    how = draw(st.sampled_from(["drop", "replace", "insert"]))
    if how == "insert":
        table = _at(doc, draw(st.sampled_from(tables_in(doc))))
        table[draw(keys)] = draw(values)
        return src.name, doc
    path = draw(st.sampled_from(list(paths_in(doc))))
    parent = _at(doc, path[:-1])
    if how == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(values)
    return src.name, doc


@pytest.mark.slow
@settings(max_examples=EXAMPLES["mutations"], deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(mutant=mutants())
def test_broken_shipped_scenarios(workdir: Path, mutant: tuple[str, dict[str, Any]]) -> None:
    name, doc = mutant
    load_or_explain(write_doc(workdir, doc, stem=f"mutant-{Path(name).stem}"))


# --- (b) the engine on small valid scenarios ------------------------------------------------

CATEGORIES = ("crime", "welfare", "info")
CHANNELS = ("999", "101", "online")
DAYS = ("mon-sun", "mon-fri", "sat,sun", "fri-mon", ["mon", "wed", "fri"])


def durations(*, positive: bool) -> st.SearchStrategy[Any]:
    """Every form of duration a scenario may give, in seconds: 0 where allowed, else from the
    loader's least duration (1 ms) up; subnormal values are refused by the loader."""
    value = st.floats(1.0, 900) if positive else (st.just(0.0) | st.floats(1e-3, 900))
    mean = st.floats(5, 900)
    return st.one_of(
        value,
        st.builds(lambda v: {"dist": "constant", "value": v}, value),
        st.builds(lambda m: {"dist": "exponential", "mean": m}, mean),
        st.builds(lambda k, m, cv: {"dist": k, "mean": m, "sd": m * cv},
                  st.sampled_from(["lognormal", "gamma", "weibull"]), mean, st.floats(0.05, 3)),
        st.builds(lambda a, w: {"dist": "uniform", "low": a, "high": a + w},
                  st.just(0.0) | st.floats(1e-3, 600), st.floats(1, 600)),
        st.builds(lambda v: {"dist": "empirical", "values": v},
                  st.lists(st.floats(1, 900), min_size=1, max_size=6)),
    )


@st.composite
def mixes(draw: st.DrawFn, categories: tuple[str, ...]) -> dict[str, float]:
    names = draw(st.lists(st.sampled_from(categories), min_size=1, unique=True))
    weights = [draw(st.integers(1, 10)) for _ in names]
    return {n: w / sum(weights) for n, w in zip(names, weights, strict=True)}


def clock(hour: int, quarter: int) -> str:
    return f"{hour:02d}:{15 * quarter:02d}"


@st.composite
def rosters(draw: st.DrawFn) -> list[dict[str, Any]]:
    lines = [{"days": draw(st.sampled_from(DAYS)),
              "start": clock(draw(st.integers(0, 23)), draw(st.integers(0, 3))),
              "end": draw(st.sampled_from(["24:00", "17:00"]) | st.builds(
                  clock, st.integers(0, 23), st.integers(0, 3))),
              "staff": draw(st.integers(0, 10))}
             for _ in range(draw(st.integers(1, 3)))]
    if not any(line["staff"] for line in lines):
        lines[0]["staff"] = 1
    return lines


@st.composite
def channel_specs(draw: st.DrawFn, categories: tuple[str, ...]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["voice", "digital"]))
    spec: dict[str, Any] = {"kind": kind, "per_day": draw(st.integers(10, 500)),
                            "mix": draw(mixes(categories))}
    if kind == "voice" and draw(st.booleans()):
        spec["patience"] = draw(durations(positive=True))
        if draw(st.booleans()):
            spec["on_abandon"] = {"callback": draw(st.floats(0, 1)),
                                  "redial": draw(st.floats(0, 0.9)),
                                  "redial_delay": {"dist": "exponential", "mean": 600}}
    if draw(st.booleans()):
        spec["connect_s"] = draw(durations(positive=False))
    return spec


@st.composite
def valid_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    categories = CATEGORIES[:draw(st.integers(1, 3))]
    names = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=3, unique=True))
    doc = {
        "name": "generated",
        "run": {"days": draw(st.integers(1, 3)), "warmup_days": draw(st.sampled_from([0, 0.5, 1])),
                "replications": 1, "seed": draw(st.integers(0, 2**32))},
        "channels": {n: draw(channel_specs(categories)) for n in names},
        "categories": {c: {"handle": draw(durations(positive=True)),
                           "wrap_up": draw(durations(positive=False))} for c in categories},
        "pools": {"everyone": {"skills": names, "roster": draw(rosters())}},
    }
    if draw(st.booleans()):
        doc["diversions"] = {"policy": draw(diversions(categories, names))}
    return doc


@st.composite
def diversions(draw: st.DrawFn, categories: tuple[str, ...],
               channels: list[str]) -> dict[str, Any]:
    at = draw(st.sampled_from(["pre_queue", "triage"]))
    policy = {"categories": draw(st.lists(st.sampled_from(categories), min_size=1, unique=True)),
              "channels": draw(st.lists(st.sampled_from(channels), min_size=1, unique=True)),
              "share": draw(st.floats(0, 1)), "at": at}
    if at == "triage":
        policy["triage_s"] = draw(durations(positive=False))
    return policy


def records_of(workdir: Path, doc: dict[str, Any]) -> tuple[Any, Any]:
    sc = load_scenario(write_doc(workdir, doc, stem="valid"))
    return sc, simulate(sc, 0)


class Counted(ControlRoom):
    """The engine, counting by channel each measured contact where it arrives: the new
    contacts of each day as the demand hands them over, each caller trying again as the retry
    lands. Counted apart from the engine's own bookkeeping of what is still open."""

    def _init_feed(self) -> None:
        self.arrived = np.zeros(len(self.scenario.channels), dtype=np.int64)
        draw_day = self.demand.day

        def day(*args: Any, **kwargs: Any) -> Any:
            fresh = draw_day(*args, **kwargs)
            np.add.at(self.arrived, fresh.ch[fresh.arrival >= self.warmup_s], 1)
            return fresh

        self.demand.day = day  # type: ignore[method-assign]
        super()._init_feed()

    def _on_retry(self, ev):  # type: ignore[no-untyped-def]
        c = super()._on_retry(ev)
        if c.measured:
            self.arrived[c.ch] += 1
        return c


@settings(max_examples=FAST["simulate"], deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(doc=valid_scenarios())
def test_engine_conserves_contacts_and_repeats_itself(workdir: Path,
                                                      doc: dict[str, Any]) -> None:
    conserves_and_repeats(workdir, doc)


@pytest.mark.slow
@settings(max_examples=EXAMPLES["simulate"], deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(doc=valid_scenarios())
def test_engine_conserves_contacts_and_repeats_itself_at_length(workdir: Path,
                                                                doc: dict[str, Any]) -> None:
    conserves_and_repeats(workdir, doc)


def conserves_and_repeats(workdir: Path, doc: dict[str, Any]) -> None:
    sc = load_scenario(write_doc(workdir, doc, stem="valid"))
    room = Counted(sc, 0)
    with collector_paused():  # as simulate() runs it
        out = room.run()
    r = out.records
    # Conservation: on every channel, each measured contact that arrived (new or trying again)
    # ends exactly once: answered, abandoned, diverted, or still in the system when an
    # overloaded run was stopped (censored).
    assert set(np.unique(r.outcome)) <= {ANSWERED, ABANDONED, DIVERTED, CENSORED}
    assert set(np.unique(r.channel)) <= set(range(len(sc.channels)))
    ended = np.bincount(r.channel, minlength=len(sc.channels))
    assert ended.tolist() == room.arrived.tolist()
    assert room.open == 0
    if not out.warnings:
        assert not np.any(r.outcome == CENSORED)
    diverting = {c for d in sc.diversions.values() if d.pre_queue for c in d.channels}
    for k, ch in enumerate(sc.channels.values()):
        mine = r.outcome[r.channel == k]
        if ch.patience is None:
            assert not np.any(mine == ABANDONED), ch.name  # only impatient callers hang up
        if ch.name not in diverting:
            assert not np.any(mine == DIVERTED), ch.name  # only a pre-queue policy diverts
    assert np.all(r.policy[r.outcome == DIVERTED] >= 0)
    for column in (r.wait_s, r.connect_s):
        assert np.all(np.isfinite(column))
        assert np.all(column >= 0)
    assert np.all(r.answer_s >= r.connect_s)
    assert np.all(np.isfinite(out.present_s))
    assert np.all(np.isfinite(out.busy_s))
    assert np.all(out.busy_s.sum(axis=1) <= out.present_s.sum(axis=1) + 1e-6)
    # The same seed gives the same records, counting or not (and with the collector paused).
    again = simulate(sc, 0).records
    for field in ("channel", "category", "hour", "outcome", "origin", "policy", "wait_s",
                  "connect_s"):
        assert np.array_equal(getattr(r, field), getattr(again, field)), field


@settings(max_examples=FAST["huge_roster"], deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(doc=valid_scenarios())
def test_nobody_waits_with_a_huge_roster(workdir: Path, doc: dict[str, Any]) -> None:
    nobody_waits(workdir, doc)


@pytest.mark.slow
@settings(max_examples=EXAMPLES["huge_roster"], deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(doc=valid_scenarios())
def test_nobody_waits_with_a_huge_roster_at_length(workdir: Path, doc: dict[str, Any]) -> None:
    nobody_waits(workdir, doc)


def nobody_waits(workdir: Path, doc: dict[str, Any]) -> None:
    everyone = [{"days": "mon-sun", "start": "00:00", "end": "24:00", "staff": 500}]
    doc["pools"] = {f"pool-{n}": {"skills": [n], "roster": everyone} for n in doc["channels"]}
    _, out = records_of(workdir, doc)
    r = out.records
    assert len(r) > 0
    assert np.all((r.outcome == ANSWERED) | (r.outcome == DIVERTED))  # nobody gives up
    assert np.all(r.wait_s == 0), float(r.wait_s.max())
    assert math.isclose(float(np.sum(r.answer_s - r.connect_s)), 0.0)
