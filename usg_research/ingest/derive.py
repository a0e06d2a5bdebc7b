"""Derived variables of a clean respondent table: age groups, any-crime and any-violence flags, indices,
and the yes/no outcomes the reports read. Cleaning adds them (and lists them in the cleaning log); an
adapter of a public survey calls :func:`derive_respondent` on its canonical table.

Examples
--------
>>> df = pd.DataFrame({"age": [19, 40], "safe_night": ["unsafe", "safe"]})
>>> out, derived = derive_respondent(df)
>>> out[["age_group", "unsafe_night"]].values.tolist(), derived
([['18-24', 'yes'], ['35-44', 'no']], ['age_group', 'youth', 'youth35', 'unsafe_night'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import (
    AGE_BANDS,
    COHESION_ASPECTS,
    CRIMES,
    HOUSEHOLD_CRIMES,
    OFFICIALS,
    PERSONAL_CRIMES,
    SCALES,
    TRUST_INSTITUTIONS,
)


def _yes(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    """yes if any column is yes; no if all are no; missing otherwise."""
    sub = df[cols]
    anyyes = sub.eq("yes").any(axis=1)
    allno = sub.eq("no").all(axis=1)
    return pd.Series(np.where(anyyes, "yes", np.where(allno, "no", None)), index=df.index, dtype=object)


def _score(df: pd.DataFrame, cols: list[str], scale: str, min_answered: int) -> pd.Series:
    """Mean item score on 0-100 (first scale code = 100), needing ``min_answered`` items."""
    codes = SCALES[scale]
    k = len(codes) - 1
    pts = {c: 100.0 * (k - i) / k for i, c in enumerate(codes)}
    scores = pd.DataFrame({c: df[c].map(pts).astype(float) for c in cols})
    answered = scores.notna().sum(axis=1)
    return scores.mean(axis=1).where(answered >= min_answered)


#: The derived variables a report can be disaggregated by (beside the respondent table's own).
GROUPINGS = ("age_group", "youth", "youth35")


def derive_respondent(df: pd.DataFrame, copy: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Add derived variables to a cleaned respondent table (codes as strings).

    Derived: ``age_group`` (SDG 16.7.2 bands), ``youth`` (18-24), ``youth35``
    (18-35), ``vict_any_12m`` / ``vict_household_12m`` / ``vict_personal_12m``,
    ``n_crimes_12m`` (capped counts summed), ``viol_any_12m``,
    ``harass_any_12m``, ``contact_any``, ``bribe_any`` (asked or paid, among
    contact holders), ``bribe_paid_any``, ``cohesion_index`` and
    ``trust_index`` (0-100); and the yes/no outcomes of the reports' figures and models:
    ``unsafe_night``, ``reported_any``, ``bribe_<official>``, ``unemployed``. With ``copy=False`` the
    columns are added to ``df`` itself (cleaning does so: a national table is not held twice).
    """
    out = df.copy() if copy else df
    derived: list[str] = []
    if "age" in out:
        out["age_group"] = age_groups(out["age"])
        out["youth"] = np.where(out["age"].isna(), None, np.where(out["age"] <= 24, "yes", "no"))
        out["youth35"] = np.where(out["age"].isna(), None, np.where(out["age"] <= 35, "yes", "no"))
        derived += ["age_group", "youth", "youth35"]
    groups = {"vict_any_12m": CRIMES, "vict_household_12m": HOUSEHOLD_CRIMES, "vict_personal_12m": PERSONAL_CRIMES}
    for name, crimes in groups.items():
        cols = [f"vict_{c}_12m" for c in crimes if f"vict_{c}_12m" in out]
        if cols:
            out[name] = _yes(out, cols)
            derived.append(name)
    if all(f"vict_{c}_12m" in out and f"n_{c}_12m" in out for c in CRIMES):
        total = pd.Series(0.0, index=out.index)
        for c in CRIMES:
            v, n = out[f"vict_{c}_12m"], out[f"n_{c}_12m"]
            part = np.where(v.eq("no"), 0.0, np.where(v.eq("yes"), n.fillna(1.0), np.nan))
            total = total + part
        out["n_crimes_12m"] = total
        derived.append("n_crimes_12m")
    for name, cols in {"viol_any_12m": ["viol_phys_12m", "viol_psy_12m", "viol_sex_12m"],
                       "harass_any_12m": ["harass_phys_12m", "harass_sex_12m"]}.items():
        if all(c in out for c in cols):
            out[name] = _yes(out, cols)
            derived.append(name)
    contact = [f"contact_{o}" for o in OFFICIALS if f"contact_{o}" in out]
    if contact:
        out["contact_any"] = _yes(out, contact)
        asked_or_paid = pd.Series(False, index=out.index)
        paid = pd.Series(False, index=out.index)
        for o in OFFICIALS:
            if f"contact_{o}" not in out:
                continue
            had = out[f"contact_{o}"].eq("yes")
            a = out.get(f"bribe_asked_{o}", pd.Series(None, index=out.index)).eq("yes")
            p = out.get(f"bribe_paid_{o}", pd.Series(None, index=out.index)).eq("yes")
            asked_or_paid |= had & (a | p)
            paid |= had & p
        in_universe = out["contact_any"].eq("yes")
        out["bribe_any"] = np.where(in_universe, np.where(asked_or_paid, "yes", "no"), None)
        out["bribe_paid_any"] = np.where(in_universe, np.where(paid, "yes", "no"), None)
        derived += ["contact_any", "bribe_any", "bribe_paid_any"]
    coh = [f"cohesion_{c}" for c in COHESION_ASPECTS]
    if all(c in out for c in coh):
        out["cohesion_index"] = _score(out, coh, "agree4", min_answered=3)
        derived.append("cohesion_index")
    tr = [f"trust_{i}" for i in TRUST_INSTITUTIONS]
    if all(c in out for c in tr):
        out["trust_index"] = _score(out, tr, "trust4", min_answered=3)
        derived.append("trust_index")
    derived += _outcomes(out)
    return out, derived


