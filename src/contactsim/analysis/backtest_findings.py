"""What a back-test found, in a planner's words.

A table of 2,000 cells does not tell a planner where the model is off. Hours out of the band
next to one another are one story ("Friday 22:00-02:00: observed 999 service level below the
simulated band"), so consecutive hours of the week that are out of the band on the same side,
for one channel and measure, are grouped into a *span* (a span may run past midnight, and past
Sunday 23:00 into Monday) and the spans are ranked, longest first, then by how far outside the
band they lie. A single hour out on its own is what chance gives one hour in twenty even when
the model is right, so single hours are counted, not listed.

Each channel and measure also gets a one-line verdict: the share of its hours inside the band,
against the 95% a right model gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from contactsim.analysis.backtest import LEVEL, MEASURES, SHARES, Backtest, Cell
from contactsim.analysis.backtest_checks import CHECK_LEVEL, Check, Checks, checks
from contactsim.timebase import HOURS_PER_DAY, HOURS_PER_WEEK

#: How each measure reads in a sentence.
WORDS = {"offered": "contacts offered", "service_level": "service level",
         "mean_answer_s": "mean answer time", "abandon_rate": "abandoned share"}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Coverage at or above this reads as "consistent with the log". With 168 hours a right
#: model's coverage varies by about 2 points either way (more, as neighbouring hours are alike),
#: so a coverage below 90% is unlikely to be chance.
GOOD = 0.90
#: Coverage below this reads as "does not reproduce the log".
POOR = 0.75
#: Spans listed in the findings at most (the rest are counted).
MAX_SPANS = 20


@dataclass(frozen=True)
class Span:
    """Consecutive hours of the week out of the band on one side, for a channel and measure."""

    channel: str
    measure: str
    direction: int  # -1 below the band, +1 above it
    start: int  # hour of the week of its first hour
    cells: tuple[Cell, ...]

    @property
    def hours(self) -> int:
        return len(self.cells)

    @property
    def distance(self) -> float:
        """How far outside the band, in band half-widths, summed over the span's hours."""
        total = 0.0
        for c in self.cells:
            half = max((c.pi_high - c.pi_low) / 2, 1e-9 * max(1.0, abs(c.sim_mean)), 1e-12)
            edge = c.pi_low if self.direction < 0 else c.pi_high
            total += abs(c.observed - edge) / half
        return total


def spans(cells: Sequence[Cell]) -> list[Span]:
    """The spans of one channel and measure's 168 cells (in hour-of-week order), in the order
    they start, the week read as a circle (Sunday 23:00 is followed by Monday 00:00)."""
    by_hour = sorted(cells, key=lambda c: c.hour)
    if len(by_hour) != HOURS_PER_WEEK:
        raise ValueError(f"need {HOURS_PER_WEEK} cells, one per hour of the week")
    d = [c.direction for c in by_hour]
    changes = [h for h in range(HOURS_PER_WEEK) if d[h] != d[h - 1]]
    if not changes:  # the same all week
        return [] if d[0] == 0 else [_span(by_hour, 0, HOURS_PER_WEEK)]
    out: list[Span] = []
    for i, begin in enumerate(changes):
        end = changes[(i + 1) % len(changes)]
        length = (end - begin) % HOURS_PER_WEEK
        if d[begin] != 0:
            out.append(_span(by_hour, begin, length))
    return sorted(out, key=lambda s: s.start)


def _span(by_hour: Sequence[Cell], start: int, length: int) -> Span:
    chosen = tuple(by_hour[(start + i) % HOURS_PER_WEEK] for i in range(length))
    first = chosen[0]
    return Span(first.channel, first.measure, first.direction, start, chosen)


def ranked(bt: Backtest) -> list[Span]:
    """Every span of the back-test, longest first, then furthest outside the band."""
    found = [s for ch in bt.channels for m in MEASURES
             for s in spans([c for c in bt.cells if c.channel == ch and c.measure == m])]
    return sorted(found, key=lambda s: (-s.hours, -s.distance, s.channel, s.measure, s.start))


def hours_label(start: int, hours: int) -> str:
    """``Friday 22:00-02:00`` (the end on the next day left unnamed when under a day),
    ``Saturday 02:00-24:00``, ``Friday 22:00-Sunday 02:00``, or ``all week``."""
    if hours >= HOURS_PER_WEEK:
        return "all week"
    end = (start + hours) % HOURS_PER_WEEK
    begin = f"{DAYS[start // HOURS_PER_DAY]} {start % HOURS_PER_DAY:02d}:00"
    finish = f"{end % HOURS_PER_DAY:02d}:00"
    if end % HOURS_PER_DAY == 0 and start % HOURS_PER_DAY + hours == HOURS_PER_DAY:
        finish = "24:00"  # to the end of the day it started on
    elif hours >= HOURS_PER_DAY:
        finish = f"{DAYS[end // HOURS_PER_DAY]} {finish}"
    return f"{begin}\u2013{finish}"


