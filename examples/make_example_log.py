"""Make examples/force-log.csv.gz: a realistic telephony export to try fit and backtest on.

It runs a shipped scenario with ``contactsim run --contact-log`` (the Dorset-sized baseline
force with the 2025 calendar, four weeks from Monday 6 October 2025, so the end of summer time
on Sunday 26 October is inside it), then roughens the clean simulated log the way real exports
come:

- a vendor's column names (``examples/vendor-columns.toml`` maps them back);
- stray whitespace around some cells;
- a few rows exported twice (exact duplicates);
- a few bad rows: a timestamp in another format, an answer before the arrival, a negative
  talk time, a channel the scenario does not have;
- calls still in progress when the export was taken (neither answered nor abandoned);
- calls in both passes of the repeated hour (01:00-01:59 on 26 October): the simulated room
  writes that hour once, in summer time, so half its calls are moved into the second (GMT)
  pass. Their wall-clock text is the same, only their place in the file moves, so the file's
  clock steps back once, as a real export's does.

Run from the project folder: ``python examples/make_example_log.py``. Same seeds, same file.
"""

from __future__ import annotations

import csv
import gzip
import io
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "baseline-2025.toml"
OUT = HERE / "force-log.csv.gz"
RUN = ["--set", 'run.start_date="2025-10-06"', "--set", 'run.start_day="mon"', "--days", "28",
       "--replications", "1", "--seed", "20251026", "--workers", "1", "--no-report", "--quiet"]
SEED = 20251026  # the roughening's own random numbers
REPEATED_HOUR = "2025-10-26 01:"
EXPORT_GAP_MIN = 20  # the export is taken this long after the last call arrived


def simulate() -> list[dict[str, str]]:
    """The clean simulated log (run --contact-log), as text rows."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "contactsim", "run", str(SCENARIO), *RUN,
                        "--contact-log", "--out", str(Path(tmp) / "run")], check=True)
        with gzip.open(Path(tmp) / "run" / "contacts.csv.gz", "rt", newline="") as f:
            return list(csv.DictReader(f))


def both_passes(rows: list[dict[str, str]], rng: np.random.Generator) -> tuple[list, int]:
    """Move half the calls whose every timestamp is in the repeated hour into its GMT pass."""
    stamps = ("arrived", "queued", "answered", "abandoned")
    inside = [i for i, r in enumerate(rows) if r["arrived"].startswith(REPEATED_HOUR)
              and all(not r[c] or r[c].startswith(REPEATED_HOUR) for c in stamps)]
    moved = sorted(rng.choice(inside, size=len(inside) // 2, replace=False).tolist())
    later = [rows[i] for i in moved]
    kept = [r for i, r in enumerate(rows) if i not in set(moved)]
    after = next(i for i, r in enumerate(kept) if r["arrived"] >= "2025-10-26 02:00")
    later.sort(key=lambda r: r["arrived"])
    return kept[:after] + later + kept[after:], len(later)


def in_progress(rows: list[dict[str, str]]) -> tuple[list, int]:
    """The export is taken EXPORT_GAP_MIN minutes before the simulated log ends: later
    arrivals are not in it, and calls not yet over then have no outcome."""
    last = max(r["arrived"] for r in rows)
    cut = (np.datetime64(last.replace(" ", "T")) - np.timedelta64(EXPORT_GAP_MIN, "m"))
    cut_text = str(cut).replace("T", " ")[:23]
    rows = [r for r in rows if r["arrived"] <= cut_text]
    n = 0
    for r in rows[-400:]:
        if max(r["answered"], r["abandoned"]) > cut_text:
            r.update(answered="", abandoned="", talk_s="", wrap_s="", diverted_to="")
            n += 1
    return rows, n


def bad_rows(rows: list[dict[str, str]], rng: np.random.Generator) -> list[str]:
    """Spoil four answered calls, one way each; what was done, for the README."""
    answered = [i for i, r in enumerate(rows[:-500]) if r["answered"] and r["talk_s"]
                and r["arrived"] != r["answered"]]
    a, b, c, d = rng.choice(answered, size=4, replace=False).tolist()
    day, clock = rows[a]["arrived"].split(" ")
    yyyy, mm, dd = day.split("-")
    rows[a]["arrived"] = f"{dd}/{mm}/{yyyy} {clock[:5]}"
    rows[b]["arrived"], rows[b]["answered"] = rows[b]["answered"], rows[b]["arrived"]
    rows[c]["talk_s"] = "-" + rows[c]["talk_s"]
    rows[d]["channel"] = "998"
    return [f"{rows[a]['arrived']}: arrived in another format",
            f"{rows[b]['arrived']}: answered before it arrived",
            f"{rows[c]['arrived']}: negative talk_s",
            f"{rows[d]['arrived']}: channel 998"]


def whitespace(rows: list[dict[str, str]], rng: np.random.Generator) -> int:
    """Pad a few cells with spaces, as exports from spreadsheets do."""
    picked = rng.choice(len(rows), size=len(rows) // 50, replace=False)
    for i in picked.tolist():
        col = ("channel", "category", "arrived", "talk_s")[i % 4]
        rows[i][col] = " " + rows[i][col] + "  " if rows[i][col] else rows[i][col]
    return len(picked)


def duplicates(rows: list[dict[str, str]], rng: np.random.Generator) -> tuple[list, int]:
    """Export a dozen rows twice, each repeat right after its original."""
    twice = set(rng.choice(len(rows), size=12, replace=False).tolist())
    out: list[dict[str, str]] = []
    for i, r in enumerate(rows):
        out.append(r)
        if i in twice:
            out.append(dict(r))
    return out, len(twice)


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = simulate()
    rows, repeated = both_passes(rows, rng)
    rows, open_calls = in_progress(rows)
    spoiled = bad_rows(rows, rng)
    padded = whitespace(rows, rng)
    rows, doubled = duplicates(rows, rng)
    vendor = tomllib.loads((HERE / "vendor-columns.toml").read_text())  # ours = "theirs"
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\r\n")  # a Windows export
    out.writerow(vendor[c] for c in rows[0])
    out.writerows([r[c] for c in r] for r in rows)
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(text.getvalue().encode())
    print(f"{OUT.name}: {len(rows):,} rows, {OUT.stat().st_size / 1e6:.1f} MB; "
          f"{repeated} calls moved into the GMT pass of 01:00-01:59 on 26 October; "
          f"{open_calls} in progress at the export; {doubled} rows exported twice; "
          f"{padded} cells padded with spaces; bad rows:")
    for line in spoiled:
        print(f"  {line}")


if __name__ == "__main__":
    main()
