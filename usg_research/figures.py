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

import matplotlib

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

    ``table`` has ``label, estimate, ci_low, ci_high, flag, unit``; percent units are drawn 0-100.
    """
    t = table.reset_index(drop=True)
    pct = t["unit"].eq("percent").to_numpy()
    scale = np.where(pct, 100.0, 1.0)
    est, lo, hi = (t[c].to_numpy(dtype=float) * scale for c in ("estimate", "ci_low", "ci_high"))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(t) + 1.4))
    y = np.arange(len(t))[::-1]
    for i in range(len(t)):
        colour = FLAG_COLOURS.get(t.loc[i, "flag"], PALETTE[0])
        if t.loc[i, "flag"] == "suppressed" or np.isnan(est[i]):
            ax.text(0.5, y[i], f"({suppressed_word})", va="center", ha="left", color="#666666", fontsize=9,
                    transform=ax.get_yaxis_transform())
            continue
        ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colour, lw=2, solid_capstyle="butt")
        ax.plot(est[i], y[i], "o", color=colour, ms=7)
        ax.text(hi[i], y[i] + 0.18, f" {est[i]:.1f}", va="bottom", ha="left", fontsize=8, color="#333333")
    ax.set_yticks(y, [str(s) for s in t["label"]])
    ax.set_xlim(0, 100 if pct.all() else None)
    ax.set_xlabel(xlabel or ("% (95% CI)" if pct.all() else "estimate (95% CI)"))
    ax.set_title(title, loc="left")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
