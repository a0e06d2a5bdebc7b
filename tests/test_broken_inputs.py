"""A corpus of broken inputs, one defect each: every one must fail with a clear error
naming the file, the column and the row (or line), never a bare traceback, and
never lose a row silently."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pandas as pd
import pyreadstat
import pytest

from usg_research.errors import USGAError, ValidationError
from usg_research.ingest.clean import clean_city
from usg_research.ingest.validate import CHECK_ORDER

from .conftest import SmallCity, make_city

SURVEY = "survey_SYNTHETIC.csv"


def _set(c: SmallCity, var: str, row: int, value: str) -> None:
    """Set data row ``row`` (1-based, as errors count) of a canonical variable's raw column."""
    c.survey.loc[row - 1, c.col(var)] = value
    c.write_survey()


def _first(c: SmallCity, var: str, code: str) -> int:
    """1-based row of the first respondent whose canonical ``var`` is raw ``code``."""
    return int(c.survey.index[c.survey[c.col(var)] == code][0]) + 1


def _nonvictim(c: SmallCity) -> int:
    return _first(c, "last_crime", "")


def _codebook(c: SmallCity, **changes: object) -> None:
    spec = dict(c.spec)
    spec.update(changes)
    c.codebook["survey"] = spec
    c.write_codebook()


def _write_sav(c: SmallCity, *, unlabelled: bool) -> None:
    df = c.survey.copy()
    sex = c.col("sex")
    num = {col: pd.to_numeric(df[col], errors="coerce") for col in (sex, c.col("age"), c.col("weight"))}
    out = pd.DataFrame({c.col("resp_id"): df[c.col("resp_id")], c.col("weight"): num[c.col("weight")],
                        c.col("area"): df[c.col("area")], sex: num[sex], c.col("age"): num[c.col("age")]})
    if unlabelled:
        out.loc[9, sex] = 3
    pyreadstat.write_sav(out, str(c.folder / "survey.sav"), variable_value_labels={sex: {1: "Hombre", 2: "Mujer"}})
    cols = {k: c.spec["columns"][k] for k in ("resp_id", "weight", "area", "sex", "age")}
    c.codebook["survey"] = {"file": "survey.sav", "scales": {"sex": {"Hombre": "male", "Mujer": "female"}},
                            "missing_numeric": c.spec["missing_numeric"], "columns": cols}
    c.write_codebook()


# Each case: (name, break the city, column named, where ("row N" / "line N"), words in the message)
Case = tuple[str, Callable[[SmallCity], None], str | None, str | None, str]


