"""``usg-research new-city``: set up a new city from its exports.

:func:`new_city` reads the survey export (and optionally police records and a
census population table), copies them into ``data/raw/<city>/``, and writes
``data/codebooks/<city>.yaml`` with every evident mapping pre-filled (see
:mod:`usg_research.newcity.guess`) and marked ``review:``, the list of unmapped
columns and answer codes as comments at its top, ``params/<city>.yaml`` and
``notebooks/<city>.ipynb`` (a copy of ``notebooks/_template.ipynb``, the common analysis, which the
analyst then adapts). It never overwrites an existing city unless ``force`` is set. What still does not fit
is then listed by ``usg-research validate <city>`` (:mod:`usg_research.newcity.gaps`).

Examples
--------
>>> import tempfile, pathlib, os, shutil
>>> from usg_research.newcity.example_export import write_example_export
>>> template, root = template_path(), pathlib.Path(tempfile.mkdtemp())
>>> (root / "notebooks").mkdir()
>>> _ = shutil.copy(template, root / "notebooks")
>>> os.environ["USG_RESEARCH_ROOT"] = str(root)
>>> survey, incidents, population = write_example_export(pathlib.Path(tempfile.mkdtemp()), n=120)
>>> s = new_city("vilanova", survey, population=population)
>>> s.guesses["survey"].mapped["sex"].column
'sexo'
>>> del os.environ["USG_RESEARCH_ROOT"]
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..errors import USGAError
from ..ingest.codebook import TABLE_KEYS
from ..ingest.delimited import sniff_delimiter
from ..ingest.load import RawTable, read_raw
from ..ingest.schema import SCALES, TABLES
from ..params import CityParams
from ..paths import codebook_path, iccs_map_path, params_path, project_root, raw_dir, relative
from ..run.notebooks import city_notebook, template_path, write_notebook
from ..sources.synth_profiles import SYNTHETIC_NOTICE
from .guess import ColumnGuess, TableGuess, guess_table, scale_variables

CITY_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a whole name (fullmatch): it names files, folders and pages
#: Date and date-time layouts tried on a CSV's date columns (the first that reads every value wins).
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d")
DATETIME_FORMATS = tuple(f"{d} {t}" for d in DATE_FORMATS for t in ("%H:%M", "%H:%M:%S"))


class ScaffoldError(USGAError):
    """``new-city`` cannot set up the city (bad name, existing files, unreadable export)."""


@dataclass
class Scaffold:
    """What :func:`new_city` wrote and recognised."""

    city: str
    written: list[Path]
    guesses: dict[str, TableGuess]  # codebook key (survey, incidents, population) -> guesses
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The readable report ``new-city`` prints."""
        lines = [f"new-city {self.city}: wrote"] + [f"  {relative(p)}" for p in self.written]
        for key, g in self.guesses.items():
            lines.append(f"\n{key} ({Path(g.file).name}: {g.rows} rows, {len(g.columns)} columns)")
            mapped = sorted(g.mapped.items(), key=lambda kv: TABLES[g.table].names.index(kv[0]))
            lines.append(f"  guessed, marked `review:` in the codebook ({len(mapped)}):")
            lines += [f"    {var:<16} <- {c.column:<16} {c.reason}" for var, c in mapped]
            un = g.unmapped
            lines.append(f"  unmapped columns ({len(un)}): not read until you map them")
            lines += [f"    {c.column:<16} {_hint(g.table, c)}" for c in un]
            values = [(c, code, label) for c in g.columns for code, label in c.unmatched.items()]
            lines.append(f"  answer codes not recognised ({len(values)}):")
            lines += [f"    {c.column} code {code!r} ({label!r})" for c, code, label in values]
        lines += [f"\nnote: {n}" for n in self.notes]
        lines.append(f"\nNext: edit {relative(codebook_path(self.city))} (the list above is at its top), "
                     f"then run `usg-research validate {self.city}`.")
        return "\n".join(lines)


def _hint(table: str, c: ColumnGuess) -> str:
    q = f"{c.question!r} " if c.question else ""
    if c.scale:
        options = scale_variables(table, c.scale)
        which = (f"one of {', '.join(options)}?" if len(options) <= 6 else
                 f"one of the {len(options)} {c.scale} variables (data/README.md lists them)")
        return f"{q}answers fit scale {c.scale}: {which}"
    if c.reasons:
        return q + c.reason
    return q.strip()


def _existing(city: str) -> list[Path]:
    paths = [params_path(city), codebook_path(city), iccs_map_path(codebook_path(city)),
             project_root() / "notebooks" / f"{city}.ipynb"]
    found = [p for p in paths if p.exists()]
    folder = raw_dir(city)
    if folder.is_dir() and any(folder.iterdir()):
        found.append(folder)
    return found


def _encoding(path: Path) -> str | None:
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ".gz"):
        return None
    raw = path.read_bytes()[:200_000]
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return best.encoding if best is not None else None


def _delimiter(path: Path, encoding: str | None) -> str | None:
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return None
    with path.open(encoding=encoding or "utf-8", errors="replace") as f:
        return sniff_delimiter(f.readline())


