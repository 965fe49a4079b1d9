"""Demand beyond per_day x weekly x hourly: hour-of-week profiles, opening hours, day-to-day
variation (issue 20, items 2 and 3).

Counts are checked against what the model says they are: arrivals by hour of week with a
chi-square test on 167 degrees of freedom (every expected count is known exactly, nothing is
estimated), with its power shown by rejecting the separable model fitted to the same counts;
closed contacts by exact conservation against the same scenario always open (common random
numbers: the channel's arrival stream is the same, so every contact is accounted for); the moved
share by its binomial interval; daily variance by its own standard error, from the sample's
fourth moment.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from conftest import summary, write
from contactsim import cli
from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.engine import ControlRoom, ModelOutput
from contactsim.engine.arrivals import hourly_rates, offered_rates
from contactsim.engine.demand import Demand
from contactsim.engine.records import DIVERTED
from contactsim.engine.streams import Streams
from contactsim.problems import ScenarioError
from contactsim.timebase import DAY_S, HOUR_S, HOURS_PER_WEEK

PROFILE = np.random.default_rng(5).uniform(0.2, 3.0, HOURS_PER_WEEK)
POOL = """
[categories.crime]
handle = {{ dist = "exponential", mean = 300 }}
[pools.p]
skills = ["999", "101"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 12 }} ]
scale = {scale}
"""


def scenario(tmp_path: Path, channels: str, run: str = "days = 14", extra: str = "",
             scale: float = 1.0) -> Scenario:
    text = (f'name = "shape"\n[run]\nwarmup_days = 0\nreplications = 1\nseed = 7\n{run}\n'
            f"{channels}\n{POOL.format(scale=scale)}\n{extra}")
    return load_scenario(write(tmp_path, "s.toml", text))


def arrivals_by_day(sc: Scenario, n_days: int) -> list[dict[int, np.ndarray]]:
    """Each simulated day's arrival times, by channel index, straight from the demand."""
    demand = Demand(sc, Streams(sc.run.seed, 0))
    out = []
    for day in range(n_days):
        drawn = demand.day(day, 0.0, n_days * DAY_S)
        out.append({k: drawn.arrival[drawn.ch == k] for k in range(len(sc.channels))})
    return out


def weights(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{w:.6f}" for w in values) + "]"


# --- hour of week ---------------------------------------------------------------------------


def test_arrivals_by_hour_of_week_follow_the_profile(tmp_path: Path) -> None:
    weeks, per_day = 8, 1000.0
    sc = scenario(tmp_path, f"[channels.999]\nper_day = {per_day}\nhour_of_week = "
                  f"{weights(PROFILE)}\n[channels.101]\nper_day = 10\n", f"days = {7 * weeks}")
    times = np.concatenate([d[0] for d in arrivals_by_day(sc, 7 * weeks)])
    counts = np.bincount((times // HOUR_S).astype(int) % HOURS_PER_WEEK,
                         minlength=HOURS_PER_WEEK)
    expected = weeks * per_day * PROFILE / PROFILE.mean() / 24
    assert expected.sum() == pytest.approx(7 * weeks * per_day)  # per_day stays the mean day
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert stats.chi2.sf(chi2, HOURS_PER_WEEK - 1) > 1e-3
    # The test has power: the separable model (weekly x hourly margins of these very counts)
    # is rejected outright, which is why hour_of_week exists.
    table = counts.reshape(7, 24).astype(float)
    separable = np.outer(table.sum(1), table.sum(0)) / table.sum()
    chi2_sep = float(((table - separable) ** 2 / separable).sum())
    assert stats.chi2.sf(chi2_sep, 6 * 23) < 1e-6


def test_hour_of_week_under_a_calendar(tmp_path: Path) -> None:
    """With a calendar and flat months, a day's rates are the profile's, bit for bit; a bank
    holiday takes the bank_holiday_profile weekday's 24 hours."""
    sc = scenario(tmp_path, f"[channels.999]\nper_day = 300\nhour_of_week = "
                  f"{weights(PROFILE)}\n[channels.101]\nper_day = 10\n",
                  'days = 14\nstart_date = "2025-05-01"',
                  '[calendar]\nbank_holidays = "england-and-wales"\n')
    demand = Demand(sc, Streams(1, 0))
    week = hourly_rates(sc.channels["999"])
    for day in range(14):
        weekday = (3 + day) % 7  # 2025-05-01 was a Thursday
        if day == 4:  # Monday 5 May 2025, the early May bank holiday: a Sunday's hours
            weekday = 6
        np.testing.assert_array_equal(demand.day_rates(day, 0), week[weekday * 24:][:24])


def test_hour_of_week_from_a_data_file_reruns_from_its_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "profile.csv").write_text("weight\n" + "\n".join(f"{w:.6f}" for w in PROFILE)
                                          + "\n", encoding="utf-8")
    path = write(tmp_path, "s.toml", f"""\
        name = "file"
        [run]
        days = 2
        warmup_days = 0
        replications = 2
        [channels.999]
        per_day = 400
        hour_of_week = {{ file = "profile.csv" }}
        [channels.101]
        per_day = 100
        {POOL.format(scale=1)}""")
    assert cli.main(["run", str(path), "--no-report", "--quiet", "--workers", "1", "--out",
                     str(tmp_path / "a")]) == 0
    saved = (tmp_path / "a" / "scenario.toml").read_text(encoding="utf-8")
    assert 'file = "data/channels.999.hour_of_week.csv"' in saved
    monkeypatch.chdir("/")  # the saved file's data path is read beside it, not from here
    assert cli.main(["run", str(tmp_path / "a" / "scenario.toml"), "--no-report", "--quiet",
                     "--workers", "1", "--out", str(tmp_path / "b")]) == 0
    a, b = summary(tmp_path / "a"), summary(tmp_path / "b")
    assert a["channels"] == b["channels"]


