"""The context chapter's numbers: population tables, the adult profile and recorded-offence rates.

Population comes from the city's census table (five-year groups by sex and
sub-area); offence rates divide recorded counts by that population and carry
exact Poisson (Garwood) intervals; the national homicide comparison reads the
cited national figures in ``data/context/homicide_rates.csv``.

Examples
--------
>>> import pandas as pd
>>> pop = pd.DataFrame({"area": ["a", "a", "b"], "sex": ["male", "female", "male"],
...                     "age_group": ["0-4", "0-4", "5-9"], "population": [10, 12, 5]})
>>> population_by(pop, "sex")[["sex", "population"]].to_dict("records")
[{'sex': 'female', 'population': 12}, {'sex': 'male', 'population': 15}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ingest.clean import CleanTables
from ..ingest.schema import AGE_BANDS, POP_AGE_GROUPS
from ..paths import project_root
from .crime import add_time_parts, map_iccs, rates
from .qualitative import sessions_by
from .quality import QualityRules
from .shares import scale_shares
from .survey import SurveyDesign

HOMICIDE_CODE = "0101"


def population_by(pop: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Population and share of the total by one or more columns."""
    out = pop.groupby(by, observed=True)["population"].sum().reset_index()
    out["share"] = out["population"] / out["population"].sum()
    return out


def population_by_age_and_area(pop: pd.DataFrame) -> pd.DataFrame:
    """TAB-CTX-01: men, women and all residents by five-year age group (census order), then by sub-area.

    Returns ``dimension`` (``age_group`` or ``area``), ``group``, ``male``, ``female``, ``total``.
    """
    by_age = population_table(pop).rename(columns={"age_group": "group"}).assign(dimension="age_group")
    by_area = pop.pivot_table(index="area", columns="sex", values="population", aggfunc="sum", fill_value=0)
    by_area = by_area.reindex(columns=["male", "female"], fill_value=0).astype(int)
    by_area["total"] = by_area["male"] + by_area["female"]
    by_area = by_area.reset_index().rename(columns={"area": "group"}).assign(dimension="area")
    return pd.concat([by_age, by_area], ignore_index=True)[["dimension", "group", "male", "female", "total"]]


def data_volumes(tables: CleanTables) -> pd.DataFrame:
    """TAB-MET-01: the data each tool collected: interviews kept, the response rate (the codebook's),
    police records, crimes of a crime module, and qualitative sessions by method and stakeholder group.

    Returns ``tool, detail, value`` (the response rate as a fraction; missing when not recorded).
    """
    rows = [{"tool": "survey", "detail": "", "value": float(tables.logs["respondent"].rows_kept)}]
    rr = tables.codebook.survey.response_rate
    rows.append({"tool": "response_rate", "detail": "", "value": np.nan if rr is None else rr})
    if tables.tables.get("incident") is not None:
        rows.append({"tool": "incident", "detail": "", "value": float(len(tables["incident"]))})
    if "crime" in tables.logs:
        rows.append({"tool": "crime_module", "detail": "", "value": float(tables.logs["crime"].rows_kept)})
    if tables.tables.get("qualitative") is not None:
        for r in sessions_by(tables["qualitative"], ["method", "stakeholder_group"]).itertuples():
            rows.append({"tool": r.method, "detail": r.stakeholder_group, "value": float(r.sessions)})
    return pd.DataFrame(rows)


def population_table(pop: pd.DataFrame) -> pd.DataFrame:
    """TAB-CTX-01: population by five-year age group and sex (columns male, female, total), census order."""
    wide = pop.pivot_table(index="age_group", columns="sex", values="population", aggfunc="sum", fill_value=0)
    wide = wide.reindex([g for g in POP_AGE_GROUPS if g in wide.index])
    for s in ("male", "female"):
        if s not in wide:
            wide[s] = 0
    wide = wide[["male", "female"]].astype(int)
    wide["total"] = wide["male"] + wide["female"]
    return wide.reset_index()


def adult_population(pop: pd.DataFrame) -> pd.DataFrame:
    """Adults (18+) of the census table by sex, SDG age band and sub-area.

    The 15-19 group is split 2/5 into 18-19 (uniform years within the five-year group), the
    convention the sample profile states in its caption.
    """
    lo = pop["age_group"].str.extract(r"^(\d+)")[0].astype(int)
    adult = pop[lo >= 15].copy()
    lo = lo[lo >= 15]
    adult["population"] = np.where(lo == 15, adult["population"] * 2 / 5, adult["population"]).astype(float)
    bands = [(b, a, z) for b, a, z in AGE_BANDS]

    def band(start: int) -> str:
        start = max(start, 18)
        return next(b for b, a, z in bands if a <= start <= z)

    adult["age_group"] = [band(int(v)) for v in lo]
    return adult


