"""The estimation engine's first pass: microdata summed to PSU x domain cells, one column per estimate.

Every estimate of a design (means, totals, proportions of any number of columns over any number of
disaggregations) is computed from these sums, so the microdata are read once
(:meth:`usg_research.estimate.survey.SurveyDesign.estimate`).

Examples
--------
>>> import numpy as np, pandas as pd
>>> cell, decode = fine_cells(pd.DataFrame({"sex": ["f", "m", "f"]}), np.array([0, 0, 1]), ["sex"])
>>> cell.tolist(), decode["sex"][1]
([0, 1, 2], ['f', 'm'])
>>> c = aggregate(cell, np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0]), np.array([[1.0], [0.0], [np.nan]]))
>>> c.wy[:, 0].tolist(), c.n[:, 0].tolist()
([1.0, 0.0, 0.0], [1.0, 1.0, 0.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Cells:
    """Microdata aggregated to PSU x domain cells, one column per estimate."""

    dom: np.ndarray  # domain code of each cell
    psu: np.ndarray  # PSU index of each cell
    wy: np.ndarray  # (cells, K) sum of w*y over the universe
    w: np.ndarray  # (cells, K) sum of w over the universe
    wyy: np.ndarray  # (cells, K) sum of w*y*y
    n: np.ndarray  # (cells, K) unweighted count of the universe


Decode = dict[str, tuple[np.ndarray, list[str]]]


def fine_cells(data: pd.DataFrame, psu: np.ndarray, cols: list[str]) -> tuple[np.ndarray, Decode]:
    """Cell index per row (PSU x every level of ``cols``), and each column's code per cell."""
    key = psu.astype(np.int64)
    codes = {}
    for c in cols:
        s = data[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cc = s.cat.codes.to_numpy().astype(np.int64)
            lev = [str(x) for x in s.cat.categories]
        else:
            cc, lev_idx = pd.factorize(s, sort=True)
            lev = [str(x) for x in lev_idx]
        codes[c] = (cc, lev)
        key = key * (len(lev) + 1) + (cc + 1)
    uniq, inv = np.unique(key, return_inverse=True)
    decode: Decode = {}
    rest = uniq.copy()
    for c in reversed(cols):
        L = len(codes[c][1]) + 1
        rest, r = np.divmod(rest, L)
        decode[c] = (r - 1, codes[c][1])
    return inv, decode | {"_psu": (rest, [])}


def aggregate(cell: np.ndarray, psu_of_row: np.ndarray, w: np.ndarray, Y: np.ndarray) -> Cells:
    """Sum w*y, w, w*y*y and counts over each fine cell, per column (missing y outside the universe)."""
    n_cells = int(cell.max()) + 1 if len(cell) else 0
    K = Y.shape[1]
    wy = np.empty((n_cells, K))
    ww = np.empty((n_cells, K))
    wyy = np.empty((n_cells, K))
    nn = np.empty((n_cells, K))
    for k in range(K):
        yk = Y[:, k]
        ok = ~np.isnan(yk)
        y0 = np.where(ok, yk, 0.0)
        wk = w * ok
        wyk = wk * y0
        wy[:, k] = np.bincount(cell, wyk, n_cells)
        ww[:, k] = np.bincount(cell, wk, n_cells)
        wyy[:, k] = np.bincount(cell, wyk * y0, n_cells)
        nn[:, k] = np.bincount(cell, ok, n_cells)
    psu = np.zeros(n_cells, dtype=np.int64)
    psu[cell] = psu_of_row
    return Cells(np.zeros(n_cells, dtype=np.int64), psu, wy, ww, wyy, nn)