def _cases() -> list[Case]:
    return [
        ("missing required column", lambda c: c.write_survey(c.survey.drop(columns=c.col("weight"))),
         "factor", None, "does not have"),
        ("unknown code", lambda c: _set(c, "sex", 5, "7"), "sex", "row 5", "not a known code"),
        ("unknown scale code", lambda c: _set(c, "safe_night", 12, "6"), "safe_night", "row 12", "not a known code"),
        ("age out of range", lambda c: _set(c, "age", 3, "150"), "age", "row 3", "outside the allowed range"),
        ("under-age respondent", lambda c: _set(c, "age", 8, "15"), "age", "row 8", "outside the allowed range"),
        ("age not a number", lambda c: _set(c, "age", 4, "thirty"), "age", "row 4", "not a whole number"),
        ("age not whole", lambda c: _set(c, "age", 6, "30.5"), "age", "row 6", "not a whole number"),
        ("household size zero", lambda c: _set(c, "hh_size", 7, "0"), "hh_size", "row 7", "outside the allowed range"),
        ("count not a number", lambda c: _set(c, "n_robbery_12m", _first(c, "vict_robbery_12m", "1"), "abc"),
         "n_robbery_12m", "row", "not a whole number"),
        ("weight zero", lambda c: _set(c, "weight", 2, "0"), "weight", "row 2", "weights must be positive"),
        ("weight negative", lambda c: _set(c, "weight", 10, "-3.2"), "weight", "row 10", "weights must be positive"),
        ("weight missing", lambda c: _set(c, "weight", 11, ""), "weight", "row 11", "every respondent needs one"),
        ("weight decimal comma", lambda c: _set(c, "weight", 13, "1,5"), "weight", "row 13", "positive finite numbers"),
        ("blank respondent id", lambda c: _set(c, "resp_id", 14, ""), "resp_id", "row 14", "a value is required"),
        ("duplicate id", lambda c: _set(c, "resp_id", 15, c.survey.loc[0, c.col("resp_id")]), "resp_id",
         "rows 1, 15", "more than one row"),
        ("exact duplicate row", lambda c: c.write_survey(pd.concat([c.survey, c.survey.iloc[[3]]], ignore_index=True)),
         "resp_id", "row 289", "repeats an earlier row"),
        ("psu in two strata", lambda c: _set(c, "stratum", 1, "09"), "psu", "rows 1, ", "exactly one stratum"),
        ("reporting answered by non-victim", lambda c: _set(c, "report_police", _nonvictim(c), "1"),
         "report_police", "row", "asked only if"),
        ("bribe without contact", lambda c: _set(c, "bribe_paid_police", _first(c, "contact_police", "2"), "2"),
         "bribe_paid_police", "row", "asked only if contact_police"),
        ("youth item asked of older adult", lambda c: _set(c, "youth_in_school", _first(c, "youth_in_school", ""), "1"),
         "youth_in_school", "row", "asked only if age <= 35"),
        ("impossible date", lambda c: _set(c, "interview_date", 9, "31/02/2021"), "interview_date", "row 9",
         "not a real date"),
        ("date out of window", lambda c: _set(c, "interview_date", 16, "01/01/2030"), "interview_date", "row 16",
         "outside the window"),
        ("Cyrillic file read as utf-8", _cyrillic_as_utf8, None, "line 2", "not valid utf-8"),
        ("latin-1 file read as utf-8", lambda c: _codebook(c, encoding="utf-8"), None, "line", "not valid utf-8"),
        ("truncated file", lambda c: (c.folder / SURVEY).write_bytes((c.folder / SURVEY).read_bytes()[:-60]),
         None, "line", "the header has 152"),
        ("wrong delimiter", lambda c: c.write_survey(delimiter=","), None, "line 1", "uses ','"),
        ("unquoted delimiter in a value", lambda c: (c.folder / SURVEY).write_bytes(
            (c.folder / SURVEY).read_bytes().replace(b";Centro;", b";Centro; Norte;", 1)), None, "line",
         "has 153 fields"),
        ("unclosed quote", lambda c: (c.folder / SURVEY).write_bytes(
            (c.folder / SURVEY).read_bytes() + b'"IZT-99999;1'), None, "line", "malformed CSV"),
        ("empty file", lambda c: (c.folder / SURVEY).write_bytes(b""), None, None, "empty"),
        ("header only", lambda c: (c.folder / SURVEY).write_bytes((c.folder / SURVEY).read_bytes().split(b"\n")[0]
                                                                   + b"\n"), None, "line 2", "no data rows"),
        ("repeated header names", lambda c: (c.folder / SURVEY).write_bytes(
            (c.folder / SURVEY).read_bytes().replace(b"estrato", b"upm", 1)), None, "line 1", "repeats column names"),
        ("file not found", lambda c: (c.folder / SURVEY).unlink(), None, None, "file not found"),
        ("SPSS unlabelled code", lambda c: _write_sav(c, unlabelled=True), "sex", "row 10", "unlabelled"),
        ("incident date impossible", lambda c: _break_incidents(c), "fecha_hora_hechos", "row 4", "not a real date"),
        ("population age group unknown", lambda c: _break_population(c), "age_group", "row 3", "expected one of"),
        ("qualitative tvc unknown", lambda c: _break_qual(c), "tvc", "row 2", "expected one of"),
        ("codebook scale code unknown", lambda c: _codebook(c, scales={"sex": {1: "man", 2: "female"}}), None, None,
         "not codes of the scale"),
        ("weight infinite", lambda c: _set(c, "weight", 17, "inf"), "weight", "row 17", "positive finite numbers"),
        ("weight overflowing", lambda c: _set(c, "weight", 18, "1e308"), "weight", "row 18", "up to 1e+12"),
        ("age not finite", lambda c: _set(c, "age", 19, "nan"), "age", "row 19", "not a whole number"),
        ("sub-area holds phone numbers", _area_is_phone, "area", "rows 1, 2, 3", "phone number"),
        ("sub-area holds respondent ids", lambda c: _set_column(c, "area", c.survey[c.col("resp_id")]), "area",
         "rows 1, 2, 3", "distinct values in 288 rows: an identifier"),
        ("Excel repeated header names", _excel_repeated_header, None, "line 1", "repeats column names"),
        ("raw file outside the city folder", lambda c: _codebook(c, file="../../../../etc/passwd"), None,
         None, "'../../../../etc/passwd' leads outside"),
        ("raw file a link out of the folder", _linked_out, None, None, "'linked.csv' leads outside"),
        ("codebook key given twice", lambda c: c.codebook_path.write_text(
            c.codebook_path.read_text(encoding="utf-8") + "city: other\n", encoding="utf-8"), None, None,
         "duplicate key 'city'"),
        ("codebook alias", lambda c: c.codebook_path.write_text(
            c.codebook_path.read_text(encoding="utf-8").replace("city:", "x: &a [1]\ny: *a\ncity:", 1),
            encoding="utf-8"), None, None, "aliases"),
        ("codebook variable unknown", lambda c: _codebook(c, columns={**c.spec["columns"], "favourite_colour": "x"}),
         None, None, "favourite_colour"),
    ]


