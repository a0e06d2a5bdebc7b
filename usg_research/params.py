"""Report parameters (``params/<report>.yaml``): one strict schema per kind of report.

A params file is the one place a report's settings live: the notebook's ``parameters`` cell holds
only the report's name, and :func:`usg_research.reports.resolve` reads this file (a strict YAML
loader, then a pydantic model: unknown keys and wrong types are errors naming the file and the key).
A file with ``reports:`` is a cross-city comparison (:class:`ComparisonParams`); any other is a city
report (:class:`CityParams`).

Examples
--------
>>> p = load_params("mathare")
>>> p.language, p.quality.n_min
('en', 30)
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import ParamsError
from .estimate.indicators import check_indicator_ids
from .estimate.quality import QualityRules
from .estimate.survey import LonelyPSU
from .ingest.derive import GROUPINGS
from .ingest.schema import TABLES
from .outline import CHAPTER_KEYS, MODULES
from .paths import params_path, relative
from .yamlfile import read_yaml_mapping, strict_yaml, validate_model


class Quality(QualityRules):
    """Reliability thresholds (STATISTICS.md defaults): NCHS for proportions, CV classes for the rest.

    A report's thresholds must be finite, positive and ordered (the library's :class:`QualityRules` also
    takes values that switch a rule off, for tests and raw tables; a published report may not).
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    cv_reliable: float = Field(0.15, gt=0, lt=1)
    cv_suppress: float = Field(0.30, gt=0, le=1)
    n_min: int = Field(30, ge=2)
    n_eff_min: float = Field(30, ge=2)
    ci_width_max: float = Field(0.30, gt=0, le=1)
    ci_width_relative_from: float = Field(0.05, gt=0, le=1)
    relative_width_max: float = Field(1.30, gt=0)
    df_review: int = Field(8, ge=1)
    sessions_min: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Quality:
        if self.cv_reliable >= self.cv_suppress:
            raise ValueError(f"cv_reliable ({self.cv_reliable}) must be below cv_suppress ({self.cv_suppress})")
        return self


