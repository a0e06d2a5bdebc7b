"""What every output id of a report shows: the chapter list and one builder per id.

:data:`CHAPTERS` is REPORT.md's chapter list (key, params module switch, output
ids). :func:`build_output` runs the builder of one id on an
:class:`~usg_research.present.assessment.Assessment` and returns an :class:`Output`
(tidy data for the CSV, the figure or a reading view, and a caption naming the
source, the universe and the unweighted n), or raises :class:`NotAvailable`
with the reason (module switched off, table not supplied, questions not asked)
that the report prints in one line.

Examples
--------
>>> [c.key for c in CHAPTERS][:3]
['summary', 'methodology', 'context']
>>> len(OUTPUT_IDS), OUTPUT_IDS[0]
(50, 'TAB-SUM-01')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..estimate import context, qualitative
from ..estimate.crime import ICCS_SECTIONS, read_iccs_map
from ..estimate.indicators import definitions_table
from ..estimate.priorities import rank_priorities
from ..estimate.shares import indicator_shares, item_shares, scale_shares
from ..estimate.stats import cronbach_alpha, logistic_model, rao_scott_tests
from ..ingest.schema import (
    CORRUPT_INSTITUTIONS,
    FEAR_BEHAVIOURS,
    OFFICIALS,
    PARTICIPATION,
    SCALES,
    SERVICES,
    SUBSTANCES,
    TOP_CRIMES,
    TRUST_INSTITUTIONS,
    UNSAFE_PLACES,
    VAWG_FORMS,
    WITNESSED,
    YOUTH_ITEMS,
)
from ..outline import CHAPTERS, OUTPUT_IDS
from ..paths import codebook_path, iccs_map_path
from . import figures
from .tables import annex_view, cleaning_summary, fmt_estimate, headline, headline_view, missing_headline

if TYPE_CHECKING:
    from .assessment import Assessment


#: Answer scales whose first answer is the unfavourable one (coloured red, not blue).
NEGATIVE_FIRST = frozenset({"trend5", "trend3", "serious4", "say5"})


@dataclass
class Output:
    """A built output: tidy data (the CSV), and a figure or a reading view, with its caption."""

    data: pd.DataFrame
    caption: str
    figure: Any = None
    view: pd.DataFrame | None = None


class NotAvailable(Exception):
    """The output cannot be built for this city; ``reason`` is printed in the report."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Builder = Callable[["Assessment"], Output]
_BUILDERS: dict[str, Builder] = {}


def builds(*ids: str) -> Callable[[Builder], Builder]:
    def register(f: Builder) -> Builder:
        for i in ids:
            _BUILDERS[i] = f
        return f
    return register


def build_output(a: Assessment, output_id: str) -> Output:
    """Build one output (raises :class:`NotAvailable` with the reason when it cannot be built)."""
    chapter = next((c for c in CHAPTERS if output_id in c.outputs), None)
    if chapter is None:
        raise KeyError(f"{output_id!r} is not an output id of REPORT.md; known: {OUTPUT_IDS}")
    if not a.module_on(chapter.module):
        raise NotAvailable(a.words.phrase("module_off", module=a.words.label(f"module:{chapter.module}")))
    from .victim_survey import SOURCE_BUILDERS

    builder = SOURCE_BUILDERS.get(output_id) if a.source is not None else None
    out = (builder or _BUILDERS[output_id])(a)
    out.data = out.data.reset_index(drop=True)
    return out


# --- shared helpers ---------------------------------------------------------------------------------

def _need_table(a: Assessment, name: str) -> pd.DataFrame:
    t = a.table(name)
    if t is None or t.empty:
        raise NotAvailable(a.words.phrase("no_table", table=a.words.label(f"table:{name}")))
    return t


def _need_vars(a: Assessment, variables: list[str]) -> list[str]:
    """The variables the survey asked (at least one answer); NotAvailable when none of them were."""
    have = [v for v in variables if v in a.respondents and a.respondents[v].notna().any()]
    if not have:
        raise NotAvailable(a.words.phrase("no_variables", vars=", ".join(variables[:4])))
    return have


def _supplied(a: Assessment) -> list[str]:
    """The tables besides the survey that this city supplied: ``police``, ``census``, ``qual``."""
    names = {"police": "incident", "census": "population", "qual": "qualitative"}
    return [k for k, t in names.items() if a.table(t) is not None and not a.table(t).empty]


