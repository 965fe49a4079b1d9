"""The workforce's outputs: workforce.csv, cost.csv, summary.json's workforce and cost keys, the
report's section, and compare's change in cost with its pounds per point of service level.

The cost is checked against a hand-computed case (no absence, no breaks, no leavers, so every
hour is known); a run without a workforce or a price writes none of it and says nothing about
money.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import write
from contactsim.analysis.experiment import run_experiment
from contactsim.config.loading import load_scenario
from contactsim.jobs.whatif import run_compare
from contactsim.present.board import board, cost_bullet, difference
from contactsim.present.run_words import workforce_lines
from contactsim.results.compare import plan_compare
from contactsim.results.read import read_compare, read_table
from contactsim.results.write import write_tables

ROOM = """\
name = "{name}"
[run]
days = 14
warmup_days = 0
replications = 3
seed = 5
start_date = "2025-01-27"
[channels.999]
per_day = 300
[categories.crime]
handle = {{ dist = "exponential", mean = 300 }}
[pools.handlers]
skills = ["999"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 10 }} ]
{pool}
"""
#: Ten in post, two recruits on the first day, a week's training: 10 on duty for 7 days, then 12.
PRICED = """cost_per_hour = 20
[pools.handlers.workforce]
headcount = 10
intakes = [{ date = "2025-01-27", people = 2 }]
training_weeks = 1
cost_per_recruit = 1000
"""


def run_folder(tmp_path: Path, name: str, pool: str) -> Path:
    sc = load_scenario(write(tmp_path, f"{name}.toml", ROOM.format(name=name, pool=pool)))
    folder = tmp_path / name
    folder.mkdir()
    write_tables(run_experiment(sc, workers=1), folder)
    return folder


def test_a_years_cost_is_hours_times_rates_as_stated(tmp_path: Path) -> None:
    folder = run_folder(tmp_path, "priced", PRICED)
    cost = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["cost"]
    year = 365 / 14
    hours = 7 * 24 * 10 + 7 * 24 * 12  # on duty: 10 a day for a week, then 12
    per_person_day = hours / (7 * 10 + 7 * 12)  # 24 hours: the roster is 24/7
    assert cost["staff"]["mean"] == pytest.approx(hours * 20 * year)
    assert cost["training"]["mean"] == pytest.approx(2 * 7 * per_person_day * 20 * year)
    assert cost["recruits"]["mean"] == 2 * 1000
    assert cost["total"]["mean"] == pytest.approx(
        sum(cost[p]["mean"] for p in ("staff", "training", "recruits")))
    table = read_table(folder / "cost.csv")
    assert table.numbers("replication").tolist() == [0, 1, 2]
    assert table.numbers("total") == pytest.approx([cost["total"]["mean"]] * 3)


def test_workforce_csv_has_the_contract_columns_and_its_stocks_and_flows_add_up(
        tmp_path: Path) -> None:
    folder = run_folder(tmp_path, "leavers", PRICED.replace("headcount = 10",
                                                            "headcount = 10\nattrition = 0.5"))
    header = (folder / "workforce.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == ["month", "pool"] + [
        f"{m}{s}" for m in ("headcount", "training", "ramping", "available", "leavers",
                            "joiners") for s in ("", "_lo", "_hi")]
    table = read_table(folder / "workforce.csv")
    assert table.text("month") == ["2025-01", "2025-02"]
    ends = np.concatenate([[10.0], table.numbers("headcount")])
    assert np.diff(ends) == pytest.approx(table.numbers("joiners") - table.numbers("leavers"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    wf = summary["workforce"]["handlers"]
    assert (wf["headcount_start"], wf["roster_for"], wf["recruits"]) == (10, 10, 2)
    assert wf["end"]["headcount"]["mean"] == pytest.approx(table.numbers("headcount")[-1])


def test_no_workforce_and_no_price_means_no_workforce_or_money(tmp_path: Path) -> None:
    folder = run_folder(tmp_path, "plain", "")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert "workforce" not in summary
    assert "cost" not in summary
    assert not (folder / "workforce.csv").exists()
    assert not (folder / "cost.csv").exists()


def test_a_price_without_a_workforce_is_costed(tmp_path: Path) -> None:
    folder = run_folder(tmp_path, "rate", "cost_per_hour = 10\n")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert "workforce" not in summary
    assert summary["cost"]["staff"]["mean"] == pytest.approx(14 * 24 * 10 * 10 * 365 / 14)
    assert summary["cost"]["training"]["mean"] == summary["cost"]["recruits"]["mean"] == 0


def test_the_terminal_says_people_and_money_only_where_the_run_has_them(tmp_path: Path) -> None:
    def lines(name: str, pool: str) -> list[str]:
        sc = load_scenario(write(tmp_path, f"{name}.toml", ROOM.format(name=name, pool=pool)))
        return workforce_lines(run_experiment(sc, workers=1))

    priced = lines("priced", PRICED)
    assert len(priced) == 2
    # no attrition: 10 in post, 2 recruits in training until 3 February: January ends with
    # 10 available, February with 12; every replication agrees, so no interval is shown
    assert priced[0] == ("workforce handlers: 10 in post at the start; at the end 12 in post, "
                         "12 available on the roster; lowest month 10 available; 0 leavers, "
                         "2 recruits")
    assert priced[1].startswith("a year's cost: £")
    assert "recruits £2,000" in priced[1]
    assert lines("plain", "") == []


@pytest.mark.slow
def test_compare_states_the_change_in_cost_and_pounds_per_point(tmp_path: Path) -> None:
    base = write(tmp_path, "base.toml", ROOM.format(name="base", pool=PRICED).replace(
        "per_day = 300", "per_day = 2400"))
    more = write(tmp_path, "more.toml", ROOM.format(name="more", pool=PRICED.replace(
        "people = 2", "people = 6")).replace("per_day = 300", "per_day = 2400"))
    plain = write(tmp_path, "plain.toml", ROOM.format(name="plain", pool="").replace(
        "per_day = 300", "per_day = 2400"))
    out = tmp_path / "cmp"
    run_compare(plan_compare([str(base), str(more), str(plain)], [], out=out), out,
                report=False)
    result = read_compare(out)
    cost = difference(result, "more", "cost", "year", "total")
    sl = difference(result, "more", "channel", "999", "service_level")
    assert cost.ci_low > 0  # four more recruits: more hours on duty and more recruits
    assert sl.ci_low > 0
    [said] = cost_bullet(result, 1)
    assert said.startswith(f"Cost: +£{cost.mean:,.0f} a year (95% CI £{cost.ci_low:,.0f} to ")
    assert said.endswith(f"; £{cost.mean / (100 * sl.mean):,.0f} a year per point of 999 "
                         "service level gained")
    assert said in board(result, 1).bullets
    assert cost_bullet(result, 2) == []  # a run without prices says nothing about money
    assert not any("£" in b for b in board(result, 2).bullets)


@pytest.mark.slow
def test_the_report_shows_people_and_money_only_where_the_run_has_them(tmp_path: Path) -> None:
    from contactsim.present.report import write_run_report

    priced = run_folder(tmp_path, "priced", PRICED)
    html = write_run_report(priced).read_text(encoding="utf-8")
    assert "People and money over months" in html
    assert "A year&#39;s cost" in html or "A year's cost" in html
    assert (priced / "plots" / "workforce.png").is_file()
    plain = run_folder(tmp_path, "plain", "")
    html = write_run_report(plain).read_text(encoding="utf-8")
    assert "People and money" not in html
    assert "£" not in html
    assert not (plain / "plots" / "workforce.png").exists()


# --- compare: the change in people month by month ---------------------------------------------

LEAVING = "[pools.handlers.workforce]\nheadcount = 10\nattrition = 0.5\n"


def compare_people(tmp_path: Path, base_pool: str, other_pool: str) -> Path:
    from contactsim.results.compare import write_comparison

    out = tmp_path / "cmp"
    out.mkdir()
    members = plan_compare([str(write(tmp_path, f"{n}.toml", ROOM.format(name=n, pool=p)))
                            for n, p in (("base", base_pool), ("plan", other_pool))], [])
    for member in members:
        assert member.scenario is not None
        (out / member.label).mkdir()
        write_tables(run_experiment(member.scenario, workers=1), out / member.label)
    write_comparison(out, members)
    return out


def test_compare_pairs_the_people_by_month_replication_by_replication(tmp_path: Path) -> None:
    """Half the people leave a year in both; the plan adds two recruits on 27 January, in
    training for a week. The first ten's leavers are drawn alike in both (their own stream),
    and recruits cannot leave in the month they start, so the plan has exactly two more in
    post in January in every replication: a paired interval of zero width (unpaired, the
    replications' own spread would show). In February the two are on the roster, less any of
    them who left: between 0 and 2 more available."""
    from contactsim.present.report_whatif import compare_html
    from contactsim.present.words import comparison_text

    out = compare_people(tmp_path, LEAVING, LEAVING + 'intakes = [{ date = "2025-01-27", '
                         'people = 2 }]\ntraining_weeks = 1\n')
    for label in ("base", "plan"):
        reps = read_table(out / label / "workforce_replications.csv")
        means = read_table(out / label / "workforce.csv")
        assert list(reps.header[:3]) == ["replication", "month", "pool"]
        for month, mean in zip(means.text("month"), means.numbers("available"), strict=True):
            assert reps.where("month", month).numbers("available").mean() == pytest.approx(mean)
    table = read_table(out / "compare_workforce.csv")
    assert list(table.header) == ["scenario", "base", "pool", "month", "measure", "base_mean",
                            "scenario_mean", "difference", "ci_low", "ci_high", "method"]
    assert set(table.text("measure")) == {"headcount", "training", "ramping", "available",
                                          "leavers", "joiners"}
    assert set(table.text("method")) == {"paired"}
    jan = table.where("month", "2025-01").where("measure", "headcount")
    assert (jan.numbers("difference")[0], jan.numbers("ci_low")[0],
            jan.numbers("ci_high")[0]) == (2.0, 2.0, 2.0)
    assert read_table(out / "base" / "workforce_replications.csv").where(
        "month", "2025-01").numbers("headcount").std() > 0  # the base's own spread
    feb = table.where("month", "2025-02").where("measure", "available")
    assert 0 <= feb.numbers("ci_low")[0] <= feb.numbers("difference")[0] \
        <= feb.numbers("ci_high")[0] <= 2
    result = read_compare(out)
    html = compare_html(result, [])
    assert "People by month" in html
    assert "handlers: people available by month" in html
    # the terminal: people available in the base's leanest month, in each, and the change
    avail = table.where("measure", "available")
    leanest = avail.text("month")[int(np.argmin(avail.numbers("base_mean")))]
    row = avail.where("month", leanest)
    lines = [line for line in comparison_text(result).splitlines()
             if f"available, {leanest}" in line]
    assert [line.split()[0] for line in lines] == ["base", "plan"]
    assert f"{row.numbers('scenario_mean')[0]:.1f}" in lines[1]
    assert f"{row.numbers('difference')[0]:+.1f}" in lines[1]


@pytest.mark.parametrize("other", ["", LEAVING])
def test_a_comparison_without_two_workforces_shows_no_people(tmp_path: Path,
                                                             other: str) -> None:
    from contactsim.present.report_whatif import compare_html, people

    out = compare_people(tmp_path, "", other)
    assert not (out / "compare_workforce.csv").exists()
    assert not (out / "base" / "workforce_replications.csv").exists()
    result = read_compare(out)
    assert result.workforce is None
    assert people(result) == []
    assert "People by month" not in compare_html(result, [])


def test_a_damaged_compare_workforce_csv_is_refused_naming_the_file(tmp_path: Path) -> None:
    from contactsim.problems import ResultsError

    out = compare_people(tmp_path, LEAVING, LEAVING)
    path = out / "compare_workforce.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2025-01", "2025-13")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ResultsError) as info:
        read_compare(out)
    assert str(info.value.problems[0]) == (f"error: {path}: month: line 2: '2025-13' is not a "
                                           "date")
