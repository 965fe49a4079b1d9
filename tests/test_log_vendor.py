"""Exports as vendors write them (issue 20, item 4): clocks a second or two apart, day-first
dates, ``H:MM:SS`` durations, a vendor's own values and spellings, and who answered.

Each is checked against known truth: a log read as written, then the same log rewritten as a
vendor would write it, must read to the same contacts.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, run_cli, write
from contactsim.analysis.fit import fit_log
from contactsim.config.loading import load_scenario
from contactsim.engine.contactlog import simulate_log
from contactsim.logs.columns import DEFAULT_CLOCK_SKEW_S
from contactsim.logs.model import ContactLog
from contactsim.logs.read import read_logs
from contactsim.logs.write import write_log
from contactsim.outcomes import ANSWERED
from contactsim.problems import ScenarioError

EXAMPLE = ROOT / "examples" / "force-log.csv.gz"
VENDOR = ROOT / "examples" / "vendor-columns.toml"
HEADER = "arrived,channel,queued,answered,abandoned,talk_s,wrap_s,diverted_to,caller,category"
STAMP = "%Y-%m-%d %H:%M:%S.%f"
ISO = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$")

#: Two voice channels, one with a connection time, well staffed: most calls answered at once.
ROOM = """\
name = "skew room"
[run]
days = 3
warmup_days = 1
replications = 1
seed = 5
[channels.999]
per_day = 300
answer_target_s = 10
connect_s = { dist = "uniform", low = 2, high = 7 }
patience = { dist = "exponential", mean = 60 }
mix = { crime = 1.0 }
[channels.101]
per_day = 300
priority = 2
patience = { dist = "exponential", mean = 200 }
mix = { crime = 0.5, info = 0.5 }
[categories.crime]
handle = { dist = "exponential", mean = 300 }
[categories.info]
handle = { dist = "exponential", mean = 150 }
[pools.handlers]
skills = ["999", "101"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 4 } ]
"""


def same(a: ContactLog, b: ContactLog, *, but: tuple[str, ...] = ()) -> None:
    """Every field of the two logs equal (arrays exactly, NaN equal to NaN), but ``but``."""
    for f in fields(ContactLog):
        if f.name in but:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f.name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        else:
            assert x == y, f.name


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# --- clock skew --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ContactLog]:
    folder = tmp_path_factory.mktemp("skew")
    _, log = simulate_log(load_scenario(write(folder, "room.toml", ROOM)), 0)
    path = folder / "log.csv"
    write_log(log, path)
    return path, read_logs([path])


def test_skew_on_a_third_of_rows_is_clamped_counted_and_changes_nothing_else(
        simulated: tuple[Path, ContactLog], tmp_path: Path) -> None:
    path, truth = simulated
    header, rows = csv_rows(path)
    at = {name: header.index(name) for name in header}
    rng = np.random.default_rng(7)

    def early(text: str) -> str:  # up to 2 s earlier, to the millisecond (as the file is)
        shift = dt.timedelta(milliseconds=int(rng.integers(1000, 2001)))
        return (dt.datetime.strptime(text, STAMP) - shift).strftime(STAMP)[:-3]

    # Rows whose truth a clamp restores exactly (queued at arrival, answered at queueing), and
    # rows answered within a second of queueing, whose wait a clamp shortens to 0.
    picked = rng.permutation(len(rows))[:len(rows) // 3]
    queued, answered, shortened = 0, 0, []
    for i in picked.tolist():
        row = rows[i]
        arrive, queue, answer = row[at["arrived"]], row[at["queued"]], row[at["answered"]]
        if queue and queue == arrive:
            row[at["queued"]] = early(queue)
            queued += 1
        elif answer and queue and (
                dt.datetime.strptime(answer, STAMP) - dt.datetime.strptime(queue, STAMP)
                < dt.timedelta(seconds=1)):
            row[at["answered"]] = early(queue)
            answered += 1
            shortened.append(i)
    assert queued + answered > len(rows) / 4  # most of the third could be skewed

    log = read_logs([write_rows(tmp_path / "skewed.csv", header, rows)])
    assert len(log) == len(truth)
    assert log.skipped == {}
    assert log.clamped == {"queued before arrived": queued, "answered before queued": answered}
    assert log.clock_skew_s == DEFAULT_CLOCK_SKEW_S
    same(log, truth, but=("wait_s", "clamped", "files"))
    # Only the waits of rows answered within a second of queueing changed: to 0, by under 1 s.
    kept = (log.wait_s == truth.wait_s) | (np.isnan(log.wait_s) & np.isnan(truth.wait_s))
    changed = np.flatnonzero(~kept)  # the file is read in order: row i is row i of both
    assert set(changed.tolist()) <= set(shortened)
    assert np.all(log.wait_s[changed] == 0)
    assert np.all((truth.wait_s[changed] > 0) & (truth.wait_s[changed] < 1))
    # so fit's figures: contacts a day exactly, the mean answer time within what moved
    fit, fit_truth = fit_log(log), fit_log(truth)
    for name, ch in fit.channels.items():
        assert ch.demand.per_day == fit_truth.channels[name].demand.per_day
        assert ch.answered == fit_truth.channels[name].answered
    answered_rows = log.outcome == ANSWERED
    moved = (truth.answer_s - log.answer_s)[answered_rows]
    assert 0 <= moved.mean() <= len(changed) / answered_rows.sum()


def test_skew_beyond_the_tolerance_names_the_row_and_the_flag(tmp_path: Path) -> None:
    rows = ["2024-03-04 10:00:00,999,2024-03-04 10:00:04,2024-03-04 10:00:01,,60,,,,",
            "2024-03-04 10:01:00,999,2024-03-04 10:01:04,2024-03-04 10:01:02.5,,60,,,,"]
    log_file = tmp_path / "log.csv"
    log_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_logs([log_file])
    [problem] = info.value.problems
    assert (problem.file, problem.key) == (str(log_file), "row 2: answered")
    assert "is before queued (2024-03-04 10:00:04) by 3 s" in problem.message
    assert "--clock-skew SECONDS" in problem.message
    wide = read_logs([log_file], clock_skew_s=3)
    assert wide.clamped == {"answered before queued": 2}
    assert np.all(wide.wait_s == 0)
    # the columns file may say it too; the command line wins
    columns = write(tmp_path, "columns.toml", "clock_skew_s = 3\n")
    assert read_logs([log_file], columns=columns).clock_skew_s == 3
    with pytest.raises(ScenarioError):
        read_logs([log_file], columns=columns, clock_skew_s=0)
    with pytest.raises(ScenarioError) as info:
        read_logs([log_file], clock_skew_s=-1)
    assert info.value.problems[0].key == "--clock-skew"


def test_no_tolerance_reads_as_before(tmp_path: Path) -> None:
    rows = ["2024-03-04 10:00:00,999,2024-03-04 10:00:04,2024-03-04 10:00:03.5,,60,,,,"]
    log_file = tmp_path / "log.csv"
    log_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    assert read_logs([log_file]).clamped == {"answered before queued": 1}
    with pytest.raises(ScenarioError):
        read_logs([log_file], clock_skew_s=0)


def test_skew_in_the_repeated_autumn_hour_is_not_an_hour(tmp_path: Path) -> None:
    # 01:30 BST, answered "01:29:59" a second early: the same pass, not 01:29:59 GMT.
    rows = ["2024-10-27 01:30:00,999,,2024-10-27 01:29:59,,60,,,,"]
    log_file = tmp_path / "log.csv"
    log_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    log = read_logs([log_file])
    assert log.clamped == {"answered before arrived": 1}
    assert log.wait_s[0] == 0
    assert log.connect_s[0] == 0


@pytest.mark.slow  # the command line in subprocesses
def test_cli_refuses_skew_beyond_the_flag_in_one_line(tmp_path: Path) -> None:
    rows = ["2024-03-04 10:00:00,999,2024-03-04 10:00:04,2024-03-04 10:00:01,,60,,,,"]
    log_file = tmp_path / "log.csv"
    log_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    done = run_cli("fit", log_file, "--clock-skew", "1", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--clock-skew SECONDS" in done.stderr
    assert str(log_file) in done.stderr
    assert "row 2: answered" in done.stderr


# --- the example export as other vendors would write it -----------------------------------------

def _day_first(text: str, month_first: bool = False) -> str:
    """``2025-10-06 00:00:38.776`` -> ``06/10/2025 00:00:38.776`` (spaces kept around it)."""
    core = text.strip()
    if not ISO.match(core):
        return text
    y, m, d = core[:4], core[5:7], core[8:10]
    first, second = (m, d) if month_first else (d, m)
    return text.replace(core, f"{first.lstrip('0')}/{second}/{y}{core[10:]}")


def _clock(text: str) -> str:
    """``1342.416`` -> ``0:22:22.416`` (spaces kept around it)."""
    core = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?", core):
        return text
    whole, _, fraction = core.partition(".")
    n = int(whole)
    return text.replace(core, f"{n // 3600}:{n % 3600 // 60:02d}:{n % 60:02d}"
                        + (f".{fraction}" if fraction else ""))


VALUES = {"999": "EMERGENCY", "online": "WEBCHAT"}


def _vendor_example(tmp_path: Path, *, month_first: bool = False) -> tuple[Path, Path]:
    header, rows = csv_rows(EXAMPLE)
    times = [header.index(c) for c in ("CallStartTime", "QueueEntryTime", "AnswerTime",
                                       "AbandonTime")]
    seconds = [header.index(c) for c in ("TalkSeconds", "WrapSeconds")]
    line, category = header.index("ServiceLine"), header.index("Disposition")
    for k, row in enumerate(rows):
        for i in times:  # a bad cell stays bad: "20/10/2025 13:22" would read day-first
            bad = row[i].strip() and not ISO.match(row[i].strip())
            row[i] = "x" + row[i] if bad else _day_first(row[i], month_first)
        for i in seconds:
            row[i] = _clock(row[i])
        core = row[line].strip()
        row[line] = row[line].replace(core, VALUES.get(core, core))
        core = row[category].strip()  # upper case, and on some rows capitalised
        row[category] = row[category].replace(core, core.upper() if k % 3 else core.title())
    log = write_rows(tmp_path / "vendor.csv", header, rows)
    lines = VENDOR.read_text(encoding="utf-8")
    lines += f'date_format = "{"month-first" if month_first else "day-first"}"\n'
    lines += '[values.channel]\nEMERGENCY = "999"\nwebchat = "online"\n'
    lines += "[values.category]\n" + "".join(
        f'{name.upper()} = "{name}"\n'
        for name in read_logs([EXAMPLE], columns=VENDOR, skip_bad_rows=True).categories)
    return log, write(tmp_path, "columns.toml", lines)


@pytest.mark.parametrize("month_first", [False, True])
def test_the_example_as_a_vendor_writes_it_reads_the_same(tmp_path: Path,
                                                          month_first: bool) -> None:
    truth = read_logs([EXAMPLE], columns=VENDOR, skip_bad_rows=True)
    log, columns = _vendor_example(tmp_path, month_first=month_first)
    text = log.read_text(encoding="utf-8")
    assert "/2025 " in text
    assert ":22:22.416" in text
    assert "EMERGENCY" in text
    assert "2025-10-" not in text
    got = read_logs([log], columns=columns, skip_bad_rows=True)
    assert got.skipped == truth.skipped == {"unparseable arrived": 1, "negative talk_s": 1,
                                            "queued before arrived": 1}
    same(got, truth, but=("files",))


def test_a_day_first_map_names_the_format_on_a_bad_date(tmp_path: Path) -> None:
    rows = ["06/12/2026 14:03:22,999,,,,,,,,", "31/02/2026 14:03:22,999,,,,,,,,",
            "2026-12-06 14:03:22,999,,,,,,,,"]
    log_file = tmp_path / "log.csv"
    log_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    columns = write(tmp_path, "columns.toml", 'date_format = "day-first"\n')
    with pytest.raises(ScenarioError) as info:
        read_logs([log_file], columns=columns)
    found = [(p.key, p.message) for p in info.value.problems]
    assert [key for key, _ in found] == ["row 3: arrived", "row 4: arrived"]
    assert "expected DD/MM/YYYY HH:MM:SS" in found[0][1]
    assert 'written year first, as date_format = "iso" reads' in found[1][1]
    log = read_logs([log_file], columns=columns, skip_bad_rows=True)
    assert log.arrived_local[0] == (dt.datetime(2026, 12, 6, 14, 3, 22)
                                    - dt.datetime(1970, 1, 1)).total_seconds()


def test_spellings_that_differ_only_by_case_are_one_with_a_warning(tmp_path: Path) -> None:
    rows = ["2024-03-04 10:00:00,999,,,,,,,,Crime", "2024-03-04 10:01:00,999,,,,,,,,crime",
            "2024-03-04 10:02:00,999,,,,,,,,crime", "2024-03-04 10:03:00,Online,,,,,,,,info",
            "2024-03-04 10:04:00,ONLINE,,,,,,,,info", "2024-03-04 10:05:00,ONLINE,,,,,,,,info"]
    log_file = tmp_path / "log.csv"
    log_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    log = read_logs([log_file])
    assert log.categories == ("crime", "info")  # the spelling on most rows
    assert log.channels == ("999", "ONLINE")
    assert list(log.category) == [0, 0, 0, 1, 1, 1]
    assert list(log.channel) == [0, 0, 0, 1, 1, 1]
    assert log.warnings == (
        "channel: 'ONLINE' (2 rows), 'Online' (1 rows) differ only by case; read as one, "
        "'ONLINE'",
        "category: 'Crime' (1 rows), 'crime' (2 rows) differ only by case; read as one, 'crime'")
    # the scenario's own spelling wins
    log = read_logs([log_file], channels=["999", "online"])
    assert log.channels == ("999", "online")
    assert list(log.channel) == [0, 0, 0, 1, 1, 1]
    assert log.warnings[0] == ("channel: 'ONLINE' (2 rows), 'Online' (1 rows) read as the "
                               "scenario's 'online' (they differ only by case)")


@pytest.mark.slow  # the command line in subprocesses
def test_fit_and_backtest_say_what_was_clamped_and_folded(
        simulated: tuple[Path, ContactLog], tmp_path: Path) -> None:
    path, _ = simulated
    header, rows = csv_rows(path)
    at = {name: header.index(name) for name in header}
    skewed = next(row for row in rows if row[at["queued"]] and row[at["queued"]]
                  == row[at["arrived"]])
    skewed[at["queued"]] = (dt.datetime.strptime(skewed[at["queued"]], STAMP)
                            - dt.timedelta(seconds=1)).strftime(STAMP)[:-3]
    rows[0][at["category"]] = rows[0][at["category"]].upper()
    log_file = write_rows(tmp_path / "log.csv", header, rows)
    fitted = run_cli("fit", log_file, "--out", tmp_path / "fit")
    assert fitted.returncode == 0, fitted.stderr
    assert "1 rows with a time up to 2 s early read as on time" in fitted.stdout
    summary = json.loads((tmp_path / "fit" / "fit.json").read_text())
    assert summary["logs"]["rows_clamped"] == {"queued before arrived": 1}
    assert summary["logs"]["clock_skew_s"] == 2
    assert any("differ only by case" in w for w in summary["warnings"])
    scenario = tmp_path / "fit" / "scenario.toml"
    assert "1 with a time up to 2 s early" in scenario.read_text()


def test_a_value_map_names_the_mapped_channel_when_unknown(tmp_path: Path) -> None:
    log_file = tmp_path / "log.csv"
    log_file.write_text(HEADER + "\n2024-03-04 10:00:00,WEBCHAT,,,,,,,,\n", encoding="utf-8")
    columns = write(tmp_path, "columns.toml", '[values.channel]\nWEBCHAT = "web"\n')
    with pytest.raises(ScenarioError) as info:
        read_logs([log_file], columns=columns, channels=["999", "online"])
    assert info.value.problems[0].message.startswith(
        "unknown channel 'web' (read from 'WEBCHAT')")


# --- who answered ---------------------------------------------------------------------------

def test_agent_column_read_coded_and_written_back(tmp_path: Path) -> None:
    rows = ["2024-03-04 10:00:00,999,,2024-03-04 10:00:05,,60,,,,,  ann ",
            "2024-03-04 10:01:00,999,,2024-03-04 10:01:05,,60,,,,,bob",
            "2024-03-04 10:02:00,999,,,2024-03-04 10:02:30,,,,,,",
            "2024-03-04 10:03:00,999,,2024-03-04 10:03:05,,60,,,,,ann"]
    log_file = tmp_path / "log.csv"
    log_file.write_text("\n".join([HEADER + ",Operator", *rows]) + "\n", encoding="utf-8")
    columns = write(tmp_path, "columns.toml", 'agent = "Operator"\n')
    log = read_logs([log_file], columns=columns)
    assert "agent" in log.present
    assert log.agents == ("ann", "bob")
    assert log.agent is not None
    assert log.agent.dtype == np.int32
    assert log.agent.tolist() == [0, 1, -1, 0]
    # without the column: None, and the file written has no agent column either
    plain = read_logs([write_rows(tmp_path / "plain.csv", HEADER.split(","),
                                  [r.split(",")[:10] for r in rows])])
    assert plain.agent is None
    assert plain.agents == ()
    assert "agent" not in plain.present
    write_log(plain, tmp_path / "again.csv")
    assert csv_rows(tmp_path / "again.csv")[0][-1] == "caller"
    write_log(log, tmp_path / "back.csv")
    same(read_logs([tmp_path / "back.csv"]), log, but=("files", "present"))


@pytest.mark.slow  # the command line in subprocesses
def test_cli_refuses_a_bad_columns_file_in_one_line(tmp_path: Path) -> None:
    corpus = ROOT / "tests" / "bad_logs"
    columns = corpus / "maps" / "bad_date_format.toml"
    done = run_cli("fit", corpus / "vendor.csv", "--columns", columns, "--out", tmp_path / "o")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: {columns}: date_format: unknown date format")
    assert not (tmp_path / "o").exists()
