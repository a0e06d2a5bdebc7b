"""Inferential extras: design-based tests with multiple-comparison control, and the exploratory
(unweighted) side through pingouin, renamed into the package's column schema.

Every table says which results are design-based and which are exploratory
(column ``inference``): pingouin ignores the survey design, so its outputs
describe the sample, not the population.

Examples
--------
>>> bh_adjust([0.01, 0.04, 0.03]).round(3).tolist()
[0.03, 0.04, 0.04]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg

from ..ingest.schema import SCALES
from .rao_scott import rao_scott
from .survey import SurveyDesign

DESIGN_BASED = "design-based"
EXPLORATORY = "exploratory (unweighted)"


def bh_adjust(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (pingouin ``multicomp(method="fdr_bh")``)."""
    _, adj = pg.multicomp(np.asarray(pvalues, dtype=float), method="fdr_bh")
    return np.asarray(adj)


def rao_scott_tests(design: SurveyDesign, outcomes: Sequence[str], groups: Sequence[str]) -> pd.DataFrame:
    """Rao-Scott tests of every outcome x group, with Benjamini-Hochberg-adjusted p-values.

    Returns ``outcome, group, F, ndf, ddf, p, p_adj, inference``.
    """
    rows = []
    for o in outcomes:
        for g in groups:
            r = rao_scott(design, o, g)
            rows.append({"outcome": o, "group": g, "F": r["F"], "ndf": r["ndf"], "ddf": r["ddf"], "p": r["p"]})
    out = pd.DataFrame(rows)
    out["p_adj"] = bh_adjust(out["p"]) if len(out) else []
    out["inference"] = DESIGN_BASED
    return out


def item_scores(df: pd.DataFrame, items: Sequence[str], scale: str) -> pd.DataFrame:
    """Score ordinal items 1..k, first scale code highest (e.g. strongly agree = 4)."""
    codes = SCALES[scale]
    pts = {c: float(len(codes) - i) for i, c in enumerate(codes)}
    return pd.DataFrame({i: df[i].astype(object).map(pts).astype(float) for i in items})


def cronbach_alpha(df: pd.DataFrame, items: Sequence[str], scale: str) -> pd.Series:
    """Cronbach's alpha of a set of ordinal items (complete cases), with its 95% CI.

    Returns ``alpha, ci_low, ci_high, n, inference``.
    """
    scores = item_scores(df, items, scale).dropna()
    alpha, ci = pg.cronbach_alpha(data=scores)
    return pd.Series({"alpha": float(alpha), "ci_low": float(ci[0]), "ci_high": float(ci[1]),
                      "n": len(scores), "inference": EXPLORATORY})


def cramers_v(df: pd.DataFrame, x: str, y: str) -> pd.Series:
    """Cramér's V and Pearson's chi-square on the unweighted table (pingouin)."""
    sub = df[[x, y]].dropna().astype(str)
    _, _, st = pg.chi2_independence(sub, x=x, y=y)
    r = st[st["test"] == "pearson"].iloc[0]
    return pd.Series({"chi2": float(r["chi2"]), "dof": float(r["dof"]), "p": float(r["pval"]),
                      "cramers_v": float(r["cramer"]), "n": len(sub), "inference": EXPLORATORY})


def compare_groups(df: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Group comparison of a score: Welch ANOVA and Kruskal-Wallis (pingouin), one row each."""
    sub = df[[dv, between]].dropna()
    sub = sub.assign(**{between: sub[between].astype(str)})
    welch = pg.welch_anova(data=sub, dv=dv, between=between).iloc[0]
    kw = pg.kruskal(data=sub, dv=dv, between=between).iloc[0]
    return pd.DataFrame([
        {"test": "Welch ANOVA", "dv": dv, "group": between, "statistic": float(welch["F"]),
         "p": float(welch["p_unc"]), "effect_size": float(welch["np2"]), "n": len(sub), "inference": EXPLORATORY},
        {"test": "Kruskal-Wallis", "dv": dv, "group": between, "statistic": float(kw["H"]),
         "p": float(kw["p_unc"]), "effect_size": np.nan, "n": len(sub), "inference": EXPLORATORY},
    ])


def logistic_model(df: pd.DataFrame, outcome: pd.Series, predictors: Sequence[str]) -> pd.DataFrame:
    """Exploratory logistic regression of a 0/1 outcome on categorical/numeric predictors (pingouin).

    Returns ``term, coef, se, z, p, ci_low, ci_high, odds_ratio, n, inference``.
    """
    X = pd.get_dummies(df[list(predictors)], drop_first=True, dtype=float)
    data = pd.concat([X, outcome.rename("_y")], axis=1).dropna()
    res = pg.logistic_regression(data.drop(columns="_y"), data["_y"].astype(int), remove_na=True)
    out = res.rename(columns={"names": "term", "se": "se", "pval": "p", "p_val": "p"})
    ci_cols = [c for c in out.columns if c.startswith("CI")]
    out = out.rename(columns={ci_cols[0]: "ci_low", ci_cols[1]: "ci_high"})
    out["odds_ratio"] = np.exp(out["coef"])
    out["n"] = len(data)
    out["inference"] = EXPLORATORY
    return out[["term", "coef", "se", "z", "p", "ci_low", "ci_high", "odds_ratio", "n", "inference"]]


def logistic_models(df: pd.DataFrame, specs: dict[str, Sequence[str]]) -> pd.DataFrame:
    """Exploratory logistic regressions of yes/no outcomes, ``{outcome: [predictors]}``.

    Predictors the survey did not ask are left out; an outcome it did not ask, or with no predictor
    left, is skipped. Returns :func:`logistic_model`'s columns with ``outcome`` and ``predictors``
    (comma-separated) first.

    Examples
    --------
    >>> from usg_research.ingest.clean import clean_city
    >>> fits = logistic_models(clean_city("mathare")["respondent"], {"vict_any_12m": ["sex", "not_asked"]})
    >>> fits[["outcome", "predictors", "term"]].values.tolist()
    [['vict_any_12m', 'sex', 'Intercept'], ['vict_any_12m', 'sex', 'sex_female']]
    """
    frames = []
    for outcome, predictors in specs.items():
        preds = [p for p in predictors if p in df and df[p].notna().any()]
        if outcome not in df or not preds:
            continue
        y = df[outcome].map({"yes": 1.0, "no": 0.0})
        fit = logistic_model(df, y, preds)
        fit.insert(0, "predictors", ",".join(preds))
        fit.insert(0, "outcome", outcome)
        frames.append(fit)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["outcome", "predictors", "term", "coef", "se", "z", "p", "ci_low", "ci_high", "odds_ratio", "n",
                 "inference"])
