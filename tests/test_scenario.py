"""Scenario files: the schema, extends, --set, and every error path giving a clear message."""

from __future__ import annotations

import builtins
import copy
import dataclasses
import errno
import hashlib
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL, ROOT, problems, write
from contactsim.config.distributions import Distribution
from contactsim.config.loading import load_scenario, parse_value, with_changes
from contactsim.config.spec import Scenario
from contactsim.present.reference import reference_markdown
from contactsim.problems import ScenarioError


def test_minimal_scenario_defaults(minimal: Path) -> None:
    sc = load_scenario(minimal)
    ch = sc.channels["999"]
    assert ch.kind == "voice"
    assert ch.priority == 1
    assert ch.patience is None
    assert ch.connect_s == Distribution.constant(0.0)
    assert ch.ivr_s.is_zero
    assert ch.mix == (("crime", 1.0),)  # one category: the mix may be left out
    assert ch.hourly == (1.0,) * 24
    assert ch.weekly == (1.0,) * 7
    assert sc.pools["handlers"].scale == 1.0
    assert sc.run.start_day == 0
    assert sc.run.days == 2.0
    assert sc.file == str(minimal)


def test_profiles_are_normalised_to_mean_one(tmp_path: Path) -> None:
    text = MINIMAL.replace("per_day = 200", "per_day = 200\nhourly = [" + ", ".join(
        ["2"] * 12 + ["6"] * 12) + "]\nweekly = [1, 1, 1, 1, 1, 2, 0]")
    sc = load_scenario(write(tmp_path, "s.toml", text))
    ch = sc.channels["999"]
    assert sum(ch.hourly) == pytest.approx(24)
    assert ch.hourly[0] == pytest.approx(0.5)
    assert sum(ch.weekly) == pytest.approx(7)
    assert ch.weekly[6] == 0


