"""What every data source of a report provides: the one interface the layers above read.

A source is where a city report's data come from: a city's own exports mapped by its codebook
(:class:`~usg_research.sources.city.CitySource`), or a public survey read through an adapter
(:class:`~usg_research.sources.envipe.EnvipeSource`); :func:`usg_research.reports.open_source` opens the
one a report's params name. Each says which files it reads (for the input
hash), why it cannot be read here (absent data), and gives the clean canonical tables with their
cleaning logs, the frame of PSUs when its respondents are a domain of a larger survey, its
offence-to-ICCS table, and why it lacks what it lacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pandas as pd

from ..ingest.clean import CleanTables


class Source(Protocol):
    """A report's data source (see the module docstring)."""

    #: ``codebook`` (a city's own exports) or the adapter's name (``envipe2021``).
    kind: str

    def input_files(self) -> list[Path]:
        """The files the source reads, for the report's input hash."""
        ...

    def missing(self) -> str | None:
        """Why the data cannot be read on this machine (a folder that is not there), or None."""
        ...

    def load(self) -> CleanTables:
        """The clean canonical tables (``respondent`` at least) and their cleaning logs."""
        ...

    def frame(self) -> pd.DataFrame | None:
        """Every sampled PSU (``stratum``, ``psu``) when the respondents are one domain of a larger survey."""
        ...

    def iccs_map(self) -> pd.DataFrame:
        """The offence label -> ICCS code table (columns ``offence, iccs_code``; empty when none)."""
        ...

    def not_read(self, names: list[str]) -> list[tuple[str | None, list[str]]]:
        """Why the source gives none of ``names`` (canonical variables, indicator ids or ``table:<name>``):
        ``(reason, names)`` groups in order, ``reason`` a key the report words (``not_read:<kind>:<reason>``)
        or None where the source knows no more than that its data lack them."""
        ...
