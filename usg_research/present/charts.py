"""Survey estimates as figures: item batteries, answer scales, indicators by group, the headline chart.

Each function takes a tidy estimate table from :mod:`usg_research.estimate.shares` or the indicator
table, and an :class:`~usg_research.present.exhibit.OutputContext`; it returns an
:class:`~usg_research.present.exhibit.Exhibit` whose figure draws the design-based 95% CIs the table
carries (caution estimates as open diamonds, suppressed ones written out, never drawn) and whose
data is the table's tidy columns, in the order drawn. When the table has a disaggregation (``by=``),
its groups are the colours.

Examples
--------
>>> import pandas as pd
>>> from usg_research.present.exhibit import OutputContext
>>> t = pd.DataFrame({"item": ["unsafe_place_street", "unsafe_place_market"], "domain": "total",
...                   "level": "total", "estimate": [0.3, 0.5], "se": 0.05, "ci_low": [0.2, 0.4],
...                   "ci_high": [0.4, 0.6], "cv": 0.1, "n": [400, 380], "flag": "reliable"})
>>> ex = items(t, OutputContext.of("FIG-SAF-03"))
>>> ex.data["item"].tolist(), ex.n, ex.notes
(['unsafe_place_market', 'unsafe_place_street'], 400, ('95% CI (design-based).',))
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..ingest.schema import SCALES
from . import figures
from .exhibit import Exhibit, OutputContext, label_rows, sort_items, tidy, universe_n

#: Answer scales whose first answer is the unfavourable one (coloured red, not blue).
NEGATIVE_FIRST = frozenset({"trend5", "trend3", "serious4", "say5"})


def _by(t: pd.DataFrame) -> bool:
    return bool((t["domain"] != "total").any())


def intervals(t: pd.DataFrame, out: OutputContext, row: str, panel: str | None = None, hue: str | None = None,
              xlabel: str | None = None, legend_columns: int = 4):
    """The package's dot-and-interval figure of a labelled table (:func:`label_rows`), titled for ``out``."""
    w = out.words
    return figures.grouped_intervals(t, out.title, row=row, panel=panel, hue=hue,
                                     xlabel=xlabel or w.phrase("yes_share"),
                                     suppressed_word=w.label("word:suppressed"), caution_word=w.label("word:caution"),
                                     legend_columns=legend_columns)


def items(t: pd.DataFrame, out: OutputContext, sort: bool = True) -> Exhibit:
    """Yes-shares of an item battery (:func:`~usg_research.estimate.shares.item_shares`): one row per item,
    labelled from words.yaml, most frequent first (``sort``)."""
    t = label_rows(sort_items(t) if sort else t, out.words, out.words.label)
    fig = intervals(t, out, row="label", hue="group" if _by(t) else None)
    return Exhibit(tidy(t), figure=fig, notes=(out.ci_note,), n=universe_n(t))


def answers(t: pd.DataFrame, out: OutputContext, scale: str) -> Exhibit:
    """The answers to one question (:func:`~usg_research.estimate.shares.scale_shares`) as estimates with CIs,
    one row per answer of ``scale``, most frequent first."""
    w = out.words
    t = label_rows(sort_items(t), w, lambda c: w.code(scale, c))
    fig = intervals(t, out, row="label", hue="group" if _by(t) else None,
                    xlabel=f"{w.phrase('share_answer')} ({w.phrase('ci95')})")
    return Exhibit(tidy(t), figure=fig, notes=(out.ci_note,), n=universe_n(t))


