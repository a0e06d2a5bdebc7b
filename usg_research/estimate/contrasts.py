"""Differences of survey estimates with their SEs: a design contrast's row, and two independent samples.

:meth:`usg_research.estimate.survey.SurveyDesign.difference` compares two domains of one design (their
covariance counts); :func:`independent_difference` compares an estimate with another survey's
published level and SE (independent samples: the variances add).

Examples
--------
>>> r = independent_difference(0.30, 0.02, 0.25, 0.015)
>>> round(float(r["estimate"]), 4), round(float(r["se"]), 4), round(float(r["p"]), 4)
(0.05, 0.025, 0.0455)
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

DIFFERENCE_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "df", "p"]


def contrast_row(estimate: float, variance: float, df: float, level: float = 0.95) -> pd.Series:
    """``estimate, se, ci_low, ci_high, df, p`` of a difference: t-based on ``df`` (normal when infinite;
    no interval or p when df < 1)."""
    se = math.sqrt(max(variance, 0.0))
    if df < 1:
        lo = hi = p = math.nan
    else:
        q = stats.t.ppf((1 + level) / 2, df) if math.isfinite(df) else stats.norm.ppf((1 + level) / 2)
        lo, hi = estimate - q * se, estimate + q * se
        tail = stats.t.sf(abs(estimate) / se, df) if math.isfinite(df) else stats.norm.sf(abs(estimate) / se)
        p = float(2 * tail) if se > 0 else (0.0 if estimate != 0 else 1.0)
    return pd.Series([estimate, se, lo, hi, df, p], index=DIFFERENCE_COLUMNS, dtype=float)


def independent_difference(estimate: float, se: float, other: float, other_se: float,
                           df: float = math.inf, other_df: float = math.inf, level: float = 0.95) -> pd.Series:
    """``estimate - other`` for two independent samples (a city against another survey's published level):
    SE ``sqrt(se^2 + other_se^2)``, Welch-Satterthwaite df from the two df (normal when both are infinite).

    Examples
    --------
    >>> independent_difference(0.4, 0.03, 0.3, 0.04, df=40, other_df=60)["df"].round(1).item()
    99.3
    """
    v1, v2 = se * se, other_se * other_se
    if math.isinf(df) and math.isinf(other_df):
        d = math.inf
    else:
        denom = (v1 * v1 / df if math.isfinite(df) else 0.0) + (v2 * v2 / other_df if math.isfinite(other_df) else 0.0)
        d = (v1 + v2) ** 2 / denom if denom > 0 else math.inf
    return contrast_row(estimate - other, v1 + v2, d, level)