# Each case: a replacement applied to MINIMAL, the key path the error must name, and words
# the message must contain.
BAD = [
    ("per_day = 200", "per_day = -5", "channels.999.per_day", "must be a number > 0"),
    ("per_day = 200", "per_day = 0", "channels.999.per_day", "> 0"),
    ("per_day = 200", "per_day = nan", "channels.999.per_day", "finite"),
    ("per_day = 200", "per_day = inf", "channels.999.per_day", "finite"),
    ("per_day = 200", 'per_day = "lots"', "channels.999.per_day", "got 'lots'"),
    ("per_day = 200", "per_day = 200\nper_dya = 3", "channels.999.per_dya",
     'did you mean "per_day"'),
    ("per_day = 200", "per_day = 200\nkind = \"fax\"", "channels.999.kind", "choices are"),
    ("per_day = 200", "per_day = 200\nhourly = [1, 2]", "channels.999.hourly",
     "24 weights"),
    ("per_day = 200", "per_day = 200\nweekly = [0, 0, 0, 0, 0, 0, 0]", "channels.999.weekly",
     "all zero"),
    ("per_day = 200", "per_day = 200\nmix = { crime = 0.5, fraud = 0.5 }",
     "channels.999.mix.fraud", "unknown category 'fraud'"),
    ("per_day = 200", "per_day = 200\nmix = { crime = 0.9 }", "channels.999.mix",
     "add up to 0.9"),
    ("per_day = 200", 'per_day = 200\npatience = { dist = "exponential", mean = 0 }',
     "channels.999.patience.mean", "> 0"),
    ("per_day = 200", 'per_day = 200\npatience = { dist = "pareto", mean = 3 }',
     "channels.999.patience", "choose dist from"),
    ("per_day = 200", 'per_day = 200\npatience = { dist = "lognormal", mean = 3 }',
     "channels.999.patience", "needs sd"),
    ("per_day = 200", 'per_day = 200\nconnect_s = { dist = "uniform", low = 7, high = 2 }',
     "channels.999.connect_s", "low <= high"),
    ("per_day = 200", 'per_day = 200\nconnect_s = { dist = "empirical", values = [] }',
     "channels.999.connect_s.values", "has no values"),
    ("per_day = 200", 'per_day = 200\nconnect_s = { dist = "empirical", file = "nope.csv" }',
     "channels.999.connect_s.file", "not found"),
    ("per_day = 200", "per_day = 200\non_abandon = { redial = 0.7, to_999 = 0.5 }",
     "channels.999.on_abandon", "at most 1"),
    ("per_day = 200", "per_day = 200\non_abandon = { to_online = 0.2 }",
     "channels.999.on_abandon.online_channel", "'online', which is not defined"),
    ("per_day = 200", "per_day = 200\non_abandon = { callbak = 0.2 }",
     "channels.999.on_abandon.callbak", 'did you mean "callback"'),
    ('skills = ["999"]', 'skills = ["999", "111"]', "pools.handlers.skills",
     "unknown channel '111'"),
    ('skills = ["999"]', "skills = []", "pools.handlers.skills", "at least 1"),
    ('start = "00:00"', 'start = "25:00"', "pools.handlers.roster[0].start", "HH:MM"),
    ('start = "00:00"', 'start = "7am"', "pools.handlers.roster[0].start", "HH:MM"),
    ('start = "00:00"', 'start = "24:00"', "pools.handlers.roster[0].start", "HH:MM"),
    ('days = "mon-sun"', 'days = "monday-friday"', "pools.handlers.roster[0].days",
     "not a day or day range"),
    ('days = "mon-sun"', 'days = "mon-"', "pools.handlers.roster[0].days", "not a day"),
    ("staff = 2 }", "staff = 0 }", "pools.handlers.roster", "no staff at any time"),
    ("staff = 2 }", "staff = 2.5 }", "pools.handlers.roster[0].staff", "an integer"),
    ("staff = 2 }", "staff = 2, shift = 1 }", "pools.handlers.roster[0].shift",
     "unknown key"),
    ("[pools.handlers]", "[pools.handlers]\nscale = 0", "pools.handlers.roster",
     "after scale"),
    ("[pools.handlers]", "[pools.handlers]\nabsence = 1", "pools.handlers.absence", "< 1"),
    ("[pools.handlers]", '[pools.handlers]\ninterruptible_for = ["999"]',
     "pools.handlers.interruptible_for", "already in skills: keep it in one of the two"),
    ("days = 2", "days = 1000000", "run.days", "<= 3660"),
    ("replications = 2", "replications = 0", "run.replications", ">= 1"),
    ("seed = 7", "seed = -1", "run.seed", ">= 0"),
    ("seed = 7", 'seed = 7\nstart_day = "monday"', "run.start_day", "choices are"),
    ('name = "minimal"', 'name = ""', "name", "must not be empty"),
    ('name = "minimal"', 'title = "x"', "title", "unknown key"),
    ('name = "minimal"', 'name = "m"\n[diversions.rcrp]\nshare = 0.3', "diversions.rcrp",
     "missing required key 'categories'"),
    ('name = "minimal"', 'name = "m"\n[diversions.rcrp]\ncategories = ["mh"]\nshare = 0.3\n'
     'at = "triage"', "diversions.rcrp.categories", "unknown category 'mh'"),
    ('name = "minimal"', 'name = "m"\n[diversions.rcrp]\ncategories = ["crime"]\nshare = 0.3\n'
     'at = "triage"\npartner = "nhs"', "diversions.rcrp.partner", "unknown partner 'nhs'"),
    ('name = "minimal"', 'name = "m"\n[diversions.rcrp]\ncategories = ["crime"]\nshare = 0.3\n'
     'at = "pre_queue"\ntriage_s = 60', "diversions.rcrp.triage_s", "has no triage"),
    ('name = "minimal"', 'name = "m"\n[diversions.rcrp]\ncategories = ["crime"]\nshare = 0.3\n'
     'at = "later"', "diversions.rcrp.at", "choices are: pre_queue, triage"),
    ('name = "minimal"', 'name = "m"\n[partners.nhs]\nstaff = 3', "partners.nhs",
     "needs handle_s"),
    ('name = "minimal"', 'name = "m"\n[partners.nhs]\nhours = [{ days = "mon", start = "9:00",'
     ' end = "17:00" }]', "partners.nhs.hours[0].start", "HH:MM"),
    ('name = "minimal"', 'name = "m"\n[[surges]]\nchannel = "111"\nday = 0\nstart = "10:00"\n'
     "minutes = 30\ncalls = 50", "surges[0].channel", "unknown channel '111'"),
    ('name = "minimal"', 'name = "m"\n[[surges]]\nchannel = "999"\nday = 5\nstart = "10:00"\n'
     "minutes = 30\ncalls = 50", "surges[0].day", "after the run's 2 measured days"),
    ('name = "minimal"', 'name = "m"\n[[surges]]\nchannel = "999"\nday = 0\nstart = "10:00"\n'
     "minutes = 0\ncalls = 50", "surges[0].minutes", "> 0"),
    ('handle = { dist = "exponential", mean = 300 }', "handle = 0", "categories.crime.handle",
     "> 0"),
    ('handle = { dist = "exponential", mean = 300 }', "wrap_up = 10",
     "categories.crime", "missing required key 'handle'"),
]


