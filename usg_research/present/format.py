"""Numbers as readers see them: estimates with their 95% CI, p-values.

Examples
--------
>>> fmt_estimate(0.1234, 0.1, 0.15, "percent", 1, "reliable")
'12.3 (10.0-15.0)'
>>> fmt_estimate(float("nan"), float("nan"), float("nan"), "percent", 1, "suppressed")
'suppressed'
>>> fmt_p(0.0004), fmt_p(0.0312)
('<0.001', '0.031')
"""

from __future__ import annotations

import math


def fmt_estimate(est: float, lo: float, hi: float, unit: str, decimals: int, flag: str,
                 suppressed_word: str = "suppressed") -> str:
    """Estimate with its 95% CI for reading; suppressed cells show only the word."""
    if flag == "suppressed" or est is None or math.isnan(est):
        return suppressed_word
    k = 100.0 if unit == "percent" else 1.0
    if lo is None or math.isnan(lo):
        return f"{est * k:,.{decimals}f}"
    return f"{est * k:,.{decimals}f} ({lo * k:,.{decimals}f}-{hi * k:,.{decimals}f})"


def fmt_p(p: float) -> str:
    """A p-value for reading: three decimals, ``<0.001`` below that."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"
