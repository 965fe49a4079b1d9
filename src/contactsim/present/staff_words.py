"""The words of the staff command: its notes, its terminal summary, the hour bands a roster
misses, and ``suggested.toml``'s opening comment.

The analysis hands over facts (how the screening ended, the bands, the planner units); the
sentences are made here. The notes go into ``staffing.json`` through the ``staff`` job (the
folder itself is written by :mod:`contactsim.results.staff`), so the report, drawn from the
saved folder, shows the same words as the terminal.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from contactsim.timebase import WEEKDAYS

if TYPE_CHECKING:
    from contactsim.analysis.staff_model import Plan


class BandLike(Protocol):
    @property
    def first_hour(self) -> int: ...
    @property
    def hours(self) -> int: ...
    @property
    def service_level(self) -> float: ...
    @property
    def clearly(self) -> bool: ...


def hour_name(hour: int) -> str:
    """``"Mon 09:00"`` for hour of the week 9."""
    return f"{WEEKDAYS[hour // 24 % 7].capitalize()} {hour % 24:02d}:00"


def band_span(b: BandLike) -> str:
    """``"Mon 09:00-11:00"``: a band's first hour to its end."""
    end = b.first_hour + b.hours
    close = f"{end % 24:02d}:00" if end // 24 == b.first_hour // 24 or end % 24 == 0 \
        else hour_name(end)
    return f"{hour_name(b.first_hour)}-{close}"


def band_words(b: BandLike, target: float) -> str:
    """``"Mon 09:00-10:00 at 88.6% (1.4 points short)"``."""
    if not math.isfinite(b.service_level):
        return band_span(b)
    return (f"{band_span(b)} at {b.service_level:.1%} "
            f"({100 * (target - b.service_level):.1f} points short)")


def bands_note(bands: Sequence[BandLike], target: float, shown: int = 8) -> str | None:
    """Which hours the suggested roster still leaves below the target, and by how much."""
    if not bands:
        return None
    worst = sorted(bands, key=lambda b: b.service_level)[:shown]
    more = f", and {len(bands) - shown} more (staffing.json lists them all)" \
        if len(bands) > shown else ""
    clear = sum(b.clearly for b in bands)
    judged = (f"{clear} of them clearly" if clear else
              "none clearly (with 168 hours judged, a few fall short by chance)")
    return ("the suggested roster still misses the target in "
            f"{len(bands)} band{'s' * (len(bands) != 1)} of hours, {judged}; worst first: "
            + "; ".join(band_words(b, target) for b in worst) + more)


def fte_text(fte: float, today: float) -> str:
    """``"62 FTE in post, today 55"``."""
    return f"{math.ceil(fte - 1e-9):,} FTE in post, today {math.ceil(today - 1e-9):,}"


def plan_notes(p: Plan) -> list[str]:
    """The notes a planner reads first, worded from the plan's facts."""
    notes = []
    r, s = p.request, p.search
    if s.stopped_early:
        rounds = f"{s.limit} round{'s' * (s.limit != 1)}"
        notes.append(f"screening stopped at its limit of {rounds} with {s.last_up} hours still "
                     "short of the target; they were raised but not screened again. The "
                     "roster was verified with every replication, so its own figures stand; "
                     f"run again with --max-iterations {2 * s.limit} to let screening finish")
    if s.trimmed:
        notes.append(f"{s.trimmed:,} staff hours were taken off shifts whose every hour was "
                     "clearly above the target, keeping only removals that left no hour below "
                     f"it ({s.trim_screens} more screening runs)")
    if s.stuck:
        notes.append(f"{s.stuck} hour{'s' * (s.stuck != 1)} stayed short when given more "
                     "people (their service level closed less than a quarter of the gap), so "
                     "screening stopped raising them: more people on their shifts do not reach "
                     "them (at a shift's edge, say); the bands below say how far short they are")
    if not p.chosen.meets(r.target):
        notes.append(f"no roster verified meets the target over the week: the best reached "
                     f"{p.chosen.service_level.mean:.1%}; allow more shifts (--shift-starts, "
                     "--shift-hours) or check the scenario")
    band = bands_note(p.chosen.bands, r.target)
    if band:
        notes.append(band)
    notes.extend(pattern_notes(p))
    if p.workforce.leave == 0:
        notes.append(f"pool {p.pool!r} sets no leave, so FTE count rostered hours against "
                     f"{p.workforce.contracted_hours:g}-hour contracts only; set "
                     f"pools.{p.pool}.leave (annual leave, training) for people in post")
    return notes


