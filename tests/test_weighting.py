"""Weighting: the pilots' weights calibrated to their census adults, and TAB-MET-04 as published."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from usg_research.estimate.context import adult_population
from usg_research.estimate.survey import SurveyDesign
from usg_research.estimate.weighting import calibrate_to_census, calibration_classes, census_margins, weights_table
from usg_research.reports import resolve

OUTPUTS = Path(__file__).resolve().parents[1] / "outputs"
PILOTS = ["iztapalapa", "mathare", "tashkent"]


def _sampling_design(report: str) -> tuple[SurveyDesign, pd.DataFrame, object]:
    spec = resolve(report)
    data = spec.source.load()
    people = data["respondent"]
    design = SurveyDesign(people, weight="weight", strata="stratum", psu="psu", lonely_psu=spec.params.lonely_psu,
                          frame=spec.source.frame())
    return design, data.tables["population"], spec.params.calibration


@pytest.mark.parametrize("report", PILOTS)
@pytest.mark.parametrize("method", ["rake", "linear", "raking"])
def test_calibrated_pilot_weights_reproduce_the_census_margins(report: str, method: str) -> None:
    design, population, cal = _sampling_design(report)
    calibrated, imputed = calibrate_to_census(design, population, cal.margins, method)
    for v, census in census_margins(population, cal.margins).items():
        got = pd.Series(calibrated.w).groupby(calibrated.data[f"{v}_cal"].to_numpy()).sum()
        np.testing.assert_allclose(got[census.index].to_numpy(), census.to_numpy(), rtol=1e-6)
        assert imputed[v] == int(design.data[v].isna().sum())
    # the census total of adults, and the respondents all kept
    assert calibrated.w.sum() == pytest.approx(census_margins(population, cal.margins[:1])[cal.margins[0]].sum(),
                                               rel=1e-9)
    assert len(calibrated.w) == len(design.w)


def test_poststratified_weights_reproduce_the_census_cross() -> None:
    design, population, _ = _sampling_design("mathare")
    calibrated, _ = calibrate_to_census(design, population, ["sex", "area"], "poststratify")
    cells = calibrated.data[["sex_cal", "area_cal"]].astype(str).agg("|".join, axis=1)
    got = pd.Series(calibrated.w).groupby(cells.to_numpy()).sum()
    census = adult_population(population).groupby(["sex", "area"])["population"].sum()
    census.index = [f"{s}|{a}" for s, a in census.index]
    np.testing.assert_allclose(got[census.index].to_numpy(), census.to_numpy(dtype=float), rtol=1e-6)


def test_a_missing_calibration_class_takes_its_stratums_most_common_level() -> None:
    data = pd.DataFrame({"stratum": ["a"] * 4 + ["b"] * 2 + ["c"] * 3, "psu": range(9), "w": 1.0,
                         "age": ["x", "y", "y", None, None, None, "x", "x", None]})
    design = SurveyDesign(data, weight="w", strata="stratum", psu="psu", lonely_psu="adjust")
    classes, imputed = calibration_classes(design, ["age"])
    # a: y (2 of 3); b: nobody answered, the most common level overall (x: 3, y: 2); c: x
    assert classes["age_cal"].tolist() == ["x", "y", "y", "y", "x", "x", "x", "x", "x"]
    assert imputed == {"age": 4}
    assert data["age"].isna().sum() == 4  # the variable itself stays missing


def test_weights_table_counts_and_kish() -> None:
    design, population, cal = _sampling_design("mathare")
    calibrated, imputed = calibrate_to_census(design, population, cal.margins, cal.method)
    t = weights_table(design, calibrated, population, imputed).set_index(["part", "variable", "level"])
    w0, w1 = design.w, calibrated.w
    assert t.loc[("weights", "kish", ""), "design"] == pytest.approx(len(w0) * (w0**2).sum() / w0.sum() ** 2)
    assert t.loc[("weights", "kish", ""), "calibrated"] == pytest.approx(len(w1) * (w1**2).sum() / w1.sum() ** 2)
    assert t.loc[("weights", "imputed", "age_group"), "calibrated"] == design.data["age_group"].isna().sum() > 0
    # uncalibrated: only the design column, no margins
    plain = weights_table(design, design, population)
    assert plain["calibrated"].isna().all() and set(plain["part"]) == {"weights"}


@pytest.mark.parametrize("report", PILOTS)
def test_published_tab_met_04_shows_calibrated_totals_equal_to_the_census(report: str) -> None:
    t = pd.read_csv(OUTPUTS / report / "tables" / "TAB-MET-04.csv", keep_default_na=False, na_values=[""])
    margins = t[t["part"] == "margin"]
    assert set(margins["variable"]) == set(resolve(report).params.calibration.margins)
    np.testing.assert_allclose(margins["calibrated"], margins["census"], rtol=1e-6)
    assert not np.allclose(margins["design"], margins["census"], rtol=1e-3)  # the weights did move
