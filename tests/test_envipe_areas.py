"""ENVIPE 2021 for any entity and municipality (Querétaro), and INEGI's layout of the reporting table.

Reference values: R ``survey`` on the same design (tests/r/envipe.R, written by
``benchmarks/bench_envipe.py --reference``); skipped without ../shared/data/envipe2021_inegi.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from usg_research.errors import LoadError
from usg_research.estimate.crime_module import COUNT_MEASURES, rates_table, reporting_table
from usg_research.estimate.indicators import indicator_table, load_catalogue
from usg_research.estimate.survey import SurveyDesign
from usg_research.ingest.schema import RESPONDENT
from usg_research.present import words as words_module
from usg_research.present.words import LANGUAGES, Words
from usg_research.run.build import build_report
from usg_research.sources.envipe import (
    EnvipeSource,
    codebook,
    crimes,
    not_read_reasons,
    person_table,
    read_census,
    sample_psus,
)
from usg_research.yamlfile import safe_yaml

from .test_envipe import _ref
from .test_reports import english_words

CENSUS = Path(__file__).resolve().parents[1] / "data" / "census" / "inegi_census2020_population.csv"
AREAS = ["national", "09", "09007", "22", "22014"]


@pytest.fixture(scope="module")
def counted(envipe: Path) -> pd.DataFrame:
    return reporting_table(crimes(envipe), sample_psus(envipe), states=["09", "22"],
                           municipalities=["09007", "22014"], counts=True)


def _merge(got: pd.DataFrame, table: str, areas: list[str]) -> pd.DataFrame:
    ref = _ref(table)
    ref = ref[ref["domain"].isin(areas)]
    got = got.assign(level=got["sex"], domain=got["area"], indicator=got["measure"])
    merged = ref.merge(got, on=["indicator", "domain", "level"], suffixes=("_r", ""))
    assert len(merged) == len(ref)
    return merged


def test_inegi_layout_reproduces_inegi_totals_with_r_survey_errors(counted: pd.DataFrame) -> None:
    """INEGI's published national and Mexico City totals (crimes 27,639,203 and 3,917,649, cifra negra 93.3%
    and 92.6%), and the absolute numbers beside the shares with R's standard errors."""
    tot = counted[counted["sex"] == "total"].set_index(["area", "measure"])["estimate"]
    assert round(tot["national", "crimes"]) == 27_639_203 and round(tot["09", "crimes"]) == 3_917_649
    assert round(100 * tot["national", "cifra_negra"], 1) == 93.3 and round(100 * tot["09", "cifra_negra"], 1) == 92.6
    for area in AREAS:  # a number is its share of the crimes: the same ratio estimator
        for m in ("reported", "carpeta", "cifra_negra"):
            assert tot[area, f"{m}_crimes"] == pytest.approx(tot[area, m] * tot[area, "crimes"], rel=1e-12)
    merged = _merge(counted[counted["measure"].isin(COUNT_MEASURES)], "crimes_counts", AREAS)
    assert len(merged) == 5 * 3 * 3  # areas x (total, male, female) x measures
    shown = merged[merged["flag"] != "suppressed"]
    hidden = merged.loc[merged["flag"] == "suppressed", ["domain", "level", "indicator"]].values.tolist()
    assert sorted(hidden) == [["09007", "female", "carpeta_crimes"], ["09007", "male", "carpeta_crimes"],
                              ["09007", "male", "reported_crimes"]]  # CV above 0.30
    assert shown["estimate"].to_numpy() == pytest.approx(shown["estimate_r"].to_numpy(), rel=1e-8)
    assert shown["se"].to_numpy() == pytest.approx(shown["se_r"].to_numpy(), rel=1e-8)


def test_queretaro_crime_module_matches_r_survey(counted: pd.DataFrame) -> None:
    """Querétaro state and its municipality as places of occurrence, domains of the national design."""
    merged = _merge(counted[~counted["measure"].isin(COUNT_MEASURES)], "crimes", ["22", "22014"])
    assert len(merged) == 2 * 3 * 4 and (merged["flag"] != "suppressed").all()
    assert merged["estimate"].to_numpy() == pytest.approx(merged["estimate_r"].to_numpy(), rel=1e-8)
    assert merged["se"].to_numpy() == pytest.approx(merged["se_r"].to_numpy(), rel=1e-8)
    crimes_22 = counted[(counted["area"] == "22") & (counted["sex"] == "total") & (counted["measure"] == "crimes")]
    assert int(crimes_22["n"].iloc[0]) == 1_140


