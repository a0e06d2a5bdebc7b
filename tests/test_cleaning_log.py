"""The cleaning log and the validator's messages, pinned to the letter: what an analyst reads in the terminal
and in TAB-MET-03 (the mutation run of `make mutation` found these unpinned)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from usg_research.errors import ValidationError
from usg_research.ingest.clean import CleaningLog, clean_city, cleaning_summary
from usg_research.ingest.validate import MAX_SHOWN, Checked, Problem, raise_errors
from usg_research.present.tables import log_detail
from usg_research.present.words import Words

from .conftest import make_city
from .test_reports import english_words


def _p(column: str | None, variable: str | None, rows: list[int], values: list[str]) -> Problem:
    return Problem("out_of_range", "data/raw/x/s.csv", column, variable, rows, values, "is outside 18 to 110",
                   "error")


def test_problem_lines_name_file_column_rows_and_values() -> None:
    assert _p("edad", "age", [3], ["150"]).describe() == (
        "data/raw/x/s.csv, column 'edad' (age), row 3: value '150' is outside 18 to 110 [error]")
    # a raw column named as its variable is named once; two values are "values"
    assert _p("age", "age", [3, 9], ["150", "7"]).describe() == (
        "data/raw/x/s.csv, column 'age', rows 3, 9: values '150', '7' is outside 18 to 110 [error]")
    rows = list(range(1, MAX_SHOWN + 1))
    assert _p("age", "age", rows, []).describe() == (
        f"data/raw/x/s.csv, column 'age', rows {', '.join(map(str, rows))}: is outside 18 to 110 [error]")
    assert _p("age", "age", [*rows, 99], []).describe().endswith(
        f"rows {', '.join(map(str, rows))} (+1 more): is outside 18 to 110 [error]")
    assert _p(None, None, [], []).describe() == "data/raw/x/s.csv: is outside 18 to 110 [error]"


def test_raise_errors_raises_only_for_errors() -> None:
    error, cleaned = _p("age", "age", [3], ["150"]), _p("age", "age", [4], ["151"])
    cleaned.action = "exclude"
    raise_errors(Checked("respondent", "s.csv", pd.DataFrame(), [cleaned], []))
    with pytest.raises(ValidationError) as info:
        raise_errors(Checked("respondent", "s.csv", pd.DataFrame(), [cleaned, error], []))
    assert info.value.problems == [error]


def test_the_log_records_each_column_and_count(tmp_path) -> None:
    """Under a cleaning policy: the excluded rows and the values set missing are logged with their column,
    in the log, its text and TAB-MET-03's summary; a value set missing is missing in the clean table."""
    c = make_city(tmp_path, strict=False)
    c.codebook["policy"] = {"out_of_range": {"age": "exclude", "hh_size": "set_missing"}}
    c.write_codebook()
    c.survey.loc[2, c.col("age")] = "150"
    c.survey.loc[[4, 6], c.col("hh_size")] = "0"
    c.write_survey()
    t = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    log = t.logs["respondent"]
    [excl] = log.exclusions
    assert (excl["check"], excl["column"], excl["rows"]) == ("out_of_range", c.col("age"), 1)
    hh = [r for r in log.recodes if r["reason"] == "out_of_range"]
    assert hh == [{"column": "hh_size", "from": "invalid", "to": "missing", "reason": "out_of_range", "count": 2}]
    clean = t["respondent"]
    assert clean["hh_size"].isna().sum() == c.survey[c.col("hh_size")].eq("").sum() + 2
    ids = clean["resp_id"].astype(str)
    for row in (4, 6):
        assert pd.isna(clean.loc[ids == c.survey.loc[row, c.col("resp_id")], "hh_size"]).all()
    text = log.text()
    assert "  excluded              1  out_of_range: is outside the allowed range 18 to 110" in text
    assert "  recoded               2  out_of_range" in text
    summary = log.summary()
    assert summary.loc[summary["step"] == "rows excluded", "column"].tolist() == [c.col("age")]


def test_the_log_text_sums_each_reason_and_counts_dropped_columns() -> None:
    log = CleaningLog("respondent", "data/raw/x/s.csv", rows_in=10)
    log.recode("a", "dk", "missing", "missing code: Don't know", 2)
    log.recode("b", "dk", "missing", "missing code: Don't know", 3)
    log.recode("c", "x", "missing", "skip_violation", 0)  # nothing recoded: not logged
    log.columns_dropped += [{"column": "name", "reason": "identifying (PII): never kept"},
                            {"column": "q99", "reason": "not in the codebook"},
                            {"column": "q98", "reason": "not in the codebook"}]
    assert log.text() == "\n".join([
        "respondent: data/raw/x/s.csv",
        "  rows read            10",
        "  rows kept            10",
        "  recoded               5  missing code: Don't know",
        "  dropped (identifying): name",
        "  dropped (not in codebook): 2 raw column(s)"])
    assert len(log.recodes) == 2 and np.sum([r["count"] for r in log.recodes]) == 5