def place_and_time(place: pd.DataFrame, time: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Where (``last_place``) and when (``last_time``) the last incident happened: two panels of answers
    (:func:`~usg_research.estimate.shares.scale_shares` tables on the ``place`` and ``timeofday`` scales)."""
    w = out.words
    parts = [label_rows(place, w, lambda c: w.code("place", c)).assign(variable="last_place",
                                                                       part=w.label("col:place")),
             label_rows(time, w, lambda c: w.code("timeofday", c)).assign(variable="last_time",
                                                                         part=w.label("col:time"))]
    t = pd.concat(parts, ignore_index=True)
    fig = intervals(t, out, row="label", panel="part", xlabel=f"{w.phrase('share_answer')} ({w.phrase('ci95')})")
    return Exhibit(tidy(t, "variable"), figure=fig, notes=(out.ci_note,), n=universe_n(t))


def stacked(t: pd.DataFrame, out: OutputContext, scale: str, panels: bool = False) -> Exhibit:
    """The full answer scale as 100% stacked bars.

    One bar per question (a table with a ``variable`` column, from
    :func:`~usg_research.estimate.shares.scale_battery`) or per group (``by=``), a panel per
    disaggregation with ``panels``.
    """
    w = out.words
    t = label_rows(t, w)
    if "variable" in t:
        t = t.assign(row=[w.label(v) for v in t["variable"]])
    codes = SCALES[scale]
    fig = figures.stacked_scale(t, out.title, row="row" if "variable" in t else "group", codes=codes,
                                code_labels=[w.code(scale, c) for c in codes], panel="panel" if panels else None,
                                suppressed_word=w.label("word:suppressed"), xlabel=w.phrase("share_answer"),
                                negative_first=scale in NEGATIVE_FIRST)
    return Exhibit(tidy(t, "variable"), figure=fig, n=universe_n(t))


def groups(t: pd.DataFrame, out: OutputContext, total: str = "level:total") -> Exhibit:
    """Indicators (rows of the indicator table or of :func:`~usg_research.estimate.shares.indicator_shares`,
    ``item`` an indicator id) for every group, a panel per disaggregation; several indicators are colours.
    ``total`` is the words.yaml label of the whole-universe row (``level:women`` when the universe is women)."""
    several = t["item"].nunique() > 1
    t = label_rows(t, out.words, out.indicator if several else None)
    if total != "level:total":
        t.loc[t["domain"] == "total", "group"] = out.words.label(total)
    # two legend columns: a wide legend would cover the first panel's title
    fig = intervals(t, out, row="group", panel="panel", hue="label" if several else None, legend_columns=2)
    return Exhibit(tidy(t), figure=fig, notes=(out.ci_note,))


def indicators(t: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Several indicators (rows of the indicator table), one row each, its groups as colours."""
    t = label_rows(t, out.words, out.indicator)
    return Exhibit(tidy(t), figure=intervals(t, out, row="label", hue="group" if _by(t) else None),
                   notes=(out.ci_note,))


def by_crime(t: pd.DataFrame, out: OutputContext, items: Sequence[str] = ()) -> Exhibit:
    """Shares of victims by the type of their last crime (``by="last_crime"``), all victims first; one colour
    per item. ``items`` names ``t``'s items, in order, for the reader (words.yaml ``item:<name>``) and in the
    saved table: e.g. ``["reported_none"]`` for the share answering "no" to ``reported_any``."""
    w = out.words
    t = t.assign(label=[w.label("level:all_victims") if d == "total" else w.code("crime", lv)
                        for d, lv in zip(t["domain"], t["level"], strict=True)])
    hue = None
    if items:
        names = dict(zip(dict.fromkeys(t["item"]), items, strict=True))
        t = t.assign(item=t["item"].map(names))
        t = t.assign(series=[w.label(f"item:{i}") for i in t["item"]])
        hue = "series" if len(items) > 1 else None
    fig = intervals(t, out, row="label", hue=hue, xlabel=w.phrase("share_victims"))
    return Exhibit(tidy(t), figure=fig, notes=(out.ci_note,), n=universe_n(t))


def headline(head: pd.DataFrame, out: OutputContext, lacking: Sequence[tuple[str, str]] = ()) -> Exhibit:
    """The headline indicators (:func:`~usg_research.estimate.indicators.headline`) as a dot-and-interval
    chart, one panel per unit; ``lacking`` (indicator id, why: ``Assessment.unmeasured``) are named in the
    caption with why the data lack them."""
    w = out.words
    fig = figures.dot_interval(head, title=out.title, suppressed_word=w.label("word:suppressed"),
                               ci_word=w.phrase("ci95"), unit_label=w.unit)
    return Exhibit(head, figure=fig, notes=headline_notes(out, lacking))


def headline_notes(out: OutputContext, lacking: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The CI note, and the headline indicators the survey cannot measure, each with why."""
    w = out.words
    if not lacking:
        return (out.ci_note,)
    reasons = "; ".join(f"{out.indicator(i)} ({why})" for i, why in lacking)
    return (out.ci_note, w.phrase("not_available", reason=reasons) + ".")


def participation(partic: pd.DataFrame, cohesion: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Participation (yes-shares) and cohesion (share agreeing) items, a panel each."""
    w = out.words
    t = pd.concat([partic.assign(part=w.label("col:participation")), cohesion.assign(part=w.label("col:cohesion"))],
                  ignore_index=True)
    t = label_rows(t, w, w.label)
    return Exhibit(tidy(t, "part"), figure=intervals(t, out, row="label", panel="part"), notes=(out.ci_note,),
                   n=universe_n(t))


def youth(risks: pd.DataFrame, key: Sequence[pd.DataFrame], out: OutputContext) -> Exhibit:
    """Youth risk and protective factors (asked of 18-35s), and key indicators of 18-35s against older adults.

    ``key`` are estimate tables by ``youth35`` (indicator shares, ``item`` an indicator id, and item shares
    such as ``unemployed``); their whole-sample rows are left out.
    """
    w = out.words
    t1 = label_rows(risks.assign(part=w.phrase("youth_universe")), w, w.label).assign(group=w.phrase("youth_group"))
    parts = [t1]
    key = [k[k["domain"] != "total"] for k in key if len(k)]
    if key:
        lab = lambda i: out.indicator(i) if i in out.catalogue else w.label(i)  # noqa: E731
        parts.append(label_rows(pd.concat(key, ignore_index=True), w, lab).assign(part=w.label("col:key_indicators")))
    t = pd.concat(parts, ignore_index=True)
    fig = intervals(t, out, row="label", panel="part", hue="group")
    return Exhibit(tidy(t, "part"), figure=fig, notes=(out.ci_note,), n=universe_n(t1))
