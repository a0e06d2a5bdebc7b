"""Design-based shares behind the report's figures: yes-shares of item batteries and full answer scales.

Both return the tidy layout of :func:`usg_research.estimate.indicators.indicator_table`
(``item, domain, level, estimate, se, ci_low, ci_high, cv, deff, n, N, flag``,
proportions as fractions), estimated in one vectorised pass over every item and
group, flagged and suppressed with the report's quality rules. Don't know,
refused and not-asked answers leave the denominator (the universe of each item
is the people who answered it).

Examples
--------
>>> import pandas as pd
>>> from usg_research.estimate.survey import SurveyDesign
>>> df = pd.DataFrame({"w": [1.0] * 4, "a": ["yes", "no", "yes", None], "g": list("xxyy")})
>>> d = SurveyDesign(df, weight="w")
>>> t = item_shares(d, ["a"], rules=QualityRules(n_min=1, cv_suppress=10))
>>> round(float(t.loc[0, "estimate"]), 4), int(t.loc[0, "n"])
(0.6667, 3)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .indicators import QualityRules, flag, suppress
from .survey import SurveyDesign

COLUMNS = ["item", "domain", "level", "estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "N", "flag"]


def _estimate(design: SurveyDesign, Y: pd.DataFrame, by: str | Sequence[str] | None,
              rules: QualityRules | None, where: pd.Series | None) -> pd.DataFrame:
    if where is not None:
        Y = Y.where(where.to_numpy()[:, None])
    specs: list[str | Sequence[str] | None] = [None] if by is None else [None, by]
    res = design.estimate(Y, specs, kind="mean", proportion=[True] * Y.shape[1])
    res = res.rename(columns={"column": "item"})
    res["flag"] = flag(res["cv"], res["n"], rules)
    return suppress(res[COLUMNS].reset_index(drop=True))


def item_shares(design: SurveyDesign, items: Sequence[str], by: str | Sequence[str] | None = None,
                rules: QualityRules | None = None, values: Sequence[str] = ("yes",),
                where: pd.Series | None = None) -> pd.DataFrame:
    """Share answering one of ``values`` for each item, among those who answered it.

    Parameters
    ----------
    design : the survey design (its ``data`` holds the items).
    items : categorical columns of the design's data.
    by : a disaggregation (column or list of columns); the total is always included.
    values : codes counted as "yes".
    where : restrict the universe to these rows (boolean Series aligned with the data).
    """
    df = design.data
    Y = pd.DataFrame({i: np.where(df[i].isna(), np.nan, df[i].isin(list(values)).astype(float)) for i in items},
                     index=df.index)
    return _estimate(design, Y, by, rules, where)


def scale_shares(design: SurveyDesign, var: str, codes: Sequence[str], by: str | Sequence[str] | None = None,
                 rules: QualityRules | None = None, where: pd.Series | None = None) -> pd.DataFrame:
    """Distribution over the full answer scale of ``var`` (one row per code and group); ``item`` is the code."""
    col = design.data[var]
    Y = pd.DataFrame({c: np.where(col.isna(), np.nan, col.eq(c).astype(float)) for c in codes},
                     index=design.data.index)
    return _estimate(design, Y, by, rules, where)


def indicator_shares(design: SurveyDesign, indicators: Sequence[object], by: str | Sequence[str] | None = None,
                     rules: QualityRules | None = None) -> pd.DataFrame:
    """Catalogue indicators (``Indicator`` objects) over any disaggregation, e.g. youth vs older adults.

    Rates are scaled as in the indicator table; ``item`` is the indicator id.
    """
    Y = pd.DataFrame({i.id: i.values(design.data) for i in indicators}, index=design.data.index)  # type: ignore[attr-defined]
    specs: list[str | Sequence[str] | None] = [None] if by is None else [None, by]
    res = design.estimate(Y, specs, kind="mean", proportion=[i.type == "proportion" for i in indicators])  # type: ignore[attr-defined]
    res = res.rename(columns={"column": "item"})
    scale = res["item"].map({i.id: i.scale for i in indicators})  # type: ignore[attr-defined]
    for col in ("estimate", "se", "ci_low", "ci_high"):
        res[col] = res[col] * scale
    res["flag"] = flag(res["cv"], res["n"], rules)
    return suppress(res[COLUMNS].reset_index(drop=True))
