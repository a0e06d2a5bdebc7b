"""Agreement with R's survey package (reference values: tests/r/reference.R, survey 4.1.1).

Estimates and SEs to 1e-8 relative, CIs to 1e-6, deff and Rao-Scott F and p to 1e-6.

Two documented differences at the edges: (1) R's ``svyciprop(method="logit")`` fits a
one-parameter svyglm and, in a domain with df = 1 and three members, its interval
degenerates to (0, NaN); ours is the same logit interval by the delta method, which
equals R's ``method="xlogit"`` there and everywhere (tested on every row). (2) R's
Wald interval for a proportion can leave [0, 1]; ours is clipped to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from usg_research.estimate.rao_scott import rao_scott
from usg_research.estimate.survey import DesignError, SurveyDesign

R = Path(__file__).parent / "r"
REF = pd.read_csv(R / "reference_estimates.csv")
CHI = pd.read_csv(R / "reference_chisq.csv")
SPECS = {"stratified": ("stratum", "fail"), "unstratified": (None, "fail"), "lonely": ("stratum", "adjust"),
         "fpc": ("stratum", "fail"), "census": ("stratum", "fail")}
WITHOUT_REPLACEMENT = {"fpc", "census"}  # fpc: population PSUs per stratum (S1 fully enumerated; census: all)


def _design(name: str) -> SurveyDesign:
    strata, lonely = SPECS[name]
    df = pd.read_csv(R / f"design_{name}.csv")
    return SurveyDesign(df, weight="w", strata=strata, psu="psu", lonely_psu=lonely,
                        fpc="fpc" if name in WITHOUT_REPLACEMENT else None)


def _ours(name: str) -> pd.DataFrame:
    d = _design(name)
    by = [None, "sex", "age_group", "group", ["sex", "age_group"]]
    frames = []
    for est, kind, prop, method in (("mean", "mean", False, "logit"), ("total", "total", False, "logit"),
                                    ("proportion", "mean", True, "logit"),
                                    ("proportion_xlogit", "mean", True, "logit"),
                                    ("proportion_wald", "mean", True, "wald"),
                                    ("proportion_beta", "mean", True, "beta")):
        cols = ["x"] if est == "mean" else (["x", "y"] if est == "total" else ["y"])
        res = d.estimate(d.data[cols], by, kind=kind, proportion=[prop] * len(cols), ci=method)
        frames.append(res.assign(estimator=est))
    out = pd.concat(frames, ignore_index=True).rename(columns={"column": "var", "domain": "by"})
    return out


@pytest.mark.parametrize("name", sorted(SPECS))
def test_estimates_match_r_survey(name) -> None:
    ref = REF[REF.design == name]
    ours = _ours(name)
    m = ref.merge(ours, on=["var", "by", "level", "estimator"], suffixes=("_r", ""), how="left", validate="1:1")
    assert len(m) == len(ref) and m["estimate"].notna().all()
    assert (m["n_r"] == m["n"]).all() and (m["rows_r"] == m["rows"]).all()
    # df: the domain's PSUs whether or not the variable is missing in some of them (R degf of the subset)
    assert (m["df_r"] == m["df"]).all()
    np.testing.assert_allclose(m["N"], m["N_r"], rtol=1e-12)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], rtol=1e-8)
    np.testing.assert_allclose(m["se"], m["se_r"], rtol=1e-8, atol=1e-12)
    wald = m["estimator"] == "proportion_wald"
    for side in ("ci_low", "ci_high"):
        r = m[f"{side}_r"].where(~wald, m[f"{side}_r"].clip(0, 1))
        degenerate = (m["estimator"] == "proportion") & (m["ci_low_r"].eq(0) & m["ci_high_r"].isna())
        # R's Korn-Graubard interval is NaN where p is 0 or 1 (0/0 effective n); ours uses the observed n
        degenerate |= (m["estimator"] == "proportion_beta") & m["estimate"].isin([0.0, 1.0])
        # with no sampling variance (a census) R's Beta(Inf, Inf) gives 0.5; ours is [p, p]
        census = ((m["estimator"] == "proportion_beta") & (m["se"] == 0) & (m["df"] >= 1)
                  & m["estimate"].between(0, 1, inclusive="neither"))
        assert (m.loc[census, side] == m.loc[census, "estimate"]).all()
        degenerate |= census
        np.testing.assert_allclose(m.loc[~degenerate, side], r[~degenerate], rtol=1e-6, equal_nan=True)
    # where R's svyglm-based interval degenerates, ours equals its xlogit interval (checked on every row)
    assert (degenerate & (m["estimator"] == "proportion")).sum() <= 1
    np.testing.assert_allclose(m["deff"], m["deff_r"], rtol=1e-6, atol=1e-12)


def test_logit_interval_equals_r_xlogit_on_every_row() -> None:
    for name in SPECS:
        ref = REF[(REF.design == name) & (REF.estimator == "proportion_xlogit")]
        ours = _ours(name)
        ours = ours[ours.estimator == "proportion"].drop(columns="estimator")
        m = ref.merge(ours, on=["var", "by", "level"], suffixes=("_r", ""), validate="1:1")
        assert len(m) == len(ref)
        np.testing.assert_allclose(m[["ci_low", "ci_high"]], m[["ci_low_r", "ci_high_r"]], rtol=1e-6, equal_nan=True)


def test_the_finite_population_correction_shrinks_the_variance_as_r_does() -> None:
    """fpc: each stratum's variance times (1 - n_h / N_h); a fully enumerated stratum adds none, and a census
    (every stratum fully enumerated) has SE 0 everywhere, as R gives."""
    census = REF[REF.design == "census"]
    assert len(census) > 0 and (census["se"] == 0).all()
    assert (_ours("census")["se"] == 0).all()
    d = _design("fpc")
    with_replacement = SurveyDesign(d.data, weight="w", strata="stratum", psu="psu")
    s1 = (d.data["stratum"] == "S1").to_numpy()
    assert d.mean("x", where=s1)["se"].item() == 0  # S1 was fully enumerated
    assert with_replacement.mean("x", where=s1)["se"].item() > 0
    ratio = d.total("x")["se"].item() / with_replacement.total("x")["se"].item()
    assert 0.5 < ratio < 1  # the other strata sampled 4 of 6, 10, 40 and 400 PSUs


def test_reference_covers_tiny_domains_and_no_ci_at_zero_df() -> None:
    tiny = REF[(REF.level == "tiny")]
    assert (tiny["n"] <= 3).all() and len(tiny) > 0
    d = _design("stratified")
    one_psu = (d.data["psu"] == "P1-1").to_numpy()
    res = d.mean("x", where=one_psu)
    assert d.degf(one_psu) == 0
    assert res["estimate"].notna().all() and res[["ci_low", "ci_high"]].isna().all(axis=None)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_rao_scott_matches_svychisq(name) -> None:
    d = _design(name)
    for _, r in CHI[CHI.design == name].iterrows():
        ours = rao_scott(d, r["row"], r["col"])
        np.testing.assert_allclose([ours["F"], ours["ndf"], ours["ddf"], ours["p"]],
                                   [r["F"], r["ndf"], r["ddf"], r["p"]], rtol=1e-6)


def test_public_api_matches_engine() -> None:
    d = _design("stratified")
    api = d.proportion("y", by="sex")
    assert list(api.columns) == ["sex", "estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "N"]
    ref = REF[(REF.design == "stratified") & (REF["by"] == "sex") & (REF["var"] == "y")
              & (REF.estimator == "proportion")]
    np.testing.assert_allclose(api["se"], ref["se"], rtol=1e-8)
    two = d.mean("x", by=["sex", "age_group"])
    assert list(two.columns[:2]) == ["sex", "age_group"] and len(two) == 6
    assert d.total("x").shape == (1, 8)


def test_lonely_psu_fails_by_default_and_names_strata() -> None:
    df = pd.read_csv(R / "design_lonely.csv")
    with pytest.raises(DesignError, match=r"single PSU: \['S1', 'S2'\]"):
        SurveyDesign(df, weight="w", strata="stratum", psu="psu")
    cert = SurveyDesign(df, weight="w", strata="stratum", psu="psu", lonely_psu="certainty").mean("x")
    adj = SurveyDesign(df, weight="w", strata="stratum", psu="psu", lonely_psu="adjust").mean("x")
    assert cert["se"].item() < adj["se"].item()


def test_domain_is_not_a_subset() -> None:
    """Subsetting rows drops PSUs and changes the SE; the domain estimate keeps the full design."""
    d = _design("stratified")
    dom = d.mean("x", by="sex").set_index("sex")
    sub = d.data[d.data.sex == "female"]
    naive = SurveyDesign(sub, weight="w", strata="stratum", psu="psu").mean("x")
    assert dom.loc["female", "estimate"] == pytest.approx(naive["estimate"].item(), rel=1e-12)
    ref = REF[(REF.design == "stratified") & (REF["by"] == "sex") & (REF.level == "female") & (REF["var"] == "x")
              & (REF.estimator == "mean")]
    assert dom.loc["female", "se"] == pytest.approx(ref["se"].item(), rel=1e-8)
