"""The ENVIPE 2021 adapter on INEGI's public microdata (../shared/data/envipe2021_inegi; skipped without it).

- INEGI's published national figures for 2020 are reproduced from the crime module.
- Every estimate and SE equals R ``survey`` 4.1.1 on the same design to 1e-8 (reference values in
  tests/r/envipe_reference.csv, made by tests/r/envipe.R through benchmarks/bench_envipe.py --reference).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from usg_research.errors import LoadError
from usg_research.estimate.crime_module import rates_table, reporting_table
from usg_research.estimate.indicators import indicator_table
from usg_research.estimate.survey import SurveyDesign
from usg_research.run.build import build_report
from usg_research.sources.envipe import crimes, person_table, persons, sample_psus

REFERENCE = Path(__file__).parent / "r" / "envipe_reference.csv"


@pytest.fixture(scope="module")
def reporting(envipe: Path) -> pd.DataFrame:
    return reporting_table(crimes(envipe), sample_psus(envipe), states=["09"], municipalities=["09007"])


def _design(people: pd.DataFrame, frame: pd.DataFrame | None = None) -> SurveyDesign:
    return SurveyDesign(people, weight="weight", strata="stratum", psu="psu", frame=frame)


def _ref(table: str) -> pd.DataFrame:
    ref = pd.read_csv(REFERENCE, dtype={"level": str, "domain": str})
    return ref[ref["table"] == table]


def test_inegi_published_national_figures(reporting: pd.DataFrame):
    # INEGI, ENVIPE 2021 press release (22 Sept 2021): 27.6 million crimes in 2020, 10.1% reported,
    # carpeta de investigación in 6.7% of crimes, cifra negra 93.3%
    nat = reporting[(reporting["area"] == "national") & (reporting["sex"] == "total")].set_index("measure")
    assert round(nat.loc["crimes", "estimate"] / 1e6, 1) == 27.6
    assert round(100 * nat.loc["reported", "estimate"], 1) == 10.1
    assert round(100 * nat.loc["carpeta", "estimate"], 1) == 6.7
    assert round(100 * nat.loc["cifra_negra", "estimate"], 1) == 93.3
    assert int(nat.loc["crimes", "n"]) == 32_641  # the module's 37,156 crimes less 4,515 acts of vandalism


def test_reporting_table_matches_r_survey(reporting: pd.DataFrame):
    ref = _ref("crimes")
    ref = ref[ref["domain"].isin(["national", "09", "09007"])]  # Querétaro: tests/test_envipe_areas.py
    got = reporting.assign(level=reporting["sex"], domain=reporting["area"], indicator=reporting["measure"])
    merged = ref.merge(got, on=["indicator", "domain", "level"], suffixes=("_r", ""))
    # nation, Mexico City and Iztapalapa (places of occurrence) x (total, male, female) x 4 measures
    assert len(merged) == len(ref) == len(reporting) == 36
    shown = merged[merged["flag"] != "suppressed"]
    assert len(shown) == 34  # Iztapalapa's carpeta share by sex: cv above 0.30
    merged = shown
    assert merged["estimate"].to_numpy() == pytest.approx(merged["estimate_r"].to_numpy(), rel=1e-8)
    assert merged["se"].to_numpy() == pytest.approx(merged["se_r"].to_numpy(), rel=1e-8)


def test_person_indicator_table_matches_r_survey(envipe: Path):
    table = indicator_table(_design(person_table(envipe)))
    ref = _ref("persons")
    ref = ref[ref["level"].notna()]  # R's svyby also shows the blank age group (age not known); we leave it out
    merged = ref.merge(table, on=["indicator", "domain", "level"], suffixes=("_r", ""))
    assert len(merged) == len(ref) == len(table) == 113
    shown = merged[merged["flag"] != "suppressed"]
    assert len(shown) > 100
    assert shown["estimate"].to_numpy() == pytest.approx(shown["estimate_r"].to_numpy(), rel=1e-8)
    assert shown["se"].to_numpy() == pytest.approx(shown["se_r"].to_numpy(), rel=1e-8)


def test_mexico_city_subset_reads_the_same_people(envipe: Path):
    cdmx = persons(envipe, "cdmx")
    nat = persons(envipe)
    assert len(cdmx) == 5_831 and (cdmx["state"] == "09").all()
    assert (cdmx["municipality"] == "09007").sum() == 873  # Iztapalapa
    same = nat[nat["state"] == "09"].reset_index(drop=True)
    pd.testing.assert_frame_equal(cdmx.reset_index(drop=True), same)


def test_a_missing_table_names_the_folder_and_files(tmp_path: Path):
    with pytest.raises(LoadError, match=r"no ENVIPE crime table: expected one of \['TMod_Vic_national.parquet'"):
        crimes(tmp_path)


def test_iztapalapa_is_a_domain_of_the_national_design(envipe: Path):
    # Iztapalapa's 873 residents estimated with every sampled PSU in its stratum (R: subset() of the full
    # design), not as if its PSUs were the whole sample
    people = person_table(envipe)
    izt = people[people["municipality"] == "09007"]
    frame = people[["stratum", "psu"]]
    table = indicator_table(_design(izt, frame=frame), disaggregations=["sex", "age_group"])
    ref = _ref("persons_09007")
    ref = ref[ref["level"].notna()]
    merged = ref.merge(table, on=["indicator", "domain", "level"], suffixes=("_r", ""))
    assert len(merged) == len(ref) == len(table) == 49  # 13 indicators x their (total, sex, age) domains
    shown = merged[merged["flag"] != "suppressed"]
    assert shown["estimate"].to_numpy() == pytest.approx(shown["estimate_r"].to_numpy(), rel=1e-8)
    assert shown["se"].to_numpy() == pytest.approx(shown["se_r"].to_numpy(), rel=1e-8)
    alone = indicator_table(_design(izt), disaggregations=["sex", "age_group"])  # the subset taken as a survey
    assert not (alone["se"].to_numpy() == pytest.approx(table["se"].to_numpy(), rel=1e-6))


def test_rates_per_100k_match_inegi_and_r_survey(envipe: Path):
    census = pd.DataFrame({"area": ["09007"], "sex": ["total"], "population": [1_835_486]})
    rates = rates_table(crimes(envipe), persons(envipe), ["09", "09007"], census)
    r = rates.set_index(["area", "sex", "age_group", "measure"]).sort_index()
    # INEGI, ENVIPE 2021: 30,601 crimes per 100,000 inhabitants aged 18 or more in 2020
    assert round(r.loc[("national", "total", "total", "per_100k_adults"), "estimate"]) == 30_601
    izt = r.loc[("09007", "total", "total")]
    assert izt.loc["per_100k_census", "estimate"] == pytest.approx(
        1e5 * izt.loc["crimes", "estimate"] / 1_835_486, rel=1e-12)
    ref = _ref("rates")
    got = rates[(rates["measure"] == "per_100k_adults") & ((rates["sex"] == "total") | (rates["age_group"] == "total"))]
    got = got.assign(domain=got["area"], indicator=got["measure"],
                     level=got["sex"].where(got["sex"] != "total", got["age_group"]))
    ref = ref[ref["level"].notna() & ref["domain"].isin(["national", "09", "09007"])]
    merged = ref.merge(got, on=["indicator", "domain", "level"], suffixes=("_r", ""))
    assert len(merged) == len(ref) == 3 * (1 + 2 + 6)  # 3 areas x (total, 2 sexes, 6 age groups)
    shown = merged[merged["flag"] != "suppressed"]
    assert len(shown) >= 25
    assert shown["estimate"].to_numpy() == pytest.approx(shown["estimate_r"].to_numpy(), rel=1e-8)
    assert shown["se"].to_numpy() == pytest.approx(shown["se_r"].to_numpy(), rel=1e-8)


def test_person_file_reproduces_inegi_prevalence(envipe: Path):
    # INEGI, ENVIPE 2021: 23,520 victims per 100,000 adults in 2020 (vehicle crimes confirmed by AP6_5;
    # a "don't know" is not a victim). Without the follow-up rule it would be 24,156.
    t = indicator_table(_design(person_table(envipe)), indicators=["VICT_PREV_RATE_100K"], disaggregations=[])
    assert round(t["estimate"].item()) == 23_520
    assert t["n"].item() == 92_051


def test_iztapalapa_report_from_envipe(envipe: Path, tmp_path: Path):
    """The es build: INEGI's measures for Iztapalapa, Mexico City and the nation; nothing respondent-level."""
    import json

    res = build_report("iztapalapa-envipe", force=True, out_root=tmp_path)
    assert res.status == "built", res.message
    out = tmp_path / "iztapalapa-envipe"
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    status = {o["id"]: o.get("status", "built") for o in man["outputs"]}
    assert not man["synthetic"]
    assert [o["id"] for o in man["outputs"]][:3] == ["TAB-SUM-01", "FIG-SUM-01", "TAB-MET-01"]
    built = {i for i, s in status.items() if s == "built"}
    assert {"TAB-VIC-01", "FIG-VIC-01", "TAB-VIC-02", "FIG-REP-01", "FIG-REP-02", "TAB-ANX-03"} <= built
    assert {"FIG-CTX-02", "FIG-CTX-03", "FIG-CTX-05"} <= built  # the police counts by quadrant (params)
    assert status["FIG-SAF-01"] == status["FIG-TRU-01"] == status["FIG-CTX-04"] == "not_available"
    caption = {o["id"]: o["caption"] for o in man["outputs"]}
    # the reason says what ENVIPE asks and which table the public extract lacks, never "the survey did not ask"
    assert "TPer_Vic1" in caption["FIG-SAF-01"] and "pregunta afín" in caption["FIG-SAF-01"]
    assert "safe_night" not in caption["FIG-SAF-01"]
    assert not any("no preguntó" in c for c in caption.values())
    rep = pd.read_csv(out / "tables" / "FIG-REP-02.csv", dtype={"area": str})
    assert sorted(rep["area"].unique()) == ["09", "09007", "national"]
    assert len(rep) == 36  # 3 areas x (total, male, female) x (crimes, reported, carpeta, cifra negra)
    direct = reporting_table(crimes(envipe), sample_psus(envipe), states=["09"], municipalities=["09007"])
    merged = direct.merge(rep, on=["area", "sex", "measure"], suffixes=("", "_csv"))
    assert len(merged) == 36
    shown = merged[merged["flag"] != "suppressed"]
    assert shown["estimate_csv"].to_numpy() == pytest.approx(shown["estimate"].to_numpy(), rel=1e-9)
    assert "cifra negra" in man["outputs"][[o["id"] for o in man["outputs"]].index("FIG-REP-02")]["caption"]
    rates = pd.read_csv(out / "tables" / "TAB-VIC-02.csv", dtype={"area": str})
    nat = rates[(rates["area"] == "national") & (rates["sex"] == "total") & (rates["age_group"] == "total")]
    assert round(nat.set_index("measure").loc["per_100k_adults", "estimate"]) == 30_601
    # no respondent or dwelling id of INEGI's files reaches any output
    ids = set(persons(envipe)["resp_id"].sample(300, random_state=1))
    text = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in out.rglob("*")
                   if p.is_file() and p.suffix in (".csv", ".json", ".html", ".ipynb"))
    assert not [i for i in ids if i in text]
    assert "/work/" not in text and str(Path.home()) not in text


