"""Codebook mappings: how one city's raw exports map onto the canonical schema.

A codebook (``data/codebooks/<city>.yaml``) names, for each canonical table,
the raw file, how to read it (format, encoding, delimiter, date format), which
raw column holds each canonical variable and which raw codes (or value labels)
mean which canonical code. A city's own export is used as it is; only the
codebook changes. The format is documented in ``data/README.md``.

Examples
--------
>>> cb = Codebook.model_validate({"city": "demo", "survey": {"file": "s.csv",
...     "columns": {"resp_id": "id", "weight": "w", "area": "ward", "sex": "q1", "age": "q2"},
...     "scales": {"sex": {1: "male", 2: "female"}}}})
>>> cb.survey.code_map("sex")["1"]
'male'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import CodebookError
from ..paths import relative
from ..yamlfile import read_yaml_model
from .cells import raw_key
from .schema import MISSING_CODES, SCALES, TABLES

Action = Literal["error", "exclude", "set_missing"]

#: What cleaning does with each kind of problem unless the codebook says otherwise.
DEFAULT_POLICY: dict[str, Action] = {
    "missing_value": "error",
    "unknown_code": "error",
    "bad_number": "error",
    "out_of_range": "error",
    "duplicate_row": "exclude",
    "duplicate_id": "error",
    "bad_weight": "error",
    "psu_in_two_strata": "error",
    "identifier_like": "error",
    "skip_violation": "set_missing",
    "impossible_date": "error",
    "date_out_of_window": "set_missing",
}


class ColumnSpec(BaseModel):
    """A canonical variable's raw column, with optional own value codes."""

    model_config = ConfigDict(extra="forbid")
    column: str
    values: dict[str, str] | None = None
    review: str | None = None  # a note left by `new-city` for the analyst

    @field_validator("values", mode="before")
    @classmethod
    def _keys_to_str(cls, v: object) -> object:
        return {raw_key(k): str(c) for k, c in v.items()} if isinstance(v, dict) else v


class ReplicateWeights(BaseModel):
    """A survey delivered with replicate weights (R ``svrepdesign``): the raw columns (a regular expression,
    kept as ``repw_001``, ``repw_002`` ... in file order), their type and variance factors. The weights are
    combined (they include the sampling weights); the report's SEs then come from the replicates."""

    model_config = ConfigDict(extra="forbid")
    columns: str
    type: Literal["bootstrap", "JK1", "JKn", "BRR", "Fay"]
    scale: float | None = None
    rscales: list[float] | None = None
    mse: bool = False
    rho: float | None = None


class TableSpec(BaseModel):
    """How to read one raw file and map it to one canonical table."""

    model_config = ConfigDict(extra="forbid")
    file: str
    format: Literal["csv", "sav", "dta", "xlsx", "parquet"] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    date_format: str | None = None
    datetime_format: str | None = None
    missing: dict[str, str] = Field(default_factory=dict)
    missing_numeric: dict[str, str] = Field(default_factory=dict)
    scales: dict[str, dict[str, str]] = Field(default_factory=dict)
    columns: dict[str, str | ColumnSpec]
    window: tuple[str, str] | None = None  # ISO dates: allowed range of dates in this table
    response_rate: float | None = Field(default=None, ge=0, le=1)  # survey only: completed / eligible contacted
    replicate_weights: ReplicateWeights | None = None  # survey only

    @field_validator("missing", "missing_numeric", mode="before")
    @classmethod
    def _missing_keys(cls, v: object) -> object:
        if not isinstance(v, dict):
            return v
        out = {raw_key(k): str(c) for k, c in v.items()}
        bad = sorted(c for c in out.values() if c not in MISSING_CODES)
        if bad:
            raise ValueError(f"missing codes must map to one of {sorted(MISSING_CODES)}, found {bad}")
        return out

    @field_validator("scales", mode="before")
    @classmethod
    def _scale_keys(cls, v: object) -> object:
        if not isinstance(v, dict):
            return v
        out: dict[str, dict[str, str]] = {}
        for scale, mapping in v.items():
            if scale not in SCALES:
                raise ValueError(f"unknown scale {scale!r}; known scales: {sorted(SCALES)}")
            if not isinstance(mapping, dict):
                raise ValueError(f"scale {scale!r} must map raw codes to canonical codes")
            out[scale] = {raw_key(k): str(c) for k, c in mapping.items()}
            bad = sorted({c for c in out[scale].values() if c not in SCALES[scale] and c not in MISSING_CODES})
            if bad:
                raise ValueError(f"scale {scale!r}: {bad} are not codes of the scale {list(SCALES[scale])}")
        return out

    def spec(self, variable: str) -> ColumnSpec | None:
        """The column spec of a canonical variable, or None when it is not mapped."""
        s = self.columns.get(variable)
        if s is None:
            return None
        return ColumnSpec(column=s) if isinstance(s, str) else s

    def code_map(self, variable: str, table: str = "respondent") -> dict[str, str]:
        """Raw code -> canonical code for a categorical variable (own values, else its scale's)."""
        spec = self.spec(variable)
        if spec is not None and spec.values is not None:
            return dict(spec.values)
        scale = TABLES[table][variable].scale
        return dict(self.scales.get(scale, {})) if scale else {}


