"""Numbers as readers see them: estimates with their 95% CI, p-values.

Examples
--------
>>> fmt_estimate(0.1234, 0.1, 0.15, "percent", 1, "reliable")
'12.3 (10.0-15.0)'
>>> fmt_estimate(float("nan"), float("nan"), float("nan"), "percent", 1, "suppressed")
'suppressed'
>>> fmt_p(0.0004), fmt_p(0.0312)
('<0.001', '0.031')
>>> fmt_estimate(0.1234, 0.1, 0.15, "percent", 1, "reliable", language="es"), fmt_p(0.0312, "ru")
('12,3 (10,0-15,0)', '0,031')
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal

#: flags of an estimate to use with caution (CV classes) or to review (NCHS: df < 8, p 0 or 1): their numbers
#: carry :data:`CAUTION_MARK` in tables and figures, and are drawn with an open marker
CAUTION_FLAGS = ("caution", "review")
CAUTION_MARK = "*"


def number(x: float, decimals: int = 0, language: str = "en") -> str:
    """``x`` as ``language`` writes numbers (CLDR rules, through Babel), rounded as Python rounds it (so a
    number reads the same in a table, a caption and a figure).

    Examples
    --------
    >>> [number(14615.25, 1, lang) for lang in ("en", "es", "ru")]
    ['14,615.2', '14.615,2', '14\xa0615,2']
    >>> number(0.125, 2), number(2.675, 2)
    ('0.12', '2.67')
    """
    return format_decimal(round(float(x), decimals), format="#,##0" + ("." + "0" * decimals if decimals else ""),
                          locale=language)


def fmt_estimate(est: float, lo: float, hi: float, unit: str, decimals: int, flag: str,
                 suppressed_word: str = "suppressed", language: str = "en") -> str:
    """Estimate with its 95% CI for reading, numbers as ``language`` writes them; suppressed cells show only
    the word."""
    if flag == "suppressed" or est is None or math.isnan(est):
        return suppressed_word
    k = 100.0 if unit == "percent" else 1.0
    if lo is None or math.isnan(lo):
        return number(est * k, decimals, language)
    return (f"{number(est * k, decimals, language)} ({number(lo * k, decimals, language)}-"
            f"{number(hi * k, decimals, language)})")


def fmt_p(p: float, language: str = "en") -> str:
    """A p-value for reading: three decimals, ``<0.001`` below that."""
    return ("<" + number(0.001, 3, language)) if p < 0.001 else number(p, 3, language)
