"""Quality flags and disclosure control of estimates (STATISTICS.md).

**Proportions** follow the NCHS Data Presentation Standards for Proportions (Parker et al. 2017, Vital
Health Stat 2(175)), computed on the Korn-Graubard interval:

1. suppressed when the effective sample size (``p (1 - p) / var(p)``, at most the observed n, times
   the degrees-of-freedom factor ``(t(n - 1) / t(df))^2``) is under 30;
2. suppressed when the Korn-Graubard interval is 0.30 wide or wider;
3. suppressed when it is wider than 0.05 and its width relative to the proportion *or to its
   complement* exceeds 130% (the standard's relative-width rule applied to p and 1 - p alike, so that
   a flag never depends on whether p or 1 - p is reported);
4. otherwise ``review`` when the design has fewer than 8 degrees of freedom or p is 0 or 1 (the
   standard's "flag for statistical review"), else ``reliable``. With no degrees of freedom there is
   no interval: suppressed.

**Means, totals and rates** keep CV classes: ``reliable`` (CV under 15%), ``caution`` (15-30%),
``suppressed`` (CV over 30% or unweighted n under 30). Params can move every threshold. A suppressed
row carries no number (estimate, SE, CI, CV and deff are blank), only n, N and the flag.

Examples
--------
>>> flag(pd.Series([0.1, 0.2, 0.4, 0.1]), pd.Series([100, 100, 100, 20])).tolist()
['reliable', 'caution', 'suppressed', 'suppressed']
>>> p, se = np.array([0.0094, 0.9906, 0.5]), np.array([0.003, 0.003, 0.2])
>>> flag_proportions(p, se, np.array([60] * 3), np.array([1496] * 3), np.array([1496] * 3)).tolist()
['reliable', 'reliable', 'suppressed']
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from .intervals import _t, beta_interval

FLAGS = ("reliable", "caution", "review", "suppressed")
EDGE = 1e-12  # a proportion this close to 0 or 1 is 0 or 1


class QualityRules(BaseModel):
    """Reliability thresholds (params can override): CV as a fraction, n unweighted; NCHS for proportions."""

    model_config = ConfigDict(extra="forbid")
    cv_reliable: float = 0.15
    cv_suppress: float = 0.30
    n_min: int = 30
    proportions: Literal["nchs", "cv"] = "nchs"
    n_eff_min: float = 30
    ci_width_max: float = 0.30
    ci_width_relative_from: float = 0.05
    relative_width_max: float = 1.30
    df_review: int = 8
    #: qualitative counts: fewer sessions than this are suppressed (a theme raised in one interview)
    sessions_min: int = 3


def flag(cv: pd.Series, n: pd.Series, rules: QualityRules | None = None) -> pd.Series:
    """CV classes per estimate (means, totals, rates): reliable / caution / suppressed."""
    r = rules or QualityRules()
    cv = cv.astype(float)
    out = np.where((n < r.n_min) | ~np.isfinite(cv) | (cv > r.cv_suppress), "suppressed",
                   np.where(cv >= r.cv_reliable, "caution", "reliable"))
    return pd.Series(out, index=cv.index, dtype=object)


def nchs_effective_n(p: np.ndarray, se: np.ndarray, df: np.ndarray, rows: np.ndarray, n: np.ndarray,
                     level: float = 0.95) -> np.ndarray:
    """The standard's effective sample size: ``min(p (1 - p) / var(p), n)`` (n where the variance is 0),
    times ``(t(rows - 1) / t(df))^2``."""
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        var = se * se
        raw = np.minimum(np.where(var > 0, p * (1 - p) / var, n), n)
        return raw * (_t(rows - 1, level) / _t(df, level)) ** 2


def flag_proportions(p: np.ndarray, se: np.ndarray, df: np.ndarray, rows: np.ndarray, n: np.ndarray,
                     rules: QualityRules | None = None, level: float = 0.95) -> pd.Series:
    """NCHS flags of proportions (see the module docstring): reliable / review / suppressed."""
    r = rules or QualityRules()
    p, se, df = (np.asarray(a, dtype=float) for a in (p, se, df))
    rows, n = np.asarray(rows, dtype=float), np.asarray(n, dtype=float)
    # every rule is symmetric in p and 1 - p: compute on the smaller of the two, as the same float whether p
    # or its complement 1 - p (rounded) came in: 1 - (1 - q) is exact from either side (Sterbenz)
    q = 1 - (1 - np.minimum(p, 1 - p))
    edge = q < EDGE
    q0 = np.where(edge, 0.0, q)  # an edge is exactly 0, its rounding's SE ignored: the observed n counts
    ne = nchs_effective_n(q0, np.where(edge, 0.0, se), df, rows, n, level)
    lo, hi = beta_interval(q0, ne, level)  # the Korn-Graubard interval on that effective n
    width = hi - lo
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        relative = np.where(edge, 0.0, width / q)
    too_wide = (width >= r.ci_width_max) | ((width > r.ci_width_relative_from) & (relative > r.relative_width_max))
    # no interval (df < 1, a missing p) leaves the width NaN: suppressed
    suppressed = ~np.isfinite(width) | ~(ne >= r.n_eff_min) | too_wide
    review = (df < r.df_review) | edge
    return pd.Series(np.where(suppressed, "suppressed", np.where(review, "review", "reliable")), dtype=object)


def flag_estimates(table: pd.DataFrame, proportion: pd.Series | np.ndarray, rules: QualityRules | None = None,
                   level: float = 0.95) -> pd.Series:
    """Flags of an estimate table (``estimate, se, cv, n, df, rows`` as :meth:`SurveyDesign.estimate` gives):
    NCHS for the rows that are proportions (unless params choose CV classes), CV classes for the rest."""
    r = rules or QualityRules()
    cv_flags = flag(table["cv"], table["n"], r).to_numpy()
    is_prop = np.asarray(proportion, dtype=bool) & (r.proportions == "nchs")
    if not is_prop.any():
        return pd.Series(cv_flags, index=table.index, dtype=object)
    nchs = flag_proportions(table["estimate"].to_numpy(), table["se"].to_numpy(), table["df"].to_numpy(),
                            table["rows"].to_numpy(), table["n"].to_numpy(), r, level).to_numpy()
    return pd.Series(np.where(is_prop, nchs, cv_flags), index=table.index, dtype=object)


def suppress(table: pd.DataFrame) -> pd.DataFrame:
    """Blank every number of suppressed rows (only n, N and the flag remain)."""
    out = table.copy()
    mask = out["flag"] == "suppressed"
    for col in ("estimate", "se", "ci_low", "ci_high", "cv", "deff"):
        if col in out:
            out.loc[mask, col] = np.nan
    return out
