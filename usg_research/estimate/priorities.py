"""TAB-PRI-01: priority areas ranked on the evidence of the survey, the qualitative sessions and recorded crime.

Each priority theme names its survey indicators (with the direction that is
worse), its qualitative theme codes and its ICCS code prefixes. A theme scores
one point per source that signals it:

- survey: an indicator's 95% CI lies entirely on the worse side of its
  comparison level (a city or national figure given in params ``comparison``;
  without one the source cannot signal);
- qualitative: mentioned in at least ``QUAL_SHARE`` of all sessions;
- recorded crime: more records in the last year than in the first, with an
  exact conditional test (binomial, p < 0.05).

Themes are ranked by score; ties keep the order of :data:`THEMES`.

Examples
--------
>>> crime_trend(pd.DataFrame({"year": [2018] * 20 + [2020] * 45, "iccs_code": ["0401"] * 65}), ("04",))
('rising', 20, 45)
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy import stats

QUAL_SHARE = 0.40


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


def crime_trend(records: pd.DataFrame | None, prefixes: tuple[str, ...]) -> tuple[str, int, int]:
    """``(rising | not_rising | no_records, first-year count, last-year count)`` for ICCS code prefixes."""
    if records is None or not prefixes:
        return "no_records", 0, 0
    sub = records[records["iccs_code"].str.startswith(prefixes)]
    if sub.empty:
        return "no_records", 0, 0
    years = sorted(records["year"].unique())
    a, b = int((sub["year"] == years[0]).sum()), int((sub["year"] == years[-1]).sum())
    rising = b > a and stats.binomtest(b, a + b, 0.5, alternative="greater").pvalue < 0.05
    return ("rising" if rising else "not_rising"), a, b


def survey_signal(theme: Theme, ind: pd.DataFrame, comparison: dict[str, float]) -> tuple[str, list[str]]:
    """``(worse | not_worse | no_comparison, indicators found worse)`` for one theme."""
    tot = ind[ind["domain"] == "total"].set_index("indicator")
    compared, worse = False, []
    for i in theme.indicators:
        if i not in comparison or i not in tot.index or pd.isna(tot.at[i, "estimate"]):
            continue
        compared = True
        level = comparison[i]
        lo, hi = tot.at[i, "ci_low"], tot.at[i, "ci_high"]
        if (i in theme.better_high and hi < level) or (i not in theme.better_high and lo > level):
            worse.append(i)
    if not compared:
        return "no_comparison", []
    return ("worse" if worse else "not_worse"), worse


def rank_priorities(ind: pd.DataFrame, qual_salience: pd.DataFrame | None, records: pd.DataFrame | None,
                    comparison: dict[str, float]) -> pd.DataFrame:
    """Score and rank every theme (see the module docstring).

    Returns ``rank, theme, score, survey, survey_worse, qual_share, qual, crime, crime_first, crime_last``.
    """
    sal = qual_salience.set_index("theme")["share"] if qual_salience is not None else pd.Series(dtype=float)
    rows = []
    for k, t in enumerate(THEMES):
        survey, worse = survey_signal(t, ind, comparison)
        share = float(max([sal.get(q, 0.0) for q in t.qual_themes], default=0.0)) if len(sal) else float("nan")
        qual = "no_sessions" if qual_salience is None else ("salient" if share >= QUAL_SHARE else "not_salient")
        crime, a, b = crime_trend(records, t.iccs)
        score = int(survey == "worse") + int(qual == "salient") + int(crime == "rising")
        rows.append({"_order": k, "theme": t.key, "score": score, "survey": survey,
                     "survey_worse": ", ".join(worse), "qual_share": share, "qual": qual, "crime": crime,
                     "crime_first": a, "crime_last": b})
    out = pd.DataFrame(rows).sort_values(["score", "_order"], ascending=[False, True], kind="stable")
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.drop(columns="_order").reset_index(drop=True)
