"""The calendar end to end: real dates change demand exactly as DESIGN §9 says, and only then.

- A run pinned to dates with flat weights is the same run as one without a calendar (same seed):
  every figure of summary.json is identical, so turning the calendar on changes nothing else.
- Monthly weights and special days move the offered volumes by their factors: each observed
  mean is checked against the exact expected count (the Poisson mean the rates imply) within a
  99.9% interval over replications, so the test fails only if the rates are wrong.
- daily.csv and monthly.csv hold one row per measured date (month) and channel with the
  contract's columns; a run without start_date writes neither.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime
from pathlib import Path

import numpy as np
import pytest

from conftest import write
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.stats import mean_ci
from contactsim.config.loading import load_scenario
from contactsim.results.read import read_run, read_table
from contactsim.results.write import summary, write_tables

BASE = """
name = "calendar check"
[run]
days = {days}
warmup_days = {warmup}
replications = {reps}
seed = 4242
{run_extra}
[channels.999]
per_day = {per_day}
hourly = [0.6, 0.5, 0.45, 0.4, 0.35, 0.35, 0.45, 0.6, 0.8, 0.95, 1.0, 1.05,
          1.1, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5, 1.55, 1.5, 1.4, 1.15, 0.85]
weekly = {weekly}
patience = {{ dist = "exponential", mean = 120 }}
connect_s = {{ dist = "uniform", low = 2, high = 7 }}
[channels.101]
per_day = {per_day}
priority = 2
answer_target_s = 60
[categories.crime]
handle = {{ dist = "exponential", mean = 200 }}
[pools.handlers]
skills = ["999", "101"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = {staff} }} ]
{extra}
"""


def scenario_text(*, days: float = 7, warmup: float = 2, reps: int = 4, per_day: float = 300,
                  staff: int = 4, run_extra: str = "", extra: str = "",
                  weekly: str = "[0.95, 0.93, 0.95, 0.97, 1.07, 1.1, 1.03]") -> str:
    return BASE.format(days=days, warmup=warmup, reps=reps, per_day=per_day, staff=staff,
                       run_extra=run_extra, extra=extra, weekly=weekly)


def interval(values: np.ndarray) -> tuple[float, float]:
    """The 99.9% Student t interval of the mean of per-replication values."""
    est = mean_ci(values, level=0.999)
    return est.ci_low, est.ci_high


def test_flat_calendar_is_the_same_run_as_no_calendar(tmp_path: Path) -> None:
    # 2025-06-04 is a Wednesday; with two warm-up days, time 0 is Monday 2025-06-02 00:00.
    dated = load_scenario(write(tmp_path, "dated.toml", scenario_text(
        run_extra='start_date = "2025-06-04"',
        extra="[calendar]\nmonthly = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]")))
    plain = load_scenario(write(tmp_path, "plain.toml", scenario_text(
        run_extra='start_day = "mon"')))
    assert dated.run.start_day == plain.run.start_day == 0
    a, b = summary(run_experiment(dated, workers=1)), summary(run_experiment(plain, workers=1))
    for key in ("channels", "pools", "diversions", "officer_hours", "warnings"):
        assert a[key] == b[key], key


def test_without_start_date_no_calendar_tables(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, "plain.toml", scenario_text(reps=2, days=2)))
    assert sc.calendar is None
    write_tables(run_experiment(sc, workers=1), tmp_path)
    assert not (tmp_path / "daily.csv").exists()
    assert not (tmp_path / "monthly.csv").exists()


@pytest.mark.slow
def test_monthly_weights_scale_each_month(tmp_path: Path) -> None:
    weights = [1.0, 2.0, 1.5, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    mean = sum(weights) / 12
    sc = load_scenario(write(tmp_path, "months.toml", scenario_text(
        days=90, warmup=0, reps=6, per_day=200, staff=40, weekly="[1, 1, 1, 1, 1, 1, 1]",
        run_extra='start_date = "2025-01-01"',
        extra=f"[calendar]\nmonthly = {weights}")))
    exp = run_experiment(sc, workers=1)
    folder = tmp_path / "out"
    folder.mkdir()
    write_tables(exp, folder)
    by_rep = read_table(folder / "monthly_replications.csv")
    for month, days_in in (("2025-01", 31), ("2025-02", 28), ("2025-03", 31)):
        m = int(month[-2:]) - 1
        expected = 200 * weights[m] / mean * days_in
        for channel in ("999", "101"):
            rows = by_rep.where("month", month).where("channel", channel)
            low, high = interval(rows.numbers("offered"))
            assert low <= expected <= high, (month, channel, low, expected, high)
    monthly = read_table(folder / "monthly.csv")
    assert monthly.header[:5] == ("month", "channel", "offered_mean", "offered_ci_low",
                                  "offered_ci_high")
    assert len(monthly) == 3 * 2


def test_special_day_multiplies_its_date_and_named_channels_only(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, "nye.toml", scenario_text(
        days=3, warmup=1, reps=8, per_day=2000, staff=60, weekly="[1, 1, 1, 1, 1, 1, 1]",
        run_extra='start_date = "2025-12-30"',
        extra='[[calendar.days]]\ndate = "12-31"\nfactor = 1.4\nchannels = ["999"]\n')))
    exp = run_experiment(sc, workers=1)
    write_tables(exp, tmp_path)
    daily = read_table(tmp_path / "daily.csv")
    assert daily.header == ("date", "channel", *(f"{m}_{p}" for m in (
        "offered", "service_level", "mean_answer_s", "abandon_rate")
        for p in ("mean", "ci_low", "ci_high")))
    assert daily.distinct("date") == ["2025-12-30", "2025-12-31", "2026-01-01"]
    reps = exp.replications
    k = {"2025-12-30": 0, "2025-12-31": 1, "2026-01-01": 2}
    for date, channel, expected in (("2025-12-31", "999", 2800), ("2025-12-31", "101", 2000),
                                    ("2025-12-30", "999", 2000), ("2026-01-01", "999", 2000)):
        assert all(r.daily is not None for r in reps)
        values = np.array([r.daily[channel]["offered"][k[date]] for r in reps  # type: ignore[index]
                           ])
        low, high = interval(values)
        assert low <= expected <= high, (date, channel, low, expected, high)


def test_bank_holiday_takes_the_profile_days_weight(tmp_path: Path) -> None:
    # Monday 2025-08-25 is the August bank holiday in England and Wales, not in Scotland.
    text = scenario_text(days=1, warmup=0, reps=2, run_extra='start_date = "2025-08-25"',
                         weekly="[1, 1, 1, 1, 1, 1, 0.5]",
                         extra='[calendar]\nbank_holidays = "REGION"\n')
    england = load_scenario(write(tmp_path, "e.toml", text.replace("REGION", "england-and-wales")))
    scotland = load_scenario(write(tmp_path, "s.toml", text.replace("REGION", "scotland")))
    from contactsim.engine.demand import Demand
    from contactsim.engine.streams import Streams

    def expected_on_day_zero(sc: object) -> float:
        demand = Demand(sc, Streams(1, 0))  # type: ignore[arg-type]
        return float(np.sum(demand.day_rates(0, 0)))

    flat = 300 / (sum([1, 1, 1, 1, 1, 1, 0.5]) / 7)
    assert expected_on_day_zero(england) == pytest.approx(flat * 0.5)
    assert expected_on_day_zero(scotland) == pytest.approx(flat * 1.0)
    folder = tmp_path / "run"
    folder.mkdir()
    write_tables(run_experiment(england, workers=1), folder)
    assert "2025-08-25" in read_run(folder).bank_holidays


def test_start_date_sets_time_zero_weekday(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, "d.toml", scenario_text(
        run_extra='start_date = "2025-01-01"\nstart_day = "wed"')))
    assert sc.calendar is not None
    assert sc.calendar.start_date == datetime.date(2025, 1, 1)
    # Two warm-up days: time 0 is Monday 30 December 2024.
    assert sc.run.start_day == std_calendar.MONDAY


@pytest.mark.slow
def test_report_shows_service_level_by_date_and_the_worst_days(tmp_path: Path) -> None:
    from contactsim.present.report import write_run_report

    sc = load_scenario(write(tmp_path, "r.toml", scenario_text(
        days=40, warmup=1, reps=2, staff=3, run_extra='start_date = "2025-08-10"',
        extra='[calendar]\nbank_holidays = "england-and-wales"\n')))
    folder = tmp_path / "out"
    folder.mkdir()
    write_tables(run_experiment(sc, workers=1), folder)
    report = write_run_report(folder).read_text(encoding="utf-8")
    assert (folder / "plots" / "calendar_999.png").is_file()
    assert "Service level by date" in report
    assert "999: the ten worst days" in report
    assert "2025-08-25" in read_run(folder).bank_holidays  # flagged on the calendar
    daily = read_table(folder / "daily.csv").where("channel", "999")
    values = daily.numbers("service_level_mean")
    worst = daily.text("date")[int(np.nanargmin(values))]
    day = datetime.date.fromisoformat(worst)
    assert f"{day:%a %d %b %Y}" in report  # the worst day is listed by its date


@pytest.mark.slow
def test_compare_shows_the_change_by_month(tmp_path: Path) -> None:
    from contactsim.jobs.whatif import run_compare
    from contactsim.results.compare import plan_compare

    text = scenario_text(days=45, warmup=1, reps=3, staff=3,
                         run_extra='start_date = "2025-01-20"')
    base = write(tmp_path, "base.toml", text)
    more = write(tmp_path, "more.toml", text.replace("staff = 3", "staff = 5"))
    result = run_compare(plan_compare([str(base), str(more)], []), tmp_path / "cmp",
                         report=True)
    assert result.monthly is not None
    rows = result.monthly.where("channel", "999").where("measure", "service_level")
    assert rows.distinct("month") == ["2025-01", "2025-02", "2025-03"]
    assert set(rows.text("method")) == {"paired"}
    assert np.all(rows.numbers("ci_low") > 0)  # two more handlers: clearly better every month
    report = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert "Change by month" in report
    assert "999: service level by month" in report
