"""The design's API beyond R's reference values: universes, levels, what a derived design keeps, and errors.

Each test pins a behaviour that mutation testing (``make mutation``) found unchecked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from usg_research.estimate.calibration import CalibrationError
from usg_research.estimate.intervals import korn_graubard
from usg_research.estimate.survey import DesignError, SurveyDesign

R = Path(__file__).parent / "r"
CAL = pd.read_csv(R / "design_calibration.csv")
FPC = pd.read_csv(R / "design_fpc.csv")
POP = pd.read_csv(R / "population_calibration.csv")
MARGINS = {v: POP.groupby(v)["N"].sum() for v in ("sex", "age_group", "area")}


@pytest.fixture(scope="module")
def design() -> SurveyDesign:
    return SurveyDesign(CAL, weight="w", strata="stratum", psu="psu")


def test_difference_of_a_proportion_of_chosen_answers(design) -> None:
    """``kind="proportion"`` with ``values``: the share giving one of those answers, as a 0/1 column's mean."""
    trust = design.data["trust"]
    shares = pd.DataFrame({"t": np.where(trust.isna(), np.nan, trust.isin(["a_lot", "some"]).astype(float))})
    ours = design.difference("trust", "sex", ["female", "male"], kind="proportion", values=["a_lot", "some"])
    same = design.with_columns(shares).difference("t", "sex", ["female", "male"])
    pd.testing.assert_series_equal(ours, same)
    assert ours["estimate"] != design.with_columns(shares.assign(t=trust.eq("a_lot").astype(float))).difference(
        "t", "sex", ["female", "male"])["estimate"]


def test_difference_within_a_universe_and_at_another_level(design) -> None:
    young = (design.data["age_group"] == "18-24").to_numpy()
    ours = design.difference("x", "sex", ["female", "male"], where=young)
    means = design.mean("x", by="sex", where=young).set_index("sex")["estimate"]
    assert ours["estimate"] == pytest.approx(means["female"] - means["male"], rel=1e-12)
    assert ours["df"] == design.degf(young)
    wide = design.difference("x", "sex", ["female", "male"], where=young, level=0.90)
    t = stats.t.ppf(0.95, ours["df"])
    assert wide["ci_high"] - wide["ci_low"] == pytest.approx(2 * t * ours["se"], rel=1e-12)


def test_difference_needs_observed_rows_at_both_levels(design) -> None:
    with pytest.raises(ValueError, match="^kind='average': one of 'mean', 'proportion', 'total'$"):
        design.difference("x", "sex", ["female", "male"], kind="average")  # type: ignore[arg-type]
    # x has no missing value among these rows: the check must not confuse missing and observed
    full = design.with_columns(pd.DataFrame({"z": np.arange(len(design.w), dtype=float)}))
    assert np.isfinite(full.difference("z", "sex", ["female", "male"])["se"])
    empty = design.with_columns(pd.DataFrame({"z": np.where(design.data["sex"] == "male", np.nan, 1.0)}))
    with pytest.raises(ValueError, match=r"'sex' has no observed row at level 'male' \(levels: \['female', 'male'\]\)"):
        empty.difference("z", "sex", ["female", "male"])


def test_glm_in_a_domain_is_the_subset_fit_with_the_domains_df(design) -> None:
    south = (design.data["area"] == "south").to_numpy()
    ours = design.glm("x ~ sex + age_group", family="gaussian", where=south)
    subset = SurveyDesign(CAL[south].reset_index(drop=True), weight="w", strata="stratum", psu="psu")
    np.testing.assert_allclose(ours["estimate"], subset.glm("x ~ sex + age_group", family="gaussian")["estimate"],
                               rtol=1e-10)
    used = south & CAL["x"].notna().to_numpy()
    assert ours.attrs["n"] == used.sum()
    assert ours.attrs["df"] == design.degf(used) + 1 - len(ours)


