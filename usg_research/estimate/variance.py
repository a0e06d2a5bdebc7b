"""With-replacement variance of PSU totals within strata (R ``svyrecvar``'s one-stage case).

For influence values summed to their PSUs, the variance of their total is
``sum_h f_h n_h / (n_h - 1) sum_{i in h} (t_i - tbar_h)^2``; a stratum with a single PSU contributes
as R's ``options(survey.lonely.psu)`` says (``adjust``: centred at zero; otherwise nothing).
PSUs of a stratum without a member of a domain contribute zeros, so domains are estimated on the
full design.

Examples
--------
>>> v = StrataVariance(np.array([0, 0, 1, 1]), np.ones(2), "fail")
>>> v.variances(np.array([[1.0], [3.0], [2.0], [2.0]])).tolist()
[4.0]
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class StrataVariance:
    """The variance structure of a design: each PSU's stratum, fpc factors, lonely-PSU rule."""

    def __init__(self, psu_stratum: np.ndarray, f: np.ndarray, lonely_psu: str):
        self.psu_stratum = psu_stratum
        self.H = len(f)
        self.n_psu = len(psu_stratum)
        self.n_h = np.bincount(psu_stratum, minlength=self.H).astype(float)
        self.f = f
        self.lonely = self.n_h == 1
        self.adjust = lonely_psu == "adjust"
        with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
            self.scale = np.where(self.lonely, f, f * self.n_h / (self.n_h - 1))
        self._by_stratum = sp.csr_matrix((np.ones(self.n_psu), (psu_stratum, np.arange(self.n_psu))),
                                         shape=(self.H, self.n_psu))

    def _combine(self, s1: np.ndarray, s2: np.ndarray, n_dom: int) -> np.ndarray:
        """Per domain: sum over strata of the centred sums of squares (s1, s2 are (domain x stratum, m))."""
        nh = np.tile(self.n_h, n_dom)[:, None]
        with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
            centred = np.tile(self.scale, n_dom)[:, None] * (s2 - s1 * s1 / nh)
        lonely = np.tile(self.lonely, n_dom)[:, None]
        alone = np.tile(self.f, n_dom)[:, None] * s2 if self.adjust else 0.0
        contrib = np.where(lonely, alone, centred)
        return contrib.reshape(n_dom, self.H, -1).sum(axis=1)

    def of_domain_cells(self, dom: np.ndarray, psu: np.ndarray, z: np.ndarray, n_dom: int) -> np.ndarray:
        """Variances (domain x m) of domain totals, from influence sums ``z`` of PSU x domain cells
        (each cell once; the PSUs a domain lacks are zeros)."""
        dh = dom * self.H + self.psu_stratum[psu]
        DH = sp.csr_matrix((np.ones(len(dh)), (dh, np.arange(len(dh)))), shape=(n_dom * self.H, len(dh)))
        return self._combine(np.asarray(DH @ z), np.asarray(DH @ (z * z)), n_dom)

    def variances(self, T: np.ndarray) -> np.ndarray:
        """Variances of the column totals of PSU totals ``T`` (n_psu x m)."""
        s1 = np.asarray(self._by_stratum @ T)
        s2 = np.asarray(self._by_stratum @ (T * T))
        return self._combine(s1, s2, 1)[0]

    def covariance(self, T: np.ndarray) -> np.ndarray:
        """Covariance matrix (m x m) of the column totals of PSU totals ``T`` (n_psu x m)."""
        V = np.zeros((T.shape[1], T.shape[1]))
        for h in range(self.H):
            Th = T[self.psu_stratum == h]
            if self.lonely[h]:
                if self.adjust:
                    V += self.f[h] * Th.T @ Th
                continue
            Tc = Th - Th.mean(axis=0)
            V += self.scale[h] * Tc.T @ Tc
        return V
