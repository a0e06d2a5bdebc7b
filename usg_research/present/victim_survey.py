"""Outputs that a national victimisation survey's crime module supplies (INEGI's ENVIPE, ``source:``).

A report whose params name a ``source`` (see :class:`~usg_research.params.DataSource`) has, besides
the respondent file every chapter reads, a crime module: one row per crime with its own weight. For
four output ids of REPORT.md that module is the better evidence, and the builders here take the
place of the survey-only ones (:func:`usg_research.present.chapters.build_output` looks here first):

- TAB-VIC-02: crimes per 100,000 adults (INEGI's *tasa de incidencia delictiva*) and per 100,000
  census inhabitants, by sex and age group, for the area, its entity and the nation;
- FIG-REP-01: the share of crimes reported to the Ministerio Público, by crime type;
- FIG-REP-02: crimes occurred, reported, with a *carpeta de investigación* and the *cifra negra*,
  by sex of the victim (figure and table);
- TAB-ANX-03: the crime codes and INEGI's rules that were applied.

Examples
--------
>>> sorted(SOURCE_BUILDERS)
['FIG-REP-01', 'FIG-REP-02', 'TAB-ANX-03', 'TAB-VIC-02']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import figures

if TYPE_CHECKING:
    from .assessment import Assessment
    from .chapters import Output

SOURCE_BUILDERS: dict[str, Callable[[Assessment], Output]] = {}


def _for(output_id: str) -> Callable:
    def register(f: Callable[[Assessment], Output]) -> Callable[[Assessment], Output]:
        SOURCE_BUILDERS[output_id] = f
        return f
    return register


def area_name(a: Assessment, area: str) -> str:
    """The reader's name of an area code (``national`` is the nation, in the report language)."""
    return a.words.label("area:national") if area == "national" else a.source.names[area]


def _caption(a: Assessment, output_id: str, note: str, n: int | None = None) -> str:
    w = a.words
    text = f"{w.title(output_id)}. {w.phrase('src_envipe')}."
    if n is not None:
        text += f" {w.phrase('unweighted_n')} = {n:,}."
    return f"{text} {note}"


def _fmt(est: float, lo: float, hi: float, flag: str, pct: bool, w) -> str:
    if flag == "suppressed" or not np.isfinite(est):
        return w.label("word:suppressed")
    k = 100.0 if pct else 1.0
    mark = " *" if flag == "caution" else ""
    if pct:
        return f"{k * est:.1f} ({k * lo:.1f}-{k * hi:.1f}){mark}"
    return f"{est:,.0f} ({lo:,.0f}-{hi:,.0f}){mark}"


@_for("TAB-VIC-02")
def _rates(a: Assessment) -> Output:
    from .chapters import Output

    w = a.words
    t = a.source.rates(a.rules)
    rows = t[(t["sex"] == "total") | (t["age_group"] == "total")]
    order = rows[["area", "sex", "age_group"]].drop_duplicates()  # per area: total, male, female, then ages
    rank = {x: i for i, x in enumerate(a.source.areas)}
    order = order.assign(_a=order["area"].map(rank), _k=(order["age_group"] != "total").astype(int)).sort_values(
        ["_a", "_k"], kind="stable")
    view_rows = []
    for r in order.itertuples(index=False):
        sel = rows[(rows["area"] == r.area) & (rows["sex"] == r.sex) & (rows["age_group"] == r.age_group)]
        m = sel.set_index("measure")
        group = w.level("sex", r.sex) if r.sex != "total" else (
            w.label("level:total") if r.age_group == "total" else r.age_group)
        cell = {}
        for measure in ("crimes", "per_100k_adults", "per_100k_census"):
            if measure in m.index:
                x = m.loc[measure]
                cell[measure] = _fmt(x["estimate"], x["ci_low"], x["ci_high"], x["flag"], False, w)
            else:
                cell[measure] = ""
        view_rows.append({w.label("col:area"): area_name(a, r.area), w.label("col:group"): group,
                          w.label("measure:crimes"): cell["crimes"],
                          w.label("measure:per_100k_adults"): cell["per_100k_adults"],
                          w.label("measure:per_100k_census"): cell["per_100k_census"],
                          "n": int(m.loc["crimes", "n"]) if "crimes" in m.index else 0})
    n = int(t[(t["area"] == a.source.area) & (t["measure"] == "adults") & (t["sex"] == "total")
              & (t["age_group"] == "total")]["n"].iloc[0])
    return Output(t, _caption(a, "TAB-VIC-02", w.phrase("envipe_rates_note"), n), view=pd.DataFrame(view_rows))