# --- opening hours --------------------------------------------------------------------------

OPEN_101 = ('open = [{ days = "mon-fri", start = "08:00", end = "20:00" }, '
            '{ days = "sat", start = "10:00", end = "14:00" }]\n')


def open_hours(windows: list[tuple[range, int, int]]) -> np.ndarray:
    """Hours of the week (Monday 00:00 = 0) inside whole-hour windows (days, start, end)."""
    mask = np.zeros(HOURS_PER_WEEK, dtype=bool)
    for days, start, end in windows:
        for d in days:
            mask[d * 24 + start:d * 24 + end] = True
    return mask


HOURS_101 = open_hours([(range(5), 8, 20), (range(5, 6), 10, 14)])


def offered_by_hour(out: ModelOutput, k: int) -> np.ndarray:
    rec = out.records
    mask = (rec.channel == k) & (rec.outcome != DIVERTED)
    return np.bincount(rec.hour[mask], minlength=HOURS_PER_WEEK)


def test_nothing_is_offered_while_closed_and_every_contact_is_counted(tmp_path: Path) -> None:
    channels = ("[channels.999]\nper_day = 100\n[channels.101]\nper_day = 600\n"
                'patience = { dist = "exponential", mean = 60 }\n'
                'on_abandon = { redial = 0.6, redial_delay = { dist = "exponential", '
                "mean = 7200 } }\n")
    sc = scenario(tmp_path, channels + OPEN_101, scale=0.2)
    out = ControlRoom(sc, 0).run()
    offered = offered_by_hour(out, 1)
    assert offered[HOURS_101].sum() > 1000
    assert offered[~HOURS_101].sum() == 0  # redials included: one into a closed line is lost
    assert out.closed is not None
    assert out.closed[1, 0] > 0
    assert out.closed[1, 1] == 0
    assert out.closed[0].tolist() == [0.0, 0.0]
    # Conservation against the same line always open (no retries here, so the callers are the
    # same): every contact is offered or lost, none twice.
    plain = "[channels.999]\nper_day = 100\n[channels.101]\nper_day = 600\n"
    shut = ControlRoom(scenario(tmp_path, plain + OPEN_101), 0).run()
    always = ControlRoom(scenario(tmp_path, plain), 0).run()
    assert shut.closed is not None
    assert always.closed is None
    assert offered_by_hour(shut, 1).sum() + shut.closed[1, 0] == offered_by_hour(always, 1).sum()
    np.testing.assert_array_equal(offered_by_hour(shut, 1)[HOURS_101],
                                  offered_by_hour(always, 1)[HOURS_101])


@pytest.mark.parametrize("target_open", [None, ('{ days = "mon-sun", start = "18:00", '
                                                'end = "08:00" }', open_hours(
                                                    [(range(7), 18, 24), (range(7), 0, 8)]))])
def test_the_moved_share_lands_on_the_other_channel(
        tmp_path: Path, target_open: tuple[str, np.ndarray] | None) -> None:
    share = 0.3
    target = "" if target_open is None else f"open = [{target_open[0]}]\n"
    moved_from = (f'{OPEN_101}closed = {{ to = "999", share = {share} }}\n')
    base = "[channels.999]\nper_day = 200\n{}[channels.101]\nper_day = 600\n{}"
    sc = scenario(tmp_path, base.format(target, moved_from))
    shut = ControlRoom(sc, 0).run()
    always = ControlRoom(scenario(tmp_path, base.format(target, "")), 0).run()
    for k, name in enumerate(sc.channels):  # offered as the staffing formulas expect (2 weeks)
        expected = 2 * offered_rates(sc, name)
        assert abs(offered_by_hour(shut, k).sum() - expected.sum()) < 4 * math.sqrt(
            expected.sum())
    assert shut.closed is not None
    lost, moved = shut.closed[1]
    assert offered_by_hour(shut, 1).sum() + lost + moved == offered_by_hour(always, 1).sum()
    extra = offered_by_hour(shut, 0) - offered_by_hour(always, 0)  # 999's own callers agree
    assert extra.sum() == moved
    assert (extra >= 0).all()
    assert extra[HOURS_101].sum() == 0  # only while 101 is closed
    if target_open is None:  # each closed contact moves with probability `share`
        n = lost + moved
        assert abs(moved / n - share) < 4 * math.sqrt(share * (1 - share) / n)
    else:  # never into a closed 999: those are lost
        assert extra[~target_open[1]].sum() == 0
        assert offered_by_hour(shut, 0)[~target_open[1]].sum() == 0
        assert moved > 0


