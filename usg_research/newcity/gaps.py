"""What still keeps a city's exports from fitting the schema, as one list with a fix for each.

``usg-research validate <city>`` prints :func:`find_gaps` first: required
variables with no column, mapped columns the file does not have, answer codes
with no mapping (one entry per code, with its label and row count), design
columns missing, offence labels missing from the ICCS table, and every other
problem validation would stop on. Notes (guesses still marked ``review:``,
unmapped columns, an unstratified design, offences without an ICCS code) do
not stop a build; gaps do.

Examples
--------
>>> find_gaps("mathare").gaps  # the shipped cities fit
[]
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..ingest.codebook import TABLE_KEYS, Codebook, TableSpec, read_codebook
from ..ingest.load import MappedTable, apply_codebook, read_table
from ..ingest.schema import MISSING_CODES, SCALES, TABLES
from ..ingest.validate import CLOSED_TEXT, Problem, check_table
from ..paths import codebook_path, iccs_map_path, raw_dir, relative

MAX_LISTED = 8

#: How to fix each kind of validation problem (the check names of :mod:`usg_research.ingest.validate`).
FIXES = {
    "missing_value": "every row needs a value here: complete the file, or set `policy: {missing_value: exclude}`",
    "bad_number": "correct the value in the file, or map it as a missing code under `missing_numeric`",
    "out_of_range": "if it is a code (e.g. 999 = don't know) map it under `missing_numeric`; otherwise correct "
                    "it, or set `policy: {out_of_range: {<variable>: exclude}}`",
    "bad_weight": "every respondent needs a positive weight: check which column is mapped to weight",
    "duplicate_id": "identifiers must be unique: check which column is mapped to the id",
    "duplicate_row": "remove the repeated rows, or set `policy: {duplicate_row: exclude}`",
    "psu_in_two_strata": "each PSU must lie in one stratum: check the columns mapped to psu and stratum",
    "impossible_date": "set the table's `date_format` / `datetime_format` (e.g. '%d/%m/%Y') to the file's layout",
    "date_out_of_window": "correct the dates or the `window`, or set `policy: {date_out_of_window: set_missing}`",
    "skip_violation": "check the skip pattern's columns, or set `policy: {skip_violation: set_missing}`",
}


@dataclass(frozen=True)
class Gap:
    """One thing that does not fit, where it is, and how to fix it."""

    table: str  # codebook key: survey, incidents, population, qualitative
    column: str | None
    variable: str | None
    code: str | None
    problem: str
    fix: str
    file: str | None = None  # the raw file, relative to the project

    def where(self) -> str:
        w = self.table + (f" ({self.file})" if self.file else "")
        if self.column:
            w += f", column {self.column!r}"
            if self.variable and self.variable != self.column:
                w += f" ({self.variable})"
        elif self.variable:
            w += f", {self.variable}"
        if self.code is not None:
            w += f", code {self.code!r}"
        return w


@dataclass
class Gaps:
    """The gaps (stop a build) and notes (worth a look) of one city."""

    city: str
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = []
        if self.gaps:
            n = len(self.gaps)
            lines.append(f"{self.city}: {n} thing{'s' if n != 1 else ''} to fix in "
                         f"{relative(codebook_path(self.city))} (or the files it names):")
            for i, g in enumerate(self.gaps, 1):
                lines.append(f"{i:>3}. {g.where()}: {g.problem}")
                lines.append(f"     fix: {g.fix}")
        if self.notes:
            lines.append(f"{self.city}: notes")
            lines += [f"  - {n}" for n in self.notes]
        return "\n".join(lines)


def _rows(m: MappedTable, var: str, value: str) -> str:
    """`` in row 5`` / `` in 12 rows: 5, 9, ...``: the data rows (1-based) whose ``var`` is ``value``."""
    rows = m.data.loc[m.data[var].astype(str).str.strip() == value, "_row"].astype(str).tolist()
    return f" in row {rows[0]}" if len(rows) == 1 else f" in {len(rows)} rows: {_listed(rows)}" if rows else ""


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" (+{len(items) - MAX_LISTED} more)" if len(items) > MAX_LISTED else "")


def _code_gaps(key: str, table: str, spec: TableSpec, m: MappedTable, var: str) -> list[Gap]:
    """One gap per raw code of a categorical column that maps to nothing."""
    s = m.data[var].astype(str).str.strip()
    code_map, labels = spec.code_map(var, table), m.labels.get(var, {})
    known = set(code_map) | set(spec.missing) | {""}
    known |= {c for c, lab in labels.items() if lab in code_map or lab in spec.missing}
    counts = s[~s.isin(known)].value_counts(sort=False)
    scale = TABLES[table][var].scale
    colspec = spec.spec(var)
    own = colspec is not None and colspec.values is not None
    where = f"{key}.columns.{var}.values" if own else f"{key}.scales.{scale}"
    options = ", ".join(SCALES[scale]) if scale else ""
    out = []
    for code in sorted(counts.index, key=lambda c: (len(c), c)):
        label = f" ({labels[code]!r})" if code in labels else ""
        out.append(Gap(key, m.raw_columns[var], var, code, f"answer code{label}{_rows(m, var, code)} has no mapping",
                       f"add `'{code}': <code>` under {where} (codes: {options}), or under `{key}.missing` "
                       f"as one of {', '.join(MISSING_CODES)}"))
    return out


def _problem_gaps(key: str, table: str, spec: TableSpec, m: MappedTable, problems: list[Problem],
                  unmapped: list[str], columns: list[str]) -> list[Gap]:
    out: list[Gap] = []
    coded: set[str] = set()
    for p in problems:
        if p.action != "error":
            continue
        if p.check == "missing_column" and p.column is None:
            out.append(Gap(key, None, p.variable, None, "required variable is not mapped to any column",
                           f"under {key}.columns add `{p.variable}: <column>`; unmapped columns: "
                           f"{_listed(unmapped) or 'none'}"))
        elif p.check == "missing_column":
            close = difflib.get_close_matches(p.column or "", columns, n=3)
            out.append(Gap(key, p.column, p.variable, None, "the codebook maps it, but the file has no such column",
                           "correct the column name" + (f" (close: {', '.join(close)})" if close else "")))
        elif p.check == "unknown_code" and TABLES[table][p.variable].kind == "cat":
            if p.variable not in coded:
                coded.add(p.variable)
                out += _code_gaps(key, table, spec, m, p.variable)
        elif p.check == "unknown_code":  # a closed text column (age groups, methods)
            allowed = ", ".join(CLOSED_TEXT[(table, p.variable)])
            out += [Gap(key, p.column, p.variable, v, f"is not an allowed value{_rows(m, p.variable, v)}",
                        f"recode the file's values to one of: {allowed}") for v in p.values]
        else:
            rows = f" (row{'s' if len(p.rows) > 1 else ''} {_listed([str(r) for r in p.rows])})" if p.rows else ""
            vals = f"{_listed([repr(v) for v in p.values])} " if p.values else ""
            out.append(Gap(key, p.column, p.variable, None, f"{vals}{p.expected}{rows}",
                           FIXES.get(p.check, "correct the file or the codebook (data/README.md)")))
    return out


def _iccs(city: str, key: str, m: MappedTable, notes: list[str]) -> list[Gap]:
    if "offence" not in m.data:
        return []
    path = iccs_map_path(codebook_path(city))
    if not path.exists():
        return [Gap(key, None, "offence", None, f"there is no ICCS table {relative(path)}",
                    "write it with columns offence,iccs_code: one row per offence label "
                    "(`usg-research new-city` writes one)")]
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    codes = dict(zip(table["offence"], table["iccs_code"], strict=True))
    counts = m.data["offence"].astype(str).str.strip().value_counts(sort=False)
    gaps = [Gap(key, m.raw_columns["offence"], "offence", label,
                f"offence label in {counts[label]} records is not in {relative(path)}",
                f"add the row `{label},<ICCS code>` (or `{label},` to report it as not mapped)")
            for label in sorted(counts.index) if label and label not in codes]
    blank = sorted(label for label in counts.index if label in codes and not codes[label].strip())
    if blank:
        notes.append(f"{len(blank)} offence label(s) have no ICCS code in {relative(path)} and will be reported "
                     f"as not mapped: {_listed(blank)}")
    return gaps


def find_gaps(city: str, codebook: str | Path | None = None, folder: str | Path | None = None) -> Gaps:
    """List what keeps a city's exports from fitting the schema (see the module docstring).

    Raises
    ------
    CodebookError, LoadError
        When the codebook or a file cannot be read at all (the message names it).
    """
    cb: Codebook = read_codebook(codebook or codebook_path(city))
    folder = Path(folder) if folder is not None else raw_dir(city)
    result = Gaps(city)
    for key, table in TABLE_KEYS.items():
        spec: TableSpec | None = getattr(cb, key)
        if spec is None:
            continue
        raw = read_table(spec, folder)
        m = apply_codebook(raw, spec, table)
        checked = check_table(m, cb)
        result.gaps += [replace(g, file=m.file) for g in
                        _problem_gaps(key, table, spec, m, checked.problems, m.unmapped, list(raw.data.columns))]
        if table == "respondent":
            if "psu" not in m.raw_columns:
                result.gaps.append(Gap(key, None, "psu", None, "no PSU (cluster) column is mapped: standard errors "
                                       "would ignore the clustering of the sample",
                                       f"under {key}.columns add `psu: <column>` (the primary sampling unit); if the "
                                       "sample really had no clusters, map psu to the respondent id column"))
            if "stratum" not in m.raw_columns:
                result.notes.append(f"{key}: no stratum column is mapped: the design is read as unstratified "
                                    "(PSUs only)")
        if table == "incident":
            result.gaps += _iccs(city, key, m, result.notes)
        review = [v for v in spec.columns if (s := spec.spec(v)) is not None and s.review]
        if review:
            result.notes.append(f"{key}: {len(review)} guess(es) still marked `review:` (delete the line once "
                                f"checked): {_listed(review)}")
        if m.unmapped:
            result.notes.append(f"{key}: {len(m.unmapped)} column(s) of {Path(m.file).name} are not mapped and "
                                f"not read: {_listed(m.unmapped)}")
    return result


__all__ = ["Gap", "Gaps", "find_gaps"]
