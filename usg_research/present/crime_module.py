"""A victimisation survey's crime module as exhibits (INEGI's ENVIPE): rates, reporting, the cifra negra.

The estimates come from :mod:`usg_research.estimate.crime_module`; ``names`` maps the area codes of
those tables (``09``, ``09007``) to their names, ``national`` is the nation in the report language.

Examples
--------
>>> from usg_research.present.exhibit import OutputContext
>>> out = OutputContext.of("FIG-REP-02", "es")
>>> area_name("national", {}, out), fmt_cell(0.933, 0.92, 0.94, "reliable", True, out)
('Nacional', '93,3 (92,0-94,0)')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import figures
from .charts import intervals
from .exhibit import Exhibit, OutputContext
from .format import CAUTION_FLAGS, CAUTION_MARK


def area_name(area: str, names: dict[str, str], out: OutputContext) -> str:
    """The reader's name of an area code (``national`` is the nation, in the report language); an entity and a
    municipality of one name (Querétaro, Querétaro) are told apart as state and municipality.

    Examples
    --------
    >>> names = {"22": "Querétaro", "22014": "Querétaro", "09": "Ciudad de México"}
    >>> out = OutputContext.of("TAB-REP-05")
    >>> [area_name(a, names, out) for a in ("22", "22014", "09")]
    ['Querétaro (state)', 'Querétaro (municipality)', 'Ciudad de México']
    """
    if area == "national":
        return out.words.label("area:national")
    name = names[area]
    if list(names.values()).count(name) == 1:
        return name
    return out.words.label("area:entity" if len(area) == 2 else "area:municipality").format(name=name)


def fmt_cell(est: float, lo: float, hi: float, flag: str, pct: bool, out: OutputContext) -> str:
    """A count or a percentage with its CI; ``*`` marks caution or review, suppressed cells show the word."""
    if flag == "suppressed" or not np.isfinite(est):
        return out.words.label("word:suppressed")
    mark = f" {CAUTION_MARK}" if flag in CAUTION_FLAGS else ""
    k, d = (100, 1) if pct else (1, 0)
    n = out.words.number
    return f"{n(k * est, d)} ({n(k * lo, d)}-{n(k * hi, d)}){mark}"


def rates(t: pd.DataFrame, areas: list[str], names: dict[str, str], out: OutputContext) -> Exhibit:
    """Crimes, crimes per 100,000 adults and per 100,000 census inhabitants, per area, by sex and age group
    (:func:`~usg_research.estimate.crime_module.rates_table`), in the order of ``areas``."""
    w = out.words
    rows = t[(t["sex"] == "total") | (t["age_group"] == "total")]
    order = rows[["area", "sex", "age_group"]].drop_duplicates()  # per area: total, male, female, then ages
    rank = {x: i for i, x in enumerate(areas)}
    order = order.assign(_a=order["area"].map(rank), _k=(order["age_group"] != "total").astype(int)).sort_values(
        ["_a", "_k"], kind="stable")
    view_rows = []
    for r in order.itertuples(index=False):
        m = rows[(rows["area"] == r.area) & (rows["sex"] == r.sex) & (rows["age_group"] == r.age_group)]
        m = m.set_index("measure")
        group = w.level("sex", r.sex) if r.sex != "total" else (
            w.label("level:total") if r.age_group == "total" else r.age_group)
        cell = {k: fmt_cell(m.at[k, "estimate"], m.at[k, "ci_low"], m.at[k, "ci_high"], m.at[k, "flag"], False, out)
                if k in m.index else "" for k in ("crimes", "per_100k_adults", "per_100k_census")}
        view_rows.append({w.label("col:area"): area_name(r.area, names, out), w.label("col:group"): group,
                          **{w.label(f"measure:{k}"): v for k, v in cell.items()},
                          "n": int(m.loc["crimes", "n"]) if "crimes" in m.index else 0})
    n = int(t[(t["area"] == areas[-1]) & (t["measure"] == "adults") & (t["sex"] == "total")
              & (t["age_group"] == "total")]["n"].iloc[0])
    return Exhibit(t, view=pd.DataFrame(view_rows), notes=(w.phrase("envipe_rates_note"),), n=n)


def reported_by_crime(t: pd.DataFrame, codes: pd.DataFrame, names: dict[str, str], out: OutputContext) -> Exhibit:
    """The share of crimes reported, by crime type and area (:func:`~usg_research.estimate.crime_module.
    reporting_by_crime`); ``codes`` labels the crime codes (columns ``crime_code``, ``es``, ``en``)."""
    w = out.words
    lang = "es" if out.language == "es" else "en"
    labels = dict(zip(codes["crime_code"], codes[lang], strict=True))
    t = t.assign(crime=t["crime_code"].map(labels), place=[area_name(x, names, out) for x in t["area"]])
    fig = intervals(t, out, row="crime", hue="place", xlabel=w.label("measure:reported"))
    n = int(t[t["area"] == "national"]["n"].sum())
    return Exhibit(t.drop(columns=["place"]), figure=fig, notes=(w.phrase("envipe_reporting_note"),), n=n)


def reporting(t: pd.DataFrame, names: dict[str, str], out: OutputContext) -> Exhibit:
    """Crimes occurred, reported, with a carpeta de investigación and the cifra negra, per area and sex of the
    victim (:func:`~usg_research.estimate.crime_module.reporting_table`): shares as a figure, every measure
    with its CI in the table under it."""
    w = out.words
    t = t.assign(place=[area_name(x, names, out) for x in t["area"]],
                 group=[w.label("level:total") if s == "total" else w.level("sex", s) for s in t["sex"]])
    shares = t[t["measure"].isin(["reported", "carpeta", "cifra_negra"])]
    shares = shares.assign(row=[w.label(f"measure:{m}") for m in shares["measure"]],
                           hue=["Total" if s == "total" else g for s, g in zip(shares["sex"], shares["group"],
                                                                               strict=True)])
    fig = figures.grouped_intervals(shares, out.title, row="row", panel="place", hue="hue",
                                    xlabel=f"% ({out.words.phrase('ci95')})",
                                    suppressed_word=w.label("word:suppressed"), caution_word=w.label("word:caution"))
    view_rows = []
    for (area, _sex), g in t.groupby(["area", "sex"], sort=False):
        m = g.set_index("measure")
        row = {w.label("col:area"): area_name(area, names, out), w.label("domain:sex"): g["group"].iloc[0]}
        for measure in ("crimes", "reported", "carpeta", "cifra_negra"):
            x = m.loc[measure]
            row[w.label(f"measure:{measure}")] = fmt_cell(x["estimate"], x["ci_low"], x["ci_high"], x["flag"],
                                                          measure != "crimes", out)
        row["n"] = int(m.loc["crimes", "n"])
        view_rows.append(row)
    n = int(t[(t["area"] == "national") & (t["sex"] == "total") & (t["measure"] == "crimes")]["n"].iloc[0])
    return Exhibit(t.drop(columns=["place", "group"]), figure=fig, view=pd.DataFrame(view_rows),
                   notes=(w.phrase("envipe_reporting_note"),), n=n)


def inegi_reporting(t: pd.DataFrame, names: dict[str, str], out: OutputContext) -> Exhibit:
    """Crimes occurred, reported, with a carpeta and the cifra negra as INEGI's tabulados lay them out: for each
    area and sex of the victim, the absolute number and the percentage of each, so that every number can be
    found in INEGI's table (:func:`~usg_research.estimate.crime_module.reporting_table` with ``counts``).
    Standard errors and 95% CIs of every number are in the data (CSV); ``*`` marks caution."""
    w = out.words

    def cell(x: pd.Series, pct: bool) -> str:
        if x["flag"] == "suppressed" or not np.isfinite(x["estimate"]):
            return w.label("word:suppressed")
        mark = f" {CAUTION_MARK}" if x["flag"] in CAUTION_FLAGS else ""
        return (w.number(100 * x["estimate"], 1) if pct else w.number(x["estimate"])) + mark

    rows = []
    for (area, sex), g in t.groupby(["area", "sex"], sort=False):
        m = g.set_index("measure")
        row = {w.label("col:area"): area_name(area, names, out),
               w.label("domain:sex"): w.label("level:all") if sex == "total" else w.level("sex", sex),
               w.label("measure:crimes"): cell(m.loc["crimes"], False)}
        for measure in ("reported", "carpeta", "cifra_negra"):
            name = w.label(f"inegi:{measure}")
            row[f"{name}: {w.label('col:absolute')}"] = cell(m.loc[f"{measure}_crimes"], False)
            row[f"{name}: %"] = cell(m.loc[measure], True)
        row["n"] = w.number(int(m.loc["crimes", "n"]))
        rows.append(row)
    n = int(t[(t["area"] == "national") & (t["sex"] == "total") & (t["measure"] == "crimes")]["n"].iloc[0])
    return Exhibit(t, view=pd.DataFrame(rows), notes=(w.phrase("inegi_layout_note"),), n=n)


def codes(table: pd.DataFrame, out: OutputContext) -> Exhibit:
    """The survey's crime codes as applied: label, against whom, counted or not, canonical type, crimes."""
    w = out.words
    lang = "es" if out.language == "es" else "en"
    view = pd.DataFrame({
        w.label("col:code"): table["crime_code"], w.label("col:crime"): table[lang],
        w.label("col:against"): [w.label(f"unit:{u}") for u in table["unit"]],
        w.label("col:counted"): [w.label("word:yes" if c else "word:no") for c in table["counted"]],
        w.label("col:crime_type"): [w.label(f"crime:{c}") if isinstance(c, str) and w.has_label(f"crime:{c}")
                                    else "" for c in table["canonical"]],
        w.label("col:crimes_module"): table["crimes_in_module"].map(w.number)})
    return Exhibit(table, view=view, notes=(w.phrase("envipe_codes_note"),))
