"""One visual style, and the figure primitives of the reports.

Every primitive takes a tidy table the library computed (estimates with their
design-based or exact-Poisson CIs; seaborn never estimates anything here),
marks suppressed cells visibly instead of dropping them, and returns a
matplotlib Figure. Call :func:`use_style` once in a notebook (nothing is
applied on import).

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from .format import CAUTION_FLAGS, CAUTION_MARK, number  # noqa: E402

#: Okabe-Ito, safe for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FLAG_COLOURS = {"reliable": "#0072B2", "caution": "#E69F00", "review": "#E69F00", "suppressed": "#999999"}
SUPPRESSED_FILL = {"facecolor": "#f2f2f2", "edgecolor": "#999999", "hatch": "///", "linewidth": 0.5}
WIDTH = 10.0  # inches: readable at report width (the HTML scales the PNG to the column)


#: the language figure numbers are written in (:func:`use_style`)
_NUMBERS = {"language": "en"}


@dataclass(frozen=True)
class NumberTicks:
    """Tick labels as the report's language writes numbers (picklable, for the figure helper process);
    ``absolute``: counts either side of zero read positive (a pyramid)."""

    decimals: int = 0
    absolute: bool = False
    language: str = "en"

    def __call__(self, value: float, _position: object = None) -> str:
        return number(abs(value) if self.absolute else value, self.decimals, self.language)


def num(x: float, decimals: int = 0) -> str:
    """A number drawn in a figure, as the report's language writes it (:func:`use_style`)."""
    return number(x, decimals, _NUMBERS["language"])


def number_axis(axis, decimals: int = 0, absolute: bool = False) -> None:
    """Label an axis's ticks as the report's language writes numbers."""
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(NumberTicks(decimals, absolute, _NUMBERS["language"])))


def use_style(language: str = "en") -> None:
    """Apply the package style and the settings that make figure files byte-identical; numbers in figures
    are written as ``language`` writes them.

    Text is drawn with matplotlib's own bundled DejaVu Sans (Latin and Cyrillic): a system copy of
    the same family (e.g. Debian's fonts-dejavu) has other glyph numbers, and which copy wins would
    otherwise depend on the machine's font list, changing the SVG files.
    """
    from matplotlib import font_manager

    _NUMBERS["language"] = language
    bundled = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist
                                        if not f.name.startswith("DejaVu") or f.fname.startswith(bundled)]
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for ttf in sorted(Path(bundled).glob("DejaVuSans*.ttf")):
        if str(ttf) not in known:
            font_manager.fontManager.addfont(str(ttf))
    font_manager.fontManager._findfont_cached.cache_clear()
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font="DejaVu Sans")
    plt.rcParams.update({
        "svg.hashsalt": "usg-research", "svg.fonttype": "path", "figure.dpi": 100, "savefig.dpi": 150,
        "axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10, "figure.figsize": (8, 4.5),
        "legend.fontsize": 9, "legend.frameon": False, "xtick.labelsize": 9, "ytick.labelsize": 9,
    })


def tight(fig, rect: tuple[float, float, float, float] = (0, 0, 1, 1)) -> None:
    """Ask for a tight layout of ``fig`` (within ``rect``), computed by :func:`finish` when the figure is saved.

    Laying text out is a large part of drawing a figure; deferring it lets the figure helper process do it
    (:mod:`usg_research.present.figure_files`). The layout is computed at the figure's own resolution, as
    ``fig.tight_layout`` at creation would.
    """
    fig._usg_tight_rect = rect


def finish(fig) -> None:
    """Compute the layout :func:`tight` asked for (once)."""
    rect = getattr(fig, "_usg_tight_rect", None)
    if rect is not None:
        fig.tight_layout(rect=rect)
        fig._usg_tight_rect = None


def wrap(text: object, width: int = 34) -> str:
    """Wrap a label for an axis (long labels never squeeze the plot)."""
    return textwrap.fill(str(text), width)


def series_style(i: int) -> tuple[str, dict[str, str]]:
    """Colour, line style and marker of the ``i``-th line of a chart: the palette's colours first, then again
    dashed with square markers, then dotted with triangles, so no two of 24 lines look alike.

    Examples
    --------
    >>> series_style(0) == (PALETTE[0], {"linestyle": "-", "marker": "o"})
    True
    >>> series_style(8) == (PALETTE[0], {"linestyle": "--", "marker": "s"})
    True
    """
    k = i // len(PALETTE) % 3
    return PALETTE[i % len(PALETTE)], {"linestyle": ("-", "--", ":")[k], "marker": ("o", "s", "^")[k]}


def scale_colours(n: int, negative_first: bool = False) -> list[str]:
    """A diverging, colour-blind-safe ramp for an ordered answer scale: blue for the favourable end, red
    for the unfavourable one (``negative_first`` when the scale starts with the unfavourable answer)."""
    if n <= 1:
        return [PALETTE[0]]
    ramp = sns.color_palette("RdYlBu_r", n_colors=n).as_hex()
    return ramp[::-1] if negative_first else ramp