@pytest.mark.parametrize(("old", "new", "key", "words"), BAD,
                         ids=[f"{i}-{c[2]}" for i, c in enumerate(BAD)])
def test_bad_values_name_file_key_and_problem(tmp_path: Path, old: str, new: str, key: str,
                                             words: str) -> None:
    assert old in MINIMAL
    path = write(tmp_path, "bad.toml", MINIMAL.replace(old, new, 1))
    found = problems(path)
    assert any(line.startswith(f"error: {path}: {key}: ") and words in line
               for line in found), found


def test_every_problem_in_one_pass(tmp_path: Path) -> None:
    text = (MINIMAL.replace("per_day = 200", "per_day = -1\npatience = 0")
            .replace('skills = ["999"]', 'skills = ["999", "nope"]')
            .replace("seed = 7", "seed = 7\nwarmup = 3"))
    found = problems(write(tmp_path, "bad.toml", text))
    keys = {line.split(": ")[2] for line in found}
    assert {"channels.999.per_day", "channels.999.patience", "pools.handlers.skills",
            "run.warmup"} <= keys, found


def test_channel_no_pool_answers(tmp_path: Path) -> None:
    text = MINIMAL.replace("[categories.crime]", "[channels.101]\nper_day = 50\n"
                           "[categories.crime]")
    found = problems(write(tmp_path, "bad.toml", text))
    assert any("channels.101: no pool answers this channel" in p for p in found), found