def _date_format(values: pd.Series, formats: tuple[str, ...]) -> str | None:
    vals = values[values.str.strip() != ""]
    if vals.empty:
        return None
    iso = pd.to_datetime(vals, format="ISO8601", errors="coerce")
    if iso.notna().all():
        return None  # ISO 8601: the default
    for fmt in formats:
        if pd.to_datetime(vals, format=fmt, errors="coerce").notna().all():
            return fmt
    return None


def _table_spec(key: str, path: Path, raw: RawTable, g: TableGuess, notes: list[str]) -> dict:
    spec: dict = {"file": path.name}
    fmt = path.suffix.lower().lstrip(".")
    spec["format"] = {"tsv": "csv", "txt": "csv"}.get(fmt, fmt)
    enc = _encoding(path)
    if enc and enc != "utf-8":
        spec["encoding"] = enc
    delim = _delimiter(path, enc)
    if delim and delim != ",":
        spec["delimiter"] = delim
    table = TABLES[g.table]
    for var, c in g.mapped.items():
        kind = table[var].kind
        if kind in ("date", "datetime") and not table[var].pii:
            fmt_ = _date_format(raw.data[c.column], DATETIME_FORMATS if kind == "datetime" else DATE_FORMATS)
            if fmt_:
                spec["datetime_format" if kind == "datetime" else "date_format"] = fmt_
    missing: dict[str, str] = {}
    missing_numeric: dict[str, str] = {}
    scales: dict[str, dict[str, str]] = {}
    for c in g.columns:
        numeric = not c.labelled
        target = missing_numeric if numeric else missing
        for code, miss in c.missing.items():
            if target.setdefault(code, miss) != miss:
                notes.append(f"{key}: code {code!r} means {target[code]} in one column and {miss} in "
                             f"{c.column!r}; the codebook keeps {target[code]}")
        if c.scale and (g.table != "population" or c.variable):
            mapping = scales.setdefault(c.scale, {})
            for code, canon in c.codes.items():
                if mapping.setdefault(code, canon) != canon:
                    notes.append(f"{key}: in {c.column!r} code {code!r} means {canon}, elsewhere "
                                 f"{mapping[code]}; scales.{c.scale} keeps {mapping[code]}: give {c.column!r} "
                                 "its own `values:` once mapped")
    if missing:
        spec["missing"] = missing
    if missing_numeric:
        spec["missing_numeric"] = missing_numeric
    if scales:
        spec["scales"] = {s: scales[s] for s in SCALES if s in scales}
    spec["columns"] = {var: {"column": g.mapped[var].column, "review": g.mapped[var].reason}
                       for var in table.names if var in g.mapped}
    return spec


def _header(city: str, synthetic: bool, guesses: dict[str, TableGuess]) -> str:
    lines = [f"# Codebook for {city}, written by `usg-research new-city`: maps its exports onto the canonical",
             "# USGA schema (format: data/README.md). Edit this file, never the raw data.",
             "# 1. Check every guess marked `review:` and delete the review line once it is right.",
             "# 2. Map what is left (listed below): add `variable: column` under `columns`, and the answer",
             "#    codes under `scales` (or `missing` for don't know / refused / not applicable).",
             f"# 3. Run `usg-research validate {city}` until it says OK."]
    if synthetic:
        lines.insert(2, f"# {SYNTHETIC_NOTICE}.")
    for key, g in guesses.items():
        un = g.unmapped
        if un:
            lines.append(f"#\n# {key}: unmapped columns ({len(un)})")
            lines += [f"#   {c.column}: {_hint(g.table, c)}".rstrip() for c in un]
        values = [(c, code, label) for c in g.columns for code, label in c.unmatched.items()]
        if values:
            lines.append(f"# {key}: answer codes not recognised ({len(values)})")
            lines += [f"#   {c.column} code {code!r}: {label!r}" for c, code, label in values]
    return "\n".join(lines) + "\n"


def _is_synthetic(paths: list[Path], raws: list[RawTable]) -> bool:
    return any("SYNTHETIC" in p.name for p in paths) or any("SYNTHETIC" in r.file_label for r in raws)


def _params_text(city: str, language: str) -> str:
    p = CityParams(city=city, title=f"Urban Safety Governance Assessment: {city.replace('_', ' ').title()}",
                   language=language)  # type: ignore[arg-type]
    return (f"# Parameters of the {city} assessment report, written by `usg-research new-city`.\n"
            "# Every key is explained in README.md (\"Params\"); schema: usg_research/params.py.\n"
            f"city: {city}\n"
            f"title: \"{p.title}\"\n"
            f"language: {p.language}  # en, es or ru\n"
            "seed: 0\n"
            "lonely_psu: fail  # fail, adjust, certainty or remove (STATISTICS.md)\n"
            f"quality: {{cv_reliable: {p.quality.cv_reliable}, cv_suppress: {p.quality.cv_suppress}, "
            f"n_min: {p.quality.n_min}}}\n"
            f"disaggregations: [{', '.join(p.disaggregations)}]\n"
            f"headline: [{', '.join(p.headline)}]\n"
            "emphasis: []  # focus chapters, e.g. [victimisation, reporting]\n"
            "modules: {}  # switch a module off, e.g. {drugs: false}\n"
            "# country: ISO3 code (e.g. MOZ) to compare with the national homicide rate in data/context/\n")


