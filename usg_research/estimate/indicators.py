"""The indicator catalogue (declared as data in ``indicators.yaml``) and the engine that evaluates it.

:func:`indicator_table` turns a clean respondent table into one tidy table,
``indicator, domain, level, estimate, se, ci_low, ci_high, cv, deff, n, N, flag``,
for every indicator x every disaggregation, in one vectorised pass of
:meth:`usg_research.estimate.survey.SurveyDesign.estimate`. Quality flags follow
``STATISTICS.md``: ``reliable`` (CV < 15%), ``caution`` (15-30%),
``suppressed`` (CV > 30% or unweighted n < 30); a suppressed row carries no
number (estimate, se, CI, cv and deff are blank), only the flag.

Examples
--------
>>> cat = load_catalogue()
>>> cat["SAFE_NIGHT_WALK"].sdg, cat["SAFE_NIGHT_WALK"].labels["es"]
('16.1.4', 'Se siente seguro caminando solo de noche')
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .survey import LonelyPSU, SurveyDesign

TIDY_COLUMNS = ["indicator", "domain", "level", "estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "N",
                "flag"]
FLAGS = ("reliable", "caution", "suppressed")


class Condition(BaseModel):
    """Who counts: ``var`` (or any of / the mean over ``any_of`` / ``mean_of``) has a code in ``in``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    var: str | None = None
    any_of: list[str] | None = None
    mean_of: list[str] | None = None
    codes: list[str] = Field(alias="in")

    @model_validator(mode="after")
    def _one_source(self) -> Condition:
        if sum(x is not None for x in (self.var, self.any_of, self.mean_of)) != 1:
            raise ValueError("a condition names exactly one of var, any_of, mean_of")
        return self

    @property
    def variables(self) -> list[str]:
        return [self.var] if self.var else list(self.any_of or self.mean_of or [])


