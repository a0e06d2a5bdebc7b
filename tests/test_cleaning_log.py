"""The cleaning log and the validator's messages, pinned to the letter: what an analyst reads in the terminal
and in TAB-MET-03 (the mutation run of `make mutation` found these unpinned)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from usg_research.errors import ValidationError
from usg_research.ingest.clean import CleaningLog, clean_city
from usg_research.ingest.validate import MAX_SHOWN, Checked, Problem, raise_errors

from .conftest import make_city


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
    log.recode("a", "dk", "missing", "missing code: don't know", 2)
    log.recode("b", "dk", "missing", "missing code: don't know", 3)
    log.recode("c", "x", "missing", "skip_violation", 0)  # nothing recoded: not logged
    log.columns_dropped += [{"column": "name", "reason": "identifying (PII): never kept"},
                            {"column": "q99", "reason": "not in the codebook"},
                            {"column": "q98", "reason": "not in the codebook"}]
    assert log.text() == "\n".join([
        "respondent: data/raw/x/s.csv",
        "  rows read            10",
        "  rows kept            10",
        "  recoded               5  missing code: don't know",
        "  dropped (identifying): name",
        "  dropped (not in codebook): 2 raw column(s)"])
    assert len(log.recodes) == 2 and np.sum([r["count"] for r in log.recodes]) == 5