@_for("FIG-REP-01")
def _reported_by_crime(a: Assessment) -> Output:
    from .chapters import Output

    w = a.words
    t = a.source.reporting_by_crime(a.rules)
    lang = "es" if a.params.language == "es" else "en"
    labels = {c: spec[lang] for c, spec in a.source.crime_codes().set_index("crime_code").to_dict("index").items()}
    t = t.assign(crime=t["crime_code"].map(labels), place=[area_name(a, x) for x in t["area"]])
    fig = figures.grouped_intervals(t, w.title("FIG-REP-01"), row="crime", hue="place",
                                    xlabel=w.label("measure:reported"),
                                    suppressed_word=w.label("word:suppressed"), caution_word=w.label("word:caution"))
    n = int(t[t["area"] == "national"]["n"].sum())
    return Output(t.drop(columns=["place"]), _caption(a, "FIG-REP-01", w.phrase("envipe_reporting_note"), n) +
                  " SDG 16.3.1.", figure=fig)


@_for("FIG-REP-02")
def _reporting(a: Assessment) -> Output:
    from .chapters import Output

    w = a.words
    t = a.source.reporting(a.rules)
    t = t.assign(place=[area_name(a, x) for x in t["area"]],
                 group=[w.label("level:total") if s == "total" else w.level("sex", s) for s in t["sex"]])
    shares = t[t["measure"].isin(["reported", "carpeta", "cifra_negra"])]
    shares = shares.assign(row=[w.label(f"measure:{m}") for m in shares["measure"]],
                           hue=["Total" if s == "total" else g for s, g in zip(shares["sex"], shares["group"],
                                                                               strict=True)])
    fig = figures.grouped_intervals(shares, w.title("FIG-REP-02"), row="row", panel="place", hue="hue",
                                    xlabel="% (IC 95%)" if a.params.language == "es" else "% (95% CI)",
                                    suppressed_word=w.label("word:suppressed"), caution_word=w.label("word:caution"))
    view_rows = []
    for (area, _sex), g in t.groupby(["area", "sex"], sort=False):
        m = g.set_index("measure")
        row = {w.label("col:area"): area_name(a, area), w.label("domain:sex"): g["group"].iloc[0]}
        for measure in ("crimes", "reported", "carpeta", "cifra_negra"):
            x = m.loc[measure]
            row[w.label(f"measure:{measure}")] = _fmt(x["estimate"], x["ci_low"], x["ci_high"], x["flag"],
                                                      measure != "crimes", w)
        row["n"] = int(m.loc["crimes", "n"])
        view_rows.append(row)
    n = int(t[(t["area"] == "national") & (t["sex"] == "total") & (t["measure"] == "crimes")]["n"].iloc[0])
    return Output(t.drop(columns=["place", "group"]), _caption(a, "FIG-REP-02", w.phrase("envipe_reporting_note"), n),
                  figure=fig, view=pd.DataFrame(view_rows))


@_for("TAB-ANX-03")
def _codes(a: Assessment) -> Output:
    from .chapters import Output

    w = a.words
    data = a.source.crime_codes()
    lang = "es" if a.params.language == "es" else "en"
    view = pd.DataFrame({
        w.label("col:code"): data["crime_code"], w.label("col:crime"): data[lang],
        w.label("col:against"): [w.label(f"unit:{u}") for u in data["unit"]],
        w.label("col:counted"): [w.label("word:yes" if c else "word:no") for c in data["counted"]],
        w.label("col:crime_type"): [w.label(f"crime:{c}") if isinstance(c, str) and w.has_label(f"crime:{c}")
                                    else "" for c in data["canonical"]],
        w.label("col:crimes_module"): data["crimes_in_module"].map("{:,}".format)})
    return Output(data, _caption(a, "TAB-ANX-03", w.phrase("envipe_codes_note")), view=view)
