"""Calibration of survey weights to population margins, and the variance correction that goes with it.

Three methods, as R's ``survey`` package implements them (Lumley 2010, ch. 7):

- **post-stratification** to the totals of every cell of a cross-classification (R ``postStratify``);
- **raking** to the totals of each margin by iterative proportional fitting (R ``rake``);
- **linear or raking calibration** to main-effects totals (R ``calibrate(calfun="linear" | "raking")``;
  GREG: the weights change by ``g = 1 + x'l`` or ``g = exp(x'l)``).

Calibration variables are categorical, so everything is computed per *calibration cell* (the cross of
the variables' levels met in the sample). A calibrated design's variance uses the residuals of the
influence values after the calibration, as R's ``svyrecvar`` does: for an influence value ``z`` per
unit weight, post-stratification subtracts its weighted mean within the post-stratum, raking subtracts
its unweighted mean within each margin (ten passes, R's approximation), GREG subtracts its weighted
regression on the calibration variables. :meth:`Calibration.correction` gives that per cell from cell
sums, so the estimation engine stays a pass over cells.

Examples
--------
>>> df = pd.DataFrame({"sex": ["f", "f", "m", "m"]})
>>> cal = poststratify_weights(df, np.array([1.0, 1, 2, 2]), pd.DataFrame({"sex": ["f", "m"], "N": [30, 50]}))
>>> cal.weights.tolist()
[15.0, 15.0, 25.0, 25.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .cells import combine_codes, factor

Margin = pd.DataFrame | pd.Series | Mapping[object, float]
Method = Literal["poststratify", "rake", "linear", "raking"]
RAKE_PASSES = 10  # R svyrecvar's passes over the margins of a raked design


class CalibrationError(ValueError):
    """The margins cannot be met (a level without population, a population cell without sample ...)."""


@dataclass(frozen=True)
class Calibration:
    """Calibrated weights and what the variance needs: cells, their sums, the method's structure."""

    method: Method
    variables: list[str]
    cell: np.ndarray  # calibration cell of each row
    levels: pd.DataFrame  # each cell's level of every variable
    base: np.ndarray  # the weights before calibration
    weights: np.ndarray  # the calibrated weights
    iterations: int = 0
    groups: list[np.ndarray] = field(default_factory=list)  # per margin: each cell's level code
    X: np.ndarray | None = None  # GREG: main-effects model matrix per cell

    @property
    def n_cells(self) -> int:
        return len(self.levels)

    @property
    def g(self) -> np.ndarray:
        """Per cell: calibrated over base weight (constant within a cell)."""
        return self._sum(self.weights) / self._sum(self.base)

    def _sum(self, v: np.ndarray) -> np.ndarray:
        return np.bincount(self.cell, v, self.n_cells)

    def psu_cell_weights(self, psu: np.ndarray, n_psu: int) -> np.ndarray:
        """Calibrated weight of each PSU x cell (n_psu x cells): what a cell's correction is multiplied by."""
        out = np.zeros((n_psu, self.n_cells))
        np.add.at(out, (psu, self.cell), self.weights)
        return out

    def correction(self, S: np.ndarray, U: np.ndarray) -> np.ndarray:
        """Per cell and column, what each unit of calibrated weight takes off the influence values.

        ``S`` (cells x m): sums of w*z per cell; ``U``: unweighted sums of z (used by raking only).
        Residual influence of a row of cell c: ``w * (z - kappa[c])``.
        """
        if self.method == "poststratify":
            return S / self._sum(self.weights)[:, None]
        if self.method == "rake":
            kappa = np.zeros_like(U)
            U = U.copy()
            n = np.bincount(self.cell, minlength=self.n_cells).astype(float)
            for _ in range(RAKE_PASSES):
                for grp in self.groups:
                    a = np.zeros((int(grp.max()) + 1, U.shape[1]))
                    np.add.at(a, grp, U)
                    a /= np.bincount(grp, n)[:, None]
                    kappa += a[grp]
                    U -= n[:, None] * a[grp]
            return kappa
        X = self.X
        assert X is not None
        w0 = self._sum(self.base)
        B = np.linalg.solve(X.T @ (w0[:, None] * X), X.T @ (S / self.g[:, None]))
        return X @ B


def _cells(data: pd.DataFrame, variables: list[str]) -> tuple[np.ndarray, pd.DataFrame, list[np.ndarray],
                                                          list[list[str]]]:
    """Calibration cell of each row, the cells' levels, and per variable: each cell's (dense) level code
    and the labels of those codes."""
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise CalibrationError(f"calibration variable {missing[0]!r} is not in the data")
    facs = [factor(data[v]) for v in variables]
    for v, (codes, _) in zip(variables, facs, strict=True):
        if (codes < 0).any():
            rows = np.flatnonzero(codes < 0)[:5].tolist()
            raise CalibrationError(f"calibration variable {v!r} is missing in {int((codes < 0).sum())} rows "
                                   f"(positions {rows} ...); impute or drop them before calibrating")
    cell, tuples = combine_codes([c for c, _ in facs], [len(lev) for _, lev in facs])
    groups, labels = [], []
    for j, (_, lev) in enumerate(facs):
        used, dense = np.unique(tuples[:, j], return_inverse=True)
        groups.append(dense.ravel())
        labels.append([lev[u] for u in used])
    levels = pd.DataFrame({v: [labels[j][k] for k in groups[j]] for j, v in enumerate(variables)})
    return cell, levels, groups, labels