# --- day-to-day variation -------------------------------------------------------------------


def daily_counts(sc: Scenario, n_days: int) -> np.ndarray:
    """(days, channels) contacts drawn each day."""
    return np.array([[len(d[k]) for k in sorted(d)] for d in arrivals_by_day(sc, n_days)])


def test_daily_variance_matches_day_cv(tmp_path: Path) -> None:
    n_days, per_day, cv = 2000, 200.0, 0.3
    sc = scenario(tmp_path, f"[channels.999]\nper_day = {per_day}\n[channels.101]\n"
                  "per_day = 20\n", f"days = {n_days}", f"[demand]\nday_cv = {cv}\n")
    x = daily_counts(sc, n_days)[:, 0].astype(float)
    mean, var = x.mean(), x.var(ddof=1)
    assert abs(mean - per_day) < 4 * math.sqrt((per_day + cv**2 * per_day**2) / n_days)
    # The standard error of a sample variance is sqrt((m4 - var^2) / n), m4 the fourth central
    # moment (estimated from the sample itself): about 3.6% of the variance here.
    se = math.sqrt((((x - mean) ** 4).mean() - var**2) / n_days)
    want = per_day + cv**2 * per_day**2
    assert abs(var - want) < 4 * se
    assert var - per_day > 10 * se  # and plainly not Poisson (variance = mean)


def test_a_shared_factor_moves_every_channel_and_own_factors_do_not(tmp_path: Path) -> None:
    n_days = 1500
    channels = "[channels.999]\nper_day = 200\n{}[channels.101]\nper_day = 100\n{}"
    shared = scenario(tmp_path, channels.format("", ""), f"days = {n_days}",
                      "[demand]\nday_cv = 0.3\n")
    x = daily_counts(shared, n_days)
    # Expected correlation 0.09 * 200 * 100 / sqrt(3800 * 1000) = 0.92.
    assert np.corrcoef(x.T)[0, 1] > 0.8
    own = scenario(tmp_path, channels.format("day_cv = 0.3\n", "day_cv = 0.3\n"),
                   f"days = {n_days}", "[demand]\nday_cv = 0.5\n")
    y = daily_counts(own, n_days)
    assert abs(np.corrcoef(y.T)[0, 1]) < 4 / math.sqrt(n_days)  # independent factors
    assert abs(y[:, 1].var(ddof=1) / (100 + 0.09 * 100**2) - 1) < 0.25


def test_a_channels_own_factor_leaves_other_channels_draws_alone(tmp_path: Path) -> None:
    channels = "[channels.999]\nper_day = 200\n{}[channels.101]\nper_day = 100\n"
    plain = arrivals_by_day(scenario(tmp_path, channels.format("")), 7)
    varied = arrivals_by_day(scenario(tmp_path, channels.format("day_cv = 0.4\n")), 7)
    zero = arrivals_by_day(scenario(tmp_path, channels.format(""), extra="[demand]\n"
                                    "day_cv = 0\n"), 7)
    for day in range(7):
        np.testing.assert_array_equal(plain[day][1], varied[day][1])
        np.testing.assert_array_equal(plain[day][0], zero[day][0])
    assert any(len(plain[d][0]) != len(varied[d][0]) for d in range(7))


def test_a_child_file_may_replace_its_parents_weekly_and_hourly(tmp_path: Path) -> None:
    parent = ("[channels.999]\nper_day = 200\nweekly = [1, 1, 1, 1, 2, 2, 1]\n"
              "hourly = [" + ", ".join(["1"] * 23) + ", 5]\n[channels.101]\nper_day = 10\n")
    scenario(tmp_path, parent)  # writes s.toml, the parent
    child = write(tmp_path, "child.toml", 'extends = "s.toml"\n[channels.999]\n'
                  f"hour_of_week = {weights(PROFILE)}\n")
    sc = load_scenario(child)
    np.testing.assert_allclose(hourly_rates(sc.channels["999"]),
                               200 * PROFILE / PROFILE.mean() / 24, rtol=1e-5)  # 6 digits
    # weekly written later than hour_of_week (here with --set) would be ignored: refused
    with pytest.raises(ScenarioError, match=r"channels\.999\.weekly: hour_of_week already"):
        load_scenario(child, ("channels.999.weekly=[1, 1, 1, 1, 1, 1, 3]",))
