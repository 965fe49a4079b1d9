"""The report templates and the terminal tables: escaping by default, names never cut.

Every report is a Jinja2 template with autoescaping on (present/html.py): these check the
pieces all of them share, with hostile text, and that a template can only reach what it is
given (an unknown name is an error, not an empty string). The run report's own hostile-name
test is in test_plots.py. The terminal tables size their name columns from the names.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from conftest import MINIMAL, write
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.stats import Estimate
from contactsim.config.loading import load_scenario
from contactsim.present.html import ENV, Embedded, macro, render
from contactsim.present.run_words import print_summary

HOSTILE = '<script>alert("x")</script> & \'quoted\''


def test_every_template_loads_with_autoescaping() -> None:
    names = ENV.list_templates()
    assert {"base.html", "parts.html", "run.html", "compare.html", "sweep.html", "staff.html",
            "fit.html", "backtest.html"} <= set(names)
    for name in names:
        template = ENV.get_template(name)
        assert template.environment.autoescape is True


def test_a_table_escapes_every_header_and_cell() -> None:
    html = macro("table", [HOSTILE, "b"], [[HOSTILE, HOSTILE]])
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;quoted&#39;") == 3
    assert "<td class=\"num\">&lt;script&gt;" in html  # the second cell: a number column


def test_a_figure_escapes_its_title_in_the_alt_text_and_caption() -> None:
    html = macro("figures", [Embedded("data:image/png;base64,AAAA", HOSTILE, HOSTILE)])
    assert "<script>" not in html
    assert 'alt="&lt;script&gt;alert(&#34;x&#34;)' in html  # the quote cannot end the attribute
    assert '<img src="data:image/png;base64,AAAA"' in html


def test_warnings_are_escaped_and_absent_when_there_are_none() -> None:
    assert "<section" not in macro("warnings", [])
    html = macro("warnings", [HOSTILE])
    assert "<li>&lt;script&gt;" in html
    assert "Warnings: read these first" in html


@pytest.mark.parametrize(("est", "badge", "unsure"), [
    (Estimate(0.95, 0.93, 0.97, 5), "meets target", False),
    (Estimate(0.85, 0.80, 0.89, 5), "misses target", False),
    (Estimate(0.91, 0.88, 0.94, 5), "meets target", True),  # the interval spans 90%
    (Estimate(0.89, 0.86, 0.92, 5), "misses target", True),
    (Estimate(math.nan, math.nan, math.nan, 0), "no contacts", False),
])
def test_the_verdict_badge_says_whether_its_interval_is_sure(est: Estimate, badge: str,
                                                             unsure: bool) -> None:
    html = macro("verdict_badge", est)
    assert badge in html
    assert ("not certain" in html) is unsure


def test_a_page_refuses_a_name_it_was_not_given() -> None:
    with pytest.raises(UndefinedError):
        render("sweep.html", title="no sweep given")


def test_terminal_summary_keeps_long_names_whole(tmp_path: Path) -> None:
    long_pool = "handlers_in_the_north_control_room"
    long_channel = "non-emergency-webchat"
    text = (MINIMAL.replace("[pools.handlers]", f"[pools.{long_pool}]")
            .replace('skills = ["999"]', f'skills = ["999", "{long_channel}"]')
            .replace("[categories.crime]", f"[channels.{long_channel}]\nper_day = 50\n"
                     "answer_target_s = 60\n[categories.crime]"))
    sc = load_scenario(write(tmp_path, "long.toml", text))
    out = io.StringIO()
    print_summary(run_experiment(sc, workers=1), tmp_path, out)
    lines = out.getvalue().splitlines()
    channel_rows = [line for line in lines if line.strip().startswith(("999", long_channel))]
    assert len(channel_rows) == 2
    header = next(line for line in lines if line.strip().startswith("channel "))
    # the whole name, and the target column ends where the header's does on every row
    ends = {row.index(" s ") + 2 for row in channel_rows}
    assert ends == {header.index("target") + len("target")}
    assert channel_rows[1].split()[:3] == [long_channel, "60", "s"]
    pool_header = next(line for line in lines if line.strip().startswith("pool "))
    pool_row = next(line for line in lines if line.startswith(f"  {long_pool} "))
    assert (pool_row.index("(48.0 to 48.0)") + len("(48.0 to 48.0)")
            == pool_header.index("(95% CI)") + len("(95% CI)"))
