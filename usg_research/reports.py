"""A report resolved once: its name, params, notebook, data source, and every file it depends on.

``resolve("iztapalapa-en")`` reads ``params/iztapalapa-en.yaml`` once and returns a
:class:`ReportSpec`; the build, the provenance record of its manifest and the notebook itself all
take that object instead of re-reading files. A report's name is its params file's stem and the
folder of its outputs; a city report runs ``notebooks/<city>.ipynb`` on its city's data (several
reports can share a notebook, e.g. one per language; params ``notebook:`` names another, e.g. the one
notebook of every state's ENVIPE report); a comparison (params with ``reports:``) runs
``notebooks/comparison.ipynb`` on the published tables of the reports it lists.

The input hash covers the notebook, the params, the source's files (codebook, raw exports, ICCS
table; or a public survey's tables), the cited context facts, the library's code and, for a
comparison, the tables it reads: a report whose hash equals its manifest's is up to date.

Examples
--------
>>> spec = resolve("mathare")
>>> spec.city, spec.notebook.name, spec.is_comparison
('mathare', 'mathare.ipynb', False)
>>> sorted(spec.input_files())[:2]
['data/codebooks/mathare.yaml', 'data/codebooks/mathare_iccs.csv']
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ParamsError, USGAError
from .params import CityParams, ComparisonParams, DataSource, load_params
from .paths import outputs_dir, params_path, project_root
from .sources.base import Source
from .sources.city import CitySource
from .sources.envipe import EnvipeSource
from .sources.police_quadrants import COUNTS_FILE

#: A report's name: it becomes a file name, a folder and a manifest key.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,59}")  # whole names only (fullmatch)
#: The notebook every comparison report runs.
COMPARISON_NOTEBOOK = "comparison"
#: The packages whose versions a manifest records.
VERSIONED = ("numpy", "pandas", "scipy", "matplotlib", "seaborn", "pingouin", "papermill", "nbconvert")


@dataclass
class ReportSpec:
    """One report, resolved: see the module docstring."""

    name: str
    params: CityParams | ComparisonParams
    params_file: Path
    notebook: Path
    _source: Source | None = field(default=None, repr=False)

    @property
    def is_comparison(self) -> bool:
        return isinstance(self.params, ComparisonParams)

    @property
    def city(self) -> str | None:
        """The city whose data the report reads (None for a comparison)."""
        return None if self.is_comparison else self.params.city  # type: ignore[union-attr]

    @property
    def source(self) -> Source:
        """The report's data source (a codebook city or a public survey's adapter); opened once, lazily."""
        if self.is_comparison:
            raise USGAError(f"{self.name}: a comparison report reads published tables, not a data source")
        if self._source is None:
            p: CityParams = self.params  # type: ignore[assignment]
            self._source = open_source(p.city, p.source)
        return self._source

    @property
    def depends_on(self) -> list[str]:
        """The reports whose published tables this one reads (a comparison's ``reports``)."""
        return list(self.params.reports) if self.is_comparison else []  # type: ignore[union-attr]

    def missing(self) -> str | None:
        """Why the report cannot be built here (its source's data are absent), or None."""
        return None if self.is_comparison else self.source.missing()

    def input_files(self, out_root: Path | None = None) -> dict[str, str]:
        """Every file the report depends on: path relative to the project root -> sha256 (sorted)."""
        root = project_root()
        paths = [self.notebook, self.params_file]
        if not self.is_comparison:
            paths += self.source.input_files() + sorted((root / "data" / "context").glob("*.csv"))
            rc = self.params.recorded_crime  # type: ignore[union-attr]
            if rc is not None:  # read where they are, like a public survey's folder
                paths += [root / rc.data / COUNTS_FILE] + ([root / rc.boundaries] if rc.boundaries else [])
        out = {}
        for name in self.depends_on:
            table = (Path(out_root) if out_root else outputs_dir()) / name / "tables" / "TAB-ANX-01.csv"
            if table.exists():
                out[f"outputs/{name}/tables/TAB-ANX-01.csv"] = _sha256(table)
        for p in paths:
            if p.is_file():  # files outside the project (a public survey's folder) as ../ paths, never absolute
                out[Path(os.path.relpath(p, root)).as_posix()] = _sha256(p)
        package = Path(__file__).resolve().parent  # the library that runs, wherever it is installed
        for p in sorted(package.rglob("*")):
            if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts:
                out[f"usg_research/{p.relative_to(package).as_posix()}"] = _sha256(p)
        return dict(sorted(out.items()))

    def input_hash(self, out_root: Path | None = None) -> str:
        """One hash over the paths and contents of :meth:`input_files`."""
        return hash_files(self.input_files(out_root))


def open_source(city: str, adapter: DataSource | None) -> Source:
    """The data source of ``city``: its codebook, or the public survey's adapter that params ``source:``
    names (its ``data`` folder relative to the project root). Opening reads nothing yet.

    Examples
    --------
    >>> open_source("mathare", None).kind
    'codebook'
    """
    if adapter is None:
        return CitySource(city)
    root = project_root()
    return EnvipeSource(root / adapter.data, adapter.entity, adapter.municipality, census=root / adapter.census)


def hash_files(files: dict[str, str]) -> str:
    """The input hash of a ``path -> sha256`` mapping."""
    return hashlib.sha256("".join(f"{k}:{v}\n" for k, v in files.items()).encode()).hexdigest()


def inputs_record(spec: ReportSpec, files: dict[str, str]) -> dict[str, Any]:
    """The ``inputs`` block of a manifest: input hash, files, the params as read, package versions."""
    versions = {"usg-research": __version__}
    for pkg in VERSIONED:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[pkg] = "not installed"
    return {"input_hash": hash_files(files), "files": files,
            "params": spec.params.model_dump(mode="json", exclude_none=True), "versions": versions}


def resolve(name: str) -> ReportSpec:
    """Resolve a report by name (the stem of ``params/<name>.yaml``).

    Raises
    ------
    ParamsError
        When the name is not a valid report name, or its params file does not load.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise ParamsError(f"{name!r} is not a report name: lower-case letters, digits, - and _, "
                          "starting with a letter (the stem of its params/<name>.yaml)")
    params = load_params(name)
    stem = params.notebook or (COMPARISON_NOTEBOOK if isinstance(params, ComparisonParams) else params.city)
    return ReportSpec(name, params, params_path(name), project_root() / "notebooks" / f"{stem}.ipynb")


def report_names() -> list[str]:
    """Every report with a params file (sorted by name; :func:`usg_research.run.build.order` puts the
    reports that read others after them)."""
    return sorted(p.stem for p in (project_root() / "params").glob("*.yaml"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
