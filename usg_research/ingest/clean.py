"""Cleaning: act on validation problems, harmonise missing codes, derive variables, strip PII.

The cleaning log accounts for every input row (rows in = rows kept + rows
excluded, each exclusion with its reason and count) and every changed value
(recodes with from, to, reason and count). It holds counts only, never a
respondent's row, id or answer, so it can be published (TAB-MET-03).

Examples
--------
>>> from usg_research.ingest.clean import clean_city
>>> tables = clean_city("mathare")
>>> log = tables.logs["respondent"]
>>> log.rows_in == log.rows_kept + log.rows_excluded
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..paths import codebook_path, raw_dir
from .codebook import Codebook, read_codebook
from .derive import derive_respondent
from .load import apply_codebook, read_table
from .schema import (
    AGE_BANDS,
    CRIMES,
    MISSING_CODES,
    POP_AGE_GROUPS,
    SCALES,
    TABLES,
)
from .validate import CHECK_ORDER, Checked, check_table, raise_errors

#: Incident counts per crime type are capped here (limits the weight of a few
#: extreme repeat victims on incidence rates; INEGI and the SASU manual do the same).
COUNT_CAP = 5


@dataclass
class CleaningLog:
    """What cleaning did to one table: counts only."""

    table: str
    file: str
    rows_in: int
    exclusions: list[dict] = field(default_factory=list)
    recodes: list[dict] = field(default_factory=list)
    columns_dropped: list[dict] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)

    @property
    def rows_excluded(self) -> int:
        return sum(e["rows"] for e in self.exclusions)

    @property
    def rows_kept(self) -> int:
        return self.rows_in - self.rows_excluded

    def recode(self, column: str, old: str, new: str, reason: str, count: int) -> None:
        if count:
            self.recodes.append({"column": column, "from": old, "to": new, "reason": reason, "count": int(count)})

    def to_dict(self) -> dict:
        return {"table": self.table, "file": self.file, "rows_in": self.rows_in,
                "rows_kept": self.rows_kept, "rows_excluded": self.rows_excluded,
                "exclusions": self.exclusions, "recodes": self.recodes,
                "columns_dropped": self.columns_dropped, "derived": self.derived}

    def summary(self) -> pd.DataFrame:
        """A tidy summary (one row per action) for reports: step, column, detail, count."""
        rows = [{"step": "rows read", "column": "", "detail": self.file, "count": self.rows_in}]
        rows += [{"step": "rows excluded", "column": e["column"] or "", "detail": e["reason"], "count": e["rows"]}
                 for e in self.exclusions]
        rows.append({"step": "rows kept", "column": "", "detail": "", "count": self.rows_kept})
        agg: dict[tuple[str, str], int] = {}
        for r in self.recodes:
            key = (r["reason"], f"{r['from']} -> {r['to']}")
            agg[key] = agg.get(key, 0) + r["count"]
        rows += [{"step": "values recoded", "column": "", "detail": f"{reason}: {fromto}", "count": n}
                 for (reason, fromto), n in sorted(agg.items())]
        rows += [{"step": "column dropped", "column": d["column"], "detail": d["reason"], "count": 0}
                 for d in self.columns_dropped]
        return pd.DataFrame(rows, columns=["step", "column", "detail", "count"])

    def text(self) -> str:
        """A readable multi-line summary for the terminal."""
        lines = [f"{self.table}: {self.file}", f"  rows read      {self.rows_in:>8,}"]
        for e in self.exclusions:
            lines.append(f"  excluded       {e['rows']:>8,}  {e['reason']}")
        lines.append(f"  rows kept      {self.rows_kept:>8,}")
        by_reason: dict[str, int] = {}
        for r in self.recodes:
            by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + r["count"]
        for reason, n in sorted(by_reason.items()):
            lines.append(f"  recoded        {n:>8,}  {reason}")
        if self.columns_dropped:
            pii = [d["column"] for d in self.columns_dropped if d["reason"].startswith("identifying")]
            other = [d["column"] for d in self.columns_dropped if not d["reason"].startswith("identifying")]
            if pii:
                lines.append(f"  dropped (identifying): {', '.join(pii)}")
            if other:
                lines.append(f"  dropped (not in codebook): {len(other)} raw column(s)")
        return "\n".join(lines)


def clean_table(checked: Checked, codebook: Codebook) -> tuple[pd.DataFrame, CleaningLog]:
    """Clean one validated table; fail first if any problem's action is ``error``.

    Returns the clean table (canonical columns, categorical codes as ordered
    ``Categorical``, missing codes as missing values, PII removed, derived
    variables added) and its :class:`CleaningLog`.
    """
    raise_errors(checked)
    table = TABLES[checked.table]
    source = checked.data
    log = CleaningLog(checked.table, checked.file, rows_in=len(source))
    source_rows = source["_row"].to_numpy()  # increasing: the file's order

    def positions(rows: list[int]) -> np.ndarray:
        return np.searchsorted(source_rows, np.asarray(rows, dtype=source_rows.dtype))

    excluded = np.zeros(len(source), dtype=bool)
    order = {c: i for i, c in enumerate(CHECK_ORDER)}
    problems = sorted(checked.problems, key=lambda p: order.get(p.check, 99))
    for p in problems:
        if p.action != "exclude":
            continue
        idx = positions(p.rows)
        new = idx[~excluded[idx]]
        excluded[new] = True
        if len(new):
            log.exclusions.append({"check": p.check, "column": p.column, "reason": f"{p.check}: {p.expected}",
                                   "rows": int(len(new))})
    keep = ~excluded
    df = source[keep].reset_index(drop=True)  # the one copy: the kept rows
    kept_position = np.cumsum(keep) - 1
    for p in problems:
        if p.action != "set_missing" or p.variable is None:
            continue
        idx = positions(p.rows)
        idx = idx[keep[idx]]
        col = p.variable
        if p.check not in ("unknown_code", "skip_violation"):  # those were set missing in validation
            df.iloc[kept_position[idx], df.columns.get_loc(col)] = np.nan
        log.recode(col, "invalid" if p.check != "skip_violation" else "answer", "missing", p.check, len(idx))
    for var, mask in checked.trimmed.items():
        log.recode(var, "padded", "trimmed", "white space trimmed", int(mask[keep].sum()))
    for var, codes in checked.missing_numeric.items():
        kept = codes[keep]
        for code, n in kept.value_counts().sort_index().items():
            log.recode(var, str(code), "missing", f"missing code: {MISSING_CODES[code]}", int(n))
    for var in table.variables:
        if var.kind != "cat" or var.name not in df:
            continue
        s = df[var.name]
        for code in MISSING_CODES:
            log.recode(var.name, code, "missing", f"missing code: {MISSING_CODES[code]}", int((s == code).sum()))
        df[var.name] = s.where(~s.isin(list(MISSING_CODES)))
    if checked.table == "respondent":
        for c in CRIMES:
            col = f"n_{c}_12m"
            if col in df:
                over = df[col] > COUNT_CAP
                log.recode(col, f">{COUNT_CAP}", str(COUNT_CAP), f"incident count capped at {COUNT_CAP}",
                           int(over.sum()))
                df[col] = df[col].clip(upper=COUNT_CAP)
    for var in table.pii:
        if var in df:
            df = df.drop(columns=var)
            log.columns_dropped.append({"column": var, "reason": "identifying (PII): never kept"})
    for col in checked.unmapped:
        log.columns_dropped.append({"column": col, "reason": "not in the codebook"})
    df = df.drop(columns="_row")
    if checked.table == "respondent":
        df, log.derived = derive_respondent(df, copy=False)
    df = _typed(df, table.name)
    return df, log


def _typed(df: pd.DataFrame, table: str) -> pd.DataFrame:
    t = TABLES[table]
    for col in df.columns:
        if col in t and t[col].kind == "cat":
            s = df[col]
            if isinstance(s.dtype, pd.CategoricalDtype):  # missing codes set missing leave unused categories
                s = s.cat.remove_unused_categories()
            df[col] = pd.Categorical(s, categories=list(t[col].codes))
        elif col in t and t[col].kind == "int":
            df[col] = df[col].astype("Int64")
        elif col == "age_group":
            groups = [b[0] for b in AGE_BANDS] if table == "respondent" else list(POP_AGE_GROUPS)
            df[col] = pd.Categorical(df[col], categories=groups, ordered=True)
        elif col in (
                "youth", "youth35", "vict_any_12m", "vict_household_12m", "vict_personal_12m",
                "viol_any_12m", "harass_any_12m", "contact_any", "bribe_any", "bribe_paid_any"):
            df[col] = pd.Categorical(df[col], categories=list(SCALES["yesno"]))
        elif col in t and t[col].kind in ("id", "text"):
            df[col] = df[col].astype("string")
    return df


@dataclass
class CleanTables:
    """A city's clean canonical tables and their cleaning logs."""

    city: str
    codebook: Codebook
    tables: dict[str, pd.DataFrame]
    logs: dict[str, CleaningLog]

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def log_json(self) -> str:
        return json.dumps({k: v.to_dict() for k, v in self.logs.items()}, indent=2, sort_keys=True)


