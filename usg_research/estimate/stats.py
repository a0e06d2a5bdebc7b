"""Inferential extras: design-based tests and models with multiple-comparison control, and the
exploratory (unweighted) side through pingouin, renamed into the package's column schema.

Every table says which results are design-based (Rao-Scott tests, logistic models by
:meth:`usg_research.estimate.survey.SurveyDesign.glm`) and which are exploratory (column
``inference``): pingouin ignores the survey design, so its outputs (Cronbach's alpha, Cramér's V,
ANOVA and Kruskal-Wallis on scores) describe the sample, not the population.

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
from .base import DesignBase
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


MODEL_COLUMNS = ["outcome", "predictors", "term", "coef", "se", "p", "ci_low", "ci_high", "odds_ratio", "n", "df",
                 "inference", "pooled", "left_out"]
#: The level small levels of a model's predictor are pooled into (its term reads e.g. ``areaother``).
POOLED = "other"


def _pool_small_levels(x: pd.Series, counted: pd.Series, n_min: int) -> tuple[pd.Series, list[str], list[str]]:
    """``x`` with the levels of fewer than ``n_min`` respondents (among ``counted`` rows) pooled as
    :data:`POOLED`; when the pooled level itself is under ``n_min`` its rows are left out (missing).
    Returns the new column, the pooled levels and the levels left out."""
    n = x[counted].astype(object).value_counts()
    n = n[n > 0]
    small = sorted(str(v) for v in n.index[n < n_min])
    if not small:
        return x, [], []
    text = x.astype(object).where(x.notna(), None)
    is_small = text.isin(small)
    if int(n[n < n_min].sum()) >= n_min:
        return text.where(~is_small, POOLED), small, []
    return text.where(~is_small, None), [], small


def logistic_models(design: DesignBase, specs: dict[str, Sequence[str]], yes: str = "yes",
                    n_min: int | None = None) -> pd.DataFrame:
    """Design-based logistic regressions (R ``svyglm``, quasibinomial) of yes/no outcomes, ``{outcome: [predictors]}``.

    The outcome is 1 for ``yes`` and 0 for any other answer (missing: out of the model); predictors the
    survey did not ask are left out; an outcome it did not ask, or with no predictor left, is skipped.
    Terms have R's names (``sexfemale``: female against the first category, male); a yes/no predictor is
    compared with "no". With ``n_min`` (the params' minimum n), a predictor's levels of fewer respondents
    (with the outcome answered) are pooled as ``other``, or, when the pooled level is itself under
    ``n_min``, left out of the model: no coefficient describes a group smaller than a published cell.
    Returns ``outcome, predictors`` (comma-separated), ``term, coef, se, p, ci_low, ci_high`` (log-odds,
    t on the model's df), ``odds_ratio, n, df, inference``, and ``pooled`` and ``left_out`` (per model,
    ``predictor=level|level`` joined by ``;``, empty when none); ``attrs["n_min"]`` is ``n_min``.

    Examples
    --------
    >>> from usg_research.ingest.clean import clean_city
    >>> people = clean_city("mathare")["respondent"]
    >>> d = SurveyDesign(people, weight="weight", strata="stratum", psu="psu")
    >>> fits = logistic_models(d, {"vict_any_12m": ["sex", "not_asked"]})
    >>> fits[["outcome", "predictors", "term", "inference"]].values.tolist()
    [['vict_any_12m', 'sex', '(Intercept)', 'design-based'], ['vict_any_12m', 'sex', 'sexfemale', 'design-based']]
    """
    df = design.data
    frames = []
    for outcome, predictors in specs.items():
        preds = [p for p in predictors if p in df and df[p].notna().any()]
        if outcome not in df or not preds:
            continue
        y = df[outcome].map(lambda v: np.nan if pd.isna(v) else float(v == yes))
        cols: dict[str, object] = {"model_outcome": y}
        pooled, left_out = [], []
        for p in preds:  # a yes/no predictor is compared with "no" (its term reads "...: yes")
            if set(df[p].dropna().astype(str)) <= {"yes", "no"}:
                cols[p] = pd.Categorical(df[p].astype(object), categories=["no", "yes"])
            elif n_min is not None and not pd.api.types.is_numeric_dtype(df[p]):
                x, small, out = _pool_small_levels(df[p], y.notna() & df[p].notna(), n_min)
                if small or out:
                    cols[p] = x
                pooled += [f"{p}={'|'.join(small)}"] if small else []
                left_out += [f"{p}={'|'.join(out)}"] if out else []
        fit = design.with_columns(pd.DataFrame(cols, index=df.index)).glm(  # type: ignore[attr-defined]
            "model_outcome ~ " + " + ".join(preds), family="binomial")
        fit = fit.rename(columns={"estimate": "coef"}).assign(
            outcome=outcome, predictors=",".join(preds), odds_ratio=lambda f: np.exp(f["coef"]), n=fit.attrs["n"],
            df=fit.attrs["df"], inference=DESIGN_BASED, pooled=";".join(pooled), left_out=";".join(left_out))
        frames.append(fit[MODEL_COLUMNS])
    fits = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=MODEL_COLUMNS)
    fits.attrs["n_min"] = n_min
    return fits