def value_text(measure: str, value: float) -> str:
    if math.isnan(value):
        return "-"
    if measure in SHARES:
        return f"{value:.0%}"
    if measure == "mean_answer_s":
        return f"{value:.1f} s" if value < 100 else f"{value:,.0f} s"
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def span_text(span: Span) -> str:
    """The span as one plain sentence, with the figures behind it."""
    side = "below" if span.direction < 0 else "above"
    observed = float(np.mean([c.observed for c in span.cells]))
    low = float(np.mean([c.pi_low for c in span.cells]))
    high = float(np.mean([c.pi_high for c in span.cells]))
    hours = "1 hour" if span.hours == 1 else f"{span.hours} hours"
    average = "" if span.hours == 1 else " on average"
    m = span.measure
    figures = (f"observed {value_text(m, observed)}{average} against a band of "
               f"{value_text(m, low)} to {value_text(m, high)}")
    if m == "offered":
        mean = float(np.mean([c.sim_mean for c in span.cells]))
        if mean > 0:
            gap = observed / mean - 1
            figures += f", {abs(gap):.0%} {'more' if gap > 0 else 'fewer'} than simulated"
    return (f"{hours_label(span.start, span.hours)}: observed {span.channel} {WORDS[m]} "
            f"{side} the simulated band ({hours}; {figures})")


def verdict(bt: Backtest, channel: str, measure: str, found: Checks | None = None) -> str:
    """``999 contacts offered: 93% of hours inside the band (95% expected if the model is
    right); total ... inside its band; lean ...: consistent with the log``, with the hours not
    compared. A total or a lean outside its band makes it inconsistent whatever the
    coverage (module :mod:`~contactsim.analysis.backtest_checks`)."""
    found = checks(bt) if found is None else found
    n = bt.counts(measure, channel)
    label = f"{channel} {WORDS[measure]}"
    if not n.compared:
        return f"{label}: no hour had enough contacts to compare"
    cov = n.coverage
    off = found.off(channel, measure)
    judged = ("inconsistent with the log: its " + " and ".join(
        "total" if c.what == "total" else "lean across hours" for c in off)
        + f" lie{'s' if len(off) == 1 else ''} outside the band" if off
        else "consistent with the log" if cov >= GOOD else "off in some hours" if cov >= POOR
        else "does not reproduce the log")
    hours = "1 hour" if n.skipped == 1 else f"{n.skipped} hours"
    skipped = f"; {hours} not compared (too few contacts)" if n.skipped else ""
    extra = "".join(f"; {check_text(c)}" for c in (found.totals.get((channel, measure)),
                                                    found.leans.get((channel, measure)))
                    if c is not None and c.judged)
    return (f"{label}: {cov:.0%} of hours inside the band ({LEVEL:.0%} expected if the model "
            f"is right){extra}: {judged}{skipped}")


def check_text(c: Check) -> str:
    """``total 27,950 (simulated 99% band 25,100 to 25,600, above it)`` or ``lean +1.30 ...``."""
    where = {-1: ", below it", 1: ", above it", 0: ""}[c.direction]
    if c.what == "total":
        def v(x: float) -> str:
            return f"{x:,.0f}" if c.measure == "offered" else value_text(c.measure, x)
        return (f"total {v(c.observed)} (simulated {CHECK_LEVEL:.0%} band {v(c.low)} to "
                f"{v(c.high)}{where})")
    return (f"lean across hours {c.observed:+.2f} (mean standardised residual; "
            f"{CHECK_LEVEL:.0%} band {c.low:+.2f} to {c.high:+.2f}{where})")


def verdicts(bt: Backtest, found: Checks | None = None) -> list[str]:
    found = checks(bt) if found is None else found
    return [verdict(bt, ch, m, found) for ch in bt.channels for m in MEASURES]


def findings(bt: Backtest) -> list[str]:
    """The findings, most telling first: channels left out, the overall verdict, the spans of
    two hours or more (longest first), a count of single hours, and what low coverage means."""
    out = [f"channel {ch} is in the scenario but has no contacts in the log's compared days: "
           "it was simulated but not compared" for ch in bt.missing]
    found = checks(bt)
    low = [(ch, m, bt.coverage(m, ch)) for ch in bt.channels for m in MEASURES
           if bt.coverage(m, ch) < GOOD]
    off = [c for ch in bt.channels for m in MEASURES for c in found.off(ch, m)]
    if low:
        out.append("the model does not yet match the log for " + ", ".join(
            f"{ch} {WORDS[m]} ({cov:.0%} of hours inside the band)" for ch, m, cov in low)
            + "; the longest spans below say where")
    if off:
        out.append("the model is inconsistent with the log overall for " + ", ".join(
            f"{c.channel} {WORDS[c.measure]} ({check_text(c)})" for c in off)
            + ": a total or a lean across hours outside its band is a bias hour-by-hour "
            "bands are too wide to show")
    if not low and not off and bt.channels:
        out.append(f"overall the model reproduces the log: every channel and measure has at "
                   f"least {GOOD:.0%} of its hours inside the band ({LEVEL:.0%} expected if the "
                   f"model is right), and its total and lean across hours inside their "
                   f"{CHECK_LEVEL:.0%} bands; a back-test this size shows a few spans of two "
                   "hours by chance, while a span of three hours or more is worth a look")
    every = ranked(bt)
    long = [s for s in every if s.hours > 1]
    out += [span_text(s) for s in long[:MAX_SPANS]]
    if len(long) > MAX_SPANS:
        out.append(f"... and {len(long) - MAX_SPANS} more spans of two hours or more "
                   "(every hour is in backtest.csv)")
    single = len(every) - len(long)
    if single:
        compared = sum(c.compared for c in bt.cells)
        out.append(f"{single} single hours of the week (out of {compared:,} compared) are "
                   "outside the band on their own; even a right model leaves about one hour "
                   f"in twenty outside ({1 - LEVEL:.0%}), so these alone say little")
    if low:
        out.append("coverage well below 95% means the model does not yet reproduce this "
                   "force's own record there: before planning with those figures, check the "
                   "scenario's demand, staffing, handle times and caller patience for the "
                   "hours named above")
    return out