def _copies(paths: dict[str, Path], folder: Path) -> list[tuple[Path, Path]]:
    """Where each export goes in ``folder``; refuses (before anything is written) an export whose name is
    taken there by a different file, or two exports with one name. A file already in place is kept."""
    out: list[tuple[Path, Path]] = []
    for key, p in paths.items():
        dest = folder / p.name
        if any(d == dest for _, d in out):
            raise ScaffoldError(f"--{key} {p}: another export has the same file name {p.name!r}; rename one")
        if dest.exists() and p.resolve() != dest.resolve() and dest.read_bytes() != p.read_bytes():
            raise ScaffoldError(f"--{key} {p}: {relative(dest)} already exists with different content; raw "
                                "exports are never overwritten (rename the new export, or move the old one away)")
        out.append((p, dest))
    return out


def new_city(city: str, survey: str | Path, incidents: str | Path | None = None,
             population: str | Path | None = None, language: str = "en", force: bool = False) -> Scaffold:
    """Set up a new city from its exports (see the module docstring).

    Parameters
    ----------
    city : the city's name (lower case letters, digits, ``_``); names every file.
    survey : the survey export (``.sav``, ``.dta``, ``.csv``, ``.xlsx`` or ``.parquet``).
    incidents : police-recorded incidents, optional.
    population : census population by area, sex and five-year age group, optional.
    language : report language (``en``, ``es``, ``ru``).
    force : rewrite an existing city's generated files (codebook, ICCS map, params, notebook). Raw exports
        are never deleted or overwritten: the exports are added beside the files already in
        ``data/raw/<city>/``, and an export whose name is taken there by a different file is refused.

    Raises
    ------
    ScaffoldError
        For a bad name, a missing export, or an existing city without ``force``.
    """
    if not CITY_NAME.fullmatch(city):
        raise ScaffoldError(f"city name {city!r}: use lower-case letters, digits and '_', starting with a letter, "
                            "at most 40 characters (e.g. 'vila_nova')")
    if language not in ("en", "es", "ru"):
        raise ScaffoldError(f"language {language!r}: the report languages are en, es and ru")
    exports = {"survey": survey, "incidents": incidents, "population": population}
    paths = {k: Path(v) for k, v in exports.items() if v is not None}
    for key, p in paths.items():
        if not p.is_file():
            raise ScaffoldError(f"--{key} {p}: file not found")
    folder = raw_dir(city)
    copies = _copies(paths, folder)
    existing = _existing(city)
    if existing and not force:
        raise ScaffoldError(f"{city} already exists ({', '.join(relative(p) for p in existing)}); "
                            "use --force to overwrite it")
    raws: dict[str, RawTable] = {}
    guesses: dict[str, TableGuess] = {}
    for key, p in paths.items():
        enc = _encoding(p)
        raws[key] = read_raw(p, encoding=enc if p.suffix.lower() in (".csv", ".txt", ".tsv", ".gz") else None)
        guesses[key] = guess_table(raws[key], TABLE_KEYS[key])
    notes: list[str] = []
    synthetic = _is_synthetic(list(paths.values()), list(raws.values()))
    codebook: dict = {"city": city, "synthetic": synthetic}
    if synthetic:
        codebook["note"] = SYNTHETIC_NOTICE
    for key, p in paths.items():
        codebook[key] = _table_spec(key, p, raws[key], guesses[key], notes)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for p, dest in copies:
        written.append(Path(shutil.copyfile(p, dest)) if p.resolve() != dest.resolve() else dest)
    cb_path = codebook_path(city)
    cb_path.parent.mkdir(parents=True, exist_ok=True)
    cb_path.write_text(_header(city, synthetic, guesses)
                       + yaml.safe_dump(codebook, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    written.append(cb_path)
    if "incidents" in guesses and "offence" in guesses["incidents"].mapped:
        offences = sorted(set(raws["incidents"].data[guesses["incidents"].mapped["offence"].column].map(str.strip)))
        iccs = iccs_map_path(cb_path)
        pd.DataFrame({"offence": offences, "iccs_code": ""}).to_csv(iccs, index=False, lineterminator="\n")
        written.append(iccs)
        notes.append(f"{relative(iccs)} lists the {len(offences)} offence labels: give each its ICCS code "
                     "(UNODC ICCS v1.0, e.g. 0401 robbery), or leave it blank to report it as not mapped")
    pp = params_path(city)
    pp.parent.mkdir(parents=True, exist_ok=True)
    pp.write_text(_params_text(city, language), encoding="utf-8")
    written.append(pp)
    nb = project_root() / "notebooks" / f"{city}.ipynb"
    if not template_path().exists():
        raise ScaffoldError(f"{relative(template_path())} not found: the notebook a new city starts from "
                            "(copy it from the repository)")
    written.append(write_notebook(city_notebook(city), nb))
    return Scaffold(city, written, guesses, notes)


__all__ = ["Scaffold", "ScaffoldError", "new_city"]
