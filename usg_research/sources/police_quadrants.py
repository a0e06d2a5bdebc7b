"""Mexico City police-recorded crime by police quadrant (SSP-DF, January 2013 to September 2015).

The Secretaría de Seguridad Pública del Distrito Federal's monthly counts of 19 high-impact crime
types for each police quadrant (*cuadrante*), with the quadrant's resident population (2010 census,
aggregated to quadrants), as compiled by Diego Valle-Jones for hoyodecrimen.com
(``../shared/data/ssp_cdmx_cuadrantes_2013_2015/``, PROVENANCE.md there). These are crimes recorded
by the police, not the prosecutors' *carpetas de investigación*; the quadrants are the 2014 set.

:func:`read_quadrant_counts` reads the file where it is, checks it (file, column, row and value named
on any defect) and maps each crime type to ICCS with the table in ``data/context/ssp_cdmx_iccs.csv``.

Examples
--------
>>> iccs_table().set_index("crime").loc[["HOMICIDIO DOLOSO", "VIOLACION"], "iccs_code"].tolist()
['0101', '03011']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LoadError
from ..ingest.delimited import read_csv_text
from ..paths import project_root, relative

#: The counts file of Iztapalapa's 134 quadrants, in the data folder.
COUNTS_FILE = "cuadrantes_iztapalapa_2013_2015.csv"
COLUMNS = ("cuadrante", "crime", "date", "count", "year", "sector", "population")
#: What the counts are, for every output built from them.
SOURCE_NOTE = {
    "en": "SSP-DF police-recorded crimes by quadrant (not FGJ carpetas), Jan 2013-Sep 2015; hoyodecrimen.com",
    "es": "Delitos registrados por la policía (SSP-DF) por cuadrante (no carpetas de la FGJ), ene 2013-sep 2015; "
          "hoyodecrimen.com",
    "ru": "Преступления, зарегистрированные полицией (SSP-DF) по квадрантам (не дела FGJ), янв. 2013 - сент. 2015; "
          "hoyodecrimen.com",
}


def iccs_table() -> pd.DataFrame:
    """The 19 crime types of the police counts with their ICCS codes (``crime, iccs_code, note``)."""
    return pd.read_csv(project_root() / "data" / "context" / "ssp_cdmx_iccs.csv", dtype=str, keep_default_na=False)


@dataclass
class QuadrantCounts:
    """Police-recorded crimes per quadrant, crime type and month.

    ``counts``: one row per quadrant, crime type and month (``quadrant, sector, crime, iccs_code,
    iccs_section, month`` as YYYY-MM, ``year``, ``count``). ``quadrants``: one row per quadrant
    (``quadrant, sector, population``). ``period``: the first and last month.
    """

    file: str
    counts: pd.DataFrame
    quadrants: pd.DataFrame
    period: tuple[str, str]

    @property
    def years(self) -> float:
        """The period's length in years (33 months: 2.75), the denominator of rates per year."""
        return float(self.months_by_year().sum()) / 12

    @property
    def total(self) -> int:
        """Crimes recorded in the period."""
        return int(self.counts["count"].sum())

    def months_by_year(self) -> pd.Series:
        """The months each year of the period covers (a last year counted to September: 9)."""
        months = pd.period_range(self.period[0], self.period[1], freq="M")
        return pd.Series(months.year, dtype=int).value_counts().sort_index().rename("months")

    def records(self) -> pd.DataFrame:
        """One row per recorded crime (``quadrant, sector, crime, iccs_code, iccs_section, month, year``), for
        the functions that count records."""
        c = self.counts
        return c.loc[c.index.repeat(c["count"])].drop(columns="count").reset_index(drop=True)

    def population(self, by: str = "quadrant") -> pd.Series:
        """Residents (2010 census) by ``quadrant`` or ``sector``."""
        return self.quadrants.groupby(by, sort=True)["population"].sum()


def _integers(name: str, s: pd.Series, column: str) -> np.ndarray:
    values = pd.to_numeric(s.astype(str), errors="coerce")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise LoadError(name, f"row {row + 1}: {s.iloc[row]!r} is not a count (a whole number, 0 or more)",
                        line=row + 2, column=column)
    return values.to_numpy(dtype=np.int64)


def read_quadrant_counts(folder: str | Path) -> QuadrantCounts | None:
    """Read the police counts by quadrant from ``folder`` (None when the folder or its file is absent).

    Raises
    ------
    LoadError
        Naming the file, column, line and value: a missing column, a count or population that is not a
        whole number, a date that is not a month's first day or disagrees with ``year``, a quadrant whose
        population or sector changes between rows, a crime type with no ICCS code.
    """
    path = Path(folder) / COUNTS_FILE
    if not path.is_file():
        return None
    name = relative(path)
    raw = read_csv_text(path, encoding="utf-8", delimiter=",")
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise LoadError(name, f"the columns {missing} are missing (expected {', '.join(COLUMNS)})", line=1)
    count = _integers(name, raw["count"], "count")
    population = _integers(name, raw["population"], "population")
    date = pd.to_datetime(raw["date"].astype(str), format="%Y-%m-%d", errors="coerce")
    bad = date.isna() | (date.dt.day != 1) | (date.dt.year.astype("Int64").astype(str) != raw["year"].astype(str))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise LoadError(name, f"row {row + 1}: date {raw['date'].iloc[row]!r} is not the first day of a month "
                              f"of year {raw['year'].iloc[row]!r}", line=row + 2, column="date")
    df = pd.DataFrame({"quadrant": raw["cuadrante"].astype(str), "sector": raw["sector"].astype(str),
                       "crime": raw["crime"].astype(str), "month": date.dt.strftime("%Y-%m"),
                       "year": date.dt.year.astype(int), "count": count, "population": population})
    per_quadrant = df.groupby("quadrant", sort=True).agg(sector=("sector", "nunique"),
                                                         population=("population", "nunique"))
    unstable = per_quadrant[(per_quadrant["sector"] > 1) | (per_quadrant["population"] > 1)]
    if len(unstable):
        q = unstable.index[0]
        raise LoadError(name, f"quadrant {q!r} has more than one sector or population in the file",
                        column="cuadrante")
    iccs = iccs_table()
    codes = dict(zip(iccs["crime"], iccs["iccs_code"], strict=True))
    unmapped = sorted(set(df["crime"]) - set(codes))
    if unmapped:
        raise LoadError(name, f"crime types {unmapped} have no ICCS code in data/context/ssp_cdmx_iccs.csv",
                        column="crime")
    df["iccs_code"] = df["crime"].map(codes)
    df["iccs_section"] = df["iccs_code"].str[:2]
    quadrants = (df.drop_duplicates("quadrant").sort_values("quadrant", kind="stable")
                 [["quadrant", "sector", "population"]].reset_index(drop=True))
    counts = df[["quadrant", "sector", "crime", "iccs_code", "iccs_section", "month", "year", "count"]]
    counts = counts.sort_values(["quadrant", "crime", "month"], kind="stable").reset_index(drop=True)
    return QuadrantCounts(name, counts, quadrants, (df["month"].min(), df["month"].max()))


__all__ = ["COUNTS_FILE", "SOURCE_NOTE", "QuadrantCounts", "iccs_table", "read_quadrant_counts"]