TABLE_KEYS = {"survey": "respondent", "incidents": "incident", "population": "population",
              "qualitative": "qualitative"}


class Codebook(BaseModel):
    """One city's codebook: a :class:`TableSpec` per table it has, and its cleaning policy."""

    model_config = ConfigDict(extra="forbid")
    city: str
    synthetic: bool = False
    note: str | None = None
    survey: TableSpec
    incidents: TableSpec | None = None
    population: TableSpec | None = None
    qualitative: TableSpec | None = None
    policy: dict[str, Action | dict[str, Action]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _columns_are_canonical(self) -> Codebook:
        for key, table in TABLE_KEYS.items():
            spec: TableSpec | None = getattr(self, key)
            if spec is None:
                continue
            if spec.replicate_weights is not None and key != "survey":
                raise ValueError(f"{key}.replicate_weights: only the survey has replicate weights")
            unknown = sorted(set(spec.columns) - set(TABLES[table].names))
            if unknown:
                raise ValueError(
                    f"{key}.columns: {unknown} are not variables of the canonical {table} table"
                )
        bad = sorted(set(self.policy) - set(DEFAULT_POLICY))
        if bad:
            raise ValueError(f"policy: unknown checks {bad}; known: {sorted(DEFAULT_POLICY)}")
        return self

    def action(self, check: str, column: str | None = None) -> Action:
        """The cleaning action for a problem found by ``check`` in ``column``."""
        rule = self.policy.get(check, DEFAULT_POLICY[check])
        if isinstance(rule, dict):
            return rule.get(column or "", rule.get("default", DEFAULT_POLICY[check]))
        return rule

    def table_spec(self, table: str) -> TableSpec | None:
        """The spec of a canonical table name (``respondent``, ``incident`` ...)."""
        for key, name in TABLE_KEYS.items():
            if name == table:
                return getattr(self, key)
        raise KeyError(table)


def read_codebook(path: str | Path) -> Codebook:
    """Read and check a codebook YAML file.

    Raises
    ------
    CodebookError
        Naming the file and every entry that does not fit the format.

    Examples
    --------
    >>> from usg_research.paths import codebook_path
    >>> read_codebook(codebook_path("mathare")).city
    'mathare'
    """
    return read_yaml_model(path, Codebook, CodebookError, "codebook")


def read_iccs_map(path: str | Path) -> pd.DataFrame:
    """Read a city's offence-label -> ICCS code table (columns ``offence, iccs_code``)."""
    m = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(m.columns[:2]) != ["offence", "iccs_code"]:
        raise CodebookError(f"{relative(path)}: expected columns offence, iccs_code; found {list(m.columns)}")
    dup = m["offence"][m["offence"].duplicated()].tolist()
    if dup:
        raise CodebookError(f"{relative(path)}: offence labels mapped twice: {dup}")
    return m
