"""Table builders: tidy data for the CSV, and a formatted view for readers.

Examples
--------
>>> import pandas as pd
>>> fmt_estimate(0.1234, 0.1, 0.15, "percent", 1, "reliable")
'12.3 (10.0-15.0)'
>>> fmt_estimate(float("nan"), float("nan"), float("nan"), "percent", 1, "suppressed")
'suppressed'
"""

from __future__ import annotations

import math

import pandas as pd

from ..estimate.indicators import Indicator
from ..ingest.clean import CleanTables
from .words import Words


def fmt_estimate(est: float, lo: float, hi: float, unit: str, decimals: int, flag: str,
                 suppressed_word: str = "suppressed") -> str:
    """Estimate with its 95% CI for reading; suppressed cells show only the word."""
    if flag == "suppressed" or est is None or math.isnan(est):
        return suppressed_word
    k = 100.0 if unit == "percent" else 1.0
    if lo is None or math.isnan(lo):
        return f"{est * k:,.{decimals}f}"
    return f"{est * k:,.{decimals}f} ({lo * k:,.{decimals}f}-{hi * k:,.{decimals}f})"


def headline(ind: pd.DataFrame, ids: list[str], catalogue: dict[str, Indicator], language: str) -> pd.DataFrame:
    """Headline indicators (whole sample): tidy rows with label, SDG, unit and flag.

    Ids the survey cannot support (not in ``ind``) are left out; :func:`missing_headline` names them.
    """
    ids = [i for i in ids if i in set(ind["indicator"])]
    tot = ind[(ind["domain"] == "total") & ind["indicator"].isin(ids)].set_index("indicator").loc[ids].reset_index()
    tot.insert(1, "label", [catalogue[i].labels[language] for i in tot["indicator"]])
    tot.insert(2, "sdg", [catalogue[i].sdg or "" for i in tot["indicator"]])
    tot["unit"] = [catalogue[i].unit for i in tot["indicator"]]
    return tot[["indicator", "label", "sdg", "unit", "estimate", "se", "ci_low", "ci_high", "cv", "n", "flag"]]


def missing_headline(ind: pd.DataFrame, ids: list[str], catalogue: dict[str, Indicator],
                     columns: pd.Index) -> list[tuple[str, list[str]]]:
    """Headline ids the survey cannot support, each with the variables it lacks."""
    have = set(ind["indicator"])
    return [(i, [v for v in catalogue[i].variables() if v not in columns]) for i in ids if i not in have]


def headline_view(tidy: pd.DataFrame, catalogue: dict[str, Indicator], words: Words) -> pd.DataFrame:
    """Readable version of :func:`headline`: one formatted estimate-with-CI column, headers in the language."""
    return pd.DataFrame({
        words.label("col:indicator"): tidy["label"], "SDG": tidy["sdg"],
        words.label("col:estimate"): [fmt_estimate(r.estimate, r.ci_low, r.ci_high, r.unit,
                                                   catalogue[r.indicator].decimals, r.flag,
                                                   words.label("word:suppressed")) for r in tidy.itertuples()],
        "unit": ["%" if u == "percent" else u for u in tidy["unit"]],
        "n": tidy["n"], words.label("col:quality"): [words.label(f"flag:{f}") for f in tidy["flag"]]})


def cleaning_summary(tables: CleanTables) -> pd.DataFrame:
    """The cleaning logs of every table as one tidy table (TAB-MET-03)."""
    frames = [log.summary().assign(table=name) for name, log in tables.logs.items()]
    out = pd.concat(frames, ignore_index=True)
    return out[["table", "step", "column", "detail", "count"]]


def annex_view(ind: pd.DataFrame, catalogue: dict[str, Indicator], language: str,
               suppressed_word: str = "suppressed") -> pd.DataFrame:
    """Readable annex (TAB-ANX-01): label, domain, level, estimate with CI, CV %, deff, n, N, flag."""
    rows = []
    for r in ind.itertuples():
        i = catalogue[r.indicator]
        rows.append({
            "indicator": i.labels[language], "domain": r.domain, "level": r.level,
            "estimate (95% CI)": fmt_estimate(r.estimate, r.ci_low, r.ci_high, i.unit, i.decimals, r.flag,
                                              suppressed_word),
            "unit": "%" if i.unit == "percent" else i.unit,
            "CV %": "" if pd.isna(r.cv) else f"{100 * r.cv:.1f}",
            "deff": "" if pd.isna(r.deff) else f"{r.deff:.2f}",
            "n": r.n, "N": f"{r.N:,.0f}", "quality": r.flag})
    return pd.DataFrame(rows)
