"""Loading, cleaning and the shipped synthetic data."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import string

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from usg_research.cli import main
from usg_research.errors import LoadError
from usg_research.ingest import delimited, schema
from usg_research.ingest.clean import clean_city
from usg_research.ingest.codebook import read_codebook
from usg_research.ingest.load import read_raw
from usg_research.paths import codebook_path, iccs_map_path, raw_dir
from usg_research.sources.synth import generate_city
from usg_research.sources.synth_export import export_city
from usg_research.sources.synth_profiles import PROFILES

from .conftest import make_city

CITIES = sorted(PROFILES)


@pytest.mark.parametrize("city", CITIES)
def test_shipped_data_validates_and_log_accounts_for_every_row(city, capsys) -> None:
    assert main(["validate", city]) == 0
    out = capsys.readouterr().out
    assert f"{city}: OK (synthetic data)" in out
    tables = clean_city(city)
    for name, log in tables.logs.items():
        assert log.rows_in == log.rows_kept + log.rows_excluded == log.rows_kept + sum(
            e["rows"] for e in log.exclusions)
        assert len(tables[name]) == log.rows_kept
    # the defects the generator plants are each found and counted
    resp = tables.logs["respondent"]
    assert {e["check"]: e["rows"] for e in resp.exclusions} == {"duplicate_row": 3, "out_of_range": 4}
    recodes = {r["reason"]: 0 for r in resp.recodes}
    for r in resp.recodes:
        recodes[r["reason"]] += r["count"]
    assert recodes["skip_violation"] == 6
    assert recodes["date_out_of_window"] == 2
    assert recodes["white space trimmed"] == 10
    inc = tables.logs["incident"]
    assert {e["check"]: e["rows"] for e in inc.exclusions} == {"duplicate_row": 2, "impossible_date": 1}


def test_no_identifying_column_survives_cleaning() -> None:
    for city in CITIES:
        clean = clean_city(city)["respondent"]
        assert not set(schema.RESPONDENT.pii) & set(clean.columns)
        cb = read_codebook(codebook_path(city))
        raw = read_raw(raw_dir(city) / "survey_SYNTHETIC.csv", encoding=cb.survey.encoding)
        names = raw.data[cb.survey.spec("respondent_name").column]
        phones = raw.data[cb.survey.spec("phone").column]
        text = clean.astype(str).to_numpy().ravel()
        assert not set(names) & set(text)
        assert not set(phones) & set(text)


def test_synthetic_data_regenerates_byte_for_byte(tmp_path) -> None:
    for city in CITIES:
        files, cb = export_city(generate_city(city))
        for name, content in files.items():
            path = iccs_map_path(codebook_path(city)) if name == "ICCS" else raw_dir(city) / name
            committed = path.read_bytes()
            assert hashlib.sha256(content).hexdigest() == hashlib.sha256(committed).hexdigest(), (city, name)
        from usg_research.sources.synth_export import codebook_yaml

        assert codebook_yaml(cb) == codebook_path(city).read_text(encoding="utf-8")


def test_synthetic_profiles_differ_as_the_pilots_did() -> None:
    t = {c: clean_city(c)["respondent"] for c in CITIES}

    def share(df, col, codes):
        s = df[col].dropna()
        return float(np.average(s.isin(codes), weights=df.loc[s.index, "weight"]))

    unsafe = {c: share(t[c], "safe_night", ["unsafe", "very_unsafe"]) for c in CITIES}
    assert unsafe["iztapalapa"] > unsafe["mathare"] > unsafe["tashkent"]
    vict = {c: share(t[c], "vict_any_12m", ["yes"]) for c in CITIES}
    assert vict["iztapalapa"] > vict["tashkent"] and vict["mathare"] > vict["tashkent"]
    brew = {c: share(t[c], "subst_illicit_brew", ["yes"]) for c in CITIES}
    assert brew["mathare"] > 5 * brew["tashkent"]
    fraud = {c: share(t[c], "top_crime_fraud", ["yes"]) for c in CITIES}
    assert fraud["tashkent"] == max(fraud.values())
    # correlated answers: victims and women feel less safe; victims trust the police less
    iz = t["iztapalapa"]
    assert share(iz[iz.vict_any_12m == "yes"], "safe_night", ["unsafe", "very_unsafe"]) > share(
        iz[iz.vict_any_12m == "no"], "safe_night", ["unsafe", "very_unsafe"]) + 0.05
    assert share(iz[iz.sex == "female"], "safe_night", ["unsafe", "very_unsafe"]) > share(
        iz[iz.sex == "male"], "safe_night", ["unsafe", "very_unsafe"])
    assert share(iz[iz.vict_any_12m == "yes"], "trust_police", ["a_lot", "some"]) < share(
        iz[iz.vict_any_12m == "no"], "trust_police", ["a_lot", "some"])


def test_population_totals_equal_the_census() -> None:
    for city in CITIES:
        pop = clean_city(city)["population"]
        assert int(pop["population"].sum()) == PROFILES[city].population


def test_complex_design() -> None:
    df = clean_city("iztapalapa")["respondent"]
    assert df["stratum"].nunique() == 9
    assert df.groupby("psu")["stratum"].nunique().max() == 1
    assert df["psu"].nunique() == 9 * 16
    assert df["weight"].max() / df["weight"].min() > 3  # unequal weights from non-response


def _export_formats(c, tmp_path):
    """The same survey as CSV, SPSS, Stata, Excel and Parquet (codes numeric, labels attached)."""
    df = c.survey.copy()
    numeric = {col: pd.to_numeric(df[col], errors="coerce") for col in df.columns}
    def is_code(col: str) -> bool:  # numeric codes, but keep identifiers such as "01" as text
        s = df[col][df[col] != ""]
        return numeric[col].notna().sum() == len(s) and not s.str.match(r"0\d").any()

    num = pd.DataFrame({col: numeric[col] if is_code(col) else df[col] for col in df.columns})
    labels = {c.col("sex"): {1: "Hombre", 2: "Mujer"}}
    paths = {"csv": c.folder / "survey_SYNTHETIC.csv"}
    paths["sav"] = c.folder / "survey.sav"
    pyreadstat.write_sav(num, str(paths["sav"]), variable_value_labels=labels)
    paths["dta"] = c.folder / "survey.dta"
    pyreadstat.write_dta(num, str(paths["dta"]), variable_value_labels=labels)
    paths["parquet"] = c.folder / "survey.parquet"
    num.to_parquet(paths["parquet"])
    paths["xlsx"] = c.folder / "survey.xlsx"
    df.to_excel(paths["xlsx"], index=False)
    return paths


def test_same_survey_in_every_format_gives_identical_tables(tmp_path) -> None:
    c = make_city(tmp_path, strict=False)
    paths = _export_formats(c, tmp_path)
    results = {}
    base = dict(c.spec)
    for fmt, path in paths.items():
        c.codebook["survey"] = {**base, "file": path.name, "format": fmt}
        if fmt != "csv":
            c.codebook["survey"].pop("delimiter"), c.codebook["survey"].pop("encoding")
        c.write_codebook()
        results[fmt] = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)["respondent"]
    for fmt, df in results.items():
        pd.testing.assert_frame_equal(df, results["csv"], obj=fmt)
    assert len(results["csv"]) == len(c.survey)


def test_value_labels_can_be_mapped_instead_of_codes(tmp_path) -> None:
    c = make_city(tmp_path, strict=False)
    paths = _export_formats(c, tmp_path)
    sex = c.col("sex")
    spec = {**c.spec, "file": paths["sav"].name, "format": "sav"}
    spec.pop("delimiter"), spec.pop("encoding")
    spec["columns"] = {**spec["columns"], "sex": {"column": sex, "values": {"Hombre": "male", "Mujer": "female"}}}
    c.codebook["survey"] = spec
    c.write_codebook()
    df = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)["respondent"]
    expected = c.survey[sex].map({"1": "male", "2": "female"}).tolist()
    assert df["sex"].astype(str).tolist() == expected


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "cp1251", "koi8-r"])
def test_encodings_round_trip(tmp_path, encoding) -> None:
    text = {"latin-1": "Cabeza de Juárez", "utf-8": "Ñuñoa – Кварта́л", "cp1251": "Квартал 9",
            "koi8-r": "Чиланзар"}[encoding]
    p = tmp_path / "s.csv"
    p.write_bytes(f"id\tarea\n1\t{text}\n".encode(encoding))
    assert read_raw(p, encoding=encoding).data.loc[0, "area"] == text


# --- the CSV reader: Arrow's speed, the strict reader's exactness ---

CELL = st.one_of(
    st.sampled_from(["", " ", "NA", "null", "N/A", "nan", "-99", "01", "1e308", "1,5", " padded ", '"', ";"]),
    st.text(alphabet=string.ascii_letters + string.digits + ' ;,"\n\r\tñКя', max_size=8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.integers(1, 4), cells=st.lists(CELL, min_size=1, max_size=120), gz=st.booleans())
def test_csv_cells_are_read_exactly_as_written(tmp_path_factory, monkeypatch, width, cells, gz) -> None:
    """Any cells csv.writer can write (quotes, delimiters, line breaks, blanks, number-like text) come back
    as written, as text, across many of Arrow's parse blocks."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 64)
    rows = [cells[i:i + width] + [""] * (width - len(cells[i:i + width])) for i in range(0, len(cells), width)]
    header = [f"c{i}" for i in range(width)]
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";").writerows([header, *rows])
    p = tmp_path_factory.mktemp("csv") / ("s.csv.gz" if gz else "s.csv")
    data = buf.getvalue().encode("utf-8")
    p.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    got = read_raw(p, delimiter=";").data
    assert [str(d) for d in got.dtypes] == ["category"] * width
    assert got.astype(object).values.tolist() == rows


