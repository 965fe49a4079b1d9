"""The fit's pictures: the log against what the fitted scenario says, drawn from saved files.

- ``fit_demand.png``: contacts per hour of the week, observed (the log's mean over its days)
  against fitted (``per_day x weekly x hourly``), one panel per channel;
- ``fit_<what>.png``: for handle times, wrap-up, connection and redial delays, the log's
  histogram against the density of every family fitted (the chosen one bold);
- ``fit_patience.png``: per voice channel, the Kaplan-Meier survival (the share of callers
  still waiting after t seconds, as the log shows it with answered callers' waits taken as
  lower bounds) as steps with its 95% band, against each fitted family's survival curve.

Fitted curves come from fit.json's family tables (mean and sd), so ``contactsim plot`` redraws
them without the log.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from contactsim.config.distributions import weibull_shape
from contactsim.present.plots import (
    HOURS,
    WIDE,
    Plot,
    colour,
    drawn,
    save_figure,
    text,
    week_axis,
)
from contactsim.results.fit import FitResults
from contactsim.results.fit_summary import FittedDuration

#: The durations drawn as histograms, with their titles.
DURATIONS = {"handle": "Handle (talk) time by category",
             "wrap_up": "Wrap-up time by category",
             "connect_s": "Connection time by channel",
             "redial_delay": "Time from hanging up to redialling, by channel"}
#: At most this many panels in one duration figure.
MAX_PANELS = 12
FAMILY_COLOURS = {"exponential": colour(0), "lognormal": colour(1), "gamma": colour(2),
                  "weibull": colour(3)}


def frozen(family: str, mean: float, sd: float) -> Any:
    """The scipy.stats distribution of a family with this mean and sd (seconds)."""
    if family == "exponential":
        return stats.expon(scale=mean)
    cv = sd / mean
    if family == "lognormal":
        s2 = math.log1p(cv * cv)
        return stats.lognorm(math.sqrt(s2), scale=mean * math.exp(-s2 / 2))
    if family == "gamma":
        k = 1 / (cv * cv)
        return stats.gamma(k, scale=mean / k)
    k = weibull_shape(cv)
    return stats.weibull_min(k, scale=mean / math.gamma(1 + 1 / k))


def _curves(entry: FittedDuration | None) -> list[tuple[str, bool, Any]]:
    out = []
    for row in entry.families if entry is not None else ():
        mean, sd = row.mean_s, row.sd_s
        if mean is not None and sd is not None and mean > 0 and sd > 0:
            out.append((row.family, row.chosen, frozen(row.family, mean, sd)))
    return out


def demand_figure(fit: FitResults, channels: list[str]) -> Figure:
    fig, axes = plt.subplots(len(channels), 1, figsize=(WIDE, 2.6 * len(channels) + 0.8),
                             squeeze=False, layout="constrained")
    for ax, ch in zip(axes[:, 0], channels, strict=True):
        rows = fit.demand.where("channel", ch)
        hours = rows.numbers("hour_of_week").astype(int)
        obs, fitted = np.full(168, np.nan), np.full(168, np.nan)
        obs[hours], fitted[hours] = rows.numbers("observed_per_hour"), rows.numbers(
            "fitted_per_hour")
        ax.plot(HOURS, obs, "o", color="#222222", markersize=2.5, label="observed (log)",
                gid=f"observed:{ch}")
        ax.plot(HOURS, fitted, color=colour(0), drawstyle="steps-mid", linewidth=1.4,
                label="fitted: per_day x weekly x hourly", gid=f"fitted:{ch}")
        ax.set_title(f"{text(ch)}: contacts per hour", loc="left", fontsize=11)
        ax.set_ylabel("contacts an hour")
        week_axis(ax)
        ax.set_ylim(bottom=0)
        if ch != channels[-1]:
            ax.set_xlabel("")
    axes[0, 0].legend(loc="upper left", fontsize=9, frameon=False)
    return fig


def duration_figure(fit: FitResults, what: str, owners: list[str]) -> Figure:
    n = len(owners)
    cols = min(3, n)
    rows_n = math.ceil(n / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(WIDE, 2.9 * rows_n + 0.6), squeeze=False,
                             layout="constrained")
    hist = fit.histograms.where("what", what)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_visible(False)
            continue
        owner = owners[i]
        rows = hist.where("owner", owner)
        low, high = rows.numbers("bin_low_s"), rows.numbers("bin_high_s")
        ax.bar(low, rows.numbers("density"), width=high - low, align="edge", color="#cccccc",
               edgecolor="#999999", linewidth=0.4, label="log", gid=f"hist:{what}:{owner}")
        x = np.linspace(max(float(high[-1]) * 1e-3, 1e-3), float(high[-1]), 300)
        for family, chosen, dist in _curves(_entry(fit, what, owner)):
            with np.errstate(all="ignore"):
                ax.plot(x, dist.pdf(x), color=FAMILY_COLOURS[family],
                        linewidth=2.2 if chosen else 0.9, alpha=1 if chosen else 0.8,
                        label=family + (" (chosen)" if chosen else ""),
                        gid=f"pdf:{what}:{owner}:{family}")
        ax.set_title(text(owner), loc="left", fontsize=10)
        ax.set_xlabel("seconds")
        ax.set_yticks([])
        ax.legend(fontsize=7, frameon=False)
    return fig


def patience_figure(fit: FitResults, channels: list[str]) -> Figure:
    cols = min(2, len(channels))
    rows_n = math.ceil(len(channels) / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(WIDE, 3.6 * rows_n + 0.6), squeeze=False,
                             layout="constrained")
    for i, ax in enumerate(axes.flat):
        if i >= len(channels):
            ax.set_visible(False)
            continue
        ch = channels[i]
        rows = fit.survival.where("channel", ch)
        t = rows.numbers("t_s")
        ax.step(t, rows.numbers("km"), where="post", color="#222222", linewidth=1.4,
                label="log (Kaplan-Meier)", gid=f"km:{ch}")
        ax.fill_between(t, rows.numbers("km_low"), rows.numbers("km_high"), step="post",
                        color="#222222", alpha=0.12, linewidth=0, label="95% band")
        x = np.linspace(0, float(t.max()) if len(t) else 1.0, 300)
        for family, chosen, dist in _curves(fit.summary.channels[ch].patience):
            ax.plot(x, dist.sf(x), color=FAMILY_COLOURS[family],
                    linewidth=2.2 if chosen else 0.9,
                    label=family + (" (chosen)" if chosen else ""), gid=f"sf:{ch}:{family}")
        ax.set_title(f"{text(ch)}: callers still waiting", loc="left", fontsize=10)
        ax.set_xlabel("seconds in the queue")
        ax.set_ylim(0, 1.02)
        ax.grid(color="#e4e4e4", linewidth=0.6)
        ax.legend(fontsize=7, frameon=False)
    return fig


def _entry(fit: FitResults, what: str, owner: str) -> FittedDuration | None:
    s = fit.summary
    if what in ("handle", "wrap_up"):
        return s.categories.get(owner, {}).get(what)
    ch = s.channels.get(owner)
    if ch is None:
        return None
    return ch.redial_delay if what == "redial_delay" else ch.connect_s


def draw_fit(fit: FitResults, folder: Path) -> list[Plot]:
    """Every picture of a fit folder, saved under plots/."""
    channels = drawn(list(fit.summary.channels))
    plots = [Plot(save_figure(demand_figure(fit, channels), folder, "fit_demand.png"),
                  "Demand by hour of the week: the log against the fitted shape",
                  "Points: the log's mean contacts in each hour of the week (over its whole "
                  "days). Line: what the fitted per_day, weekly and hourly give. Points far "
                  "from the line in a run of hours are a pattern the scenario's separate day "
                  "and week shapes cannot hold (e.g. Friday nights running late).")]
    voice = [ch for ch in channels if len(fit.survival.where("channel", ch))]
    if voice:
        plots.append(Plot(save_figure(patience_figure(fit, voice), folder, "fit_patience.png"),
                          "Caller patience: how long callers wait before hanging up",
                          "Steps: the share of callers still willing to wait after t seconds, "
                          "as the log shows it (Kaplan-Meier: callers who were answered count "
                          "as having waited at least as long as they did). Lines: each fitted "
                          "family; the bold one was chosen. Where most callers are answered "
                          "quickly the curve rests on few callers beyond the first minute."))
    for what, title in DURATIONS.items():
        owners = [o for o in fit.histograms.where("what", what).distinct("owner")
                  if _curves(_entry(fit, what, o))][:MAX_PANELS]
        if owners:
            plots.append(Plot(save_figure(duration_figure(fit, what, owners), folder,
                                          f"fit_{what}.png"), title,
                              "Bars: the log's values (up to their 99th percentile). Lines: "
                              "the density of each fitted family; the bold one was chosen."))
    return plots