def test_derived_designs_keep_the_fpc_the_frame_and_the_calibration() -> None:
    fpc = SurveyDesign(FPC, weight="w", strata="stratum", psu="psu", fpc="fpc")
    extra = pd.DataFrame({"k": np.ones(len(FPC))})
    assert fpc.with_columns(extra).mean("x")["se"].item() == fpc.mean("x")["se"].item()
    raked = fpc.rake({"sex": fpc.data.groupby("sex")["w"].sum() * [1.1, 0.9]})
    with_replacement = SurveyDesign(FPC, weight="w", strata="stratum", psu="psu").rake(
        {"sex": fpc.data.groupby("sex")["w"].sum() * [1.1, 0.9]})
    assert raked.mean("x")["estimate"].item() == pytest.approx(with_replacement.mean("x")["estimate"].item())
    assert raked.mean("x")["se"].item() < with_replacement.mean("x")["se"].item()  # the fpc stayed
    assert raked.with_columns(extra).mean("x")["se"].item() == raked.mean("x")["se"].item()  # and the calibration
    # a frame of PSUs: the PSUs without a respondent stay in the derived designs' variance
    some = CAL[CAL["psu"] != CAL["psu"].iloc[0]].reset_index(drop=True)
    framed = SurveyDesign(some, weight="w", strata="stratum", psu="psu", frame=CAL[["stratum", "psu"]])
    plain = SurveyDesign(some, weight="w", strata="stratum", psu="psu")
    assert framed.mean("x")["se"].item() != plain.mean("x")["se"].item()
    ones = pd.DataFrame({"k": np.ones(len(some))})
    assert framed.with_columns(ones).mean("x")["se"].item() == framed.mean("x")["se"].item()
    m = {"sex": some.groupby("sex")["w"].sum()}
    assert framed.rake(m).mean("x")["se"].item() != plain.rake(m).mean("x")["se"].item()


def test_calibration_defaults_limits_and_errors(design) -> None:
    assert design.calibrate(MARGINS).mean("x").equals(design.calibrate(MARGINS, method="linear").mean("x"))
    with pytest.raises(CalibrationError):
        design.rake(MARGINS, max_iter=1)  # three margins that disagree with the weights: not met in one pass
    with pytest.raises(DesignError, match="^this design is already calibrated; calibrate once, from the sampling "
                                          "weights, to all the margins together$"):
        design.rake(MARGINS).poststratify(POP)


def test_a_frame_of_psus_is_checked() -> None:
    frame = CAL[["stratum", "psu"]]
    with pytest.raises(DesignError, match="^a frame of PSUs needs a psu column and cannot be combined with fpc$"):
        SurveyDesign(FPC, weight="w", strata="stratum", psu="psu", fpc="fpc", frame=FPC[["stratum", "psu"]])
    with pytest.raises(DesignError, match=r"the frame of PSUs has no column 'psu' \(it needs \['stratum', 'psu'\]\)"):
        SurveyDesign(CAL, weight="w", strata="stratum", psu="psu", frame=frame.rename(columns={"psu": "upm"}))
    first = tuple(CAL[["stratum", "psu"]].drop_duplicates().sort_values(["stratum", "psu"]).iloc[0])
    with pytest.raises(DesignError, match=rf"1 PSUs of the data are not in the frame, e.g. \['{first[0]}', "
                                          rf"'{first[1]}'\]"):
        SurveyDesign(CAL, weight="w", strata="stratum", psu="psu",
                     frame=frame[~((frame["stratum"] == first[0]) & (frame["psu"] == first[1]))])


def test_estimate_rejects_an_unknown_kind_interval_or_level_and_a_stray_denominator(design) -> None:
    y = design.data[["x"]]
    with pytest.raises(ValueError, match="kind='average': one of 'mean', 'total', 'ratio'"):
        design.estimate(y, [None], kind="average")
    with pytest.raises(ValueError, match="ci='exact': one of 'logit', 'beta', 'wald'"):
        design.proportion("y", ci="exact")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level=95: a confidence level between 0 and 1"):
        design.mean("x", level=95)
    with pytest.raises(ValueError, match="a ratio needs a denominator, and only a ratio takes one"):
        design.estimate(y, [None], kind="mean", denominator=design.data[["z"]])
    with pytest.raises(ValueError, match="a ratio needs a denominator"):
        design.estimate(y, [None], kind="ratio")


def test_each_public_estimator_honours_its_universe_values_and_level(design) -> None:
    south = (design.data["area"] == "south").to_numpy()
    d = design.data
    ok = south & d["x"].notna().to_numpy()
    assert design.total("x", where=south)["estimate"].item() == pytest.approx((d["w"] * d["x"])[ok].sum(), rel=1e-12)
    both = south & d["x"].notna().to_numpy() & d["z"].notna().to_numpy()
    assert design.ratio("x", "z", where=south)["estimate"].item() == pytest.approx(
        (d["w"] * d["x"])[both].sum() / (d["w"] * d["z"])[both].sum(), rel=1e-12)
    assert np.isnan(design.ratio("x", "z")["deff"].item())  # R's svyratio gives no design effect
    share = design.proportion("trust", values=["a_lot"])["estimate"].item()
    answered = d["trust"].notna()
    assert share == pytest.approx((d["w"] * d["trust"].eq("a_lot"))[answered].sum() / d["w"][answered].sum(),
                                  rel=1e-12)
    m95, m90 = design.mean("x"), design.mean("x", level=0.90)
    assert m90["ci_high"].item() - m90["ci_low"].item() < m95["ci_high"].item() - m95["ci_low"].item()
    assert m95.equals(design.mean("x", level=0.95))  # the default level is 95%