def _set_column(c: SmallCity, var: str, values: pd.Series) -> None:
    c.survey[c.col(var)] = values.to_numpy()
    c.write_survey()


PHONES = pd.Series([f"+254 7{i:08d}" for i in range(288)])


def _area_is_phone(c: SmallCity) -> None:
    _set_column(c, "area", PHONES)


def _excel_repeated_header(c: SmallCity) -> None:
    df = c.survey.rename(columns={c.col("stratum"): c.col("psu")})
    df.to_excel(c.folder / "survey.xlsx", index=False)
    _codebook(c, file="survey.xlsx", format="xlsx")


def _linked_out(c: SmallCity) -> None:
    outside = c.folder.parent / "elsewhere.csv"
    outside.write_bytes((c.folder / SURVEY).read_bytes())
    (c.folder / "linked.csv").symlink_to(outside)
    _codebook(c, file="linked.csv")


def _cyrillic_as_utf8(c: SmallCity) -> None:
    c.survey[c.col("area")] = "Квартал 9"
    c.survey[c.col("respondent_name")] = "Дилноза Каримова"
    _codebook(c, encoding="utf-8")
    c.write_survey(encoding="cp1251")


def _break_incidents(c: SmallCity) -> None:
    path = c.folder / "incidents_SYNTHETIC.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode("latin-1").split("\n")
    fields = lines[4].split(";")
    fields[1] = "2019-13-01 10:00"
    lines[4] = ";".join(fields)
    path.write_bytes(gzip.compress("\n".join(lines).encode("latin-1")))


def _break_population(c: SmallCity) -> None:
    path = c.folder / "population_SYNTHETIC.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[2, "age_group"] = "85-89"
    df.to_csv(path, index=False)


def _break_qual(c: SmallCity) -> None:
    path = c.folder / "qualitative_SYNTHETIC.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[1, "tvc"] = "opportunity"
    df.to_csv(path, index=False)


CASES = _cases()