def test_clean_tables_have_the_schema_types(tmp_path) -> None:
    """Categorical answers as Categoricals of the schema's codes, counts as Int64, yes/no derivations as
    yes/no Categoricals, text as strings; a fresh 0..n-1 index and no stray column."""
    c = make_city(tmp_path)
    clean = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)["respondent"]
    assert list(clean["sex"].cat.categories) == ["male", "female"]
    assert list(clean["safe_night"].cat.categories)[:2] == ["very_safe", "safe"]
    assert str(clean["hh_size"].dtype) == "Int64" and str(clean["n_robbery_12m"].dtype) == "Int64"
    assert list(clean["youth"].cat.categories) == ["yes", "no"]
    assert clean["youth"].notna().all() and clean["area"].notna().all()
    assert str(clean["area"].dtype) == "string" and clean["area"].iloc[0] == c.survey.loc[0, c.col("area")].strip()
    assert "index" not in clean.columns and "_row" not in clean.columns
    assert clean.index.equals(pd.RangeIndex(len(clean)))


def test_every_recode_is_logged_with_from_and_to(tmp_path) -> None:
    """Missing codes (categorical and numeric), padding trimmed and skip violations set missing: each in the
    log with its column, from, to and count, as TAB-MET-03 lists them; identifying columns listed as such."""
    c = make_city(tmp_path, strict=False)
    c.codebook["policy"] = {"skip_violation": "set_missing"}
    c.write_codebook()
    nonvictim = int(c.survey.index[c.survey[c.col("last_crime")] == ""][0])
    c.survey.loc[nonvictim, c.col("report_police")] = "1"
    c.survey.loc[[1, 3], c.col("safe_night")] = "98"  # don't know
    c.survey.loc[5, c.col("age")] = "999"  # refused
    c.survey.loc[7, c.col("area")] = " " + c.survey.loc[7, c.col("area")] + " "
    c.write_survey()
    t = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    log, clean = t.logs["respondent"], t["respondent"]
    rec = {(r["column"], r["reason"]): (r["from"], r["to"], r["count"]) for r in log.recodes}
    assert rec[("report_police", "skip_violation")] == ("answer", "missing", 1)
    assert rec[("safe_night", "missing code: Don't know")][:2] == ("dk", "missing")
    dk = (c.survey[c.col("safe_night")] == "98").sum()
    assert rec[("safe_night", "missing code: Don't know")][2] == dk
    refused = (c.survey[c.col("age")] == "999").sum()
    assert rec[("age", "missing code: Refused to answer")] == ("refused", "missing", refused)
    assert rec[("area", "white space trimmed")] == ("padded", "trimmed", 1)
    assert clean["safe_night"].isna().sum() == c.survey[c.col("safe_night")].isin(["98", "99", ""]).sum()
    assert "  dropped (identifying): " in log.text()
    pii = [d["column"] for d in log.columns_dropped if d["reason"] == "identifying (PII): never kept"]
    assert "respondent_name" in pii and "phone" in pii


def test_a_value_label_naming_a_missing_code_is_missing(tmp_path) -> None:
    """SPSS: a code whose value label the codebook lists under ``missing`` (e.g. 9 = "No sabe") is a missing
    code, logged as such, not an unknown code."""
    import pyreadstat

    c = make_city(tmp_path, strict=False)
    df = c.survey.copy()
    sex = c.col("sex")
    num = {col: pd.to_numeric(df[col], errors="coerce") for col in (sex, c.col("age"), c.col("weight"))}
    out = pd.DataFrame({c.col("resp_id"): df[c.col("resp_id")], c.col("weight"): num[c.col("weight")],
                        c.col("area"): df[c.col("area")], sex: num[sex], c.col("age"): num[c.col("age")]})
    out.loc[4, sex] = 9
    pyreadstat.write_sav(out, str(c.folder / "survey.sav"),
                         variable_value_labels={sex: {1: "Hombre", 2: "Mujer", 9: "No sabe"}})
    cols = {k: c.spec["columns"][k] for k in ("resp_id", "weight", "area", "sex", "age")}
    c.codebook["survey"] = {"file": "survey.sav", "scales": {"sex": {"Hombre": "male", "Mujer": "female"}},
                            "missing": {"No sabe": "dk"}, "missing_numeric": c.spec["missing_numeric"],
                            "columns": cols}
    c.write_codebook()
    t = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    assert pd.isna(t["respondent"].loc[4, "sex"]) and t["respondent"]["sex"].notna().sum() == len(out) - 1
    assert {"column": "sex", "from": "dk", "to": "missing", "reason": "missing code: Don't know",
            "count": 1} in t.logs["respondent"].recodes