def test_where_a_column(design) -> None:
    d = design.data
    flags = pd.DataFrame({"b": pd.array(np.where(d.index % 3 == 0, pd.NA, d["sex"].eq("female")), dtype="boolean")})
    flagged = design.with_columns(flags)
    inside = (d["sex"].eq("female") & (d.index % 3 != 0)).to_numpy()
    np.testing.assert_array_equal(flagged.universe("b"), inside)  # a missing flag is outside
    first = d["sex"].dropna()
    assert first.iloc[0] != first.iloc[1]
    with pytest.raises(TypeError, match=rf"where='sex': the column is not boolean or 0/1 \(e.g. '{first.iloc[0]}'\)"):
        design.universe("sex")
    with pytest.raises(KeyError, match="where='nope': no such column"):
        design.universe("nope")
    with pytest.raises(ValueError, match=f"where must be a column name or a boolean mask of length {len(d)}"):
        design.universe(np.ones(3, dtype=bool))


def test_design_arguments_are_checked_by_name() -> None:
    lonely = pd.read_csv(R / "design_lonely.csv")
    removed = SurveyDesign(lonely, weight="w", strata="stratum", psu="psu", lonely_psu="remove")
    assert np.isfinite(removed.mean("x")["se"].item())
    with pytest.raises(DesignError, match="lonely_psu must be fail, adjust, certainty or remove, not 'drop'"):
        SurveyDesign(lonely, weight="w", strata="stratum", psu="psu", lonely_psu="drop")  # type: ignore[arg-type]
    text = CAL.assign(w=CAL["w"].astype(str).where(CAL.index != 4, "n/a"))
    with pytest.raises(DesignError, match=r"weight column 'w' must be positive and finite; 1 rows are not "
                                          r"\(positions \[4\] ...\)"):
        SurveyDesign(text, weight="w", strata="stratum", psu="psu")


def test_weights_must_be_positive_and_five_bad_rows_are_named() -> None:
    zero = CAL.assign(w=CAL["w"].where(CAL.index != 2, 0.0))
    with pytest.raises(DesignError, match=r"1 rows are not \(positions \[2\] ...\)"):
        SurveyDesign(zero, weight="w", strata="stratum", psu="psu")
    many = CAL.assign(w=CAL["w"].where(CAL.index >= 7, -1.0))
    with pytest.raises(DesignError, match=r"7 rows are not \(positions \[0, 1, 2, 3, 4\] ...\)"):
        SurveyDesign(many, weight="w", strata="stratum", psu="psu")


def test_psu_ids_may_repeat_across_strata(design) -> None:
    """PSUs numbered within each stratum (1, 2, ... in every stratum, R's nest=TRUE) are distinct PSUs."""
    nested = CAL.assign(psu=CAL.groupby("stratum")["psu"].transform(lambda s: pd.factorize(s)[0] + 1))
    assert nested["psu"].nunique() < CAL["psu"].nunique()
    again = SurveyDesign(nested, weight="w", strata="stratum", psu="psu")
    pd.testing.assert_frame_equal(again.mean("x", by="sex"), design.mean("x", by="sex"))
    assert again.degf() == design.degf()


def test_a_beta_interval_through_the_estimator_at_another_level(design) -> None:
    none = design.with_columns(pd.DataFrame({"z0": np.where(design.data["area"] == "north", 0.0, 1.0)}))
    res = none.proportion("z0", by="area", ci="beta", level=0.90).set_index("area")
    n = int((design.data["area"] == "north").sum())
    df = none.degf((design.data["area"] == "north").to_numpy())
    lo, hi = korn_graubard(np.array([0.0]), np.array([0.0]), np.array([df]), np.array([n]), np.array([n]), 0.90)
    assert res.loc["north", "ci_low"] == 0 and res.loc["north", "ci_high"] == pytest.approx(hi[0], rel=1e-12)


