"""The simulated contact log (``run --contact-log``, DESIGN §10): the logging room gives the
plain engine's records exactly, and its rows, written as a telephony export and read back with
pyarrow (not with the project's own reader), agree with those records."""

from __future__ import annotations

import datetime
import gzip
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from conftest import MINIMAL, ROOT, run_cli, write
from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.engine.contactlog import log_time_zero, simulate_log
from contactsim.engine.room import simulate
from contactsim.logs.london import local_to_utc
from contactsim.logs.model import COLUMNS, ContactLog
from contactsim.logs.write import write_log
from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED, DIVERTED, REDIAL, SWITCH

SCENARIOS = ROOT / "scenarios"
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")


def _scenario(name: str, *overrides: str) -> Scenario:
    return load_scenario(SCENARIOS / name, list(overrides))


def _read(path: Path) -> pa.Table:
    """The written file as text columns (so the test parses the timestamps itself)."""
    types = dict.fromkeys(COLUMNS, pa.string())
    return pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
        column_types=types, strings_can_be_null=True))


def _wall(column: pa.ChunkedArray) -> np.ndarray:
    """London wall-clock text -> local seconds since 1970 (numpy's own parser); empty -> NaN."""
    text = np.array([v.replace(" ", "T") if v else "NaT" for v in column.to_pylist()])
    ms = text.astype("datetime64[ms]")
    return np.where(np.isnat(ms), np.nan, ms.astype(np.int64) / 1000.0)


def _instants(column: pa.ChunkedArray) -> np.ndarray:
    """London wall-clock text -> UTC seconds (first pass of a repeated hour); empty -> NaN."""
    earliest, _ = local_to_utc(_wall(column))
    return earliest


@pytest.fixture(scope="module")
def rcrp() -> tuple[Scenario, object, ContactLog]:
    """Three January days of the baseline force with triage diversion (no clock change)."""
    sc = _scenario("rcrp.toml", "run.days=3", "run.warmup_days=1")
    output, log = simulate_log(sc, 0)
    return sc, output, log


def test_logged_records_are_the_plain_engines(rcrp: tuple[Scenario, object, ContactLog]) -> None:
    sc, output, log = rcrp
    plain = simulate(sc, 0)
    for field in ("channel", "category", "hour", "outcome", "origin", "policy", "wait_s",
                  "connect_s"):
        assert np.array_equal(getattr(output.records, field), getattr(plain.records, field))
    assert np.array_equal(output.busy_s, plain.busy_s)
    assert np.array_equal(output.diversions, plain.diversions)
    assert len(log) == len(plain.records)


def test_rows_agree_with_the_records(rcrp: tuple[Scenario, object, ContactLog],
                                     tmp_path: Path) -> None:
    sc, output, log = rcrp
    rec = output.records  # type: ignore[attr-defined]
    path = tmp_path / "contacts.csv.gz"
    write_log(log, path)
    table = _read(path)
    channel = np.array(table["channel"].to_pylist())
    arrived, queued = _instants(table["arrived"]), _instants(table["queued"])
    answered, abandoned = _instants(table["answered"]), _instants(table["abandoned"])
    for k, name in enumerate(sc.channels):
        mine = channel == name
        ours = rec.channel == k
        assert (~np.isnan(answered[mine])).sum() == (rec.outcome[ours] == ANSWERED).sum()
        assert (~np.isnan(abandoned[mine])).sum() == (rec.outcome[ours] == ABANDONED).sum()
        # answer_s = answered - arrived, to the millisecond each stamp is rounded to
        got = np.sort((answered - arrived)[mine & ~np.isnan(answered)])
        want = np.sort(rec.answer_s[ours & (rec.outcome == ANSWERED)])
        np.testing.assert_allclose(got, want, atol=1.001e-3, rtol=0)
        got = np.sort((abandoned - queued)[mine & ~np.isnan(abandoned)])
        want = np.sort(rec.wait_s[ours & (rec.outcome == ABANDONED)])
        np.testing.assert_allclose(got, want, atol=1.001e-3, rtol=0)
    # and in memory, without rounding
    for outcome in (ANSWERED, ABANDONED):
        np.testing.assert_allclose(np.sort(log.wait_s[log.outcome == outcome]),
                                   np.sort(rec.wait_s[rec.outcome == outcome]), atol=1e-6)


def test_agent_is_who_answered_one_contact_at_a_time(
        rcrp: tuple[Scenario, object, ContactLog], tmp_path: Path) -> None:
    sc, _, log = rcrp
    assert log.agent is not None
    assert log.agent.dtype == np.int32
    answered = log.outcome == ANSWERED
    assert np.array_equal(log.agent >= 0, answered)  # an agent exactly where answered
    pools = {name.rpartition(":")[0] for name in log.agents}
    assert pools <= set(sc.pools)
    assert len(set(log.agents)) == len(log.agents)
    # A handler works one contact at a time: from answering to the end of its wrap-up (or,
    # triaged and handed over, of its hold), nothing else is answered by the same handler.
    start = log.arrived_utc + log.answer_s
    end = start + log.talk_s + log.wrap_s
    for a in range(len(log.agents)):
        mine = np.flatnonzero(log.agent == a)
        order = np.argsort(start[mine])
        assert np.all(start[mine][order][1:] >= end[mine][order][:-1] - 1e-6), log.agents[a]
    write_log(log, tmp_path / "contacts.csv")
    column = _read(tmp_path / "contacts.csv")["agent"].to_pylist()
    order = np.argsort(log.arrived_utc, kind="stable")
    assert column == [log.agents[a] if a >= 0 else None for a in log.agent[order]]