def _problems(tmp_path, breaker) -> dict[str, str]:
    """``{check: its one-line description}`` of a small city broken by ``breaker``."""
    c = make_city(tmp_path)
    breaker(c)
    with pytest.raises(ValidationError) as info:
        clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    return {p.check: p.describe().split(": ", 1)[1] for p in info.value.problems}


def _set(c, var: str, row: int, value: str) -> None:
    c.survey.loc[row - 1, c.col(var)] = value
    c.write_survey()


def test_validator_messages_word_for_word(tmp_path) -> None:
    """What each check says, with the values it shows (the corpus checks the words that matter; this pins
    the rest of each line)."""
    def no_format(c) -> None:  # dates written ISO 8601, no date_format in the codebook
        for col in c.survey.columns:
            if c.survey[col].str.fullmatch(r"\d\d/\d\d/\d{4}|").all() and (c.survey[col] != "").any():
                c.survey[col] = pd.to_datetime(c.survey[col], format="%d/%m/%Y").dt.strftime("%Y-%m-%d").fillna("")
        c.codebook["survey"] = {k: v for k, v in c.spec.items() if k != "date_format"}
        c.write_codebook()
        _set(c, "interview_date", 9, "2021-02-31")

    got = _problems(tmp_path / "a", no_format)
    assert got["impossible_date"] == "value '2021-02-31' is not a real date (ISO 8601, e.g. 2021-03-15) [error]"

    def blank_date(c) -> None:  # a blank date is missing, not impossible; the weight below is the only error
        _set(c, "interview_date", 9, "")
        _set(c, "weight", 3, "x")

    assert set(_problems(tmp_path / "b", blank_date)) == {"bad_weight"}
    got = _problems(tmp_path / "c", lambda c: (_set(c, "hh_size", 4, "four"), _set(c, "stratum", 1, "09")))
    assert got["bad_number"] == "value 'four' is not a whole number [error]"
    assert got["psu_in_two_strata"].endswith("each PSU must lie in exactly one stratum [error]")
    first_id = None

    def duplicate(c) -> None:
        nonlocal first_id
        first_id = c.survey.loc[3, c.col("resp_id")]
        c.write_survey(pd.concat([c.survey, c.survey.iloc[[3]]], ignore_index=True))

    got = _problems(tmp_path / "d", duplicate)
    ids: list[str] = []

    def same_id(c) -> None:
        ids.append(c.survey.loc[0, c.col("resp_id")])
        _set(c, "resp_id", 15, ids[0])

    dup_id = _problems(tmp_path / "e", same_id)["duplicate_id"]
    assert dup_id == f"value {ids[0]!r} identifies more than one row with different answers [error]"
    assert got["duplicate_row"] == (f"value {first_id!r} repeats an earlier row exactly (double entry); the first "
                                    "is kept [error]")


def test_float_and_datetime_messages(tmp_path) -> None:
    from .test_broken_inputs import _break_incidents

    got = _problems(tmp_path / "a", _break_incidents)
    assert got["impossible_date"].startswith("value '2019-13-01 10:00' is not a real date-time in the format")

    def lat(c, value: str = "north") -> None:
        import gzip

        path = c.folder / "incidents_SYNTHETIC.csv.gz"
        lines = gzip.decompress(path.read_bytes()).decode("latin-1").split("\n")
        col = lines[0].split(";").index(c.codebook["incidents"]["columns"]["lat"])
        fields = lines[2].split(";")
        fields[col] = value
        lines[2] = ";".join(fields)
        path.write_bytes(gzip.compress("\n".join(lines).encode("latin-1")))

    assert _problems(tmp_path / "b", lat)["bad_number"] == "value 'north' is not a number [error]"
    # infinity is not a number either (not merely out of the range -90 to 90)
    assert _problems(tmp_path / "c", lambda c: lat(c, "inf")) == {"bad_number": "value 'inf' is not a number [error]"}


def test_the_summary_table_of_tab_met_03() -> None:
    """The tidy summary TAB-MET-03 publishes, row by row."""
    log = CleaningLog("respondent", "data/raw/x/s.csv", rows_in=10)
    log.exclusions.append({"check": "duplicate_row", "column": "id", "reason": "duplicate_row: repeats", "rows": 2})
    log.recode("a", "dk", "missing", "missing code: Don't know", 2)
    log.recode("b", "dk", "missing", "missing code: Don't know", 3)
    log.columns_dropped.append({"column": "name", "reason": "identifying (PII): never kept"})
    assert log.summary().to_dict("records") == [
        {"step": "rows read", "column": "", "detail": "data/raw/x/s.csv", "count": 10},
        {"step": "rows excluded", "column": "id", "detail": "duplicate_row: repeats", "count": 2},
        {"step": "rows kept", "column": "", "detail": "", "count": 8},
        {"step": "values recoded", "column": "", "detail": "missing code: Don't know: dk -> missing", "count": 5},
        {"step": "column dropped", "column": "name", "detail": "identifying (PII): never kept", "count": 0}]


