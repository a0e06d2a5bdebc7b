"""Weighting: a city's design weights calibrated to its census adults, and the before/after of TAB-MET-04.

The margins are the census adults (18+, :func:`usg_research.estimate.context.adult_population`) by each
calibration variable. A respondent whose calibration variable is missing (an age not given) cannot be
placed in a margin: for calibration only, they get the most common level among respondents of their
stratum (ties: the first level), counted in TAB-MET-04; the variable itself stays missing in every
estimate.

Examples
--------
>>> pop = pd.DataFrame({"area": ["a", "a", "b"], "sex": ["male", "female", "male"],
...                     "age_group": ["20-24", "20-24", "60-64"], "population": [100, 120, 80]})
>>> census_margins(pop, ["sex"])["sex"].to_dict()
{'female': 120.0, 'male': 180.0}
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .context import adult_population
from .survey import SurveyDesign

Method = Literal["poststratify", "rake", "linear", "raking"]
WEIGHTS_COLUMNS = ["part", "variable", "level", "design", "calibrated", "census"]


def census_margins(population: pd.DataFrame, variables: list[str]) -> dict[str, pd.Series]:
    """Census adults (18+) by each variable: ``{variable: Series level -> N}``."""
    adults = adult_population(population)
    lacking = [v for v in variables if v not in adults.columns]
    if lacking:
        raise KeyError(f"the population table has no column {lacking[0]!r} to calibrate to")
    return {v: adults.groupby(v, observed=True)["population"].sum().astype(float) for v in variables}


def calibration_classes(design: SurveyDesign, variables: list[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Each respondent's level of every calibration variable, missing ones imputed (see the module docstring);
    returns the classes (columns ``<variable>_cal``) and how many were imputed per variable."""
    data = design.data
    group = data[design.strata] if design.strata else pd.Series(0, index=data.index)
    out, imputed = {}, {}
    for v in variables:
        s = data[v].astype(object)
        overall = s.dropna().astype(str).value_counts().sort_index(kind="stable")
        modal = s.dropna().astype(str).groupby(group[s.notna()]).agg(
            lambda x: x.value_counts().sort_index(kind="stable").idxmax())
        fill = group.map(modal).where(lambda f: f.notna(), overall.idxmax())
        out[f"{v}_cal"] = s.where(s.notna(), fill).astype(str)
        imputed[v] = int(s.isna().sum())
    return pd.DataFrame(out, index=data.index), imputed


def calibrate_to_census(design: SurveyDesign, population: pd.DataFrame, variables: list[str],
                        method: Method = "rake") -> tuple[SurveyDesign, dict[str, int]]:
    """The design calibrated to the census adults by ``variables`` (a cross for ``poststratify``, main
    effects otherwise); also the imputed calibration classes per variable."""
    classes, imputed = calibration_classes(design, variables)
    d = design.with_columns(classes)
    if method == "poststratify":
        adults = adult_population(population)
        table = adults.groupby(variables, observed=True)["population"].sum().reset_index()
        table = table.rename(columns={v: f"{v}_cal" for v in variables} | {"population": "N"})
        return d.poststratify(table), imputed
    margins = {f"{v}_cal": m for v, m in census_margins(population, variables).items()}
    return (d.rake(margins) if method == "rake" else d.calibrate(margins, method=method)), imputed


def kish(w: np.ndarray) -> float:
    """Kish's weighting effect ``1 + CV(w)^2 = n sum(w^2) / sum(w)^2``.

    Examples
    --------
    >>> kish(np.array([1.0, 1.0, 2.0, 4.0]))
    1.375
    """
    return float(len(w) * (w * w).sum() / w.sum() ** 2)


def weights_table(sampling: SurveyDesign, design: SurveyDesign, population: pd.DataFrame | None = None,
                  imputed: dict[str, int] | None = None) -> pd.DataFrame:
    """TAB-MET-04: the weights before (``sampling``) and after calibration (``design``, when calibrated):
    n, sum, range, Kish's weighting effect, classes imputed, and each calibration margin's design-weighted,
    calibrated and census totals.

    Returns ``part, variable, level, design, calibrated, census`` (``part``: ``weights`` or ``margin``).
    """
    cal = design.calibration
    w0, w1 = sampling.w, (design.w if cal is not None else None)
    adults = adult_population(population) if population is not None else None

    def stat(f) -> float:  # noqa: ANN001
        return float(f(w1)) if w1 is not None else np.nan

    rows = [("respondents", len(w0), stat(len)),
            ("sum", w0.sum(), stat(np.sum)), ("minimum", w0.min(), stat(np.min)), ("maximum", w0.max(), stat(np.max)),
            ("max/min", w0.max() / w0.min(), stat(lambda w: w.max() / w.min())),
            ("kish", kish(w0), stat(kish))]
    out = [{"part": "weights", "variable": k, "level": "", "design": float(a), "calibrated": b,
            "census": float(adults["population"].sum()) if (k == "sum" and adults is not None) else np.nan}
           for k, a, b in rows]
    out += [{"part": "weights", "variable": "imputed", "level": v, "design": np.nan, "calibrated": float(k),
             "census": np.nan} for v, k in (imputed or {}).items() if k]
    for col in (cal.variables if cal is not None else []):
        v = col.removesuffix("_cal")
        classes = design.data[col].astype(str)
        before = pd.Series(w0, index=classes.index).groupby(classes).sum()
        after = pd.Series(w1, index=classes.index).groupby(classes).sum()
        census = adults.groupby(v, observed=True)["population"].sum() if adults is not None else pd.Series()
        out += [{"part": "margin", "variable": v, "level": level, "design": float(before[level]),
                 "calibrated": float(after[level]), "census": float(census.get(level, np.nan))}
                for level in before.index]
    return pd.DataFrame(out, columns=WEIGHTS_COLUMNS)
