"""Readers for raw exports, and the application of a codebook to them.

Every reader returns a :class:`RawTable`: the file's cells as text exactly as
written (so that errors can quote the offending value), and the value labels
the file carries (SPSS / Stata). Supported: CSV (any delimiter, any declared
encoding, optionally gzip-compressed), SPSS ``.sav``, Stata ``.dta``, Excel
``.xlsx`` and Parquet.

Memory is bounded by the file's distinct values, not its cells: every column
is held dictionary-encoded (a pandas ``Categorical`` of strings); CSV files are
read by :mod:`usg_research.ingest.delimited`.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
>>> _ = p.write_text("id;sexo\\n1;2\\n", encoding="latin-1")
>>> read_raw(p).data.to_dict("list")
{'id': ['1'], 'sexo': ['2']}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LoadError
from ..paths import relative
from .cells import raw_key, text_column
from .codebook import TableSpec
from .delimited import distinct_names, read_csv_text
from .schema import REPLICATE_PREFIX, TABLES


@dataclass
class RawTable:
    """A raw file's cells as text (each column a ``Categorical`` of strings, no missing values), with what
    an SPSS / Stata file says about them (empty for CSV).

    ``labels`` are value labels per column; ``user_missing`` the codes a column
    declares as missing (SPSS user-missing values, kept as codes, never blanked);
    ``column_labels`` the question text per column; ``file_label`` the file's own label.
    """

    file: str
    data: pd.DataFrame
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    user_missing: dict[str, list[str]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    file_label: str = ""


@dataclass
class MappedTable:
    """A raw table renamed to canonical variables (still text), with source row numbers.

    ``row`` holds 1-based data-row numbers of the source file (the header is
    not counted). ``unmapped`` lists raw columns the codebook does not use:
    they are never read further (so identifying columns a codebook does not
    name cannot leak).
    """

    table: str
    file: str
    data: pd.DataFrame
    labels: dict[str, dict[str, str]]
    raw_columns: dict[str, str]
    unmapped: list[str]
    missing: list[str]


def _read_excel(path: Path, sheet: str | int | None) -> RawTable:
    name = relative(path)
    try:  # header=None: the names as written (pandas would rename a repeated one Q7.1)
        df = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=object, header=None)
    except Exception as exc:
        raise LoadError(name, f"cannot be read as Excel: {exc}") from None
    if df.empty:
        raise LoadError(name, "the sheet is empty")
    header = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(raw_key(v)).strip()
              for v in df.iloc[0]]
    header = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
    distinct_names(name, header)
    if len(df) < 2:
        raise LoadError(name, "the sheet has a header but no data rows", line=2)
    body = df.iloc[1:].reset_index(drop=True)
    body.columns = header
    return RawTable(name, _cells_to_text(body))


def _cells_to_text(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({str(c): text_column(df[c], strip=True) for c in df.columns})


def _read_stat(path: Path, encoding: str | None) -> RawTable:
    import pyreadstat

    name = relative(path)
    reader = pyreadstat.read_sav if path.suffix.lower() == ".sav" else pyreadstat.read_dta
    kw = {"encoding": encoding} if encoding else {}
    try:
        # user_missing=True: SPSS "user-missing" codes (don't know, refused ...) stay codes for the
        # codebook to map; pyreadstat's default would blank them, merging refusals with "not asked"
        df, meta = reader(str(path), apply_value_formats=False, user_missing=True, **kw)
    except Exception as exc:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise LoadError(name, f"cannot be read as {path.suffix[1:].upper()}: {exc}") from None
    labels = {
        col: {raw_key(k): str(v) for k, v in lab.items()}
        for col, lab in (meta.variable_value_labels or {}).items()
    }
    text = _cells_to_text(df)
    user_missing: dict[str, list[str]] = {}
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        codes: list[str] = []
        for r in ranges:
            lo, hi = r["lo"], r["hi"]
            if lo == hi:
                codes.append(raw_key(lo))
            else:  # a range: the values in the data that fall inside it
                vals = pd.to_numeric(df[col], errors="coerce")
                codes += [raw_key(v) for v in sorted(vals[(vals >= lo) & (vals <= hi)].unique())]
        user_missing[str(col)] = list(dict.fromkeys(codes))
    column_labels = {str(c): str(lab) for c, lab in (meta.column_names_to_labels or {}).items() if lab}
    return RawTable(name, text, labels, user_missing, column_labels, str(meta.file_label or ""))


def read_raw(path: str | Path, fmt: str | None = None, encoding: str | None = None,
             delimiter: str | None = None, sheet: str | int | None = None) -> RawTable:
    """Read one raw file into text cells.

    Parameters
    ----------
    path : file to read.
    fmt : ``csv``, ``sav``, ``dta``, ``xlsx`` or ``parquet``; from the extension when None.
    encoding : text encoding (CSV; SPSS/Stata files carry their own unless given).
    delimiter : CSV delimiter; detected from the header line when None.
    sheet : Excel sheet name or index (first sheet when None).

    Raises
    ------
    LoadError
        Naming the file (and line) when it is missing, empty, not decodable,
        ragged or truncated.
    """
    path = Path(path)
    name = relative(path)
    if not path.is_file():
        raise LoadError(name, "file not found")
    suffixes = [s.lower() for s in path.suffixes]
    if fmt is None:
        fmt = suffixes[-2][1:] if suffixes[-1:] == [".gz"] and len(suffixes) > 1 else (
            suffixes[-1][1:] if suffixes else "")
        fmt = {"xls": "xlsx", "tsv": "csv", "txt": "csv", "pq": "parquet"}.get(fmt, fmt)
    if fmt == "csv":
        return RawTable(name, read_csv_text(path, encoding, delimiter))
    if fmt in ("sav", "dta"):
        return _read_stat(path, encoding)
    if fmt == "xlsx":
        return _read_excel(path, sheet)
    if fmt == "parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:
            raise LoadError(name, f"cannot be read as Parquet: {exc}") from None
        distinct_names(name, [str(c) for c in df.columns])
        return RawTable(name, _cells_to_text(df))
    raise LoadError(name, f"unknown file format {fmt!r}: expected csv, sav, dta, xlsx or parquet")


def read_table(spec: TableSpec, folder: Path) -> RawTable:
    """Read the raw file a codebook's table spec names (relative to ``folder``, and inside it: a ``file:``
    that leads out of the folder, by ``..``, an absolute path or a symbolic link, is refused unread)."""
    path = Path(folder) / spec.file
    if Path(folder).resolve() not in path.resolve().parents:  # the message never names where it leads
        raise LoadError(relative(path), f"the codebook's file: {spec.file!r} leads outside {relative(folder)}/; "
                        "raw files are read only from the city's folder")
    return read_raw(path, spec.format, spec.encoding, spec.delimiter, spec.sheet)


def apply_codebook(raw: RawTable, spec: TableSpec, table: str) -> MappedTable:
    """Rename a raw table's columns to canonical variables, keeping text cells.

    Raw columns the codebook does not name are dropped here (listed in
    ``unmapped``); mapped columns absent from the file are listed in
    ``missing`` for validation to report.

    Examples
    --------
    >>> from usg_research.ingest.codebook import TableSpec
    >>> raw = RawTable("s.csv", pd.DataFrame({"folio": ["a"], "nombre": ["Ana"]}, dtype=object))
    >>> m = apply_codebook(raw, TableSpec(file="s.csv", columns={"resp_id": "folio"}), "respondent")
    >>> list(m.data.columns), m.unmapped
    (['_row', 'resp_id'], ['nombre'])
    """
    canonical = TABLES[table]
    cols: dict[str, pd.Series] = {}
    raw_columns: dict[str, str] = {}
    missing: list[str] = []
    for var in canonical.names:
        s = spec.spec(var)
        if s is None:
            continue
        raw_columns[var] = s.column
        if s.column not in raw.data.columns:
            missing.append(var)
            continue
        cols[var] = text_column(raw.data[s.column])
    used = set(raw_columns.values())
    if spec.replicate_weights is not None:  # kept as repw_001 ... in file order
        rep = [c for c in raw.data.columns if re.search(spec.replicate_weights.columns, str(c)) and c not in used]
        for k, c in enumerate(rep, start=1):
            cols[f"{REPLICATE_PREFIX}{k:03d}"] = text_column(raw.data[c])
            raw_columns[f"{REPLICATE_PREFIX}{k:03d}"] = str(c)
        if not rep:
            missing.append(REPLICATE_PREFIX + "*")
            raw_columns[REPLICATE_PREFIX + "*"] = spec.replicate_weights.columns
        used |= set(rep)
    unmapped = [c for c in raw.data.columns if c not in used]
    df = pd.DataFrame(cols, index=pd.RangeIndex(len(raw.data)))
    df.insert(0, "_row", np.arange(1, len(raw.data) + 1))
    labels = {var: raw.labels[col] for var, col in raw_columns.items() if col in raw.labels}
    return MappedTable(table, raw.file, df, labels, raw_columns, unmapped, missing)