def test_unknown_codes_name_the_codes_expected(tmp_path) -> None:
    got = _problems(tmp_path, lambda c: _set(c, "sex", 5, "7"))
    assert got["unknown_code"] == ("value '7' is not a known code; expected one of 1 (male), 2 (female), "
                                   "98 (dk), 99 (refused) [error]")


def test_number_checks_word_for_word(tmp_path) -> None:
    """An infinite age is not a number (not merely out of range); an age out of range shows its value."""
    got = _problems(tmp_path / "a", lambda c: (_set(c, "age", 3, "inf"), _set(c, "hh_size", 4, "150")))
    assert got["bad_number"] == "value 'inf' is not a whole number [error]"
    assert got["out_of_range"] == "value '150' is outside the allowed range 1 to 40 [error]"


def test_blank_numbers_are_logged_as_not_applicable(tmp_path) -> None:
    c = make_city(tmp_path)
    c.survey.loc[[2, 5], c.col("hh_size")] = ""
    c.write_survey()
    log = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder).logs["respondent"]
    assert {"column": "hh_size", "from": "na", "to": "missing", "reason": "missing code: Not applicable / not asked",
            "count": 2} in log.recodes


def test_ids_are_strings_and_counts_are_capped_in_the_log(tmp_path) -> None:
    c = make_city(tmp_path)
    victim = int(c.survey.index[c.survey[c.col("vict_robbery_12m")] == "1"][0])
    c.survey.loc[victim, c.col("n_robbery_12m")] = "9"
    c.write_survey()
    t = clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)
    assert str(t["respondent"]["resp_id"].dtype) == "string"
    assert t["respondent"]["n_robbery_12m"].max() == 5
    over = int((pd.to_numeric(c.survey[c.col("n_robbery_12m")], errors="coerce") > 5).sum())
    assert {"column": "n_robbery_12m", "from": ">5", "to": "5", "reason": "incident count capped at 5",
            "count": over} in t.logs["respondent"].recodes and over >= 1


def test_every_detail_of_the_log_is_worded_in_spanish_and_russian(tmp_path) -> None:
    """TAB-MET-03 as an es/ru report shows it: every detail the cleaning writes (rows excluded or set missing
    under a policy, missing codes, capped counts, trimmed white space, identifying and unmapped columns
    dropped) is translated, none left in ingest's English; only the file read is shown as recorded."""
    c = make_city(tmp_path, strict=False)
    c.codebook["policy"] = {"out_of_range": {"age": "exclude", "hh_size": "set_missing"}, "duplicate_row": "exclude"}
    c.write_codebook()
    c.survey.loc[2, c.col("age")] = "150"
    c.survey.loc[[4, 6], c.col("hh_size")] = "0"
    c.survey.loc[[8], c.col("hh_size")] = ""
    victim = int(c.survey.index[c.survey[c.col("vict_robbery_12m")] == "1"][0])
    c.survey.loc[victim, c.col("n_robbery_12m")] = "9"
    c.survey.loc[10, c.col("sex")] = " " + c.survey.loc[10, c.col("sex")] + " "
    c.survey["unmapped_extra"] = "x"
    c.survey = pd.concat([c.survey, c.survey.iloc[[20]]], ignore_index=True)
    c.write_survey()
    logs = [clean_city("iztapalapa", codebook=c.codebook_path, folder=c.folder)] + [
        clean_city(city) for city in ("iztapalapa", "mathare", "tashkent")]
    summary = pd.concat([cleaning_summary(t) for t in logs], ignore_index=True)
    details = sorted({d for d, s in zip(summary["detail"], summary["step"], strict=True) if d and s != "rows read"})
    steps = set(summary["step"])
    assert {"rows excluded", "values recoded", "column dropped"} <= steps and len(details) >= 8, details
    for language in ("es", "ru"):
        words = Words(language)
        untranslated = [d for d in details if log_detail(d, words) == d or english_words(log_detail(d, words))]
        assert not untranslated, (language, [(d, log_detail(d, words)) for d in untranslated])
    assert log_detail("missing code: Refused: refused -> missing", Words("ru")) == "код пропуска: отказ → пропуск"
    assert log_detail("unknown_code: expected one of 1 (male), 2 (female)", Words("es")) == (
        "código de respuesta desconocido (la regla y los valores: TAB-MET-03.csv)")
