"""The one place that resolves project paths (no hard-coded paths elsewhere).

The project root is ``$USG_RESEARCH_ROOT`` when set, else the folder holding
the installed ``usg_research`` package when it has a ``params/`` folder (a
checkout), else the current directory.

Examples
--------
>>> codebook_path("mathare").name
'mathare.yaml'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Set by ``usg-research build`` for the notebook kernel: the folder a report is built in, and how many
#: helper processes render its figures.
BUILD_DIR_ENV, FIGURE_WORKERS_ENV = "USG_RESEARCH_BUILD_DIR", "USG_RESEARCH_FIGURE_WORKERS"


def project_root() -> Path:
    """The project root folder (see the module docstring)."""
    env = os.environ.get("USG_RESEARCH_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "params").is_dir():
        return here
    return Path.cwd().resolve()


def data_dir() -> Path:
    return project_root() / "data"


def raw_dir(city: str) -> Path:
    return data_dir() / "raw" / city


def codebook_path(city: str) -> Path:
    return data_dir() / "codebooks" / f"{city}.yaml"


def iccs_map_path(codebook: Path) -> Path:
    """The offence-label -> ICCS table that sits beside a city's codebook (``<city>_iccs.csv``)."""
    return codebook.with_name(codebook.stem + "_iccs.csv")


def params_path(report: str) -> Path:
    return project_root() / "params" / f"{report}.yaml"


def outputs_dir() -> Path:
    """``$USG_RESEARCH_OUTPUTS`` when set (a build into another folder, e.g. verify), else ``outputs/``."""
    env = os.environ.get("USG_RESEARCH_OUTPUTS")
    return Path(env).resolve() if env else project_root() / "outputs"


def scratch_dir(report: str) -> Path:
    """Where a report notebook run by hand writes (never the project): ``$USG_RESEARCH_SCRATCH`` when set,
    else ``usg-research/<report>`` in the system's temporary folder."""
    base = os.environ.get("USG_RESEARCH_SCRATCH") or Path(tempfile.gettempdir()) / "usg-research"
    return Path(base).resolve() / report


def relative(path: Path | str) -> str:
    """``path`` relative to the project root when inside it (for messages and outputs)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(project_root()).as_posix()
    except ValueError:
        return p.as_posix()
