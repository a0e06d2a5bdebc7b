"""The indicator catalogue (declared as data in ``indicators.yaml``) and the engine that evaluates it.

:func:`indicator_table` turns a survey design's clean respondent table into one tidy table,
``indicator, domain, level, estimate, se, ci_low, ci_high, cv, deff, n, N, flag``,
for every indicator x every disaggregation, in one vectorised pass of
:meth:`usg_research.estimate.survey.SurveyDesign.estimate`, flagged and suppressed by
:mod:`usg_research.estimate.quality`. :func:`select`, :func:`headline`, :func:`unmeasured` and
:func:`levels` read that table for the report's outputs.

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
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..yamlfile import safe_yaml
from .quality import QualityRules, flag_estimates, suppress
from .survey import SurveyDesign

TIDY_COLUMNS = ["indicator", "domain", "level", "estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "N",
                "flag"]


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
    note: dict[Literal["en", "es", "ru"], str] | None = None
    #: the indicator this one is one minus (same universe, same answers): e.g. the dark figure of REPORT_ANY
    complement_of: str | None = None

    @model_validator(mode="after")
    def _numerator_or_value(self) -> Indicator:
        if (self.numerator is None) == (self.value is None):
            raise ValueError(f"{self.id}: give exactly one of numerator (a condition) or value (a variable)")
        if set(self.labels) != {"en", "es", "ru"} or (self.note is not None and set(self.note) != {"en", "es", "ru"}):
            raise ValueError(f"{self.id}: labels (and a note, where given) in en, es and ru are required")
        return self

    @property
    def scale(self) -> float:
        return 1e5 if self.type == "rate_100k" else 1.0

    def variables(self) -> list[str]:
        out = [] if self.universe == "all" else self.universe.variables
        out += self.numerator.variables if self.numerator else [self.value]  # type: ignore[list-item]
        return out

    def inside(self, df: pd.DataFrame) -> np.ndarray:
        """Per respondent: in the indicator's universe (those asked; a missing universe answer is outside)."""
        if self.universe == "all":
            return np.ones(len(df), dtype=bool)
        return _holds(self.universe, df).to_numpy(dtype=float) == 1.0

    def values(self, df: pd.DataFrame) -> np.ndarray:
        """Per respondent: the indicator's value, NaN outside the universe (or missing)."""
        inside = self.inside(df)
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
    data = safe_yaml(Path(path).read_text(encoding="utf-8"))
    items = tuple(Indicator.model_validate(d) for d in data)
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{path}: indicator ids repeat: {dupes}")
    for i in (i for i in items if i.complement_of):
        other = next((o for o in items if o.id == i.complement_of), None)
        if other is None or other.type != "proportion" or i.type != "proportion" or other.universe != i.universe:
            raise ValueError(f"{path}: {i.id} is complement_of {i.complement_of!r}, which is not a proportion "
                             "of the same universe in the catalogue")
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


