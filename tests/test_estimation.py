"""Indicators, quality flags, administrative rates and the exploratory statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from usg_research.estimate import crime
from usg_research.estimate import stats as S
from usg_research.estimate.indicators import indicator_table, load_catalogue
from usg_research.estimate.quality import QualityRules
from usg_research.estimate.survey import SurveyDesign
from usg_research.ingest.clean import clean_city
from usg_research.ingest.codebook import read_iccs_map
from usg_research.ingest.schema import COHESION_ASPECTS
from usg_research.paths import codebook_path, iccs_map_path

REQUIRED = ["SAFE_NIGHT_WALK", "SAFE_DAY_WALK", "VICT_ANY_12M", "VIOL_PHYS_12M", "VIOL_SEX_12M", "VIOL_PSY_12M",
            "HARASS_ANY_12M", "REPORT_ANY", "DARK_FIGURE", "VICT_PREV_RATE_100K", "VICT_INC_RATE_100K",
            "TRUST_POLICE", "SAT_SERV_HEALTH", "INCL_DECISION", "BRIBE_PREV", "COHESION_INDEX"]


@pytest.fixture(scope="module")
def mathare() -> pd.DataFrame:
    return clean_city("mathare")["respondent"]


def _design(people: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(people, weight="weight", strata="stratum", psu="psu")


def test_catalogue_has_the_core_set() -> None:
    cat = load_catalogue()
    assert set(REQUIRED) <= set(cat)
    for i in cat.values():
        assert all(i.labels[lang] for lang in ("en", "es", "ru"))
    assert cat["BRIBE_PREV"].sdg == "16.5.1" and cat["REPORT_ANY"].sdg == "16.3.1"


def test_indicator_table_shape_and_values(mathare) -> None:
    t = indicator_table(_design(mathare))
    assert list(t.columns) == ["indicator", "domain", "level", "estimate", "se", "ci_low", "ci_high", "cv",
                               "deff", "n", "N", "flag"]
    assert set(REQUIRED) <= set(t["indicator"])
    tot = t[t.domain == "total"].set_index("indicator")
    # the engine equals a direct weighted computation
    w = mathare["weight"]
    safe = mathare["safe_night"].isin(["very_safe", "safe"])
    assert tot.loc["SAFE_NIGHT_WALK", "estimate"] == pytest.approx((w * safe).sum() / w.sum(), rel=1e-12)
    victims = mathare["vict_any_12m"] == "yes"
    assert tot.loc["REPORT_ANY", "n"] == victims.sum()
    assert tot.loc["VICT_PREV_RATE_100K", "estimate"] == pytest.approx(
        1e5 * (w * victims).sum() / w.sum(), rel=1e-12)
    contact = mathare["contact_any"] == "yes"
    assert tot.loc["BRIBE_PREV", "n"] == contact.sum()
    # DARK_FIGURE: reported to no recognised body (neither the police nor another mechanism), among the victims
    # who answered both; the complement of REPORT_ANY
    v = mathare[victims & mathare["reported_any"].notna()]
    dark = (v["report_police"] == "no") & (v["report_other"] == "no")
    assert tot.loc["DARK_FIGURE", "estimate"] == pytest.approx((v.weight * dark).sum() / v.weight.sum(), rel=1e-12)
    assert tot.loc["DARK_FIGURE", "estimate"] == pytest.approx(1 - tot.loc["REPORT_ANY", "estimate"], rel=1e-12)


def test_suppressed_cells_never_carry_a_number(mathare) -> None:
    t = indicator_table(_design(mathare), rules=QualityRules(n_min=100, proportions="cv"))
    sup = t[t.flag == "suppressed"]
    assert len(sup) > 10
    assert sup[["estimate", "se", "ci_low", "ci_high", "cv", "deff"]].isna().all(axis=None)
    kept = t[t.flag != "suppressed"]
    assert (kept["n"] >= 100).all() and (kept["cv"] <= 0.30).all()


def test_nchs_flags_in_the_indicator_table(mathare) -> None:
    """Proportions by the NCHS standard, the rest by CV; a kept proportion's Korn-Graubard interval is under
    0.30 wide, and no proportion is 'caution' (a CV class)."""
    t = indicator_table(_design(mathare))
    cat = load_catalogue()
    prop = t["indicator"].map(lambda i: cat[i].type == "proportion")
    assert set(t.loc[prop, "flag"]) <= {"reliable", "review", "suppressed"}
    assert set(t.loc[~prop, "flag"]) <= {"reliable", "caution", "suppressed"}
    kept = t[prop & (t["flag"] != "suppressed")]
    assert len(kept) > 100 and (kept["n"] >= 30).all()
    sup = t[prop & (t["flag"] == "suppressed")]
    assert len(sup) > 0 and sup["estimate"].isna().all()


def _random_design(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, 24, n)
    return pd.DataFrame({"w": rng.lognormal(0, 0.5, n) * 10, "h": psu % 4, "psu": psu,
                         "g": rng.choice(["a", "b", "c"], n), "y": (rng.random(n) < 0.3).astype(float),
                         "x": rng.normal(5, 2, n)})


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 400), k=st.floats(0.01, 1000))
def test_survey_properties(seed, n, k) -> None:
    df = _random_design(seed, n)
    d = SurveyDesign(df, weight="w", strata="h", psu="psu", lonely_psu="certainty")
    scaled = SurveyDesign(df.assign(w=df.w * k), weight="w", strata="h", psu="psu", lonely_psu="certainty")
    a, b = d.proportion("y", by="g"), scaled.proportion("y", by="g")
    # (deff is not scale-free: like R's, its SRS variance carries the factor 1 - n/sum(w))
    np.testing.assert_allclose(a[["estimate", "se", "ci_low", "ci_high", "cv"]],
                               b[["estimate", "se", "ci_low", "ci_high", "cv"]], rtol=1e-9)
    assert ((a.ci_low >= 0) & (a.ci_high <= 1) & (a.ci_low <= a.estimate) & (a.estimate <= a.ci_high)).all()
    whole = d.mean("x")
    parts = d.mean("x", by="g")
    assert (parts.estimate * parts.N).sum() / parts.N.sum() == pytest.approx(whole.estimate.item(), rel=1e-10)
    tot = d.total("x", by="g")
    assert tot.estimate.sum() == pytest.approx(d.total("x").estimate.item(), rel=1e-10)


def test_garwood_matches_the_chi_square_definition() -> None:
    k = np.array([0, 1, 5, 37, 1000])
    lo, hi = crime.garwood_ci(k)
    assert lo[0] == 0 and hi[0] == pytest.approx(3.688879454, rel=1e-9)
    assert (lo[1], hi[1]) == pytest.approx((0.0253178, 5.5716434), rel=1e-6)
    # coverage: the interval's ends are where the Poisson tail probabilities equal 2.5%
    np.testing.assert_allclose(sps.poisson.sf(k[1:] - 1, lo[1:]), 0.025, rtol=1e-8)
    np.testing.assert_allclose(sps.poisson.cdf(k, hi), 0.025, rtol=1e-8)


def test_admin_rates_keep_unmapped_labels() -> None:
    t = clean_city("iztapalapa")
    inc = crime.add_time_parts(t["incident"])
    mapped, unmapped = crime.map_iccs(inc, read_iccs_map(iccs_map_path(codebook_path("iztapalapa"))))
    assert len(mapped) == len(inc) == t.logs["incident"].rows_kept
    assert unmapped["offence"].tolist() == ["Hechos no delictivos"]
    assert unmapped["records"].item() == (mapped["iccs_section"] == "unmapped").sum() > 0
    r = crime.rates(mapped, 1_835_486, ["year", "iccs_section"])
    assert r["count"].sum() == len(mapped)
    assert (r["ci_low"] <= r["rate"]).all() and (r["rate"] <= r["ci_high"]).all()
    hw = crime.hour_weekday(mapped)
    assert hw.shape == (7, 24) and hw.to_numpy().sum() == len(mapped)


def test_cronbach_alpha_equals_the_formula(mathare) -> None:
    items = [f"cohesion_{c}" for c in COHESION_ASPECTS]
    res = S.cronbach_alpha(mathare, items, "agree4")
    x = S.item_scores(mathare, items, "agree4").dropna()
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert res["alpha"] == pytest.approx(alpha, rel=1e-12)
    assert res["inference"] == S.EXPLORATORY and res["alpha"] > 0.7


def test_bh_and_rao_scott_table(mathare) -> None:
    p = np.array([0.001, 0.02, 0.03, 0.5])
    m = len(p)
    expected = np.minimum.accumulate((p * m / np.arange(1, m + 1))[::-1])[::-1]
    np.testing.assert_allclose(S.bh_adjust(p), np.minimum(expected, 1))
    d = SurveyDesign(mathare, weight="weight", strata="stratum", psu="psu")
    t = S.rao_scott_tests(d, ["safe_night"], ["sex", "age_group"])
    assert (t["inference"] == S.DESIGN_BASED).all() and (t["p_adj"] >= t["p"]).all()
    # women feel less safe after dark in the synthetic model: the design-based test finds it
    assert t.set_index("group").loc["sex", "p"] < 0.001


def test_models_are_design_based_and_the_exploratory_side_labelled(mathare) -> None:
    d = SurveyDesign(mathare, weight="weight", strata="stratum", psu="psu")
    m = S.logistic_models(d, {"unsafe_night": ["sex", "vict_any_12m"]})
    assert list(m.columns) == S.MODEL_COLUMNS
    # R's names; the reference levels are the clean table's first category (male) and "no"
    assert (m["inference"] == S.DESIGN_BASED).all() and m["term"].tolist() == ["(Intercept)", "sexfemale",
                                                                                 "vict_any_12myes"]
    # women feel unsafe more often in the synthetic model; the design df is PSUs minus strata, less the terms - 1
    assert m.set_index("term").loc["sexfemale", "coef"] > 0 and m.set_index("term").loc["sexfemale", "p"] < 0.001
    assert int(m["df"].iloc[0]) == d.degf() + 1 - 3
    assert S.cramers_v(mathare, "sex", "safe_night")["inference"] == S.EXPLORATORY
    g = S.compare_groups(mathare, "cohesion_index", "area")
    assert set(g["test"]) == {"Welch ANOVA", "Kruskal-Wallis"}


def test_headline_chart_never_puts_rates_and_percentages_on_one_axis() -> None:
    from usg_research.present.figures import dot_interval, use_style

    use_style()
    t = pd.DataFrame({"label": ["a", "b", "c"], "estimate": [0.2, 54000.0, np.nan], "ci_low": [0.1, 50000, np.nan],
                      "ci_high": [0.3, 58000, np.nan], "flag": ["reliable", "reliable", "suppressed"],
                      "unit": ["percent", "per 100,000 adults", "percent"]})
    fig = dot_interval(t, title="x")
    pct, rate = fig.axes
    assert pct.get_xlim() == (0, 100) and rate.get_xlim()[1] > 58000
    assert [tl.get_text() for tl in pct.get_yticklabels()] == ["a", "c"]  # suppressed row kept, marked
    assert any("suppressed" in txt.get_text() for txt in pct.texts)


def test_a_frame_of_psus_gives_domain_estimates_of_the_full_design() -> None:
    # one domain's rows plus the frame of every sampled PSU == the full data with the domain's outcome only
    rng = np.random.default_rng(7)
    n = 500
    df = pd.DataFrame({"h": rng.integers(0, 4, n), "w": rng.uniform(1, 3, n), "y": rng.integers(0, 2, n) * 1.0})
    df["psu"] = df["h"] * 100 + rng.integers(0, 40, n)  # many PSUs without a member of the domain
    dom = rng.random(n) < 0.25
    full = SurveyDesign(df.assign(y=df["y"].where(dom)), "w", "h", "psu").proportion("y")
    part = SurveyDesign(df[dom], "w", "h", "psu", frame=df[["h", "psu"]]).proportion("y")
    alone = SurveyDesign(df[dom], "w", "h", "psu").proportion("y")
    assert part["se"].item() == pytest.approx(full["se"].item(), rel=1e-12)
    assert part["estimate"].item() == pytest.approx(full["estimate"].item(), rel=1e-12)
    assert alone["se"].item() != pytest.approx(full["se"].item(), rel=1e-6)
    with pytest.raises(Exception, match="not in the frame"):
        SurveyDesign(df, "w", "h", "psu", frame=df[df["h"] > 0][["h", "psu"]])


def test_model_levels_under_n_min_are_pooled_or_left_out(mathare) -> None:
    """No coefficient describes a group smaller than a published cell: small levels are pooled as "other"
    when together they reach n_min, left out of the model otherwise; with none small the fit is unchanged."""
    spec = {"vict_any_12m": ["sex", "area"]}
    plain = S.logistic_models(_design(mathare), spec)
    assert S.logistic_models(_design(mathare), spec, n_min=30).equals(plain)
    people = mathare.copy()
    ngei = people.index[people["area"] == "Ngei"]
    people.loc[ngei[29:], "area"] = "Huruma"  # Ngei: 29 respondents, one under n_min
    left = S.logistic_models(_design(people), spec, n_min=30)
    assert "areaNgei" not in set(left["term"]) and set(left["left_out"]) == {"area=Ngei"}
    assert left["n"].iloc[0] == len(people) - 29
    people.loc[ngei[28:], "area"] = "Ngei"  # 30: its own coefficient
    kept = S.logistic_models(_design(people), spec, n_min=30)
    assert "areaNgei" in set(kept["term"]) and set(kept["left_out"]) == {""}
    people.loc[ngei[:20], "area"], people.loc[ngei[20:], "area"] = "Ngei", "Mabatini"
    mab = people.index[people["area"] == "Mabatini"]
    people.loc[mab[:len(mab) - 15], "area"] = "Huruma"  # Ngei 20 + Mabatini 15 = 35: pooled
    pooled = S.logistic_models(_design(people), spec, n_min=30)
    assert set(pooled["pooled"]) == {"area=Mabatini|Ngei"} and "areaother" in set(pooled["term"])
    assert pooled["n"].iloc[0] == len(people)


def test_qualitative_counts_under_the_minimum_are_suppressed() -> None:
    from usg_research.estimate.qualitative import theme_by_group, tvc_by_area

    def q(counts: dict[str, int]) -> pd.DataFrame:
        rows = [(f"{g}{i}", g, "gangs" if i < n else "gbv") for g, n in counts.items() for i in range(5)]
        return pd.DataFrame(rows, columns=["session_id", "stakeholder_group", "theme"]).assign(
            tvc="threat", area=lambda d: d["stakeholder_group"], method="KII")

    t = tvc_by_area(q({"a": 3, "b": 2, "c": 0}), min_sessions=3)
    got = {(r.area, r.theme): (None if pd.isna(r.sessions) else int(r.sessions), r.flag) for r in t.itertuples()}
    assert got == {("a", "gangs"): (3, ""), ("a", "gbv"): (None, "suppressed"), ("b", "gangs"): (None, "suppressed"),
                   ("b", "gbv"): (3, ""), ("c", "gbv"): (5, "")}
    g = theme_by_group(q({"a": 3, "b": 0}), min_sessions=3).set_index(["stakeholder_group", "theme"])
    assert g.loc[("a", "gangs"), "share"] == 0.6 and g.loc[("b", "gangs"), "sessions"] == 0  # 0 shows nobody
    assert g.loc[("a", "gbv"), "flag"] == "suppressed" and pd.isna(g.loc[("a", "gbv"), "share"])
    assert tvc_by_area(q({"a": 1}))["sessions"].tolist() == [4, 1]  # without a minimum, every count (most first)