# --- dot and interval ---------------------------------------------------------------------------

def dot_interval(table: pd.DataFrame, title: str, xlabel: str | None = None, suppressed_word: str = "suppressed",
                 ci_word: str = "95% CI", unit_label: Callable[[str], str] = str):
    """Dot-and-interval chart: one row per estimate, 95% CI as a line, suppressed rows marked, not dropped.

    ``table`` has ``label, estimate, ci_low, ci_high, flag, unit``; percent units are drawn 0-100. Rows
    with different units get their own panel (a rate per 100,000 never shares an axis with a percentage),
    its axis ``unit (ci_word)`` with the unit as ``unit_label`` writes it.
    """
    t = table.reset_index(drop=True)
    units = list(dict.fromkeys(t["unit"]))
    sizes = [int((t["unit"] == u).sum()) for u in units]
    fig, axes = plt.subplots(len(units), 1, figsize=(WIDTH, 0.5 * len(t) + 1.2 * len(units) + 0.4),
                             gridspec_kw={"height_ratios": sizes}, squeeze=False)
    for ax, unit in zip(axes[:, 0], units, strict=True):
        sub = t[t["unit"] == unit].reset_index(drop=True)
        _intervals(ax, sub, sub["label"].tolist(), [None] * len(sub), {None: PALETTE[0]}, unit == "percent",
                   suppressed_word, by_flag=True)
        ax.set_xlabel(xlabel or f"{'%' if unit == 'percent' else unit_label(unit)} ({ci_word})")
    axes[0, 0].set_title(title, loc="left")
    tight(fig)
    return fig


def _intervals(ax, t: pd.DataFrame, rows: list[str], hues: list[object], colours: dict, pct: bool,
               suppressed_word: str, by_flag: bool = False) -> None:
    """Draw estimates with CIs on ``ax``: one y position per row label, hues dodged around it (in the
    order of ``colours``, the same in every panel)."""
    scale = 100.0 if pct else 1.0
    order = list(dict.fromkeys(rows))
    hue_order = [h for h in colours if h in set(hues)]
    step = 0.8 / max(len(hue_order), 1)
    ypos = {r: len(order) - 1 - i for i, r in enumerate(order)}
    est, lo, hi = (t[c].to_numpy(dtype=float) * scale for c in ("estimate", "ci_low", "ci_high"))
    top = np.nanmax(hi) if np.isfinite(hi).any() else 1.0
    for i, (r, h) in enumerate(zip(rows, hues, strict=True)):
        y = ypos[r] + (hue_order.index(h) - (len(hue_order) - 1) / 2) * step * -1
        fl = t["flag"].iloc[i]
        colour = FLAG_COLOURS.get(fl, PALETTE[0]) if by_flag else colours[h]
        if fl == "suppressed" or not np.isfinite(est[i]):
            ax.text(0.01, y, f"({suppressed_word})", va="center", ha="left", color="#666666", fontsize=8,
                    transform=ax.get_yaxis_transform())
            continue
        if np.isfinite(lo[i]):
            ax.plot([lo[i], hi[i]], [y, y], color=colour, lw=2, solid_capstyle="butt")
        marker = "o" if fl not in CAUTION_FLAGS else "D"
        ax.plot(est[i], y, marker, color=colour, ms=6, mfc=colour if fl not in CAUTION_FLAGS else "white")
        ax.annotate(num(est[i], 1 if pct else 0), (hi[i] if np.isfinite(hi[i]) else est[i], y),
                    xytext=(4, 0), textcoords="offset points", va="center", ha="left", fontsize=7.5,
                    color="#333333")
    ax.set_yticks([ypos[r] for r in order], [wrap(r) for r in order], fontsize=9)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlim(0, 100 if pct else top * 1.18)
    if not pct:
        number_axis(ax.xaxis)
    ax.grid(axis="y", visible=False)


