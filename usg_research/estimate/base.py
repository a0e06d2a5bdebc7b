"""What every survey design answers, whatever its variance method: the public estimation methods
(``mean``, ``total``, ``proportion``, ``ratio``), universes, and the tidy layout of domain estimates.

:class:`usg_research.estimate.survey.SurveyDesign` (strata and PSUs, Taylor linearisation) and
:class:`usg_research.estimate.replicate.ReplicateDesign` (replicate weights) implement ``estimate``;
these methods and the notebooks' calls are the same for both.

Examples
--------
>>> codes, valid, labels = spec_domains({"sex": (np.array([0, 1, -1]), ["f", "m"])}, ["sex"])
>>> codes.tolist(), valid.tolist(), labels
([1, 2, 0], [True, True, False], ['', 'f', 'm'])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .cells import Decode, combine_codes
from .engine import DomainEstimates
from .intervals import CI, confidence_interval

ESTIMATE_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "N"]
By = str | Sequence[str] | None


class DesignError(ValueError):
    """The survey design is not usable (bad weights, lonely PSUs under ``fail`` ...)."""


def by_list(by: By) -> list[str]:
    """A disaggregation as a list of column names (None: the whole sample)."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def spec_domains(decode: Decode, cols: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Domain code of each cell for a disaggregation (the cross of ``cols``), whether the cell is in a
    domain (no missing level), and each domain's label (levels joined by " / "; "" for no domain)."""
    n = len(next(iter(decode.values()))[0]) if decode else 0
    if not cols:
        return np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool), ["total"]
    sub = [decode[c] for c in cols]
    codes, tuples = combine_codes([s[0] for s in sub], [max(len(s[1]), 1) for s in sub])
    labels = [" / ".join(lev[i] for i, (_, lev) in zip(t, sub, strict=True)) if (t >= 0).all() else ""
              for t in tuples]
    valid = np.all([s[0] >= 0 for s in sub], axis=0)
    return codes, valid, labels


def check_arguments(kind: str, ci: str, level: float, denominator: object) -> None:
    """The estimate's kind, interval method and level, and the denominator only a ratio takes: an unknown
    value is an error naming it (never a silent mean)."""
    if kind not in ("mean", "total", "ratio"):
        raise ValueError(f"kind={kind!r}: one of 'mean', 'total', 'ratio'")
    if ci not in ("logit", "beta", "wald"):
        raise ValueError(f"ci={ci!r}: one of 'logit', 'beta', 'wald'")
    if not 0 < level < 1:
        raise ValueError(f"level={level!r}: a confidence level between 0 and 1, e.g. 0.95")
    if (kind == "ratio") != (denominator is not None):
        raise ValueError("a ratio needs a denominator, and only a ratio takes one")


def tidy(res: DomainEstimates, labels: list[str], cols: list[str], names: Sequence[str], props: np.ndarray,
         kind: str, level: float, ci: CI) -> list[pd.DataFrame]:
    """One tidy frame per column: ``column, domain, level, estimate ... N, df, rows``."""
    out = []
    keep = np.array([lab != "" for lab in labels])
    for k, name in enumerate(names):
        est, se = res.est[:, k], np.sqrt(res.var[:, k])
        is_prop = bool(props[k]) and kind == "mean"
        lo, hi = confidence_interval(est, se, res.df[:, k], level, ci if is_prop else "t", res.rows[:, k],
                                     res.n[:, k])
        with np.errstate(all="ignore"):  # pragma: no mutate (0/0 and x/0 are handled: warnings only)
            cv = se / np.abs(est)
            deff = res.var[:, k] / res.vsrs[:, k] if kind != "ratio" else np.full(len(est), np.nan)
        frame = pd.DataFrame({"column": name, "domain": " x ".join(cols) if cols else "total", "level": labels,
                              "estimate": est, "se": se, "ci_low": lo, "ci_high": hi, "cv": cv, "deff": deff,
                              "n": res.n[:, k].astype(np.int64), "N": res.N[:, k],
                              "df": res.df[:, k].astype(np.int64), "rows": res.rows[:, k].astype(np.int64)})
        out.append(frame[(frame["n"] > 0).to_numpy() & keep].reset_index(drop=True))
    return out