def test_file_level_errors(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.toml", "# nothing here\n")
    assert "file is empty" in problems(empty)[0]
    syntax = write(tmp_path, "syntax.toml", 'name = "x"\n[run\ndays = 2\n')
    assert problems(syntax)[0].startswith(f"error: {syntax}: line 2, column ")
    binary = tmp_path / "latin1.toml"
    binary.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    assert "not UTF-8" in problems(binary)[0]
    assert "file not found" in problems(tmp_path / "missing.toml")[0]


def test_extends_deep_merges_and_names_the_right_file(tmp_path: Path) -> None:
    base = write(tmp_path, "base.toml", MINIMAL)
    child = write(tmp_path, "sub/child.toml", """\
        extends = "../base.toml"
        name = "child"
        [channels.999]
        per_day = 250
        [pools.handlers]
        roster = [ { days = "mon-fri", start = "08:00", end = "18:00", staff = 3 } ]
        """)
    sc = load_scenario(child)
    assert sc.name == "child"
    assert sc.channels["999"].per_day == 250
    assert sc.channels["999"].answer_target_s == 10  # kept from the parent
    assert len(sc.pools["handlers"].roster) == 1  # arrays replace
    assert sc.document["source"] == str(child)
    assert "extends" not in sc.document
    # A bad key in the parent is reported against the parent file.
    base.write_text(MINIMAL.replace("seed = 7", "seed = -3"), encoding="utf-8")
    assert problems(child)[0].startswith(f"error: {base}: run.seed:")


def test_extends_missing_and_cycles(tmp_path: Path) -> None:
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\nname = "b"\n')
    assert "cycle: a.toml -> b.toml -> a.toml" in problems(a)[0]
    lonely = write(tmp_path, "c.toml", 'extends = "nowhere.toml"\nname = "c"\n')
    assert "not found" in problems(lonely)[0]


def test_set_overrides(minimal: Path) -> None:
    sc = load_scenario(minimal, ["pools.handlers.scale=1.5", "channels.999.per_day=360",
                                 'run.start_day="sat"', "run.start_day=sun"])
    assert sc.pools["handlers"].scale == 1.5
    assert sc.channels["999"].per_day == 360
    assert sc.run.start_day == 6  # bare words are taken as strings
    assert sc.document["channels"]["999"]["per_day"] == 360


@pytest.mark.parametrize(("override", "words"), [
    ("pools.handlers.scale=lots", "pools.handlers.scale: must be a number"),
    ("pools.nosuch.scale=1.1", "'pools.nosuch' is not a table"),
    ("channels.999.per_dya=3", 'did you mean "per_day"'),
    ("pools..scale=1", "is not KEY.PATH=VALUE"),
    ("channels.999.per_day=", "has no value"),
])
def test_bad_set_overrides(minimal: Path, override: str, words: str) -> None:
    found = problems(minimal, (override,))
    assert any(words in line and line.startswith(f"error: {minimal}: ") for line in found), found


def test_set_value_parsing() -> None:
    assert parse_value("1.5") == 1.5
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value('{ dist = "exponential", mean = 3 }') == {"dist": "exponential",
                                                                 "mean": 3}
    assert parse_value("__import__('os')") == "__import__('os')"  # data, never code


def test_empirical_file_is_read_relative_to_the_scenario_and_named_by_sha256(
        tmp_path: Path) -> None:
    data = write(tmp_path, "data/handle.csv", "seconds\n100\n200\n300\n")
    path = write(tmp_path, "s.toml", MINIMAL.replace(
        'handle = { dist = "exponential", mean = 300 }',
        'handle = { dist = "empirical", file = "data/handle.csv" }'))
    sc = load_scenario(path)
    assert sc.categories["crime"].handle.values.tolist() == [100.0, 200.0, 300.0]
    assert sc.document["categories"]["crime"]["handle"] == {
        "dist": "empirical", "file": os.path.abspath(data),
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest()}
    write(tmp_path, "data/handle.csv", "seconds\n100\nabc\n")
    assert "line 3: 'abc' is not a number" in problems(path)[0]


def test_every_shipped_scenario_validates() -> None:
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    assert files
    for file in files:
        load_scenario(file)


def test_reference_docs_are_current() -> None:
    committed = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), (
        "docs/scenario-reference.md is stale: run `make docs` (contactsim reference --out "
        "docs/scenario-reference.md) and commit the result")


# --- variants made in memory -------------------------------------------------------------------


def test_with_changes_gives_what_the_same_set_overrides_give(tmp_path: Path) -> None:
    write(tmp_path, "data/handle.csv", "seconds\n100\n200\n300\n")
    write(tmp_path, "base.toml", MINIMAL.replace(
        'handle = { dist = "exponential", mean = 300 }',
        'handle = { dist = "empirical", file = "data/handle.csv" }'))
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\nname = "child"\n'
                  "[pools.handlers]\nscale = 1.5\n")
    sets = ["pools.handlers.breaks_min=30", 'run.start_day="sat"', "channels.999.per_day=360",
            'pools.handlers.roster=[{ days = "mon-fri", start = "07:00", end = "17:00", '
            "staff = 4 }]", 'channels.999.patience={ dist = "exponential", mean = 90 }']
    expected = load_scenario(child, sets)
    loaded = load_scenario(child)
    before = copy.deepcopy(loaded.document)
    for file in tmp_path.rglob("*.*"):
        file.unlink()  # a variant is made from the loaded scenario alone: no file is read
    variant = with_changes(loaded, {
        ("pools", "handlers", "breaks_min"): 30, ("run", "start_day"): "sat",
        ("channels", "999", "per_day"): 360,
        ("pools", "handlers", "roster"): [{"days": "mon-fri", "start": "07:00",
                                           "end": "17:00", "staff": 4}],
        ("channels", "999", "patience"): {"dist": "exponential", "mean": 90}})
    for f in dataclasses.fields(Scenario):
        if f.name != "file":
            assert getattr(variant, f.name) == getattr(expected, f.name), f.name
    assert variant.document == expected.document  # the resolved scenario.toml, too
    assert variant.file == loaded.file == str(child)
    assert loaded.document == before  # the scenario given is not changed
    assert loaded.pools["handlers"].breaks_min == 0


