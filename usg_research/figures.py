"""One visual style, and figure builders that draw the library's CIs and mark suppressed cells.

Call :func:`use_style` once in a notebook (nothing is applied on import).

Examples
--------
>>> import pandas as pd
>>> use_style()
>>> t = pd.DataFrame({"label": ["A", "B"], "estimate": [0.4, None], "ci_low": [0.3, None],
...                   "ci_high": [0.5, None], "flag": ["reliable", "suppressed"], "unit": ["percent"] * 2})
>>> fig = dot_interval(t, title="Headline")
>>> len(fig.axes)
1
"""

from __future__ import annotations

import textwrap

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

#: Okabe-Ito, safe for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FLAG_COLOURS = {"reliable": "#0072B2", "caution": "#E69F00", "suppressed": "#999999"}


def use_style() -> None:
    """Apply the package style and the settings that make figure files byte-identical."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font="DejaVu Sans")
    plt.rcParams.update({
        "svg.hashsalt": "usg-research", "svg.fonttype": "path", "figure.dpi": 100, "savefig.dpi": 150,
        "axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10, "figure.figsize": (8, 4.5),
    })


def dot_interval(table: pd.DataFrame, title: str, xlabel: str | None = None, suppressed_word: str = "suppressed"):
    """Dot-and-interval chart: one row per estimate, 95% CI as a line, suppressed rows marked, not dropped.

    ``table`` has ``label, estimate, ci_low, ci_high, flag, unit``; percent units are drawn 0-100. Rows
    with different units get their own panel (a rate per 100,000 never shares an axis with a percentage).
    """
    t = table.reset_index(drop=True)
    units = list(dict.fromkeys(t["unit"]))
    sizes = [int((t["unit"] == u).sum()) for u in units]
    fig, axes = plt.subplots(len(units), 1, figsize=(10, 0.5 * len(t) + 1.2 * len(units) + 0.4),
                             gridspec_kw={"height_ratios": sizes}, squeeze=False)
    for ax, unit in zip(axes[:, 0], units, strict=True):
        _panel(ax, t[t["unit"] == unit].reset_index(drop=True), unit, xlabel, suppressed_word)
    axes[0, 0].set_title(title, loc="left")
    fig.tight_layout()
    return fig


def _panel(ax, t: pd.DataFrame, unit: str, xlabel: str | None, suppressed_word: str) -> None:
    pct = unit == "percent"
    scale = 100.0 if pct else 1.0
    est, lo, hi = (t[c].to_numpy(dtype=float) * scale for c in ("estimate", "ci_low", "ci_high"))
    y = np.arange(len(t))[::-1]
    for i in range(len(t)):
        colour = FLAG_COLOURS.get(t.loc[i, "flag"], PALETTE[0])
        if t.loc[i, "flag"] == "suppressed" or np.isnan(est[i]):
            ax.text(0.02, y[i], f"({suppressed_word})", va="center", ha="left", color="#666666", fontsize=9,
                    transform=ax.get_yaxis_transform())
            continue
        ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colour, lw=2, solid_capstyle="butt")
        ax.plot(est[i], y[i], "o", color=colour, ms=7)
        ax.annotate(f"{est[i]:,.1f}" if pct else f"{est[i]:,.0f}", (hi[i], y[i]), xytext=(4, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=8, color="#333333")
    ax.set_yticks(y, [textwrap.fill(str(s), 34) for s in t["label"]], fontsize=9)
    ax.set_ylim(-0.6, len(t) - 0.4)
    if pct:
        ax.set_xlim(0, 100)
    else:
        top = np.nanmax(hi) if np.isfinite(np.nanmax(hi)) else 1.0
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel(xlabel or ("% (95% CI)" if pct else f"{unit} (95% CI)"))
    ax.grid(axis="y", visible=False)