def pattern_notes(p: Plan) -> list[str]:
    """Which shifts the roster could use, and any of the pool's lines left out of them."""
    from contactsim.analysis.staff_model import own_patterns

    r, notes = p.request, []
    spec = p.scenario.pools[p.pool]
    odd = [f"{s.start_min // 60:02d}:{s.start_min % 60:02d} for {s.length_min / 60:g} h"
           for s in spec.roster if s.start_min % 60 or s.length_min % 60]
    if spec.staff_by_hour is None and odd:
        notes.append("roster lines that do not start and end on the hour were left out of "
                     f"the shift patterns: {', '.join(odd)}")
    if not own_patterns(p.scenario, p.pool):
        notes.append(f"pool {p.pool!r} has no whole-hour shift lines of its own, so every "
                     "allowed length was allowed at every allowed hour")
    elif not r.shift_hours and not r.shift_starts:
        notes.append("kept the pool's own shift patterns ("
                     + ", ".join(f"{s0:02d}:00 for {n} h" for s0, n in p.patterns)
                     + ") and chose only headcounts; --shift-starts and --shift-hours widen "
                     "the choice")
    if p.one_more_start is not None:
        notes.append(one_more_start_note(p, *p.one_more_start))
    return notes


def one_more_start_note(p: Plan, start: int, hours: int) -> str:
    """Where the pool's own shifts overlap, they cost hours the requirement does not need."""
    lengths = sorted({n for _, n in p.patterns})
    words = ", ".join(str(n) for n in lengths[:-1]) + " and " if len(lengths) > 1 else ""
    fte = p.workforce.fte(hours)
    return (f"the requirement is {int(p.required.sum()):,} staff hours, but the pool's own "
            "shifts cover it only in whole shifts at their own times, so some hours get "
            "more people than they need; "
            f"shifts starting at {start:02d}:00 as well ({words}{lengths[-1]} hours) would "
            f"cover it with {hours:,} staff hours ({fte:.0f} FTE; not yet simulated): try "
            f"--shift-starts {start}")


def staffing_text(p: Plan) -> str:
    """What ``contactsim staff`` found, in a few lines for the terminal."""
    r, w = p.request, p.workforce
    sl = p.suggested_sl
    ci = "" if math.isnan(sl.ci_low) else f" (95% CI {sl.ci_low:.1%} to {sl.ci_high:.1%})"
    verdict = "meets" if sl.mean >= r.target else "misses"
    starts = ", ".join(f"{h:02d}:00" for h in p.chosen.starts)
    target_s = p.scenario.channels[r.channel].answer_target_s
    rostered = float(p.rostered.sum())
    lines = [
        f"\nStaff for {r.channel} in pool {p.pool}: {r.target:.0%} answered within "
        f"{target_s:g} s, every hour of the week",
        f"  people               {fte_text(w.fte(p.suggested_hours), w.fte(rostered))} "
        f"({w.contracted_hours:g}-hour contracts, {w.shrinkage:.0%} shrinkage)",
        f"  staff hours a week   suggested {p.suggested_hours:,}, requirement "
        f"{int(p.required.sum()):,}, formula {int(p.erlang_a.sum()):,}, today {rostered:,.0f}",
        f"  suggested roster     {p.chosen.lines} shift lines starting at {starts}; "
        f"{r.channel} service level {sl.mean:.1%}{ci} ({verdict} the target over the week), "
        f"{len(p.chosen.bands)} hour bands below it",
        f"  simulation           {p.iterations} screening rounds of {p.screen_replications} "
        f"replications, {len(p.candidates)} verified with {p.scenario.run.replications}; "
        "same seed throughout",
    ]
    lines.extend(f"  note: {n}" for n in plan_notes(p))
    return "\n".join(lines) + "\n"


def run_instruction(final: Path) -> str:
    """How to run the suggested roster with its results beside the staff folder, not in it."""
    return (f"contactsim run {shlex.quote(str(final / 'suggested.toml'))} --out "
            f"{shlex.quote(str(final) + '-run')}")


def suggested_header(p: Plan, final: Path) -> str:
    """``suggested.toml``'s opening comment: what was asked, what it costs, how to run it
    (``final``: where the staff folder ends up)."""
    return (f"# Suggested by contactsim staff: {p.request.channel} at {p.request.target:.0%} "
            f"within {p.scenario.channels[p.request.channel].answer_target_s:g} s, "
            f"{p.suggested_hours} staff hours a week in pool {p.pool}.\n"
            "# Run it from where you ran contactsim staff, with its results beside this "
            "folder (not inside it):\n"
            f"#   {run_instruction(final)}\n")
