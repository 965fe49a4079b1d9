"""Staff by hour of the week: the ``staff_by_hour`` pool key, and its estimate from a log.

Round trips: a room with a known hour-varying team is simulated as a contact log, and the
staff are estimated back from the log alone (with and without who answered each contact).

Why the bounds hold. In the simulated room nobody does unlogged work and there are no breaks,
so while a caller has waited 5 s every person on duty is busy with a logged contact (one pool
answers every channel: a free person would have taken the caller). So the contacts in service
then are the staff on duty, except after the team shrinks at an hour's start: people whose
shift ended finish the contact in hand, so for a while there are up to ``drop`` more (the fall
from the hour before). An hour-of-week figure is a mean over days of exactly such values when
every one of its days had callers kept waiting; hence ``truth <= estimate <= truth + drop``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from conftest import write
from contactsim.analysis.fit import fit_log
from contactsim.analysis.fit_scenario import fitted_document
from contactsim.analysis.fit_staff import estimate_staff
from contactsim.config.loading import load_scenario
from contactsim.config.profiles import hourly_lines
from contactsim.engine.contactlog import simulate_log
from contactsim.engine.roster import rostered_by_hour
from contactsim.logs.model import ContactLog
from contactsim.logs.read import read_logs
from contactsim.logs.write import write_log
from contactsim.outcomes import ANSWERED

#: The team by hour of the day: 6 at night, 14 by day, 10 in the evening; Sundays 2 fewer.
DAY = [6.0] * 7 + [14.0] * 10 + [10.0] * 7
TRUTH = np.array([x - (2 if d == 6 else 0) for d in range(7) for x in DAY])


def scenario_text(staff: list[float], per_day: float = 2600, extra: str = "") -> str:
    return f"""
