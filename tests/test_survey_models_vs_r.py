"""Agreement with R's survey package beyond means and totals (reference values: tests/r/models.R, survey
4.1.1, on the designs tests/r/make_designs.py writes): Korn-Graubard intervals, ratios, domain
differences, design-based GLMs, post-stratification, raking, linear and raking calibration, and
replicate-weight designs (bootstrap with its scale, JKn with per-replicate rscales).

Estimates and SEs to 1e-8 relative, CIs and p-values to 1e-6, GLM coefficients and SEs to 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from usg_research.estimate.calibration import CalibrationError
from usg_research.estimate.replicate import ReplicateDesign
from usg_research.estimate.survey import DesignError, SurveyDesign

R = Path(__file__).parent / "r"
REF = pd.read_csv(R / "reference_models.csv", keep_default_na=False, na_values=["NA"])
CAL = pd.read_csv(R / "design_calibration.csv")
POP = pd.read_csv(R / "population_calibration.csv")
REP = pd.read_csv(R / "design_replicate.csv")
MARGINS = {v: POP.groupby(v)["N"].sum() for v in ("sex", "age_group", "area")}


def _ref(analysis: str) -> pd.DataFrame:
    return REF[REF["analysis"] == analysis].reset_index(drop=True)


def _close(ours: pd.DataFrame, ref: pd.DataFrame, cols: tuple[str, ...], rtol: float) -> None:
    assert len(ours) == len(ref)
    for c in cols:
        np.testing.assert_allclose(ours[c].to_numpy(float), ref[c].to_numpy(float), rtol=rtol, atol=1e-12,
                                   err_msg=c)


@pytest.fixture(scope="module")
def design() -> SurveyDesign:
    return SurveyDesign(CAL, weight="w", strata="stratum", psu="psu")


def test_korn_graubard_intervals_match_svyciprop_beta(design) -> None:
    ours = pd.concat([design.proportion("y", ci="beta"), design.proportion("y", by="sex", ci="beta"),
                      design.proportion("y", by="area", ci="beta")], ignore_index=True)
    ref = _ref("beta")
    _close(ours, ref, ("estimate", "se"), 1e-8)
    _close(ours, ref, ("ci_low", "ci_high"), 1e-6)
    # a domain's df counts every PSU with one of its rows, also where y is missing (R's degf of the subset)
    assert design.estimate(CAL[["y"]], ["area"])["df"].tolist() == ref["df"].iloc[3:].astype(int).tolist()


def test_ratio_matches_svyratio(design) -> None:
    ours = pd.concat([design.ratio("x", "z"), design.ratio("x", "z", by="sex")], ignore_index=True)
    ref = _ref("ratio")
    _close(ours, ref, ("estimate", "se"), 1e-8)
    _close(ours, ref, ("ci_low", "ci_high"), 1e-6)


def test_difference_matches_svycontrast(design) -> None:
    ours = pd.DataFrame([design.difference("x", "area", ["south", "north"]),
                         design.difference("y", "sex", ["female", "male"], kind="proportion"),
                         design.difference("x", "area", ["centre", "south"], kind="total")])
    ref = _ref("difference")
    _close(ours, ref, ("estimate", "se"), 1e-8)
    _close(ours, ref, ("ci_low", "ci_high", "p"), 1e-6)
    assert ours["df"].tolist() == ref["df"].tolist()


@pytest.mark.parametrize("name,formula,family", [("logistic", "y ~ sex + age_group + x", "binomial"),
                                                 ("linear", "x ~ sex + age_group + area", "gaussian")])
def test_glm_matches_svyglm(design, name, formula, family) -> None:
    ours = design.glm(formula, family=family)
    ref = REF[(REF["analysis"] == "glm") & (REF["what"] == name)].reset_index(drop=True)
    assert ours["term"].tolist() == ref["term"].tolist()  # R's term names
    _close(ours, ref, ("estimate", "se", "ci_low", "ci_high", "p"), 1e-6)
    assert ours.attrs["df"] == int(ref["df"].iloc[0])


def _calibrated(design: SurveyDesign, name: str) -> SurveyDesign:
    if name == "poststratify":
        return design.poststratify(POP)
    if name == "rake":
        return design.rake(MARGINS)
    return design.calibrate(MARGINS, method=name)


@pytest.mark.parametrize("name", ["poststratify", "rake", "linear", "raking"])
def test_calibration_matches_r(design, name) -> None:
    d = _calibrated(design, name)
    ref = _ref(f"calibration_{name}")
    assert d.w.sum() == pytest.approx(ref["estimate"].iloc[0], rel=1e-12)
    ours = pd.concat([d.mean("x"), d.total("x"), d.mean("y"), d.mean("x", by="area"), d.mean("y", by="sex")],
                     ignore_index=True)
    _close(ours, ref.iloc[1:9].reset_index(drop=True), ("estimate", "se"), 1e-8)
    _close(d.glm("y ~ sex + x"), ref.iloc[9:].reset_index(drop=True), ("estimate", "se"), 1e-6)


@pytest.mark.parametrize("name", ["poststratify", "rake", "linear", "raking"])
def test_calibrated_weights_reproduce_the_margins(design, name) -> None:
    d = _calibrated(design, name)
    for v, total in MARGINS.items():
        np.testing.assert_allclose(d.data.groupby(v)["w"].sum().reindex(total.index), total, rtol=1e-6)
    if name == "poststratify":
        cells = d.data.groupby(["area", "sex", "age_group"])["w"].sum()
        np.testing.assert_allclose(cells.to_numpy(), POP.set_index(["area", "sex", "age_group"])["N"]
                                   .reindex(cells.index).to_numpy(), rtol=1e-10)
    # calibration moved the estimate and changed its SE (a test that cannot pass by ignoring it)
    assert d.mean("x")["se"].item() != pytest.approx(design.mean("x")["se"].item(), rel=1e-3)


def test_calibration_errors_name_the_problem(design) -> None:
    with pytest.raises(CalibrationError, match="'area': the sample has level 'south'"):
        design.rake({"area": {"north": 1000, "centre": 500}})
    with pytest.raises(CalibrationError, match="population level 'east'"):
        design.rake({"area": {"north": 1000, "centre": 500, "south": 800, "east": 10}})
    with pytest.raises(CalibrationError, match="different totals"):
        design.calibrate({"sex": {"female": 10, "male": 10}, "area": {"north": 5, "centre": 5, "south": 5}})
    with pytest.raises(DesignError, match="already calibrated"):
        design.rake(MARGINS).rake(MARGINS)


def _replicate(name: str) -> ReplicateDesign:
    if name == "bootstrap":
        return ReplicateDesign(REP, "w", "^bs_", "bootstrap", scale=1 / 39)
    jk = [c for c in REP.columns if c.startswith("jk_")]
    strata = pd.Series([c.split("_")[1] for c in jk])
    n_h = strata.map(strata.value_counts()).to_numpy()
    return ReplicateDesign(REP, "w", jk, "JKn", rscales=(n_h - 1) / n_h)


@pytest.mark.parametrize("name", ["jkn", "bootstrap"])
def test_replicate_designs_match_svrepdesign(name) -> None:
    d = _replicate(name)
    ref = _ref(f"replicate_{name}")
    ours = pd.concat([d.mean("x"), d.total("x"), d.mean("y"), d.ratio("x", "z"), d.mean("x", by="sex"),
                      d.total("x", by="age_group")], ignore_index=True)
    _close(ours, ref.iloc[:9].reset_index(drop=True), ("estimate", "se"), 1e-8)
    assert d.degf() == int(ref["df"].iloc[0])
    _close(d.glm("y ~ sex + x"), ref.iloc[9:].reset_index(drop=True), ("estimate", "se"), 1e-6)


def test_replicate_design_checks_its_arguments() -> None:
    with pytest.raises(DesignError, match="JKn' needs rscales"):
        ReplicateDesign(REP, "w", "^jk_", "JKn")
    with pytest.raises(DesignError, match="no column matches"):
        ReplicateDesign(REP, "w", "^repw", "JK1")
    bad = REP.assign(bs_03=REP["bs_03"].where(REP.index != 7))
    with pytest.raises(DesignError, match=r"replicate weight 'bs_03' is missing or negative in row 7"):
        ReplicateDesign(bad, "w", "^bs_", "bootstrap")
