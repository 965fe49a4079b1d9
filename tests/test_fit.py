"""``contactsim fit``: a scenario estimated from a contact log (DESIGN §10).

Fast: the ratio interval by hand, a small simulated log fitted in process (the folder, fit.json,
the scenario loads and runs, ``plot`` redraws it), too few rows (a warning and a fallback that
loads), bad input (exit 2, nothing written).
Slow: ``--skip-bad-rows`` counted in fit.json (a second fit and report drawn; the counting itself is
test_log_read's, in the fast tier); (statistical, subprocess) the round trip — a known scenario
simulated for 63 days and fitted recovers its per_day, hourly and weekly shapes, mix, connection,
handle and patience means and redial share within their intervals, for exponential, lognormal and
gamma patience and handle times; end to end on the shipped example export with --columns and --base.

Tolerances: fit's intervals are 95%. The round trip makes about 110 interval checks, so at 95%
some five would fail by chance alone; as elsewhere in the suite each check uses the 99.9%
interval instead, the 95% half-width widened by z(0.9995)/z(0.975) = 3.29/1.96 (every interval
here is a normal or t one, or the exponential's chi-square one, close to normal at these
sizes), so all pass together with probability about 0.9 at worst and the seed is fixed.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from conftest import ROOT, run_cli, write
from contactsim.analysis.experiment import run_replication
from contactsim.analysis.fit import LogFit, fit_log
from contactsim.analysis.fit_demand import Interval, ratio_interval
from contactsim.cli import main
from contactsim.config.loading import load_scenario, with_changes
from contactsim.config.spec import Scenario
from contactsim.engine.contactlog import simulate_log
from contactsim.jobs.logs import log_stem, run_fit_job
from contactsim.logs.write import write_log

#: z(0.9995) / z(0.975): a 95% half-width widened to the suite's 99.9% (module notes).
WIDEN = float(stats.norm.ppf(0.9995) / stats.norm.ppf(0.975))


def within(iv: Interval, truth: float) -> bool:
    """Whether ``truth`` lies in the 99.9% interval built from this 95% one."""
    return (iv.estimate - WIDEN * (iv.estimate - iv.low) <= truth
            <= iv.estimate + WIDEN * (iv.high - iv.estimate))


#: Small and quick: two voice channels and a digital one, four days.
SMALL = """\
name = "small fit room"
[run]
days = 4
warmup_days = 1
replications = 1
seed = 3
[channels.999]
per_day = 400
answer_target_s = 10
connect_s = { dist = "uniform", low = 2, high = 7 }
patience = { dist = "exponential", mean = 60 }
mix = { crime = 0.7, welfare = 0.3 }
[channels.101]
per_day = 300
priority = 2
patience = { dist = "lognormal", mean = 200, sd = 150 }
mix = { crime = 0.5, info = 0.5 }
on_abandon = { redial = 0.5, redial_delay = { dist = "exponential", mean = 600 } }
[channels.web]
kind = "digital"
per_day = 100
priority = 5
answer_target_s = 3600
mix = { info = 1.0 }
[categories.crime]
handle = { dist = "lognormal", mean = 300, sd = 150 }
wrap_up = 30
[categories.welfare]
handle = { dist = "gamma", mean = 500, sd = 250 }
[categories.info]
handle = { dist = "exponential", mean = 150 }
[pools.handlers]
skills = ["999", "101", "web"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 3 } ]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Scenario, Path]:
    folder = tmp_path_factory.mktemp("fit")
    file = write(folder, "small.toml", SMALL)
    sc = load_scenario(file)
    _, log = simulate_log(sc, 0)
    path = folder / "small-log.csv.gz"
    write_log(log, path)
    return file, sc, path


def test_ratio_interval_by_hand() -> None:
    # three days: 2 of 10, 3 of 10, 5 of 10 -> R = 10/30; residuals -4/3, -1/3, 5/3
    iv = ratio_interval(np.array([2.0, 3.0, 5.0]), np.array([10.0, 10.0, 10.0]))
    se = math.sqrt((16 / 9 + 1 / 9 + 25 / 9) / (3 * 2)) / 10
    half = float(stats.t.ppf(0.975, 2)) * se
    assert iv.estimate == pytest.approx(1 / 3)
    assert (iv.low, iv.high) == pytest.approx((max(1 / 3 - half, 0), 1 / 3 + half))  # a share


