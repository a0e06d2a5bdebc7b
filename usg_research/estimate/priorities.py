"""TAB-PRI-01: priority areas ranked on the evidence of the survey, the qualitative sessions and recorded crime.

Each priority theme names its survey indicators (with the direction that is
worse), its qualitative theme codes and its ICCS code prefixes. A theme scores
one point per source that signals it:

- survey: an indicator differs from its comparison level on the worse side, tested
  with the sampling error of both (p < 0.05, two-sided): against a figure of another
  survey given in params ``comparison`` with its SE (independent samples,
  :func:`differences_from_levels`), or against another domain of the same design
  with their covariance (:func:`domain_differences`); without a comparison the
  source cannot signal;
- qualitative: mentioned in at least ``QUAL_SHARE`` of all sessions;
- recorded crime: more records in the last year than in the first, with an
  exact conditional test (binomial, p < 0.05).

Themes are ranked by score. Themes with the same score are ordered by the strength of the evidence that
does not pass a threshold: the share of sessions that mention them, then the change in recorded
crime (last year over first); themes equal on all three share a rank, and are listed by name. With no
source able to signal anything (no comparison level, no sessions, no records), nothing is ranked: every
``rank`` is missing and the table says so.

Examples
--------
>>> crime_trend(pd.DataFrame({"year": [2018] * 20 + [2020] * 45, "iccs_code": ["0401"] * 65}), ("04",))
('rising', 20, 45)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from .base import DesignBase
from .contrasts import DIFFERENCE_COLUMNS, independent_difference
from .indicators import Indicator

QUAL_SHARE = 0.40
ALPHA = 0.05
Levels = dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Theme:
    key: str
    indicators: tuple[str, ...]
    better_high: tuple[str, ...]  # indicators where a higher value is better
    qual_themes: tuple[str, ...]
    iccs: tuple[str, ...]  # ICCS code prefixes


THEMES: tuple[Theme, ...] = (
    Theme("insecurity", ("SAFE_NIGHT_WALK", "PERC_CRIME_UP"), ("SAFE_NIGHT_WALK",), ("poor_lighting",), ()),
    Theme("property_crime", ("VICT_ROBBERY_12M", "VICT_THEFT_12M", "VICT_BURGLARY_12M"), (), ("theft_robbery",),
          ("04", "05")),
    Theme("violence", ("VIOL_PHYS_12M",), (), ("gangs",), ("01", "02")),
    Theme("vawg", ("VIOL_SEX_12M",), (), ("gbv",), ("03",)),
    Theme("trust", ("TRUST_POLICE", "REPORT_ANY"), ("TRUST_POLICE", "REPORT_ANY"), ("police_distrust",), ()),
    Theme("corruption", ("BRIBE_PREV",), (), (), ("0703",)),
    Theme("drugs", ("DRUG_PROBLEM_SERIOUS", "WITNESS_DRUG_SELLING"), (),
          ("drug_use", "drug_dealing", "illicit_brew"), ("06",)),
    Theme("fraud", ("VICT_FRAUD_12M",), (), ("fraud",), ("0701",)),
    Theme("services", ("SRV_ACCESS_LIGHTING", "SAT_SERV_GOVT"), ("SRV_ACCESS_LIGHTING", "SAT_SERV_GOVT"),
          ("water_sanitation", "overcrowding"), ()),
    Theme("youth", ("YOUTH_GANG_EXPOSURE",), (), ("unemployment", "labour_migration", "youth_programmes"), ()),
    Theme("road_safety", (), (), ("road_safety",), ("0904",)),
)


def crime_trend(records: pd.DataFrame | None, prefixes: tuple[str, ...], months: pd.Series | None = None
                ) -> tuple[str, int, int]:
    """``(rising | not_rising | no_records, first-year count, last-year count)`` for ICCS code prefixes.

    ``months`` (months counted by year) compares a year counted in part by its exposure: the last year's
    expected share of the two years' records is its share of their months (one half when both are whole).

    Examples
    --------
    >>> r = pd.DataFrame({"year": [2013] * 40 + [2015] * 45, "iccs_code": ["0401"] * 85})
    >>> crime_trend(r, ("04",)), crime_trend(r, ("04",), pd.Series({2013: 12, 2015: 9}))
    (('not_rising', 40, 45), ('rising', 40, 45))
    """
    if records is None or not prefixes:
        return "no_records", 0, 0
    sub = records[records["iccs_code"].str.startswith(prefixes)]
    if sub.empty:
        return "no_records", 0, 0
    years = sorted(records["year"].unique())
    a, b = int((sub["year"] == years[0]).sum()), int((sub["year"] == years[-1]).sum())
    share = 0.5 if months is None else months[years[-1]] / (months[years[0]] + months[years[-1]])
    rising = b / share > a / (1 - share) and stats.binomtest(b, a + b, share, alternative="greater").pvalue < 0.05
    return ("rising" if rising else "not_rising"), a, b


def differences_from_levels(ind: pd.DataFrame, levels: Levels) -> pd.DataFrame:
    """The area's whole-sample estimate minus each comparison level (another survey's figure and its SE):
    ``indicator, estimate, se, ci_low, ci_high, df, p`` (independent samples).

    Examples
    --------
    >>> ind = pd.DataFrame({"indicator": ["VIOL_PHYS_12M"], "domain": ["total"], "estimate": [0.12], "se": [0.01]})
    >>> differences_from_levels(ind, {"VIOL_PHYS_12M": (0.09, 0.01)})["p"].round(4).tolist()
    [0.0339]
    """
    tot = ind[(ind["domain"] == "total") & ind["estimate"].notna()].set_index("indicator")
    rows = [independent_difference(float(tot.at[i, "estimate"]), float(tot.at[i, "se"]), lv, se).rename(i)
            for i, (lv, se) in levels.items() if i in tot.index]
    return _differences(rows)


def domain_differences(design: DesignBase, catalogue: Sequence[Indicator], by: str,
                       levels: Sequence[str]) -> pd.DataFrame:
    """Each indicator's ``levels[0] - levels[1]`` of ``by`` in one design (e.g. a municipality against the rest
    of its state), with their design covariance (:meth:`SurveyDesign.difference`); same columns as
    :func:`differences_from_levels`."""
    values = pd.DataFrame({i.id: i.values(design.data) for i in catalogue}, index=design.data.index)
    d = design.with_columns(values)  # type: ignore[attr-defined]
    rows = []
    for i in catalogue:
        try:
            rows.append(d.difference(i.id, by, levels, where=i.inside(design.data)).rename(i.id))
        except ValueError:  # a level without an answer: no comparison for this indicator
            continue
    return _differences(rows)


def _differences(rows: list[pd.Series]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)
    return out.rename_axis("indicator").reset_index()


def survey_signal(theme: Theme, differences: pd.DataFrame) -> tuple[str, list[str]]:
    """``(worse | not_worse | no_comparison, indicators found worse)`` for one theme, from the area's
    differences with its comparison levels (:func:`differences_from_levels`, :func:`domain_differences`).

    Examples
    --------
    >>> ind = pd.DataFrame({"indicator": ["VIOL_PHYS_12M"], "domain": ["total"], "estimate": [0.12], "se": [0.01]})
    >>> survey_signal(THEMES[2], differences_from_levels(ind, {"VIOL_PHYS_12M": (0.09, 0.01)}))
    ('worse', ['VIOL_PHYS_12M'])
    >>> survey_signal(THEMES[2], differences_from_levels(ind, {"VIOL_PHYS_12M": (0.10, 0.01)}))[0]
    'not_worse'
    """
    diff = differences.set_index("indicator")
    compared, worse = False, []
    for i in theme.indicators:
        if i not in diff.index or pd.isna(diff.at[i, "p"]):
            continue
        compared = True
        est = diff.at[i, "estimate"]
        if (est < 0 if i in theme.better_high else est > 0) and diff.at[i, "p"] < ALPHA:
            worse.append(i)
    if not compared:
        return "no_comparison", []
    return ("worse" if worse else "not_worse"), worse


def rank_priorities(differences: pd.DataFrame, qual_salience: pd.DataFrame | None,
                    records: pd.DataFrame | None, months: pd.Series | None = None) -> pd.DataFrame:
    """Score and rank every theme (see the module docstring); ``months``: the months each year of the
    records covers, when a year is counted in part (:func:`crime_trend`).

    Returns ``rank, theme, score, survey, survey_worse, qual_share, qual, crime, crime_first, crime_last``.
    """
    sal = qual_salience.set_index("theme")["share"] if qual_salience is not None else pd.Series(dtype=float)
    rows = []
    for t in THEMES:
        survey, worse = survey_signal(t, differences)
        share = float(max([sal.get(q, 0.0) for q in t.qual_themes], default=0.0)) if len(sal) else float("nan")
        qual = "no_sessions" if qual_salience is None else ("salient" if share >= QUAL_SHARE else "not_salient")
        crime, a, b = crime_trend(records, t.iccs, months)
        score = int(survey == "worse") + int(qual == "salient") + int(crime == "rising")
        change = b / a if a > 0 else (float("inf") if b > 0 else float("nan"))
        rows.append({"theme": t.key, "score": score, "survey": survey, "survey_worse": ", ".join(worse),
                     "qual_share": share, "qual": qual, "crime": crime, "crime_first": a, "crime_last": b,
                     "_qual": -share if share == share else 0.0, "_crime": -change if change == change else 0.0})
    out = pd.DataFrame(rows).sort_values(["score", "_qual", "_crime", "theme"], ascending=[False, True, True, True],
                                         kind="stable")
    keys = list(zip(-out["score"], out["_qual"], out["_crime"], strict=True))
    rank = [1 + next(i for i, k in enumerate(keys) if k == key) for key in keys]  # equal evidence, equal rank
    nothing = (out["survey"] == "no_comparison").all() and (out["qual"] == "no_sessions").all() and \
        (out["crime"] == "no_records").all()
    out.insert(0, "rank", pd.array([pd.NA] * len(out) if nothing else rank, dtype="Int64"))
    return out.drop(columns=["_qual", "_crime"]).reset_index(drop=True)
