"""Confidence intervals of survey estimates: t-based on the design's degrees of freedom, logit-transformed
for proportions (R ``svyciprop(method="logit")``), Wald clipped to [0, 1] on request.

Examples
--------
>>> lo, hi = confidence_interval(np.array([0.2]), np.array([0.05]), np.array([30]), 0.95, "logit", "logit")
>>> round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.1167, 0.3212)
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def confidence_interval(est: np.ndarray, se: np.ndarray, df: np.ndarray, level: float, transform: str,
                        method: str) -> tuple[np.ndarray, np.ndarray]:
    """t-based CIs on the design df (none when df < 1); logit-transformed for proportions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(df >= 1, stats.t.ppf((1 + level) / 2, np.maximum(df, 1)), np.nan)
        if transform == "logit" and method == "logit":
            inner = (est > 0) & (est < 1)
            lg = np.log(est / (1 - est))
            half = t * se / (est * (1 - est))
            lo = np.where(inner, 1 / (1 + np.exp(-(lg - half))), est)
            hi = np.where(inner, 1 / (1 + np.exp(-(lg + half))), est)
            lo = np.where(np.isnan(t), np.nan, lo)
            hi = np.where(np.isnan(t), np.nan, hi)
            return lo, hi
        lo, hi = est - t * se, est + t * se
        if transform == "logit":  # Wald interval for a proportion: clipped to [0, 1]
            lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
        return lo, hi