def test_with_changes_creates_a_missing_fixed_table_as_set_does(tmp_path: Path) -> None:
    without_run = MINIMAL.split("[run]")[0] + MINIMAL.split("seed = 7\n")[1]
    path = write(tmp_path, "s.toml", without_run)
    assert "run" not in load_scenario(path).document
    variant = with_changes(load_scenario(path), {("run", "days"): 3})
    assert variant == load_scenario(path, ["run.days=3"])
    assert variant.document["run"] == {"days": 3}


def test_with_changes_reports_every_bad_change_keyed(minimal: Path) -> None:
    sc = load_scenario(minimal)
    with pytest.raises(ScenarioError) as info:
        with_changes(sc, {("channels", "999", "per_day"): -5,
                          ("pools", "nosuch", "scale"): 1.1,
                          ("pools", "handlers", "roster"): [{"days": "mon", "start": "7am",
                                                             "end": "17:00", "staff": 1}],
                          ("extends",): "other.toml"})
    assert [str(p) for p in info.value.problems] == [
        f"error: {minimal}: pools.nosuch.scale: 'pools.nosuch' is not a table in this "
        "scenario; it has: handlers (a change made in memory)",
        f"error: {minimal}: extends: extends can only be given in a scenario file",
        f"error: {minimal}: channels.999.per_day: must be a number > 0 and <= 1,000,000, got -5"
        " (a change made in memory)",
        f'error: {minimal}: pools.handlers.roster[0].start: must be a time "HH:MM" on the '
        "24-hour clock, like \"07:30\"; got '7am' (a change made in memory)",
    ]


def test_extends_chain_is_bounded_and_read_without_recursion(tmp_path: Path) -> None:
    write(tmp_path, "f0.toml", MINIMAL)
    for i in range(1, 40):
        write(tmp_path, f"f{i}.toml", f'extends = "f{i - 1}.toml"\nname = "f{i}"\n')
    found = problems(tmp_path / "f39.toml")
    assert len(found) == 1
    assert found[0].startswith(f"error: {tmp_path / 'f8.toml'}: extends: ")
    assert "from f39.toml is more than 32 files deep" in found[0]
    # 32 files (the scenario and 31 it extends) are allowed, and merge in order
    sc = load_scenario(tmp_path / "f31.toml")
    assert sc.name == "f31"
    # a cycle inside a long chain is still a cycle
    write(tmp_path, "f0.toml", 'extends = "f5.toml"\nname = "f0"\n')
    assert "extends itself in a cycle: f20.toml -> f19.toml" in problems(tmp_path / "f20.toml")[0]


def test_thousand_file_chain_is_a_keyed_error_not_a_recursion_error(tmp_path: Path) -> None:
    write(tmp_path, "f0.toml", MINIMAL)
    for i in range(1, 1000):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n', encoding="utf-8")
    found = problems(tmp_path / "f999.toml")
    assert len(found) == 1
    assert "more than 32 files deep" in found[0]


def _non_files(tmp_path: Path) -> list[tuple[str, str]]:
    """(path, words) for paths that are not regular files."""
    loop = tmp_path / "loop.toml"
    loop.symlink_to(tmp_path / "loop2.toml")
    (tmp_path / "loop2.toml").symlink_to(loop)
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "gone.toml")
    cases = [(str(loop), "is a symlink loop"), (str(dangling), "is a broken symlink")]
    if Path("/dev/null").exists():
        cases.append(("/dev/null", "is not a regular file (a device)"))
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.toml"
        os.mkfifo(fifo)
        cases.append((str(fifo), "is not a regular file (a FIFO)"))
    return cases


