"""The estimation engine's second pass: estimates and variances of every domain from PSU x domain cells.

A mean, proportion or ratio ``R = Y / X`` of a domain has the influence value ``(y - R x) / X`` on the
domain's rows (zero elsewhere), a total has ``y``; the variance is that of their PSU totals
(:class:`usg_research.estimate.variance.StrataVariance`), after the calibration's residualisation
when the design is calibrated (:class:`usg_research.estimate.calibration.Calibration`). Degrees of
freedom are R's ``degf()`` of the domain's subset: PSUs with a row of the domain (inside the universe,
whether or not the variable is observed) minus strata with one.

Examples
--------
>>> import numpy as np
>>> from usg_research.estimate.cells import aggregate
>>> from usg_research.estimate.variance import StrataVariance
>>> cells = aggregate(np.arange(4), np.arange(4), np.ones(4), np.array([[1.0], [0.0], [1.0], [1.0]]))
>>> r = domain_estimates(StrataVariance(np.zeros(4, dtype=np.int64), np.ones(1), "fail"), None, cells,
...                      np.zeros(4, dtype=np.int64), np.ones(4, dtype=bool), 1, "mean")
>>> float(r.est[0, 0]), round(float(np.sqrt(r.var[0, 0])), 4), int(r.df[0, 0])
(0.75, 0.25, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from .calibration import Calibration
from .cells import Cells
from .variance import StrataVariance

Kind = Literal["mean", "total", "ratio"]


@dataclass(frozen=True)
class DomainEstimates:
    """Per domain x column: estimate, variance, df, counts and the variance under simple random sampling."""

    est: np.ndarray
    var: np.ndarray
    df: np.ndarray
    n: np.ndarray  # observed rows of the universe
    N: np.ndarray  # their weighted size
    rows: np.ndarray  # rows of the universe (observed or not): R's nrow() of the domain's subset
    vsrs: np.ndarray


def _sum_by(keys: np.ndarray, n_keys: int, *arrays: np.ndarray) -> list[np.ndarray]:
    M = sp.csr_matrix((np.ones(len(keys)), (keys, np.arange(len(keys)))), shape=(n_keys, len(keys)))
    return [np.asarray(M @ a) for a in arrays]


def domain_estimates(strata: StrataVariance, cal: tuple[Calibration, np.ndarray, np.ndarray] | None, cells: Cells,
                     dom_of_cell: np.ndarray, valid: np.ndarray, n_dom: int, kind: Kind) -> DomainEstimates:
    """Estimates of every domain from fine cells (``dom_of_cell``: each cell's domain; ``valid``: the
    cell is in a domain). ``cal``: the calibration, each fine cell's calibration cell, and the
    calibrated weight of each PSU x calibration cell."""
    n_psu = strata.n_psu
    # roll fine cells up to PSU x domain cells
    key = np.where(valid, dom_of_cell * n_psu + cells.psu, -1)
    uk, inv = np.unique(key, return_inverse=True)
    keep = uk >= 0
    rolled = _sum_by(inv, len(uk), cells.wy, cells.w, cells.wyy, cells.n, cells.rows, cells.wx)
    wy, w, wyy, n, rows, wx = (a[keep] for a in rolled)
    dom, psu = uk[keep] // n_psu, uk[keep] % n_psu
    Wy, W, Wyy, Nn, Rows, Wx = _sum_by(dom, n_dom, wy, w, wyy, n, rows, wx)
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        ratio = Wy / Wx
        z = wy if kind == "total" else np.nan_to_num((wy - ratio[dom] * wx) / Wx[dom])
    if cal is None:
        var = strata.of_domain_cells(dom, psu, z, n_dom)
    else:
        var = _calibrated_variance(strata, cal, cells, dom_of_cell, valid, n_dom, kind, ratio, Wx, dom, psu, z)
    # degrees of freedom: PSUs with a row of the domain's universe minus strata with one
    present = (rows > 0).astype(float)
    n_psu_dom = _sum_by(dom, n_dom, present)[0]
    dh = dom * strata.H + strata.psu_stratum[psu]
    strata_dom = (_sum_by(dh, n_dom * strata.H, present)[0] > 0).reshape(n_dom, strata.H, -1).sum(axis=1)
    # design effect against simple random sampling (R: svyvar / n * (1 - n/N))
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        s2 = Nn / (Nn - 1) * (Wyy - Wy * Wy / W) / W
        fpc_srs = (W - Nn) / W
        vsrs = s2 / Nn * fpc_srs if kind != "total" else s2 * W * W / Nn * fpc_srs
    est = Wy if kind == "total" else ratio
    return DomainEstimates(est, var, n_psu_dom - strata_dom, Nn, W, Rows, vsrs)


def _calibrated_variance(strata: StrataVariance, cal: tuple[Calibration, np.ndarray, np.ndarray], cells: Cells,
                         dom_of_cell: np.ndarray, valid: np.ndarray, n_dom: int, kind: Kind, ratio: np.ndarray,
                         Wx: np.ndarray, dom: np.ndarray, psu: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Variances after the calibration's residualisation (dense PSU x domain totals per column)."""
    calibration, cal_of_cell, wpc = cal
    C = calibration.n_cells
    # influence sums per calibration cell x domain: weighted (S) and, for raking, unweighted (U)
    fine_dom = np.where(valid, dom_of_cell, 0)
    with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
        if kind == "total":
            s_fine, u_fine = cells.wy, cells.uy
        else:
            r, d = ratio[fine_dom], Wx[fine_dom]
            s_fine = np.nan_to_num((cells.wy - r * cells.wx) / d)
            u_fine = None if cells.uy is None else np.nan_to_num((cells.uy - r * cells.ux) / d)
    s_fine = np.where(valid[:, None], s_fine, 0.0)
    ck = fine_dom * C + cal_of_cell
    S = _sum_by(ck, n_dom * C, s_fine)[0]
    U = _sum_by(ck, n_dom * C, np.where(valid[:, None], u_fine, 0.0))[0] if u_fine is not None else np.zeros_like(S)
    K = z.shape[1]
    var = np.empty((n_dom, K))
    for k in range(K):
        Sk = S[:, k].reshape(n_dom, C).T  # cells x domains
        Uk = U[:, k].reshape(n_dom, C).T
        kappa = calibration.correction(Sk, Uk)
        T = -wpc @ kappa  # n_psu x domains
        np.add.at(T, (psu, dom), z[:, k])
        var[:, k] = strata.variances(T)
    return var
