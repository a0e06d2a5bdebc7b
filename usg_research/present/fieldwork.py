"""Qualitative fieldwork as exhibits: threats, vulnerabilities and capacities by sub-area, themes by
stakeholder group, and the partners consulted. Everything counts sessions
(:mod:`usg_research.estimate.qualitative`); no session id or quotation reaches an output.

Examples
--------
>>> import pandas as pd
>>> from usg_research.present.exhibit import OutputContext
>>> t = pd.DataFrame({"area": ["A", "A"], "tvc": ["threat", "capacity"], "theme": ["gangs", "youth_programmes"],
...                   "sessions": [4, 2]})
>>> tvc(t, OutputContext.of("TAB-QUAL-01"), sessions=6).view.iloc[0, 1]
'Gangs (4)'
"""

from __future__ import annotations

import pandas as pd

from . import count_charts
from .exhibit import Exhibit, OutputContext


def tvc(table: pd.DataFrame, out: OutputContext, sessions: int) -> Exhibit:
    """Per sub-area, the threats, vulnerabilities and capacities raised, each with its number of sessions
    (:func:`~usg_research.estimate.qualitative.tvc_by_area`); ``sessions`` in all is stated in the caption."""
    w, minimum = out.words, table.attrs.get("min_sessions")
    rows = []
    for area, g in table.groupby("area", sort=True):
        row = {w.label("domain:area"): area}
        for k in ("threat", "vulnerability", "capacity"):
            sub = g[g["tvc"] == k]
            row[w.label(f"tvc:{k}")] = "; ".join(f"{w.label('theme:' + t)} ({_count(n, minimum)})"
                                                  for t, n in zip(sub["theme"], sub["sessions"], strict=True))
        rows.append(row)
    return Exhibit(table, view=pd.DataFrame(rows), notes=(f"({w.phrase('sessions')}: {sessions}).",
                                                          *_suppressed_note(table, out)))


def _count(n: object, minimum: int | None) -> str:
    """A session count, or ``<minimum`` where it was suppressed."""
    return f"<{minimum}" if pd.isna(n) else str(int(n))  # type: ignore[call-overload]


def _suppressed_note(table: pd.DataFrame, out: OutputContext) -> tuple[str, ...]:
    hidden = table.get("flag", pd.Series(dtype=object)).eq("suppressed").any()
    return (out.words.phrase("sessions_suppressed", k=table.attrs.get("min_sessions")),) if hidden else ()


def themes(table: pd.DataFrame, out: OutputContext, sessions: int) -> Exhibit:
    """A heatmap of the share of each stakeholder group's sessions mentioning each theme
    (:func:`~usg_research.estimate.qualitative.theme_by_group`), themes by their mean share."""
    w = out.words
    mat = table.pivot(index="theme", columns="stakeholder_group", values="share") * 100
    n_group = table.drop_duplicates("stakeholder_group").set_index("stakeholder_group")["group_sessions"]
    mat = mat.loc[mat.mean(axis=1).sort_values(ascending=False, kind="stable").index]
    mat.index = [w.label(f"theme:{t}") for t in mat.index]
    minimum = table.attrs.get("min_sessions")
    mat.columns = [f"{w.label('group:' + g)} (n={_count(n_group[g], minimum)})" for g in mat.columns]
    fig = count_charts.heatmap(mat.round(0), out.title, "", "", w.phrase("share_of_sessions"), fmt=".0f", annotate=True,
                          vmax=100, missing=f"<{minimum}" if minimum else None)
    return Exhibit(table, figure=fig, notes=(f"({w.phrase('sessions')}: {sessions}).", *_suppressed_note(table, out)))


def partners(table: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Sessions held with each partner group of the approach (:func:`~usg_research.estimate.qualitative.partners`)."""
    w = out.words
    view = pd.DataFrame({
        w.label("col:partner"): [w.label(f"partner:{p}") if p != "other" else w.label("place:other")
                                 for p in table["partner_group"]],
        w.label("col:groups"): [", ".join(w.label(f"group:{g}") for g in s.split(", ")) if s else "—"
                                for s in table["stakeholder_groups"]],
        w.label("tool:KII"): table["KII"], w.label("tool:FGD"): table["FGD"],
        w.label("col:sessions"): table["sessions"]})
    return Exhibit(table, view=view)