def fifos_opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, opening a FIFO (which would block for ever, no writer ever coming) is
    refused and listed instead: the loader must name a FIFO without opening it, on any
    machine, however fast (the list is checked, not a clock)."""
    opened: list[str] = []

    def fifo(file: object) -> bool:
        try:
            return isinstance(file, str | bytes | os.PathLike) and stat.S_ISFIFO(
                os.stat(file).st_mode)
        except (OSError, ValueError):
            return False

    def guard(real: Any) -> Any:
        def opening(file: Any, *args: Any, **kwargs: Any) -> Any:
            if fifo(file):
                opened.append(os.fsdecode(file))
                raise OSError(errno.EAGAIN, "the test refused to open a FIFO")
            return real(file, *args, **kwargs)
        return opening

    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    return opened


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX paths")
def test_scenario_that_is_not_a_regular_file_is_named_for_what_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = fifos_opened(monkeypatch)
    for path, words in _non_files(tmp_path):
        found = problems(Path(path))
        assert opened == []  # a FIFO is never opened, so never blocks
        assert len(found) == 1, found
        assert found[0].startswith(f"error: {path}: (file): {words}"), found


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX paths")
def test_extends_of_a_non_file_is_named_for_what_it_is(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    opened = fifos_opened(monkeypatch)
    for n, (path, words) in enumerate(_non_files(tmp_path)):
        child = write(tmp_path, f"child{n}.toml", f'extends = "{path}"\nname = "c"\n')
        found = problems(child)
        assert opened == []
        assert len(found) == 1, found
        assert f"error: {child}: extends: " in found[0], found
        assert words in found[0], found
        assert found[0].endswith("not a scenario file"), found
        assert "not found" not in found[0]


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX paths")
def test_empirical_file_that_is_not_a_regular_file_is_named_for_what_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = fifos_opened(monkeypatch)
    for path, words in _non_files(tmp_path):
        text = MINIMAL.replace("[categories.crime]",
                               f'[categories.crime]\nwrap_up = {{ dist = "empirical", file = '
                               f'"{path}" }}')
        scenario = write(tmp_path, "emp.toml", text)
        found = problems(scenario)
        assert opened == []
        assert len(found) == 1, found
        assert words in found[0], found
        assert found[0].endswith("not a data file"), found


def test_every_distribution_samples_finite_values_at_its_bounds() -> None:
    import numpy as np

    from contactsim.config.distributions import MAX_CV, MAX_SECONDS, MIN_SECONDS

    lo, hi = MIN_SECONDS, MAX_SECONDS
    cases = [Distribution("constant", lo), Distribution("constant", hi),
             Distribution("exponential", lo), Distribution("exponential", hi),
             Distribution("uniform", lo, lo), Distribution("uniform", lo, hi),
             Distribution("uniform", hi, hi), Distribution("empirical", 0.0, 0.0, (lo, hi))]
    cases += [Distribution(kind, mean, sd) for kind in ("lognormal", "gamma", "weibull")
              for mean in (lo, hi) for sd in (lo, min(hi, MAX_CV * mean))]
    gen = np.random.default_rng(1)
    for dist in cases:
        values = dist.sample(gen, 10_000)
        assert np.isfinite(values).all(), dist
        assert (values >= 0).all(), dist


def test_replication_warnings_keep_their_figures(minimal: Path) -> None:
    from types import SimpleNamespace

    from contactsim.analysis.experiment import Experiment

    sc = load_scenario(minimal)

    def waiting(n: int) -> str:
        return (f"{n:,} contacts were still waiting 7 days after the last arrival: demand "
                "exceeds capacity.")

    reps: list[Any] = [SimpleNamespace(warnings=[waiting(n)] if n else [])
                       for n in (0, 12, 0, 1234, 5)]
    got = Experiment(sc, reps, 0.0).warnings
    assert got == [waiting(1234)[:-1] + ". (in 3 of 5 replications; the figures are from the "
                   "one where they are largest)"], got
    same: list[Any] = [SimpleNamespace(warnings=[waiting(40)]) for _ in range(3)]
    assert Experiment(sc, same, 0.0).warnings == [waiting(40)]
    assert Experiment(sc, same[:1], 0.0).warnings == [waiting(40)]


def test_overload_warning_gives_staff_hours_to_sensible_figures(tmp_path: Path) -> None:
    from contactsim.analysis.warnings import capacity_warnings

    text = MINIMAL.replace("per_day = 200", "per_day = 10").replace(
        'staff = 2 }', 'staff = 1 }', 1)
    text = text.replace('start = "00:00", end = "24:00"', 'start = "00:00", end = "00:01"')
    (warning,) = capacity_warnings(load_scenario(write(tmp_path, "s.toml", text)))
    assert "about 0 staff-hours" not in warning
    assert "need about 5.8 staff-hours a week" in warning, warning
    assert "provide about 0.12 after absence" in warning, warning
    assert "(5,000% of capacity)" in warning, warning
