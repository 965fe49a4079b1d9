"""Board-ready outputs and progress (issue 15, items 3 and 5).

- summary.csv holds every figure of summary.json, in a planner's units;
- the compare report's board paragraph states compare.csv's figures and the report's own
  "clear" rule, and the comparison's summary.csv agrees with compare.csv;
- who answered what (pool x channel) adds up to each channel's answered contacts, whatever
  pools share a channel or drop digital work for 999;
- a very large run is warned about before it starts, and only above the threshold;
- progress is drawn on a terminal only: never on a pipe, a dumb terminal or with --quiet.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, write
from contactsim import cli
from contactsim.analysis import size
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.stats import Estimate
from contactsim.config.loading import load_scenario
from contactsim.jobs.whatif import run_compare
from contactsim.present.board import (
    MONTH_DAYS,
    about,
    board,
    difference,
    for_public,
    per_day,
    public_words,
    verdict,
)
from contactsim.present.precision import replications_advice, replications_for
from contactsim.present.progress import JobProgress, clock
from contactsim.present.report import run_html
from contactsim.present.words import (
    fmt,
    fmt_ci,
    fmt_target,
    is_clear,
)
from contactsim.results.compare import plan_compare
from contactsim.results.read import read_run, read_table
from contactsim.results.write import write_tables

SHORT = ("run.days=2", "run.warmup_days=1", "run.replications=3")

#: Two pools share 999 and 101 (generalists and 999 specialists), and the digital desk drops
#: its online work for a waiting 999 call: every way a contact can find its handler.
SHARED = """\
name = "Shared skills"
[run]
days = 2
warmup_days = 1
replications = 3
seed = 5
[channels.999]
per_day = 900
answer_target_s = 10
patience = { dist = "exponential", mean = 60 }
[channels.101]
per_day = 900
priority = 2
answer_target_s = 60
patience = { dist = "exponential", mean = 300 }
[channels.online]
kind = "digital"
per_day = 300
priority = 5
answer_target_s = 3600
[categories.crime]
handle = { dist = "exponential", mean = 300 }
[pools.specialists]
skills = ["999"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 } ]
[pools.generalists]
skills = ["999", "101"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 4 } ]
[pools.digital_desk]
skills = ["online"]
interruptible_for = ["999"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 } ]
"""


# --- summary.csv ----------------------------------------------------------------------------


def _units(measure: str) -> tuple[str, bool]:
    """The unit summary.csv must use for a measure, and whether it is per day."""
    if measure in ("service_level", "abandon_rate", "utilisation") or measure.startswith(
            "band_"):
        return "%", False
    if measure.endswith("_s"):
        return "s", False
    if measure in ("staff_hours", "busy_hours"):
        return "hours per day", True
    if measure == "officer_hours":
        return "hours per day", False  # summary.json has it per day already
    return "contacts per day", True


def test_summary_csv_rows_are_summary_json_in_planner_units(tmp_path: Path) -> None:
    sc = load_scenario(ROOT / "scenarios" / "rcrp.toml", SHORT)
    write_tables(run_experiment(sc, workers=1), tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    table = read_table(tmp_path / "summary.csv")
    rows = {(table.text("measure")[i], table.text("channel")[i], table.text("pool")[i],
             table.text("diversion")[i]): i for i in range(len(table))}
    assert len(rows) == len(table)  # one row per figure
    expected: list[tuple[tuple[str, str, str, str], dict[str, float | None]]] = []
    for ch, measures in summary["channels"].items():
        expected += [((m, ch, "", ""), est) for m, est in measures.items()]
    for pool, measures in summary["pools"].items():
        expected += [((m, "", pool, ""), est) for m, est in measures.items()]
    for name, measures in summary["diversions"].items():
        expected += [((m, "", "", name), est) for m, est in measures.items()]
    expected.append((("officer_hours", "", "", ""), summary["officer_hours"]))
    for pool, channels in summary["pool_channel"].items():
        expected += [(("answered", ch, pool, ""), m["answered"]) for ch, m in channels.items()]
    assert summary["diversions"]
    assert summary["pool_channel"]
    assert set(rows) == {key for key, _ in expected}
    days = summary["days"]
    for key, est in expected:
        i = rows[key]
        unit, daily = _units(key[0])
        assert table.text("unit")[i] == unit, key
        factor = 100.0 if unit == "%" else (1 / days if daily else 1.0)
        for part in ("mean", "ci_low", "ci_high"):
            value = est[part]
            cell = table.text(part)[i]
            if value is None:
                assert cell == "", key
            else:
                assert float(cell) == pytest.approx(value * factor, abs=6e-4), (key, part)


# --- who answered what ----------------------------------------------------------------------


def test_pool_channel_counts_add_up_to_answered(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, "shared.toml", SHARED))
    exp = run_experiment(sc, workers=1)
    for rep in exp.replications:
        for ch, measures in rep.channels.items():
            by_pool = {p: rep.pool_channel[p][ch] for p in rep.pool_channel
                       if ch in rep.pool_channel[p]}
            assert sum(by_pool.values()) == measures["answered"], (rep.index, ch)
        # Both 999 pools and the desk that drops its work really answered 999 calls.
        assert all(rep.pool_channel[p]["999"] > 0 for p in ("specialists", "generalists",
                                                              "digital_desk"))
        assert set(rep.pool_channel["specialists"]) == {"999"}
    (tmp_path / "out").mkdir()
    write_tables(exp, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    for ch in sc.channels:
        total = sum(m[ch]["answered"]["mean"] for m in summary["pool_channel"].values()
                    if ch in m)
        assert total == pytest.approx(summary["channels"][ch]["answered"]["mean"], rel=1e-12)
        per_day_total = sum(m[ch]["answered_per_day"]["mean"]
                            for m in summary["pool_channel"].values() if ch in m)
        assert per_day_total == pytest.approx(total / sc.run.days, rel=1e-12)
    table = read_table(tmp_path / "out" / "pool_channel.csv")
    assert len(table) == sc.run.replications * 5  # 999 by three pools, 101, online


# --- the board paragraph and the comparison's summary.csv ------------------------------------


ATTRITION = """\
extends = "{base}"
name = "20% handler attrition"
[pools.handlers]
scale = 0.8
"""


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("board")
    attrition = write(folder, "attrition.toml",
                      ATTRITION.format(base=(ROOT / "scenarios" / "baseline.toml").as_posix()))
    out = folder / "cmp"
    members = plan_compare([str(ROOT / "scenarios" / f"{n}.toml") for n in
                            ("baseline", "rcrp", "extra-staff")] + [str(attrition)],
                           list(SHORT), out=out)
    run_compare(members, out, report=False)
    return out


def test_board_states_compares_figures_and_verdicts(comparison: Path) -> None:
    from contactsim.results.read import read_compare

    result = read_compare(comparison)
    for i in range(1, len(result.runs)):
        b = board(result, i)
        label, run = result.labels[i], result.runs[i]
        assert b.text() == "\n".join([b.lead, *(f"- {x}" for x in b.bullets), b.note])
        assert b.note.startswith(f"Against {result.runs[0].name} (the base). ")
        # The lead: whether the scenario meets 90% of 999 calls within 10 s.
        sl = run.estimate("channels", "999", "service_level")
        word = "meets" if sl.mean >= 0.9 else "misses"
        assert b.lead.startswith(f"{run.name} {word} the 999 standard (90% answered within "
                                 f"10 s): {fmt('service_level', sl.mean)} (95% CI ")
        for ch in run.channels:
            change = difference(result, label, "channel", ch, "service_level")
            public = ("no clear change" if not is_clear("service_level", change) else
                      "better for the public" if change.mean > 0 else "worse for the public")
            said = (f"{ch}: {fmt('service_level', run.estimate('channels', ch, 'service_level').mean)}"  # noqa: E501
                    f" answered within {fmt_target(run.target_s(ch))}, "
                    f"{fmt_ci('service_level', change, signed=True).replace(' (', ' (95% CI ', 1)}"
                    f" on the base: {public}")
            assert sum(x.startswith(said) for x in b.bullets) == 1, (said, b.bullets)
        officers = difference(result, label, "officers", "all", "officer_hours")
        line = [x for x in b.bullets if "officer hours a day" in x]
        assert len(line) == 1
        if not is_clear("officer_hours", officers):
            assert line[0] == ("officer hours a day "
                               f"{fmt_ci('officer_hours', officers, signed=True).replace(' (', ' (95% CI ', 1)}"  # noqa: E501
                               ": not a clear change")
            continue
        size = fmt_ci("officer_hours", officers.scaled(-1 if officers.mean < 0 else 1))
        assert f"{size.split(' (')[0]} " in line[0]
        assert f"about {about(abs(officers.mean) * MONTH_DAYS)} a month)" in line[0]
    rcrp, extra, attrition = (board(result, i).bullets for i in (1, 2, 3))
    diverted = per_day("diverted", result.runs[1].estimate("diversions", "rcrp", "diverted"),
                       result.runs[1].days)
    assert any(x.startswith(f"rcrp diverts {fmt_ci('diverted', diverted).split(' (')[0]} "
                            "contacts a day") for x in rcrp)
    # RCRP hands incidents to partners: officer hours released, through diversion.
    assert any(x.startswith("releases ") and x.endswith(", through diversion to partners")
               for x in rcrp)
    # Fewer handlers: officer hours fall because callers hung up, which releases nothing.
    officers = next(x for x in attrition if "officer hours" in x)
    assert "releases" not in officers
    assert "released" not in officers.replace("not hours released", "")
    assert " fewer officer hours a day (95% CI " in officers
    assert "because more callers hung up" in officers
    assert any("of callers hung up" in x and x.endswith("worse for the public")
               for x in attrition)
    # More handlers: fewer hang up; officer hours rise, but not clearly in so short a run.
    assert any(x.startswith("officer hours a day +") and x.endswith("not a clear change")
               for x in extra)
    assert any("of callers hung up" in x and x.endswith("better for the public")
               for x in extra)


def test_board_wording_follows_the_clear_rule() -> None:
    # An interval printed as reaching zero is not a clear change, however close.
    tiny = Estimate(0.003, 0.0004, 0.006, 10)
    assert fmt_ci("service_level", tiny, signed=True) == "+0.3 pts (0.0 to +0.6 pts)"
    assert verdict("service_level", tiny) == "not a clear change"
    assert public_words("service_level", tiny) == "no clear change"
    assert verdict("service_level", Estimate(0.003, 0.001, 0.006, 10)) == "a clear rise"
    assert verdict("service_level", Estimate(-0.02, -0.03, -0.01, 10)) == "a clear fall"
    # Better or worse for the public: up is better for service level, worse for hang-ups and
    # waits; staff and utilisation are neither.
    up, down = Estimate(0.02, 0.01, 0.03, 10), Estimate(-0.02, -0.03, -0.01, 10)
    assert public_words("service_level", up) == "better for the public"
    assert public_words("service_level", down) == "worse for the public"
    assert public_words("abandon_rate", up) == "worse for the public"
    assert public_words("mean_answer_s", Estimate(-5.0, -7.0, -3.0, 10)) == \
        "better for the public"
    assert for_public("utilisation", up) == ""
    assert for_public("staff_hours", Estimate(20.0, 10.0, 30.0, 10)) == ""
    assert about(2006.4) == "2,000"
    assert about(7.46) == "7.5"
    assert about(343) == "340"


def test_compare_summary_csv_matches_compare_csv(comparison: Path) -> None:
    changes = read_table(comparison / "summary.csv")
    diffs = read_table(comparison / "compare.csv")
    assert len(changes) == len([m for m in diffs.text("measure") if m != "answered_per_day"])
    days = 2.0
    kinds = {(diffs.text("scenario")[i], diffs.text("kind")[i], diffs.text("name")[i],
              diffs.text("measure")[i]): i for i in range(len(diffs))}
    checked = 0
    for r in range(len(changes)):
        measure = changes.text("measure")[r]
        ch, pool, div = (changes.text(c)[r] for c in ("channel", "pool", "diversion"))
        kind, name = (("pool_channel", f"{pool}/{ch}") if pool and ch else
                      ("channel", ch) if ch else ("pool", pool) if pool else
                      ("diversion", div) if div else ("officers", "all"))
        i = kinds[(changes.text("scenario")[r], kind, name, measure)]
        unit, daily = _units(measure)
        factor = 100.0 if unit == "%" else (1 / days if daily else 1.0)
        est = Estimate(*(float(diffs.numbers(c)[i]) for c in
                         ("difference", "ci_low", "ci_high")), 2)
        for part, value in (("change", est.mean), ("ci_low", est.ci_low),
                            ("ci_high", est.ci_high)):
            if math.isfinite(value):
                assert float(changes.text(part)[r]) == pytest.approx(value * factor, abs=6e-4)
        shown = est if unit in ("%", "s") else est.scaled(factor)
        assert changes.text("clear")[r] == ("yes" if is_clear(measure, shown) else "no")
        assert changes.text("change_unit")[r] == ("pts" if unit == "%" else unit)
        assert changes.text("for_public")[r] == for_public(measure, shown)
        checked += 1
    assert checked > 100
    assert "pool_channel" in diffs.text("kind")
    assert "diversion" not in diffs.text("kind")


# --- the large-run warning ------------------------------------------------------------------


def test_large_run_warning_above_the_threshold_only() -> None:
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml", ["run.days=28"])
    per_rep = size.replication_contacts(sc)
    assert per_rep == pytest.approx(1280 * 30)  # 330 + 800 + 150 a day, 28 + 2 days
    below = math.floor(size.LARGE_RUN_CONTACTS / per_rep)
    small = load_scenario(sc.file, ["run.days=28", f"run.replications={below}"])
    big = load_scenario(sc.file, ["run.days=28", f"run.replications={below + 1}"])
    assert size.size_warning([small], 2) is None
    text = size.size_warning([big], 2)
    assert text is not None
    assert f"about {(below + 1) * per_rep / 1e6:,.0f} million contacts" in text
    assert "--replications" in text
    assert "--days" in text
    # A comparison adds up its scenarios: two that are small apiece make a large job.
    half = load_scenario(sc.file, ["run.days=28", f"run.replications={below // 2 + 1}"])
    assert size.size_warning([half], 2) is None
    assert size.size_warning([half, half], 2) is not None
    # A year of the largest force: one replication needs more memory than the threshold?
    year = load_scenario(ROOT / "scenarios" / "large-force.toml",
                         ["run.days=3650", "run.replications=1"])
    assert size.run_size([year], 1).replication_bytes > size.LARGE_REPLICATION_BYTES
    assert "GB of memory per worker" in (size.size_warning([year], 1) or "")


def test_cli_warns_before_a_large_run(monkeypatch: pytest.MonkeyPatch, minimal: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = minimal.parent / "out"
    monkeypatch.setattr(size, "LARGE_RUN_CONTACTS", 100)  # the minimal run is ~600 contacts
    assert cli.main(["run", str(minimal), "--out", str(out), "--no-report"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: .*minimal\.toml: a large run: about [\d,]+ contacts", err)
    assert cli.main(["run", str(minimal), "--out", str(out), "--no-report", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(size, "LARGE_RUN_CONTACTS", 10**9)
    assert cli.main(["run", str(minimal), "--out", str(out), "--no-report"]) == 0
    assert "large run" not in capsys.readouterr().err


# --- progress -------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_with_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    stream = Terminal()
    bar = JobProgress(stream, total=8, stages=2)
    tick = bar.stage("base")
    tick(1, 4)
    assert "[1/2] base: " in stream.getvalue()
    assert "1/4 replications" in stream.getvalue()
    assert "left" in stream.getvalue()
    # Time left is the time per replication so far times the replications still to run.
    assert bar.line(2, 4, elapsed=10.0).endswith("0:10 gone, about 0:30 left")
    tick(4, 4)
    bar.finish()
    tick = bar.stage("other")
    assert bar.line(2, 4, elapsed=60.0).endswith("1:00 gone, about 0:20 left")
    assert bar.line(4, 4, elapsed=80.0).endswith("1:20 gone")  # done: nothing left to guess
    assert stream.getvalue().count("\n") == 1  # the first scenario's line stays
    assert clock(3725) == "1:02:05"
    # Within the terminal's width: the bar goes first, then the name is shortened.
    wide = bar.line(2, 4, elapsed=60.0, columns=200)
    assert "[##########..........] " in wide
    assert wide.startswith("[2/2] other: ")
    narrow = bar.line(2, 4, elapsed=60.0, columns=60)
    assert len(narrow) <= 60
    assert "#" not in narrow
    assert narrow.endswith("about 0:20 left")


@pytest.mark.parametrize("term", ["xterm", "dumb"])
def test_progress_is_silent_off_a_terminal(monkeypatch: pytest.MonkeyPatch, term: str) -> None:
    monkeypatch.setenv("TERM", term)
    stream = io.StringIO() if term == "xterm" else Terminal()  # a pipe, or a dumb terminal
    bar = JobProgress(stream, total=2)
    bar.stage("x")(1, 2)
    bar.stage("y")(2, 2)
    bar.finish()
    assert stream.getvalue() == ""


def test_run_prints_no_progress_to_a_pipe(minimal: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", str(minimal), "--out", str(minimal.parent / "o"),
                     "--no-report"]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err
    assert "replications," not in captured.err
    assert "pool " in captured.out
    assert "officer hours per day" in captured.out


@pytest.mark.slow
def test_compare_subprocess_stderr_is_clean_and_summary_has_staff(tmp_path: Path) -> None:
    """Through the real command line with stderr piped: no progress drawn, the outputs
    written, and the terminal summary of run shows staff, officers and diversions."""
    out = tmp_path / "cmp"
    done = run_cli("compare", ROOT / "scenarios" / "baseline.toml",
                   ROOT / "scenarios" / "rcrp.toml", "--out", out, "--days", "2",
                   "--replications", "3")
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    assert "\033" not in done.stderr
    assert (out / "summary.csv").is_file()
    assert (out / "rcrp" / "summary.csv").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("For a board paper", "Who answered what", "Diversions to partners"):
        assert heading in page
    done = run_cli("run", ROOT / "scenarios" / "rcrp.toml", "--out", tmp_path / "r",
                   "--days", "2", "--replications", "3")
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    for words in ("staff hours/day", "handlers", "officer hours per day",
                  "diversion rcrp:", "handovers failed per day"):
        assert words in done.stdout
    assert "Who answered what" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


# --- how many replications would settle an unsure verdict ------------------------------------


def test_replications_for_one_point() -> None:
    # The half-width falls as 1/sqrt(n): ±2 pts from 6 replications needs 6 x 2^2 = 24.
    assert replications_for(Estimate(0.88, 0.86, 0.90, 6), 6) == 24
    assert replications_for(Estimate(0.88, 0.865, 0.895, 10), 10) == 23  # 10 x 1.5^2 = 22.5
    # A share's interval clipped at 100%: the unclipped side gives the half-width.
    assert replications_for(Estimate(0.995, 0.975, 1.0, 5), 5) == 20
    # Already within a point: no more than now; no interval at all: nothing to scale.
    assert replications_for(Estimate(0.9, 0.895, 0.905, 10), 10) == 10
    assert replications_for(Estimate(0.9, math.nan, math.nan, 1), 1) is None
    assert replications_advice(Estimate(0.88, 0.86, 0.90, 6), 6) == (
        "about 24 replications (now 6) would bring it to ±1 point (it is ±2.0 pts now)")


@pytest.mark.parametrize(("target_s", "unsure"), [(240, True), (30, False)])
def test_unsure_verdict_says_how_many_replications(tmp_path: Path, target_s: int, unsure: bool,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import mm_scenario

    # Four replications of two days: the service level within 4 min is near 90%, its interval
    # some ±4 pts wide; within 30 s it is far below 90% whatever the interval.
    path = write(tmp_path, "mm.toml", mm_scenario(per_hour=30, handle_s=300, agents=4, days=2,
                                                  reps=4, target_s=target_s))
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out"), "--no-report"]) == 0
    out = capsys.readouterr().out
    sl = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))[
        "channels"]["q"]["service_level"]
    assert (sl["ci_low"] < 0.9 <= sl["ci_high"]) is unsure
    half = max(sl["mean"] - sl["ci_low"], sl["ci_high"] - sl["mean"])
    needed = math.ceil(4 * (half / 0.01) ** 2)
    advice = f"about {needed} replications (now 4) would bring it to ±1 point"
    # The report's words, from the saved folder as the report reads it, without its plots
    # (drawing them is what test_plots checks, and most of a report's cost).
    page = run_html(read_run(tmp_path / "out"), [])
    if unsure:
        assert needed > 4
        assert (f"  note: q's service level interval spans 90%, so whether it meets the target "
                f"is not certain: {advice}") in out
        assert f"the 95% interval spans 90%; {advice}" in page
    else:
        assert "note: q's service level" not in out
        assert "replications (now 4)" not in page


def test_sweep_badge_counts_the_sweeps_replications(tmp_path: Path) -> None:
    """A sweep's table rows carry no replication count of their own: the advice uses the
    sweep's (4 here), not a placeholder."""
    from conftest import mm_scenario

    path = write(tmp_path, "mm.toml", mm_scenario(per_hour=30, handle_s=300, agents=4, days=2,
                                                  reps=4, target_s=240))
    out = tmp_path / "sweep"
    assert cli.main(["sweep", str(path), "--vary", "pools.p.scale=1.0", "--out", str(out),
                     "--quiet"]) == 0
    sl = json.loads((out / "points" / "point-01" / "summary.json").read_text(
        encoding="utf-8"))["channels"]["q"]["service_level"]
    assert sl["ci_low"] < 0.9 <= sl["ci_high"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "replications (now 4) would bring it to ±1 point" in page