def indicator_table(design: SurveyDesign, *, indicators: list[str] | None = None,
                    disaggregations: list[str] | None = None, rules: QualityRules | None = None,
                    level: float = 0.95, catalogue: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """Evaluate the catalogue on a survey design's respondents: one tidy, suppressed table.

    Parameters
    ----------
    design : the survey design of the clean respondent table (its ``data``), declared once by the caller.
    indicators : ids to evaluate (default: every indicator whose variables are in the data).
    disaggregations : restrict the disaggregations (default: each indicator's own).
    rules : quality thresholds.

    Returns
    -------
    DataFrame
        ``indicator, domain, level, estimate, se, ci_low, ci_high, cv, deff, n, N, flag``; proportions
        as fractions, rates per 100,000; suppressed rows carry no numbers.

    Examples
    --------
    >>> from usg_research.ingest.clean import clean_city
    >>> people = clean_city("mathare")["respondent"]
    >>> d = SurveyDesign(people, weight="weight", strata="stratum", psu="psu")
    >>> t = indicator_table(d, indicators=["VICT_ANY_12M"])
    >>> t.loc[t.domain == "total", ["indicator", "level", "flag"]].to_dict("records")
    [{'indicator': 'VICT_ANY_12M', 'level': 'total', 'flag': 'reliable'}]
    """
    cat = catalogue or load_catalogue()
    df = design.data
    chosen = [cat[i] for i in indicators] if indicators else [
        i for i in cat.values() if all(v in df.columns for v in i.variables())]
    Y = pd.DataFrame({i.id: i.values(df) for i in chosen}, index=df.index)
    universe = np.column_stack([i.inside(df) for i in chosen]) if chosen else None
    wanted = {i.id: [d for d in i.disaggregations if disaggregations is None or d in disaggregations]
              for i in chosen}
    by_all = [None] + sorted({d for ds in wanted.values() for d in ds})
    res = design.estimate(Y, by_all, kind="mean", level=level,
                          proportion=[i.type == "proportion" for i in chosen], where=universe)
    keep = [(r.domain == "total") or (r.domain in wanted[r.column]) for r in res.itertuples()]
    res = res[keep].rename(columns={"column": "indicator"})
    res["flag"] = flag_estimates(res, res["indicator"].map({i.id: i.type == "proportion" for i in chosen}),
                                 rules, level)
    scale = res["indicator"].map({i.id: i.scale for i in chosen})
    for col in ("estimate", "se", "ci_low", "ci_high"):
        res[col] = res[col] * scale
    order = {i.id: k for k, i in enumerate(chosen)}
    res = res.assign(_o=res["indicator"].map(order)).sort_values(["_o"], kind="stable").drop(columns="_o")
    return suppress(res[TIDY_COLUMNS].reset_index(drop=True))


def select(table: pd.DataFrame, ids: list[str], domains: list[str] | tuple[str, ...] = ("total",)) -> pd.DataFrame:
    """Rows of an indicator table for ``ids`` (in that order) and ``domains``, ``indicator`` renamed ``item``.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["B", "A", "A"], "domain": ["total", "total", "sex"],
    ...                   "level": ["total", "total", "female"], "estimate": [0.1, 0.2, 0.3]})
    >>> select(t, ["A", "B"])["item"].tolist()
    ['A', 'B']
    """
    t = table[table["indicator"].isin(ids) & table["domain"].isin(list(domains))].rename(columns={"indicator": "item"})
    order = {k: i for i, k in enumerate(ids)}
    return t.assign(_o=t["item"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def headline(table: pd.DataFrame, ids: list[str], language: str,
             catalogue: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """Whole-sample rows of ``ids`` (those the survey could measure) with label, SDG and unit.

    Returns ``indicator, label, sdg, unit, estimate, se, ci_low, ci_high, cv, n, flag``.
    """
    cat = catalogue or load_catalogue()
    ids = [i for i in ids if i in set(table["indicator"])]
    tot = table[(table["domain"] == "total") & table["indicator"].isin(ids)].set_index("indicator").loc[ids]
    tot = tot.reset_index()
    tot.insert(1, "label", [cat[i].labels[language] for i in tot["indicator"]])  # type: ignore[index]
    tot.insert(2, "sdg", [cat[i].sdg or "" for i in tot["indicator"]])
    tot["unit"] = [cat[i].unit for i in tot["indicator"]]
    return tot[["indicator", "label", "sdg", "unit", "estimate", "se", "ci_low", "ci_high", "cv", "n", "flag"]]


def unmeasured(table: pd.DataFrame, ids: list[str], people: pd.DataFrame,
               catalogue: dict[str, Indicator] | None = None) -> list[tuple[str, list[str]]]:
    """The ids of ``ids`` the survey could not measure, each with the questions (columns) it lacks."""
    cat = catalogue or load_catalogue()
    have = set(table["indicator"])
    return [(i, [v for v in cat[i].variables() if v not in people.columns]) for i in ids if i not in have]


def levels(table: pd.DataFrame) -> dict[str, float]:
    """Whole-sample estimates of an indicator table, by id (suppressed ones left out): comparison levels."""
    t = table[(table["domain"] == "total") & table["estimate"].notna()]
    return dict(zip(t["indicator"], t["estimate"].astype(float), strict=True))


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
                     "numerator": num, "period": i.period, "unit": i.unit,
                     "note": i.note[language] if i.note else ""})  # type: ignore[index]
    return pd.DataFrame(rows)