def clean_city(city: str, codebook: str | Path | None = None, folder: str | Path | None = None) -> CleanTables:
    """Load, validate and clean every table a city's codebook names.

    Parameters
    ----------
    city : city name (``data/codebooks/<city>.yaml`` and ``data/raw/<city>/``).
    codebook : another codebook file.
    folder : another folder of raw files.

    Raises
    ------
    ValidationError
        Listing the problems of every table (all tables are checked before failing).
    """
    cb = read_codebook(codebook or codebook_path(city))
    folder = Path(folder) if folder is not None else raw_dir(city)
    tables: dict[str, pd.DataFrame] = {}
    logs: dict[str, CleaningLog] = {}
    checked_all: list[Checked] = []
    for name in ("respondent", "incident", "population", "qualitative"):
        spec = cb.table_spec(name)
        if spec is None:
            continue
        checked_all.append(check_table(apply_codebook(read_table(spec, folder), spec, name), cb))
    errors = [p for ch in checked_all for p in ch.errors]
    if errors:
        raise ValidationError(errors)
    while checked_all:  # each checked table released once cleaned
        ch = checked_all.pop(0)
        tables[ch.table], logs[ch.table] = clean_table(ch, cb)
        del ch
    return CleanTables(cb.city, cb, tables, logs)


def cleaning_summary(tables: CleanTables) -> pd.DataFrame:
    """The cleaning logs of every table as one tidy table (TAB-MET-03): ``table, step, column, detail, count``.

    Examples
    --------
    >>> t = cleaning_summary(clean_city("mathare"))
    >>> t.loc[t["step"] == "rows kept", ["table", "count"]].to_dict("records")[0]["table"]
    'respondent'
    """
    frames = [log.summary().assign(table=name) for name, log in tables.logs.items()]
    out = pd.concat(frames, ignore_index=True)
    return out[["table", "step", "column", "detail", "count"]]
