"""The quality flags (NCHS for proportions, CV classes for the rest) and the engine's edges: the cell key
that must not overflow, ``where=`` on a column that is not boolean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from usg_research.estimate.indicators import indicator_table
from usg_research.estimate.intervals import beta_interval, effective_n, korn_graubard
from usg_research.estimate.quality import QualityRules, flag, flag_estimates, flag_proportions, nchs_effective_n
from usg_research.estimate.survey import SurveyDesign
from usg_research.ingest.clean import clean_city


@settings(max_examples=400, deadline=None)
@given(p=st.floats(0.0, 1.0), se=st.floats(0.0, 0.3), df=st.integers(0, 400), n=st.integers(1, 5000),
       extra=st.integers(0, 50))
@example(p=1e-12, se=0.0, df=5, n=50, extra=0)  # 1 - (1 - 1e-12) rounds below the 0/1 edge: found by hypothesis
def test_a_flag_never_depends_on_reporting_p_or_its_complement(p, se, df, n, extra) -> None:
    args = (np.array([df]), np.array([n + extra]), np.array([n]))
    a = flag_proportions(np.array([p]), np.array([se]), *args)[0]
    b = flag_proportions(np.array([1 - p]), np.array([se]), *args)[0]
    assert a == b
    if min(p, 1 - p) < 1e-12 or df < 8:
        assert a != "reliable"


def test_nchs_keeps_a_precise_rare_rate_that_the_cv_suppresses() -> None:
    """Tashkent's VICT_SEXUAL_12M as the issue reports it: p = 0.94%, SE 0.30 points, n = 1,496."""
    p, se, n = np.array([0.0094]), np.array([0.0030]), np.array([1496])
    assert flag(pd.Series(se / p), pd.Series(n))[0] == "suppressed"  # CV 32%
    assert flag_proportions(p, se, np.array([80]), n, n)[0] == "reliable"
    assert flag_proportions(1 - p, se, np.array([80]), n, n)[0] == "reliable"


def test_nchs_rules_one_by_one() -> None:
    df, rows = np.array([100] * 5), np.array([2000] * 5)
    n = np.array([2000, 2000, 2000, 40, 2000])
    p = np.array([0.5, 0.5, 0.02, 0.5, 1.0])
    se = np.array([0.01, 0.09, 0.012, 0.01, 0.0])
    out = flag_proportions(p, se, df, rows, n).tolist()
    # precise; CI 0.30 wide or more; relative width over 130%; n_eff capped at the observed n (a precise-looking
    # SE from 40 people still gives an effective n of 39 and a Korn-Graubard CI 0.32 wide); p = 1: review
    assert out == ["reliable", "suppressed", "suppressed", "suppressed", "review"]
    assert flag_proportions(np.array([0.5]), np.array([0.02]), np.array([7]), np.array([500]),
                            np.array([500]))[0] == "review"
    assert flag_proportions(np.array([0.5]), np.array([0.02]), np.array([0]), np.array([500]),
                            np.array([500]))[0] == "suppressed"
    assert flag_proportions(np.array([0.5]), np.array([0.05]), np.array([100]), np.array([25]),
                            np.array([25]))[0] == "suppressed"  # n_eff under 30


def test_flags_from_the_engine_match_for_y_and_one_minus_y() -> None:
    rng = np.random.default_rng(5)
    n = 3000
    df = pd.DataFrame({"w": rng.uniform(0.5, 2, n), "h": rng.integers(0, 10, n), "psu": rng.integers(0, 6, n),
                       "g": rng.choice(list("abcdefgh"), n)})
    df["y"] = (rng.random(n) < rng.choice([0.002, 0.02, 0.3], n)).astype(float)
    df["not_y"] = 1 - df["y"]
    d = SurveyDesign(df, weight="w", strata="h", psu="psu")
    res = d.estimate(df[["y", "not_y"]], [None, "g"], proportion=[True, True])
    flags = flag_estimates(res, np.ones(len(res), dtype=bool))
    by_col = {c: flags[res["column"] == c].tolist() for c in ("y", "not_y")}
    assert by_col["y"] == by_col["not_y"]
    cv = flag_estimates(res, np.ones(len(res), dtype=bool), QualityRules(proportions="cv"))
    assert (cv[res["column"] == "y"].to_numpy() != cv[res["column"] == "not_y"].to_numpy()).any()


