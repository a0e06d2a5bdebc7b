"""Confidence intervals of survey estimates: t-based on the design's degrees of freedom; for proportions
logit-transformed (R ``svyciprop(method="logit")``), Korn-Graubard (``method="beta"``) or Wald clipped
to [0, 1].

The Korn-Graubard interval is a Clopper-Pearson interval on the effective sample size
``n_eff = p (1 - p) / var(p)``, itself scaled by ``(t(n - 1) / t(df))^2`` for the design's degrees of
freedom (Korn and Graubard 1998; the interval of the NCHS standard for proportions). Where p is 0 or
1 its variance is 0 and R gives no interval; here ``n_eff`` is then the observed n, as NCHS does. A
proportion strictly between 0 and 1 with variance 0 has no sampling error (its strata were fully
enumerated, fpc = n_h): its interval is [p, p] (R's Beta(Inf, Inf) gives 0.5).

Examples
--------
>>> lo, hi = confidence_interval(np.array([0.2]), np.array([0.05]), np.array([30]), 0.95, "logit")
>>> round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.1167, 0.3212)
>>> lo, hi = korn_graubard(np.array([0.2]), np.array([0.05]), np.array([30]), np.array([100]), np.array([100]))
>>> round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.1081, 0.3228)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import stats

CI = Literal["logit", "beta", "wald"]


def _t(df: np.ndarray, level: float) -> np.ndarray:
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        return np.where(df >= 1, stats.t.ppf((1 + level) / 2, np.maximum(df, 1)), np.nan)


def confidence_interval(est: np.ndarray, se: np.ndarray, df: np.ndarray, level: float,
                        method: CI | Literal["t"], rows: np.ndarray | None = None,
                        n: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """CIs on the design df (none when df < 1): ``t`` for means and totals; for proportions ``logit``,
    ``beta`` (Korn-Graubard, needs the domain's ``rows`` and observed ``n``) or ``wald`` (clipped)."""
    t = _t(df, level)
    if method == "beta":
        assert rows is not None and n is not None
        return korn_graubard(est, se, df, rows, n, level)
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        if method == "logit":
            inner = (est > 0) & (est < 1)
            lg = np.log(est / (1 - est))
            half = t * se / (est * (1 - est))
            lo = np.where(np.isnan(t), np.nan, np.where(inner, 1 / (1 + np.exp(-(lg - half))), est))
            hi = np.where(np.isnan(t), np.nan, np.where(inner, 1 / (1 + np.exp(-(lg + half))), est))
            return lo, hi
        lo, hi = est - t * se, est + t * se
        if method == "wald":
            lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
        return lo, hi


def effective_n(p: np.ndarray, se: np.ndarray, df: np.ndarray, rows: np.ndarray, n: np.ndarray,
                level: float = 0.95) -> np.ndarray:
    """Korn-Graubard's degrees-of-freedom-adjusted effective sample size (R ``svyciprop(method="beta")``):
    ``p (1 - p) / var(p) * (t(rows - 1) / t(df))^2``; the observed n where var(p) is 0."""
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        var = se * se
        raw = np.where(var > 0, p * (1 - p) / var, n)
        adj = (_t(rows - 1, level) / _t(df, level)) ** 2
        return raw * adj


def beta_interval(p: np.ndarray, n_eff: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson interval of a proportion on an effective sample size (none where it is not finite)."""
    alpha = 1 - level
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        lo = np.where(p > 0, stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1), 0.0)
        hi = np.where(p < 1, stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)), 1.0)
    bad = ~np.isfinite(n_eff)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def korn_graubard(p: np.ndarray, se: np.ndarray, df: np.ndarray, rows: np.ndarray, n: np.ndarray,
                  level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The Korn-Graubard interval (R ``svyciprop(method="beta")``; see the module docstring)."""
    lo, hi = beta_interval(p, effective_n(p, se, df, rows, n, level), level)
    exact = (np.asarray(se) == 0) & (p > 0) & (p < 1) & (np.asarray(df) >= 1)
    return np.where(exact, p, lo), np.where(exact, p, hi)
