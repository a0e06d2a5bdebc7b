"""Design-based shares behind the report's figures: yes-shares of item batteries, full answer scales,
catalogue indicators over any grouping.

Every function returns the tidy layout of :func:`usg_research.estimate.indicators.indicator_table`
(``item, domain, level, estimate, se, ci_low, ci_high, cv, deff, n, N, flag``, proportions as
fractions), estimated in one vectorised pass of the design per disaggregation, flagged and
suppressed with the report's quality rules. Don't know, refused and not-asked answers leave the
denominator: the universe of each item is the people who answered it (and ``where`` narrows it, on
the full design, never by dropping rows).

``by`` is one disaggregation (``"sex"``), several (``["sex", "age_group"]``: each on its own, the
whole sample once) or a cross (``"sex x age_group"``); the whole sample is always included.

Examples
--------
>>> import pandas as pd
>>> from usg_research.estimate.survey import SurveyDesign
>>> df = pd.DataFrame({"w": [1.0] * 4, "a": ["yes", "no", "yes", None], "g": list("xxyy")})
>>> d = SurveyDesign(df, weight="w")
>>> t = item_shares(d, ["a"], rules=QualityRules(n_min=1, cv_suppress=10, proportions="cv"))
>>> round(float(t.loc[0, "estimate"]), 4), int(t.loc[0, "n"])
(0.6667, 3)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .indicators import Indicator
from .quality import QualityRules, flag_estimates, suppress
from .survey import SurveyDesign

COLUMNS = ["item", "domain", "level", "estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "N", "flag"]
By = str | Sequence[str] | None


def _specs(by: By) -> list[list[str] | None]:
    """One estimation pass per disaggregation: a name, a list of names, or ``"a x b"`` for a cross."""
    if by is None:
        return [None]
    names = [by] if isinstance(by, str) else list(by)
    return [[c.strip() for c in name.split(" x ")] for name in names] or [None]


def _estimate(design: SurveyDesign, Y: pd.DataFrame, by: By, rules: QualityRules | None,
              where: pd.Series | None, proportion: list[bool], scale: pd.Series | None = None,
              inside: np.ndarray | None = None) -> pd.DataFrame:
    if Y.shape[1] == 0:
        return pd.DataFrame(columns=COLUMNS)
    universe = design.universe(where)
    if inside is not None:
        universe = inside & universe[:, None]
    frames = []
    for spec in _specs(by):
        specs: list = [None] if spec is None else [None, spec]
        frames.append(design.estimate(Y, specs, kind="mean", proportion=proportion, where=universe))
    res = pd.concat(frames, ignore_index=True).drop_duplicates(["column", "domain", "level"])
    res = res.rename(columns={"column": "item"})
    res["flag"] = flag_estimates(res, res["item"].map(dict(zip(Y.columns, proportion, strict=True))), rules)
    if scale is not None:
        factor = res["item"].map(scale)
        for col in ("estimate", "se", "ci_low", "ci_high"):
            res[col] = res[col] * factor
    return suppress(res[COLUMNS].reset_index(drop=True))


def item_shares(design: SurveyDesign, items: Sequence[str], by: By = None, rules: QualityRules | None = None,
                values: Sequence[str] | Mapping[str, Sequence[str]] = ("yes",),
                where: pd.Series | None = None) -> pd.DataFrame:
    """Share answering one of ``values`` for each item, among those who answered it.

    Parameters
    ----------
    design : the survey design (its ``data`` holds the items).
    items : categorical columns of the design's data (none: an empty table).
    by : disaggregations (see the module docstring); the whole sample is always included.
    values : the codes counted as "yes", for every item or per item (``{"item": ("good", "very_good")}``).
    where : restrict the universe to these rows (boolean Series aligned with the data).
    """
    df = design.data
    codes = {i: list(values[i] if isinstance(values, Mapping) else values) for i in items}
    Y = pd.DataFrame({i: np.where(df[i].isna(), np.nan, df[i].isin(codes[i]).astype(float)) for i in items},
                     index=df.index)
    return _estimate(design, Y, by, rules, where, [True] * Y.shape[1])


def scale_shares(design: SurveyDesign, var: str, codes: Sequence[str], by: By = None,
                 rules: QualityRules | None = None, where: pd.Series | None = None) -> pd.DataFrame:
    """Distribution over the full answer scale of ``var`` (one row per code and group); ``item`` is the code."""
    col = design.data[var]
    Y = pd.DataFrame({c: np.where(col.isna(), np.nan, col.eq(c).astype(float)) for c in codes},
                     index=design.data.index)
    return _estimate(design, Y, by, rules, where, [True] * Y.shape[1])


def scale_battery(design: SurveyDesign, variables: Sequence[str], codes: Sequence[str], by: By = None,
                  rules: QualityRules | None = None, where: pd.Series | None = None) -> pd.DataFrame:
    """:func:`scale_shares` of several questions on one answer scale, a ``variable`` column naming each."""
    frames = [scale_shares(design, v, codes, by, rules, where).assign(variable=v) for v in variables]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*COLUMNS, "variable"])


def indicator_shares(design: SurveyDesign, indicators: Sequence[Indicator], by: By = None,
                     rules: QualityRules | None = None, where: pd.Series | None = None) -> pd.DataFrame:
    """Catalogue indicators over any disaggregation (e.g. youth against older adults) or universe.

    Rates are scaled as in the indicator table; ``item`` is the indicator id.
    """
    Y = pd.DataFrame({i.id: i.values(design.data) for i in indicators}, index=design.data.index)
    inside = np.column_stack([i.inside(design.data) for i in indicators]) if indicators else None
    return _estimate(design, Y, by, rules, where, [i.type == "proportion" for i in indicators],
                     pd.Series({i.id: i.scale for i in indicators}, dtype=float), inside)
