"""Reading contact logs (logs.read): every malformed log gives exactly its problem; messy but good
exports read as the planner meant them.

The corpus lives in ``tests/bad_logs/``: one malformed log (or ``--columns`` map) per file, and
``EXPECTED.toml`` saying the one problem each must give, its key and words its message holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from contactsim.logs.model import ABANDONED, ANSWERED, CENSORED, DIVERTED, ContactLog
from contactsim.logs.read import MAX_LOG_ROWS, MAX_PROBLEMS, read_logs
from contactsim.problems import ScenarioError

CORPUS = Path(__file__).resolve().parent / "bad_logs"
EXPECTED = tomllib.loads((CORPUS / "EXPECTED.toml").read_text(encoding="utf-8"))
EPOCH = dt.datetime(1970, 1, 1)
HEADER = "arrived,channel,queued,answered,abandoned,talk_s,wrap_s,diverted_to,caller,category"


def problems(paths: list[Path], **options: object) -> list[tuple[str, str, str]]:
    with pytest.raises(ScenarioError) as info:
        read_logs(paths, **options)  # type: ignore[arg-type]
    return [(p.file, p.key, p.message) for p in info.value.problems]


def test_the_corpus_is_large_and_every_file_is_listed() -> None:
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*")
             if p.is_file() and p.name != "EXPECTED.toml"}
    maps = {name for name in EXPECTED if name.startswith("maps/")}
    logs = {str(c["log"]) for c in EXPECTED.values() if "log" in c}
    assert files == set(EXPECTED) | logs
    assert len(EXPECTED) >= 30
    assert maps


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_log_gives_exactly_its_problem(name: str) -> None:
    case = EXPECTED[name]
    if "log" in case:  # a bad column map, with the log it maps
        log, options = CORPUS / case["log"], {"columns": CORPUS / name}
    else:
        log, options = CORPUS / name, {}
    options.update({k: case[k] for k in ("channels", "skip_bad_rows") if k in case})
    found = problems([log], **options)
    assert len(found) == 1, found
    file, key, message = found[0]
    assert file == str(CORPUS / name)
    assert key == case["key"]
    assert case["words"] in message


def write_csv(path: Path, rows: list[str], header: str = HEADER, *, crlf: bool = False,
              bom: bool = False) -> Path:
    end = "\r\n" if crlf else "\n"
    text = ("\ufeff" if bom else "") + end.join([header, *rows]) + end
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def local(text: str) -> float:
    return (dt.datetime.fromisoformat(text) - EPOCH).total_seconds()


def instant(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_missing_folder_and_fifo_are_said_as_what_they_are(tmp_path: Path) -> None:
    assert problems([tmp_path / "nope.csv"]) == [
        (str(tmp_path / "nope.csv"), "(file)", "log file not found")]
    assert problems([tmp_path]) == [(str(tmp_path), "(file)", "is a folder, not a contact log")]
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    [(_, _, message)] = problems([fifo])  # returns at once: never waits for a writer
    assert "FIFO" in message


def test_at_most_twenty_problems_then_a_count(tmp_path: Path) -> None:
    rows = [f"soon {i},999,,,,,,,," for i in range(25)]
    found = problems([write_csv(tmp_path / "bad.csv", rows)])
    assert len(found) == MAX_PROBLEMS + 1
    assert [key for _, key, _ in found[:3]] == ["row 2: arrived", "row 3: arrived",
                                                 "row 4: arrived"]
    assert found[-1][1:] == ("(file)", "... and 5 more problems")


def test_skip_bad_rows_counts_by_reason(tmp_path: Path) -> None:
    rows = ["2024-03-04 10:00:00,999,,2024-03-04 10:00:05,,60,,,,",
            "soon,999,,,,,,,,",
            "2024-03-04 10:01:00,999,,2024-03-04 10:00:05,,60,,,,",
            "2024-03-04 10:02:00,101,,2024-03-04 10:02:05,,-5,,,,",
            "2024-03-04 10:03:00,101",
            "later,999,,,,-5,,,,"]
    log = read_logs([write_csv(tmp_path / "some.csv", rows)], skip_bad_rows=True)
    assert len(log) == 1
    assert log.rows_read == 6
    # a row with two problems counts once, under the first
    assert log.skipped == {"unparseable arrived": 2, "answered before arrived": 1,
                           "negative talk_s": 1, "wrong number of cells": 1}


def test_a_messy_export_reads_as_meant(tmp_path: Path) -> None:
    rows = ["  2024-03-04 10:00:00 ,  999 , , 2024-03-04 10:00:07.250 ,,  240 , 30,, a ,crime ",
            "2024-03-04 10:00:00,999,,2024-03-04 10:00:07.25,,240,30,,a,crime",  # a repeat
            "",
            "2024-03-04 10:05:00,101,2024-03-04 10:05:40,,2024-03-04 10:07:00,,,,b,",
            ",,,,,,,,,",
            "2024-03-04 10:06:00,101,,,,,,,a,welfare",  # still in progress
            "2024-03-04 10:07:00,101,,,,,,mh_line,,welfare",  # diverted before the queue
            "2024-03-04 10:08:00,999,,2024-03-04 10:08:03,,100,,mh_line,c,welfare"]  # triaged
    header = " arrived , channel ,queued,answered,abandoned,talk_s,wrap_s,diverted_to,caller," \
             "category,vendor_notes"
    rows = [r + ",x" if r else r for r in rows]
    log = read_logs([write_csv(tmp_path / "messy.csv", rows, header, crlf=True, bom=True)])
    assert log.duplicates == 1
    assert log.rows_read == 6  # the blank line and the row of empty cells hold no contact
    assert log.channels == ("101", "999")
    assert log.categories == ("crime", "unknown", "welfare")
    assert log.partners == ("mh_line",)
    assert log.outcome.tolist() == [ANSWERED, ABANDONED, CENSORED, DIVERTED, ANSWERED]
    assert log.in_progress == 1
    assert log.connect_s.tolist() == [0, 40, 0, 0, 0]
    np.testing.assert_array_equal(log.wait_s, [7.25, 80, np.nan, np.nan, 3])
    np.testing.assert_array_equal(log.talk_s, [240, np.nan, np.nan, np.nan, 100])
    assert log.caller.tolist()[:3] == [log.caller[2], log.caller[1], log.caller[0]][::-1]
    assert log.caller[0] == log.caller[2] != log.caller[1]
    assert log.caller[3] == -1
    assert log.diverted_to.tolist() == [-1, -1, -1, 0, 0]
    assert log.present == {"queued", "answered", "abandoned", "talk_s", "wrap_s",
                           "diverted_to", "caller", "category"}
    assert log.arrived_local[0] == local("2024-03-04 10:00:00")


def test_both_passes_of_the_repeated_autumn_hour(tmp_path: Path) -> None:
    rows = ["2025-10-26 00:50:00,999,,2025-10-26 01:00:10,,,,,,",
            "2025-10-26 01:10:00,999,,2025-10-26 01:20:00,,,,,,",
            "2025-10-26 01:55:00,999,,2025-10-26 01:00:10,,,,,,",  # answered in the GMT pass
            "2025-10-26 01:50:00,999,,,,,,,,",  # a little out of order: still summer time
            "2025-10-26 01:05:00,999,,2025-10-26 01:06:00,,,,,,",  # the clock steps back
            "2025-10-26 01:40:00,999,,,,,,,,",
            "2025-10-26 02:10:00,999,,,,,,,,"]
    log = read_logs([write_csv(tmp_path / "autumn.csv.gz", rows)])
    expected = ["2025-10-26T00:50+01:00", "2025-10-26T01:10+01:00", "2025-10-26T01:55+01:00",
                "2025-10-26T01:50+01:00", "2025-10-26T01:05+00:00", "2025-10-26T01:40+00:00",
                "2025-10-26T02:10+00:00"]
    assert log.arrived_utc.tolist() == [instant(t) for t in expected]
    assert log.wait_s[:3].tolist() == [610, 600, 310]
    assert log.wait_s[4] == 60
    assert log.hour_of_week.tolist() == [6 * 24 + h for h in (0, 1, 1, 1, 1, 1, 2)]


def test_several_files_are_one_log_and_the_map_renames(tmp_path: Path) -> None:
    vendor = "CallStartTime,Queue,AnswerTime,Agent"
    first = write_csv(tmp_path / "jan.csv", ["2024-01-31 23:59:00,999,2024-01-31 23:59:08,x",
                                             "2024-02-01 00:00:00,101,,y"], vendor)
    second = write_csv(tmp_path / "feb.csv.gz", ["2024-02-01 00:00:00,101,,y",  # overlap
                                                 "2024-02-01 09:00:00,online,,z"], vendor)
    mapping = tmp_path / "vendor.toml"
    mapping.write_text('arrived = "CallStartTime"\nchannel = "Queue"\nanswered = "AnswerTime"\n')
    log = read_logs([first, second], columns=mapping, channels=["999", "101", "online"])
    assert log.files == (str(first), str(second))
    assert log.channels == ("101", "999", "online")
    assert log.channel.tolist() == [1, 0, 2]
    assert log.duplicates == 1
    assert log.rows_read == 4
    assert log.present == {"answered"}
    assert log.first_date == dt.date(2024, 1, 31)
    assert log.last_date == dt.date(2024, 2, 1)


def test_a_bad_row_in_a_second_file_names_that_file(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "a.csv", ["2024-01-01 00:00:00,999,,,,,,,,"])
    bad = write_csv(tmp_path / "b.csv", ["2024-01-01 00:00:00,999,,,,,,,,", "",
                                         "2024-01-01 00:00:01,999,,,,x,,,,"])
    assert problems([good, bad]) == [
        (str(bad), "row 4: talk_s", "'x' is not a number of seconds (write seconds, like 330, "
                                    "or hours, minutes and seconds, like 0:05:30)")]


def test_blank_lines_before_the_header_count_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "lead.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n\r\narrived,channel\r\n2024-01-01 00:00:00,999\r\n\r\n"
                     b"2024-01-01 00:00:0x,999\r\n")
    [(_, key, _)] = problems([path])
    assert key == "row 6: arrived"
    assert problems([]) == [("(command line)", "LOG", "no contact log given")]


def test_the_row_limit_is_well_above_a_year_of_the_largest_force() -> None:
    assert MAX_LOG_ROWS >= 2 * 10_000_000


_TIMES = st.integers(min_value=int(local("2023-01-01 00:00:00")),
                     max_value=int(local("2026-12-31 00:00:00")))
_ROW = st.fixed_dictionaries({
    "arrived": _TIMES, "channel": st.sampled_from(["999", "101", "online"]),
    "connect": st.integers(0, 30), "wait": st.integers(0, 3000),
    "end": st.sampled_from(["answered", "abandoned", "diverted", "none"]),
    "talk": st.none() | st.floats(0, 1e5, allow_nan=False).map(lambda x: round(x, 3)),
    "category": st.sampled_from(["", "crime", "welfare"]),
    "caller": st.sampled_from(["", "k1", "k2", "007"]),
})


@settings(max_examples=40)
@given(st.lists(_ROW, min_size=1, max_size=30))
def test_a_log_reads_back_to_the_rows_written(tmp_path_factory: pytest.TempPathFactory,
                                              rows: list[dict[str, object]]) -> None:
    path = tmp_path_factory.mktemp("prop") / "log.csv"

    def stamp(seconds: float) -> str:
        return (EPOCH + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")

    ok = [r for r in rows if _unambiguous(float(r["arrived"]),  # type: ignore[arg-type]
                                           int(r["connect"]) + int(r["wait"]))]  # type: ignore[call-overload]
    if not ok:
        return
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER.split(","))
        for i, r in enumerate(ok):
            t = float(r["arrived"]) + i * 1e-3  # type: ignore[arg-type]
            queued = t + int(r["connect"])  # type: ignore[call-overload]
            ended = stamp(queued + int(r["wait"])) + f".{i:03d}"  # type: ignore[call-overload]
            out.writerow([stamp(t) + f".{i:03d}", r["channel"], stamp(queued) + f".{i:03d}",
                          ended if r["end"] == "answered" else "",
                          ended if r["end"] == "abandoned" else "",
                          "" if r["talk"] is None else r["talk"], "",
                          "mh" if r["end"] == "diverted" else "", r["caller"], r["category"]])
    log = read_logs([path])
    assert log.duplicates == 0
    assert len(log) == len(ok)
    _check_rows(log, ok)


def _unambiguous(arrived: float, span: float) -> bool:
    """Away from the clock changes, so the wall clock alone says the instant."""
    from contactsim.logs.london import local_to_utc
    lo, hi = local_to_utc(np.array([arrived, arrived + span + 1, arrived + 3 * 3600]))
    return bool(np.isfinite(lo).all() and (lo == hi).all())


def _check_rows(log: ContactLog, rows: list[dict[str, object]]) -> None:
    names = [log.channels[c] for c in log.channel]
    assert names == [r["channel"] for r in rows]
    cats = [log.categories[c] for c in log.category]
    assert cats == [r["category"] or "unknown" for r in rows]
    np.testing.assert_allclose(log.arrived_local, [float(r["arrived"]) + i * 1e-3  # type: ignore[arg-type]
                                                   for i, r in enumerate(rows)], atol=1e-6)
    assert log.connect_s.tolist() == [r["connect"] for r in rows]
    ends = {"answered": ANSWERED, "abandoned": ABANDONED, "diverted": DIVERTED,
            "none": CENSORED}
    assert log.outcome.tolist() == [ends[str(r["end"])] for r in rows]
    finished = log.outcome <= ABANDONED
    np.testing.assert_allclose(log.wait_s[finished], [
        int(r["wait"]) for r in rows  # type: ignore[call-overload]
        if r["end"] in ("answered", "abandoned")], atol=1e-6)
    np.testing.assert_array_equal(log.talk_s, [np.nan if r["talk"] is None else r["talk"]
                                               for r in rows])
    keys: dict[object, int] = {}
    for key, got in zip((r["caller"] for r in rows), log.caller.tolist(), strict=True):
        assert (got == -1) == (key == "")
        if key:
            assert keys.setdefault(key, got) == got
    assert len(set(keys.values())) == len(keys)


def _batched_log(tmp_path: Path) -> tuple[Path, list[int]]:
    """A messy log of a few hundred rows: repeats right after their rows, bad cells, short
    rows, rows of empty cells, both passes of the repeated autumn hour; and the data rows
    (0-based, as the reader counts them) that repeat the row before them."""
    rng = np.random.default_rng(13)
    rows: list[str] = []
    repeats: list[int] = []
    t = local("2025-10-26 00:30:00")
    for i in range(400):
        t += float(rng.integers(5, 40))
        if i == 150:  # the clock steps back from about 01:26 summer time: the GMT pass
            t = local("2025-10-26 01:01:00")
        stamp = (EPOCH + dt.timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S")
        answer = (EPOCH + dt.timedelta(seconds=t + 20)).strftime("%Y-%m-%d %H:%M:%S")
        channel = ["999", "101", "online"][i % 3]
        row = (f"{stamp},{channel},,{answer},,{rng.integers(60, 600)},30,,"
               f"k{rng.integers(0, 50)},{['crime', 'welfare', ''][i % 3]}")
        if i % 37 == 5:
            row = row.replace(",30,", ",x,")  # a bad talk time
        if i % 53 == 7:
            row = f"{stamp},999"  # too few cells
        if i % 61 == 11:
            rows.append(",,,,,,,,,")  # a row of empty cells
        rows.append(row)
        if i % 9 == 4:
            rows.append(row)  # exported twice
            repeats.append(len(rows) - 1)
    return write_csv(tmp_path / "batched.csv", rows), repeats


def test_small_batches_read_exactly_as_one(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from contactsim.logs import gather, stream

    path, repeats = _batched_log(tmp_path)
    lines = path.read_text().splitlines()[1:]
    short = [line.count(",") < 9 for line in lines]  # set aside by the reader, not counted
    reader_row = np.arange(len(lines)) - np.cumsum(short) + short
    counted = [r for r in repeats if not short[r] and ",x," not in lines[r]]
    whole = read_logs([path], skip_bad_rows=True)
    whole_problems = problems([path])
    assert whole.duplicates == len(counted) > 30
    assert whole.skipped == {"non-numeric wrap_s": 12, "wrong number of cells": sum(short)}
    assert len(whole_problems) == MAX_PROBLEMS + 1
    starts: list[int] = []
    add = gather.Gatherer.add

    def record(self: gather.Gatherer, start: int, text: dict[str, object]) -> None:
        starts.append(start)
        add(self, start, text)  # type: ignore[arg-type]

    monkeypatch.setattr(gather.Gatherer, "add", record)
    for block in (300, 517, 1024):
        monkeypatch.setattr(stream, "BLOCK_BYTES", block)
        starts.clear()
        small = read_logs([path], skip_bad_rows=True)
        assert len(starts) > 10
        # some repeat is the first row of a batch, the row it repeats the last of the one before
        assert set(starts) & {int(reader_row[r]) for r in counted}
        for name in ContactLog.__dataclass_fields__:
            mine, theirs = getattr(small, name), getattr(whole, name)
            if isinstance(mine, np.ndarray):
                assert mine.dtype == theirs.dtype, name
                np.testing.assert_array_equal(mine, theirs, err_msg=name)
            else:
                assert mine == theirs, name
        assert problems([path]) == whole_problems  # the same lines, cells and count
