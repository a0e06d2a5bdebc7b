"""Design-based generalised linear models, as R ``svyglm``: the weighted fit, the sandwich's influence values.

The model matrix comes from formulaic (R's formula syntax, treatment contrasts against the first
level), the weighted fit from statsmodels' IRLS (R's ``glm`` with prior weights), and the design
variance from the survey design: each row's influence on the coefficients is
``x_i w_i (y_i - mu_i) A^-1`` with ``A = X' W V(mu) X`` (canonical links), whose PSU totals give the
sandwich variance (:meth:`usg_research.estimate.survey.SurveyDesign.glm`). A binary outcome is fitted
as R's ``quasibinomial``: the same coefficients and SEs as ``binomial`` without its warning about
non-integer weights.

Examples
--------
>>> df = pd.DataFrame({"y": [0.0, 1, 1, 0, 1], "sex": ["f", "m", "m", "f", "f"]})
>>> mm = model_matrix(df, "y ~ sex", np.ones(5, dtype=bool))
>>> mm.names, mm.rows.tolist()
(['(Intercept)', 'sexm'], [0, 1, 2, 3, 4])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import formulaic
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

Family = Literal["binomial", "quasibinomial", "gaussian"]
GLM_COLUMNS = ["term", "estimate", "se", "ci_low", "ci_high", "p"]
_LEVEL = re.compile(r"([^\[\]:]+)\[T\.([^\]]*)\]")
_R_LOGICAL = {"True": "TRUE", "False": "FALSE"}


@dataclass(frozen=True)
class ModelMatrix:
    """The rows a model uses (positions in the data), its outcome, its design matrix and R's term names."""

    names: list[str]
    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray

    def rows_mask(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        mask[self.rows] = True
        return mask


@dataclass(frozen=True)
class GlmFit:
    coef: np.ndarray
    influence: np.ndarray  # (rows used, terms)


def r_term_name(name: str) -> str:
    """formulaic's column name in R's spelling: ``Intercept`` -> ``(Intercept)``, ``sex[T.male]`` -> ``sexmale``.

    Examples
    --------
    >>> r_term_name("sex[T.male]:age_group[T.25-34]")
    'sexmale:age_group25-34'
    """
    if name == "Intercept":
        return "(Intercept)"
    return _LEVEL.sub(lambda m: m.group(1) + _R_LOGICAL.get(m.group(2), m.group(2)), name)


def model_matrix(data: pd.DataFrame, formula: str, universe: np.ndarray) -> ModelMatrix:
    """The model's rows (inside ``universe``, every variable observed), outcome and design matrix."""
    spec = formulaic.Formula(formula)
    needed = sorted(spec.required_variables)
    missing = [v for v in needed if v not in data.columns]
    if missing:
        raise KeyError(f"model {formula!r}: no column {missing[0]!r} in the data")
    frame = data[needed].reset_index(drop=True)[universe]
    mm = formulaic.model_matrix(spec, frame, na_action="drop")
    lhs, rhs = mm.lhs, mm.rhs
    if lhs.shape[1] != 1:
        raise TypeError(f"model {formula!r}: the outcome must be one numeric column (0/1 for binomial), "
                        f"not {list(lhs.columns)}")
    if len(rhs) <= rhs.shape[1]:
        raise ValueError(f"model {formula!r}: {len(rhs)} complete rows for {rhs.shape[1]} terms")
    return ModelMatrix([r_term_name(c) for c in rhs.columns], rhs.to_numpy(dtype=float),
                       lhs.to_numpy(dtype=float)[:, 0], rhs.index.to_numpy())


def fit_glm(mm: ModelMatrix, w: np.ndarray, family: Family) -> GlmFit:
    """Weighted IRLS fit (statsmodels) and each row's influence on the coefficients."""
    if family not in ("binomial", "quasibinomial", "gaussian"):
        raise ValueError(f"family must be 'binomial' or 'gaussian', not {family!r}")
    binary = family != "gaussian"
    if binary and not np.isin(mm.y, (0.0, 1.0)).all():
        raise ValueError("a binomial model needs a 0/1 outcome")
    ws = w / w.mean()  # R's svyglm rescales the weights to mean 1
    fam = sm.families.Binomial() if binary else sm.families.Gaussian()
    res = sm.GLM(mm.y, mm.X, family=fam, var_weights=ws).fit(method="IRLS", tol=1e-12, maxiter=100)
    coef = np.asarray(res.params, dtype=float)
    mu = mm.X @ coef
    if binary:
        mu = 1 / (1 + np.exp(-mu))
    v = mu * (1 - mu) if binary else np.ones_like(mu)
    A_inv = np.linalg.inv(mm.X.T @ ((ws * v)[:, None] * mm.X))
    influence = (mm.X * (ws * (mm.y - mu))[:, None]) @ A_inv
    return GlmFit(coef, influence)


def glm_table(names: list[str], coef: np.ndarray, cov: np.ndarray, df: int, level: float, n: int) -> pd.DataFrame:
    """``term, estimate, se, ci_low, ci_high, p`` (t on ``df``, R's ``df.residual``); attrs ``n``, ``df``."""
    se = np.sqrt(np.diag(cov))
    if df >= 1:
        q = stats.t.ppf((1 + level) / 2, df)
        lo, hi, p = coef - q * se, coef + q * se, 2 * stats.t.sf(np.abs(coef / se), df)
    else:
        lo = hi = p = np.full(len(coef), np.nan)
    out = pd.DataFrame({"term": names, "estimate": coef, "se": se, "ci_low": lo, "ci_high": hi, "p": p})
    out.attrs.update(n=n, df=df)
    return out