def test_file_format(rcrp: tuple[Scenario, object, ContactLog], tmp_path: Path) -> None:
    _, _, log = rcrp
    path = tmp_path / "contacts.csv"
    write_log(log, path)
    lines = path.read_text().splitlines()
    assert lines[0] == ("arrived,channel,category,queued,answered,abandoned,talk_s,wrap_s,"
                        "diverted_to,caller,agent")
    assert len(lines) == len(log) + 1
    table = _read(path)
    for column in ("arrived", "queued", "answered", "abandoned"):
        values = [v for v in table[column].to_pylist() if v is not None]
        assert values
        assert all(STAMP.match(v) for v in values), column
    keys = table["caller"].to_pylist()
    assert all(re.fullmatch(r"[0-9a-f]{16}", k) for k in keys)
    outcome = np.where(table["answered"].is_null().to_numpy(zero_copy_only=False),
                       ABANDONED, ANSWERED)
    talk = table["talk_s"].is_null().to_numpy(zero_copy_only=False)
    assert not talk[outcome == ANSWERED].any()  # talk and wrap only where answered
    assert talk[outcome == ABANDONED].all()
    assert np.all(np.diff(_instants(table["arrived"])) >= 0)  # in order of arrival
    assert log.first_date == datetime.date(2024, 1, 2)  # Monday 1 January is the warm-up day
    with pytest.raises(gzip.BadGzipFile), gzip.open(path) as plain:
        plain.read(1)
    write_log(log, tmp_path / "contacts.csv.gz")
    with gzip.open(tmp_path / "contacts.csv.gz", "rt") as packed:
        assert packed.read() == path.read_text()


def test_time_zero_without_a_start_date() -> None:
    mon = _scenario("baseline.toml", "run.warmup_days=2")
    assert log_time_zero(mon) == datetime.date(2024, 1, 1)  # log starts Wednesday 3 January
    wed = _scenario("baseline.toml", 'run.start_day="wed"', "run.warmup_days=0")
    assert log_time_zero(wed) == datetime.date(2024, 1, 3)
    sun = _scenario("baseline.toml", 'run.start_day="sun"', "run.warmup_days=1")
    assert log_time_zero(sun) == datetime.date(2023, 12, 31)
    dated = _scenario("baseline-2025.toml", "run.warmup_days=2")
    assert log_time_zero(dated) == datetime.date(2024, 12, 30)


def test_spring_forward_no_skipped_hour_and_exact_durations(tmp_path: Path) -> None:
    sc = _scenario("baseline-2025.toml", 'run.start_date="2025-03-29"', 'run.start_day="sat"',
                   "run.days=2", "run.warmup_days=0", "run.replications=1")
    output, log = simulate_log(sc, 0)
    write_log(log, tmp_path / "c.csv.gz")
    table = _read(tmp_path / "c.csv.gz")
    for column in ("arrived", "queued", "answered", "abandoned"):
        text = [v for v in table[column].to_pylist() if v is not None]
        assert not [v for v in text if v.startswith("2025-03-30 01:")], column
    assert any(v.startswith("2025-03-30 02:") for v in table["arrived"].to_pylist())
    arrived, answered = _instants(table["arrived"]), _instants(table["answered"])
    rec = output.records
    np.testing.assert_allclose(np.sort((answered - arrived)[~np.isnan(answered)]),
                               np.sort(rec.answer_s[rec.outcome == ANSWERED]), atol=1.001e-3)


def test_autumn_repeated_hour_first_pass(tmp_path: Path) -> None:
    """The model's 24-hour day writes its 01:00-01:59 in the first (summer-time) pass; later
    timestamps of a row are true elapsed seconds, so one can read earlier on the wall clock."""
    sc = _scenario("baseline-2025.toml", 'run.start_date="2025-10-25"', 'run.start_day="sat"',
                   "run.days=2", "run.warmup_days=0", "run.replications=1")
    _, log = simulate_log(sc, 0)
    write_log(log, tmp_path / "c.csv")
    table = _read(tmp_path / "c.csv")
    arrived = table["arrived"].to_pylist()
    assert any(v.startswith("2025-10-26 01:") for v in arrived)
    change = datetime.datetime(2025, 10, 26, 1, tzinfo=datetime.UTC).timestamp()
    assert not ((log.arrived_utc >= change) & (log.arrived_utc < change + 3600)).any()
    lag = _wall(table["answered"]) - _wall(table["arrived"])
    true = log.connect_s + log.wait_s
    done = log.outcome == ANSWERED
    assert set(np.round(lag[done] - true[done]).tolist()) <= {0.0, -3600.0}