def _outcomes(out: pd.DataFrame) -> list[str]:
    """Yes/no outcomes the reports' figures and models read (in place): ``unsafe_night`` (unsafe, very
    unsafe or never alone after dark), ``reported_any`` (to the police or another mechanism),
    ``bribe_<official>`` (asked or paid, among people with contact) and ``unemployed``."""
    derived = []
    if "safe_night" in out:
        s = out["safe_night"]
        out["unsafe_night"] = np.where(s.isna(), None,
                                       np.where(s.isin(["unsafe", "very_unsafe", "never_alone"]), "yes", "no"))
        derived.append("unsafe_night")
    if {"report_police", "report_other"} <= set(out.columns):
        out["reported_any"] = _yes(out, ["report_police", "report_other"])
        derived.append("reported_any")
    for o in OFFICIALS:
        c, a, p = f"contact_{o}", f"bribe_asked_{o}", f"bribe_paid_{o}"
        if {c, a, p} <= set(out.columns):
            had = out[c].eq("yes")
            out[f"bribe_{o}"] = np.where(had, np.where(out[a].eq("yes") | out[p].eq("yes"), "yes", "no"), None)
            derived.append(f"bribe_{o}")
    if "employment" in out:
        e = out["employment"]
        out["unemployed"] = np.where(e.isna(), None, np.where(e.eq("unemployed"), "yes", "no"))
        derived.append("unemployed")
    return derived


def age_groups(age: pd.Series) -> pd.Series:
    """The SDG 16.7.2 age band of each adult age (missing where the age is).

    Examples
    --------
    >>> age_groups(pd.Series([18, 30, 70, None])).tolist()
    ['18-24', '25-34', '65+', nan]
    """
    bins = [lo - 0.5 for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2] + 0.5]
    return pd.cut(age, bins=bins, labels=[b[0] for b in AGE_BANDS]).astype(object)
