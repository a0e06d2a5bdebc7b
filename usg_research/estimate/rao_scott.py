"""Rao-Scott second-order corrected test of independence in a weighted two-way table (R ``svychisq``).

The design's covariance of the cell proportions corrects Pearson's X^2 into an F statistic with
fractional degrees of freedom (Rao and Scott 1984), as R ``svychisq(statistic="F")`` computes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .survey import SurveyDesign


def rao_scott(design: SurveyDesign, row: str, col: str, where: object = None) -> pd.Series:
    """Rao-Scott second-order corrected test of independence (R ``svychisq(statistic="F")``).

    Returns ``F, ndf, ddf, p, chisq`` (``chisq``: Pearson's X^2 on the weighted table rescaled to n).

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0] * 8, "psu": range(8), "a": list("xxyyxxyy"), "b": list("ppqqqppq")})
    >>> round(float(rao_scott(SurveyDesign(df, weight="w", psu="psu"), "a", "b")["p"]), 4)
    0.2275
    """
    universe = design.universe(where)
    mask = universe & design.data[row].notna().to_numpy() & design.data[col].notna().to_numpy()
    r_codes, r_lev = pd.factorize(design.data[row], sort=True)
    c_codes, c_lev = pd.factorize(design.data[col], sort=True)
    # R uses the levels present in the data (after removing missing values)
    r_used, c_used = np.unique(r_codes[mask]), np.unique(c_codes[mask])
    nr, nc = len(r_used), len(c_used)
    if nr < 2 or nc < 2:
        raise ValueError(f"{row!r} x {col!r}: a two-way test needs at least two levels of each")
    rmap = np.full(len(r_lev), -1)
    rmap[r_used] = np.arange(nr)
    cmap = np.full(len(c_lev), -1)
    cmap[c_used] = np.arange(nc)
    cell = np.where(mask, rmap[r_codes] + nr * cmap[c_codes], -1)  # rows vary fastest, as R's interaction()
    K = nr * nc
    Y = np.zeros((len(cell), K))
    Y[mask, cell[mask]] = 1.0
    Y[~mask] = np.nan
    # one domain (the universe), K columns: cell proportions and their covariance
    wsum = float(design.w[mask].sum())
    p = np.nansum(Y * design.w[:, None], axis=0) / wsum
    Z = np.where(mask[:, None], design.w[:, None] * (np.nan_to_num(Y) - p) / wsum, 0.0)
    V = design.total_covariance(Z)
    # as R: n and df of the design the test is run on (rows with a missing answer included);
    # F and d0 do not depend on n
    N = int(universe.sum())
    nu = design.degf(universe)
    r = np.repeat(np.arange(nr)[None, :], nc, axis=0).ravel()
    c = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack([np.ones(K)] + [(r == i).astype(float) for i in range(1, nr)]
                         + [(c == j).astype(float) for j in range(1, nc)])
    inter = np.column_stack([((r == i) & (c == j)).astype(float) for j in range(1, nc) for i in range(1, nr)])
    q, _ = np.linalg.qr(X1)
    C = inter - q @ (q.T @ inter)
    idiag = np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p))
    D = np.diag(idiag)
    denom = C.T @ (D / N) @ C
    numr = C.T @ D @ V @ D @ C
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    table = (p * N).reshape(nc, nr).T
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    x2 = float(((table - expected) ** 2 / expected).sum())
    if tr == 0:  # no sampling variance (a census: every stratum fully enumerated): no test, as R gives
        return pd.Series({"F": np.inf, "ndf": np.nan, "ddf": np.nan, "p": np.nan, "chisq": x2})
    d0 = tr ** 2 / float(np.trace(delta @ delta))
    F = x2 / tr
    pval = float(stats.f.sf(F, d0, d0 * nu))
    return pd.Series({"F": F, "ndf": d0, "ddf": d0 * nu, "p": pval, "chisq": x2})