class DesignBase:
    """The public estimation methods shared by every design (see the module docstring)."""

    data: pd.DataFrame
    w: np.ndarray

    def estimate(self, y: pd.DataFrame, by: Sequence[str | Sequence[str] | None], kind: str = "mean",
                 level: float = 0.95, proportion: Sequence[bool] | None = None, ci: CI = "logit",
                 where: object = None, denominator: pd.DataFrame | None = None) -> pd.DataFrame:
        raise NotImplementedError

    def degf(self, where: object = None) -> int:
        raise NotImplementedError

    def mean(self, var: str, by: By = None, where: object = None, level: float = 0.95) -> pd.DataFrame:
        """Weighted mean of a numeric column by domain (missing values leave the estimate, not the domain).

        Returns one row per domain: the ``by`` columns, then ``estimate, se, ci_low, ci_high, cv, deff, n, N``
        (``n`` observed rows of the universe, ``N`` their weighted size). CIs are t-based on the domain's df.
        """
        return self._one(self._numeric(var), by, where, "mean", level, None)

    def total(self, var: str, by: By = None, where: object = None, level: float = 0.95) -> pd.DataFrame:
        """Weighted total of a numeric column by domain (same columns as :meth:`mean`)."""
        return self._one(self._numeric(var), by, where, "total", level, None)

    def proportion(self, var: str, by: By = None, where: object = None, values: Sequence[object] | None = None,
                   ci: CI = "logit", level: float = 0.95) -> pd.DataFrame:
        """Proportion of the universe with ``var`` true (0/1, bool, or a code in ``values``).

        ``ci``: ``logit`` (R ``svyciprop(method="logit")``, the default), ``beta`` (Korn-Graubard, R
        ``method="beta"``, the interval of the NCHS standard) or ``wald`` (symmetric, clipped to [0, 1]).

        Examples
        --------
        >>> from usg_research.estimate.survey import SurveyDesign
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "a": ["x", "y", "x", "x"]})
        >>> SurveyDesign(df, weight="w").proportion("a", values=["x"])["estimate"].item()
        0.8333333333333334
        """
        return self._one(self._binary(var, values), by, where, "mean", level, ci)

    def ratio(self, numerator: str, denominator: str, by: By = None, where: object = None,
              level: float = 0.95) -> pd.DataFrame:
        """Ratio of two totals, ``sum(w y) / sum(w x)``, by domain (R ``svyratio``), same columns as :meth:`mean`
        (``deff`` blank). A row missing either variable leaves the estimate.

        Examples
        --------
        >>> from usg_research.estimate.survey import SurveyDesign
        >>> df = pd.DataFrame({"w": [1.0, 1, 2], "y": [1.0, 2, 3], "x": [2.0, 2, 4]})
        >>> SurveyDesign(df, weight="w").ratio("y", "x")["estimate"].item()
        0.75
        """
        x = pd.DataFrame({"y": self._numeric(denominator)})
        return self._one(self._numeric(numerator), by, where, "ratio", level, None, x)

    def universe(self, where: object) -> np.ndarray:
        """A boolean mask of the rows in ``where``: None (every row), a boolean or 0/1 column (missing: out)
        or a mask aligned with the data. A column of any other type is an error naming it."""
        if where is None:
            return np.ones(len(self.w), dtype=bool)
        if isinstance(where, str):
            if where not in self.data.columns:
                raise KeyError(f"where={where!r}: no such column")
            s = self.data[where]
            if pd.api.types.is_bool_dtype(s):
                return s.fillna(False).astype(bool).to_numpy()
            v = pd.to_numeric(s, errors="coerce") if not isinstance(s.dtype, pd.CategoricalDtype) else None
            ok = v is not None and v.notna().sum() == s.notna().sum() and v.dropna().isin([0, 1]).all()
            if not ok:
                raise TypeError(f"where={where!r}: the column is not boolean or 0/1 (e.g. {s.dropna().iloc[0]!r}); "
                                "pass a mask such as data[col].eq('yes')")
            return v.fillna(0).to_numpy() == 1
        arr = np.asarray(where)
        if arr.shape != (len(self.w),):
            raise ValueError(f"where must be a column name or a boolean mask of length {len(self.w)}")
        mask = pd.Series(arr)
        return (mask.notna() & mask.fillna(0).astype(bool)).to_numpy()  # a missing entry is outside

    def _difference_domains(self, var: str, by: str, levels: Sequence[object], kind: str, where: object,
                            values: Sequence[object] | None) -> tuple[np.ndarray, list[np.ndarray]]:
        """A two-domain difference's variable (0/1 for a proportion) and the rows of each level of ``by``
        in the universe, checked: a known kind, two levels, each with an observed row."""
        if kind not in ("mean", "proportion", "total"):
            raise ValueError(f"kind={kind!r}: one of 'mean', 'proportion', 'total'")
        if len(levels) != 2:
            raise ValueError(f"difference needs two levels of {by!r}, got {list(levels)}")
        y = self._binary(var, values) if kind == "proportion" else self._numeric(var)
        uni = self.universe(where)
        col = self.data[by].astype(str).to_numpy()
        masks = [uni & (col == str(lv)) for lv in levels]
        for lv, m in zip(levels, masks, strict=True):
            if not (m & ~np.isnan(y)).any():
                raise ValueError(f"{by!r} has no observed row at level {lv!r} (levels: {sorted(set(col))})")
        return y, masks

    def _numeric(self, var: str) -> np.ndarray:
        s = self.data[var]
        if isinstance(s.dtype, pd.CategoricalDtype) or not (pd.api.types.is_numeric_dtype(s)
                                                            or pd.api.types.is_bool_dtype(s)):
            raise TypeError(f"{var!r} is not numeric; use proportion(..., values=[...]) for categories")
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)

    def _binary(self, var: str, values: Sequence[object] | None) -> np.ndarray:
        s = self.data[var]
        if values is not None:
            out = s.isin(list(values)).to_numpy(dtype=float)
            out[s.isna().to_numpy()] = np.nan
            return out
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)) \
                or isinstance(s.dtype, pd.CategoricalDtype):
            raise ValueError(f"{var!r} holds codes, not 0/1; pass values=[...] naming the codes that count")
        y = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        if not np.isin(y[~np.isnan(y)], (0.0, 1.0)).all():
            raise ValueError(f"{var!r} is not 0/1; pass values=[...] naming the codes that count")
        return y

    def _one(self, y: np.ndarray, by: By, where: object, kind: str, level: float, ci: CI | None,
             denominator: pd.DataFrame | None = None) -> pd.DataFrame:
        cols = by_list(by)
        res = self.estimate(pd.DataFrame({"y": y}), [cols or None], kind=kind, level=level,
                            proportion=[ci is not None], ci=ci or "logit", where=self.universe(where),
                            denominator=denominator)
        out = res.drop(columns=["column", "domain"])
        if cols:
            parts = out["level"].str.split(" / ", expand=True, regex=False)
            for i, c in enumerate(cols):
                out.insert(i, c, parts[i].to_numpy())
        return out.drop(columns=["level", "df", "rows"]).reset_index(drop=True)
