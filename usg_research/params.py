"""City parameters (``params/<city>.yaml``): a strict schema, read with a strict YAML loader.

Papermill injects parameter *names* into the notebook unchecked and passes
``bytes`` values unescaped, so a params file could run code. We therefore never
hand a user's YAML to papermill: :func:`load_params` reads it with a safe loader
that also refuses YAML 1.1 surprises (``no`` read as False, ``0123`` read as
83), validates it with a pydantic model (unknown keys and wrong types are
errors), and :func:`check_against_notebook` requires the notebook to declare
exactly one ``parameters`` cell whose names are the ones injected.

Examples
--------
>>> p = load_params("mathare")
>>> p.language, p.quality.n_min
('en', 30)
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import ParamsError
from .estimate.indicators import check_indicator_ids
from .estimate.survey import LonelyPSU
from .outline import CHAPTERS, MODULES
from .paths import params_path, relative
from .yamlfile import read_yaml_model

_BOOL_WORDS = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses scalars YAML 1.1 would silently reinterpret."""


def _scalar(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is None:  # plain (unquoted) scalars only
        if _BOOL_WORDS.match(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"{value!r} would be read as a boolean; write true/false, or quote it as a string",
                node.start_mark)
        if _LEADING_ZERO.match(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"{value!r} has a leading zero (YAML 1.1 reads it as octal); quote it or drop the zero",
                node.start_mark)
    return loader.construct_scalar(node)


for _tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"):
    _original = _StrictLoader.yaml_constructors[_tag]

    def _checked(loader: _StrictLoader, node: yaml.ScalarNode, _orig=_original) -> Any:
        _scalar(loader, node)
        return _orig(loader, node)

    _StrictLoader.add_constructor(_tag, _checked)


def _no_binary(loader: _StrictLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(None, None, "!!binary values are not allowed in params",
                                            node.start_mark)


_StrictLoader.add_constructor("tag:yaml.org,2002:binary", _no_binary)


def strict_yaml(text: str) -> Any:
    """Parse YAML with the strict loader.

    Examples
    --------
    >>> strict_yaml("a: 'no'")
    {'a': 'no'}
    >>> strict_yaml("a: no")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: 'no' would be read as a boolean; write true/false, or quote it as a string
    ...
    """
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass


class Quality(BaseModel):
    """Reliability thresholds (STATISTICS.md defaults)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    cv_reliable: float = 0.15
    cv_suppress: float = 0.30
    n_min: int = 30


class ReportParams(BaseModel):
    """What every report's params share: strict keys and types, a cell timeout, the injected values."""

    model_config = ConfigDict(extra="forbid", strict=True)
    timeout: int = 600

    def notebook_parameters(self, report: str) -> dict[str, Any]:
        """The values injected into the notebook (plain str/int/float/bool/list/dict only).

        ``report`` is the name of the build (the params file's stem, e.g. ``iztapalapa-en``): the
        folder under ``outputs/`` and the key of its manifest.
        """
        data = {"report": report, **self.model_dump(exclude={"timeout"})}
        _check_plain(data)
        return data


class DataSource(BaseModel):
    """A public survey read through an adapter instead of a codebook (e.g. INEGI's ENVIPE).

    ``data`` is the folder of the survey's files, relative to the project root (a user who downloads the
    full microdata points it there); the report covers the residents of ``municipality`` of ``entity``, with
    the entity and the nation as comparison domains. ``census`` holds the cited census populations.
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    adapter: Literal["envipe2021"]
    data: str
    entity: str = Field(pattern=r"^[0-9]{2}$")
    municipality: str = Field(pattern=r"^[0-9]{3}$")
    census: str = "data/census/inegi_census2020_population.csv"


class CityParams(ReportParams):
    """Everything a city notebook needs to know about its city."""
    city: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    language: Literal["en", "es", "ru"] = "en"
    seed: int = 0
    lonely_psu: LonelyPSU = "fail"
    quality: Quality = Field(default_factory=Quality)
    disaggregations: list[str] = Field(default_factory=lambda: ["sex", "age_group", "area"])
    headline: list[str] = Field(default_factory=lambda: [
        "SAFE_NIGHT_WALK", "VICT_ANY_12M", "VIOL_PHYS_12M", "REPORT_ANY", "TRUST_POLICE", "BRIBE_PREV",
        "SAT_SERV_HEALTH", "INCL_DECISION"])
    modules: dict[str, bool] = Field(default_factory=dict)
    emphasis: list[str] = Field(default_factory=list)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    comparison: dict[str, float] = Field(default_factory=dict)
    comparison_source: str = ""
    source: DataSource | None = None

    def notebook_parameters(self, report: str) -> dict[str, Any]:
        """As :meth:`ReportParams.notebook_parameters`; ``source`` only for reports that have one."""
        data = super().notebook_parameters(report)
        if data.get("source") is None:
            data.pop("source", None)
        return data

    @field_validator("modules")
    @classmethod
    def _known_modules(cls, v: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(v) - set(MODULES))
        if unknown:
            raise ValueError(f"unknown modules {unknown}; the switchable modules are {list(MODULES)}")
        return v

    @field_validator("emphasis")
    @classmethod
    def _known_chapters(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - {c.key for c in CHAPTERS})
        if unknown:
            raise ValueError(f"unknown chapters {unknown}; chapters are {[c.key for c in CHAPTERS]}")
        return v

    @field_validator("headline", "comparison")
    @classmethod
    def _known_indicators(cls, v: list[str] | dict[str, float]) -> list[str] | dict[str, float]:
        check_indicator_ids(v)
        return v


def _check_plain(value: Any, where: str = "params") -> None:
    if isinstance(value, bool | int | float | str) or value is None:
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not k.isidentifier() or keyword.iskeyword(k):
                raise ParamsError(f"{where}: key {k!r} is not a valid Python identifier")
            _check_plain(v, f"{where}.{k}")
        return
    raise ParamsError(f"{where}: values of type {type(value).__name__} are not allowed")


def load_params(city_or_path: str | Path) -> CityParams:
    """Read and validate ``params/<city>.yaml`` (or a path).

    Raises
    ------
    ParamsError
        Naming the file, the key and what is wrong (unknown key, wrong type, YAML surprise).
    """
    path = Path(city_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = params_path(str(city_or_path))
    return read_yaml_model(path, CityParams, ParamsError, "params", parse=strict_yaml)


def check_against_notebook(params: CityParams, notebook: Path, report: str) -> dict[str, Any]:
    """Check the notebook has exactly one ``parameters`` cell declaring exactly the injected names.

    Returns the parameters to inject.
    """
    import nbformat
    import papermill as pm

    nb = nbformat.read(notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    name = relative(notebook)
    if len(tagged) != 1:
        raise ParamsError(f"{name}: needs exactly one cell tagged 'parameters', found {len(tagged)}")
    declared = set(pm.inspect_notebook(str(notebook)))
    values = params.notebook_parameters(report)
    missing, extra = sorted(declared - set(values)), sorted(set(values) - declared)
    if missing or extra:
        raise ParamsError(f"{name}: parameters cell and params differ: not in params {missing}, "
                          f"not declared by the notebook {extra}")
    return values
