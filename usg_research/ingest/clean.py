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
from .load import apply_codebook, read_table
from .schema import (
    AGE_BANDS,
    COHESION_ITEMS,
    CRIMES,
    HOUSEHOLD_CRIMES,
    MISSING_CODES,
    OFFICIALS,
    PERSONAL_CRIMES,
    POP_AGE_GROUPS,
    SCALES,
    TABLES,
    TRUST_INSTITUTIONS,
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


def _yes(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    """yes if any column is yes; no if all are no; missing otherwise."""
    sub = df[cols]
    anyyes = sub.eq("yes").any(axis=1)
    allno = sub.eq("no").all(axis=1)
    return pd.Series(np.where(anyyes, "yes", np.where(allno, "no", None)), index=df.index, dtype=object)


def _score(df: pd.DataFrame, cols: list[str], scale: str, min_answered: int) -> pd.Series:
    """Mean item score on 0-100 (first scale code = 100), needing ``min_answered`` items."""
    codes = SCALES[scale]
    k = len(codes) - 1
    pts = {c: 100.0 * (k - i) / k for i, c in enumerate(codes)}
    scores = pd.DataFrame({c: df[c].map(pts).astype(float) for c in cols})
    answered = scores.notna().sum(axis=1)
    return scores.mean(axis=1).where(answered >= min_answered)


def derive_respondent(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Add derived variables to a cleaned respondent table (codes as strings).

    Derived: ``age_group`` (SDG 16.7.2 bands), ``youth`` (18-24), ``youth35``
    (18-35), ``vict_any_12m`` / ``vict_household_12m`` / ``vict_personal_12m``,
    ``n_crimes_12m`` (capped counts summed), ``viol_any_12m``,
    ``harass_any_12m``, ``contact_any``, ``bribe_any`` (asked or paid, among
    contact holders), ``bribe_paid_any``, ``cohesion_index`` and
    ``trust_index`` (0-100).
    """
    out = df.copy()
    derived: list[str] = []
    if "age" in out:
        bins = [lo - 0.5 for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2] + 0.5]
        out["age_group"] = pd.cut(out["age"], bins=bins, labels=[b[0] for b in AGE_BANDS]).astype(object)
        out["youth"] = np.where(out["age"].isna(), None, np.where(out["age"] <= 24, "yes", "no"))
        out["youth35"] = np.where(out["age"].isna(), None, np.where(out["age"] <= 35, "yes", "no"))
        derived += ["age_group", "youth", "youth35"]
    groups = {"vict_any_12m": CRIMES, "vict_household_12m": HOUSEHOLD_CRIMES, "vict_personal_12m": PERSONAL_CRIMES}
    for name, crimes in groups.items():
        cols = [f"vict_{c}_12m" for c in crimes if f"vict_{c}_12m" in out]
        if cols:
            out[name] = _yes(out, cols)
            derived.append(name)
    if all(f"vict_{c}_12m" in out and f"n_{c}_12m" in out for c in CRIMES):
        total = pd.Series(0.0, index=out.index)
        for c in CRIMES:
            v, n = out[f"vict_{c}_12m"], out[f"n_{c}_12m"]
            part = np.where(v.eq("no"), 0.0, np.where(v.eq("yes"), n.fillna(1.0), np.nan))
            total = total + part
        out["n_crimes_12m"] = total
        derived.append("n_crimes_12m")
    for name, cols in {"viol_any_12m": ["viol_phys_12m", "viol_psy_12m", "viol_sex_12m"],
                       "harass_any_12m": ["harass_phys_12m", "harass_sex_12m"]}.items():
        if all(c in out for c in cols):
            out[name] = _yes(out, cols)
            derived.append(name)
    contact = [f"contact_{o}" for o in OFFICIALS if f"contact_{o}" in out]
    if contact:
        out["contact_any"] = _yes(out, contact)
        asked_or_paid = pd.Series(False, index=out.index)
        paid = pd.Series(False, index=out.index)
        for o in OFFICIALS:
            if f"contact_{o}" not in out:
                continue
            had = out[f"contact_{o}"].eq("yes")
            a = out.get(f"bribe_asked_{o}", pd.Series(None, index=out.index)).eq("yes")
            p = out.get(f"bribe_paid_{o}", pd.Series(None, index=out.index)).eq("yes")
            asked_or_paid |= had & (a | p)
            paid |= had & p
        in_universe = out["contact_any"].eq("yes")
        out["bribe_any"] = np.where(in_universe, np.where(asked_or_paid, "yes", "no"), None)
        out["bribe_paid_any"] = np.where(in_universe, np.where(paid, "yes", "no"), None)
        derived += ["contact_any", "bribe_any", "bribe_paid_any"]
    coh = [f"cohesion_{c}" for c in COHESION_ITEMS]
    if all(c in out for c in coh):
        out["cohesion_index"] = _score(out, coh, "agree4", min_answered=3)
        derived.append("cohesion_index")
    tr = [f"trust_{i}" for i in TRUST_INSTITUTIONS]
    if all(c in out for c in tr):
        out["trust_index"] = _score(out, tr, "trust4", min_answered=3)
        derived.append("trust_index")
    return out, derived


def clean_table(checked: Checked, codebook: Codebook) -> tuple[pd.DataFrame, CleaningLog]:
    """Clean one validated table; fail first if any problem's action is ``error``.

    Returns the clean table (canonical columns, categorical codes as ordered
    ``Categorical``, missing codes as missing values, PII removed, derived
    variables added) and its :class:`CleaningLog`.
    """
    raise_errors(checked)
    table = TABLES[checked.table]
    df = checked.data.copy()
    log = CleaningLog(checked.table, checked.file, rows_in=len(df))
    rowpos = {r: i for i, r in enumerate(df["_row"].to_numpy())}
    excluded = np.zeros(len(df), dtype=bool)
    order = {c: i for i, c in enumerate(CHECK_ORDER)}
    problems = sorted(checked.problems, key=lambda p: order.get(p.check, 99))
    for p in problems:
        if p.action != "exclude":
            continue
        idx = np.array([rowpos[r] for r in p.rows], dtype=int)
        new = idx[~excluded[idx]]
        excluded[new] = True
        if len(new):
            log.exclusions.append({"check": p.check, "column": p.column, "reason": f"{p.check}: {p.expected}",
                                   "rows": int(len(new))})
    keep = ~excluded
    for p in problems:
        if p.action != "set_missing" or p.variable is None:
            continue
        idx = np.array([rowpos[r] for r in p.rows], dtype=int)
        idx = idx[keep[idx]]
        col = p.variable
        if p.check not in ("unknown_code", "skip_violation"):  # those were set missing in validation
            df.iloc[idx, df.columns.get_loc(col)] = np.nan
        log.recode(col, "invalid" if p.check != "skip_violation" else "answer", "missing", p.check, len(idx))
    df = df[keep].reset_index(drop=True)
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
        df, log.derived = derive_respondent(df)
    df = _typed(df, table.name)
    return df, log


def _typed(df: pd.DataFrame, table: str) -> pd.DataFrame:
    t = TABLES[table]
    for col in df.columns:
        if col in t and t[col].kind == "cat":
            df[col] = pd.Categorical(df[col], categories=list(t[col].codes))
        elif col in t and t[col].kind == "int":
            df[col] = df[col].astype("Int64")
        elif col == "age_group":
            groups = [b[0] for b in AGE_BANDS] if table == "respondent" else list(POP_AGE_GROUPS)
            df[col] = pd.Categorical(df[col], categories=groups, ordered=True)
        elif df[col].dtype == object and col in (
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
    for ch in checked_all:
        tables[ch.table], logs[ch.table] = clean_table(ch, cb)
    return CleanTables(cb.city, cb, tables, logs)