def test_queretaro_residents_and_rates_match_r_survey(envipe: Path) -> None:
    people = person_table(envipe)
    qro = people[people["municipality"] == "22014"]
    assert len(qro) == 1_371  # more adults than Iztapalapa's 873
    table = indicator_table(SurveyDesign(qro, weight="weight", strata="stratum", psu="psu",
                                         frame=people[["stratum", "psu"]]), disaggregations=["sex", "age_group"])
    ref = _ref("persons_22014")
    merged = ref[ref["level"].notna()].merge(table, on=["indicator", "domain", "level"], suffixes=("_r", ""))
    assert len(merged) == len(table) == 49
    shown = merged[merged["flag"] != "suppressed"]
    assert len(shown) >= 40
    assert shown["estimate"].to_numpy() == pytest.approx(shown["estimate_r"].to_numpy(), rel=1e-8)
    assert shown["se"].to_numpy() == pytest.approx(shown["se_r"].to_numpy(), rel=1e-8)
    rates = rates_table(crimes(envipe), people, ["22", "22014"], read_census(CENSUS))
    got = rates[(rates["measure"] == "per_100k_adults") & ((rates["sex"] == "total") | (rates["age_group"] == "total"))]
    got = got.assign(domain=got["area"], indicator=got["measure"],
                     level=got["sex"].where(got["sex"] != "total", got["age_group"]))
    ref = _ref("rates")
    ref = ref[ref["level"].notna() & ref["domain"].isin(["22", "22014"])]
    merged = ref.merge(got, on=["indicator", "domain", "level"], suffixes=("_r", ""))
    assert len(merged) == len(ref) == 2 * 9
    shown = merged[merged["flag"] != "suppressed"]
    assert shown["estimate"].to_numpy() == pytest.approx(shown["estimate_r"].to_numpy(), rel=1e-8)
    assert shown["se"].to_numpy() == pytest.approx(shown["se_r"].to_numpy(), rel=1e-8)


def test_an_area_without_sample_is_named(envipe: Path) -> None:
    src = EnvipeSource(envipe, "22", "099", CENSUS)
    with pytest.raises(LoadError, match=r"area '22099' has no dwelling in the ENVIPE sample"):
        src.load()


@pytest.mark.parametrize("report", ["queretaro-envipe", "queretaro-envipe-en"])
def test_queretaro_report_builds(envipe: Path, tmp_path: Path, report: str) -> None:
    res = build_report(report, force=True, out_root=tmp_path)
    assert res.status == "built", res.message
    out = tmp_path / report
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    status = {o["id"]: o.get("status", "built") for o in man["outputs"]}
    assert {"TAB-VIC-02", "FIG-REP-02", "TAB-REP-05", "TAB-PRI-01"} <= {i for i, s in status.items() if s == "built"}
    layout = pd.read_csv(out / "tables" / "TAB-REP-05.csv", dtype={"area": str})
    assert sorted(layout["area"].unique()) == ["22", "22014", "national"]
    html = (out / "report.html").read_text(encoding="utf-8")
    state, muni = ("Querétaro (estado)", "Querétaro (municipio)") if report.endswith("envipe") else (
        "Querétaro (state)", "Querétaro (municipality)")
    assert state in html and muni in html  # one name, two areas: told apart
    n = "1.371" if report.endswith("envipe") else "1,371"  # as each language writes numbers (Babel)
    assert f"= {n}." in man["outputs"][[o["id"] for o in man["outputs"]].index("TAB-VIC-02")]["caption"]
    # every output ENVIPE cannot give says whether ENVIPE asks it and where, never an internal name
    lacking = {o["id"]: o["caption"] for o in man["outputs"] if o.get("status") == "not_available"}
    assert "FIG-SAF-01" in lacking and "FIG-COR-01" in lacking
    variables = set(RESPONDENT.names) | set(load_catalogue())
    for oid, caption in lacking.items():
        named = {v for v in variables & set(re.findall(r"[A-Za-z0-9_]+", caption)) if "_" in v}
        assert not named, f"{oid} names {named}: {caption}"
    asks, table = ("pregunta", "TPer_Vic1") if report.endswith("envipe") else ("asks", "TPer_Vic1")
    assert asks in lacking["FIG-SAF-03"] and table in lacking["FIG-SAF-03"]
    assert "ENCIG" in lacking["FIG-COR-01"]
    if not report.endswith("-en"):  # the Spanish page: every word a reader sees in Spanish
        spanish = {w: n for w, n in english_words(html).items() if w.lower() not in ("no", "total")}
        assert spanish == {}, spanish


def test_every_reason_envipe_lacks_a_question_is_worded_in_every_language() -> None:
    """Each reason of envipe2021.yaml's ``not_read`` has its phrase in en, es and ru, and no phrase is left
    without a rule."""
    reasons = set(codebook()["not_read"].values())
    assert {"related_area_safety", "places", "trust", "not_asked_encig", "module_unlabelled"} <= reasons
    for language in LANGUAGES:
        words = Words(language)
        assert all(words.has_phrase(f"not_read:envipe2021:{r}") for r in reasons), language
    phrases = safe_yaml(Path(words_module.__file__).with_name("words.yaml").read_text(encoding="utf-8"))["phrases"]
    worded = {k.rsplit(":", 1)[1] for k in phrases if k.startswith("not_read:envipe2021:")}
    assert worded == reasons
    assert not_read_reasons(["trust_police", "SAFE_NIGHT_WALK_X", "bribe_courts", "trust_courts"]) == [
        ("trust", ["trust_police", "trust_courts"]), ("not_asked_encig", ["bribe_courts"]),
        (None, ["SAFE_NIGHT_WALK_X"])]
