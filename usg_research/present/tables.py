"""Survey estimates and data descriptions as reading tables: headline, indicators, profiles, annex, cleaning.

Each function takes a tidy table the notebook estimated or assembled and an
:class:`~usg_research.present.exhibit.OutputContext`, and returns an
:class:`~usg_research.present.exhibit.Exhibit` whose data is saved as the CSV and whose view is what
the reader sees: headers in the report language, each estimate with its 95% CI, suppressed cells
as a word, never a number.

Examples
--------
>>> import pandas as pd
>>> from usg_research.present.exhibit import OutputContext
>>> t = pd.DataFrame({"item": ["VICT_ANY_12M"], "domain": ["total"], "level": ["total"], "estimate": [0.25],
...                   "se": [0.01], "ci_low": [0.23], "ci_high": [0.27], "cv": [0.04], "n": [900],
...                   "flag": ["reliable"]})
>>> indicators(t, OutputContext.of("TAB-VIC-01")).view.iloc[0, 2]
'25.0 (23.0-27.0)'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ..estimate.calibration import Calibration
from .charts import headline_notes
from .exhibit import Exhibit, OutputContext, tidy
from .format import fmt_estimate
from .words import Words


def headline(head: pd.DataFrame, out: OutputContext, lacking: Sequence[tuple[str, str]] = ()) -> Exhibit:
    """The headline indicators (:func:`~usg_research.estimate.indicators.headline`) with their 95% CI and
    quality flag; ``lacking`` ones (id, why) are named in the caption with why the data lack them."""
    w = out.words
    view = pd.DataFrame({
        w.label("col:indicator"): head["label"], w.label("word:sdg"): head["sdg"],
        w.label("col:estimate"): [fmt_estimate(r.estimate, r.ci_low, r.ci_high, r.unit,
                                               out.catalogue[r.indicator].decimals, r.flag,
                                               w.label("word:suppressed"), out.language) for r in head.itertuples()],
        w.label("col:unit"): [w.unit(u) for u in head["unit"]],
        "n": head["n"], w.label("col:quality"): [w.label(f"flag:{f}") for f in head["flag"]]})
    return Exhibit(head, view=view, notes=headline_notes(out, lacking))


def indicators(t: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Rows of the indicator table (``item`` the indicator id): estimate with CI, unit, n, quality flag."""
    w, cat = out.words, out.catalogue
    view = pd.DataFrame({
        w.label("col:indicator"): [out.indicator(i) for i in t["item"]],
        w.label("col:group"): [w.level(d, lv) for d, lv in zip(t["domain"], t["level"], strict=True)],
        w.label("col:estimate"): [fmt_estimate(r.estimate, r.ci_low, r.ci_high, cat[r.item].unit,
                                               cat[r.item].decimals, r.flag, w.label("word:suppressed"), out.language)
                                  for r in t.itertuples()],
        w.label("col:unit"): [w.unit(cat[i].unit) for i in t["item"]],
        "n": t["n"], w.label("col:quality"): [w.label(f"flag:{f}") for f in t["flag"]]})
    return Exhibit(tidy(t), view=view, notes=(out.ci_note,))


def socioeconomic(profile: pd.DataFrame, out: OutputContext) -> Exhibit:
    """The adult profile (:func:`~usg_research.estimate.context.socioeconomic_profile`): one row per answer."""
    w = out.words

    def name(v: str, c: str) -> str:
        return w.code(v, c) if v != "disability" else w.label("word:yes")

    view = pd.DataFrame({
        w.label("col:group"): [f"{w.label('var:' + v)}: {name(v, c)}" for v, c in
                               zip(profile["variable"], profile["code"], strict=True)],
        w.label("col:estimate"): [fmt_estimate(r.estimate, r.ci_low, r.ci_high, "percent", 1, r.flag,
                                               w.label("word:suppressed"), out.language)
                                  for r in profile.itertuples()],
        "n": profile["n"], w.label("col:quality"): [w.label(f"flag:{f}") for f in profile["flag"]]})
    return Exhibit(profile, view=view, notes=(out.ci_note,))