def _margin(var: str, margin: Margin) -> pd.Series:
    """A margin as a Series level (str) -> population total."""
    if isinstance(margin, pd.DataFrame):
        if var not in margin.columns or "N" not in margin.columns:
            raise CalibrationError(f"the margin of {var!r} needs columns {var!r} and 'N' (has {list(margin.columns)})")
        s = margin.groupby(margin[var].astype(str), sort=False)["N"].sum()
    else:
        s = pd.Series(dict(margin) if isinstance(margin, Mapping) else margin)
        s.index = s.index.astype(str)
    return s.astype(float)


def _totals(var: str, margin: pd.Series, sample_levels: list[str]) -> np.ndarray:
    lacking = [lv for lv in sample_levels if lv not in margin.index]
    if lacking:
        raise CalibrationError(f"{var!r}: the sample has level {lacking[0]!r}, which the population margin lacks")
    empty = [lv for lv in margin.index if lv not in sample_levels and margin[lv] > 0]
    if empty:
        raise CalibrationError(f"{var!r}: population level {empty[0]!r} (N = {margin[empty[0]]:g}) has no "
                               "respondent; collapse it with a neighbour")
    return margin.reindex(sample_levels).to_numpy(dtype=float)


def poststratify_weights(data: pd.DataFrame, w: np.ndarray, population: pd.DataFrame) -> Calibration:
    """Post-stratify to ``population`` (the post-stratum columns and ``N``), as R ``postStratify``."""
    variables = [c for c in population.columns if c != "N"]
    if "N" not in population.columns or not variables:
        raise CalibrationError("the population table needs post-stratum columns and 'N' "
                               f"(has {list(population.columns)})")
    cell, levels, _, _ = _cells(data, variables)
    pop: dict[tuple, float] = {}
    for key, total in zip(population[variables].astype(str).itertuples(index=False, name=None),
                          population["N"].astype(float), strict=True):
        pop[key] = pop.get(key, 0.0) + total
    cells = list(levels.itertuples(index=False, name=None))
    lacking = [c for c in cells if c not in pop]
    if lacking:
        raise CalibrationError(f"post-stratum {dict(zip(variables, lacking[0], strict=True))} of the sample is "
                               "not in the population table")
    empty = sorted(set(k for k, v in pop.items() if v > 0) - set(cells))
    if empty:
        raise CalibrationError(f"population post-stratum {dict(zip(variables, empty[0], strict=True))} has "
                               "no respondent; collapse post-strata")
    N = np.array([pop[c] for c in cells])
    g = N / np.bincount(cell, w, len(levels))
    return Calibration("poststratify", variables, cell, levels, w, w * g[cell])


def rake_weights(data: pd.DataFrame, w: np.ndarray, margins: Mapping[str, Margin], tol: float = 1e-10,
                 max_iter: int = 1000) -> Calibration:
    """Rake to each variable's margin by iterative proportional fitting (R ``rake``), until every margin
    is met to ``tol`` relative; fails naming the margins when they cannot all be met."""
    variables = list(margins)
    cell, levels, groups, labels = _cells(data, variables)
    targets = [_totals(v, _margin(v, margins[v]), lab) for v, lab in zip(variables, labels, strict=True)]
    Wc = np.bincount(cell, w, len(levels))
    factor_c = np.ones(len(levels))
    for it in range(1, max_iter + 1):
        for grp, tot in zip(groups, targets, strict=True):
            have = np.bincount(grp, Wc * factor_c, len(tot))
            factor_c = factor_c * (tot / have)[grp]
        gap = max(np.max(np.abs(np.bincount(grp, Wc * factor_c, len(tot)) - tot) / tot)
                  for grp, tot in zip(groups, targets, strict=True))
        if gap < tol:
            return Calibration("rake", variables, cell, levels, w, w * factor_c[cell], it, groups)
    raise CalibrationError(f"raking to {variables} did not converge in {max_iter} iterations "
                           f"(largest relative gap {gap:.2e}): the margins may be inconsistent")


def calibrate_weights(data: pd.DataFrame, w: np.ndarray, margins: Mapping[str, Margin],
                      method: Literal["linear", "raking"] = "linear", tol: float = 1e-12,
                      max_iter: int = 100) -> Calibration:
    """Calibrate to main-effects totals (R ``calibrate(formula = ~a + b, calfun=method)``).

    The model matrix has an intercept (the population total, which every margin must agree on) and
    treatment dummies for each variable's levels after the first.
    """
    variables = list(margins)
    cell, levels, groups, labels = _cells(data, variables)
    margin = {v: _margin(v, margins[v]) for v in variables}
    totals_by_var = [float(m.sum()) for m in margin.values()]
    if max(totals_by_var) - min(totals_by_var) > 1e-9 * max(totals_by_var):
        raise CalibrationError(f"the margins of {variables} sum to different totals {totals_by_var}; "
                               "calibration needs one population")
    cols, T = [np.ones(len(levels))], [totals_by_var[0]]
    for v, grp, lab in zip(variables, groups, labels, strict=True):
        tot = _totals(v, margin[v], lab)
        for k in range(1, len(lab)):
            cols.append((grp == k).astype(float))
            T.append(tot[k])
    X, target = np.column_stack(cols), np.array(T)
    w0 = np.bincount(cell, w, len(levels))
    lam = np.zeros(X.shape[1])
    for _ in range(max_iter):
        eta = X @ lam
        g = 1 + eta if method == "linear" else np.exp(eta)
        gap = target - X.T @ (w0 * g)
        if np.max(np.abs(gap) / (1 + np.abs(target))) < tol:
            break
        deriv = w0 if method == "linear" else w0 * g
        lam = lam + np.linalg.solve(X.T @ (deriv[:, None] * X), gap)
    else:
        raise CalibrationError(f"{method} calibration to {variables} did not converge in {max_iter} iterations")
    return Calibration(method, variables, cell, levels, w, w * g[cell], X=X)
