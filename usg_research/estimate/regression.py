"""Design-based generalised linear models, as R ``svyglm``: the weighted fit, the sandwich's influence values.

The model matrix comes from formulaic (R's formula syntax, treatment contrasts against the first
level), the weighted fit from iteratively reweighted least squares (R's ``glm`` with prior weights),
and the design
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
    # text columns are factors with sorted levels, as R's factor() makes them (formulaic reads only
    # categoricals and object columns as factors)
    frame = frame.assign(**{c: pd.Categorical(frame[c], categories=sorted(frame[c].dropna().unique()))
                            for c in needed if pd.api.types.is_string_dtype(frame[c])
                            and not isinstance(frame[c].dtype, pd.CategoricalDtype)})
    mm = formulaic.model_matrix(spec, frame, na_action="drop")
    lhs, rhs = mm.lhs, mm.rhs
    if lhs.shape[1] != 1:
        raise TypeError(f"model {formula!r}: the outcome must be one numeric column (0/1 for binomial), "
                        f"not {list(lhs.columns)}")
    if len(rhs) <= rhs.shape[1]:
        raise ValueError(f"model {formula!r}: {len(rhs)} complete rows for {rhs.shape[1]} terms")
    return ModelMatrix([r_term_name(c) for c in rhs.columns], rhs.to_numpy(dtype=float),
                       lhs.to_numpy(dtype=float)[:, 0], rhs.index.to_numpy())


def fit_glm(mm: ModelMatrix, w: np.ndarray, family: Family, tol: float = 1e-12, max_iter: int = 50) -> GlmFit:
    """Weighted fit by iteratively reweighted least squares (Fisher scoring; canonical links: logit, identity)
    and each row's influence on the coefficients.

    The normal equations are solved directly: on the ENVIPE person file (91,532 rows, 38 terms) this is
    0.1 s where statsmodels' GLM takes 0.8-1.2 s for the same coefficients (benchmarks/bench_models.py).
    """
    if family not in ("binomial", "quasibinomial", "gaussian"):
        raise ValueError(f"family must be 'binomial' or 'gaussian', not {family!r}")
    binary = family != "gaussian"
    X, y = mm.X, mm.y
    if binary and not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("a binomial model needs a 0/1 outcome")
    ws = w / w.mean()  # R's svyglm rescales the weights to mean 1 (coefficients do not change)
    if not binary:
        coef = np.linalg.solve(X.T @ (ws[:, None] * X), X.T @ (ws * y))
        mu, v = X @ coef, np.ones(len(y))
    else:
        mu = np.full(len(y), np.average(y, weights=ws))  # R's glm starts from the mean
        eta = np.log(mu / (1 - mu))
        coef = np.zeros(X.shape[1])
        for _ in range(max_iter):
            v = mu * (1 - mu)
            new = np.linalg.solve(X.T @ ((ws * v)[:, None] * X), X.T @ (ws * (v * eta + y - mu)))
            eta = X @ new
            mu = 1 / (1 + np.exp(-eta))
            done = np.max(np.abs(new - coef)) <= tol * (1 + np.max(np.abs(new)))
            coef = new
            if done:
                break
        else:
            raise ValueError(f"the logistic model did not converge in {max_iter} iterations (a predictor may "
                             "separate the outcome perfectly); drop or merge its levels")
        v = mu * (1 - mu)
    A_inv = np.linalg.inv(X.T @ ((ws * v)[:, None] * X))
    influence = (X * (ws * (y - mu))[:, None]) @ A_inv
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