class Indicator(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(extra="forbid")
    id: str
    labels: dict[Literal["en", "es", "ru"], str]
    sdg: str | None
    module: str
    type: Literal["proportion", "mean", "rate_100k"]
    universe: Literal["all"] | Condition
    numerator: Condition | None = None
    value: str | None = None
    missing_in_denominator: bool = False
    period: str
    disaggregations: list[str]
    unit: str
    decimals: int
    note: str | None = None

    @model_validator(mode="after")
    def _numerator_or_value(self) -> Indicator:
        if (self.numerator is None) == (self.value is None):
            raise ValueError(f"{self.id}: give exactly one of numerator (a condition) or value (a variable)")
        if set(self.labels) != {"en", "es", "ru"}:
            raise ValueError(f"{self.id}: labels in en, es and ru are required")
        return self

    @property
    def scale(self) -> float:
        return 1e5 if self.type == "rate_100k" else 1.0

    def variables(self) -> list[str]:
        out = [] if self.universe == "all" else self.universe.variables
        out += self.numerator.variables if self.numerator else [self.value]  # type: ignore[list-item]
        return out

    def values(self, df: pd.DataFrame) -> np.ndarray:
        """Per respondent: the indicator's value, NaN outside the universe (or missing)."""
        n = len(df)
        if self.universe == "all":
            inside = np.ones(n, dtype=bool)
        else:
            inside = _holds(self.universe, df).to_numpy(dtype=float) == 1.0
        if self.numerator is not None:
            y = _holds(self.numerator, df)
            if self.missing_in_denominator:
                y = y.fillna(0.0)
            y = y.to_numpy(dtype=float)
        else:
            y = pd.to_numeric(df[self.value], errors="coerce").to_numpy(dtype=float)
        return np.where(inside, y, np.nan)


def _holds(c: Condition, df: pd.DataFrame) -> pd.Series:
    """1/0 per respondent (NaN when the answers needed are missing)."""
    cols = c.variables
    missing = [v for v in cols if v not in df]
    if missing:
        raise KeyError(f"variables {missing} are not in the clean table")
    hits = pd.DataFrame({v: df[v].astype(object).isin(c.codes).astype(float).where(df[v].notna()) for v in cols})
    if c.var is not None:
        return hits[c.var]
    if c.any_of is not None:
        anyhit = hits.max(axis=1, skipna=True)
        # "no" only when every item is known; "yes" as soon as one is
        return anyhit.where((anyhit == 1) | hits.notna().all(axis=1))
    return hits.mean(axis=1, skipna=True)


@lru_cache(maxsize=4)
def _read_catalogue(path: str) -> tuple[Indicator, ...]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    items = tuple(Indicator.model_validate(d) for d in data)
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{path}: indicator ids repeat: {dupes}")
    return items


def load_catalogue(path: str | Path | None = None) -> dict[str, Indicator]:
    """Read and check the catalogue: {id: Indicator}, in catalogue order."""
    path = Path(path) if path else Path(__file__).with_name("indicators.yaml")
    return {i.id: i for i in _read_catalogue(str(path))}


def check_indicator_ids(ids: Iterable[str]) -> None:
    """Raise ``ValueError`` naming the ids that are not in the catalogue (params validation).

    Examples
    --------
    >>> check_indicator_ids(["VICT_ANY_12M"])
    >>> check_indicator_ids(["NOPE"])
    Traceback (most recent call last):
    ...
    ValueError: unknown indicator ids ['NOPE']
    """
    unknown = sorted(set(ids) - set(load_catalogue()))
    if unknown:
        raise ValueError(f"unknown indicator ids {unknown}")


class QualityRules(BaseModel):
    """Reliability thresholds (params can override): CV as a fraction, n unweighted."""

    model_config = ConfigDict(extra="forbid")
    cv_reliable: float = 0.15
    cv_suppress: float = 0.30
    n_min: int = 30


def flag(cv: pd.Series, n: pd.Series, rules: QualityRules | None = None) -> pd.Series:
    """Quality flag per estimate: reliable / caution / suppressed.

    Examples
    --------
    >>> flag(pd.Series([0.1, 0.2, 0.4, 0.1]), pd.Series([100, 100, 100, 20])).tolist()
    ['reliable', 'caution', 'suppressed', 'suppressed']
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


def indicator_table(df: pd.DataFrame, *, weight: str = "weight", strata: str | None = "stratum",
                    psu: str | None = "psu", lonely_psu: LonelyPSU = "fail", indicators: list[str] | None = None,
                    disaggregations: list[str] | None = None, rules: QualityRules | None = None,
                    level: float = 0.95, catalogue: dict[str, Indicator] | None = None,
                    frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evaluate the catalogue over a clean respondent table: one tidy, suppressed table.

    Parameters
    ----------
    df : clean respondent table (``usg_research.ingest.clean``).
    weight, strata, psu, lonely_psu : the design (see :class:`~usg_research.estimate.survey.SurveyDesign`).
    indicators : ids to evaluate (default: every indicator whose variables are in ``df``).
    disaggregations : restrict the disaggregations (default: each indicator's own).
    rules : quality thresholds.
    frame : every sampled PSU (``stratum``, ``psu``) when ``df`` holds one domain of a larger survey
        (see :class:`~usg_research.estimate.survey.SurveyDesign`).

    Returns
    -------
    DataFrame
        ``indicator, domain, level, estimate, se, ci_low, ci_high, cv, deff, n, N, flag``; proportions
        as fractions, rates per 100,000; suppressed rows carry no numbers.

    Examples
    --------
    >>> from usg_research.ingest.clean import clean_city
    >>> t = indicator_table(clean_city("mathare")["respondent"], indicators=["VICT_ANY_12M"])
    >>> t.loc[t.domain == "total", ["indicator", "level", "flag"]].to_dict("records")
    [{'indicator': 'VICT_ANY_12M', 'level': 'total', 'flag': 'reliable'}]
    """
    cat = catalogue or load_catalogue()
    chosen = [cat[i] for i in indicators] if indicators else [
        i for i in cat.values() if all(v in df.columns for v in i.variables())]
    design = SurveyDesign(df, weight=weight, strata=strata, psu=psu, lonely_psu=lonely_psu, frame=frame)
    Y = pd.DataFrame({i.id: i.values(df) for i in chosen}, index=df.index)
    wanted = {i.id: [d for d in i.disaggregations if disaggregations is None or d in disaggregations]
              for i in chosen}
    by_all = [None] + sorted({d for ds in wanted.values() for d in ds})
    res = design.estimate(Y, by_all, kind="mean", level=level,
                          proportion=[i.type == "proportion" for i in chosen])
    keep = [(r.domain == "total") or (r.domain in wanted[r.column]) for r in res.itertuples()]
    res = res[keep].rename(columns={"column": "indicator"})
    scale = res["indicator"].map({i.id: i.scale for i in chosen})
    for col in ("estimate", "se", "ci_low", "ci_high"):
        res[col] = res[col] * scale
    res["flag"] = flag(res["cv"], res["n"], rules)
    order = {i.id: k for k, i in enumerate(chosen)}
    res = res.assign(_o=res["indicator"].map(order)).sort_values(["_o"], kind="stable").drop(columns="_o")
    return suppress(res[TIDY_COLUMNS].reset_index(drop=True))


def definitions_table(language: str = "en", catalogue: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """The indicator definitions as a table (report annex TAB-ANX-02)."""
    cat = catalogue or load_catalogue()
    rows = []
    for i in cat.values():
        uni = "all respondents" if i.universe == "all" else f"{' / '.join(i.universe.variables)} in " \
            f"{{{', '.join(i.universe.codes)}}}"
        num = (f"{' / '.join(i.numerator.variables)} in {{{', '.join(i.numerator.codes)}}}"
               if i.numerator else f"mean of {i.value}")
        rows.append({"indicator": i.id, "label": i.labels[language], "sdg": i.sdg or "", "universe": uni,
                     "numerator": num, "period": i.period, "unit": i.unit, "note": i.note or ""})
    return pd.DataFrame(rows)
