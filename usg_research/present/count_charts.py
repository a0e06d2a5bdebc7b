"""Charts of counts and rates from records and the census: a heatmap, the population pyramid, rate lines
over time, small multiples of monthly rates, and bars of rates by area (with their exact Poisson CIs), in
the style of :mod:`usg_research.present.figures`.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"year": [2020, 2021], "series": "A", "rate": [10.0, 12.0], "ci_low": [8.0, 10.0],
...                   "ci_high": [12.0, 14.0]})
>>> len(rate_lines(t, "Rates", "year", "series", "year", "per 100,000").axes)
1
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .figures import PALETTE, WIDTH, num, number_axis, series_style, tight, wrap


def heatmap(matrix: pd.DataFrame, title: str, xlabel: str, ylabel: str, cbar_label: str, fmt: str = "d",
            annotate: bool = False, vmax: float | None = None, missing: str | None = None):
    """A labelled heatmap (counts or shares) with a sequential colour-blind-safe colour map. With
    ``missing`` (e.g. ``"<3"``), empty cells (suppressed values) are grey and read ``missing``."""
    h = max(2.8, 0.42 * len(matrix) + 1.6)
    fig, ax = plt.subplots(figsize=(WIDTH, h))
    ax.set_facecolor("#e6e6e6")  # empty cells
    ax.grid(False)
    sns.heatmap(matrix, ax=ax, cmap="viridis", annot=annotate, fmt=fmt, vmin=0, vmax=vmax,
                cbar_kws={"label": cbar_label}, linewidths=0.3, linecolor="white", annot_kws={"fontsize": 8})
    if missing is not None:  # seaborn leaves empty cells unannotated
        for i, j in zip(*np.nonzero(matrix.isna().to_numpy()), strict=True):
            ax.text(j + 0.5, i + 0.5, missing, ha="center", va="center", fontsize=8, color="#555555")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_yticklabels([wrap(t.get_text(), 30) for t in ax.get_yticklabels()], rotation=0)
    ax.set_xticklabels([wrap(t.get_text(), 14) for t in ax.get_xticklabels()], rotation=0, fontsize=8)
    ax.set_title(title, loc="left")
    tight(fig)
    return fig


def pyramid(pop: pd.DataFrame, title: str, male: str, female: str, xlabel: str):
    """Population pyramid from ``age_group, male, female`` (counts; youngest group at the bottom)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 5.5))
    y = np.arange(len(pop))
    ax.barh(y, -pop["male"], color=PALETTE[0], label=male)
    ax.barh(y, pop["female"], color=PALETTE[1], label=female)
    ax.set_yticks(y, pop["age_group"], fontsize=8)
    m = float(max(pop["male"].max(), pop["female"].max())) * 1.1
    ax.set_xlim(-m, m)
    number_axis(ax.xaxis, absolute=True)
    ax.set_xlabel(xlabel)
    ax.legend(loc="upper right")
    ax.set_title(title, loc="left")
    tight(fig)
    return fig


def rate_lines(table: pd.DataFrame, title: str, x: str, series: str, xlabel: str, ylabel: str):
    """Rates over time, one line per series with its CI band (``rate, ci_low, ci_high``)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 5.2))
    for i, (name, g) in enumerate(table.groupby(series, sort=False)):
        c, style = series_style(i)
        ax.plot(g[x], g["rate"], color=c, label=wrap(name, 40), ms=4, **style)
        ax.fill_between(g[x], g["ci_low"], g["ci_high"], color=c, alpha=0.15, lw=0)
    ax.set_xticks(sorted(table[x].unique()))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    number_axis(ax.yaxis)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title, loc="left")
    tight(fig)
    return fig


def rate_panels(table: pd.DataFrame, title: str, x: str, panel: str, ylabel: str, columns: int = 4):
    """Rates over time in small multiples, one panel per ``panel`` level (in table order) with its own
    scale: the rate as a line with its CI band (``rate, ci_low, ci_high``); ``x`` holds ``YYYY-MM`` months,
    labelled by year at each January."""
    names = list(dict.fromkeys(table[panel]))
    rows = -(-len(names) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(WIDTH, 1.9 * rows + 0.8), sharex=True, squeeze=False)
    months = sorted(table[x].unique())
    pos = {m: i for i, m in enumerate(months)}
    januaries = [(i, m[:4]) for i, m in enumerate(months) if m.endswith("-01")]
    for ax, name in zip(axes.flat, names, strict=False):
        g = table[table[panel] == name]
        xs = g[x].map(pos).to_numpy()
        ax.fill_between(xs, g["ci_low"], g["ci_high"], color=PALETTE[0], alpha=0.18, lw=0)
        ax.plot(xs, g["rate"], color=PALETTE[0], lw=1.2)
        ax.set_title(wrap(name, 30), fontsize=8, loc="left")
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
        number_axis(ax.yaxis)
        ax.set_xticks([i for i, _ in januaries], [y for _, y in januaries])
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.set_visible(False)
        elif k + columns >= len(names):  # the lowest panel of its column: its months are labelled
            ax.xaxis.set_tick_params(labelbottom=True)
    fig.supylabel(ylabel, fontsize=9)
    fig.suptitle(title, x=0.01, ha="left")
    tight(fig)
    return fig


def rate_bars(table: pd.DataFrame, title: str, label: str, xlabel: str):
    """Horizontal bars of rates with their CIs (``rate, ci_low, ci_high``), in table order; a rate without a
    CI (no residents) in the second colour."""
    n = len(table)
    fig, ax = plt.subplots(figsize=(WIDTH, max(2.4, 0.45 * n + 1.4)))
    y = np.arange(n)[::-1]
    rate = table["rate"].to_numpy(dtype=float)
    lo, hi = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    has_ci = np.isfinite(lo)
    ax.barh(y, rate, color=[PALETTE[0] if c else PALETTE[1] for c in has_ci], height=0.6)
    ax.errorbar(rate[has_ci], y[has_ci], xerr=[rate[has_ci] - lo[has_ci], hi[has_ci] - rate[has_ci]], fmt="none",
                ecolor="#333333", capsize=3, lw=1)
    for yi, r, h in zip(y, rate, np.where(has_ci, hi, rate), strict=True):
        ax.annotate(num(r, 1), (h, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, [wrap(s, 26) for s in table[label]], fontsize=9)
    ax.set_xlim(0, np.nanmax(np.where(has_ci, hi, rate)) * 1.2)
    number_axis(ax.xaxis)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.set_title(title, loc="left")
    tight(fig)
    return fig
