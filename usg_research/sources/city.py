"""A city's own exports as a report's source: the files its codebook names, read, validated and cleaned.

The city's codebook (``data/codebooks/<city>.yaml``) maps its exports in ``data/raw/<city>/`` onto
the canonical schema; the offence-to-ICCS table sits beside it (``<city>_iccs.csv``).

Examples
--------
>>> src = CitySource("mathare")
>>> [p.name for p in src.input_files()][:2]
['mathare.yaml', 'mathare_iccs.csv']
>>> src.missing() is None, src.load()["respondent"].shape[0] > 1000
(True, True)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..ingest.clean import CleanTables, clean_city
from ..ingest.codebook import TABLE_KEYS, read_codebook, read_iccs_map
from ..paths import codebook_path, iccs_map_path, raw_dir, relative


class CitySource:
    """The exports of one city, mapped by its codebook (see the module docstring)."""

    kind = "codebook"

    def __init__(self, city: str):
        self.city = city
        self.codebook_file = codebook_path(city)

    def input_files(self) -> list[Path]:
        files = [self.codebook_file]
        if iccs_map_path(self.codebook_file).exists():
            files.append(iccs_map_path(self.codebook_file))
        if self.codebook_file.exists():
            cb = read_codebook(self.codebook_file)
            files += [raw_dir(self.city) / getattr(cb, key).file for key in TABLE_KEYS
                      if getattr(cb, key) is not None]
        return files

    def missing(self) -> str | None:
        if not self.codebook_file.exists():
            return f"{relative(self.codebook_file)} not found (usg-research new-city sets a city up)"
        return None

    def load(self) -> CleanTables:
        return clean_city(self.city)

    def frame(self) -> pd.DataFrame | None:
        return None  # the city's survey is the whole design

    def iccs_map(self) -> pd.DataFrame:
        path = iccs_map_path(self.codebook_file)
        return read_iccs_map(path) if path.exists() else pd.DataFrame({"offence": [], "iccs_code": []})

    def not_read(self, names: list[str]) -> list[tuple[str | None, list[str]]]:
        return [(None, list(names))] if names else []  # the city's survey did not ask them