def test_cell_keys_do_not_overflow_with_many_columns_and_psus() -> None:
    """17 by-columns x 19,000 PSUs: a mixed-radix key would need about 300 bits."""
    rng = np.random.default_rng(11)
    n, cols = 40_000, [f"c{i}" for i in range(17)]
    df = pd.DataFrame({c: rng.integers(0, 14, n).astype(str) for c in cols})
    df["c0"] = rng.choice(["a", "b"], n)
    df["w"] = rng.uniform(1, 3, n)
    df["psu"] = rng.integers(0, 19_000, n)
    df["y"] = rng.normal(size=n)
    d = SurveyDesign(df, weight="w", psu="psu")
    res = d.estimate(df[["y"]], [cols, "c0"])
    cross = res[res["domain"] == " x ".join(cols)]
    assert len(cross) == df.groupby(cols).ngroups
    expected = (df["w"] * df["y"]).groupby(df["c0"]).sum() / df.groupby("c0")["w"].sum()
    np.testing.assert_allclose(res[res["domain"] == "c0"]["estimate"].to_numpy(), expected.to_numpy(), rtol=1e-12)
    one = cross.iloc[0]
    key = dict(zip(cols, one["level"].split(" / "), strict=True))
    rows = df[np.logical_and.reduce([df[c] == v for c, v in key.items()])]
    assert one["estimate"] == pytest.approx(np.average(rows["y"], weights=rows["w"]), rel=1e-12)


def test_where_on_a_text_column_is_an_error_naming_it() -> None:
    df = pd.DataFrame({"w": [1.0] * 4, "y": [1.0, 0, 1, 0], "victim": ["yes", "no", "yes", None],
                       "flag01": [1, 0, 1, None], "ok": [True, False, True, True]})
    d = SurveyDesign(df, weight="w")
    with pytest.raises(TypeError, match="where='victim': the column is not boolean or 0/1"):
        d.proportion("y", where="victim")
    assert d.proportion("y", where="flag01")["n"].item() == 2
    assert d.proportion("y", where="ok")["n"].item() == 3
    assert d.proportion("y", where=df["victim"].eq("yes"))["estimate"].item() == 1.0


# --- every threshold at its boundary: each comparison's side is pinned (a < moved to <= fails here) ---

def _cv_flag(cv: float, n: int) -> str:
    return flag(pd.Series([cv]), pd.Series([n]))[0]


def test_cv_classes_at_their_boundaries() -> None:
    r = QualityRules()
    assert (r.n_min, r.cv_reliable, r.cv_suppress) == (30, 0.15, 0.30)
    assert _cv_flag(0.05, 30) == "reliable" and _cv_flag(0.05, 29) == "suppressed"  # n under 30 suppressed
    assert _cv_flag(np.nextafter(0.15, 0), 100) == "reliable" and _cv_flag(0.15, 100) == "caution"
    assert _cv_flag(0.30, 100) == "caution" and _cv_flag(np.nextafter(0.30, 1), 100) == "suppressed"
    assert _cv_flag(np.nan, 100) == "suppressed"


def _nchs(p: float, se: float, df: int = 60, n: int = 400, **rules: float) -> str:
    return flag_proportions(np.array([p]), np.array([se]), np.array([df]), np.array([n]), np.array([n]),
                            QualityRules(**rules))[0]


