"""Delimited text exports (CSV, TSV; gzip-compressed or not): read fast, in bounded memory, and exactly.

Arrow parses the file a block at a time and each block's columns become pandas categoricals, so a
national export costs its distinct values, not its cells. Arrow is lenient where Python's strict CSV
reader is not; wherever the two could read a file differently (a parse error, a blank line, a line
break inside a value) the file is read again line by line by the strict reader, keeping nothing, so a
defect is reported with its line, and a sound file is then read by Arrow as the strict reader would.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.api.types import union_categoricals

from ..errors import LoadError
from ..paths import relative

DELIMITERS = ",;\t|"

ARROW_NATIVE = {"utf_8", "utf_8_sig"}  # codecs' names of the encodings Arrow's reader decodes itself
HEAD_BYTES = 1 << 20  # the bytes read to find the header line (delimiter sniffing)
CHUNK_BYTES = 1 << 22  # the bytes decoded at a time when a file is checked line by line
BLOCK_BYTES = 1 << 23  # the bytes Arrow parses at a time


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _encoding(name: str, encoding: str | None) -> str:
    encoding = encoding or "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise LoadError(name, f"unknown encoding {encoding!r} in the codebook") from None
    return encoding


def _check_decodes(path: Path, encoding: str) -> bool:
    """Decode the file a chunk at a time (memory stays bounded); raise a LoadError naming the line of the
    first byte that is not valid ``encoding``. Returns whether the file holds anything but white space."""
    name = relative(path)
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, content, first = 0, False, b""
    try:
        with _open(path) as f:
            while chunk := f.read(CHUNK_BYTES):
                first = first or chunk[:200_000]
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:  # exc.object: this chunk after bytes held from the last
                    line = lines + exc.object.count(b"\n", 0, exc.start) + 1
                    bad = exc.object[exc.start: exc.start + 4]
                    raise LoadError(name, f"bytes {bad!r} are not valid {encoding}{_encoding_hint(first)}",
                                    line=line) from None
                lines += chunk.count(b"\n")
                content = content or bool(text.strip())
            decoder.decode(b"", final=True)
    except (OSError, EOFError) as exc:
        raise LoadError(name, f"cannot be read: {exc}") from None
    except UnicodeDecodeError:
        raise LoadError(name, f"the file ends inside a character: not valid {encoding}{_encoding_hint(first)}",
                        line=lines + 1) from None
    return content


def _encoding_hint(raw: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000]).best()
    except ImportError:  # pragma: no cover - charset_normalizer ships with requests
        return ""
    return f"; it looks like {best.encoding!r}: set `encoding: {best.encoding}` in the codebook" if best else ""


def sniff_delimiter(header: str) -> str:
    """The delimiter a CSV header line uses: the most frequent of ``, ; tab |`` (``,`` when none).

    Examples
    --------
    >>> sniff_delimiter("folio;sexo;edad"), sniff_delimiter("id")
    (';', ',')
    """
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(path: Path, encoding: str) -> str:
    try:
        with _open(path) as f:
            head = f.read(HEAD_BYTES)
    except (OSError, EOFError) as exc:
        raise LoadError(relative(path), f"cannot be read: {exc}") from None
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    return text.split("\n", 1)[0]


def _check_header(name: str, header: list[str], delimiter: str) -> list[str]:
    header = [h.strip() for h in header]
    if len(header) == 1:
        others = {d: header[0].count(d) for d in DELIMITERS if d != delimiter}
        best = max(others, key=lambda d: others[d])
        if others[best] >= 2:
            raise LoadError(name, f"the header is one column when split on {delimiter!r}, but it contains "
                                  f"{others[best]} {best!r} characters: the file uses {best!r} as delimiter; "
                                  f"set `delimiter: {best!r}` in the codebook", line=1)
    distinct_names(name, header)
    return header


def _check_csv(path: Path, encoding: str, delimiter: str) -> None:
    """Read the file line by line as Python's strict CSV reader does, keeping nothing, and raise a
    LoadError naming the line of the first defect: bytes not in ``encoding``, an empty file, a header
    without rows, an unclosed quote, a row whose field count differs from the header's, a blank line
    inside the data. The fast reader calls it when Arrow refuses a file or reads something it would
    not have read the same way (blank rows, line breaks inside values)."""
    name = relative(path)
    if not _check_decodes(path, encoding):
        raise LoadError(name, "the file is empty")
    with _open(path) as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        start = 1  # the line the row being read starts on (a quoted value may span lines)
        try:
            header = _check_header(name, next(reader), delimiter)
            width, rows, blank = len(header), 0, None
            start = reader.line_num + 1
            for i, r in enumerate(reader, start=1):
                if blank is not None:  # a blank line is allowed only as the last one
                    raise LoadError(name, f"row {blank} has 0 fields, the header has {width} (delimiter "
                                          f"{delimiter!r}; a blank line inside the data)", line=blank + 1)
                if not r:
                    blank = i
                    continue
                rows += 1
                if len(r) != width:
                    raise LoadError(
                        name,
                        f"row {i} has {len(r)} fields, the header has {width} "
                        f"(delimiter {delimiter!r}; a truncated file, a wrong delimiter or an unquoted "
                        f"{delimiter!r} in a value)",
                        line=start)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise LoadError(name, f"malformed CSV ({exc}) in the row starting here; an unclosed quote or a "
                                  "truncated file", line=start) from None
    if not rows:
        raise LoadError(name, "the file has a header but no data rows", line=2)


def _arrow_columns(path: Path, encoding: str, delimiter: str, watch: bool) -> tuple[list[str], list[pd.Categorical]]:
    """The header as Python's CSV reader reads it, and every column as text exactly as written (no value
    read as missing, none converted), dictionary-encoded: Arrow parses the file a block at a time and
    each block's columns become pandas categoricals, so memory holds codes, not cells.

    With ``watch``, raises :class:`_Doubt` where Arrow's reading may differ from the strict reader's:
    no rows, a row of nothing but empty fields (a blank line) or a line break inside a value (or an
    unclosed quote that ran on); without it, blank lines are skipped (the strict reader has allowed them).
    """
    with _open(path) as f:
        header = next(csv.reader(io.TextIOWrapper(f, encoding=encoding, newline=""), delimiter=delimiter))
    names = [f"c{i}" for i in range(len(header))]
    text = pa.dictionary(pa.int32(), pa.string())
    native = codecs.lookup(encoding).name in ARROW_NATIVE
    reader = pacsv.open_csv(
        pa.input_stream(str(path), compression="gzip" if path.suffix == ".gz" else None),
        read_options=pacsv.ReadOptions(encoding="utf8" if native else encoding, block_size=BLOCK_BYTES,
                                       column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                         ignore_empty_lines=not watch),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, text), strings_can_be_null=False,
                                             quoted_strings_can_be_null=False, null_values=[]))
    parts: list[list[pd.Categorical]] = [[] for _ in names]
    for batch in reader:
        if watch and _doubtful(batch):
            raise _Doubt
        for i, col in enumerate(batch.columns):
            parts[i].append(col.to_pandas().array)
    if watch and not parts[0]:
        raise _Doubt
    columns = [p[0] if len(p) == 1 else union_categoricals(p) for p in parts]
    del parts, reader
    pa.default_memory_pool().release_unused()  # the parse buffers go back to the system, not to a cache
    return header, columns


class _Doubt(Exception):
    """Arrow's reading of a CSV file may differ from the strict reader's."""


def _doubtful(batch: pa.RecordBatch) -> bool:
    if any(pc.any(pc.match_substring_regex(col.dictionary, "[\\r\\n]")).as_py() for col in batch.columns):
        return True
    rows = np.ones(batch.num_rows, dtype=bool)
    for col in batch.columns:
        pos = pc.index(col.dictionary, "").as_py()
        if pos < 0:
            return False
        rows &= col.indices.to_numpy(zero_copy_only=False) == pos
        if not rows.any():
            return False
    return True


def read_csv_text(path: Path, encoding: str | None = None, delimiter: str | None = None) -> pd.DataFrame:
    """A CSV file's cells as text exactly as written, each column a ``Categorical`` of strings.

    Parameters
    ----------
    path : the file (``.gz`` read compressed).
    encoding : its text encoding (UTF-8, with or without a byte-order mark, when None).
    delimiter : detected from the header line when None.

    Raises
    ------
    LoadError
        Naming the file and line: missing, empty, not decodable, a header repeating a name or split on
        the wrong delimiter, no data rows, an unclosed quote, a row of the wrong width, a blank line
        inside the data.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text('id;nota\\n01;"a;b"\\n', encoding="utf-8")
    >>> read_csv_text(p).to_dict("list")
    {'id': ['01'], 'nota': ['a;b']}
    """
    name = relative(path)
    if not path.is_file():
        raise LoadError(name, "file not found")
    encoding = _encoding(name, encoding)
    if delimiter is None:
        delimiter = sniff_delimiter(_first_line(path, encoding))
    try:
        header, columns = _arrow_columns(path, encoding, delimiter, watch=True)
        doubt = False
    except (_Doubt, pa.ArrowException, UnicodeDecodeError, StopIteration, csv.Error, EOFError, gzip.BadGzipFile):
        doubt = True
    except OSError as exc:
        raise LoadError(name, f"cannot be read: {exc}") from None
    if doubt:
        _check_csv(path, encoding, delimiter)  # raises naming the line, or finds the file sound
        try:
            header, columns = _arrow_columns(path, encoding, delimiter, watch=False)
        except (pa.ArrowException, UnicodeDecodeError) as exc:  # pragma: no cover - the strict reader agreed
            raise LoadError(name, f"cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    header = _check_header(name, header, delimiter)
    if not len(columns[0]):
        raise LoadError(name, "the file has a header but no data rows", line=2)
    return pd.DataFrame({h: columns.pop(0) for h in list(header)})


def distinct_names(name: str, header: list[str]) -> None:
    """Refuse a header that gives two columns one name (every format: pandas would rename one silently)."""
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise LoadError(name, f"the header repeats column names {dupes}", line=1)


__all__ = ["DELIMITERS", "distinct_names", "read_csv_text", "sniff_delimiter"]