#: which case of the corpus breaks each of the validator's row checks
CHECK_CASES = {"missing_value": "blank respondent id", "duplicate_row": "exact duplicate row",
               "duplicate_id": "duplicate id", "bad_weight": "weight zero", "psu_in_two_strata": "psu in two strata",
               "identifier_like": "sub-area holds phone numbers",
               "unknown_code": "unknown code", "bad_number": "age not a number", "out_of_range": "age out of range",
               "impossible_date": "impossible date", "date_out_of_window": "date out of window",
               "skip_violation": "reporting answered by non-victim"}


def test_every_row_check_of_the_validator_has_a_broken_input() -> None:
    """A check added to the validator without a defect in this corpus fails here."""
    assert set(CHECK_CASES) == set(CHECK_ORDER)
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)) and set(CHECK_CASES.values()) <= set(names)


@pytest.mark.parametrize("name,breaker,column,where,words", CASES, ids=[c[0] for c in CASES])
def test_broken_input_is_named(tmp_path, name, breaker, column, where, words) -> None:
    c = make_city(tmp_path)
    breaker(c)
    with pytest.raises(USGAError) as info:
        clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    msg = str(info.value)
    assert words in msg, msg
    if "codebook" not in name:
        assert "iztapalapa/" in msg, msg  # the file is named
    else:
        assert c.codebook_path.name in msg, msg
    if column is not None:
        raw = c.spec["columns"].get(column, column)
        raw = raw if isinstance(raw, str) else column
        assert f"column {raw!r}" in msg, msg
    if where is not None:
        assert where in msg, msg


def test_identifying_values_are_never_echoed(tmp_path) -> None:
    """A sub-area mapped to phone numbers or ids is refused without printing them (the message is read and
    pasted around; the values must stay in the raw file)."""
    for values in (PHONES, None):
        c = make_city(tmp_path / str(values is None))
        values = c.survey[c.col("resp_id")] if values is None else values
        _set_column(c, "area", values)
        with pytest.raises(ValidationError) as info:
            clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
        msg = str(info.value)
        assert "identifier_like" in {p.check for p in info.value.problems}
        assert not [v for v in values if v in msg], msg
        assert "'<withheld" in msg, msg  # the rows are named, their values replaced


def test_a_numeric_area_code_is_not_a_phone_number(tmp_path) -> None:
    """Seven-digit codes that repeat across respondents (a census tract's key) are places, not people."""
    c = make_city(tmp_path)
    _set_column(c, "area", pd.Series([f"090070{i % 9:03d}" for i in range(288)]))
    assert len(clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)["respondent"]) == 288


def test_every_problem_is_reported_at_once(tmp_path) -> None:
    c = make_city(tmp_path)
    c.survey.loc[4, c.col("sex")] = "7"
    c.survey.loc[2, c.col("age")] = "150"
    c.survey.loc[1, c.col("weight")] = "0"
    c.write_survey()
    with pytest.raises(ValidationError) as info:
        clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    checks = sorted(p.check for p in info.value.problems)
    assert checks == ["bad_weight", "out_of_range", "unknown_code"]
    assert [p.rows for p in sorted(info.value.problems, key=lambda p: p.check)] == [[2], [3], [5]]


def test_policy_exclude_counts_every_row(tmp_path) -> None:
    """The same defects under a cleaning policy are counted, not lost."""
    c = make_city(tmp_path, strict=False)
    c.codebook["policy"] = {"out_of_range": {"age": "exclude"}, "unknown_code": "set_missing",
                            "duplicate_row": "exclude"}
    c.write_codebook()
    df = pd.concat([c.survey, c.survey.iloc[[0, 1]]], ignore_index=True)
    df.loc[2, c.col("age")] = "16"
    df.loc[5, c.col("sex")] = "7"
    c.write_survey(df)
    t = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    log = t.logs["respondent"]
    n = len(c.survey)
    assert (log.rows_in, log.rows_kept, log.rows_excluded) == (n + 2, n - 1, 3)
    assert {e["check"]: e["rows"] for e in log.exclusions} == {"duplicate_row": 2, "out_of_range": 1}
    assert [r["count"] for r in log.recodes if r["reason"] == "unknown_code"] == [1]
    assert len(t["respondent"]) == n - 1