def grouped_intervals(table: pd.DataFrame, title: str, row: str, panel: str | None = None, hue: str | None = None,
                      xlabel: str = "% (95% CI)", pct: bool = True, suppressed_word: str = "suppressed",
                      caution_word: str = "use with caution", legend_columns: int = 4):
    """Estimates with 95% CIs as small multiples: one panel per ``panel`` value, rows, dodged hues.

    ``table`` is tidy with ``estimate, ci_low, ci_high, flag`` and the label columns named by ``row``,
    ``panel`` and ``hue``. Caution estimates are drawn as open diamonds; suppressed ones are written out.
    """
    t = table.reset_index(drop=True)
    panels = list(dict.fromkeys(t[panel])) if panel else [None]
    hue_values = list(dict.fromkeys(t[hue])) if hue else [None]
    colours = {h: PALETTE[i % len(PALETTE)] for i, h in enumerate(hue_values)}
    rows_per = [t[t[panel] == p][row].nunique() if panel else t[row].nunique() for p in panels]
    k = len(hue_values)
    height = sum(r * (0.32 + 0.16 * k) + 0.7 for r in rows_per) + 0.8
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, max(height, 2.6)), squeeze=False,
                             gridspec_kw={"height_ratios": [r * (0.32 + 0.16 * k) + 0.7 for r in rows_per]})
    for ax, p in zip(axes[:, 0], panels, strict=True):
        sub = t[t[panel] == p].reset_index(drop=True) if panel else t
        _intervals(ax, sub, sub[row].astype(str).tolist(), sub[hue].tolist() if hue else [None] * len(sub),
                   colours, pct, suppressed_word)
        if p is not None:
            ax.set_title(str(p), loc="left", fontsize=10, fontweight="normal")
        ax.set_xlabel("")
    axes[-1, 0].set_xlabel(xlabel)
    handles = [plt.Line2D([], [], marker="o", color=colours[h], lw=2, label=wrap(h, 28)) for h in hue_values] \
        if hue else []
    if t["flag"].isin(CAUTION_FLAGS).any():
        handles.append(plt.Line2D([], [], marker="D", color="#555555", mfc="white", lw=0, label=caution_word))
    if handles:
        axes[0, 0].legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0),
                          ncol=min(len(handles), legend_columns))
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    tight(fig)
    return fig


# --- full answer scales -------------------------------------------------------------------------

def stacked_scale(table: pd.DataFrame, title: str, row: str, codes: Sequence[str], code_labels: Sequence[str],
                  panel: str | None = None, suppressed_word: str = "suppressed", xlabel: str = "%",
                  negative_first: bool = False):
    """100% stacked bars over a full answer scale: one bar per ``row`` value (panels optional).

    ``table`` is tidy: ``item`` (the code), ``estimate`` (fraction), ``flag`` and the ``row``/``panel``
    label columns. A suppressed answer keeps its place in the scale as a hatched grey segment without a
    number (the suppressed answers of a bar share equally what the shown ones leave); a number of use
    with caution carries :data:`CAUTION_MARK`; a bar whose every segment is suppressed is replaced by the
    word.
    """
    t = table.reset_index(drop=True)
    panels = list(dict.fromkeys(t[panel])) if panel else [None]
    colours = scale_colours(len(codes), negative_first)
    rows_per = [t[t[panel] == p][row].nunique() if panel else t[row].nunique() for p in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, sum(0.42 * r + 0.6 for r in rows_per) + 1.4),
                             squeeze=False, gridspec_kw={"height_ratios": [0.42 * r + 0.6 for r in rows_per]})
    for ax, p in zip(axes[:, 0], panels, strict=True):
        sub = t[t[panel] == p] if panel else t
        order = list(dict.fromkeys(sub[row]))
        for i, r in enumerate(order):
            y = len(order) - 1 - i
            bar = sub[sub[row] == r].set_index("item")
            shown = bar[bar["flag"] != "suppressed"]
            if shown.empty:
                ax.text(1, y, f"({suppressed_word})", va="center", ha="left", fontsize=8, color="#666666")
                continue
            hidden = [c for c in codes if c in bar.index and c not in shown.index]
            # suppressed answers keep their place in the scale: their joint share (100 less the shown ones)
            # is split equally among them, hatched and without a number
            hidden_width = max(100 - 100 * float(shown["estimate"].sum()), 0.0) / len(hidden) if hidden else 0.0
            left = 0.0
            for code, colour in zip(codes, colours, strict=True):
                if code in hidden:
                    ax.barh(y, hidden_width, left=left, height=0.7, **SUPPRESSED_FILL)
                    left += hidden_width
                    continue
                if code not in shown.index:
                    continue
                w = 100 * float(shown.at[code, "estimate"])
                ax.barh(y, w, left=left, color=colour, edgecolor="white", height=0.7)
                if w >= 6:
                    dark = code in (codes[0], codes[-1]) and len(codes) > 2
                    mark = CAUTION_MARK if shown.at[code, "flag"] in CAUTION_FLAGS else ""
                    ax.text(left + w / 2, y, f"{num(w)}{mark}", ha="center", va="center", fontsize=8,
                            color="white" if dark else "#222222")
                left += w
        ax.set_yticks([len(order) - 1 - i for i in range(len(order))], [wrap(r, 30) for r in order], fontsize=9)
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.grid(axis="y", visible=False)
        if p is not None:
            ax.set_title(str(p), loc="left", fontsize=10, fontweight="normal")
    axes[-1, 0].set_xlabel(xlabel)
    handles = [matplotlib.patches.Patch(color=c, label=wrap(lab, 22)) for c, lab in zip(colours, code_labels,
                                                                                          strict=True)]
    if (t["flag"] == "suppressed").any():
        handles.append(matplotlib.patches.Patch(label=suppressed_word, **SUPPRESSED_FILL))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    tight(fig, rect=(0, 0.06 + 0.03 * (len(handles) > 6), 1, 1))
    return fig