@pytest.mark.parametrize("report", ["iztapalapa-envipe", "queretaro-envipe"])
def test_report_is_skipped_without_its_data(monkeypatch, tmp_path: Path, report: str):
    import usg_research.reports as R

    real = R.load_params

    def elsewhere(report):
        p = real(report)
        return p.model_copy(update={"source": p.source.model_copy(update={"data": "no/such/folder"})})

    monkeypatch.setattr(R, "load_params", elsewhere)
    res = build_report(report, force=True, out_root=tmp_path)
    assert res.status == "skipped"
    assert "data folder no/such/folder not found" in res.message and "README" in res.message
    assert not (tmp_path / report).exists()


def test_inegi_definitions_recomputed_from_inegi_columns(envipe: Path):
    """The victimisation indicators, recomputed with plain pandas straight from INEGI's person file (its
    screener columns and FAC_ELE), not through the adapter or the catalogue: a crime type is a victim
    when its screener question is 1 (yes), among those who answered 1 or 2 (a "don't know", 9, leaves the
    base); any crime counts every code INEGI counts (not vandalism, 03), vehicle crimes only when
    confirmed by their follow-up (AP6_5_01/02 = 1), and a "don't know" is not a victim but stays in the base."""
    raw = pd.read_parquet(envipe / "TPer_Vic2_national.parquet")
    w = raw["FAC_ELE"].astype(float)
    ours = indicator_table(_design(person_table(envipe)), disaggregations=[]).set_index("indicator")
    for indicator, code in {"VICT_ROBBERY_12M": "05", "VICT_THEFT_12M": "06", "VICT_THREAT_12M": "10",
                            "VICT_ASSAULT_12M": "11", "VICT_BURGLARY_12M": "04"}.items():
        col = raw[f"AP7_3_{code}"] if f"AP7_3_{code}" in raw else raw[f"AP6_4_{code}"]
        base = col.isin(["1", "2"])
        assert ours.loc[indicator, "n"] == base.sum(), indicator
        assert ours.loc[indicator, "estimate"] == pytest.approx(
            (w * (col == "1"))[base].sum() / w[base].sum(), rel=1e-12), indicator
    personal = [f"AP7_3_{c:02d}" for c in range(5, 16)]
    vehicle = [(raw[f"AP6_4_0{c}"] == "1") & (raw[f"AP6_5_0{c}"] == "1") for c in (1, 2)]
    victim = (raw[personal] == "1").any(axis=1) | (raw["AP6_4_04"] == "1") | vehicle[0] | vehicle[1]
    assert ours.loc["VICT_ANY_12M", "n"] == len(raw) == 92_051
    assert ours.loc["VICT_ANY_12M", "estimate"] == pytest.approx((w * victim).sum() / w.sum(), rel=1e-12)