def sample_profile(resp: pd.DataFrame, pop: pd.DataFrame | None, dims: list[str]) -> pd.DataFrame:
    """TAB-MET-02: unweighted, weighted and census shares of adults by each dimension.

    Returns ``dimension, level, n, unweighted, weighted, census`` (shares as fractions; census empty
    where no population table was supplied).
    """
    adult = adult_population(pop) if pop is not None else None
    frames = []
    for d in dims:
        g = resp.groupby(d, observed=True)
        t = pd.DataFrame({"n": g.size(), "weighted": g["weight"].sum()})
        t["unweighted"] = t["n"] / t["n"].sum()
        t["weighted"] = t["weighted"] / t["weighted"].sum()
        if adult is not None and d in adult:
            c = adult.groupby(d, observed=True)["population"].sum()
            t["census"] = (c / c.sum()).reindex(t.index)
        else:
            t["census"] = np.nan
        frames.append(t.rename_axis("level").reset_index().assign(dimension=d))
    out = pd.concat(frames, ignore_index=True)
    return out[["dimension", "level", "n", "unweighted", "weighted", "census"]]


def socioeconomic_profile(design: SurveyDesign, variables: dict[str, tuple[str, ...]],
                          rules: QualityRules | None = None) -> pd.DataFrame:
    """TAB-CTX-02: weighted distribution of each profile variable over its codes (design-based CIs)."""
    frames = [scale_shares(design, var, codes, rules=rules).assign(variable=var)
              for var, codes in variables.items() if var in design.data]
    out = pd.concat(frames, ignore_index=True).rename(columns={"item": "code"})
    return out[["variable", "code", "estimate", "se", "ci_low", "ci_high", "cv", "n", "flag"]]


def offences(incidents: pd.DataFrame, iccs: pd.DataFrame) -> pd.DataFrame:
    """Incident records with ICCS section and time parts (year, month, hour, weekday)."""
    mapped, _ = map_iccs(incidents, iccs)
    return add_time_parts(mapped)


def rates_by_section(records: pd.DataFrame, population: float) -> pd.DataFrame:
    """FIG-CTX-02: recorded offences per 100,000 by ICCS section and year (exact Poisson CIs)."""
    return rates(records, population, ["iccs_section", "year"])


def homicide_comparison(records: pd.DataFrame, population: float | pd.Series, country: str | None) -> pd.DataFrame:
    """FIG-CTX-03: homicide rate per 100,000 by year, for the area (computed) and the country (cited).

    ``population`` is the residents, or the person-years by year (a year counted in part).

    Returns ``level, name, year, count, rate, ci_low, ci_high, source``; cited rows carry no count
    and no interval.
    """
    hom = records[records["iccs_code"].str.startswith(HOMICIDE_CODE)]
    years = sorted(records["year"].unique())
    area = rates(hom.assign(year=pd.Categorical(hom["year"], categories=years)), population, ["year"])
    area["year"] = area["year"].astype(int)
    area = area.assign(level="area", name="", source="recorded offences / census population")
    frames = [area[["level", "name", "year", "count", "rate", "ci_low", "ci_high", "source"]]]
    if country:
        path = project_root() / "data" / "context" / "homicide_rates.csv"
        if not path.exists():
            raise FileNotFoundError(f"{path.name}: the cited national homicide rates (data/context/) are missing; "
                                    f"restore the file or remove 'country' from params")
        facts = pd.read_csv(path, dtype={"year": int})
        nat = facts[(facts["iso3"] == country) & facts["year"].isin(years)]
        frames.append(pd.DataFrame({"level": nat["level"], "name": nat["name"], "year": nat["year"],
                                    "count": np.nan, "rate": nat["rate_per_100k"], "ci_low": np.nan,
                                    "ci_high": np.nan, "source": nat["source"]}))
    return pd.concat(frames, ignore_index=True)


def rates_by_area(records: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    """FIG-CTX-05: recorded offences per 100,000 residents per year, by sub-area (exact Poisson CIs)."""
    years = records["year"].nunique()
    per_area = pop.groupby("area")["population"].sum() * years
    out = rates(records, per_area, ["area"])
    return out.sort_values("rate", ascending=False, kind="stable").reset_index(drop=True)
