"""Columns of raw text cells held dictionary-encoded: each distinct value stored (and checked) once.

A national export has millions of rows but few distinct answers per question. Readers return every
column as a ``Categorical`` of strings; validation strips, maps and parses each distinct value once and
spreads the result to the rows by their codes.

Examples
--------
>>> cells, trimmed = stripped(pd.Series([" yes", "yes", "no "]))
>>> values, codes = distinct_values(cells)
>>> values.tolist(), codes.tolist(), trimmed.tolist()
(['no', 'yes'], [1, 1, 0], [True, False, True])
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd


def raw_key(value: object) -> str:
    """Normalise a raw code as it appears in a file or in YAML to a string key.

    Integral floats lose their ``.0`` (SPSS stores codes as doubles).

    Examples
    --------
    >>> raw_key(2.0), raw_key(" 98 "), raw_key("Yes")
    ('2', '98', 'Yes')
    """
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Collector(Protocol):
    """What collects problems by row: ``add`` a check's rows (a mask), the values shown, what was expected;
    returns the action taken, or None when no row is flagged."""

    def add(self, check: str, var: str | None, mask: np.ndarray | pd.Series, values: pd.Series | np.ndarray | None,
            expected: str) -> str | None: ...


def text_column(values: pd.Series, strip: bool = False) -> pd.Series:
    """A column of raw cells as text, dictionary-encoded: a ``Categorical`` of strings with no missing value
    (a missing or ``None`` cell is ``""``, a number its shortest text, a date-time ``%Y-%m-%d %H:%M:%S``;
    text as written, or stripped of surrounding white space with ``strip``, as SPSS and Excel cells are).
    Each distinct value is converted once, so a national file costs its distinct values, not its cells.

    Examples
    --------
    >>> text_column(pd.Series([1.0, "1", None, 2.5])).tolist()
    ['1', '1', '', '2.5']
    """
    s = values
    if not strip and isinstance(s.dtype, pd.CategoricalDtype) and not s.isna().any() and all(
            isinstance(v, str) for v in s.cat.categories):
        return s
    if pd.api.types.is_datetime64_any_dtype(s):
        s = s.dt.strftime("%Y-%m-%d %H:%M:%S")
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    texts = [raw_key(v) if strip else _cell_text(v) for v in uniques]
    if (codes < 0).any():  # a missing cell is empty text
        codes = np.where(codes < 0, len(texts), codes)
        texts.append("")
    categories, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
    return pd.Series(pd.Categorical.from_codes(inverse[codes], categories=pd.Index(categories, dtype=object)),
                     index=values.index, name=values.name)


def _cell_text(v: object) -> str:
    return v if isinstance(v, str) else raw_key(v)


def stripped(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A text column without surrounding white space (categorical), and which rows had some. Each distinct
    value is stripped once."""
    cells = text_column(values)
    categories = cells.cat.categories.to_numpy(dtype=object)
    clean = np.array([v.strip() for v in categories], dtype=object)
    codes = cells.cat.codes.to_numpy()
    distinct, inverse = np.unique(clean, return_inverse=True)
    return (pd.Series(pd.Categorical.from_codes(inverse[codes], pd.Index(distinct, dtype=object)),
                      index=values.index), (clean != categories)[codes])


class PerValue:
    """A collector for checks computed once per distinct value of a column: masks and values given per
    value are spread to the rows holding them (``codes``) and passed to the collector of rows ``c``."""

    def __init__(self, c: Collector, codes: np.ndarray):
        self.c, self.codes = c, codes

    def spread(self, per_value: pd.Series | np.ndarray) -> np.ndarray:
        return np.asarray(per_value)[self.codes]

    def add(self, check: str, var: str | None, mask: np.ndarray | pd.Series, values: pd.Series | None,
            expected: str) -> str | None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return None
        shown = None if values is None else self.spread(np.asarray(values, dtype=object))
        return self.c.add(check, var, self.spread(mask), shown, expected)


def distinct_values(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A categorical column's distinct values (an object Series) and each row's position among them."""
    return pd.Series(cells.cat.categories.to_numpy(dtype=object), dtype=object), cells.cat.codes.to_numpy()


__all__ = ["Collector", "raw_key", "PerValue", "distinct_values", "stripped", "text_column"]