def test_log_stem() -> None:
    assert log_stem("exports/force-log.csv.gz") == "force-log"
    assert log_stem("a.CSV") == "a"
    assert log_stem("calls") == "calls"


def test_a_small_log_fits_and_its_folder(small: tuple[Path, Scenario, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _file, _sc, log = small
    out = tmp_path / "fit"
    assert main(["fit", str(log), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "999: " in printed
    assert "a day (95% interval" in printed
    assert "  staff: " in printed  # the pool's staff by hour, and how it was calibrated
    assert sorted(p.name for p in out.iterdir()) == [
        "demand.csv", "fit.json", "histograms.csv", "plots", "report.html", "scenario.toml",
        "survival.csv"]
    summary = json.loads((out / "fit.json").read_text())
    assert summary["kind"] == "fit"
    assert summary["logs"]["rows_read"] == summary["logs"]["rows_used"] > 0
    channels = summary["channels"]
    assert channels["web"]["kind"] == "digital"
    assert channels["web"]["patience"] is None
    assert channels["999"]["kind"] == "voice"
    table = channels["101"]["patience"]["families"]
    assert [f["family"] for f in table] == ["exponential", "lognormal", "gamma", "weibull"]
    assert sum(f["chosen"] for f in table) == 1
    assert min(f["delta_aic"] for f in table) == 0
    assert channels["101"]["redial"]["redialled"] > 0
    text = (out / "scenario.toml").read_text()
    assert text.startswith("# Fitted by contactsim fit from the contact log(s):")
    assert f"# Rows: {summary['logs']['rows_read']:,} read" in text
    assert "its staff_by_hour is estimated from the log" in text  # no --base: the pool is said
    staff = summary["staff_by_hour"]
    assert len(staff["estimate"]) == len(staff["written"]) == 168
    assert staff["calibration"]["target"] == "abandoned share"
    assert summary["default_pool"]["used"] is False
    fitted = load_scenario(out / "scenario.toml")
    assert set(fitted.channels) == {"999", "101", "web"}
    oa999, oa101 = fitted.channels["999"].on_abandon, fitted.channels["101"].on_abandon
    assert oa999 is not None
    assert oa999.redial == 0
    assert oa101 is not None
    assert 0 < oa101.redial < 1
    # it runs as it stands
    rep = run_replication(with_changes(fitted, {("run", "days"): 2, ("run", "warmup_days"): 0}),
                          0)
    assert rep.channels["999"]["offered"] > 0
    # and plot redraws it from the saved files
    (out / "report.html").unlink()
    assert main(["plot", str(out)]) == 0
    assert "report: " in capsys.readouterr().out
    assert {p.name for p in (out / "plots").iterdir()} >= {"fit_demand.png", "fit_patience.png",
                                                           "fit_handle.png"}
    html = (out / "report.html").read_text()
    assert "Durations: which shape fits best" in html
    assert "data:image/png;base64," in html


def test_base_is_extended_and_only_estimates_set(small: tuple[Path, Scenario, Path],
                                                 tmp_path: Path) -> None:
    _file, _sc, log = small
    base = write(tmp_path, "base.toml", SMALL.replace("staff = 3", "staff = 7"))
    out = tmp_path / "results" / "fit-x"
    fit = run_fit_job([str(log)], out, base=str(base), report=False)
    assert isinstance(fit, LogFit)
    text = (out / "scenario.toml").read_text()
    assert 'extends = "../../base.toml"' in text
    assert "[pools" not in text
    assert "answer_target_s" not in text
    fitted = load_scenario(out / "scenario.toml")
    assert fitted.pools["handlers"].roster[0].staff == 7  # the base's
    assert fitted.channels["web"].answer_target_s == 3600  # the base's
    assert fitted.channels["999"].patience is not None


def _vendor_rows(n: int) -> tuple[str, list[str]]:
    with gzip.open(ROOT / "examples" / "force-log.csv.gz", "rt") as fh:
        header = fh.readline()
        return header, [fh.readline() for _ in range(n)]


@pytest.mark.slow
def test_skip_bad_rows_counts_in_fit_json(tmp_path: Path) -> None:
    header, rows = _vendor_rows(3000)
    bad = [*rows[:100], "2025-10-06 25:61:00,999,crime,,,,,,,x\n",
           "2025-10-06 10:00:00,999,crime,,,,-5,,,y\n", *rows[100:]]
    log = write(tmp_path, "export.csv", header + "".join(bad))
    columns = str(ROOT / "examples" / "vendor-columns.toml")
    out = tmp_path / "fit"
    assert main(["fit", str(log), "--columns", columns, "--out", str(out), "--quiet"]) == 2
    assert not out.exists()
    assert main(["fit", str(log), "--columns", columns, "--out", str(out), "--quiet",
                 "--skip-bad-rows"]) == 0
    logs = json.loads((out / "fit.json").read_text())["logs"]
    assert logs["rows_skipped"].get("unparseable arrived", 0) >= 1
    assert logs["rows_skipped"].get("negative talk_s", 0) >= 1
    assert logs["rows_skipped_total"] == sum(logs["rows_skipped"].values())
    assert logs["rows_read"] == 3002


def test_too_few_rows_warn_and_fall_back(tmp_path: Path) -> None:
    # two days of a quiet log: a handful of calls a channel, too few hang-ups for a patience
    lines = "".join(f"2024-01-0{d} {h:02d}:{m:02d}:00,999,crime,,2024-01-0{d} {h:02d}:{m:02d}:0"
                    f"{m % 7},,{100 + 7 * m},\n" for d in (1, 2) for h in range(24)
                    for m in (5, 50))
    lines += "2024-01-01 12:00:30,999,crime,,,2024-01-01 12:01:30,,\n"
    log = write(tmp_path, "quiet.csv", "arrived,channel,category,queued,answered,abandoned,"
                "talk_s,wrap_s\n" + lines)
    out = tmp_path / "fit"
    assert main(["fit", str(log), "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "fit.json").read_text())
    patience = summary["channels"]["999"]["patience"]
    assert patience["chosen"] is None
    assert "fewer than the 20" in patience["warning"]
    assert any("patience on channel 999 could not be fitted; callers never hang up" in w
               for w in summary["warnings"])
    assert "only 2 whole day(s) used" in " ".join(summary["warnings"])
    fitted = load_scenario(out / "scenario.toml")  # the fallback loads
    assert fitted.channels["999"].patience is None
    assert "could not be fitted" in (out / "report.html").read_text()


def _bad(tmp_path: Path, small_log: Path) -> dict[str, tuple[list[str], str]]:
    garbled = tmp_path / "garbled.csv.gz"
    garbled.write_bytes(b"\x1f\x8b\x08\x00garbage")
    columns = write(tmp_path, "cols.toml", 'arrived = "Start"\nchanel = "Line"\n')
    base = write(tmp_path, "base.toml", SMALL.replace("per_day = 400", "per_dya = 400"))
    other = write(tmp_path, "other.toml", SMALL.replace("[channels.web]", "[channels.webchat]")
                  .replace('"web"', '"webchat"'))
    return {
        "missing log": ([str(tmp_path / "nope.csv")], "nope.csv"),
        "garbled log": ([str(garbled)], "garbled.csv.gz"),
        "bad columns": ([str(small_log), "--columns", str(columns)], "chanel"),
        "bad base": ([str(small_log), "--base", str(base)], "channels.999.per_dya: unknown key"),
        "channel not in base": ([str(small_log), "--base", str(other)],
                                "unknown channel 'web'"),
        "missing base": ([str(small_log), "--base", str(tmp_path / "no.toml")], "no.toml"),
    }


@pytest.mark.parametrize("case", ["missing log", "garbled log", "bad columns", "bad base",
                                  "channel not in base", "missing base"])
def test_bad_input_exits_2_and_writes_nothing(small: tuple[Path, Scenario, Path],
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              case: str) -> None:
    args, expected = _bad(tmp_path, small[2])[case]
    out = tmp_path / "out"
    assert main(["fit", *args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert all(line.startswith("error: ") for line in err.splitlines() if line)
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


# --- the round trip (slow) ------------------------------------------------------------------

#: Three voice channels whose patience is exponential, lognormal and gamma, three categories
#: whose handle times are the same three, a digital channel; redials on 101; 63 days (nine
#: whole weeks, so every weekday has nine days), about 150,000 contacts. A pool per channel,
#: each small enough for its queue to be busy, so that thousands of callers hang up (patience
#: needs hang-ups) and most are answered (their waits are the censored part).
ROUND = """\
name = "round trip"
[run]
days = 63
warmup_days = 1
replications = 1
seed = 20240101
[channels.999]
per_day = 700
answer_target_s = 10
connect_s = { dist = "uniform", low = 2, high = 7 }
hourly = [0.5, 0.4, 0.35, 0.3, 0.3, 0.35, 0.5, 0.7, 0.9, 1.0, 1.1, 1.15,
          1.2, 1.2, 1.2, 1.25, 1.3, 1.4, 1.5, 1.55, 1.5, 1.4, 1.1, 0.8]
weekly = [0.95, 0.93, 0.95, 0.97, 1.07, 1.1, 1.03]
patience = { dist = "exponential", mean = 60 }
mix = { crime = 0.5, welfare = 0.3, info = 0.2 }
[channels.101]
per_day = 900
priority = 2
hourly = [0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.4, 1.7, 1.8, 1.75,
          1.7, 1.6, 1.7, 1.6, 1.55, 1.5, 1.3, 1.2, 1.0, 0.8, 0.6, 0.4]
weekly = [1.1, 1.05, 1.0, 1.0, 1.05, 0.85, 0.9]
patience = { dist = "lognormal", mean = 240, sd = 180 }
mix = { crime = 0.3, welfare = 0.2, info = 0.5 }
on_abandon = { redial = 0.4, redial_delay = { dist = "exponential", mean = 1800 } }
[channels.chat]
per_day = 500
priority = 3
patience = { dist = "gamma", mean = 180, sd = 90 }
mix = { crime = 0.2, info = 0.8 }
[channels.web]
kind = "digital"
per_day = 300
priority = 5
answer_target_s = 3600
mix = { crime = 0.6, info = 0.4 }
[categories.crime]
handle = { dist = "lognormal", mean = 300, sd = 150 }
wrap_up = 30
[categories.welfare]
handle = { dist = "gamma", mean = 400, sd = 200 }
wrap_up = { dist = "exponential", mean = 45 }
[categories.info]
handle = { dist = "exponential", mean = 120 }
[pools.emergency]
skills = ["999"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 4 } ]
[pools.enquiries]
skills = ["101"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 4 } ]
[pools.chat]
skills = ["chat"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 1 } ]
[pools.desk]
skills = ["web"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 1 } ]
"""


@pytest.fixture(scope="module")
def round_trip() -> tuple[Scenario, LogFit]:
    sc = load_scenario_text(ROUND)
    _, log = simulate_log(sc, 0)
    return sc, fit_log(log)


def load_scenario_text(text: str) -> Scenario:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return load_scenario(write(Path(folder), "round.toml", text))


@pytest.mark.slow
def test_round_trip_demand(round_trip: tuple[Scenario, LogFit]) -> None:
    sc, fit = round_trip
    misses = []
    for name, spec in sc.channels.items():
        d = fit.channels[name].demand
        assert d.days >= 61  # 63 whole days, less an edge day or two
        if not within(d.per_day, spec.per_day):
            misses.append((name, "per_day", d.per_day, spec.per_day))
        assert d.weekly is not None
        for i, (iv, truth) in enumerate(zip(d.weekly, spec.weekly, strict=True)):
            if not within(iv, truth):
                misses.append((name, f"weekly[{i}]", iv, truth))
        for h, (iv, truth) in enumerate(zip(d.hourly, spec.hourly, strict=True)):
            if not within(iv, truth):
                misses.append((name, f"hourly[{h}]", iv, truth))
        for cat, truth in spec.mix:
            if not within(fit.channels[name].mix[cat], truth):
                misses.append((name, f"mix.{cat}", fit.channels[name].mix[cat], truth))
    assert not misses


@pytest.mark.slow
def test_round_trip_durations(round_trip: tuple[Scenario, LogFit]) -> None:
    sc, fit = round_trip
    misses = []
    expected = {"999": "exponential", "101": "lognormal", "chat": "gamma"}
    for name, family in expected.items():
        patience = fit.channels[name].patience
        assert patience is not None
        assert patience.fitted is not None
        spec = sc.channels[name].patience
        assert spec is not None
        if not within(patience.mean, spec.mean):
            misses.append((name, "patience", patience.mean, spec.mean))
        if family != "exponential":  # a gamma or Weibull of shape 1 ties with it by AIC
            assert patience.fitted.best.family == family, name
    for cat, family in {"crime": "lognormal", "welfare": "gamma", "info": "exponential"}.items():
        handle = fit.categories[cat]["handle"]
        assert handle.fitted is not None
        if not within(handle.mean, sc.categories[cat].handle.mean):
            misses.append((cat, "handle", handle.mean, sc.categories[cat].handle.mean))
        if family != "exponential":
            assert handle.fitted.best.family == family, cat
    assert fit.categories["crime"]["wrap_up"].constant == 30
    connect = fit.channels["999"].connect
    assert connect is not None
    assert within(connect.mean, 4.5)
    redials = fit.channels["101"].redials
    assert redials is not None
    assert within(redials.probability, 0.4)
    delay = fit.delays["101"]
    assert within(delay.mean, 1800)
    assert fit.channels["999"].redials is not None
    assert fit.channels["999"].redials.redialled == 0
    assert not misses


@pytest.mark.slow
def test_round_trip_scenario_runs(round_trip: tuple[Scenario, LogFit], tmp_path: Path) -> None:
    _sc, fit = round_trip
    from contactsim.analysis.fit_scenario import fitted_document
    from contactsim.results.fit import write_fit

    doc, notes, defaults = fitted_document(fit, name="refit", base_ref=None)
    write_fit(fit, tmp_path, doc, notes, defaults, None)
    fitted = load_scenario(tmp_path / "scenario.toml")
    assert defaults is not None
    assert defaults.pool_staff >= 1
    short = with_changes(fitted, {("run", "days"): 3, ("run", "warmup_days"): 1})
    rep = run_replication(short, 0)
    # three days of 999 at the fitted rate: about 2,100 offered (Poisson, sd about 46)
    assert abs(rep.channels["999"]["offered"] - 3 * fitted.channels["999"].per_day) < 5 * 46


@pytest.mark.slow
def test_end_to_end_on_the_example_export(tmp_path: Path) -> None:
    out = tmp_path / "fit"
    result = run_cli("fit", ROOT / "examples" / "force-log.csv.gz", "--columns",
                     ROOT / "examples" / "vendor-columns.toml", "--base",
                     ROOT / "scenarios" / "baseline-2025.toml", "--skip-bad-rows",
                     "--out", out)
    assert result.returncode == 0, result.stderr
    assert "999: " in result.stdout
    summary = json.loads((out / "fit.json").read_text())
    assert summary["logs"]["rows_skipped_total"] > 0
    assert summary["logs"]["duplicates"] > 0
    assert summary["logs"]["in_progress"] > 0
    base = load_scenario(ROOT / "scenarios" / "baseline-2025.toml")
    fitted = load_scenario(out / "scenario.toml")
    assert fitted.pools == base.pools
    assert fitted.diversions == base.diversions
    # the example is baseline-2025 simulated and roughened: its figures come back
    ch = summary["channels"]["999"]
    assert ch["patience"]["mean_s"]["ci_low"] <= 180 * WIDEN
    p = Interval(ch["per_day"]["estimate"], ch["per_day"]["ci_low"], ch["per_day"]["ci_high"])
    assert abs(p.estimate - base.channels["999"].per_day) < 0.1 * base.channels["999"].per_day
    plot = run_cli("plot", out)
    assert plot.returncode == 0, plot.stderr
