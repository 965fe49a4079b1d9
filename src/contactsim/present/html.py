"""HTML pages from Jinja2 templates, escaped by default.

Every report is one template in ``present/templates/`` (``run.html``, ``compare.html``,
``sweep.html``, ``staff.html``, ``fit.html``, ``backtest.html``), extending ``base.html`` (the
page and its inline style sheet) and importing the shared pieces from ``parts.html`` (tables,
figures, warnings, the pass/miss badge). A template reads as the page it makes; the Python
beside it only gathers the figures to show.

Autoescaping is on for every template: each value written into a page is HTML-escaped unless a
template says otherwise, so a scenario named ``<script>alert(1)</script>`` shows as that text
and runs nothing. The only markup that is not escaped is what the templates themselves write
(and their macros return).

Reports stay single self-contained files: the plots go in as base64 ``data:`` images and the
style sheet inline, so a report opens offline and nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from contactsim.analysis.stats import Estimate
from contactsim.present.drawing import MAX_DRAWN, Plot, not_drawn
from contactsim.present.precision import replications_advice, replications_for, spans_target
from contactsim.present.words import (
    MEANINGS,
    fmt,
    fmt_ci,
    fmt_target,
    label,
    target_label,
)
from contactsim.standard import TARGET_SL

REPORT = "report.html"


@dataclass(frozen=True)
class Embedded:
    """A plot as the page shows it: its PNG as a data: URI, with its title and caption."""

    src: str
    title: str
    caption: str


def embed(folder: Path, plots: Sequence[Plot]) -> list[Embedded]:
    """Each plot's PNG, as drawn into ``folder``, ready to embed."""
    return [Embedded("data:image/png;base64,"
                     + base64.b64encode((folder / p.file).read_bytes()).decode("ascii"),
                     p.title, p.caption) for p in plots]


def drawn_text(channels: Sequence[str], pools: Sequence[str] = ()) -> str:
    """What the plots leave out when there are more channels (or pools) than they draw."""
    return " ".join(f"The plots show {MAX_DRAWN} of the {len(names):,} {what}s{first}:"
                    f"{not_drawn(names, what)}" for names, what, first in
                    ((channels, "channel", " (999 first, then in the scenario's order)"),
                     (pools, "pool", "")) if not_drawn(names, what))


def interval(est: Estimate, measure: str) -> str:
    """``"a to b"`` for an estimate's 95% interval, or why there is none."""
    if not (math.isfinite(est.ci_low) and math.isfinite(est.ci_high)):
        return "not available from one replication"
    return f"{fmt(measure, est.ci_low)} to {fmt(measure, est.ci_high)}"


def verdict(est: Estimate) -> str:
    """``"none"`` (no contacts), ``"pass"`` or ``"miss"`` for a service level against 90%."""
    if not math.isfinite(est.mean):
        return "none"
    return "pass" if est.mean >= TARGET_SL else "miss"


def unsure(est: Estimate) -> bool:
    """Whether the 95% interval spans the 90% target (the verdict is not certain)."""
    return spans_target(est)


def more_replications(est: Estimate) -> str:
    """How many replications would pin a service level to ±1 point (``est.n`` ran; nothing
    said where that is not known)."""
    return "" if replications_for(est, est.n) is None else replications_advice(est, est.n)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("contactsim.present", "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fmt=lambda v, m: fmt(m, v), fmt_ci=lambda e, m, signed=False:
                       fmt_ci(m, e, signed=signed), label=label, fmt_target=fmt_target,
                       thousands=lambda n: f"{n:,}", interval=interval,
                       per_day=lambda e, days: e.scaled(1 / days))
    env.globals.update(verdict=verdict, unsure=unsure, target_label=target_label,
                       more_replications=more_replications,
                       MEANINGS=MEANINGS, TARGET_PCT=f"{100 * TARGET_SL:.0f}%")
    env.tests["finite"] = lambda v: isinstance(v, int | float) and math.isfinite(v)
    return env


ENV = _environment()


def render(template: str, **context: Any) -> str:
    """A page from its template and what it shows."""
    return ENV.get_template(template).render(**context)


def macro(name: str, *args: Any) -> str:
    """One piece of ``parts.html`` on its own (for a test reading a single cell or table)."""
    return str(getattr(ENV.get_template("parts.html").module, name)(*args))
