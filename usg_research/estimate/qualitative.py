"""Qualitative fieldwork as counts: sessions by tool and group, theme salience, and the TVC table.

The qualitative table holds one row per coded mention (session, method,
stakeholder group, sub-area, theme, threat/vulnerability/capacity). Everything
here counts *sessions* (a theme mentioned twice in one session counts once);
no session id, quotation or participant detail leaves this module. With ``min_sessions`` (the params'
``quality.sessions_min``, 3 by default), a count of 1 to ``min_sessions - 1`` sessions is suppressed (its
count and share missing, ``flag`` "suppressed"): a theme raised in one interview points at who said it.

Examples
--------
>>> import pandas as pd
>>> q = pd.DataFrame({"session_id": ["K1", "K1", "K2"], "method": ["KII"] * 3,
...                   "stakeholder_group": ["police", "police", "youth"], "area": ["a", "a", "b"],
...                   "theme": ["gangs", "gbv", "gangs"], "tvc": ["threat"] * 3})
>>> theme_salience(q).to_dict("records")
[{'theme': 'gangs', 'sessions': 2, 'share': 1.0}, {'theme': 'gbv', 'sessions': 1, 'share': 0.5}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The approach's partner groups (REPORT.md, TAB-STK-01) and the stakeholder-group codes each gathers.
PARTNER_GROUPS: dict[str, tuple[str, ...]] = {
    "local_government": ("local_government", "mahalla", "chiefs_elders"),
    "security_sector": ("police",),
    "youth": ("youth",),
    "civil_society": ("civil_society", "women", "business", "people_who_use_drugs"),
    "anti_corruption": ("anti_corruption",),
    "drug_control": ("drug_control",),
    "statistics": ("statistics",),
}


def sessions(qual: pd.DataFrame) -> pd.DataFrame:
    """One row per session: ``session_id, method, stakeholder_group, area``."""
    return qual.drop_duplicates("session_id")[["session_id", "method", "stakeholder_group", "area"]]


def sessions_by(qual: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Number of sessions by one or more session attributes."""
    return sessions(qual).groupby(by).size().rename("sessions").reset_index()


def theme_salience(qual: pd.DataFrame) -> pd.DataFrame:
    """Sessions mentioning each theme and their share of all sessions (most mentioned first)."""
    total = qual["session_id"].nunique()
    out = qual.drop_duplicates(["session_id", "theme"]).groupby("theme").size().rename("sessions").reset_index()
    out["share"] = out["sessions"] / total
    return out.sort_values(["sessions", "theme"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _suppress(counts: pd.Series, min_sessions: int | None) -> pd.Series:
    """True where a session count is 1 to ``min_sessions - 1`` (0 shows nobody)."""
    if min_sessions is None:
        return pd.Series(False, index=counts.index)
    return (counts > 0) & (counts < min_sessions)


def theme_by_group(qual: pd.DataFrame, min_sessions: int | None = None) -> pd.DataFrame:
    """FIG-QUAL-01: share of each group's sessions that mention each theme (tidy).

    Returns ``stakeholder_group, theme, tvc, sessions, group_sessions, share, flag``; every group x theme
    combination is present (0 where not mentioned). With ``min_sessions``, counts below it are suppressed,
    and every share of a group with fewer sessions than that (its shares would give the counts away).

    Examples
    --------
    >>> q = pd.DataFrame({"session_id": ["K1", "K2", "K3", "K4"], "stakeholder_group": ["police"] * 3 + ["youth"],
    ...                   "theme": ["gangs", "gangs", "gangs", "gangs"], "tvc": ["threat"] * 4, "area": ["a"] * 4,
    ...                   "method": ["KII"] * 4})
    >>> theme_by_group(q, min_sessions=3)[["stakeholder_group", "sessions", "share", "flag"]].values.tolist()
    [['police', 3, 1.0, ''], ['youth', <NA>, nan, 'suppressed']]
    """
    per_group = sessions(qual).groupby("stakeholder_group").size().rename("group_sessions")
    hits = qual.drop_duplicates(["session_id", "theme"]).groupby(["stakeholder_group", "theme"]).size()
    full = pd.MultiIndex.from_product([per_group.index, sorted(qual["theme"].unique())],
                                      names=["stakeholder_group", "theme"])
    out = hits.reindex(full, fill_value=0).rename("sessions").reset_index()
    out = out.merge(per_group.reset_index(), on="stakeholder_group")
    out["share"] = out["sessions"] / out["group_sessions"]
    tvc = qual.drop_duplicates("theme").set_index("theme")["tvc"]
    out.insert(2, "tvc", out["theme"].map(tvc))
    hidden = _suppress(out["sessions"], min_sessions) | _suppress(out["group_sessions"], min_sessions)
    out["sessions"] = out["sessions"].astype("Int64").where(~hidden)
    out["group_sessions"] = out["group_sessions"].astype("Int64").where(
        ~_suppress(out["group_sessions"], min_sessions))
    out["share"] = out["share"].where(~hidden)
    out["flag"] = np.where(hidden, "suppressed", "")
    out.attrs["min_sessions"] = min_sessions
    return out


def tvc_by_area(qual: pd.DataFrame, min_sessions: int | None = None) -> pd.DataFrame:
    """TAB-QUAL-01: per sub-area, the threats, vulnerabilities and capacities raised and in how many sessions
    (``area, tvc, theme, sessions, flag``; with ``min_sessions``, counts below it suppressed)."""
    out = (qual.drop_duplicates(["session_id", "theme"]).groupby(["area", "tvc", "theme"]).size()
           .rename("sessions").reset_index())
    hidden = _suppress(out["sessions"], min_sessions)
    out["flag"] = np.where(hidden, "suppressed", "")
    order = {"threat": 0, "vulnerability": 1, "capacity": 2}
    out["_o"] = out["tvc"].map(order)
    out["sessions"] = out["sessions"].astype("Int64").where(out["flag"] == "")
    # suppressed counts last, by theme: their order must not give the hidden counts away
    out = out.sort_values(["area", "_o", "sessions", "theme"], ascending=[True, True, False, True], kind="stable",
                          na_position="last")
    out = out.drop(columns="_o").reset_index(drop=True)
    out.attrs["min_sessions"] = min_sessions
    return out


def partners(qual: pd.DataFrame | None) -> pd.DataFrame:
    """TAB-STK-01: sessions per partner group of the approach (zero where none was consulted).

    Returns ``partner_group, stakeholder_groups, KII, FGD, sessions``; stakeholder groups that fit no
    partner group are listed under ``other``.
    """
    s = sessions(qual) if qual is not None else pd.DataFrame(columns=["session_id", "method", "stakeholder_group"])
    known = {g for gs in PARTNER_GROUPS.values() for g in gs}
    groups = dict(PARTNER_GROUPS)
    other = sorted(set(s["stakeholder_group"]) - known)
    if other:
        groups["other"] = tuple(other)
    rows = []
    for partner, members in groups.items():
        sub = s[s["stakeholder_group"].isin(members)]
        rows.append({"partner_group": partner,
                     "stakeholder_groups": ", ".join(sorted(set(sub["stakeholder_group"]))),
                     "KII": int((sub["method"] == "KII").sum()), "FGD": int((sub["method"] == "FGD").sum()),
                     "sessions": len(sub)})
    return pd.DataFrame(rows)