def _measures(p: float, se: float, df: int = 60, n: int = 400) -> tuple[float, float, float]:
    """The standard's effective n, Korn-Graubard width and relative width, computed here from scratch."""
    q = 1 - (1 - min(p, 1 - p))  # the same float from p and from 1 - p
    t = stats.t.ppf(0.975, n - 1) / stats.t.ppf(0.975, df)
    ne = min(q * (1 - q) / (se * se), n) * t**2
    lo = stats.beta.ppf(0.025, ne * q, ne * (1 - q) + 1)
    hi = stats.beta.ppf(0.975, ne * q + 1, ne * (1 - q))
    return ne, hi - lo, (hi - lo) / q


def test_nchs_effective_sample_size_at_its_boundary() -> None:
    ne, _, _ = _measures(0.4, 0.05)
    assert 30 < ne < 400
    assert _nchs(0.4, 0.05, n_eff_min=ne) == "reliable"  # n_eff under the minimum is suppressed, equal is kept
    assert _nchs(0.4, 0.05, n_eff_min=float(np.nextafter(ne, np.inf))) == "suppressed"
    assert _nchs(0.6, 0.05, n_eff_min=float(np.nextafter(ne, np.inf))) == "suppressed"


def test_nchs_absolute_width_at_its_boundary() -> None:
    _, width, _ = _measures(0.4, 0.05)
    assert 0.05 < width < 0.30
    assert _nchs(0.4, 0.05, ci_width_max=width) == "suppressed"  # a width of 0.30 or more
    assert _nchs(0.4, 0.05, ci_width_max=float(np.nextafter(width, 1))) == "reliable"


def test_nchs_relative_width_at_its_boundary() -> None:
    _, width, relative = _measures(0.04, 0.012)
    assert width > 0.05 and relative > 1
    assert _nchs(0.04, 0.012, relative_width_max=relative) == "reliable"  # more than 130% is suppressed
    assert _nchs(0.04, 0.012, relative_width_max=float(np.nextafter(relative, 0))) == "suppressed"
    assert _nchs(0.96, 0.012, relative_width_max=float(np.nextafter(relative, 0))) == "suppressed"
    # applies only to an interval wider than 0.05 (strictly)
    assert _nchs(0.04, 0.012, relative_width_max=1.0, ci_width_relative_from=width) == "reliable"
    assert _nchs(0.04, 0.012, relative_width_max=1.0,
                 ci_width_relative_from=float(np.nextafter(width, 0))) == "suppressed"


def test_nchs_degrees_of_freedom_and_edges_at_their_boundaries() -> None:
    assert _nchs(0.4, 0.02, df=8) == "reliable" and _nchs(0.4, 0.02, df=7) == "review"
    assert _nchs(0.4, 0.02, df=1, n_eff_min=0, ci_width_max=1.0, relative_width_max=100) == "review"
    assert _nchs(0.4, 0.02, df=0) == "suppressed"  # no degrees of freedom: no interval
    assert _nchs(0.0, 0.0, n=400) == "review" and _nchs(1.0, 0.0, n=400) == "review"
    assert _nchs(1e-9, 1e-9, n=400) != "review"  # only 0 and 1 themselves (to 1e-12) are edges


@pytest.fixture(scope="module")
def mathare() -> pd.DataFrame:
    return clean_city("mathare")["respondent"]


