"""The estimation engine's first pass: microdata summed to PSU x domain cells, one column per estimate.

Every estimate of a design (means, totals, proportions and ratios of any number of columns over any
number of disaggregations) is computed from these sums, so the microdata are read once
(:meth:`usg_research.estimate.survey.SurveyDesign.estimate`).

Cell keys combine the codes of the PSU and of every by-column; when the combined key would not fit
in 62 bits (many by-columns with many levels over many PSUs) the rows' code tuples are grouped
directly instead, so the key can never overflow (:func:`combine_codes`).

Examples
--------
>>> import numpy as np, pandas as pd
>>> cell, decode = fine_cells(pd.DataFrame({"sex": ["f", "m", "f"]}), np.array([0, 0, 1]), ["sex"])
>>> cell.tolist(), decode["sex"][1]
([0, 1, 2], ['f', 'm'])
>>> c = aggregate(cell, np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0]), np.array([[1.0], [0.0], [np.nan]]),
...               universe=np.ones(3, dtype=bool))
>>> c.wy[:, 0].tolist(), c.n[:, 0].tolist(), c.rows[:, 0].tolist()
([1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

KEY_BITS = 62


@dataclass(frozen=True)
class Cells:
    """Microdata aggregated to PSU x domain cells, one column per estimate.

    ``wx`` is the denominator's weighted sum (the weights themselves for means and proportions, the
    denominator variable's for ratios); ``uy`` and ``ux`` (unweighted sums) are kept only for a design
    raked as R ``rake`` does, whose variance needs them.
    """

    dom: np.ndarray  # domain code of each cell
    psu: np.ndarray  # PSU index of each cell
    wy: np.ndarray  # (cells, K) sum of w*y over the observed universe
    w: np.ndarray  # (cells, K) sum of w over the observed universe
    wyy: np.ndarray  # (cells, K) sum of w*y*y
    n: np.ndarray  # (cells, K) rows of the universe with y observed
    rows: np.ndarray  # (cells, K) rows of the universe, observed or not (degrees of freedom, R's nrow)
    wx: np.ndarray  # (cells, K) sum of w*x (x = 1 unless a ratio)
    uy: np.ndarray | None = None  # (cells, K) unweighted sum of y
    ux: np.ndarray | None = None  # (cells, K) unweighted sum of x


Decode = dict[str, tuple[np.ndarray, list[str]]]


def combine_codes(codes: list[np.ndarray], radices: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Group rows by their tuple of codes (each ``0 <= code < radix``; -1 allowed, meaning missing).

    Returns the group index of every row and the groups' code tuples (groups x len(codes)), in the
    lexicographic order of the tuples. A mixed-radix key when it fits in 62 bits, else the tuples
    themselves (slower, never wrong).

    Examples
    --------
    >>> g, tuples = combine_codes([np.array([1, 0, 1]), np.array([0, 2, 0])], [2, 3])
    >>> g.tolist(), tuples.tolist()
    ([1, 0, 1], [[0, 2], [1, 0]])
    """
    n = len(codes[0]) if codes else 0
    if not codes:
        return np.zeros(n, dtype=np.int64), np.zeros((1 if n else 0, 0), dtype=np.int64)
    shifted = [c.astype(np.int64) + 1 for c in codes]  # -1 (missing) becomes 0
    bases = [r + 1 for r in radices]
    if math.prod(bases) < 2 ** KEY_BITS:
        key = np.zeros(n, dtype=np.int64)
        for s, b in zip(shifted, bases, strict=True):
            key = key * b + s
        uniq, inv = np.unique(key, return_inverse=True)
        tuples = np.empty((len(uniq), len(codes)), dtype=np.int64)
        rest = uniq
        for j in range(len(codes) - 1, -1, -1):
            rest, tuples[:, j] = np.divmod(rest, bases[j])
        return inv.astype(np.int64), tuples - 1
    uniq, inv = np.unique(np.column_stack(shifted), axis=0, return_inverse=True)
    return inv.ravel().astype(np.int64), uniq - 1


def factor(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes (-1 missing) and level labels of a column: a categorical's own order, else sorted."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), [str(x) for x in s.cat.categories]
    cc, lev = pd.factorize(s, sort=True)
    return cc.astype(np.int64), [str(x) for x in lev]


def fine_cells(data: pd.DataFrame, psu: np.ndarray, cols: list[str],
               extra: dict[str, tuple[np.ndarray, int]] | None = None) -> tuple[np.ndarray, Decode]:
    """Cell index per row (PSU x every level of ``cols`` x any ``extra`` coded columns), and each
    column's code per cell (``_psu`` the PSU; an ``extra`` name its code)."""
    facs = {c: factor(data[c]) for c in cols}
    extra = extra or {}
    names = ["_psu", *cols, *extra]
    codes = [psu.astype(np.int64), *(facs[c][0] for c in cols), *(e[0] for e in extra.values())]
    radices = [int(psu.max()) + 1 if len(psu) else 1, *(max(len(facs[c][1]), 1) for c in cols),
               *(e[1] for e in extra.values())]
    inv, tuples = combine_codes(codes, radices)
    decode: Decode = {"_psu": (tuples[:, 0], [])}
    for j, c in enumerate(names[1:], start=1):
        decode[c] = (tuples[:, j], facs[c][1] if c in facs else [])
    return inv, decode


def aggregate(cell: np.ndarray, psu_of_row: np.ndarray, w: np.ndarray, Y: np.ndarray,
              universe: np.ndarray | None = None, X: np.ndarray | None = None, unweighted: bool = False) -> Cells:
    """Sum w*y, w, w*y*y, w*x and counts over each fine cell, per column.

    ``Y`` (rows x K): NaN is a missing answer. ``universe`` (rows x K, or rows): who is in the estimate's
    population (default: every row whose y is not NaN). ``X``: denominators of ratios (rows x K; a
    missing denominator is a missing answer).
    """
    n_cells = int(cell.max()) + 1 if len(cell) else 0
    K = Y.shape[1]
    out = {k: np.empty((n_cells, K)) for k in ("wy", "w", "wyy", "n", "rows", "wx")}
    if unweighted:
        out |= {"uy": np.empty((n_cells, K)), "ux": np.empty((n_cells, K))}
    uni = None if universe is None else np.asarray(universe, dtype=bool)
    for k in range(K):
        yk = Y[:, k]
        inside = ~np.isnan(yk) if uni is None else (uni if uni.ndim == 1 else uni[:, k])
        ok = inside & ~np.isnan(yk)
        xk = None if X is None else X[:, k]
        if xk is not None:
            ok &= ~np.isnan(xk)
        y0 = np.where(ok, yk, 0.0)
        wk = w * ok
        wyk = wk * y0
        out["wy"][:, k] = np.bincount(cell, wyk, n_cells)
        out["w"][:, k] = np.bincount(cell, wk, n_cells)
        out["wyy"][:, k] = np.bincount(cell, wyk * y0, n_cells)
        out["n"][:, k] = np.bincount(cell, ok, n_cells)
        out["rows"][:, k] = np.bincount(cell, inside, n_cells)
        x0 = np.where(ok, xk, 0.0) if xk is not None else ok.astype(float)
        out["wx"][:, k] = np.bincount(cell, w * x0, n_cells) if xk is not None else out["w"][:, k]
        if unweighted:
            out["uy"][:, k] = np.bincount(cell, y0, n_cells)
            out["ux"][:, k] = np.bincount(cell, x0, n_cells)
    psu = np.zeros(n_cells, dtype=np.int64)
    psu[cell] = psu_of_row
    return Cells(np.zeros(n_cells, dtype=np.int64), psu, **out)
