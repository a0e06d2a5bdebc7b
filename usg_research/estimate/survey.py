"""Design-based survey estimation: Taylor-linearised SEs, domains, CIs, design effects, Rao-Scott.

Declare the design once, then ask for estimates by domain, as with R's
``survey`` package (Lumley): ``svydesign(ids=~psu, strata=~stratum,
weights=~w)`` becomes :class:`SurveyDesign`, ``svyby(~y, ~sex, d, svymean)``
becomes ``d.mean("y", by="sex")``, ``svychisq`` is
:func:`usg_research.estimate.rao_scott.rao_scott`. Variances are with-replacement
(first-stage PSUs within strata), domains are estimated on the full design
(rows outside the domain contribute zeros, never dropped), degrees of freedom
follow R's ``degf()`` on the domain's subset, proportion CIs are logit by
default (R ``svyciprop(method="logit")``). Results agree with R ``survey``
4.1.1 to 1e-8 (tests/test_survey_vs_r.py, reference values from
tests/r/reference.R).

The engine aggregates each estimate to PSU x domain cells once (``numpy``
bincounts), so a whole indicator catalogue over several disaggregations is
one pass over the microdata.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"w": [1.0, 2, 1, 3, 2, 1], "h": [1, 1, 1, 2, 2, 2], "psu": [1, 1, 2, 3, 4, 4],
...                    "y": [1, 0, 1, 1, 0, 0], "sex": ["f", "m", "f", "m", "f", "m"]})
>>> d = SurveyDesign(df, weight="w", strata="h", psu="psu")
>>> d.proportion("y").round(4)[["estimate", "se", "n", "N"]]
   estimate      se  n     N
0       0.5  0.3162  6  10.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .cells import Cells, aggregate, fine_cells
from .intervals import confidence_interval

LonelyPSU = Literal["fail", "adjust", "certainty", "remove"]
Kind = Literal["mean", "total"]
ESTIMATE_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "N"]


class DesignError(ValueError):
    """The survey design is not usable (bad weights, lonely PSUs under ``fail`` ...)."""


class SurveyDesign:
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

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 1, 1, 1], "psu": [1, 1, 2, 3], "x": [1.0, 2, 3, 4]})
    >>> SurveyDesign(df, weight="w", psu="psu").mean("x")["estimate"].item()
    2.5
    """

    def __init__(self, data: pd.DataFrame, weight: str, strata: str | None = None, psu: str | None = None,
                 fpc: str | None = None, lonely_psu: LonelyPSU = "fail", frame: pd.DataFrame | None = None):
        if lonely_psu not in ("fail", "adjust", "certainty", "remove"):
            raise DesignError(f"lonely_psu must be fail, adjust, certainty or remove, not {lonely_psu!r}")
        for col in (weight, strata, psu, fpc):
            if col is not None and col not in data.columns:
                raise DesignError(f"design column {col!r} is not in the data (columns: {list(data.columns)[:12]} ...)")
        self.data = data
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
        self.n_psu = int(p_all.max()) + 1 if len(p_all) else 0
        self.psu_stratum = np.zeros(self.n_psu, dtype=np.int64)
        self.psu_stratum[p_all] = h_all
        self.H = len(self.strata_levels)
        self.n_h = np.bincount(self.psu_stratum, minlength=self.H).astype(float)
        if fpc is not None:
            pop = pd.to_numeric(data[fpc], errors="coerce").to_numpy(dtype=float)
            per_h = pd.Series(pop).groupby(self.h).agg(["min", "max"])
            if (per_h["min"] != per_h["max"]).any() or (per_h["min"] < self.n_h[per_h.index]).any():
                raise DesignError(f"fpc column {fpc!r} must be constant within strata and at least the "
                                  "number of sampled PSUs")
            self.f = np.ones(self.H)
            self.f[per_h.index] = (per_h["min"].to_numpy() - self.n_h[per_h.index]) / per_h["min"].to_numpy()
        else:
            self.f = np.ones(self.H)
        lonely = self.n_h == 1
        if lonely.any() and lonely_psu == "fail":
            names = [str(self.strata_levels[i]) for i in np.flatnonzero(lonely)]
            raise DesignError(f"strata with a single PSU: {names}; choose lonely_psu='adjust' or 'certainty' "
                              "(as R's options(survey.lonely.psu=...)) and report the choice")
        with np.errstate(divide="ignore", invalid="ignore"):
            self.scale = np.where(lonely, self.f, self.f * self.n_h / (self.n_h - 1))
        self.lonely = lonely

    def __repr__(self) -> str:
        parts = [f"{len(self.w):,} rows", f"weight {self.weight!r}"]
        parts.append(f"{self.H} strata {self.strata!r}" if self.strata else "no strata")
        parts.append(f"{self.n_psu:,} PSUs {self.psu!r}" if self.psu else "each row its own PSU")
        if self.fpc:
            parts.append(f"fpc {self.fpc!r}")
        parts.append(f"lonely PSUs: {self.lonely_psu}")
        return f"SurveyDesign({'; '.join(parts)})"

    # --- public API ----------------------------------------------------------------------

    def degf(self, where: np.ndarray | pd.Series | None = None) -> int:
        """Design degrees of freedom: PSUs minus strata (of the rows in ``where``), as R's ``degf``."""
        mask = np.ones(len(self.w), dtype=bool) if where is None else np.asarray(where, dtype=bool)
        return int(len(np.unique(self.p[mask])) - len(np.unique(self.h[mask])))

    def mean(self, var: str, by: str | Sequence[str] | None = None, where: object = None,
             level: float = 0.95) -> pd.DataFrame:
        """Weighted mean of a numeric column by domain (missing values leave the universe).

        Returns one row per domain: the ``by`` columns, then ``estimate, se, ci_low, ci_high, cv, deff, n, N``
        (``n`` unweighted count of the universe, ``N`` its weighted size). CIs are t-based on the domain's df.
        """
        return self._one(self._numeric(var), by, where, "mean", level, None)

    def total(self, var: str, by: str | Sequence[str] | None = None, where: object = None,
              level: float = 0.95) -> pd.DataFrame:
        """Weighted total of a numeric column by domain (same columns as :meth:`mean`)."""
        return self._one(self._numeric(var), by, where, "total", level, None)

    def proportion(self, var: str, by: str | Sequence[str] | None = None, where: object = None,
                   values: Sequence[object] | None = None, level: float = 0.95,
                   ci_method: Literal["logit", "wald"] = "logit") -> pd.DataFrame:
        """Proportion of the universe with ``var`` true (0/1, bool, or a code in ``values``).

        CIs are logit-transformed by default (R ``svyciprop(method="logit")``), always inside [0, 1];
        ``ci_method="wald"`` gives the symmetric interval, clipped to [0, 1].

        Examples
        --------
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "a": ["x", "y", "x", "x"]})
        >>> SurveyDesign(df, weight="w").proportion("a", values=["x"])["estimate"].item()
        0.8333333333333334
        """
        y = self._binary(var, values)
        return self._one(y, by, where, "mean", level, ci_method)

    def estimate(self, y: pd.DataFrame, by: Sequence[str | Sequence[str] | None], kind: Kind = "mean",
                 level: float = 0.95, proportion: Sequence[bool] | None = None,
                 ci_method: Literal["logit", "wald"] = "logit") -> pd.DataFrame:
        """Estimate many columns over many disaggregations in one pass.

        Parameters
        ----------
        y : one numeric column per estimate, aligned with the design's rows; NaN = outside the universe.
        by : disaggregations: None for the whole sample, a column name, or a list of column names.
        proportion : per column, whether it is a proportion (logit CIs); default all False.

        Returns
        -------
        DataFrame
            Tidy: ``column, domain, level`` then ``estimate, se, ci_low, ci_high, cv, deff, n, N, df``,
            where ``domain`` names the disaggregation ("total", "sex", "sex x age_group") and ``level``
            its value ("total", "female", "female / 18-24").
        """
        Y = y.to_numpy(dtype=float)
        props = np.zeros(Y.shape[1], dtype=bool) if proportion is None else np.asarray(proportion, dtype=bool)
        specs = [self._by_list(b) for b in by]
        all_cols = list(dict.fromkeys(c for s in specs for c in s))
        fine, decode = fine_cells(self.data, self.p, all_cols)
        cells = aggregate(fine, self.p, self.w, Y)
        frames = []
        for cols in specs:
            codes = np.zeros(len(cells.dom), dtype=np.int64)
            valid = np.ones(len(cells.dom), dtype=bool)
            labels: list[str] = ["total"]
            if cols:
                sub = [decode[c] for c in cols]
                valid = np.all([s[0] >= 0 for s in sub], axis=0)
                combo = np.zeros(len(cells.dom), dtype=np.int64)
                for codes_c, levels_c in sub:
                    combo = combo * (len(levels_c) + 1) + (codes_c + 1)
                uniq, codes = np.unique(np.where(valid, combo, -1), return_inverse=True)
                labels = []
                for u in uniq:
                    parts = []
                    for _, levels_c in reversed(sub):
                        u, r = divmod(int(u), len(levels_c) + 1)
                        parts.append(levels_c[r - 1] if r > 0 else "")
                    labels.append(" / ".join(reversed(parts)))
            res = self._domains(cells, codes, valid, len(labels), props, level, ci_method, kind)
            for k, name in enumerate(y.columns):
                block = res[k]
                keep = np.array([lab != "" or not cols for lab in labels])
                block = block[keep[block["_dom"].to_numpy()]] if cols else block
                block.insert(0, "level", [labels[i] for i in block["_dom"]])
                block.insert(0, "domain", " x ".join(cols) if cols else "total")
                block.insert(0, "column", name)
                frames.append(block.drop(columns="_dom"))
        out = pd.concat(frames, ignore_index=True)
        return out

    # --- internals -------------------------------------------------------------------------

    def _numeric(self, var: str) -> np.ndarray:
        s = self.data[var]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            raise TypeError(f"{var!r} is not numeric; use proportion(..., values=[...]) for categories")
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)

    def _binary(self, var: str, values: Sequence[object] | None) -> np.ndarray:
        s = self.data[var]
        if values is not None:
            out = s.isin(list(values)).to_numpy(dtype=float)
            out[s.isna().to_numpy()] = np.nan
            return out
        y = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        if not np.isin(y[~np.isnan(y)], (0.0, 1.0)).all():
            raise ValueError(f"{var!r} is not 0/1; pass values=[...] naming the codes that count")
        return y

    def universe(self, where: object) -> np.ndarray:
        """A boolean mask of the rows in ``where``: None (every row), a column (true, or answered for text)
        or a mask aligned with the data."""
        if where is None:
            return np.ones(len(self.w), dtype=bool)
        if isinstance(where, str):
            s = self.data[where]
            return (s.fillna(False).astype(bool) if s.dtype != object else s.notna()).to_numpy()
        arr = np.asarray(where)
        if arr.shape != (len(self.w),):
            raise ValueError(f"where must be a column name or a boolean mask of length {len(self.w)}")
        return np.asarray(pd.Series(arr).fillna(False).astype(bool))

    @staticmethod
    def _by_list(by: str | Sequence[str] | None) -> list[str]:
        if by is None:
            return []
        return [by] if isinstance(by, str) else list(by)

    def _one(self, y: np.ndarray, by: str | Sequence[str] | None, where: object, kind: Kind, level: float,
             ci_method: str | None) -> pd.DataFrame:
        y = y.copy()
        y[~self.universe(where)] = np.nan
        cols = self._by_list(by)
        frame = pd.DataFrame({"y": y})
        res = self.estimate(frame, [cols or None], kind=kind, level=level,
                            proportion=[ci_method is not None], ci_method=ci_method or "logit")
        out = res.drop(columns=["column", "domain"])
        if cols:
            parts = out["level"].str.split(" / ", expand=True, regex=False)
            for i, c in enumerate(cols):
                out.insert(i, c, parts[i].to_numpy())
        return out.drop(columns=["level", "df"]).reset_index(drop=True)

    def total_covariance(self, Z: np.ndarray) -> np.ndarray:
        """Design covariance (K x K) of the column totals of row-level influence values ``Z`` (n x K),
        with-replacement between PSUs within strata, lonely PSUs as the design says."""
        T = np.zeros((self.n_psu, Z.shape[1]))
        np.add.at(T, self.p, Z)
        V = np.zeros((Z.shape[1], Z.shape[1]))
        for h in range(self.H):
            Th = T[self.psu_stratum == h]
            if self.lonely[h]:
                if self.lonely_psu == "adjust":
                    V += self.f[h] * Th.T @ Th
                continue
            Tc = Th - Th.mean(axis=0)
            V += self.scale[h] * Tc.T @ Tc
        return V

    def _domains(self, cells: Cells, dom_of_cell: np.ndarray, valid: np.ndarray, n_dom: int,
                 props: np.ndarray, level: float, ci_method: str, kind: Kind) -> list[pd.DataFrame]:
        """Estimates, SEs and CIs per domain from PSU x fine cells (all columns at once)."""
        # roll fine cells up to PSU x domain cells
        key = dom_of_cell * self.n_psu + cells.psu
        key = np.where(valid, key, -1)
        uk, inv = np.unique(key, return_inverse=True)
        keep = uk >= 0
        M = sp.csr_matrix((np.ones(len(inv)), (inv, np.arange(len(inv)))), shape=(len(uk), len(inv)))
        wy, w, wyy, n = (np.asarray(M @ a)[keep] for a in (cells.wy, cells.w, cells.wyy, cells.n))
        dom = uk[keep] // self.n_psu
        psu = uk[keep] % self.n_psu
        h = self.psu_stratum[psu]
        D = sp.csr_matrix((np.ones(len(dom)), (dom, np.arange(len(dom)))), shape=(n_dom, len(dom)))
        Wy, W, Wyy, Nn = (np.asarray(D @ a) for a in (wy, w, wyy, n))
        with np.errstate(divide="ignore", invalid="ignore"):
            est_mean = Wy / W
            z_mean = (wy - est_mean[dom] * w) / W[dom]
        z_total = wy
        # per domain x stratum: sums and sums of squares of PSU values (absent PSUs are zeros)
        dh = dom * self.H + h
        DH = sp.csr_matrix((np.ones(len(dh)), (dh, np.arange(len(dh)))), shape=(n_dom * self.H, len(dh)))
        nh = np.tile(self.n_h, n_dom)[:, None]
        scale = np.tile(self.scale, n_dom)[:, None]
        lonely = np.tile(self.lonely, n_dom)[:, None]
        f = np.tile(self.f, n_dom)[:, None]

        def variance(z: np.ndarray) -> np.ndarray:
            s1 = np.asarray(DH @ z)
            s2 = np.asarray(DH @ (z * z))
            with np.errstate(divide="ignore", invalid="ignore"):
                centred = scale * (s2 - s1 * s1 / nh)
            if self.lonely_psu == "adjust":
                contrib = np.where(lonely, f * s2, centred)
            else:
                contrib = np.where(lonely, 0.0, centred)
            return contrib.reshape(n_dom, self.H, -1).sum(axis=1)

        var_mean = variance(np.nan_to_num(z_mean))
        var_total = variance(z_total)
        # degrees of freedom: PSUs with a member of the domain's universe minus strata with one
        present = (n > 0).astype(float)
        n_psu_dom = np.asarray(D @ present)
        strata_dom = (np.asarray(DH @ present) > 0).reshape(n_dom, self.H, -1).sum(axis=1)
        df = n_psu_dom - strata_dom
        # design effect against simple random sampling (R: svyvar / n * (1 - n/N))
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = Nn / (Nn - 1) * (Wyy - Wy * Wy / W) / W
            fpc_srs = (W - Nn) / W
            vsrs_mean = s2 / Nn * fpc_srs
            vsrs_total = s2 * W * W / Nn * fpc_srs
        out = []
        for k in range(Wy.shape[1]):
            if kind == "total":
                est, var, vsrs = Wy[:, k], var_total[:, k], vsrs_total[:, k]
            else:
                est, var, vsrs = est_mean[:, k], var_mean[:, k], vsrs_mean[:, k]
            se = np.sqrt(var)
            dfk = df[:, k]
            is_prop = bool(props[k]) and kind == "mean"
            lo, hi = confidence_interval(est, se, dfk, level, "logit" if is_prop else "t",
                                         ci_method if is_prop else "t")
            with np.errstate(divide="ignore", invalid="ignore"):
                cv = se / np.abs(est)
                deff = var / vsrs
            frame = pd.DataFrame({"_dom": np.arange(n_dom), "estimate": est, "se": se, "ci_low": lo,
                                  "ci_high": hi, "cv": cv, "deff": deff, "n": Nn[:, k].astype(np.int64),
                                  "N": W[:, k], "df": dfk.astype(np.int64)})
            out.append(frame[frame["n"] > 0].reset_index(drop=True))
        return out


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