def test_the_indicator_table_flags_follow_the_rules_from_the_values_before_suppression(mathare) -> None:
    """Every flag of an indicator table, recomputed from the same table built with nothing suppressed; n_min
    is set to the n of a precise row, which must stay (n under n_min is suppressed, n equal is not)."""
    design = SurveyDesign(mathare, weight="weight", strata="stratum", psu="psu")
    raw = indicator_table(design, rules=QualityRules(n_min=0, cv_suppress=np.inf, proportions="cv"))
    cv = raw["cv"].astype(float)
    edge_row = raw[(cv < 0.15) & (raw["n"] < 500)].iloc[0]
    n_min = int(edge_row["n"])
    flagged = indicator_table(design, rules=QualityRules(n_min=n_min, proportions="cv"))
    expected = np.where((raw["n"] < n_min) | ~np.isfinite(cv) | (cv > 0.30), "suppressed",
                        np.where(cv >= 0.15, "caution", "reliable"))
    assert (flagged["flag"].to_numpy() == expected).all()
    same = (flagged["indicator"] == edge_row["indicator"]) & (flagged["level"] == edge_row["level"]) \
        & (flagged["domain"] == edge_row["domain"])
    assert flagged.loc[same, "flag"].item() == "reliable"
    assert ((raw["n"] < n_min) & np.isfinite(cv) & (cv < 0.30)).any()  # some rows go by n alone


def _table(p: float, se: float, n: int, df: int = 60, N: float = 1e6) -> pd.DataFrame:
    return pd.DataFrame({"estimate": [p], "se": [se], "cv": [se / p], "n": [n], "rows": [n], "df": [df], "N": [N]})


def test_flag_estimates_wires_each_column_and_the_params_rules() -> None:
    only_n_eff = {"ci_width_max": 1.0, "relative_width_max": 100.0}  # the width rules out of the way
    # n = 100 with a design effect of 5: effective n about 20 (its SE, not its n, decides)
    clustered = _table(0.3, (0.3 * 0.7 * 5 / 100) ** 0.5, 100)
    assert flag_estimates(clustered, [True], QualityRules(**only_n_eff))[0] == "suppressed"
    assert flag_estimates(clustered, [True], QualityRules(n_eff_min=15, **only_n_eff))[0] == "reliable"
    # a design effect under 1: the effective n is at most the observed n (40, times (t(39) / t(60))^2 = 40.9),
    # not p (1 - p) / var = 625 and never the weighted N
    precise = _table(0.5, 0.02, 40, N=5e5)
    assert flag_estimates(precise, [True], QualityRules(n_eff_min=41, **only_n_eff))[0] == "suppressed"
    assert flag_estimates(precise, [True], QualityRules(n_eff_min=40, **only_n_eff))[0] == "reliable"
    # CV classes for what is not a proportion, or for every estimate when params say proportions: cv
    assert flag_estimates(precise, [False], QualityRules(n_eff_min=41))[0] == "reliable"  # CV 0.04, n 40
    assert flag_estimates(precise, [True], QualityRules(n_eff_min=41, proportions="cv"))[0] == "reliable"
    # the default level is 95%
    assert flag_estimates(clustered, [True]).tolist() == flag_estimates(clustered, [True], level=0.95).tolist()


def test_korn_graubard_at_zero_one_and_without_sampling_variance() -> None:
    df, n = np.array([20]), np.array([50])
    t = (stats.t.ppf(0.975, 49) / stats.t.ppf(0.975, 20)) ** 2
    # p = 0: no variance, the observed n (df-adjusted) gives the Clopper-Pearson upper bound 1 - (alpha/2)^(1/n)
    lo, hi = korn_graubard(np.array([0.0]), np.array([0.0]), df, n, n)
    assert lo[0] == 0 and hi[0] == pytest.approx(1 - 0.025 ** (1 / (50 * t)), rel=1e-12)
    lo, hi = korn_graubard(np.array([1.0]), np.array([0.0]), df, n, n)
    assert hi[0] == 1 and lo[0] == pytest.approx(0.025 ** (1 / (50 * t)), rel=1e-12)
    # 0 < p < 1 with no variance (a census) is [p, p], from df = 1; with no df there is no interval
    lo, hi = korn_graubard(np.array([0.3, 0.3]), np.array([0.0, 0.0]), np.array([1, 0]), np.array([50, 50]),
                           np.array([50, 50]))
    assert (lo[0], hi[0]) == (0.3, 0.3) and np.isnan(lo[1]) and np.isnan(hi[1])
    # the default level is 95%
    a = korn_graubard(np.array([0.2]), np.array([0.05]), np.array([30]), np.array([100]), np.array([100]))
    b = korn_graubard(np.array([0.2]), np.array([0.05]), np.array([30]), np.array([100]), np.array([100]), 0.95)
    assert a == b and effective_n(np.array([0.2]), np.array([0.05]), np.array([30]), np.array([100]),
                                  np.array([100]))[0] == pytest.approx(0.2 * 0.8 / 0.05**2 * (
                                      stats.t.ppf(0.975, 99) / stats.t.ppf(0.975, 30)) ** 2, rel=1e-12)