class Calibration(BaseModel):
    """Calibrate the design weights to the city's census adults (its population table) by ``margins``:
    ``rake`` (R ``rake``, the default), ``poststratify`` (to the cross of the margins), ``linear`` or
    ``raking`` (R ``calibrate``)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    method: Literal["poststratify", "rake", "linear", "raking"] = "rake"
    margins: list[str] = Field(default_factory=lambda: ["sex", "age_group", "area"], min_length=1)


class ComparisonLevel(BaseModel):
    """A comparison level with its sampling error (another survey's published estimate and SE)."""

    model_config = ConfigDict(extra="forbid")
    estimate: float
    se: float = Field(default=0.0, ge=0)


class DataSource(BaseModel):
    """A public survey read through an adapter instead of a codebook (e.g. INEGI's ENVIPE).

    ``data`` is the folder of the survey's files, relative to the project root (a user who downloads the
    full microdata points it there); the report covers the residents of ``municipality`` of ``entity``, with
    the entity and the nation as comparison domains, or, without ``municipality``, the residents of the whole
    entity, with the nation as comparison domain. ``census`` holds the cited census populations.
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    adapter: Literal["envipe2021"]
    data: str
    entity: str = Field(pattern=r"^[0-9]{2}$")
    municipality: str | None = Field(default=None, pattern=r"^[0-9]{3}$")
    census: str = "data/census/inegi_census2020_population.csv"


class RecordedCrime(BaseModel):
    """Police-recorded crime counts by area, read through an adapter where they are (e.g. the Mexico City
    police's counts by quadrant, ``ssp_cdmx_quadrants``), with the areas' boundaries for its map.

    ``data`` is the counts' folder and ``boundaries`` a GeoJSON of the areas, both relative to the project
    root; ``id_field`` names the property holding each area's id in the boundaries.
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    adapter: Literal["ssp_cdmx_quadrants"]
    data: str
    boundaries: str | None = None
    id_field: str = "cuadrante"


class ReportParams(BaseModel):
    """What every report's params share: strict keys and types, a title, a language and a cell timeout."""

    model_config = ConfigDict(extra="forbid", strict=True)
    title: str
    language: Literal["en", "es", "ru"] = "en"
    timeout: int = 600
    #: The notebook the report runs, ``notebooks/<notebook>.ipynb``: by default the city's own (a comparison:
    #: ``comparison``); several reports can share one, e.g. every state's ENVIPE report.
    notebook: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]{0,59}$")

    def module_on(self, module: str | None) -> bool:
        """Whether a chapter's module is part of this report (``modules:`` of a city; every one by default)."""
        return True


class CityParams(ReportParams):
    """Everything a city notebook needs to know about its city."""

    city: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    seed: int = 0
    lonely_psu: LonelyPSU = "fail"
    quality: Quality = Field(default_factory=Quality)
    calibration: Calibration | None = None
    disaggregations: list[str] = Field(default_factory=lambda: ["sex", "age_group", "area"])
    headline: list[str] = Field(default_factory=lambda: [
        "SAFE_NIGHT_WALK", "VICT_ANY_12M", "VIOL_PHYS_12M", "REPORT_ANY", "TRUST_POLICE", "BRIBE_PREV",
        "SAT_SERV_HEALTH", "INCL_DECISION"])
    modules: dict[str, bool] = Field(default_factory=dict)
    emphasis: list[str] = Field(default_factory=list)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    comparison: dict[str, float | ComparisonLevel] = Field(default_factory=dict)
    comparison_source: str = ""
    source: DataSource | None = None
    recorded_crime: RecordedCrime | None = None

    @field_validator("modules")
    @classmethod
    def _known_modules(cls, v: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(v) - set(MODULES))
        if unknown:
            raise ValueError(f"unknown modules {unknown}; the switchable modules are {list(MODULES)}")
        return v

    @field_validator("disaggregations")
    @classmethod
    def _known_disaggregations(cls, v: list[str]) -> list[str]:
        known = [x.name for x in TABLES["respondent"].variables if not x.pii and x.kind != "id"] + list(GROUPINGS)
        unknown = [d for d in v if d not in known]
        if unknown:
            raise ValueError(f"unknown disaggregations {unknown}: use respondent variables that are not identifying "
                             f"(e.g. sex, area, education) or {', '.join(GROUPINGS)}")
        if len(set(v)) < len(v):
            raise ValueError("a disaggregation is listed twice")
        return v

    @field_validator("emphasis")
    @classmethod
    def _known_chapters(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - set(CHAPTER_KEYS))
        if unknown:
            raise ValueError(f"unknown chapters {unknown}; chapters are {list(CHAPTER_KEYS)}")
        return v

    @field_validator("headline", "comparison")
    @classmethod
    def _known_indicators(cls, v: list[str] | dict) -> list[str] | dict:
        check_indicator_ids(v)
        return v

    def module_on(self, module: str | None) -> bool:
        return module is None or self.modules.get(module, True)

    def comparison_levels(self) -> dict[str, tuple[float, float]]:
        """``comparison`` as ``{indicator: (level, its SE)}`` (a bare number: a level without sampling error)."""
        return {k: (v, 0.0) if isinstance(v, float | int) else (v.estimate, v.se) for k, v in self.comparison.items()}


class ComparisonParams(ReportParams):
    """A cross-city comparison: the reports it reads and the indicators it sets side by side."""

    reports: list[str] = Field(min_length=1)
    indicators: list[str] = Field(min_length=1)

    @field_validator("indicators")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        check_indicator_ids(v)
        return v


def load_params(report_or_path: str | Path) -> CityParams | ComparisonParams:
    """Read and validate ``params/<report>.yaml`` (or a path): a comparison when it lists ``reports``.

    Raises
    ------
    ParamsError
        Naming the file, the key and what is wrong (unknown key, wrong type, YAML surprise).
    """
    path = Path(report_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = params_path(str(report_or_path))
    data = read_yaml_mapping(path, ParamsError, "params", parse=strict_yaml)
    model = ComparisonParams if "reports" in data else CityParams
    return validate_model(data, model, ParamsError, relative(path), "params")
