"""Design-based survey estimation: Taylor-linearised SEs, domains, CIs, design effects, calibration, models.

Declare the design once, then ask for estimates by domain, as with R's ``survey`` package (Lumley):
``svydesign(ids=~psu, strata=~stratum, weights=~w)`` becomes :class:`SurveyDesign`,
``svyby(~y, ~sex, d, svymean)`` becomes ``d.mean("y", by="sex")``, ``svyratio`` ``d.ratio``,
``svyglm`` ``d.glm``, ``svycontrast`` of two domains ``d.difference``, ``postStratify`` / ``rake`` /
``calibrate`` ``d.poststratify`` / ``d.rake`` / ``d.calibrate``. Variances are with-replacement
(first-stage PSUs within strata); domains are estimated on the full design (rows outside the domain
contribute zeros, never dropped); degrees of freedom are R's ``degf()`` of the domain's subset;
proportion CIs are logit by default. Results agree with R ``survey`` 4.1.1 as tested: estimates and SEs to
1e-8 relative, CIs, p and deff to 1e-6 (tests/test_survey_vs_r.py and tests/test_survey_models_vs_r.py,
reference values from the R scripts in tests/r/, with and without fpc).

The engine aggregates each estimate to PSU x domain cells once (``numpy`` bincounts), so a whole
indicator catalogue over several disaggregations is one pass over the microdata.

Examples
--------
>>> df = pd.DataFrame({"w": [1.0, 2, 1, 3, 2, 1], "h": [1, 1, 1, 2, 2, 2], "psu": [1, 1, 2, 3, 4, 4],
...                    "y": [1, 0, 1, 1, 0, 0], "sex": ["f", "m", "f", "m", "f", "m"]})
>>> d = SurveyDesign(df, weight="w", strata="h", psu="psu")
>>> d.proportion("y").round(4)[["estimate", "se", "n", "N"]]
   estimate      se  n     N
0       0.5  0.3162  6  10.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .base import DesignBase, DesignError, by_list, check_arguments, spec_domains, tidy
from .calibration import Calibration, Margin, calibrate_weights, poststratify_weights, rake_weights
from .cells import aggregate, fine_cells
from .contrasts import contrast_row
from .engine import domain_estimates
from .intervals import CI
from .regression import Family, fit_glm, glm_table, model_matrix
from .variance import StrataVariance

LonelyPSU = Literal["fail", "adjust", "certainty", "remove"]
Kind = Literal["mean", "total", "ratio"]
__all__ = ["DesignError", "SurveyDesign"]


class SurveyDesign(DesignBase):
    """A survey design: weights, optional strata and PSUs, optional finite population correction.

    Parameters
    ----------
    data : the microdata (one row per respondent).
    weight : column of sampling weights (positive).
    strata : column of strata; None for an unstratified design.
    psu : column of primary sampling units (clusters), nested in strata; None: each row is its own PSU.
    fpc : column with the number of PSUs in the population of the row's stratum (without-replacement
        correction ``(N_h - n_h) / N_h``); None: with replacement.
    lonely_psu : what a stratum with a single PSU contributes, as R's ``options(survey.lonely.psu)``:
        ``fail`` (raise, the default), ``adjust`` (centred at zero rather than the stratum mean),
        ``certainty`` or ``remove`` (zero).
    frame : every sampled PSU of the design (columns ``strata`` and ``psu``), when ``data`` holds only
        the rows of one domain (a municipality of a national survey). The other PSUs contribute zeros
        to their strata, exactly as R's ``subset()`` of the full design; degrees of freedom count the
        PSUs present in ``data`` (R ``degf`` of the subset).
    calibration : set by :meth:`poststratify`, :meth:`rake` and :meth:`calibrate` (the weights it made
        replace ``weight`` in ``data``).

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 1, 1, 1], "psu": [1, 1, 2, 3], "x": [1.0, 2, 3, 4]})
    >>> SurveyDesign(df, weight="w", psu="psu").mean("x")["estimate"].item()
    2.5
    """

    def __init__(self, data: pd.DataFrame, weight: str, strata: str | None = None, psu: str | None = None,
                 fpc: str | None = None, lonely_psu: LonelyPSU = "fail", frame: pd.DataFrame | None = None,
                 calibration: Calibration | None = None):
        if lonely_psu not in ("fail", "adjust", "certainty", "remove"):
            raise DesignError(f"lonely_psu must be fail, adjust, certainty or remove, not {lonely_psu!r}")
        for col in (weight, strata, psu, fpc):
            if col is not None and col not in data.columns:
                raise DesignError(f"design column {col!r} is not in the data (columns: {list(data.columns)[:12]} ...)")
        if calibration is not None:
            data = data.assign(**{weight: calibration.weights})
        self.data, self.calibration, self._frame = data, calibration, frame
        self.weight, self.strata, self.psu, self.fpc, self.lonely_psu = weight, strata, psu, fpc, lonely_psu
        w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(w) | (w <= 0)
        if bad.any():
            rows = np.flatnonzero(bad)[:5].tolist()
            raise DesignError(f"weight column {weight!r} must be positive and finite; "
                              f"{int(bad.sum())} rows are not (positions {rows} ...)")
        self.w = w
        n = len(data)
        design = data[[c for c in (strata, psu) if c is not None]]
        if frame is not None:
            design = pd.concat([design, _frame_rows(data, frame, strata, psu, fpc)], ignore_index=True)
        if strata is not None:
            if design[strata].isna().any():
                raise DesignError(f"strata column {strata!r} has missing values")
            h_all, strata_levels = pd.factorize(design[strata], sort=True)
            self.strata_levels = list(strata_levels)
        else:
            h_all, self.strata_levels = np.zeros(len(design), dtype=np.int64), ["(all)"]
        if psu is not None:
            if design[psu].isna().any():
                raise DesignError(f"psu column {psu!r} has missing values")
            # PSU ids are nested in strata: the same id in two strata is two PSUs (R: nest=TRUE)
            psu_codes, psu_levels = pd.factorize(design[psu], sort=True)
            key = h_all.astype(np.int64) * (len(psu_levels) + 1) + psu_codes
            p_all = np.unique(key, return_inverse=True)[1].astype(np.int64)
        else:
            p_all = np.arange(n)
        self.h, self.p = h_all[:n], p_all[:n]
        n_psu = int(p_all.max()) + 1 if len(p_all) else 0
        psu_stratum = np.zeros(n_psu, dtype=np.int64)
        psu_stratum[p_all] = h_all
        H = len(self.strata_levels)
        n_h = np.bincount(psu_stratum, minlength=H).astype(float)
        f = np.ones(H)
        if fpc is not None:
            pop = pd.to_numeric(data[fpc], errors="coerce").to_numpy(dtype=float)
            per_h = pd.Series(pop).groupby(self.h).agg(["min", "max"])
            if (per_h["min"] != per_h["max"]).any() or (per_h["min"] < n_h[per_h.index]).any():
                raise DesignError(f"fpc column {fpc!r} must be constant within strata and at least the "
                                  "number of sampled PSUs")
            f[per_h.index] = (per_h["min"].to_numpy() - n_h[per_h.index]) / per_h["min"].to_numpy()
        if (n_h == 1).any() and lonely_psu == "fail":
            names = [str(self.strata_levels[i]) for i in np.flatnonzero(n_h == 1)]
            raise DesignError(f"strata with a single PSU: {names}; choose lonely_psu='adjust' or 'certainty' "
                              "(as R's options(survey.lonely.psu=...)) and report the choice")
        self.variance = StrataVariance(psu_stratum, f, lonely_psu)
        self.n_psu, self.H = n_psu, H
        self._wpc = calibration.psu_cell_weights(self.p, n_psu) if calibration is not None else None

    def __repr__(self) -> str:
        parts = [f"{len(self.w):,} rows", f"weight {self.weight!r}"]
        parts.append(f"{self.H} strata {self.strata!r}" if self.strata else "no strata")
        parts.append(f"{self.n_psu:,} PSUs {self.psu!r}" if self.psu else "each row its own PSU")
        if self.fpc:
            parts.append(f"fpc {self.fpc!r}")
        parts.append(f"lonely PSUs: {self.lonely_psu}")
        if self.calibration is not None:
            parts.append(f"calibrated ({self.calibration.method}) to {self.calibration.variables}")
        return f"SurveyDesign({'; '.join(parts)})"

    # --- estimates -------------------------------------------------------------------------

    def degf(self, where: object = None) -> int:
        """Design degrees of freedom: PSUs minus strata (of the rows in ``where``), as R's ``degf``."""
        mask = self.universe(where)
        return int(len(np.unique(self.p[mask])) - len(np.unique(self.h[mask])))

    def estimate(self, y: pd.DataFrame, by: Sequence[str | Sequence[str] | None], kind: str = "mean",
                 level: float = 0.95, proportion: Sequence[bool] | None = None, ci: CI = "logit",
                 where: object = None, denominator: pd.DataFrame | None = None) -> pd.DataFrame:
        """Estimate many columns over many disaggregations in one pass.

        Parameters
        ----------
        y : one numeric column per estimate, aligned with the design's rows; NaN = a missing answer.
        by : disaggregations: None for the whole sample, a column name, or a list of column names.
        kind : ``mean`` (and proportions), ``total``, or ``ratio`` (of ``y`` over ``denominator``).
        proportion : per column, whether it is a proportion (``ci`` intervals); default all False.
        where : the universe: a boolean mask (rows) or one per column (a DataFrame or rows x columns
            array); default every row. Degrees of freedom count the PSUs with a row of a domain's
            universe, whether or not ``y`` is observed there (R ``degf`` of the domain's subset).

        Returns
        -------
        DataFrame
            Tidy: ``column, domain, level`` then ``estimate, se, ci_low, ci_high, cv, deff, n, N, df, rows``,
            where ``domain`` names the disaggregation ("total", "sex", "sex x age_group"), ``level``
            its value ("total", "female", "female / 18-24"), ``n`` the observed rows and ``rows`` all the
            rows of the domain's universe.
        """
        check_arguments(kind, ci, level, denominator)
        Y = y.to_numpy(dtype=float)
        props = np.zeros(Y.shape[1], dtype=bool) if proportion is None else np.asarray(proportion, dtype=bool)
        uni = np.ones(len(self.w), dtype=bool) if where is None else np.asarray(where, dtype=bool)
        X = None if denominator is None else denominator.to_numpy(dtype=float)
        specs = [by_list(b) for b in by]
        all_cols = list(dict.fromkeys(c for s in specs for c in s))
        cal = self.calibration
        extra = {"_cal": (cal.cell, cal.n_cells)} if cal is not None else None
        fine, decode = fine_cells(self.data, self.p, all_cols, extra)
        cells = aggregate(fine, self.p, self.w, Y, uni, X, unweighted=cal is not None and cal.method == "rake")
        cal_arg = (cal, decode["_cal"][0], self._wpc) if cal is not None else None
        frames = []
        for cols in specs:
            codes, valid, labels = spec_domains(decode, cols)
            res = domain_estimates(self.variance, cal_arg, cells, codes, valid, len(labels), kind)  # type: ignore[arg-type]
            frames += tidy(res, labels, cols, list(y.columns), props, kind, level, ci)
        return pd.concat(frames, ignore_index=True)

    def total_covariance(self, Z: np.ndarray) -> np.ndarray:
        """Design covariance (K x K) of the column totals of row-level influence values ``Z`` (n x K, already
        weighted), with-replacement between PSUs within strata, after the calibration's residualisation."""
        T = np.zeros((self.n_psu, Z.shape[1]))
        np.add.at(T, self.p, Z)
        cal = self.calibration
        if cal is not None:
            C = cal.n_cells
            S = np.zeros((C, Z.shape[1]))
            np.add.at(S, cal.cell, Z)
            U = np.zeros_like(S)
            np.add.at(U, cal.cell, Z / self.w[:, None])
            T -= self._wpc @ cal.correction(S, U)
        return self.variance.covariance(T)

    def difference(self, var: str, by: str, levels: Sequence[object], kind: Literal["mean", "proportion", "total"]
                   = "mean", where: object = None, values: Sequence[object] | None = None,
                   level: float = 0.95) -> pd.Series:
        """The difference between two domains, ``levels[0] - levels[1]`` of ``by``, with the SE from their
        design covariance (R ``svyby(..., covmat=TRUE)`` then ``svycontrast``).

        Returns ``estimate, se, ci_low, ci_high, df, p`` (t-based on the df of the two domains' rows).

        Examples
        --------
        >>> df = pd.DataFrame({"w": [1.0] * 6, "psu": range(6), "y": [1.0, 2, 3, 2, 4, 6], "g": list("aaabbb")})
        >>> float(SurveyDesign(df, weight="w", psu="psu").difference("y", "g", ["b", "a"])["estimate"])
        2.0
        """
        y, masks = self._difference_domains(var, by, levels, kind, where, values)
        Z, est = np.zeros((len(y), 2)), np.zeros(2)
        for j, m in enumerate(masks):
            ok = m & ~np.isnan(y)
            wsum = self.w[ok].sum()
            est[j] = (self.w[ok] * y[ok]).sum() / (wsum if kind != "total" else 1.0)
            Z[ok, j] = self.w[ok] * ((y[ok] - est[j]) / wsum if kind != "total" else y[ok])
        V = self.total_covariance(Z)
        return contrast_row(est[0] - est[1], float(V[0, 0] + V[1, 1] - 2 * V[0, 1]),
                            self.degf(masks[0] | masks[1]), level)

    def glm(self, formula: str, family: Family = "binomial", where: object = None,
            level: float = 0.95) -> pd.DataFrame:
        """Design-based generalised linear model (R ``svyglm``; ``binomial`` is R's quasibinomial).

        ``formula`` in the usual syntax (``"victim ~ sex + age_group"``); categorical predictors get
        treatment contrasts against their first level. Coefficients are the weighted fit (IRLS),
        SEs the design's sandwich variance; rows with a missing variable leave the model (and its df).

        Returns ``term, estimate, se, ci_low, ci_high, p`` with R's term names (``(Intercept)``,
        ``sexmale``); ``attrs`` holds ``n`` and ``df`` (R's ``df.residual``: design df + 1 - terms).

        Examples
        --------
        >>> df = pd.DataFrame({"w": [1.0, 2, 1, 2, 1, 2], "y": [0, 1, 1, 0, 1, 1], "x": [0.0, 1, 2, 0, 1, 2]})
        >>> SurveyDesign(df, weight="w").glm("y ~ x", family="gaussian")["term"].tolist()
        ['(Intercept)', 'x']
        """
        mm = model_matrix(self.data, formula, self.universe(where))
        fit = fit_glm(mm, self.w[mm.rows], family)
        Z = np.zeros((len(self.w), fit.influence.shape[1]))
        Z[mm.rows] = fit.influence
        cov = self.total_covariance(Z)
        return glm_table(mm.names, fit.coef, cov, self.degf(mm.rows_mask(len(self.w))) + 1 - len(mm.names),
                         level, len(mm.rows))

    def with_columns(self, columns: pd.DataFrame) -> SurveyDesign:
        """The same design on its data with ``columns`` added (aligned with the rows), e.g. calibration classes."""
        return SurveyDesign(self.data.assign(**{c: columns[c].to_numpy() for c in columns.columns}), self.weight,
                            self.strata, self.psu, self.fpc, self.lonely_psu, self._frame, self.calibration)

    # --- calibration -------------------------------------------------------------------------

    def _calibrated(self, cal: Calibration) -> SurveyDesign:
        if self.calibration is not None:
            raise DesignError("this design is already calibrated; calibrate once, from the sampling weights, "
                              "to all the margins together")
        return SurveyDesign(self.data, self.weight, self.strata, self.psu, self.fpc, self.lonely_psu, self._frame,
                            cal)

    def poststratify(self, population: pd.DataFrame) -> SurveyDesign:
        """Post-stratified design (R ``postStratify``): ``population`` has the post-stratum columns and ``N``.

        Examples
        --------
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "sex": list("ffmm"), "y": [1.0, 0, 1, 1]})
        >>> d = SurveyDesign(df, weight="w").poststratify(pd.DataFrame({"sex": ["f", "m"], "N": [50, 50]}))
        >>> d.proportion("y")["estimate"].item()
        0.75
        """
        return self._calibrated(poststratify_weights(self.data, self.w, population))

    def rake(self, margins: Mapping[str, Margin], tol: float = 1e-10, max_iter: int = 1000) -> SurveyDesign:
        """Raked design (R ``rake``): ``margins`` maps each variable to its population totals (a table with
        the variable and ``N``, or a mapping level -> N); iterates until every margin is met to ``tol``."""
        return self._calibrated(rake_weights(self.data, self.w, margins, tol, max_iter))

    def calibrate(self, margins: Mapping[str, Margin], method: Literal["linear", "raking"] = "linear") -> SurveyDesign:
        """Calibrated design to main-effects totals (R ``calibrate(calfun=method)``; GREG variance)."""
        return self._calibrated(calibrate_weights(self.data, self.w, margins, method))


def _frame_rows(data: pd.DataFrame, frame: pd.DataFrame, strata: str | None, psu: str | None,
                fpc: str | None) -> pd.DataFrame:
    """The frame's PSUs that have no row in ``data`` (checked: every PSU of ``data`` is in the frame)."""
    if psu is None or fpc is not None:
        raise DesignError("a frame of PSUs needs a psu column and cannot be combined with fpc")
    cols = [c for c in (strata, psu) if c is not None]
    lacking = [c for c in cols if c not in frame.columns]
    if lacking:
        raise DesignError(f"the frame of PSUs has no column {lacking[0]!r} (it needs {cols})")
    frame = frame[cols].drop_duplicates()
    known = pd.MultiIndex.from_frame(frame)
    have = pd.MultiIndex.from_frame(data[cols].drop_duplicates())
    outside = have.difference(known)
    if len(outside):
        raise DesignError(f"{len(outside)} PSUs of the data are not in the frame, e.g. {list(outside[0])}")
    return frame[~pd.MultiIndex.from_frame(frame).isin(have)]
