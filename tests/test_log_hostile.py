"""Hostile contact logs (issue 23): whatever the reader accepts, the scenario rules accept too.

Each case is a small log built here; the reader refuses it with one problem naming the row and
column (exit 2 from ``contactsim fit``, no traceback, nothing written), or maps it with a
warning and ``fit`` writes a scenario that loads.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest

from contactsim.analysis.backtest_days import MAX_GAP_DAYS
from contactsim.analysis.fit import LEAST_PATIENCE_S
from contactsim.cli import main
from contactsim.config import kinds
from contactsim.config.distributions import MAX_SECONDS
from contactsim.config.profiles import MAX_DAY_CV
from contactsim.jobs.logs import run_fit_job
from contactsim.logs import cells, stream
from contactsim.logs.read import read_logs
from contactsim.problems import ScenarioError

HEADER = "arrived,channel,queued,answered,abandoned,talk_s,wrap_s,diverted_to,caller,category"


def rows(days: int = 3, per_day: int = 60, start: str = "2024-01-08", talk: float | None = None,
         channel: str = "999", category: str = "crime") -> list[str]:
    """A plain log: a tenth of callers hang up, the rest are answered (sorted by arrival)."""
    r = random.Random(1)
    out = []
    first = dt.datetime.fromisoformat(start)
    for d in range(days):
        for k in range(per_day):
            a = first + dt.timedelta(days=d, seconds=r.randrange(86_400))
            w = dt.timedelta(seconds=r.randrange(60))
            if r.random() < 0.1:
                out.append(f"{a:%Y-%m-%d %H:%M:%S},{channel},,,{a + w:%Y-%m-%d %H:%M:%S},,,,"
                           f"c{d}-{k},{category}")
            else:
                t = r.randrange(60, 600) if talk is None else talk
                out.append(f"{a:%Y-%m-%d %H:%M:%S},{channel},,{a + w:%Y-%m-%d %H:%M:%S},,{t},"
                           f"30,,c{d}-{k},{category}")
    return sorted(out)


def write(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode("utf-8"))
    return path


def one_problem(path: Path, **options: object) -> tuple[str, str]:
    with pytest.raises(ScenarioError) as info:
        read_logs([path], **options)  # type: ignore[arg-type]
    found = info.value.problems
    assert found[0].file == str(path)
    return found[0].key, found[0].message


def exits_2(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    out = tmp_path / "out"
    assert main(["fit", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert all(line.startswith("error: ") for line in err.splitlines() if line)
    assert not out.exists()
    return err


def test_the_readers_bounds_are_the_scenarios() -> None:
    assert (cells.FIRST_YEAR, cells.LAST_YEAR) == (kinds.FIRST_YEAR, kinds.LAST_YEAR)
    assert cells.MAX_SECONDS == MAX_SECONDS
    epoch = dt.datetime(1970, 1, 1)
    assert (dt.datetime(kinds.FIRST_YEAR, 1, 1) - epoch).total_seconds() == cells.EARLIEST_S
    assert (dt.datetime(kinds.LAST_YEAR + 1, 1, 1) - epoch).total_seconds() == cells.LATEST_S


# --- durations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("talk", ["1e300", "4294967295", "2592001"])
def test_a_talk_time_beyond_the_scenarios_bound_is_refused(tmp_path: Path, talk: str,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    lines = rows()
    parts = lines[7].split(",")
    if parts[5]:  # an answered row
        parts[5] = talk
    else:
        parts[3], parts[4], parts[5] = parts[4], "", talk
    lines[7] = ",".join(parts)
    log = write(tmp_path / "talk.csv", lines)
    key, message = one_problem(log)
    assert key == "row 9: talk_s"
    assert "longer than 30 days" in message
    assert "--skip-bad-rows" in message
    assert "row 9: talk_s" in exits_2(log, tmp_path, capsys)
    # left out and counted, the fit is the other rows'
    assert read_logs([log], skip_bad_rows=True).skipped == {"talk_s too long": 1}


def test_every_talk_time_1e300_is_refused(tmp_path: Path) -> None:
    key, message = one_problem(write(tmp_path / "t.csv", rows(talk=1e300)))
    assert key.endswith(": talk_s")
    assert "longer than 30 days" in message


def test_a_wait_beyond_the_bound_is_refused(tmp_path: Path) -> None:
    lines = rows()
    lines[4] = "2024-01-08 00:00:00,999,,2024-02-20 00:00:00,,100,10,,x,crime"
    key, message = one_problem(write(tmp_path / "w.csv", sorted(lines)))
    assert key.endswith(": answered")
    assert "more than 30 days (2,592,000 s) after arrived" in message


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", ["0001", "1900", "1949", "2091", "9999"])
def test_dates_outside_the_scenarios_years_are_refused(tmp_path: Path, year: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    lines = [line.replace("2024-", f"{year}-") for line in rows()]
    log = write(tmp_path / "old.csv", lines)
    key, message = one_problem(log)
    assert key == "row 2: arrived"
    assert "dated outside 1950-2090" in message
    assert "dated outside 1950-2090" in exits_2(log, tmp_path, capsys)


def test_a_two_month_log_of_1900_is_refused(tmp_path: Path) -> None:
    log = write(tmp_path / "m.csv", rows(days=60, per_day=5, start="1900-01-01"))
    with pytest.raises(ScenarioError) as info:
        read_logs([log])
    assert all("dated outside" in p.message or "more problems" in p.message
               for p in info.value.problems)


def test_one_stray_1970_row_names_the_logs_dates(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    log = write(tmp_path / "stray.csv",
                ["1970-01-01 00:00:01,999,,1970-01-01 00:00:05,,100,10,,x,crime", *rows()])
    err = exits_2(log, tmp_path, capsys)
    assert "the log's dates run from 1970-01-01 to 2024-01-10" in err
    assert "not the scenario" in err
    assert "Trim the log" in err
    assert "run.days" not in err


def test_backtest_blames_the_logs_dates_not_the_scenario(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    log = write(tmp_path / "stray.csv",
                ["1970-01-01 00:00:01,999,,1970-01-01 00:00:05,,100,10,,x,crime", *rows()])
    out = tmp_path / "bt"
    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    assert main(["backtest", str(base), str(log), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "1970-01-01" in err
    assert "not the scenario" in err
    assert "run.days" not in err
    assert not out.exists()


def test_a_gap_just_under_the_limit_is_read(tmp_path: Path) -> None:
    start = dt.date(2024, 1, 8) + dt.timedelta(days=3 + MAX_GAP_DAYS - 1)  # 27 empty days
    lines = rows() + rows(start=start.isoformat())
    fit = run_fit_job([str(write(tmp_path / "g.csv", lines))], tmp_path / "out", report=False)
    assert fit.window.days >= 30  # one period: the empty days are read as days of no contact


# --- names -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("column", "name", "read_as"), [
    ("category", "mental health", "mental_health"),
    ("category", "a\x07b", "a_b"),
    ("channel", "999 x", "999_x"),
    ("channel", "-web", "_-web"),
])
def test_names_a_scenario_refuses_are_mapped_with_a_warning(tmp_path: Path, column: str,
                                                            name: str, read_as: str) -> None:
    log = write(tmp_path / "n.csv", rows(days=1, **{column: name}))  # type: ignore[arg-type]
    read = read_logs([log])
    names = read.categories if column == "category" else read.channels
    assert names == (read_as,)
    assert any(f"{column}: read {name!r} (60 rows) as {read_as!r}" in w for w in read.warnings)


def test_a_nul_after_64_kib_is_mapped_and_fit_loads(tmp_path: Path) -> None:
    lines = rows(days=7, per_day=260)  # 1,820 rows: the last 320 lie past 64 KiB
    for k in range(1500, len(lines)):
        lines[k] = lines[k].replace(",crime", ",cr\x00me")
    log = write(tmp_path / "nul.csv", lines)
    assert log.read_bytes().index(b"\x00") > 1 << 16
    fit = run_fit_job([str(log)], tmp_path / "out", report=False)
    assert set(fit.log.categories) == {"crime", "cr_me"}
    assert (tmp_path / "out" / "scenario.toml").is_file()


def test_a_name_with_a_space_fits_a_scenario_that_loads(tmp_path: Path) -> None:
    log = write(tmp_path / "s.csv", rows(category="mental health"))
    fit = run_fit_job([str(log)], tmp_path / "out", report=False)
    assert "mental_health" in (tmp_path / "out" / "scenario.toml").read_text()
    assert any("'mental health'" in w for w in fit.log.warnings)


@pytest.mark.slow  # a 17 MiB cell; 150,000 contacts fitted
@pytest.mark.parametrize(("column", "size"), [("channel", 1_000_000), ("category", 17 << 20)])
def test_a_huge_name_is_refused_naming_the_logs_row(tmp_path: Path, column: str, size: int,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    lines = rows()
    parts = lines[3].split(",")
    parts[HEADER.split(",").index(column)] = "9" * size
    lines[3] = ",".join(parts)
    log = write(tmp_path / "huge.csv", lines)
    key, message = one_problem(log)
    assert key == f"row 5: {column}"
    assert f"a name of {size:,} characters" in message
    err = exits_2(log, tmp_path, capsys)
    assert ".partial" not in err
    assert str(log) in err


def test_a_row_longer_than_a_block_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 12)
    lines = rows()
    parts = lines[100].split(",")
    parts[8] = "z" * 10_000
    lines[100] = ",".join(parts)
    _key, message = one_problem(write(tmp_path / "long.csv", lines))
    assert "straddl" not in message
    assert "a row is longer than" in message


# --- lines -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("column", "cell"), [
    ("category", '"mental\nhealth"'), ("caller", '"c\r\n9"'), ("agent", '"A\n17"')])
def test_a_quoted_line_break_is_refused_on_its_line(tmp_path: Path, column: str, cell: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """In any column of names, the scenario's (channel, category, diverted_to) or not (caller,
    agent, nearly one name a row): a break would put every later row on the wrong line."""
    values = {"caller": "c9", "category": "crime", "agent": "A1"} | {column: cell}
    lines = [f"{line},A1" for line in rows()]
    lines.insert(5, "2024-01-08 23:59:58,999,,2024-01-08 23:59:59,,100,10,,"
                 f"{values['caller']},{values['category']},{values['agent']}")
    log = write(tmp_path / "q.csv", lines, header=HEADER + ",agent")
    key, message = one_problem(log)
    assert key == f"row 7: {column}"
    assert "line break" in message
    err = exits_2(log, tmp_path, capsys)
    assert err == f"error: {log}: row 7: {column}: {message}\n"
    assert read_logs([log], skip_bad_rows=True).skipped == {"line break": 1}


def test_a_line_of_spaces_is_blank(tmp_path: Path) -> None:
    lines = rows()
    lines[5:5] = ["     ", "\t "]
    lines[9] = lines[9].replace("2024-", "yesterday-", 1)
    log = write(tmp_path / "sp.csv", lines)
    key, _ = one_problem(log)
    assert key == "row 11: arrived"  # its line: lines of spaces count as lines, not rows
    read = read_logs([log], skip_bad_rows=True)
    assert read.skipped == {"unparseable arrived": 1}
    assert read.rows_read == len(lines) - 2


# --- fit's own clamps --------------------------------------------------------------------------

@pytest.mark.slow  # a 17 MiB cell; 150,000 contacts fitted
def test_a_burst_of_contacts_in_one_second_is_capped_with_a_note(tmp_path: Path) -> None:
    burst = [f"2024-01-09 10:00:00,999,,2024-01-09 10:00:01,,300,30,,q{k},crime"
             for k in range(150_000)]
    log = write(tmp_path / "b.csv", sorted(rows() + burst))
    from contactsim.config.schema import MAX_ON_DUTY

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = run_fit_job([str(log)], tmp_path / "out", report=False)
    assert fit.log.rows_read == 180 + 150_000
    staff = tomllib.loads((tmp_path / "out" / "scenario.toml").read_text())[
        "pools"]["handlers"]["staff_by_hour"]
    assert max(staff) == MAX_ON_DUTY  # 150,000 in service at once, cut to the most allowed
    said = json.loads((tmp_path / "out" / "fit.json").read_text())["warnings"]
    assert any(f"more than {MAX_ON_DUTY:,} people on duty at once" in w for w in said)


def test_day_cv_beyond_the_scenarios_bound_is_capped_with_a_warning(tmp_path: Path) -> None:
    lines = rows(days=21, per_day=3) + rows(days=1, per_day=3000, start="2024-01-15")
    fit = run_fit_job([str(write(tmp_path / "d.csv", sorted(lines)))], tmp_path / "out",
                      report=False)
    assert fit.day_cv is not None
    assert all(v <= MAX_DAY_CV for v in fit.day_cv.written().values())
    if fit.day_cv.capped():
        assert any("day_cv" in w for w in fit.warnings)


def test_a_channel_whose_hang_ups_are_all_at_zero_seconds_fits(tmp_path: Path) -> None:
    hang_ups = [f"2024-01-{8 + d:02d} {k % 24:02d}:{k:02d}:00,101,,,2024-01-{8 + d:02d} "
                f"{k % 24:02d}:{k:02d}:00,,,,h{d}-{k},crime" for d in range(3) for k in range(30)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = run_fit_job([str(write(tmp_path / "z.csv", sorted(rows() + hang_ups)))],
                          tmp_path / "out", report=False)
    patience = fit.channels["101"].patience
    assert patience is not None
    assert patience.constant == LEAST_PATIENCE_S
    assert "every one of the 90 hang-ups was at 0 s" in patience.warning
    assert any("every one of the 90 hang-ups" in w for w in fit.warnings)
    assert "patience = 1.0" in (tmp_path / "out" / "scenario.toml").read_text()


def test_a_busy_hour_of_valid_long_calls_fits_without_a_warning(tmp_path: Path) -> None:
    long = [f"2024-01-09 10:{m:02d}:00,999,,2024-01-09 10:{m:02d}:05,,2500000,30,,b{m},crime"
            for m in range(60)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = run_fit_job([str(write(tmp_path / "l.csv", sorted(rows() + long)))],
                          tmp_path / "out", report=False)
    assert fit.log.rows_read == 240
    assert (tmp_path / "out" / "scenario.toml").is_file()


def test_one_absurd_talk_time_is_left_out_and_counted(tmp_path: Path) -> None:
    lines = rows(days=7)
    answered = [k for k, line in enumerate(lines) if line.split(",")[5]]
    parts = lines[answered[10]].split(",")
    parts[5] = "2000000"  # 23 days: within the scenario's bound, absurd for a call
    lines[answered[10]] = ",".join(parts)
    fit = run_fit_job([str(write(tmp_path / "a.csv", lines))], tmp_path / "out", report=False)
    handle = fit.categories["crime"]["handle"]
    assert handle.n == len(answered) - 1
    assert "1 value(s) of" in handle.warning
    assert "the longest 2,000,000 s" in handle.warning
    assert any("left out as implausible" in w for w in fit.warnings)
    assert handle.mean is not None
    assert 60 <= handle.mean.estimate <= 600  # the rows' talk times are 60 to 599 s


def test_a_numpy_warning_inside_fit_prints_nothing_under_quiet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import contactsim.analysis.fit as fitting

    real = fitting.fit_log

    def noisy(*args: object, **kwargs: object) -> object:
        np.log(np.zeros(1))  # RuntimeWarning: divide by zero, as a degenerate log can give
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fitting, "fit_log", noisy)
    log = write(tmp_path / "q.csv", rows())
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown on stderr, as the command line shows them
        warnings.showwarning = lambda message, category, filename, lineno, file=None, \
            line=None: sys.stderr.write(warnings.formatwarning(message, category, filename,
                                                               lineno, line))
        assert main(["fit", str(log), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_valid_but_huge_talk_times_size_the_pool_at_the_most_allowed(tmp_path: Path) -> None:
    """2.5 million seconds a call (within the 30-day bound), 4,000 calls a day: Erlang C's
    offered load is about 125,000 agents, beyond the most a scenario holds."""
    from contactsim.config.schema import MAX_ON_DUTY

    log = write(tmp_path / "e.csv", rows(days=2, per_day=4000, talk=2_500_000))
    run_fit_job([str(log)], tmp_path / "out", report=False)
    said = json.loads((tmp_path / "out" / "fit.json").read_text())["warnings"]
    assert any(f"needs more than {MAX_ON_DUTY:,} people on duty" in w for w in said)
    assert (tmp_path / "out" / "scenario.toml").is_file()