def sample_profile(profile: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Unweighted, weighted and census shares by group (:func:`~usg_research.estimate.context.sample_profile`)."""
    w = out.words
    pct = lambda s: ["" if pd.isna(v) else w.number(100 * v, 1) for v in s]  # noqa: E731
    census = profile["census"].notna().any()
    view = pd.DataFrame({
        w.label("col:group"): [f"{w.label('domain:' + d)}: {w.level(d, lv)}" for d, lv in
                               zip(profile["dimension"], profile["level"], strict=True)],
        "n": profile["n"], w.label("col:unweighted"): pct(profile["unweighted"]),
        w.label("col:weighted"): pct(profile["weighted"])} | (
        {w.label("col:census"): pct(profile["census"])} if census else {}))
    return Exhibit(profile, view=view, notes=(w.phrase("met02_note" if census else "met02_no_census"),))


def volumes(volumes_: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Data-collection tools and volumes (:func:`~usg_research.estimate.context.data_volumes`)."""
    w = out.words
    view = pd.DataFrame({
        w.label("col:tool"): [w.label(f"tool:{t}") for t in volumes_["tool"]],
        w.label("col:detail"): [w.label(f"group:{d}") if d else "" for d in volumes_["detail"]],
        w.label("col:volume"): [w.label("word:not_recorded") if pd.isna(v) else
                                (f"{w.number(100 * v, 1)}%" if t == "response_rate" else w.number(v))
                                for t, v in zip(volumes_["tool"], volumes_["value"], strict=True)]})
    return Exhibit(volumes_, view=view)


def weights(table: pd.DataFrame, out: OutputContext, calibration: Calibration | None = None) -> Exhibit:
    """The weights before and after calibration and the margins they meet
    (:func:`~usg_research.estimate.weighting.weights_table`); ``calibration`` the design's (None: not calibrated)."""
    w = out.words

    def num(v: float, stat: str) -> str:
        if pd.isna(v):
            return ""
        return w.number(v, 2 if stat in ("max/min", "kish") else 1 if stat in ("minimum", "maximum") else 0)

    rows = []
    for r in table.itertuples():
        if r.part == "weights":
            label = w.label(f"wstat:{r.variable}") + (f": {w.label('domain:' + r.level)}" if r.level else "")
        else:
            label = f"{w.label('domain:' + r.variable)}: {w.level(r.variable, r.level)}"
        stat = r.variable if r.part == "weights" else "sum"
        rows.append({w.label("col:weights_row"): label, w.label("col:design_weights"): num(r.design, stat),
                     w.label("col:calibrated_weights"): num(r.calibrated, stat),
                     w.label("col:census_adults"): num(r.census, stat)})
    if calibration is None:
        note = w.phrase("met04_none")
    else:
        names = [w.label(f"domain:{v.removesuffix('_cal')}") for v in calibration.variables]
        margins = ", ".join(n[:1].lower() + n[1:] for n in names)
        its = w.phrase("iterations", n=calibration.iterations) if calibration.iterations else "GREG"
        note = w.phrase("met04_note", method=w.phrase(f"calibration:{calibration.method}"), margins=margins,
                        iterations=its)
    return Exhibit(table, view=pd.DataFrame(rows), notes=(note,))


#: the cleaning log's details (ingest's wording) -> the words.yaml phrase ``log:<key>`` that says them in
#: the report's language, with the parts that are data (codes, ranges, formats) kept as recorded
LOG_DETAILS = [
    (r"duplicate_row: repeats an earlier row exactly \(double entry\); the first is kept", "duplicate_row"),
    (r"out_of_range: is outside the allowed range (?P<low>\S+) to (?P<high>\S+)", "out_of_range"),
    (r"impossible_date: is not a real date-time in the format '(?P<format>[^']*)'", "impossible_date"),
    (r"date_out_of_window: (?P<change>.*)", "date_out_of_window"),
    (r"incident count capped at (?P<cap>\d+): (?P<change>.*)", "capped"),
    (r"missing code: [^:]*: (?P<change>.*)", "missing_code"),
    (r"skip_violation: (?P<change>.*)", "skip_violation"),
    (r"white space trimmed: (?P<change>.*)", "trimmed"),
    (r"identifying \(PII\): never kept", "pii"),
    (r"age not known: (?P<change>.*)", "age_unknown"),
    (r"resident outside the assessment area \((?P<area>[^)]*)\); these adults remain in the design as the "
     r"comparison domains", "outside_area"),
    (r"code (?P<code>\d+) \([^)]*\): asked, not counted by INEGI", "not_counted"),
    (r"not in the codebook", "not_in_codebook"),
    (r"(?P<check>[a-z_]+): (?P<change>invalid -> missing)", "set_missing"),  # a check's set_missing policy
    (r"(?P<check>[a-z_]+): .*", "excluded"),  # any other check's exclusion: its name (the CSV has its details)
]
#: the values of a recode (``from -> to``) that are words, said in the report's language (``log_value:<word>``)
LOG_VALUES = ("invalid", "missing", "dk", "na", "refused", "answer", "padded", "trimmed")


def log_detail(detail: str, words: Words) -> str:
    """A cleaning-log detail in the report's language (:data:`LOG_DETAILS`); a file name or a detail with no
    phrase is kept as recorded.

    Examples
    --------
    >>> log_detail("out_of_range: is outside the allowed range 18 to 110", Words("es"))
    'fuera del rango permitido (18 a 110)'
    >>> log_detail("missing code: Don't know: dk -> missing", Words("es"))
    'código de valor faltante: no sabe → faltante'
    """
    for pattern, key in LOG_DETAILS:
        m = re.fullmatch(pattern, detail)
        if m:
            parts = m.groupdict()
            if "change" in parts:  # e.g. "dk -> missing": the words among the values translated, the arrow drawn
                parts["change"] = " → ".join(words.label(f"log_value:{v}") if v in LOG_VALUES else v
                                             for v in parts["change"].split(" -> "))
            if "check" in parts:
                parts["check"] = words.label(f"check:{parts['check']}")
            return words.phrase(f"log:{key}", **parts)
    return detail


def cleaning(log: pd.DataFrame, out: OutputContext) -> Exhibit:
    """The cleaning log of every table (:func:`~usg_research.ingest.clean.cleaning_summary`), counts only,
    in the report's language (the CSV keeps the log as recorded)."""
    w = out.words
    view = pd.DataFrame({
        w.label("col:table"): [w.label(f"log_table:{t}") for t in log["table"]],
        w.label("col:step"): [w.label(f"step:{s}") for s in log["step"]], w.label("col:column"): log["column"],
        w.label("col:detail"): [log_detail(str(d), w) if isinstance(d, str) else "" for d in log["detail"]],
        w.label("col:count"): log["count"].map(w.number)})
    return Exhibit(log, view=view, notes=(w.phrase("met03_note"),))


def annex(ind: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Every indicator by every disaggregation: estimate with CI, CV %, deff, n, N and flag (TAB-ANX-01)."""
    w = out.words
    rows = []
    for r in ind.itertuples():
        i = out.catalogue[r.indicator]
        rows.append({
            w.label("col:indicator"): i.labels[out.language],  # type: ignore[index]
            w.label("col:domain"): w.label(f"domain:{r.domain}"), w.label("col:level"): w.level(r.domain, r.level),
            w.label("col:estimate"): fmt_estimate(r.estimate, r.ci_low, r.ci_high, i.unit, i.decimals, r.flag,
                                                  w.label("word:suppressed"), out.language),
            w.label("col:unit"): w.unit(i.unit),
            w.label("col:cv"): "" if pd.isna(r.cv) else w.number(100 * r.cv, 1),
            "deff": "" if pd.isna(r.deff) else w.number(r.deff, 2),
            "n": r.n, "N": w.number(r.N), w.label("col:quality"): w.label(f"flag:{r.flag}")})
    return Exhibit(ind, view=pd.DataFrame(rows), notes=(w.phrase("anx01_note"),))


def definitions(defs: pd.DataFrame, out: OutputContext) -> Exhibit:
    """The indicator definitions used (:func:`~usg_research.estimate.indicators.definitions_table`)."""
    w = out.words
    view = pd.DataFrame({
        w.label("col:id"): defs["indicator"], w.label("col:indicator"): defs["label"], w.label("word:sdg"): defs["sdg"],
        w.label("col:universe"): [w.phrase("all_adults") if u == "all respondents" else u for u in defs["universe"]],
        w.label("col:numerator"): [w.phrase("mean_of", value=n[len("mean of "):]) if n.startswith("mean of ") else n
                                   for n in defs["numerator"]],
        w.label("col:period"): [w.label(f"period:{p}") for p in defs["period"]],
        w.label("col:unit"): [w.unit(u) for u in defs["unit"]], w.label("col:note"): defs["note"]})
    return Exhibit(defs, view=view, notes=(w.phrase("anx02_note"),))


def estimate_sentence(ind: pd.DataFrame, indicator_id: str, out: OutputContext) -> str:
    """One indicator's whole-sample estimate as a caption sentence (``Label: 12.3 (10.1-14.6)%.``); empty
    when the survey did not measure it."""
    r = ind[(ind["indicator"] == indicator_id) & (ind["domain"] == "total")]
    if r.empty:
        return ""
    r = r.iloc[0]
    return f"{out.indicator(indicator_id)}: " + fmt_estimate(r.estimate, r.ci_low, r.ci_high, "percent", 1, r.flag,
                                                              out.words.label("word:suppressed"), out.language) + "%."


def cohesion_sentence(ind: pd.DataFrame, alpha: pd.Series | None, out: OutputContext) -> str:
    """The cohesion index (0-100) with its CI, and Cronbach's alpha of its items
    (:func:`~usg_research.estimate.stats.cronbach_alpha`, exploratory); empty without alpha."""
    if alpha is None:
        return ""
    w = out.words
    r = ind[(ind["indicator"] == "COHESION_INDEX") & (ind["domain"] == "total")]
    idx = "" if r.empty else fmt_estimate(r.iloc[0].estimate, r.iloc[0].ci_low, r.iloc[0].ci_high, "index", 1,
                                          r.iloc[0].flag, w.label("word:suppressed"), out.language)
    return w.phrase("cohesion_sentence", index=out.indicator("COHESION_INDEX"), estimate=idx,
                    alpha=w.number(alpha["alpha"], 2), low=w.number(alpha["ci_low"], 2),
                    high=w.number(alpha["ci_high"], 2), n=w.number(alpha["n"]))