def test_estimate_defaults_and_its_tidy_index(design) -> None:
    res = design.estimate(design.data[["x", "y"]], [None, "sex"])
    assert res.index.tolist() == list(range(len(res))) == list(range(6))
    assert res.equals(design.estimate(design.data[["x", "y"]], [None, "sex"], kind="mean", level=0.95,
                                      proportion=[False, False], ci="logit"))


def test_universes_from_nullable_columns_and_masks_with_gaps() -> None:
    female = CAL["sex"].eq("female")
    data = CAL.assign(b=pd.array(np.where(CAL.index % 3 == 0, pd.NA, female), dtype="boolean"),
                      f=np.where(CAL.index % 3 == 0, np.nan, female.astype(float)))
    d = SurveyDesign(data, weight="w", strata="stratum", psu="psu")
    inside = (female & (CAL.index % 3 != 0)).to_numpy()
    np.testing.assert_array_equal(d.universe("b"), inside)  # a missing flag is outside
    np.testing.assert_array_equal(d.universe("f"), inside)
    np.testing.assert_array_equal(d.universe(data["f"].to_numpy()), inside)  # a mask with gaps: NaN is outside


def test_codes_need_values_and_categories_are_not_numbers(design) -> None:
    with pytest.raises(ValueError, match=r"^'sex' holds codes, not 0/1; pass values=\[\.\.\.\] naming the codes"):
        design.proportion("sex")
    cat = SurveyDesign(CAL.assign(k=pd.Categorical(CAL["y"])), weight="w", strata="stratum", psu="psu")
    with pytest.raises(TypeError, match="'k' is not numeric"):
        cat.mean("k")


def test_tidy_tables_have_integer_counts_and_no_empty_domains(design) -> None:
    no_men = design.with_columns(pd.DataFrame({"v": np.where(design.data["sex"] == "male", np.nan, 1.0)}))
    res = no_men.estimate(no_men.data[["v"]], ["sex", ["sex", "age_group"]])
    assert set(res["level"]) == {"female"} | {f"female / {a}" for a in ("18-24", "25-44", "45+")}
    for col in ("n", "df", "rows"):
        assert pd.api.types.is_integer_dtype(res[col]), col


def test_logit_intervals_at_zero_and_one_and_without_df(design) -> None:
    d = design.data
    z = design.with_columns(pd.DataFrame({"z0": np.where(d["area"] == "north", 0.0, 1.0)}))
    res = z.proportion("z0", by="area").set_index("area")
    assert (res.loc["north", "ci_low"], res.loc["north", "ci_high"]) == (0.0, 0.0)
    assert (res.loc["south", "ci_low"], res.loc["south", "ci_high"]) == (1.0, 1.0)
    one_psu = (d["psu"] == d["psu"].iloc[0]).to_numpy()
    zero = z.proportion("z0", where=one_psu & (d["area"] == "north").to_numpy())
    assert zero["ci_low"].isna().all() and zero["ci_high"].isna().all()  # no df: no interval, even at 0


def test_levels_must_lie_strictly_between_zero_and_one(design) -> None:
    for level in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match=rf"^level={level!r}: a confidence level between 0 and 1, e.g. 0.95$"):
            design.mean("x", level=level)
    with pytest.raises(ValueError, match="^a ratio needs a denominator, and only a ratio takes one$"):
        design.estimate(design.data[["x"]], [None], kind="ratio")


def test_domains_of_two_columns_and_rows_without_a_domain(design) -> None:
    two = design.mean("x", by=["sex", "age_group"])
    assert set(two["sex"]) == {"female", "male"} and set(two["age_group"]) == {"18-24", "25-44", "45+"}
    gaps = design.with_columns(pd.DataFrame({"g": design.data["sex"].where(design.data.index % 4 != 0)}))
    res = gaps.estimate(gaps.data[["x"]], ["g"])
    assert set(res["level"]) == {"female", "male"}  # rows with no sex recorded form no domain


def test_a_text_column_is_not_a_mean_and_fpc_must_be_constant_in_a_stratum(design) -> None:
    with pytest.raises(TypeError, match="'sex' is not numeric"):
        design.mean("sex")
    varying = FPC.assign(fpc=FPC["fpc"] + FPC.index % 2)
    with pytest.raises(DesignError, match="fpc column 'fpc' must be constant within strata"):
        SurveyDesign(varying, weight="w", strata="stratum", psu="psu", fpc="fpc")
