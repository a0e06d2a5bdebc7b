"""Replicate-weight designs (R ``svrepdesign``): for surveys delivered with replicate weights instead of
strata and PSUs.

Every estimate is computed with the full-sample weights and again with each replicate's weights; its
variance is ``scale * sum_r rscales_r (theta_r - centre)^2``, the centre being the replicates' mean (or
the full-sample estimate with ``mse=True``), as R's ``svrVar``. Defaults of ``scale`` follow R per
type: bootstrap ``1 / (R - 1)``, JK1 ``(R - 1) / R``, BRR ``1 / R``, Fay ``1 / (R (1 - rho)^2)``; JKn
needs ``rscales`` (each replicate's ``(n_h - 1) / n_h``). Replicate weights are *combined* (they
include the sampling weights), as most survey firms and NSOs deliver them. Degrees of freedom are the
rank of the replicate weights (of the domain's rows) minus one, as R's ``degf``.

Means, proportions, totals and ratios are recomputed per replicate exactly (R equality to 1e-8);
proportion CIs are the delta-method logit interval on those SEs (R's ``svyciprop`` refits a logit model
per replicate, which differs slightly). Models (:meth:`ReplicateDesign.glm`) are refitted per replicate.
The Rao-Scott test uses the replicates' linearised covariance (:meth:`ReplicateDesign.total_covariance`).

Examples
--------
>>> df = pd.DataFrame({"w": [1.0, 1, 1, 1], "y": [1.0, 2, 3, 4], "r1": [0.0, 2, 1, 1], "r2": [2.0, 0, 1, 1],
...                    "r3": [1.0, 1, 0, 2], "r4": [1.0, 1, 2, 0]})
>>> d = ReplicateDesign(df, "w", ["r1", "r2", "r3", "r4"], "JK1", scale=0.5)
>>> d.mean("y")[["estimate", "se"]].round(4).values.tolist()
[[2.5, 0.3536]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import DesignBase, DesignError, by_list, check_arguments, spec_domains, tidy
from .cells import fine_cells
from .contrasts import contrast_row
from .engine import DomainEstimates
from .intervals import CI
from .regression import Family, fit_glm, glm_table, model_matrix

ReplicateType = Literal["bootstrap", "JK1", "JKn", "BRR", "Fay"]
RANK_TOL = 1e-5  # R's qr() tolerance in degf()


class ReplicateDesign(DesignBase):
    """A design given by replicate weights (see the module docstring).

    Parameters
    ----------
    data : the microdata.
    weight : the full-sample (analysis) weights.
    repweights : the replicate weight columns: a list of names, or a regular expression (R's ``grep``).
    type : ``bootstrap``, ``JK1``, ``JKn``, ``BRR`` or ``Fay``.
    scale, rscales : the variance's overall and per-replicate factors (defaults as R, see above).
    mse : centre the replicates on the full-sample estimate instead of their mean.
    rho : Fay's coefficient (type ``Fay``).
    """

    def __init__(self, data: pd.DataFrame, weight: str, repweights: Sequence[str] | str, type: ReplicateType,
                 scale: float | None = None, rscales: Sequence[float] | None = None, mse: bool = False,
                 rho: float | None = None):
        if type not in ("bootstrap", "JK1", "JKn", "BRR", "Fay"):
            raise DesignError(f"replicate type must be bootstrap, JK1, JKn, BRR or Fay, not {type!r}")
        cols = [c for c in data.columns if re.search(repweights, str(c))] if isinstance(repweights, str) \
            else list(repweights)
        missing = [c for c in [weight, *cols] if c not in data.columns]
        if missing or not cols:
            raise DesignError(f"replicate design: column {missing[0]!r} is not in the data" if missing
                              else f"no column matches the replicate weights {repweights!r}")
        W = data[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(W) | (W < 0)
        if bad.any():
            i, j = (int(a[0]) for a in np.nonzero(bad))
            raise DesignError(f"replicate weight {cols[j]!r} is missing or negative in row {i} ({W[i, j]!r})")
        w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype=float)
        if (~np.isfinite(w) | (w <= 0)).any():
            raise DesignError(f"weight column {weight!r} must be positive and finite")
        R = len(cols)
        if type == "Fay" and rho is None:
            raise DesignError("type 'Fay' needs rho")
        if type == "JKn" and rscales is None:
            raise DesignError("type 'JKn' needs rscales: each replicate's (n_h - 1) / n_h")
        defaults = {"bootstrap": 1 / max(R - 1, 1), "JK1": (R - 1) / R, "BRR": 1 / R,
                    "Fay": 1 / (R * (1 - (rho or 0)) ** 2), "JKn": 1.0}
        self.scale = float(defaults[type] if scale is None or type in ("BRR", "Fay") else scale)
        self.rscales = np.ones(R) if rscales is None else np.asarray(rscales, dtype=float)
        if self.rscales.shape != (R,):
            raise DesignError(f"rscales has {self.rscales.size} values for {R} replicates")
        self.data, self.weight, self.w, self.W, self.repweights = data, weight, w, W, cols
        self.type, self.mse, self.rho = type, mse, rho
        self.calibration = None  # replicate weights come calibrated, if at all, from their producer
        self._ranks: dict[bytes, int] = {}

    def __repr__(self) -> str:
        return (f"ReplicateDesign({len(self.w):,} rows; weight {self.weight!r}; {len(self.repweights)} {self.type} "
                f"replicates, scale {self.scale:.4g}{'; mse' if self.mse else ''})")

    def with_columns(self, columns: pd.DataFrame) -> ReplicateDesign:
        """The same design on its data with ``columns`` added (aligned with the rows)."""
        data = self.data.assign(**{c: columns[c].to_numpy() for c in columns.columns})
        return ReplicateDesign(data, self.weight, self.repweights, self.type, self.scale, self.rscales, self.mse,
                               self.rho)

    def degf(self, where: object = None) -> int:
        """Rank of the replicate weights of the rows in ``where``, minus one (R ``degf``)."""
        return self._rank(self.universe(where)) - 1

    def _rank(self, rows: np.ndarray) -> int:
        key = np.packbits(rows).tobytes()
        if key not in self._ranks:
            sub = self.W[rows]
            s = np.linalg.svd(sub, compute_uv=False) if len(sub) else np.zeros(1)
            self._ranks[key] = int((s > RANK_TOL * s.max()).sum()) if s.max() > 0 else 0
        return self._ranks[key]

    def replicate_variance(self, full: np.ndarray, reps: np.ndarray) -> np.ndarray:
        """Variance of estimates ``full`` (m) from their replicates ``reps`` (m x R); replicates without an
        estimate (an empty domain) are left out, as R does."""
        with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
            use = self.rscales > 0
            centre = full if self.mse else np.nanmean(np.where(use, reps, np.nan), axis=1)
            dev = (reps - centre[:, None]) ** 2 * self.rscales
        return self.scale * np.nansum(dev, axis=1)

    def estimate(self, y: pd.DataFrame, by: Sequence[str | Sequence[str] | None], kind: str = "mean",
                 level: float = 0.95, proportion: Sequence[bool] | None = None, ci: CI = "logit",
                 where: object = None, denominator: pd.DataFrame | None = None) -> pd.DataFrame:
        """As :meth:`usg_research.estimate.survey.SurveyDesign.estimate`, the variance from the replicates."""
        check_arguments(kind, ci, level, denominator)
        Y = y.to_numpy(dtype=float)
        X = None if denominator is None else denominator.to_numpy(dtype=float)
        props = np.zeros(Y.shape[1], dtype=bool) if proportion is None else np.asarray(proportion, dtype=bool)
        uni = np.ones(len(self.w), dtype=bool) if where is None else np.asarray(where, dtype=bool)
        specs = [by_list(b) for b in by]
        cell, decode = fine_cells(self.data, np.zeros(len(self.w), dtype=np.int64),
                                  list(dict.fromkeys(c for s in specs for c in s)))
        frames = []
        for cols in specs:
            codes, valid, labels = spec_domains(decode, cols)
            row_dom, row_ok = codes[cell], valid[cell]
            res = self._domains(Y, X, uni, row_dom, row_ok, len(labels), kind)
            frames += tidy(res, labels, cols, list(y.columns), props, kind, level, ci)
        return pd.concat(frames, ignore_index=True)

    def _domains(self, Y: np.ndarray, X: np.ndarray | None, uni: np.ndarray, row_dom: np.ndarray,
                 row_ok: np.ndarray, n_dom: int, kind: str) -> DomainEstimates:
        K = Y.shape[1]
        out = {k: np.zeros((n_dom, K)) for k in ("est", "var", "df", "n", "N", "rows", "vsrs")}
        for k in range(K):
            inside = (uni if uni.ndim == 1 else uni[:, k]) & row_ok
            ok = inside & ~np.isnan(Y[:, k]) & (np.ones(len(Y), bool) if X is None else ~np.isnan(X[:, k]))
            y0 = np.where(ok, Y[:, k], 0.0)
            x0 = ok.astype(float) if X is None else np.where(ok, X[:, k], 0.0)
            M = sp.csr_matrix((np.ones(int(ok.sum())), (row_dom[ok], np.flatnonzero(ok))), shape=(n_dom, len(Y)))
            wy, wx, w_, wyy = (M @ a for a in (self.w * y0, self.w * x0, self.w * ok, self.w * y0 * y0))
            Ry, Rx = np.asarray(M @ (self.W * y0[:, None])), np.asarray(M @ (self.W * x0[:, None]))
            with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
                est = wy if kind == "total" else wy / wx
                reps = Ry if kind == "total" else Ry / Rx
            out["est"][:, k], out["var"][:, k] = est, self.replicate_variance(est, reps)
            n = np.bincount(row_dom[ok], minlength=n_dom)
            out["n"][:, k], out["N"][:, k] = n, w_
            out["rows"][:, k] = np.bincount(row_dom[inside], minlength=n_dom)
            out["df"][:, k] = [self._rank(inside & (row_dom == d)) - 1 if n[d] else 0 for d in range(n_dom)]
            with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
                s2 = n / (n - 1) * (wyy - wy * wy / w_) / w_
                fpc = (w_ - n) / w_
                out["vsrs"][:, k] = s2 / n * fpc if kind != "total" else s2 * w_ * w_ / n * fpc
        return DomainEstimates(**out)

    def total_covariance(self, Z: np.ndarray) -> np.ndarray:
        """Covariance of the column totals of influence values ``Z`` (n x K, weighted), from the replicates'
        linearised totals ``sum_i (W_ir / w_i) Z_i``."""
        full = Z.sum(axis=0)
        reps = (self.W / self.w[:, None]).T @ Z  # R x K
        use = self.rscales > 0
        centre = full if self.mse else reps[use].mean(axis=0)
        dev = (reps - centre) * np.sqrt(self.rscales)[:, None]
        return self.scale * dev.T @ dev

    def difference(self, var: str, by: str, levels: Sequence[object], kind: Literal["mean", "proportion", "total"]
                   = "mean", where: object = None, values: Sequence[object] | None = None,
                   level: float = 0.95) -> pd.Series:
        """``levels[0] - levels[1]`` of ``by`` with the replicates' variance of the difference (as
        :meth:`usg_research.estimate.survey.SurveyDesign.difference`)."""
        y, masks = self._difference_domains(var, by, levels, kind, where, values)
        full, reps = np.zeros(2), np.zeros((2, self.W.shape[1]))
        for j, m in enumerate(masks):
            ok = m & ~np.isnan(y)
            denom = (1.0, np.ones(self.W.shape[1])) if kind == "total" else (self.w[ok].sum(), self.W[ok].sum(axis=0))
            full[j] = (self.w[ok] * y[ok]).sum() / denom[0]
            reps[j] = (self.W[ok] * y[ok, None]).sum(axis=0) / denom[1]
        var_ = self.replicate_variance(np.array([full[0] - full[1]]), (reps[0] - reps[1])[None, :])[0]
        return contrast_row(full[0] - full[1], float(var_), self.degf(masks[0] | masks[1]), level)

    def glm(self, formula: str, family: Family = "binomial", where: object = None, level: float = 0.95) -> pd.DataFrame:
        """Design-based GLM (R ``svyglm`` on a replicate design): refitted with every replicate's weights."""
        mm = model_matrix(self.data, formula, self.universe(where))
        fit = fit_glm(mm, self.w[mm.rows], family)
        reps = np.column_stack([fit_glm(mm, self.W[mm.rows, r], family).coef for r in range(self.W.shape[1])])
        var_ = self.replicate_variance(fit.coef, reps)
        cov = np.diag(var_)
        return glm_table(mm.names, fit.coef, cov, self.degf(mm.rows_mask(len(self.w))) + 1 - len(mm.names), level,
                         len(mm.rows))
