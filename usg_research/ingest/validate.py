"""Validation: check a mapped table against the canonical schema, naming every problem.

:func:`check_table` converts text cells to canonical types and collects every
:class:`Problem` (file, raw column, canonical variable, rows, offending
values, what was expected, and the action the codebook's policy takes). It
never stops at the first problem. Problems whose action is ``error`` make
:func:`raise_errors` fail once, with all of them listed; the others are acted
on by :mod:`usg_research.ingest.clean`, which counts each one in the cleaning log.

Examples
--------
>>> import pandas as pd
>>> from usg_research.ingest.codebook import Codebook
>>> from usg_research.ingest.load import RawTable, apply_codebook
>>> cb = Codebook.model_validate({"city": "demo", "survey": {"file": "s.csv",
...     "columns": {"resp_id": "id", "weight": "w", "area": "a", "sex": "s", "age": "e"},
...     "scales": {"sex": {1: "male", 2: "female"}}}})
>>> raw = RawTable("s.csv", pd.DataFrame({"id": ["1", "2"], "w": ["1", "1"], "a": ["x", "x"],
...                                       "s": ["1", "7"], "e": ["30", "40"]}, dtype=object))
>>> checked = check_table(apply_codebook(raw, cb.survey, "respondent"), cb)
>>> print(checked.problems[0].describe())
s.csv, column 's' (sex), row 2: value '7' is not a known code; expected one of 1 (male), 2 (female) [error]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .cells import PerValue, distinct_values, stripped
from .codebook import Action, Codebook, TableSpec
from .load import MappedTable
from .schema import (
    POP_AGE_GROUPS,
    QUAL_METHODS,
    QUAL_TVC,
    REPLICATE_PREFIX,
    TABLES,
    Variable,
)

#: Text columns with a closed set of values.
CLOSED_TEXT: dict[tuple[str, str], tuple[str, ...]] = {
    ("population", "age_group"): POP_AGE_GROUPS,
    ("qualitative", "method"): QUAL_METHODS,
    ("qualitative", "tvc"): QUAL_TVC,
}
#: The largest weight accepted: a weight counts the persons a respondent represents (sums of larger ones
#: could overflow to infinity and return an estimate with a standard error of 0).
MAX_WEIGHT = 1e12
#: Sub-area values that are e-mail addresses, or phone numbers (7 digits or more, mostly distinct: a numeric
#: area code repeats across its respondents), would identify people once published.
EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
#: A sub-area column with more distinct values than this share of its rows (from ``UNIQUE_MIN_ROWS``) holds
#: identifiers, not places: every sub-area would be a cell of one respondent.
UNIQUE_SHARE, UNIQUE_MIN_ROWS = 0.5, 40
#: Order in which exclusions are attributed when a row has several reasons.
CHECK_ORDER = ("missing_value", "duplicate_row", "duplicate_id", "bad_weight", "psu_in_two_strata",
               "identifier_like",
               "unknown_code", "bad_number", "out_of_range", "impossible_date", "date_out_of_window",
               "skip_violation")
MAX_SHOWN = 5


@dataclass
class Problem:
    """One kind of defect in one column, with every row it occurs in."""

    check: str
    file: str
    column: str | None
    variable: str | None
    rows: list[int]
    values: list[str]
    expected: str
    action: Action

    def describe(self) -> str:
        """One line naming file, column, rows, value and what was expected."""
        where = self.file
        if self.column is not None:
            where += f", column {self.column!r}"
            if self.variable and self.variable != self.column:
                where += f" ({self.variable})"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:MAX_SHOWN])
            more = f" (+{len(self.rows) - MAX_SHOWN} more)" if len(self.rows) > MAX_SHOWN else ""
            where += f", row{'s' if len(self.rows) > 1 else ''} {shown}{more}"
        vals = ""
        if self.values:
            vs = ", ".join(repr(v) for v in self.values[:MAX_SHOWN])
            vals = f"value{'s' if len(self.values) > 1 else ''} {vs}"
            if len(self.values) > MAX_SHOWN:
                vals += f" (+{len(self.values) - MAX_SHOWN} more)"
            vals += " "
        return f"{where}: {vals}{self.expected} [{self.action}]"


@dataclass
class Checked:
    """A table converted to canonical types, with what validation found."""

    table: str
    file: str
    data: pd.DataFrame
    problems: list[Problem]
    unmapped: list[str]
    #: per variable, which rows had surrounding white space trimmed
    trimmed: dict[str, np.ndarray] = field(default_factory=dict)
    #: per numeric/date variable, the missing code each row carried (NaN where none)
    missing_numeric: dict[str, pd.Series] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.action == "error"]


class _Collector:
    def __init__(self, mapped: MappedTable, codebook: Codebook):
        self.m, self.cb, self.problems = mapped, codebook, []

    def add(self, check: str, var: str | None, mask: np.ndarray | pd.Series, values: pd.Series | None,
            expected: str) -> Action | None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return None
        rows = self.m.data["_row"].to_numpy()[mask].tolist()
        vals: list[str] = []
        if values is not None:
            vals = list(dict.fromkeys(str(v) for v in np.asarray(values, dtype=object)[mask]))
        action = self.cb.action(check, var)
        col = self.m.raw_columns.get(var, var) if var else None
        self.problems.append(Problem(check, self.m.file, col, var, rows, vals, expected, action))
        return action


def _describe_codes(code_map: dict[str, str], missing: dict[str, str]) -> str:
    items = [f"{k} ({v})" for k, v in code_map.items()] + [f"{k} ({v})" for k, v in missing.items()]
    return "expected one of " + ", ".join(items) if items else "no codes are mapped for it in the codebook"


def _check_cat(c: PerValue, var: Variable, s: pd.Series, spec: TableSpec, table: str,
               labels: dict[str, str]) -> pd.Series:
    code_map = spec.code_map(var.name, table)
    out = s.map(code_map)
    by_missing = s.map(spec.missing)
    out = out.where(out.notna(), by_missing)
    if labels:  # a codebook may name value labels instead of codes
        lab = s.map(labels)
        out = out.where(out.notna(), lab.map(code_map))
        out = out.where(out.notna(), lab.map(spec.missing))
    out = out.where(~(s == ""), "na")
    bad = out.isna().to_numpy()
    if bad.any():
        shown = s.copy()
        if labels:
            shown = s.map(lambda v: f"{v} (label {labels[v]!r})" if v in labels else
                          f"{v} (unlabelled in the file)")
        c.add("unknown_code", var.name, bad, shown,
              "is not a known code; " + _describe_codes(code_map, spec.missing))
    return out  # unknown codes stay missing (NaN); cleaning counts them under their problem


def _check_number(c: PerValue, var: Variable, s: pd.Series, spec: TableSpec, checked: Checked) -> pd.Series:
    miss = s.map(spec.missing_numeric)
    blank = s == ""
    codes = miss.where(~blank, "na")
    if codes.notna().any():
        checked.missing_numeric[var.name] = pd.Series(c.spread(codes.to_numpy(dtype=object)),
                                                      dtype=object).astype("category")
    num = pd.to_numeric(s.where(miss.isna() & ~blank), errors="coerce")
    bad = (num.isna() | ~np.isfinite(num)) & miss.isna() & ~blank  # "inf" and "nan" are not answers
    if var.kind == "int":
        frac = num.notna() & (num % 1 != 0)
        bad = bad | frac
    if var.name == "weight":
        badw = bad | num.isna() | (num <= 0) | (num > MAX_WEIGHT)
        c.add("bad_weight", var.name, badw, s.where(s != "", "<blank>"),
              f"weights must be positive finite numbers up to {MAX_WEIGHT:.0e} (persons represented); every "
              "respondent needs one")
        return num.where(~badw)
    if bad.any():
        c.add("bad_number", var.name, bad, s, f"is not {'a whole number' if var.kind == 'int' else 'a number'}")
        num = num.where(~bad)
    if var.range is not None:
        lo, hi = var.range
        oor = num.notna() & ((num < lo) | (num > hi))
        c.add("out_of_range", var.name, oor, s, f"is outside the allowed range {lo:g} to {hi:g}")
    return num


def _check_date(c: PerValue, var: Variable, s: pd.Series, spec: TableSpec) -> pd.Series:
    fmt = spec.datetime_format if var.kind == "datetime" else spec.date_format
    blank = (s == "") | s.isin(list(spec.missing_numeric)) | s.isin(list(spec.missing))
    parsed = pd.to_datetime(s.where(~blank), format=fmt or "ISO8601", errors="coerce")
    bad = parsed.isna() & ~blank
    c.add("impossible_date", var.name, bad, s,
          f"is not a real {'date-time' if var.kind == 'datetime' else 'date'}"
          + (f" in the format {fmt!r}" if fmt else " (ISO 8601, e.g. 2021-03-15)"))
    parsed = parsed.where(~bad)
    if spec.window is not None and not var.pii:
        lo, hi = (pd.Timestamp(x) for x in spec.window)
        hi_end = hi + pd.Timedelta(days=1)
        out = parsed.notna() & ((parsed < lo) | (parsed >= hi_end))
        c.add("date_out_of_window", var.name, out, s, f"is outside the window {spec.window[0]} to {spec.window[1]}")
    return parsed


def _condition_holds(var: Variable, df: pd.DataFrame) -> pd.Series | None:
    cond = var.condition
    if cond is None:
        return None
    if cond.max_age is not None:
        if "age" not in df:
            return None
        return df["age"].isna() | (df["age"] <= cond.max_age)
    present = [v for v in cond.variables if v in df]
    if not present:
        return None
    holds = pd.Series(False, index=df.index)
    for v in present:
        holds |= df[v].isin(cond.codes)
    return holds


def check_table(mapped: MappedTable, codebook: Codebook) -> Checked:
    """Convert a mapped table to canonical types and collect every problem.

    Parameters
    ----------
    mapped : the output of :func:`usg_research.ingest.load.apply_codebook`.
    codebook : the city's codebook (its specs and policy).

    Returns
    -------
    Checked
        ``data`` holds canonical columns (categorical codes as strings,
        missing codes ``dk``/``refused``/``na`` kept as such; numbers as
        float; dates as datetime64) plus ``_row``; ``problems`` lists every
        defect with the action the policy takes.
    """
    table = TABLES[mapped.table]
    spec = codebook.table_spec(mapped.table)
    assert spec is not None
    c = _Collector(mapped, codebook)
    checked = Checked(mapped.table, mapped.file, pd.DataFrame(), c.problems, mapped.unmapped)
    for var in mapped.missing:
        c.problems.append(Problem("missing_column", mapped.file, mapped.raw_columns[var], var, [], [],
                                  "the codebook maps this variable to a column the file does not have",
                                  "error"))
    for var in table.required:
        if var not in mapped.raw_columns:
            c.problems.append(Problem("missing_column", mapped.file, None, var, [], [],
                                      f"required variable {var!r} is not mapped to any column in the codebook",
                                      "error"))
    src = mapped.data
    out: dict[str, pd.Series] = {"_row": src["_row"]}
    for var in table.variables:
        if var.name not in src:
            continue
        cells, trimmed = stripped(src[var.name])
        if trimmed.any():
            checked.trimmed[var.name] = trimmed
        s, codes = distinct_values(cells)  # each distinct value checked once
        v = PerValue(c, codes)
        if var.kind == "cat":  # codes are few: kept dictionary-encoded
            codes = pd.Categorical(_check_cat(v, var, s, spec, mapped.table, mapped.labels.get(var.name, {})))
            out[var.name] = pd.Series(pd.Categorical.from_codes(v.spread(codes.codes), codes.categories))
        elif var.kind in ("float", "int"):
            out[var.name] = pd.Series(v.spread(_check_number(v, var, s, spec, checked)))
        elif var.kind in ("date", "datetime"):
            out[var.name] = pd.Series(v.spread(_check_date(v, var, s, spec)))
        else:
            if var.required:
                v.add("missing_value", var.name, s == "", None, "a value is required here")
            closed = CLOSED_TEXT.get((mapped.table, var.name))
            if closed is not None:
                v.add("unknown_code", var.name, (s != "") & ~s.isin(closed), s,
                      "expected one of " + ", ".join(closed))
            out[var.name] = pd.Series(v.spread(s.where(s != "")), dtype=object)
    for col in [k for k in src.columns if k.startswith(REPLICATE_PREFIX)]:
        s, codes = distinct_values(stripped(src[col])[0])
        v = PerValue(c, codes)
        num = pd.to_numeric(s.where(s != ""), errors="coerce")
        bad = num.isna() | (num < 0) | (num > MAX_WEIGHT)  # > also refuses inf
        v.add("bad_weight", col, bad, s.where(s != "", "<blank>"),
              f"replicate weights must be finite numbers from 0 to {MAX_WEIGHT:.0e}; every respondent needs one")
        out[col] = pd.Series(v.spread(num))
    df = pd.DataFrame(out)
    _check_rows(c, df, table.key)
    _check_identifier_like(c, df)
    if mapped.table == "respondent":
        _check_design(c, df)
        _check_skips(c, df, table.variables)
    checked.data = df
    return checked


def _check_rows(c: _Collector, df: pd.DataFrame, key: str | None) -> None:
    cols = [x for x in df.columns if x != "_row"]
    if not cols:
        return
    dup_row = _repeats(df[cols])
    c.add("duplicate_row", key, dup_row, df[key] if key in df else None,
          "repeats an earlier row exactly (double entry); the first is kept")
    if key in df:
        ids = df[key]
        # ids still duplicated once exact repeats are set aside
        remaining = ids[~dup_row]
        dup_id = (~dup_row & ids.notna().to_numpy()
                  & ids.isin(remaining[remaining.duplicated(keep=False)]).to_numpy())
        c.add("duplicate_id", key, dup_id, ids, "identifies more than one row with different answers")


def _repeats(df: pd.DataFrame) -> np.ndarray:
    """Which rows repeat an earlier row exactly. Rows are hashed a column at a time (memory: one number per
    row, whatever the width); only rows whose hash recurs are compared in full."""
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    candidates = np.flatnonzero(pd.Series(h).duplicated(keep=False).to_numpy())
    out = np.zeros(len(df), dtype=bool)
    out[candidates] = df.iloc[candidates].duplicated(keep="first").to_numpy()
    return out


def _check_identifier_like(c: _Collector, df: pd.DataFrame) -> None:
    """Refuse a sub-area column that holds phone numbers, e-mail addresses or mostly unique values (a
    mapping to an identifier): sub-areas are published with their counts. The values are not echoed."""
    if "area" not in df:
        return
    s = df["area"].astype(object)
    given = s.notna() & (s != "")
    text = s.astype(str)
    phone = given & text.str.fullmatch(PHONE_LIKE)
    contact = given & text.str.fullmatch(EMAIL_LIKE)
    if phone.any() and s[phone].nunique() > UNIQUE_SHARE * int(phone.sum()):
        contact |= phone
    c.add("identifier_like", "area", contact.to_numpy(), s.where(~contact, "<withheld: phone- or e-mail-like>"),
          "looks like a phone number or an e-mail address, not a sub-area (values withheld); map area: to the "
          "sub-area column")
    n = int(given.sum())
    counts = s[given].value_counts()
    if n >= UNIQUE_MIN_ROWS and len(counts) > UNIQUE_SHARE * n:
        single = given & s.isin(counts.index[counts == 1]) & ~contact
        c.add("identifier_like", "area", single.to_numpy(), s.where(~single, "<withheld>"),
              f"{len(counts):,} distinct values in {n:,} rows: an identifier, not a sub-area (values withheld); "
              "map area: to the sub-area column")


def _check_design(c: _Collector, df: pd.DataFrame) -> None:
    if "psu" in df and "stratum" in df:
        sub = df[["psu", "stratum"]].dropna()
        n_strata = sub.groupby("psu")["stratum"].nunique()
        multi = n_strata[n_strata > 1].index
        mask = df["psu"].isin(multi).to_numpy()
        c.add("psu_in_two_strata", "psu", mask, df["psu"] + " in stratum " + df["stratum"].fillna(""),
              "each PSU must lie in exactly one stratum")


def _check_skips(c: _Collector, df: pd.DataFrame, variables: tuple[Variable, ...]) -> None:
    for var in variables:
        if var.name not in df or var.condition is None:
            continue
        holds = _condition_holds(var, df)
        if holds is None:
            continue
        s = df[var.name]
        answered = s.notna() & ~s.isin(["na"]) if var.kind == "cat" else s.notna()
        bad = answered & ~holds
        action = c.add("skip_violation", var.name, bad, s,
                       f"is an answer to a question asked only if {var.condition.describe()}")
        if action == "set_missing":  # later conditions see the corrected value
            df[var.name] = s.where(~bad, np.nan)


def raise_errors(checked: Checked) -> None:
    """Raise one :class:`ValidationError` listing every problem whose action is ``error``."""
    errors = checked.errors
    if errors:
        raise ValidationError(errors, header=f"{checked.file}: ")


__all__ = ["CHECK_ORDER", "Checked", "Problem", "check_table", "raise_errors"]