def test_an_edge_proportion_with_a_standard_error_is_reviewed_on_its_observed_n() -> None:
    """p within 1e-12 of 0 or 1 is treated as exactly 0 or 1 (its tiny SE and relative width ignored): review
    on the observed n, not suppressed for an effective n or a relative width computed from the rounding."""
    assert _nchs(1e-13, 0.01) == "review" and _nchs(1 - 1e-13, 0.01) == "review"
    assert _nchs(1e-13, 0.01, n=50, relative_width_max=0.5) == "review"  # width 0.07 over 5 points


def test_the_flags_follow_the_confidence_level() -> None:
    """A proportion whose 90% interval is under 30 points wide and its 95% interval is not."""
    p, se, df, n = np.array([0.5]), np.array([0.08]), np.array([60]), np.array([400])
    _, w95, _ = _measures(0.5, 0.08)
    assert w95 > 0.30
    assert flag_proportions(p, se, df, n, n)[0] == "suppressed"
    assert flag_proportions(p, se, df, n, n, level=0.90)[0] == "reliable"
    table = _table(0.5, 0.08, 400)
    assert flag_estimates(table, [True], level=0.90)[0] == "reliable"


def test_flags_keep_the_tables_index_and_the_default_level() -> None:
    cv, n = pd.Series([0.1, 0.4], index=[10, 11]), pd.Series([100, 100], index=[10, 11])
    assert flag(cv, n).index.tolist() == [10, 11]
    args = (np.array([0.2]), np.array([0.05]), np.array([30]), np.array([100]), np.array([100]))
    assert nchs_effective_n(*args)[0] == nchs_effective_n(*args, level=0.95)[0]
    assert flag_proportions(*args).tolist() == flag_proportions(*args, level=0.95).tolist()


def test_every_step_uses_the_callers_confidence_level() -> None:
    p, se, df, n = np.array([0.3]), np.array([0.04]), np.array([60]), np.array([400])
    t90 = (stats.t.ppf(0.95, 399) / stats.t.ppf(0.95, 60)) ** 2
    ne90 = 0.3 * 0.7 / 0.04**2 * t90
    assert nchs_effective_n(p, se, df, n, n, level=0.90)[0] == pytest.approx(ne90, rel=1e-12)
    assert effective_n(p, se, df, n, n, level=0.90)[0] == pytest.approx(ne90, rel=1e-12)
    lo, hi = korn_graubard(p, se, df, n, n, level=0.90)
    assert lo[0] == pytest.approx(stats.beta.ppf(0.05, ne90 * 0.3, ne90 * 0.7 + 1), rel=1e-12)
    assert hi[0] == pytest.approx(stats.beta.ppf(0.95, ne90 * 0.3 + 1, ne90 * 0.7), rel=1e-12)
    assert beta_interval(p, np.array([ne90]))[0][0] == beta_interval(p, np.array([ne90]), 0.95)[0][0]
    # the effective n at 90% sits on the minimum: kept at 90%, whatever the 95% one would be
    assert flag_proportions(p, se, df, n, n, QualityRules(n_eff_min=float(nchs_effective_n(p, se, df, n, n, 0.90)[0])),
                            level=0.90)[0] == "reliable"