@pytest.mark.parametrize(("body", "line", "words"), [
    (b"id;a\n1;x\n\n2;y\n", 3, "row 2 has 0 fields"),
    (b"id;a\n1;x\n2;\"y\n3;z\n", 3, "malformed CSV"),
    (b"id;a\n1;x\n2;y;z\n", 3, "row 2 has 3 fields"),
    (b"id;a\n1;x\n2;\xff\n", 3, "not valid utf-8"),
])
def test_csv_defects_are_named_with_their_line(tmp_path, body, line, words) -> None:
    """A defect Arrow would read past (a blank line, a quote running to the end) is named as the strict
    reader names it, with its line."""
    p = tmp_path / "s.csv"
    p.write_bytes(body)
    with pytest.raises(LoadError) as e:
        read_raw(p, encoding="utf-8")
    assert e.value.line == line and words in str(e.value)


def test_csv_edges_the_strict_reader_accepts(tmp_path) -> None:
    """A byte-order mark, CRLF line ends, a final blank line and a Latin-1 file (decoded by Python for Arrow)
    read as the strict reader reads them."""
    p = tmp_path / "s.csv"
    p.write_bytes("\ufeffid,área\r\n1,Juárez\r\n2,\r\n\r\n".encode())
    assert read_raw(p).data.to_dict("list") == {"id": ["1", "2"], "área": ["Juárez", ""]}
    p.write_bytes("id,área\n1,Juárez\n".encode("latin-1"))
    assert read_raw(p, encoding="latin-1").data.to_dict("list") == {"id": ["1"], "área": ["Juárez"]}


