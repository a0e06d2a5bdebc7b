"""A synthetic city exported the way its own fieldwork exports look (column names, codes, missing codes,
encoding, delimiter, date format), with the codebook that maps it back onto the canonical schema.

Examples
--------
>>> files, codebook = export_city(generate_city("mathare", n=300))
>>> sorted(files)[:2], codebook["city"]
(['ICCS', 'incidents_SYNTHETIC.csv.gz'], 'mathare')
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..ingest.schema import (
    RESPONDENT,
    SCALES,
)
from ..paths import codebook_path, iccs_map_path, raw_dir
from .synth import generate_city
from .synth_profiles import SYNTHETIC_NOTICE, CityData, CityProfile

# ---------------------------------------------------------------------------------------------
# export in the city's own format, with its codebook


def _label(code: str) -> str:
    special = {"never_alone": "Never goes out alone", "dk": "Don't know", "didnt_know_how": "Didn't know how",
               "a_lot": "A lot", "great_deal": "A great deal", "increased_lot": "Increased a lot",
               "decreased_lot": "Decreased a lot", "work_school": "Work or school"}
    return special.get(code, code.replace("_", " ").capitalize())


def _question_columns(p: CityProfile) -> dict[str, str]:
    """Raw column names of the questionnaire items, numbered by module as the city's form does."""
    design = p.export["design"]
    names: dict[str, str] = {}
    module_no: dict[str, int] = {}
    item_no: dict[str, int] = {}
    seq = 0
    for v in RESPONDENT.variables:
        if v.name in design:
            names[v.name] = design[v.name]
            continue
        seq += 1
        m = module_no.setdefault(v.module, len(module_no) + 1)
        item_no[v.module] = item_no.get(v.module, 0) + 1
        prefix = p.export["prefix"]
        if prefix == "P":
            names[v.name] = f"P{m}_{item_no[v.module]}"
        elif prefix == "Q":
            names[v.name] = f"Q{seq}"
        else:
            names[v.name] = f"v{m}{item_no[v.module]:02d}"
    return names


def _code_tables(p: CityProfile) -> dict[str, dict[str, str]]:
    """Raw code -> canonical code per scale, in the city's own convention."""
    e = p.export
    scales: dict[str, dict[str, str]] = {}
    for scale, codes in SCALES.items():
        if e["style"] == "labels":
            scales[scale] = {_label(c): c for c in codes}
        elif scale == "yesno":
            scales[scale] = {str(e["yes"]): "yes", str(e["no"]): "no"}
        else:
            scales[scale] = {str(i + 1): c for i, c in enumerate(codes)}
    return scales