def _joined(a: Assessment, items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {a.words.phrase('and')} {items[-1]}"


def sources(a: Assessment) -> str:
    """'Sources: household survey, recorded offences, ...': the sources this city supplied."""
    w = a.words
    if a.source is not None:
        return w.phrase("src_envipe")
    items = ["survey"] + [k for k in _supplied(a) if k != "census"]
    return f"{w.phrase('sources')}: {', '.join(w.phrase('src_' + k) for k in items)}"


def chapter_intro(a: Assessment, key: str) -> str:
    """A chapter's introduction; the methodology's first sentence names this city's design and sources."""
    w = a.words
    if key == "victimisation" and a.source is not None:
        return f"{w.intro(key)} {w.phrase('envipe_period')}"
    if key != "methodology":
        return w.intro(key)
    if a.source is not None:
        s = a.source
        return w.phrase("method_envipe", area=s.names[s.area], n=f"{a.n:,}", entity=s.names[s.entity]) + \
            f" {w.intro(key)}"
    design = "method_stratified" if "stratum" in a.respondents else "method_clustered"
    first = _joined(a, [w.phrase(design)] + [w.phrase("method_" + k) for k in _supplied(a)])
    return f"{first}. {w.intro(key)}"


def _need_all(a: Assessment, variables: list[str]) -> None:
    """NotAvailable naming the variables the survey did not ask, when any of them is missing."""
    lacking = [v for v in variables if v not in a.respondents or a.respondents[v].isna().all()]
    if lacking:
        raise NotAvailable(a.words.phrase("no_variables", vars=", ".join(lacking)))


def _caption(a: Assessment, output_id: str, source: str, universe: str | None = None, n: int | None = None,
             note: str = "") -> str:
    w = a.words
    said = sources(a) if source == "all" or (source == "survey" and a.source is not None) else \
        w.phrase(f"source_{source}")
    parts = [w.title(output_id) + ".", said + ";"]
    if universe:
        parts.append(f"{w.phrase('universe')}: {universe};")
    if n is not None:
        parts.append(f"{w.phrase('unweighted_n')} = {n:,}.")
    text = " ".join(parts).rstrip(";") + ("" if parts[-1].endswith(".") else ".")
    return text + (f" {note}" if note else "")


def _universe_n(t: pd.DataFrame) -> int:
    """Unweighted n of the whole-sample rows of a shares table (largest item universe)."""
    tot = t[t["domain"] == "total"]
    return int(tot["n"].max()) if len(tot) else 0


def _label_rows(a: Assessment, t: pd.DataFrame, item_label: Callable[[str], str] | None = None) -> pd.DataFrame:
    """Add reader labels: ``panel`` (the disaggregation), ``group`` (its level) and ``label`` (the item)."""
    w = a.words
    rank = {d: i for i, d in enumerate(("total", "sex", "age_group", "area"))}
    out = t.assign(_d=t["domain"].map(lambda d: rank.get(d, 9))).sort_values("_d", kind="stable").drop(columns="_d")
    out["panel"] = [w.label(f"domain:{d}") for d in out["domain"]]
    out["group"] = [w.level(d, lv) for d, lv in zip(out["domain"], out["level"], strict=True)]
    if item_label is not None:
        out["label"] = [item_label(i) for i in out["item"]]
    return out


def _sorted_items(t: pd.DataFrame) -> pd.DataFrame:
    """Items ordered by their whole-sample estimate (largest first; suppressed last)."""
    tot = t[t["domain"] == "total"].set_index("item")["estimate"].fillna(-1)
    order = {k: i for i, k in enumerate(tot.sort_values(ascending=False, kind="stable").index)}
    return t.assign(_o=t["item"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def _intervals_figure(a: Assessment, t: pd.DataFrame, output_id: str, row: str, panel: str | None = None,
                      hue: str | None = None, xlabel: str | None = None):
    return figures.grouped_intervals(t, a.words.title(output_id), row=row, panel=panel, hue=hue,
                                     xlabel=xlabel or a.words.phrase("yes_share"),
                                     suppressed_word=a.words.label("word:suppressed"),
                                     caution_word=a.words.label("word:caution"))


def _stacked_figure(a: Assessment, t: pd.DataFrame, output_id: str, scale: str, row: str,
                    panel: str | None = None):
    codes = SCALES[scale]
    return figures.stacked_scale(t, a.words.title(output_id), row=row, codes=codes,
                                 code_labels=[a.words.code(scale, c) for c in codes], panel=panel,
                                 suppressed_word=a.words.label("word:suppressed"),
                                 xlabel=a.words.phrase("share_answer"), negative_first=scale in NEGATIVE_FIRST)


def _tidy(t: pd.DataFrame, *extra: str) -> pd.DataFrame:
    cols = [*extra, "item", "domain", "level", "estimate", "se", "ci_low", "ci_high", "cv", "n", "flag"]
    return t[[c for c in dict.fromkeys(cols) if c in t.columns]]


def _indicator_rows(a: Assessment, ids: list[str], domains: tuple[str, ...] = ("total",)) -> pd.DataFrame:
    ind = a.indicators
    t = ind[ind["indicator"].isin(ids) & ind["domain"].isin(domains)].rename(columns={"indicator": "item"})
    if t.empty:
        raise NotAvailable(a.words.phrase("no_variables", vars=", ".join(ids)))
    order = {k: i for i, k in enumerate(ids)}
    return t.assign(_o=t["item"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def _ind_label(a: Assessment) -> Callable[[str], str]:
    return lambda i: a.catalogue[i].labels[a.params.language]


def _records(a: Assessment) -> pd.DataFrame:
    """The city's offence records with ICCS section and time parts, prepared once per report."""
    if a.records is None:
        inc = _need_table(a, "incident")
        path = iccs_map_path(codebook_path(a.params.city))
        mapping = read_iccs_map(path) if path.exists() else pd.DataFrame({"offence": [], "iccs_code": []})
        a.records = context.offences(inc, mapping)
    return a.records


def _population_total(a: Assessment) -> float:
    return float(_need_table(a, "population")["population"].sum())


# --- executive summary and methodology --------------------------------------------------------------

def _headline_note(a: Assessment) -> str:
    """The CI note, and which headline indicators the survey cannot support (and why)."""
    w = a.words
    note = w.phrase("ci_note") + "."
    lacking = missing_headline(a.indicators, a.params.headline, a.catalogue, a.respondents.columns)
    if lacking:
        reasons = "; ".join(f"{a.catalogue[i].labels[a.params.language]} "
                            f"({w.phrase('no_variables', vars=', '.join(v))})" for i, v in lacking)
        note += " " + w.phrase("not_available", reason=reasons) + "."
    return note


@builds("TAB-SUM-01")
def _summary_table(a: Assessment) -> Output:
    w = a.words
    head = headline(a.indicators, a.params.headline, a.catalogue, a.params.language)
    return Output(head, _caption(a, "TAB-SUM-01", "survey", w.phrase("all_adults"), a.n, _headline_note(a)),
                  view=headline_view(head, a.catalogue, w))


@builds("FIG-SUM-01")
def _summary_figure(a: Assessment) -> Output:
    w = a.words
    head = headline(a.indicators, a.params.headline, a.catalogue, a.params.language)
    fig = figures.dot_interval(head, title=w.title("FIG-SUM-01"), suppressed_word=w.label("word:suppressed"))
    return Output(head, _caption(a, "FIG-SUM-01", "survey", w.phrase("all_adults"), a.n, _headline_note(a)),
                  figure=fig)


@builds("TAB-MET-01")
def _tools(a: Assessment) -> Output:
    w = a.words
    log = a.data.logs["respondent"]
    rows = [{"tool": "survey", "detail": "", "value": float(log.rows_kept)}]
    rr = a.data.codebook.survey.response_rate
    rows.append({"tool": "response_rate", "detail": "", "value": np.nan if rr is None else rr})
    inc = a.table("incident")
    if inc is not None:
        rows.append({"tool": "incident", "detail": "", "value": float(len(inc))})
    if a.source is not None:
        rows.append({"tool": "crime_module", "detail": "", "value": float(a.data.logs["crime"].rows_kept)})
    qual = a.table("qualitative")
    if qual is not None:
        for r in qualitative.sessions_by(qual, ["method", "stakeholder_group"]).itertuples():
            rows.append({"tool": r.method, "detail": r.stakeholder_group, "value": float(r.sessions)})
    data = pd.DataFrame(rows)
    view = pd.DataFrame({
        w.label("col:tool"): [w.label(f"tool:{t}") for t in data["tool"]],
        w.label("col:detail"): [w.label(f"group:{d}") if d else "" for d in data["detail"]],
        w.label("col:volume"): [w.label("word:not_recorded") if pd.isna(v) else
                                (f"{100 * v:.1f}%" if t == "response_rate" else f"{v:,.0f}")
                                for t, v in zip(data["tool"], data["value"], strict=True)]})
    return Output(data, _caption(a, "TAB-MET-01", "all"), view=view)


@builds("TAB-MET-02")
def _sample_profile(a: Assessment) -> Output:
    w = a.words
    dims = [d for d in ("sex", "age_group", "area") if d in a.respondents]
    data = context.sample_profile(a.respondents, a.table("population"), dims)
    pct = lambda s: ["" if pd.isna(v) else f"{100 * v:.1f}" for v in s]  # noqa: E731
    view = pd.DataFrame({
        w.label("col:group"): [f"{w.label('domain:' + d)}: {w.level(d, lv)}" for d, lv in
                               zip(data["dimension"], data["level"], strict=True)],
        "n": data["n"], w.label("col:unweighted"): pct(data["unweighted"]),
        w.label("col:weighted"): pct(data["weighted"]), w.label("col:census"): pct(data["census"])})
    note = w.phrase("met02_note") if a.table("population") is not None else ""
    return Output(data, _caption(a, "TAB-MET-02", "survey", w.phrase("all_adults"), a.n, note), view=view)


@builds("TAB-MET-03")
def _cleaning(a: Assessment) -> Output:
    return Output(cleaning_summary(a.data), a.words.title("TAB-MET-03") + ". " + a.words.phrase("met03_note"))


# --- context ----------------------------------------------------------------------------------------

@builds("TAB-CTX-01")
def _population(a: Assessment) -> Output:
    w = a.words
    pop = _need_table(a, "population")
    by_age = context.population_table(pop).rename(columns={"age_group": "group"}).assign(dimension="age_group")
    by_area = pop.pivot_table(index="area", columns="sex", values="population", aggfunc="sum", fill_value=0)
    by_area = by_area.reindex(columns=["male", "female"], fill_value=0).astype(int)
    by_area["total"] = by_area["male"] + by_area["female"]
    by_area = by_area.reset_index().rename(columns={"area": "group"}).assign(dimension="area")
    data = pd.concat([by_age, by_area], ignore_index=True)[["dimension", "group", "male", "female", "total"]]
    view = pd.DataFrame({w.label("col:group"): [f"{w.label('domain:' + d)}: {g}" for d, g in
                                                 zip(data["dimension"], data["group"], strict=True)],
                         w.label("col:male"): data["male"].map("{:,}".format),
                         w.label("col:female"): data["female"].map("{:,}".format),
                         w.label("col:total"): data["total"].map("{:,}".format)})
    return Output(data, _caption(a, "TAB-CTX-01", "census", w.phrase("residents")), view=view)


@builds("FIG-CTX-01")
def _pyramid(a: Assessment) -> Output:
    w = a.words
    data = context.population_table(_need_table(a, "population"))
    male, female = w.phrase("male_female").split(",")
    fig = figures.pyramid(data, w.title("FIG-CTX-01"), male, female, w.phrase("residents"))
    return Output(data, _caption(a, "FIG-CTX-01", "census", w.phrase("residents")), figure=fig)


@builds("TAB-CTX-02")
def _socioeconomic(a: Assessment) -> Output:
    w = a.words
    variables = {"education": SCALES["education"], "employment": SCALES["employment"], "disability": ("yes",)}
    _need_vars(a, list(variables))
    data = context.socioeconomic_profile(a.design, variables, a.rules)
    def name(v: str, c: str) -> str:
        return w.code(v, c) if v != "disability" else w.label("word:yes")
    view = pd.DataFrame({
        w.label("col:group"): [f"{w.label('var:' + v)}: {name(v, c)}" for v, c in
                               zip(data["variable"], data["code"], strict=True)],
        w.label("col:estimate"): [fmt_estimate(r.estimate, r.ci_low, r.ci_high, "percent", 1, r.flag,
                                               w.label("word:suppressed")) for r in data.itertuples()],
        "n": data["n"], w.label("col:quality"): [w.label(f"flag:{f}") for f in data["flag"]]})
    return Output(data, _caption(a, "TAB-CTX-02", "survey", w.phrase("all_adults"), a.n,
                                 w.phrase("ci_note") + "."), view=view)


@builds("FIG-CTX-02")
def _offence_rates(a: Assessment) -> Output:
    w = a.words
    rec = _records(a)
    data = context.rates_by_section(rec, _population_total(a))
    lab = {s: f"{s} {ICCS_SECTIONS[s][a.params.language]}" if s != "unmapped" else ICCS_SECTIONS[s][a.params.language]
           for s in data["iccs_section"].unique()}
    plot = data.assign(series=data["iccs_section"].map(lab))
    fig = figures.rate_lines(plot, w.title("FIG-CTX-02"), "year", "series", w.phrase("year"), w.phrase("rate_100k"))
    return Output(data, _caption(a, "FIG-CTX-02", "police", w.phrase("offences"), None,
                                 f"{w.phrase('ci_counts')}; {len(rec):,} {w.phrase('offences')}."), figure=fig)


@builds("FIG-CTX-03")
def _homicide(a: Assessment) -> Output:
    w = a.words
    rec = _records(a)
    data = context.homicide_comparison(rec, _population_total(a), a.params.country)
    names = {"area": w.phrase("area_word"), "country": w.phrase("country_word")}
    plot = data.assign(series=[f"{names[lv]}{': ' + n if n else ''}" for lv, n in
                               zip(data["level"], data["name"], strict=True)])
    fig = figures.rate_lines(plot, w.title("FIG-CTX-03"), "year", "series", w.phrase("year"), w.phrase("rate_100k"))
    note = f"{w.phrase('ci_counts')}. {w.phrase('synthetic_facts')}; {w.phrase('city_word')}: " \
           f"{w.phrase('no_city_homicide')}."
    return Output(data, _caption(a, "FIG-CTX-03", "police", w.phrase("residents"), None, note), figure=fig)


@builds("FIG-CTX-04")
def _hour_weekday(a: Assessment) -> Output:
    from ..estimate.crime import hour_weekday

    w = a.words
    rec = _records(a)
    mat = hour_weekday(rec)
    mat.index = w.phrase("weekdays").split(",")
    data = mat.rename_axis("weekday").reset_index().melt(id_vars="weekday", var_name="hour", value_name="count")
    fig = figures.heatmap(mat, w.title("FIG-CTX-04"), w.phrase("hour"), w.phrase("weekday"), w.phrase("offences"))
    return Output(data, _caption(a, "FIG-CTX-04", "police", w.phrase("offences"), None,
                                 f"{len(rec):,} {w.phrase('offences')}."), figure=fig)


@builds("FIG-CTX-05")
def _area_rates(a: Assessment) -> Output:
    w = a.words
    rec = _records(a)
    data = context.rates_by_area(rec, _need_table(a, "population"))
    pts = rec[["lat", "lon"]].dropna() if {"lat", "lon"} <= set(rec.columns) else None
    pts = pts if pts is not None and len(pts) else None
    fig = figures.rate_bars(data, w.title("FIG-CTX-05"), "area", f"{w.phrase('offences')} {w.phrase('per_100k')}",
                            points=pts, hexbin_title=w.phrase("offences") if pts is not None else None)
    note = f"{w.phrase('ci_counts')}; {w.phrase('rate_100k')}, {w.phrase('per_year')}."
    if pts is not None:
        note += " " + w.phrase("map_note", k=figures.HEX_MIN)
    return Output(data, _caption(a, "FIG-CTX-05", "police", w.phrase("offences"), None, note), figure=fig)


# --- perceptions of safety ---------------------------------------------------------------------------

@builds("FIG-SAF-01")
def _safe_night(a: Assessment) -> Output:
    _need_vars(a, ["safe_night"])
    by = [d for d in ("sex", "age_group") if d in a.respondents]
    t = pd.concat([scale_shares(a.design, "safe_night", SCALES["safety"], by=d, rules=a.rules) for d in by])
    t = _label_rows(a, t.drop_duplicates(["item", "domain", "level"]))
    fig = _stacked_figure(a, t, "FIG-SAF-01", "safety", row="group", panel="panel")
    return Output(_tidy(t), _caption(a, "FIG-SAF-01", "survey", a.words.phrase("all_adults"), _universe_n(t),
                                     "SDG 16.1.4."), figure=fig)


@builds("FIG-SAF-02")
def _day_night(a: Assessment) -> Output:
    have = _need_vars(a, ["safe_day", "safe_night"])
    t = pd.concat([scale_shares(a.design, v, SCALES["safety"], rules=a.rules).assign(variable=v) for v in have])
    t = _label_rows(a, t).assign(row=lambda d: [a.words.label(v) for v in d["variable"]])
    fig = _stacked_figure(a, t, "FIG-SAF-02", "safety", row="row")
    return Output(_tidy(t, "variable"), _caption(a, "FIG-SAF-02", "survey", a.words.phrase("all_adults"),
                                                 _universe_n(t)), figure=fig)


def _battery(a: Assessment, output_id: str, prefix: str, items: tuple[str, ...], by: str | None = None,
             sort: bool = True, values: tuple[str, ...] = ("yes",), universe: str | None = None) -> Output:
    have = _need_vars(a, [f"{prefix}{i}" for i in items])
    by = by if by in a.respondents else None
    t = item_shares(a.design, have, by=by, rules=a.rules, values=values)
    t = _sorted_items(t) if sort else t
    t = _label_rows(a, t, a.words.label)
    hue = "group" if by else None
    fig = _intervals_figure(a, t, output_id, row="label", hue=hue)
    return Output(_tidy(t), _caption(a, output_id, "survey", universe or a.words.phrase("all_adults"),
                                     _universe_n(t), a.words.phrase("ci_note") + "."), figure=fig)


@builds("FIG-SAF-03")
def _unsafe_places(a: Assessment) -> Output:
    return _battery(a, "FIG-SAF-03", "unsafe_place_", UNSAFE_PLACES, by="sex")


@builds("FIG-SAF-04")
def _top_crimes(a: Assessment) -> Output:
    return _battery(a, "FIG-SAF-04", "top_crime_", TOP_CRIMES)


@builds("FIG-SAF-05")
def _crime_trend(a: Assessment) -> Output:
    _need_vars(a, ["crime_trend"])
    t = scale_shares(a.design, "crime_trend", SCALES["trend5"], by="area" if "area" in a.respondents else None,
                     rules=a.rules)
    t = _label_rows(a, t)
    fig = _stacked_figure(a, t, "FIG-SAF-05", "trend5", row="group", panel="panel")
    return Output(_tidy(t), _caption(a, "FIG-SAF-05", "survey", a.words.phrase("all_adults"), _universe_n(t)),
                  figure=fig)


@builds("FIG-SAF-06")
def _fear(a: Assessment) -> Output:
    return _battery(a, "FIG-SAF-06", "fear_behav_", FEAR_BEHAVIOURS, by="sex")


# --- victimisation ----------------------------------------------------------------------------------

_VICT_IDS = ["VICT_ANY_12M", "VICT_HH_12M", "VICT_PERS_12M", "VICT_BURGLARY_12M", "VICT_VEHICLE_THEFT_12M",
             "VICT_ROBBERY_12M", "VICT_THEFT_12M", "VICT_ASSAULT_12M", "VICT_THREAT_12M", "VICT_SEXUAL_12M",
             "VICT_FRAUD_12M", "VICT_EXTORTION_12M"]


def _indicator_view(a: Assessment, t: pd.DataFrame) -> pd.DataFrame:
    w = a.words
    return pd.DataFrame({
        w.label("col:indicator"): [a.catalogue[i].labels[a.params.language] for i in t["item"]],
        w.label("col:group"): [w.level(d, lv) for d, lv in zip(t["domain"], t["level"], strict=True)],
        w.label("col:estimate"): [fmt_estimate(r.estimate, r.ci_low, r.ci_high, a.catalogue[r.item].unit,
                                               a.catalogue[r.item].decimals, r.flag, w.label("word:suppressed"))
                                  for r in t.itertuples()],
        "unit": ["%" if a.catalogue[i].unit == "percent" else a.catalogue[i].unit for i in t["item"]],
        "n": t["n"], w.label("col:quality"): [w.label(f"flag:{f}") for f in t["flag"]]})


@builds("TAB-VIC-01")
def _vict_table(a: Assessment) -> Output:
    t = _indicator_rows(a, _VICT_IDS)
    return Output(_tidy(t), _caption(a, "TAB-VIC-01", "survey", a.words.phrase("all_adults"), a.n,
                                     a.words.phrase("ci_note") + "."), view=_indicator_view(a, t))


@builds("FIG-VIC-01")
def _vict_groups(a: Assessment) -> Output:
    t = _label_rows(a, _indicator_rows(a, ["VICT_ANY_12M"], ("total", "sex", "age_group", "area")))
    fig = _intervals_figure(a, t, "FIG-VIC-01", row="group", panel="panel")
    return Output(_tidy(t), _caption(a, "FIG-VIC-01", "survey", a.words.phrase("all_adults"), a.n,
                                     a.words.phrase("ci_note") + "."), figure=fig)


@builds("FIG-VIC-02")
def _violence(a: Assessment) -> Output:
    t = _indicator_rows(a, ["VIOL_PHYS_12M", "VIOL_PSY_12M", "VIOL_SEX_12M"], ("total", "sex"))
    t = _label_rows(a, t, _ind_label(a))
    fig = _intervals_figure(a, t, "FIG-VIC-02", row="label", hue="group")
    return Output(_tidy(t), _caption(a, "FIG-VIC-02", "survey", a.words.phrase("all_adults"), a.n,
                                     "SDG 16.1.3. " + a.words.phrase("ci_note") + "."), figure=fig)


def _scale_dots(a: Assessment, output_id: str, var: str, scale: str, universe_key: str,
                by: str | None = None) -> Output:
    _need_vars(a, [var])
    t = _sorted_items(scale_shares(a.design, var, SCALES[scale], by=by, rules=a.rules))
    t = _label_rows(a, t, lambda c: a.words.code(scale, c))
    fig = _intervals_figure(a, t, output_id, row="label", hue="group" if by else None,
                            xlabel=a.words.phrase("share_answer") + " (95% CI)")
    return Output(_tidy(t), _caption(a, output_id, "survey", a.words.phrase(universe_key), _universe_n(t),
                                     a.words.phrase("ci_note") + "."), figure=fig)


@builds("FIG-VIC-03")
def _harass_place(a: Assessment) -> Output:
    out = _scale_dots(a, "FIG-VIC-03", "harass_place", "place", "harassed")
    out.caption += " SDG 11.7.2."
    return out


@builds("FIG-VIC-04")
def _last_incident(a: Assessment) -> Output:
    w = a.words
    _need_vars(a, ["last_place", "last_time"])
    parts = []
    for var, scale, key in (("last_place", "place", "col:place"), ("last_time", "timeofday", "col:time")):
        t = scale_shares(a.design, var, SCALES[scale], rules=a.rules)
        parts.append(_label_rows(a, t, lambda c, s=scale: w.code(s, c)).assign(variable=var, part=w.label(key)))
    t = pd.concat(parts, ignore_index=True)
    fig = _intervals_figure(a, t, "FIG-VIC-04", row="label", panel="part",
                            xlabel=w.phrase("share_answer") + " (95% CI)")
    return Output(_tidy(t, "variable"), _caption(a, "FIG-VIC-04", "survey", w.phrase("victims_any"),
                                                 _universe_n(t), w.phrase("ci_note") + "."), figure=fig)


@builds("TAB-VIC-02")
def _prevalence_incidence(a: Assessment) -> Output:
    t = _indicator_rows(a, ["VICT_PREV_RATE_100K", "VICT_INC_RATE_100K", "VICT_ANY_12M", "VICT_HH_12M"],
                        ("total", "sex"))
    return Output(_tidy(t), _caption(a, "TAB-VIC-02", "survey", a.words.phrase("all_adults"), a.n,
                                     a.words.phrase("ci_note") + "."), view=_indicator_view(a, t))


# --- reporting --------------------------------------------------------------------------------------

def _by_crime(a: Assessment, output_id: str, var: str, values: tuple[str, ...], universe_key: str) -> Output:
    _need_all(a, [var, "last_crime"])
    t = item_shares(a.design, [var], by="last_crime", rules=a.rules, values=values)
    w = a.words
    t = t.assign(label=[w.label("level:total") if d == "total" else w.code("crime", lv)
                        for d, lv in zip(t["domain"], t["level"], strict=True)])
    fig = _intervals_figure(a, t, output_id, row="label", xlabel=w.phrase("yes_share"))
    return Output(_tidy(t), _caption(a, output_id, "survey", w.phrase(universe_key), _universe_n(t),
                                     w.phrase("ci_note") + "."), figure=fig)


@builds("FIG-REP-01")
def _reporting(a: Assessment) -> Output:
    out = _by_crime(a, "FIG-REP-01", "report_police", ("yes",), "victims_any")
    out.caption += " SDG 16.3.1."
    return out


@builds("FIG-REP-02")
def _unreported(a: Assessment) -> Output:
    return _by_crime(a, "FIG-REP-02", "reported_any", ("no",), "victims_any")


@builds("FIG-REP-03")
def _reasons(a: Assessment) -> Output:
    return _scale_dots(a, "FIG-REP-03", "noreport_reason", "noreport_reason", "victims_unreported")


@builds("FIG-REP-04")
def _channels(a: Assessment) -> Output:
    return _scale_dots(a, "FIG-REP-04", "report_channel", "report_channel", "victims_reported")


# --- trust, corruption ------------------------------------------------------------------------------

def _stacked_items(a: Assessment, output_id: str, variables: list[str], scale: str, universe: str) -> Output:
    have = _need_vars(a, variables)
    t = pd.concat([scale_shares(a.design, v, SCALES[scale], rules=a.rules).assign(variable=v) for v in have])
    t = _label_rows(a, t).assign(row=lambda d: [a.words.label(v) for v in d["variable"]])
    fig = _stacked_figure(a, t, output_id, scale, row="row")
    return Output(_tidy(t, "variable"), _caption(a, output_id, "survey", universe, _universe_n(t)), figure=fig)


@builds("FIG-TRU-01")
def _trust(a: Assessment) -> Output:
    return _stacked_items(a, "FIG-TRU-01", [f"trust_{i}" for i in TRUST_INSTITUTIONS], "trust4",
                          a.words.phrase("all_adults"))


@builds("FIG-TRU-02")
def _police_satisfaction(a: Assessment) -> Output:
    w = a.words
    have = _need_vars(a, ["sat_police_perf", "sat_report_handling"])
    values = {"sat_police_perf": ("very_good", "good"), "sat_report_handling": ("very_satisfied", "satisfied")}
    by = "sex" if "sex" in a.respondents else None
    t = pd.concat([item_shares(a.design, [v], by=by, rules=a.rules, values=values[v]) for v in have])
    t = _label_rows(a, t, w.label)
    fig = _intervals_figure(a, t, "FIG-TRU-02", row="label", hue="group" if by else None)
    note = w.phrase("tru02_note") + " " + w.phrase("ci_note") + "."
    return Output(_tidy(t), _caption(a, "FIG-TRU-02", "survey", w.phrase("all_adults"), _universe_n(t), note),
                  figure=fig)


@builds("FIG-COR-01")
def _bribery(a: Assessment) -> Output:
    w = a.words
    have = _need_vars(a, [f"bribe_{o}" for o in OFFICIALS])
    t = _label_rows(a, _sorted_items(item_shares(a.design, have, rules=a.rules)), w.label)
    fig = _intervals_figure(a, t, "FIG-COR-01", row="label")
    prev = a.indicators[(a.indicators["indicator"] == "BRIBE_PREV") & (a.indicators["domain"] == "total")]
    note = "SDG 16.5.1. " + w.phrase("ci_note") + "."
    if len(prev):
        r = prev.iloc[0]
        note += f" {a.catalogue['BRIBE_PREV'].labels[a.params.language]}: " + fmt_estimate(
            r.estimate, r.ci_low, r.ci_high, "percent", 1, r.flag, w.label("word:suppressed")) + "%."
    return Output(_tidy(t), _caption(a, "FIG-COR-01", "survey", w.phrase("contact"), _universe_n(t), note),
                  figure=fig)


@builds("FIG-COR-02")
def _perceived_corruption(a: Assessment) -> Output:
    return _stacked_items(a, "FIG-COR-02", [f"perc_corrupt_{i}" for i in CORRUPT_INSTITUTIONS], "corrupt4",
                          a.words.phrase("all_adults"))


# --- drugs, VAWG, services, youth -------------------------------------------------------------------

@builds("FIG-DRG-01")
def _substances(a: Assessment) -> Output:
    return _battery(a, "FIG-DRG-01", "subst_", SUBSTANCES)


@builds("FIG-DRG-02")
def _witnessed(a: Assessment) -> Output:
    return _battery(a, "FIG-DRG-02", "witness_", WITNESSED)


@builds("FIG-GBV-01")
def _vawg_forms(a: Assessment) -> Output:
    return _battery(a, "FIG-GBV-01", "vawg_form_", VAWG_FORMS, by="sex")


@builds("FIG-GBV-02")
def _vawg_trend(a: Assessment) -> Output:
    _need_vars(a, ["vawg_trend"])
    t = _label_rows(a, scale_shares(a.design, "vawg_trend", SCALES["trend3"],
                                    by="sex" if "sex" in a.respondents else None, rules=a.rules))
    fig = _stacked_figure(a, t, "FIG-GBV-02", "trend3", row="group")
    return Output(_tidy(t), _caption(a, "FIG-GBV-02", "survey", a.words.phrase("all_adults"), _universe_n(t)),
                  figure=fig)


@builds("FIG-SRV-01")
def _access(a: Assessment) -> Output:
    return _battery(a, "FIG-SRV-01", "srv_", SERVICES)


@builds("FIG-SRV-02")
def _service_satisfaction(a: Assessment) -> Output:
    out = _stacked_items(a, "FIG-SRV-02", ["sat_serv_health", "sat_serv_govt"], "sat4", a.words.phrase("users"))
    out.caption += " SDG 16.6.2."
    return out


@builds("FIG-PAR-01")
def _inclusive(a: Assessment) -> Output:
    out = _stacked_items(a, "FIG-PAR-01", ["say_in_govt", "influence_politics"], "say5",
                         a.words.phrase("all_adults"))
    r = a.indicators[(a.indicators["indicator"] == "INCL_DECISION") & (a.indicators["domain"] == "total")]
    out.caption += " SDG 16.7.2."
    if len(r):
        r = r.iloc[0]
        out.caption += f" {a.catalogue['INCL_DECISION'].labels[a.params.language]}: " + fmt_estimate(
            r.estimate, r.ci_low, r.ci_high, "percent", 1, r.flag, a.words.label("word:suppressed")) + "%."
    return out


@builds("FIG-PAR-02")
def _cohesion(a: Assessment) -> Output:
    w = a.words
    partic = _need_vars(a, [f"partic_{p}" for p in PARTICIPATION])
    coh = [f"cohesion_{c}" for c in ("trust_neighbours", "help_each_other", "share_values", "intervene")]
    coh = [c for c in coh if c in a.respondents]
    t1 = item_shares(a.design, partic, rules=a.rules).assign(part=w.label("col:participation"))
    t2 = item_shares(a.design, coh, rules=a.rules, values=("strongly_agree", "agree"))
    t2["part"] = w.label("col:cohesion")
    t = _label_rows(a, pd.concat([t1, t2], ignore_index=True), w.label)
    fig = _intervals_figure(a, t, "FIG-PAR-02", row="label", panel="part")
    note = w.phrase("ci_note") + "."
    if len(coh) >= 2:
        alpha = cronbach_alpha(a.respondents, coh, "agree4")
        r = a.indicators[(a.indicators["indicator"] == "COHESION_INDEX") & (a.indicators["domain"] == "total")]
        idx = "" if r.empty else fmt_estimate(r.iloc[0].estimate, r.iloc[0].ci_low, r.iloc[0].ci_high, "index",
                                              1, r.iloc[0].flag, w.label("word:suppressed"))
        note += (f" {a.catalogue['COHESION_INDEX'].labels[a.params.language]} (0-100): {idx}; Cronbach's alpha "
                 f"{alpha['alpha']:.2f} (95% CI {alpha['ci_low']:.2f}-{alpha['ci_high']:.2f}, n = {alpha['n']:,}, "
                 f"{w.phrase('exploratory')}).")
    return Output(_tidy(t, "part"), _caption(a, "FIG-PAR-02", "survey", w.phrase("all_adults"), _universe_n(t),
                                             note), figure=fig)


@builds("FIG-YTH-01")
def _youth(a: Assessment) -> Output:
    w = a.words
    items = _need_vars(a, [f"youth_{y}" for y in YOUTH_ITEMS])
    t1 = item_shares(a.design, items, rules=a.rules).assign(part=w.phrase("youth_universe"))
    t1 = _label_rows(a, t1, w.label).assign(group=w.phrase("youth_group"))
    ids = [i for i in ("SAFE_NIGHT_WALK", "VICT_ANY_12M", "VIOL_PHYS_12M", "TRUST_POLICE")
           if all(v in a.respondents for v in a.catalogue[i].variables())]
    parts = [t1]
    if ids and "youth35" in a.respondents:
        t2 = indicator_shares(a.design, [a.catalogue[i] for i in ids], by="youth35", rules=a.rules)
        t2 = t2[t2["domain"] != "total"]
        if "unemployed" in a.respondents:
            u = item_shares(a.design, ["unemployed"], by="youth35", rules=a.rules)
            t2 = pd.concat([t2, u[u["domain"] != "total"]], ignore_index=True)
        lab = lambda i: w.label(i) if i == "unemployed" else a.catalogue[i].labels[a.params.language]  # noqa: E731
        t2 = _label_rows(a, t2, lab).assign(part=w.label("col:key_indicators"))
        parts.append(t2)
    t = pd.concat(parts, ignore_index=True)
    fig = _intervals_figure(a, t, "FIG-YTH-01", row="label", panel="part", hue="group")
    return Output(_tidy(t, "part"), _caption(a, "FIG-YTH-01", "survey", w.phrase("youth_universe"),
                                             _universe_n(t1), w.phrase("ci_note") + "."), figure=fig)


# --- qualitative ------------------------------------------------------------------------------------

@builds("TAB-QUAL-01")
def _tvc(a: Assessment) -> Output:
    w = a.words
    qual = _need_table(a, "qualitative")
    data = qualitative.tvc_by_area(qual)
    rows = []
    for area, g in data.groupby("area", sort=True):
        row = {w.label("domain:area"): area}
        for k in ("threat", "vulnerability", "capacity"):
            sub = g[g["tvc"] == k]
            row[w.label(f"tvc:{k}")] = "; ".join(f"{w.label('theme:' + t)} ({n})" for t, n in
                                                  zip(sub["theme"], sub["sessions"], strict=True))
        rows.append(row)
    n = qual["session_id"].nunique()
    return Output(data, _caption(a, "TAB-QUAL-01", "qual", w.phrase("sessions"), None,
                                 f"({w.phrase('sessions')}: {n})."), view=pd.DataFrame(rows))


@builds("FIG-QUAL-01")
def _themes(a: Assessment) -> Output:
    w = a.words
    qual = _need_table(a, "qualitative")
    data = qualitative.theme_by_group(qual)
    mat = data.pivot(index="theme", columns="stakeholder_group", values="share") * 100
    n_group = data.drop_duplicates("stakeholder_group").set_index("stakeholder_group")["group_sessions"]
    mat = mat.loc[mat.mean(axis=1).sort_values(ascending=False, kind="stable").index]
    mat.index = [w.label(f"theme:{t}") for t in mat.index]
    mat.columns = [f"{w.label('group:' + g)} (n={n_group[g]})" for g in mat.columns]
    fig = figures.heatmap(mat.round(0), w.title("FIG-QUAL-01"), "", "", w.phrase("share_of_sessions"), fmt=".0f",
                          annotate=True, vmax=100)
    return Output(data, _caption(a, "FIG-QUAL-01", "qual", w.phrase("sessions"), None,
                                 f"({w.phrase('sessions')}: {qual['session_id'].nunique()})."), figure=fig)


# --- risk and resilience ----------------------------------------------------------------------------

def _fmt_p(p: float) -> str:
    """A p-value for reading: three decimals, ``<0.001`` below that."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _term_label(a: Assessment, term: str, predictors: list[str]) -> str:
    w = a.words
    if term == "Intercept":
        return term
    for p in predictors:
        if term.startswith(p + "_"):
            level = term[len(p) + 1:]
            dom = w.label(f"domain:{p}") if w.has_label(f"domain:{p}") else w.label(p)
            return f"{dom}: {w.level(p, level) if p != 'vict_any_12m' else w.label('word:' + level)}"
    return term


@builds("TAB-RISK-01")
def _model(a: Assessment) -> Output:
    w = a.words
    df = a.respondents
    frames = []
    specs = (("unsafe_night", ["sex", "age_group", "area", "vict_any_12m"]),
             ("vict_any_12m", ["sex", "age_group", "area"]))
    for outcome, preds in specs:
        preds = [p for p in preds if p in df and df[p].notna().any()]
        if outcome not in df or not preds:
            continue
        y = df[outcome].map({"yes": 1.0, "no": 0.0})
        m = logistic_model(df, y, preds).assign(outcome=outcome)
        m["label"] = [_term_label(a, t, preds) for t in m["term"]]
        frames.append(m)
    if not frames:
        raise NotAvailable(w.phrase("no_variables", vars="safe_night, vict_*_12m"))
    data = pd.concat(frames, ignore_index=True)
    data = data[["outcome", "term", "label", "coef", "se", "z", "p", "ci_low", "ci_high", "odds_ratio", "n",
                 "inference"]]
    out_lab = {"unsafe_night": w.label("safety:unsafe") + " (" + w.label("safe_night") + ")",
               "vict_any_12m": a.catalogue["VICT_ANY_12M"].labels[a.params.language]}
    view = pd.DataFrame({
        w.label("col:outcome"): data["outcome"].map(out_lab), w.label("col:term"): data["label"],
        w.label("col:odds_ratio"): [f"{np.exp(c):.2f} ({np.exp(lo):.2f}-{np.exp(hi):.2f})" for c, lo, hi in
                                    zip(data["coef"], data["ci_low"], data["ci_high"], strict=True)],
        w.label("col:p"): [_fmt_p(p) for p in data["p"]], "n": data["n"],
        w.label("col:method"): w.phrase("exploratory")})
    note = w.phrase("risk01_note")
    return Output(data, _caption(a, "TAB-RISK-01", "survey", w.phrase("all_adults"), a.n, note), view=view)


@builds("TAB-RISK-02")
def _tests(a: Assessment) -> Output:
    w = a.words
    outcomes = [o for o in ("unsafe_night", "vict_any_12m", "viol_any_12m", "harass_any_12m", "bribe_any")
                if o in a.respondents and a.respondents[o].notna().sum() > 0]
    groups = [g for g in ("sex", "age_group", "area") if g in a.respondents and a.respondents[g].nunique() > 1]
    if not outcomes or not groups:
        raise NotAvailable(w.phrase("no_variables", vars="safe_night, vict_*_12m"))
    data = rao_scott_tests(a.design, outcomes, groups)
    names = {"unsafe_night": w.label("safety:unsafe") + " (" + w.label("safe_night") + ")",
             "vict_any_12m": a.catalogue["VICT_ANY_12M"].labels[a.params.language],
             "viol_any_12m": w.label("viol_phys_12m") + " / " + w.label("viol_psy_12m") + " / "
             + w.label("viol_sex_12m"),
             "harass_any_12m": a.catalogue["HARASS_ANY_12M"].labels[a.params.language],
             "bribe_any": a.catalogue["BRIBE_PREV"].labels[a.params.language]}
    view = pd.DataFrame({
        w.label("col:outcome"): data["outcome"].map(names), w.label("col:by"): [w.label(f"domain:{g}") for g in
                                                                              data["group"]],
        "F": data["F"].map("{:.2f}".format), "df": [f"{a_:.2f}, {b:.1f}" for a_, b in
                                                    zip(data["ndf"], data["ddf"], strict=True)],
        w.label("col:p"): data["p"].map(_fmt_p), w.label("col:p_adj"): data["p_adj"].map(_fmt_p),
        w.label("col:method"): w.phrase("design_based")})
    note = w.phrase("risk02_note", k=len(data))
    return Output(data, _caption(a, "TAB-RISK-02", "survey", w.phrase("all_adults"), a.n, note), view=view)


# --- priorities and partners ------------------------------------------------------------------------

@builds("TAB-PRI-01")
def _priorities(a: Assessment) -> Output:
    w = a.words
    qual = a.table("qualitative")
    sal = qualitative.theme_salience(qual) if qual is not None else None
    rec = _records(a) if a.table("incident") is not None else None
    comparison, src = a.params.comparison, a.params.comparison_source
    if a.source is not None and not comparison:  # the same survey's entity: same questions, same definitions
        comparison = a.source.comparison()
        src = w.phrase("envipe_comparison", entity=a.source.names[a.source.entity])
    data = rank_priorities(a.indicators, sal, rec, comparison)
    signal = {"worse": w.label("word:worse"), "not_worse": w.label("word:not_worse"),
              "no_comparison": w.label("word:no_comparison"), "salient": w.label("word:yes"),
              "not_salient": w.label("word:no"), "no_sessions": w.label("word:no_records"),
              "rising": w.label("word:rising"), "not_rising": w.label("word:not_rising"),
              "no_records": w.label("word:no_records")}
    view = pd.DataFrame({
        w.label("col:rank"): data["rank"], w.label("col:theme"): [w.label(f"priority:{t}") for t in data["theme"]],
        w.label("col:score"): data["score"], w.label("col:survey_signal"): data["survey"].map(signal),
        w.label("col:qual_signal"): [f"{signal[q]} ({100 * s:.0f}%)" if pd.notna(s) else signal[q]
                                     for q, s in zip(data["qual"], data["qual_share"], strict=True)],
        w.label("col:crime_signal"): [f"{signal[c]} ({f} → {la})" if c != "no_records" else signal[c]
                                      for c, f, la in zip(data["crime"], data["crime_first"], data["crime_last"],
                                                          strict=True)]})
    src = src or w.label("word:no_comparison")
    return Output(data, _caption(a, "TAB-PRI-01", "all", None, None,
                                 f"{w.phrase('rule_priorities')}. {w.label('col:survey_signal')}: {src}."),
                  view=view)


@builds("TAB-STK-01")
def _partners(a: Assessment) -> Output:
    w = a.words
    qual = _need_table(a, "qualitative")
    data = qualitative.partners(qual)
    view = pd.DataFrame({
        w.label("col:partner"): [w.label(f"partner:{p}") if p != "other" else w.label("place:other")
                                 for p in data["partner_group"]],
        w.label("col:groups"): [", ".join(w.label(f"group:{g}") for g in s.split(", ")) if s else "—"
                                for s in data["stakeholder_groups"]],
        w.label("tool:KII"): data["KII"], w.label("tool:FGD"): data["FGD"], w.label("col:sessions"): data["sessions"]})
    return Output(data, _caption(a, "TAB-STK-01", "qual", w.phrase("sessions"), None), view=view)


# --- annex ------------------------------------------------------------------------------------------

@builds("TAB-ANX-01")
def _annex(a: Assessment) -> Output:
    w = a.words
    ind = a.indicators
    return Output(ind, _caption(a, "TAB-ANX-01", "survey", w.phrase("all_adults"), a.n,
                                w.phrase("anx01_note")),
                  view=annex_view(ind, a.catalogue, a.params.language, w.label("word:suppressed")))


@builds("TAB-ANX-02")
def _definitions(a: Assessment) -> Output:
    data = definitions_table(a.params.language, a.catalogue)
    return Output(data, a.words.title("TAB-ANX-02") + ". usg_research/indicators.yaml.")


@builds("TAB-ANX-03")
def _iccs(a: Assessment) -> Output:
    w = a.words
    rec = _records(a)
    data = (rec.groupby(["offence", "iccs_code", "iccs_section"]).size().rename("records").reset_index()
            .sort_values(["iccs_code", "offence"], kind="stable"))
    view = pd.DataFrame({w.label("col:offence"): data["offence"], w.label("col:iccs"): data["iccs_code"],
                         w.label("col:section"): [ICCS_SECTIONS[s][a.params.language] for s in data["iccs_section"]],
                         w.label("col:records"): data["records"].map("{:,}".format)})
    return Output(data, _caption(a, "TAB-ANX-03", "police", w.phrase("offences"), None,
                                 f"data/codebooks/{a.params.city}_iccs.csv."), view=view)
