"""The smaller things a planner trips over (issue 15, item 6), each held by a test.

Errors name the option the planner typed (``--replications``, not ``--set``); every argument of
every command has a help text; and the words and units of the terminal and the report agree.
"""

from __future__ import annotations

import argparse
import io
import math
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from conftest import MINIMAL, ROOT, write
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.measures import contact_measures
from contactsim.cli import build_parser, main
from contactsim.config.kinds import ScenarioError
from contactsim.config.loading import FlagOverride, load_scenario
from contactsim.engine.records import ABANDONED, ANSWERED
from contactsim.present.plots import heatmap_figure, plt
from contactsim.present.plots_whatif import difference_figure, sweep_heatmap_figure
from contactsim.present.report import run_html
from contactsim.present.service_colours import FIXED_SCALE
from contactsim.present.words import MEANINGS, fmt_ci, label, print_summary
from contactsim.results.read import (
    HEADLINE,
    CompareResults,
    SweepResults,
    read_compare,
    read_run,
    read_sweep,
)
from contactsim.results.write import write_tables


@pytest.mark.parametrize(("args", "said"), [
    (["--replications", "20000"], "run.replications: must be an integer >= 1 and <= 10,000, "
     "got 20000 (from --replications)"),
    (["--set", "run.replications=20000"], "got 20000 (from --set)"),
])
def test_errors_name_the_option_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      args: list[str], said: str) -> None:
    file = write(tmp_path, "s.toml", MINIMAL)
    out = tmp_path / "out"
    assert main(["run", str(file), "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"error: {file}: run.replications: ")
    assert err[0].endswith(said)
    assert not out.exists()


def test_a_flag_override_is_its_text_and_survives_pickling(tmp_path: Path) -> None:
    flag = FlagOverride("run.seed=-1", "--seed")
    assert flag == "run.seed=-1"
    again = pickle.loads(pickle.dumps(flag))
    assert (again, again.flag) == ("run.seed=-1", "--seed")
    with pytest.raises(ScenarioError, match=r"run\.seed: .*\(from --seed\)$"):
        load_scenario(write(tmp_path, "s.toml", MINIMAL), [again])


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def test_every_argument_of_every_command_has_help() -> None:
    parser = build_parser()
    subs = _subcommands(parser)
    assert {"run", "validate", "compare", "sweep", "plot", "staff", "erlang"} <= set(subs)
    bare = [f"{name} {a.dest}" for name, cmd in {"contactsim": parser, **subs}.items()
            for a in cmd._actions
            if not isinstance(a, argparse._HelpAction) and not a.help]
    assert not bare, f"arguments without a help text: {bare}"


# --- every relative link the repo ships points into the repo ---------------------------------

DOCS = [ROOT / "README.md", ROOT / "results" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMENTED = sorted([*(ROOT / "scenarios").glob("*.toml"), *(ROOT / "examples").glob("*.toml")])
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
#: A path written as text: ``../docs/design.md``, ``./x.csv``, ``docs/references.md``.
PATH_TEXT = re.compile(r"(?<![\w/.-])(\.{1,2}/[\w./-]*\w|[\w-]+(?:/[\w.-]+)*\.md)\b")


def _anchors(markdown: Path) -> set[str]:
    """The anchors GitHub gives a file's headings (``## 5. Measures`` -> ``5-measures``)."""
    heads = re.findall(r"^#+ (.+)$", markdown.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


def _broken(source: Path, target: str, *, from_root: bool = False) -> str | None:
    """Why ``target`` (written in ``source``) does not point to a file in the repo, or None."""
    path, _, anchor = target.partition("#")
    here = source.parent / path
    if from_root and not here.exists() and not path.startswith("."):
        here = ROOT / path  # a path in a command, run from the repo's top folder
    where = here.resolve()
    if not where.is_relative_to(ROOT.resolve()):
        return "points outside the repo"
    if not where.exists():
        return "no such file"
    if anchor and where.suffix == ".md" and anchor not in _anchors(where):
        return f"no heading #{anchor}"
    return None


def _links(file: Path) -> list[tuple[str, bool]]:
    """Relative links in a markdown file, and paths written as text there or in a TOML file's
    comments (with whether a command run from the top folder may hold them)."""
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".toml":
        text = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    links = [(t, False) for t in MD_LINK.findall(text) if not re.match(r"[a-z]+:|#", t)]
    prose = MD_LINK.sub("", text)
    prose = re.sub(r"https?://\S+", "", prose)
    return links + [(t, True) for t in PATH_TEXT.findall(prose)]


@pytest.mark.parametrize("file", DOCS + COMMENTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_into_the_repo(file: Path) -> None:
    broken = [f"{target}: {why}" for target, from_root in _links(file)
              if (why := _broken(file, target, from_root=from_root))]
    assert not broken, f"{file.relative_to(ROOT)}: {broken}"


def test_the_link_check_sees_links_outside_the_repo(tmp_path: Path) -> None:
    page = ROOT / "docs" / "x.md"  # not written: only its folder matters
    assert _broken(page, "../../shared/DESIGN.md") == "points outside the repo"
    assert _broken(page, "design.md#5-measures-exact-definitions") is None
    assert _broken(page, "design.md#no-such-part") == "no heading #no-such-part"
    assert _broken(page, "nothing.md") == "no such file"
    toml = write(tmp_path, "s.toml", 'x = 1  # see ../shared/REFERENCES.md and `docs/a.md`\n')
    assert [t for t, _ in _links(toml)] == ["../shared/REFERENCES.md", "docs/a.md"]


# --- the two waits, and one unit rule for terminal and report ---------------------------------

def test_mean_wait_is_over_all_offered_and_mean_answer_over_answered() -> None:
    """Two answered calls (5 s connection, 1 s and 3 s in queue) and one caller who hung up
    after 100 s: mean wait in queue (34.7 s) is larger than mean answer time (7 s), as DESIGN
    section 5 defines them, and the report's words say why."""
    wait = np.array([1.0, 3.0, 100.0])
    answer = np.array([6.0, 8.0, math.nan])
    outcome = np.array([ANSWERED, ANSWERED, ABANDONED])
    m = contact_measures(answer, wait, outcome, np.zeros(3, dtype=outcome.dtype), 10.0)
    assert m["mean_wait_s"] == pytest.approx(104 / 3)
    assert m["mean_answer_s"] == pytest.approx(7.0)
    assert "all offered" in label("mean_wait_s")
    assert "hung up" in MEANINGS["mean_wait_s"]
    assert "not counted" in MEANINGS["mean_wait_s"]
    assert "answered contacts only" in MEANINGS["mean_answer_s"]


ONLINE = MINIMAL + """\
[channels.online]
kind = "digital"
per_day = 60
answer_target_s = 3600
[pools.desk]
skills = ["online"]
roster = [ { days = "mon-sun", start = "09:00", end = "17:00", staff = 1 } ]
"""


def test_terminal_and_report_show_times_in_the_same_unit(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, "online.toml", ONLINE))
    exp = run_experiment(sc, workers=1)
    folder = tmp_path / "out"
    folder.mkdir()
    write_tables(exp, folder)
    run = read_run(folder)
    terminal = io.StringIO()
    print_summary(exp, folder, terminal)
    rows = {line.split()[0]: line for line in terminal.getvalue().splitlines()[2:]
            if line.strip() and not line.lstrip().startswith(("results", "warning"))}
    table = run_html(run, [])  # the report's table of every channel measure, in its page
    for channel in ("999", "online"):
        shown = fmt_ci("mean_answer_s", run.estimate("channels", channel, "mean_answer_s"))
        assert shown in rows[channel]
        assert f"<td class=\"num\">{shown}</td>" in table
    # online contacts wait overnight for the desk: hours, in both places; 999 in seconds
    assert re.search(r" h \([\d.]+ to [\d.]+ h\)", rows["online"]), rows["online"]
    assert re.search(r" s \([\d.]+ to [\d.]+ s\)", rows["999"]), rows["999"]
    assert rows["online"].split()[1:3] == ["1", "h"]  # the target, in the same words
    assert MEANINGS["mean_wait_s"] in table


# --- charts: differences labelled, one fixed colour scale on every heatmap -------------------

@pytest.fixture(scope="module")
def whatif(tmp_path_factory: pytest.TempPathFactory) -> tuple[CompareResults, SweepResults]:
    """A comparison (a room with 2 handlers against one with 3, and one with more calls) and a
    2 x 2 sweep of the small scenario, tables only."""
    tmp = tmp_path_factory.mktemp("whatif")
    base = write(tmp, "two.toml", MINIMAL)
    more = write(tmp, "three.toml", 'extends = "two.toml"\nname = "three on duty"\n'
                 '[pools.handlers]\nroster = [ { days = "mon-sun", start = "00:00", '
                 'end = "24:00", staff = 3 } ]\n')
    busy = write(tmp, "busy.toml", 'extends = "two.toml"\nname = "a third more calls"\n'
                 "[channels.999]\nper_day = 266\n")
    quiet = ["--workers", "1", "--no-report", "--quiet"]
    assert main(["compare", str(base), str(more), str(busy), "--out", str(tmp / "c"),
                 *quiet]) == 0
    assert main(["sweep", str(base), "--vary", "pools.handlers.scale=1,1.5", "--vary",
                 "channels.999.per_day=150,250", "--out", str(tmp / "s"), *quiet]) == 0
    return read_compare(tmp / "c"), read_sweep(tmp / "s")


def test_differences_chart_names_its_rows(
        whatif: tuple[CompareResults, SweepResults]) -> None:
    result = whatif[0]
    fig = difference_figure(result)
    first_column = fig.axes[::len(HEADLINE)]  # one row of panels per channel
    for ax in first_column:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["three", "busy"]
        dots = {ln.get_gid(): ln.get_ydata()[0] for ln in ax.get_lines() if ln.get_gid()}
        assert dots == {"diff:service_level:three": 0, "diff:service_level:busy": 1}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["three: three on duty", "busy: a third more calls"]
    plt.close(fig)


def _colour_bar_label(fig: Figure) -> str:
    return next(ax.get_xlabel() for ax in fig.axes if FIXED_SCALE in ax.get_xlabel())


def test_every_heatmap_has_the_same_fixed_colour_scale(
        whatif: tuple[CompareResults, SweepResults]) -> None:
    result, sweep = whatif
    figs = [heatmap_figure(run, "999") for run in result.runs]
    figs.append(sweep_heatmap_figure(sweep, "999"))
    images = [next(im for ax in fig.axes for im in ax.get_images()
                   if im.get_gid() == "heatmap:999") for fig in figs]
    grids = [np.ma.filled(im.get_array(), np.nan) for im in images]
    lows = [float(np.nanmin(g)) for g in grids]
    assert max(lows) - min(lows) > 0.1, lows  # the runs' own ranges differ...
    probe = np.array([0.0, 0.5, 0.85, 0.899, 0.901, 0.95, 1.0])
    colours = [im.cmap(im.norm(probe)) for im in images]
    for other in colours[1:]:  # ...but a figure has one colour in all of them
        np.testing.assert_array_equal(other, colours[0])
    red, blue = colours[0][3], colours[0][4]  # just under and just over 90%
    assert red[0] > red[2]
    assert blue[2] > blue[0]
    for fig in figs:
        words = _colour_bar_label(fig)
        assert "red misses the 90% target" in words
        assert "blue meets it" in words
        plt.close(fig)