def export_city(data: CityData) -> tuple[dict[str, bytes], dict]:
    """Encode a city's canonical tables as its raw files, and build its codebook.

    Returns the file contents by file name and the codebook as a mapping.
    """
    p = data.profile
    e = p.export
    cols = _question_columns(p)
    scales = _code_tables(p)
    miss_inv = {v: k for k, v in e["missing"].items()}
    num_miss_inv = {v: k for k, v in e["missing_numeric"].items()}
    raw: dict[str, list[str]] = {}
    s = data.survey
    rng = np.random.default_rng(p.seed + 1)
    for v in RESPONDENT.variables:
        col = s[v.name].to_numpy(dtype=object)
        if v.kind == "cat":
            inv = {c: k for k, c in scales[v.scale].items()}
            vals = [inv[x] if x in inv else (str(miss_inv[x]) if x in miss_inv else "") for x in col]
        elif v.kind == "date":
            vals = [pd.Timestamp(x).strftime(e["date_format"]) for x in col]
        elif v.name == "age":
            vals = [str(num_miss_inv["dk"]) if x == -7 else str(int(x)) for x in col]
        elif v.kind == "int":
            vals = ["" if x < 0 else str(int(x)) for x in col]
        elif v.kind == "float":
            vals = [f"{x:.6f}".rstrip("0").rstrip(".") if v.pii else f"{x:.3f}" for x in col]
        else:
            vals = [str(x) for x in col]
        raw[cols[v.name]] = vals
    # white space from the data-entry software in a few coded cells
    for name in ("safe_day", "trust_police") if len(s) > 50 else ():
        vals = raw[cols[name]]
        for i in rng.choice(len(vals), 5, replace=False):
            vals[i] = " " + vals[i] + " "
    survey_file = "survey_SYNTHETIC.csv"
    files = {survey_file: _csv(raw, e["delimiter"], e["encoding"])}
    ic = e["incident_cols"]
    inc = data.incidents
    inc_raw = {ic["incident_id"]: inc["incident_id"].tolist(),
               ic["occurred"]: inc["occurred"].dt.strftime(e["datetime_format"]).tolist(),
               ic["area"]: inc["area"].tolist(), ic["offence"]: inc["offence"].tolist(),
               ic["lat"]: [f"{x:.3f}" for x in inc["lat"]], ic["lon"]: [f"{x:.3f}" for x in inc["lon"]]}
    if len(inc) > len(inc.drop_duplicates()):  # the dirty variant: one impossible date-time too
        inc_raw[ic["occurred"]][7] = "2019-02-30 25:10" if p.name != "mathare" else "30/02/2019 25:10"
    files["incidents_SYNTHETIC.csv.gz"] = _gz(_csv(inc_raw, e["delimiter"], e["encoding"]))
    pop = data.population
    files["population_SYNTHETIC.csv"] = _csv({c: pop[c].astype(str).tolist() for c in pop.columns}, ",", "utf-8")
    q = data.qualitative
    files["qualitative_SYNTHETIC.csv"] = _csv({c: q[c].astype(str).tolist() for c in q.columns}, ",", "utf-8")
    files["ICCS"] = _csv({c: data.iccs[c].astype(str).tolist() for c in data.iccs.columns}, ",", "utf-8")
    used_scales = sorted({v.scale for v in RESPONDENT.variables if v.scale})
    window = (f"{p.survey_year}-09-01", f"{p.survey_year}-10-31")
    codebook = {
        "city": p.name,
        "synthetic": True,
        "note": SYNTHETIC_NOTICE,
        "survey": {
            "file": survey_file, "format": "csv", "encoding": e["encoding"], "delimiter": e["delimiter"],
            "date_format": e["date_format"], "window": list(window),
            "missing": {k: v for k, v in e["missing"].items()},
            "missing_numeric": {k: v for k, v in e["missing_numeric"].items()},
            "scales": {sc: scales[sc] for sc in used_scales},
            "columns": {v.name: cols[v.name] for v in RESPONDENT.variables},
        },
        "incidents": {
            "file": "incidents_SYNTHETIC.csv.gz", "format": "csv", "encoding": e["encoding"],
            "delimiter": e["delimiter"], "datetime_format": e["datetime_format"],
            "columns": {k: v for k, v in ic.items()},
        },
        "population": {"file": "population_SYNTHETIC.csv", "format": "csv",
                       "scales": {"sex": {"male": "male", "female": "female"}},
                       "columns": {c: c for c in pop.columns}},
        "qualitative": {"file": "qualitative_SYNTHETIC.csv", "format": "csv", "columns": {c: c for c in q.columns}},
        "policy": {
            "out_of_range": {"age": "exclude", "default": "error"},
            "skip_violation": "set_missing",
            "date_out_of_window": "set_missing",
            "duplicate_row": "exclude",
            "impossible_date": {"occurred": "exclude", "default": "error"},
        },
    }
    return files, codebook


def _csv(columns: dict[str, list[str]], delimiter: str, encoding: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    names = list(columns)
    w.writerow(names)
    w.writerows(zip(*(columns[c] for c in names), strict=True))
    return buf.getvalue().encode(encoding)


def _gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9, filename="") as f:
        f.write(data)
    return buf.getvalue()


def codebook_yaml(codebook: dict) -> str:
    """Render a codebook mapping as commented YAML (stable key order)."""
    head = (f"# Codebook for {codebook['city']}: maps its raw exports onto the canonical USGA schema.\n"
            f"# {SYNTHETIC_NOTICE}.\n"
            "# Format: data/README.md. Edit this file, not the raw data.\n")
    return head + yaml.safe_dump(codebook, sort_keys=False, allow_unicode=True, width=120)


def write_city(city: str, folder: Path | None = None, codebook: Path | None = None) -> list[Path]:
    """Generate a city's synthetic data and write its raw files and codebook.

    Returns the paths written. Regenerating writes byte-identical files.
    """
    data = generate_city(city)
    files, cb = export_city(data)
    folder = folder or raw_dir(city)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    cb_path = codebook or codebook_path(city)
    cb_path.parent.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = iccs_map_path(cb_path) if name == "ICCS" else folder / name
        path.write_bytes(content)
        written.append(path)
    cb_path.write_text(codebook_yaml(cb), encoding="utf-8")
    written.append(cb_path)
    return written
