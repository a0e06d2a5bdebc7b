"""Models, tests and the priority ranking as reading tables (TAB-RISK-01, TAB-RISK-02, TAB-PRI-01).

Examples
--------
>>> import pandas as pd
>>> from usg_research.present.exhibit import OutputContext
>>> out = OutputContext.of("TAB-RISK-01")
>>> term_label(out, "age_group25-34", ["sex", "age_group"]), term_label(out, "sexmale", ["sex"])
('Age group: 25-34', 'Sex: Male')
>>> term_label(out, "educationprimary", ["education"]), term_label(out, "vict_any_12myes", ["vict_any_12m"])
('Education: Primary', 'Victim of any crime: yes')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .exhibit import Exhibit, OutputContext
from .format import fmt_p

#: Outcome variables of the models and tests, and how each is named (a words.yaml label or an indicator).
OUTCOME_NAMES = {"unsafe_night": ("label", "safety:unsafe"), "vict_any_12m": ("indicator", "VICT_ANY_12M"),
                 "harass_any_12m": ("indicator", "HARASS_ANY_12M"), "bribe_any": ("indicator", "BRIBE_PREV")}


def outcome_name(out: OutputContext, outcome: str) -> str:
    """A model or test outcome in the report language."""
    w = out.words
    if outcome == "unsafe_night":
        return w.label("safety:unsafe") + " (" + w.label("safe_night") + ")"
    if outcome == "viol_any_12m":
        return " / ".join(w.label(v) for v in ("viol_phys_12m", "viol_psy_12m", "viol_sex_12m"))
    kind, key = OUTCOME_NAMES.get(outcome, ("label", outcome))
    return out.indicator(key) if kind == "indicator" else w.label(key)


def term_label(out: OutputContext, term: str, predictors: list[str]) -> str:
    """A model term in R's spelling (``sexmale``: the predictor then its level) as ``Sex: Male``, in the
    report language; any categorical predictor of the clean table works (its name and answers from
    words.yaml, else as they are)."""
    w = out.words
    if term == "(Intercept)":
        return w.label("word:intercept")
    for p in sorted(predictors, key=len, reverse=True):  # the longest name first: age_group before age
        if term.startswith(p) and len(term) > len(p):
            level = term[len(p):]
            name = next((w.label(k) for k in (f"domain:{p}", f"var:{p}", p) if w.has_label(k)), p)
            if p in ("sex", "youth35"):
                shown = w.level(p, level)
            else:
                shown = next((w.label(k) for k in (f"{p}:{level}", f"word:{level}") if w.has_label(k)), level)
            return f"{name}: {shown}"
    return term


def model(fits: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Design-based logistic models (:func:`~usg_research.estimate.stats.logistic_models`): odds ratios with
    95% CI, p."""
    w = out.words
    labels = [term_label(out, t, preds.split(",")) for t, preds in zip(fits["term"], fits["predictors"], strict=True)]
    data = fits.assign(label=labels)[["outcome", "term", "label", "coef", "se", "p", "ci_low", "ci_high",
                                      "odds_ratio", "n", "df", "inference", "pooled", "left_out"]]
    view = pd.DataFrame({
        w.label("col:outcome"): [outcome_name(out, o) for o in data["outcome"]], w.label("col:term"): data["label"],
        w.label("col:odds_ratio"): [f"{w.number(np.exp(c), 2)} ({w.number(np.exp(lo), 2)}-{w.number(np.exp(hi), 2)})"
                                    for c, lo, hi in zip(data["coef"], data["ci_low"], data["ci_high"], strict=True)],
        w.label("col:p"): [fmt_p(p, out.language) for p in data["p"]], "n": data["n"],
        w.label("col:method"): w.phrase("design_based")})
    return Exhibit(data, view=view, notes=(w.phrase("risk01_note"), *small_level_notes(fits, out)))


def small_level_notes(fits: pd.DataFrame, out: OutputContext) -> list[str]:
    """What :func:`~usg_research.estimate.stats.logistic_models` pooled or left out (levels under the minimum
    n), once per predictor, in the report language."""
    w, n = out.words, fits.attrs.get("n_min")
    notes: list[str] = []
    for col, key in (("pooled", "model_pooled"), ("left_out", "model_left_out")):
        for entry in dict.fromkeys(e for cell in fits.get(col, pd.Series(dtype=object)).fillna("") for e in
                                   str(cell).split(";") if e):
            var, levels = entry.split("=", 1)
            name = next((w.label(k) for k in (f"domain:{var}", f"var:{var}", var) if w.has_label(k)), var)
            notes.append(w.phrase(key, var=name, levels=", ".join(levels.split("|")), n=n))
    return list(dict.fromkeys(notes))


def group_tests(results: pd.DataFrame, out: OutputContext) -> Exhibit:
    """Rao-Scott tests with Benjamini-Hochberg-adjusted p (:func:`~usg_research.estimate.stats.rao_scott_tests`)."""
    w = out.words
    view = pd.DataFrame({
        w.label("col:outcome"): [outcome_name(out, o) for o in results["outcome"]],
        w.label("col:by"): [w.label(f"domain:{g}") for g in results["group"]],
        "F": [w.number(f, 2) for f in results["F"]],
        "df": [f"{w.number(a, 2)}; {w.number(b, 1)}" for a, b in zip(results["ndf"], results["ddf"], strict=True)],
        w.label("col:p"): [fmt_p(p, out.language) for p in results["p"]],
        w.label("col:p_adj"): [fmt_p(p, out.language) for p in results["p_adj"]],
        w.label("col:method"): w.phrase("design_based")})
    return Exhibit(results, view=view, notes=(w.phrase("risk02_note", k=len(results)),))


def priorities(ranking: pd.DataFrame, out: OutputContext, compared_with: str = "") -> Exhibit:
    """The priority ranking (:func:`~usg_research.estimate.priorities.rank_priorities`), each source's signal
    in words; ``compared_with`` names the comparison level of the survey signal."""
    w = out.words
    signal = {"worse": w.label("word:worse"), "not_worse": w.label("word:not_worse"),
              "no_comparison": w.label("word:no_comparison"), "salient": w.label("word:yes"),
              "not_salient": w.label("word:no"), "no_sessions": w.label("word:no_records"),
              "rising": w.label("word:rising"), "not_rising": w.label("word:not_rising"),
              "no_records": w.label("word:no_records")}
    view = pd.DataFrame({
        w.label("col:rank"): ["" if pd.isna(k) else int(k) for k in ranking["rank"]],
        w.label("col:theme"): [w.label(f"priority:{t}") for t in ranking["theme"]],
        w.label("col:score"): ranking["score"], w.label("col:survey_signal"): ranking["survey"].map(signal),
        w.label("col:qual_signal"): [f"{signal[q]} ({w.number(100 * s)}%)" if pd.notna(s) else signal[q]
                                     for q, s in zip(ranking["qual"], ranking["qual_share"], strict=True)],
        w.label("col:crime_signal"): [f"{signal[c]} ({f} → {la})" if c != "no_records" else signal[c]
                                      for c, f, la in zip(ranking["crime"], ranking["crime_first"],
                                                          ranking["crime_last"], strict=True)]})
    compared_with = compared_with or w.label("word:no_comparison")
    note = f"{w.phrase('rule_priorities')}. {w.label('col:survey_signal')}: {compared_with}."
    if ranking["rank"].isna().all():
        note += " " + w.phrase("not_ranked")
    return Exhibit(ranking, view=view, notes=(note,))
