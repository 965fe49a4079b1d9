"""Officer areas (issue 25): a ``share`` on every ``[officers.NAME]`` makes each pool an area
whose officers serve only the incidents arising in it.

- Bad input exits 2 with one line naming the file and the key.
- Isolation, deterministically: an area with no officer ever on duty never has an incident
  attended, while the other area's are all attended.
- Queueing theory: incidents reach the officers as a Poisson stream (handlers answer at once),
  and each is put in an area by an independent draw, so each area's incidents are a thinned
  Poisson stream; with one grade, exponential times on scene and no travel each area is its
  own M/M/c queue. Erlang C gives each area's probability of waiting and mean wait, and a/c its
  utilisation; the tolerance is the replications' own 99.9% interval (as in test_dispatch).
- Judging: force-wide attendance counts each incident against its own area's target (a hand
  count on a made-up replication).
- Outputs: the shipped urban/rural example through the command line (summary.json's
  ``dispatch.areas``, dispatch_areas.csv, summary.csv, the report's rows), and compared with the
  single-pool scenario: the force-wide rows of compare.csv are there, dispatch.csv unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import DISPATCH_ROOM, ROOT, assert_within, dispatch_outputs, erlang_c, write
from contactsim.analysis.dispatch import area_measures, dispatch_measures
from contactsim.analysis.measures import replication_measures
from contactsim.cli import main
from contactsim.config.loading import load_scenario
from contactsim.engine import simulate
from contactsim.engine.dispatch import AreaOutput, DispatchOutput
from contactsim.present.report import dispatch_area_rows, dispatch_rows
from contactsim.results.read import read_run

AREAS = DISPATCH_ROOM.replace('"dispatch queue"', '"two areas"') + """\
[officers.north]
share = {share_a}
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = {officers_a} }} ]
[officers.south]
share = {share_b}
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = {officers_b} }} ]
"""
IMMEDIATE = "{ immediate = 1.0 }"


def areas(tmp_path: Path, **values: object) -> Path:
    settings: dict[str, object] = {"days": 2, "reps": 2, "seed": 4, "per_day": 240,
                                   "grade": IMMEDIATE,
                                   "on_scene": 600, "share_a": 0.5, "share_b": 0.5,
                                   "officers_a": 4, "officers_b": 4}
    settings.update(values)
    return write(tmp_path, "areas.toml", AREAS.format(**settings))


def cli(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "key", "words"), [
    (("[officers.north]\nshare = 0.5", "[officers.north]\nshare = 0.4"), "officers",
     "shares (officers.NAME.share) add up to 0.9, not 1: north 0.4 + south 0.5"),
    (("[officers.south]\nshare = 0.5\n", "[officers.south]\n"),
     "officers.south.share", "missing: north has a share (areas), so every"),
    (("[officers.north]\nshare = 0.5", "[officers.north]\nshare = 1.5"),
     "officers.north.share", "1.5"),
])
def test_bad_shares_exit_2_naming_the_key(tmp_path: Path, change: tuple[str, str], key: str,
                                          words: str) -> None:
    path = areas(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    code, out, err = cli("validate", path)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {path}: {key}: "), lines[0]
    assert words in lines[0]
    assert "Traceback" not in err


def test_targets_without_areas_exit_2(tmp_path: Path) -> None:
    path = areas(tmp_path)
    text = path.read_text(encoding="utf-8").replace("share = 0.5\n", "")
    text += "targets = { immediate = 1200 }\n"
    path.write_text(text, encoding="utf-8")
    code, _, err = cli("validate", path)
    assert code == 2
    assert err.splitlines() == [f"error: {path}: officers.south.targets: an area's targets "
                                "need areas: give every [officers.NAME] a share"]


# --- the engine -----------------------------------------------------------------------------

def test_an_area_without_officers_is_never_attended(tmp_path: Path) -> None:
    """North has nobody on duty, south plenty: south's officers attend every south incident at
    once and never a north one, however long those wait; the force-wide figures add up."""
    sc = load_scenario(areas(tmp_path, officers_a=0, officers_b=60, share_a=0.3, share_b=0.7))
    for r in range(sc.run.replications):
        out = simulate(sc, r)
        d = out.dispatch
        assert d is not None
        north, south = d.areas
        assert north.incidents.sum() > 20
        assert south.incidents.sum() > 50
        assert all(len(a) == 0 for a in north.arrival_s)  # never attended
        assert len(south.arrival_s[0]) == south.incidents[0]  # every one attended
        assert (south.arrival_s[0] == 0).all()  # at once: 60 officers, no travel
        assert north.present_s == north.busy_s == 0
        assert np.array_equal(d.incidents, north.incidents + south.incidents)
        assert len(d.arrival_s[0]) == len(south.arrival_s[0])
        assert any("still waiting for an officer" in w for w in out.warnings)
        m = replication_measures(sc, r, out)
        assert m.dispatch_areas is not None
        assert m.dispatch_areas["north"]["immediate"]["attended_within_target"] == 0.0
        assert m.dispatch_areas["south"]["immediate"]["attended_within_target"] == 1.0
        assert m.dispatch is not None
        share = m.dispatch["immediate"]["attended_within_target"]
        assert share == south.incidents[0] / d.incidents[0]


def test_each_area_matches_erlang_c(tmp_path: Path) -> None:
    """36 incidents an hour, 10 minutes on scene: north gets 60% (a = 3.6 on 5 officers,
    rho 0.72), south 40% (a = 2.4 on 4 officers, rho 0.6). Ten replications of 3 days."""
    per_hour, on_scene = 36.0, 600.0
    sc = load_scenario(areas(tmp_path, days=3, reps=10, seed=7, per_day=per_hour * 24,
                             on_scene=on_scene, share_a=0.6, share_b=0.4, officers_a=5,
                             officers_b=4))
    reps = dispatch_outputs(sc)
    for k, (share, c) in enumerate(((0.6, 5), (0.4, 4))):
        a = per_hour * share / 3600 * on_scene
        pw = erlang_c(c, a)
        arrival = [d.areas[k].arrival_s[0] for d in reps]
        assert_within([float((x > 0).mean()) for x in arrival], pw, f"area {k} P(wait)")
        assert_within([float(x.mean()) for x in arrival], pw * on_scene / (c - a),
                      f"area {k} mean wait")
        assert_within([d.areas[k].busy_s / d.areas[k].present_s for d in reps], a / c,
                      f"area {k} utilisation")
        assert_within([float(d.areas[k].incidents.sum() / d.incidents.sum()) for d in reps],
                      share, f"area {k} share of incidents")


def test_areas_leave_every_other_draw_alone(tmp_path: Path) -> None:
    """Areas draw from a stream of their own: the contacts and the incidents' grades are those
    of the same scenario without areas (one pool with all the officers)."""
    with_areas = load_scenario(areas(tmp_path, officers_a=30, officers_b=30))
    text = AREAS.format(days=2, reps=2, seed=4, per_day=240, grade=IMMEDIATE, on_scene=600,
                        share_a=0, share_b=0, officers_a=30, officers_b=30)
    text = text.replace("share = 0\n", "")
    one = load_scenario(write(tmp_path, "one.toml", text))
    a, b = simulate(with_areas, 0), simulate(one, 0)
    assert np.array_equal(a.records.wait_s, b.records.wait_s)
    assert a.dispatch is not None
    assert b.dispatch is not None
    assert np.array_equal(a.dispatch.incidents, b.dispatch.incidents)
    assert b.dispatch.areas == ()


# --- judging --------------------------------------------------------------------------------

def test_each_incident_is_judged_against_its_areas_target(tmp_path: Path) -> None:
    """North's immediate target 900 s, south's 1200 s: north 100 s and 1000 s (1 of 2 within),
    south 1000 s and 1300 s (1 of 2 within), and one south incident never attended: 2 of 5
    force-wide; by area 1 of 2 and 1 of 3."""
    path = areas(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "targets = { immediate = 1200 }\n",
                    encoding="utf-8")
    sc = load_scenario(path)

    def area(arrival: list[float], n: int, waiting: float, chase: float) -> AreaOutput:
        return AreaOutput(np.array([n, 0.0, 0.0]), (np.array(arrival), np.array([]),
                                                    np.array([])), 10.0, 5.0,
                          np.full(168, waiting), chase)

    north, south = area([100.0, 1000.0], 2, 2.0, 4.0), area([1000.0, 1300.0], 3, 0.0, 0.0)
    out = DispatchOutput(
        incidents=np.array([5.0, 0.0, 0.0]), resolved=0.0,
        arrival_s=(np.array([100.0, 1000.0, 1000.0, 1300.0]), np.array([]), np.array([])),
        waiting_s=np.zeros(168), present_s=20.0, busy_s=10.0, chase=0.0, areas=(north, south))
    found, _ = dispatch_measures(sc, out, np.ones(168))
    assert found["immediate"]["attended_within_target"] == 2 / 5
    measured = area_measures(sc, out, np.ones(168))
    assert measured is not None
    by_area, hourly = measured
    assert by_area["north"]["immediate"]["attended_within_target"] == 1 / 2
    assert by_area["south"]["immediate"]["attended_within_target"] == 1 / 3
    assert by_area["south"]["immediate"]["mean_arrival_s"] == 1150.0
    # the area's own: 5 of 10 officer-seconds busy; 2 incident-seconds waiting in each
    # second of the window; 4 chase calls over the 2 days
    assert by_area["north"]["all"] == {"officer_utilisation": 0.5, "chase_per_day": 2.0,
                                       "incidents_waiting": 2.0}
    np.testing.assert_array_equal(hourly["north"], np.full(168, 2.0))
    assert by_area["south"]["all"]["incidents_waiting"] == 0.0


# --- the outputs ----------------------------------------------------------------------------

SHIPPED = ROOT / "scenarios" / "baseline-officers-areas.toml"
SINGLE = ROOT / "scenarios" / "baseline-officers.toml"
SHORT = ["--days", "2", "--replications", "3", "--workers", "1"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("areas") / "cmp"
    code, _, err = cli("compare", SINGLE, SHIPPED, *SHORT, "--no-report", "--out", folder)
    assert code == 0, err
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_summary_and_tables_by_area(pair: Path) -> None:
    folder = pair / "baseline-officers-areas"
    d = json.loads((folder / "summary.json").read_text())["dispatch"]
    assert list(d["areas"]) == ["response", "rural"]
    for area in ("response", "rural"):
        node = d["areas"][area]
        assert set(node) == {"immediate", "priority", "scheduled", "officer_utilisation",
                             "chase_per_day", "incidents_waiting"}
        for grade in ("immediate", "priority"):
            assert set(node[grade]) == {"attended_within_target", "mean_arrival_s",
                                        "p90_arrival_s", "incidents_per_day"}
            est = node[grade]["attended_within_target"]
            assert 0 <= est["ci_low"] <= est["mean"] <= est["ci_high"] <= 1
        assert "attended_within_target" not in node["scheduled"]
        assert 0 < node["officer_utilisation"]["mean"] < 1
    # the areas' incidents add up to the force's, replication by replication
    table = rows(folder / "dispatch_areas.csv")
    assert len(table) == 3 * 2 * 4
    assert list(table[0]) == ["replication", "area", "dispatch", "attended_within_target",
                              "mean_arrival_s", "p90_arrival_s", "incidents_per_day",
                              "officer_utilisation", "chase_per_day", "incidents_waiting"]
    force = rows(folder / "dispatch.csv")
    assert "area" not in force[0]
    hourly = rows(folder / "dispatch_areas_hourly.csv")
    assert len(hourly) == 3 * 2 * 168
    force_hourly = rows(folder / "dispatch_hourly.csv")
    # the areas' incidents, chase calls and incidents waiting (in all, and in each hour of the
    # week) add up to the force's, replication by replication
    for rep in ("0", "1", "2"):
        for name, measure in [("immediate", "incidents_per_day"), ("all", "chase_per_day"),
                              ("all", "incidents_waiting")]:
            total = sum(float(r[measure]) for r in table
                        if r["replication"] == rep and r["dispatch"] == name)
            want = next(float(r[measure]) for r in force
                        if r["replication"] == rep and r["dispatch"] == name)
            assert total == pytest.approx(want, rel=1e-9), (rep, measure)
        by_hour = {r["hour_of_week"]: float(r["incidents_waiting"]) for r in force_hourly
                   if r["replication"] == rep and r["incidents_waiting"]}
        assert len(by_hour) == 48  # the two measured days' hours (the others are empty)
        for h, value in by_hour.items():
            total = sum(float(r["incidents_waiting"]) for r in hourly
                        if r["replication"] == rep and r["hour_of_week"] == h)
            assert total == pytest.approx(value, rel=1e-9, abs=1e-9), (rep, h)
    planner = {r["measure"]: r for r in rows(folder / "summary.csv")}
    row = planner["dispatch.areas.rural.immediate.attended_within_target"]
    assert row["unit"] == "%"
    assert float(row["mean"]) == pytest.approx(
        100 * d["areas"]["rural"]["immediate"]["attended_within_target"]["mean"], abs=1e-3)
    assert planner["dispatch.areas.response.officer_utilisation"]["unit"] == "%"


def test_report_rows_by_area(pair: Path) -> None:
    run = read_run(pair / "baseline-officers-areas")
    grades, overall = dispatch_rows(run)
    assert [g[0] for g in grades] == ["immediate", "priority", "scheduled"]
    assert grades[0][1] == "by area"  # 15 min urban, 20 min rural
    assert grades[1][1] == "1 h"
    assert "areas" not in {o[0] for o in overall}
    by_area, own = dispatch_area_rows(run)
    assert [r[0] for r in own] == ["response", "rural"]
    assert all(len(r) == 4 and "(" in r[2] for r in own)  # 3 measures, each with its interval
    assert [(r[0], r[1], r[2]) for r in by_area] == [
        ("response", "immediate", "15 min"), ("response", "priority", "1 h"),
        ("response", "scheduled", "-"), ("rural", "immediate", "20 min"),
        ("rural", "priority", "1 h"), ("rural", "scheduled", "-")]
    single = read_run(pair / "baseline-officers")
    assert dispatch_area_rows(single) == ([], [])
    assert dispatch_rows(single)[0][0][1] == "15 min"


def test_compare_keeps_the_force_wide_rows(pair: Path) -> None:
    found = {(r["name"], r["measure"]): r for r in rows(pair / "compare.csv")
             if r["kind"] == "dispatch"}
    for key in [("immediate", "attended_within_target"), ("priority", "mean_arrival_s"),
                ("all", "officer_utilisation"), ("all", "chase_per_day")]:
        assert found[key]["method"] == "paired", key
    assert not any(name == "areas" for name, _ in found)
    assert not (pair / "baseline-officers" / "dispatch_areas.csv").exists()


@pytest.mark.slow  # two scenarios through the command line
def test_compare_pairs_each_areas_figures(tmp_path: Path) -> None:
    """Two runs with areas: compare.csv pairs each area's figures (named ``areas.AREA.GRADE``
    and ``areas.AREA``, so summary.csv names them by their summary.json path), each change the
    mean of the replications' differences; more rural officers lift the rural area."""
    more = write(tmp_path, "more-rural.toml", f'extends = "{SHIPPED.as_posix()}"\n'
                 'name = "more rural officers"\n[officers.rural]\nroster = [\n'
                 '  { days = "mon-sun", start = "00:00", end = "24:00", staff = 40 },\n]\n')
    folder = tmp_path / "cmp"
    code, _, err = cli("compare", SHIPPED, more, *SHORT, "--no-report", "--out", folder)
    assert code == 0, err
    found = {(r["name"], r["measure"]): r for r in rows(folder / "compare.csv")
             if r["kind"] == "dispatch"}
    assert not any(name == "areas" or not name for name, _ in found)
    per_rep = {}
    for name, stem in (("base", "baseline-officers-areas"), ("more", "more-rural")):
        table = rows(folder / stem / "dispatch_areas.csv")
        per_rep[name] = {(r["replication"], r["area"], r["dispatch"]): r for r in table}
    for area, grade, measure in [("rural", "immediate", "attended_within_target"),
                                 ("response", "priority", "mean_arrival_s"),
                                 ("rural", "all", "officer_utilisation")]:
        name = f"areas.{area}" if grade == "all" else f"areas.{area}.{grade}"
        row = found[(name, measure)]
        assert row["method"] == "paired"
        diffs = [float(per_rep["more"][(rep, area, grade)][measure])
                 - float(per_rep["base"][(rep, area, grade)][measure]) for rep in "012"]
        assert float(row["difference"]) == pytest.approx(np.mean(diffs), rel=1e-9, abs=1e-12)
    rural = found[("areas.rural.immediate", "attended_within_target")]
    assert float(rural["difference"]) > 0  # 40 rural officers round the clock, not 11-31
    planner = {r["measure"] for r in rows(folder / "summary.csv")}
    assert "dispatch.areas.rural.immediate.attended_within_target" in planner


def test_the_terminal_gives_a_line_per_area(tmp_path: Path) -> None:
    code, out, err = cli("run", SHIPPED, *SHORT, "--no-report", "--out", tmp_path / "run")
    assert code == 0, err
    lines = {line.split(":")[0].strip(): line for line in out.splitlines()
             if line.strip().startswith("officers, area")}
    assert set(lines) == {"officers, area response", "officers, area rural"}
    assert "immediate" in lines["officers, area rural"]
    assert "within 20 min" in lines["officers, area rural"]
    assert "within 15 min" in lines["officers, area response"]
    assert all("utilisation" in x and "chase calls per day" in x for x in lines.values())