# --- property tests: cleaning invariants on random defects ---

defect = st.sampled_from(["age_low", "age_missing", "sex_bad", "skip", "dup", "trim", "none"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(defects=st.lists(st.tuples(defect, st.integers(0, 287)), max_size=12),
       junk=st.text(alphabet=string.ascii_letters, min_size=1, max_size=6))
def test_cleaning_never_loses_a_row(tmp_path_factory, defects, junk) -> None:
    c = make_city(tmp_path_factory.mktemp("p"), strict=False)
    c.codebook["policy"] = {"out_of_range": "exclude", "unknown_code": "set_missing", "duplicate_row": "exclude",
                            "duplicate_id": "exclude"}
    c.write_codebook()
    df = c.survey.copy()
    extra = []
    for kind, i in defects:
        i = i % len(df)
        if kind == "age_low":
            df.loc[i, c.col("age")] = "16"
        elif kind == "age_missing":
            df.loc[i, c.col("age")] = "998"
        elif kind == "sex_bad":
            df.loc[i, c.col("sex")] = junk
        elif kind == "skip" and df.loc[i, c.col("last_crime")] == "":
            df.loc[i, c.col("report_police")] = "1"
        elif kind == "dup":
            extra.append(i)
        elif kind == "trim":
            df.loc[i, c.col("safe_day")] = " " + df.loc[i, c.col("safe_day")].strip() + " "
    df = pd.concat([df, df.iloc[extra]], ignore_index=True)
    c.write_survey(df)
    t = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    log = t.logs["respondent"]
    clean = t["respondent"]
    assert log.rows_in == len(df)
    assert log.rows_kept + log.rows_excluded == log.rows_in
    assert len(clean) == log.rows_kept
    assert clean["age"].dropna().between(18, 110).all()
    assert set(clean["sex"].dropna().astype(str)) <= {"male", "female"}
    assert clean["resp_id"].is_unique
    non_victims = clean["vict_any_12m"].eq("no")
    assert clean.loc[non_victims, "report_police"].isna().all()
    assert not set(schema.RESPONDENT.pii) & set(clean.columns)


def test_data_readme_documents_the_current_schema() -> None:
    from usg_research.paths import data_dir

    assert schema.codebook_reference() in (data_dir() / "README.md").read_text(encoding="utf-8")