name = "known staff"
[run]
days = 14
warmup_days = 1
replications = 2
seed = 3
[channels.line]
kind = "voice"
per_day = {per_day}
hourly = {[0.5] * 7 + [1.4] * 10 + [1.0] * 7}
answer_target_s = 60
patience = {{ dist = "exponential", mean = 300 }}
[categories.call]
handle = {{ dist = "exponential", mean = 240 }}
[pools.team]
skills = ["line"]
staff_by_hour = {staff}
{extra}
"""


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> ContactLog:
    path = tmp_path_factory.mktemp("staff") / "room.toml"
    path.write_text(scenario_text([float(x) for x in TRUTH]), encoding="utf-8")
    _, log = simulate_log(load_scenario(path), replication=0)
    return log


def test_staff_by_hour_is_the_roster_it_says(tmp_path: Path) -> None:
    staff = [4.25 if h % 2 else 3.0 for h in range(168)]
    s = load_scenario(write(tmp_path, "s.toml", scenario_text(staff)))
    pool = s.pools["team"]
    assert pool.staff_by_hour == tuple(staff)
    np.testing.assert_allclose(rostered_by_hour(pool), staff)  # 4.25: 5 for 15 min, then 4
    assert hourly_lines((0.0,) * 167 + (2.999,)) == [
        {"days": (6,), "start": 1380, "end": 1440, "staff": 3}]  # 59.94 min rounds to the hour


def test_staff_by_hour_bad_input(tmp_path: Path) -> None:
    from contactsim.problems import ScenarioError
    roster = 'roster = [{ days = "mon-sun", start = "00:00", end = "24:00", staff = 3 }]'
    cases = {
        "both": (scenario_text([3.0] * 168, extra=roster), "not both"),
        "short": (scenario_text([3.0] * 167), "must be a list of 168"),
        "breaks": (scenario_text([3.0] * 168, extra="breaks_min = 30"), "breaks do not apply"),
    }
    for name, (text, words) in cases.items():
        with pytest.raises(ScenarioError) as err:
            load_scenario(write(tmp_path, f"{name}.toml", text))
        assert any(words in p.message for p in err.value.problems), name
    no_staff = scenario_text([3.0] * 168).replace("staff_by_hour", "x_unused")
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, "none.toml", no_staff))
    assert any("one of them is required" in p.message for p in err.value.problems)


def _days(log: ContactLog) -> np.ndarray:
    return fit_log(log).window.compared


def _busy_hours(log: ContactLog, days: np.ndarray) -> np.ndarray:
    """Hours of the week in which callers waited 5 s or more on every one of the days."""
    took = log.wait_s > 5
    q = log.arrived_local + log.connect_s
    cell = (np.floor_divide(q[took], 3600).astype(np.int64), log.day[took])
    seen = {(int(c) % 24, int(d)) for c, d in zip(*cell, strict=True)}
    weekday = (days + 3) % 7
    return np.array([all((h % 24, int(d)) in seen for d in days[weekday == h // 24])
                     for h in range(168)])


@pytest.mark.parametrize("which", ["peak", "in_service"])
def test_contacts_in_service_find_the_team(room: ContactLog, which: str) -> None:
    days = _days(room)
    est = estimate_staff(room, days)
    assert est is not None
    assert est.source == "most in service at once"
    assert est.shape == est.peak
    got = np.array([x.estimate for x in getattr(est, which)])
    drop = np.maximum(np.roll(TRUTH, 1) - TRUTH, 0)
    busy = _busy_hours(room, days)
    assert busy.sum() >= 100  # most hours of this loaded room kept callers waiting
    assert np.all(got[busy] >= TRUTH[busy] - 1e-6)
    assert np.all(got[busy] <= TRUTH[busy] + drop[busy] + 1e-6)
    # in the other hours the most in service at once is a lower bound
    assert np.all(got[~busy] <= TRUTH[~busy] + drop[~busy] + 1e-6)


def _greedy_agents(log: ContactLog) -> np.ndarray:
    """Who answered: each contact, in order of answer, goes to the free agent of lowest
    number (an agent is free once their last contact's service ended)."""
    ans = np.flatnonzero(log.outcome == ANSWERED)
    start = (log.arrived_local + log.connect_s + log.wait_s)[ans]
    end = start + np.nan_to_num(log.talk_s[ans]) + np.nan_to_num(log.wrap_s[ans])
    agent = np.full(len(log), -1, dtype=np.int64)
    free_at: list[float] = []
    for i in np.argsort(start, kind="stable"):
        # the log's times are rounded to the millisecond: free a moment early counts as free
        k = next((j for j, t in enumerate(free_at) if t <= start[i] + 0.01), len(free_at))
        if k == len(free_at):
            free_at.append(0.0)
        free_at[k] = float(end[i])
        agent[ans[i]] = k
    return agent


def test_agents_seen_answering_find_the_team(room: ContactLog) -> None:
    days = _days(room)
    est = estimate_staff(room, days, _greedy_agents(room))
    assert est is not None
    assert est.source == "agents seen at work"
    assert est.agents
    got = np.array([x.estimate for x in est.agents])
    busy = _busy_hours(room, days)
    # while a caller waits, everyone on duty has a contact in service, so is seen at work in
    # the hour; with lowest-number assignment an agent's number is below the contacts in
    # service when they were given one, so no more are seen than the staff on duty plus
    # those finishing after a drop
    drop = np.maximum(np.roll(TRUTH, 1) - TRUTH, 0)
    assert np.all(got[busy] >= TRUTH[busy] - 1e-6)
    assert np.all(got[busy] <= TRUTH[busy] + drop[busy] + 1e-6)


def test_agent_column_round_trips_into_the_fit(room: ContactLog, tmp_path: Path) -> None:
    """Who answered, written as the log's agent column and read back, is the shape fit uses."""
    agent = _greedy_agents(room)
    names = tuple(f"A{k:03d}" for k in range(int(agent.max()) + 1))
    with_agent = dataclasses.replace(room, agents=names, agent=agent.astype(np.int32),
                                     present=room.present | {"agent"})
    path = tmp_path / "agents.csv"
    write_log(with_agent, path)
    fit = fit_log(read_logs([str(path)]))
    assert fit.staff is not None
    assert fit.staff.source == "agents seen at work"
    direct = estimate_staff(room, fit.window.compared, agent)
    assert direct is not None
    assert fit.staff.shape == direct.shape


@pytest.mark.slow  # statistical: a 14-day simulation checked against intervals
def test_calibration_finds_a_factor_near_one(room: ContactLog) -> None:
    """The most in service at once is the true team in busy hours, so the calibrated
    factor's interval holds 1 (the quiet hours' lower bounds pull it up a little, not past its
    interval); the bisection stops within 2% of the factor, well inside that interval, so the
    simulation at the factor chosen lies inside the log's interval; and the pool written
    follows the hour of the week."""
    fit = fit_log(room)
    doc, _, defaults = fitted_document(fit, name="t", base_ref=None)
    assert defaults is not None
    assert defaults.staff is not None
    factor = defaults.staff.factor
    assert factor is not None
    assert factor.low <= 1.0 <= factor.high, factor
    staff = doc["pools"]["handlers"]["staff_by_hour"]
    assert len(staff) == 168
    assert max(staff) > 1.5 * min(x for x in staff if x > 0)
    observed = defaults.staff.observed
    assert observed is not None
    assert observed.low <= defaults.staff.simulated <= observed.high


@pytest.mark.slow  # statistical: a 14-day simulation checked against intervals
def test_absence_is_estimated_from_the_days_spread(room: ContactLog, tmp_path: Path) -> None:
    """A team whose people each miss a whole hour with chance 0.15 (the pool's absence) shows
    it in the spread of the staff present over days of the same weekday; a fixed team does not.

    Why the bounds: in a day-hour where callers waited everyone present is busy at once, so the
    most in service at once is the staff present (plus, after a drop, those finishing a
    contact: the fixed team's whole figure, 0.025 here). Present ~ Binomial(n, 1 - p), so
    variance over mean is p; the days kept are the short-handed ones (those with callers
    waiting), which leaves out some of the days with more people present, so the estimate falls
    below p (0.11-0.13 measured over three seeds and 14 or 28 days), never above p plus the
    fixed team's figure. The written pool carries it."""
    fixed = fit_log(room).staff
    assert fixed is not None
    assert fixed.absence < 0.05
    path = tmp_path / "absent.toml"
    path.write_text(scenario_text([float(x) for x in TRUTH], extra="absence = 0.15"),
                    encoding="utf-8")
    _, log = simulate_log(load_scenario(path), replication=0)
    fit = fit_log(log)
    assert fit.staff is not None
    assert 0.075 <= fit.staff.absence <= 0.15 + fixed.absence
    doc, _, _ = fitted_document(fit, name="t", base_ref=None)
    assert doc["pools"]["handlers"]["absence"] == fit.staff.absence
