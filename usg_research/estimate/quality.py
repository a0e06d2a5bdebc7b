"""Quality flags and disclosure control of estimates (STATISTICS.md).

``reliable`` (CV under 15%), ``caution`` (15-30%), ``suppressed`` (CV over 30% or unweighted n under
30); params can move the thresholds. A suppressed row carries no number (estimate, SE, CI, CV and
deff are blank), only n, N and the flag.

Examples
--------
>>> flag(pd.Series([0.1, 0.2, 0.4, 0.1]), pd.Series([100, 100, 100, 20])).tolist()
['reliable', 'caution', 'suppressed', 'suppressed']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

FLAGS = ("reliable", "caution", "suppressed")


class QualityRules(BaseModel):
    """Reliability thresholds (params can override): CV as a fraction, n unweighted."""

    model_config = ConfigDict(extra="forbid")
    cv_reliable: float = 0.15
    cv_suppress: float = 0.30
    n_min: int = 30


def flag(cv: pd.Series, n: pd.Series, rules: QualityRules | None = None) -> pd.Series:
    """Quality flag per estimate: reliable / caution / suppressed.

    """
    r = rules or QualityRules()
    cv = cv.astype(float)
    out = np.where((n < r.n_min) | ~np.isfinite(cv) | (cv > r.cv_suppress), "suppressed",
                   np.where(cv >= r.cv_reliable, "caution", "reliable"))
    return pd.Series(out, index=cv.index, dtype=object)


def suppress(table: pd.DataFrame) -> pd.DataFrame:
    """Blank every number of suppressed rows (only n, N and the flag remain)."""
    out = table.copy()
    mask = out["flag"] == "suppressed"
    for col in ("estimate", "se", "ci_low", "ci_high", "cv", "deff"):
        out.loc[mask, col] = np.nan
    return out