def test_caller_keys_link_redials() -> None:
    # Short of staff, so 101 callers hang up and redial (redial 0.4, to_999, to_online).
    sc = _scenario("baseline.toml", "run.days=2", "run.warmup_days=0",
                   "pools.handlers.scale=0.7")
    output, log = simulate_log(sc, 0)
    retries = int(np.isin(output.records.origin, (REDIAL, SWITCH)).sum())
    assert retries > 20
    # With no warm-up every retry's first contact is measured: one key per first contact.
    assert len(log) - len(np.unique(log.caller)) == retries
    order = np.lexsort((log.arrived_utc, log.caller))
    caller, outcome = log.caller[order], log.outcome[order]
    later = np.flatnonzero(caller[1:] == caller[:-1])
    assert (outcome[later] == ABANDONED).all()  # only a caller who hung up rings again


PRE_QUEUE = """\
name = "pre-queue diversion"
[run]
days = 2
warmup_days = 0
seed = 3
[channels.999]
per_day = 400
answer_target_s = 10
connect_s = { dist = "uniform", low = 2, high = 7 }
mix = { crime = 0.7, welfare = 0.3 }
[categories.crime]
handle = { dist = "exponential", mean = 300 }
[categories.welfare]
handle = { dist = "exponential", mean = 600 }
[pools.handlers]
skills = ["999"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 4 } ]
[partners.crisis_line]
hours = [ { days = "mon-sun", start = "08:00", end = "20:00" } ]
[diversions.rcrp]
categories = ["welfare"]
share = 0.5
at = "pre_queue"
partner = "crisis_line"
"""


def test_diverted_rows(tmp_path: Path) -> None:
    pre = load_scenario(write(tmp_path, "pre.toml", PRE_QUEUE))
    output, log = simulate_log(pre, 0)
    taken = log.outcome == DIVERTED
    assert taken.sum() == (output.records.outcome == DIVERTED).sum() > 0
    assert taken.sum() == output.diversions[..., 0].sum()
    assert (log.diverted_to[taken] == log.partners.index("crisis_line")).all()
    assert np.isnan(log.wait_s[taken]).all()
    assert (log.diverted_to[~taken] == -1).all()

    triage = _scenario("rcrp.toml", "run.days=2", "run.warmup_days=0")
    output, log = simulate_log(triage, 0)
    handed = log.diverted_to >= 0
    assert handed.sum() == output.diversions[..., 0].sum() > 0
    assert (log.outcome[handed] == ANSWERED).all()  # answered, then handed over
    assert not (log.outcome == DIVERTED).any()


def test_in_progress_under_overload(tmp_path: Path) -> None:
    # One handler, an hour a call, 200 calls a day, callers who never hang up: a week after
    # the day ends most are still waiting, and the run stops with them in progress.
    text = MINIMAL.replace("per_day = 200", "per_day = 200\n"
                           'patience = { dist = "constant", value = 2592000 }')
    text = text.replace("mean = 300", "mean = 3600").replace("staff = 2", "staff = 1")
    sc = load_scenario(write(tmp_path, "over.toml", text), ["run.days=1"])
    output, log = simulate_log(sc, 0)
    censored = log.outcome == CENSORED
    assert censored.sum() == (output.records.outcome == CENSORED).sum() > 0
    assert log.in_progress == censored.sum()
    write_log(log, tmp_path / "c.csv")
    table = _read(tmp_path / "c.csv")
    open_rows = (table["answered"].is_null().to_numpy(zero_copy_only=False)
                 & table["abandoned"].is_null().to_numpy(zero_copy_only=False))
    assert open_rows.sum() == censored.sum()
    assert not table["queued"].is_null().to_numpy(zero_copy_only=False)[open_rows].any()


def test_a_failed_write_leaves_nothing(rcrp: tuple[Scenario, object, ContactLog],
                                       tmp_path: Path) -> None:
    import dataclasses

    _, _, log = rcrp
    bad = dataclasses.replace(log, channels=("9,99", *log.channels[1:]))  # cannot go unquoted
    with pytest.raises(pa.ArrowInvalid):
        write_log(bad, tmp_path / "c.csv.gz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_run_contact_log_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("run", SCENARIOS / "baseline.toml", "--days", "1", "--replications", "2",
                   "--workers", "1", "--no-report", "--quiet", "--contact-log", "--out", out)
    assert done.returncode == 0, done.stderr
    table = _read(out / "contacts.csv.gz")
    reps = pcsv.read_csv(out / "replications.csv").to_pylist()
    first = {r["channel"]: r for r in reps if r["replication"] == 0}
    offered = sum(1 for v in table["queued"].to_pylist() if v is not None)
    assert offered == sum(int(r["offered"]) for r in first.values())
    assert table["arrived"][0].as_py().startswith("2024-01-0")


@pytest.mark.slow
def test_run_contact_log_bad_input_writes_nothing(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.toml", 'name = "x"\n[run]\ndays = -1\n')
    out = tmp_path / "out"
    done = run_cli("run", bad, "--contact-log", "--out", out, "--quiet")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr
    assert not out.exists()
