"""Administrative (police-recorded) incident data: ICCS mapping, rates per 100,000 with exact CIs,
trends, and the hour-of-day by day-of-week pattern.

Rates use exact Poisson (Garwood) confidence intervals on the count; every
offence label is mapped to an ICCS level-1 section through the city's mapping
table, and labels with no mapping are kept as ``unmapped`` and reported,
never dropped.

Examples
--------
>>> [round(float(x), 3) for x in garwood_ci(10)]
[4.795, 18.39]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: ICCS v1.0 (UNODC 2015) level-1 sections.
ICCS_SECTIONS: dict[str, dict[str, str]] = {
    "01": {"en": "Acts leading to death", "es": "Actos que causan la muerte", "ru": "Деяния, повлёкшие смерть"},
    "02": {"en": "Acts causing harm to the person", "es": "Actos que causan daño a la persona",
           "ru": "Деяния, причиняющие вред личности"},
    "03": {"en": "Injurious acts of a sexual nature", "es": "Actos lesivos de naturaleza sexual",
           "ru": "Деяния сексуального характера"},
    "04": {"en": "Property crime with violence", "es": "Delitos contra la propiedad con violencia",
           "ru": "Имущественные преступления с насилием"},
    "05": {"en": "Acts against property only", "es": "Actos contra la propiedad", "ru": "Деяния против имущества"},
    "06": {"en": "Drug offences", "es": "Delitos relacionados con drogas",
           "ru": "Преступления, связанные с наркотиками"},
    "07": {"en": "Fraud, deception or corruption", "es": "Fraude, engaño o corrupción",
           "ru": "Мошенничество, обман или коррупция"},
    "08": {"en": "Public order offences", "es": "Actos contra el orden público",
           "ru": "Нарушения общественного порядка"},
    "09": {"en": "Public safety and state security", "es": "Seguridad pública y del Estado",
           "ru": "Общественная и государственная безопасность"},
    "10": {"en": "Acts against the natural environment", "es": "Actos contra el medio ambiente",
           "ru": "Деяния против окружающей среды"},
    "11": {"en": "Other criminal acts", "es": "Otros actos delictivos", "ru": "Прочие преступные деяния"},
    "unmapped": {"en": "Not mapped to ICCS", "es": "Sin correspondencia ICCS", "ru": "Без соответствия МКП"},
}


def garwood_ci(count: float | np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) Poisson confidence interval for a count.

    Examples
    --------
    >>> lo, hi = garwood_ci(0)
    >>> float(lo), round(float(hi), 4)
    (0.0, 3.6889)
    """
    k = np.asarray(count, dtype=float)
    a = 1 - level
    lo = np.where(k > 0, stats.chi2.ppf(a / 2, 2 * k) / 2, 0.0)
    hi = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    return lo, hi


def map_iccs(incidents: pd.DataFrame, mapping: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``iccs_code`` and ``iccs_section`` (level 1) to incident records.

    Returns the records (every one kept; unmapped labels get section ``unmapped``) and a table of
    unmapped labels with their record counts.

    Examples
    --------
    >>> inc = pd.DataFrame({"offence": ["Robo", "Robo", "Otro"]})
    >>> out, unmapped = map_iccs(inc, pd.DataFrame({"offence": ["Robo"], "iccs_code": ["0401"]}))
    >>> out["iccs_section"].tolist(), unmapped.to_dict("records")
    (['04', '04', 'unmapped'], [{'offence': 'Otro', 'records': 1}])
    """
    codes = dict(zip(mapping["offence"], mapping["iccs_code"], strict=True))
    out = incidents.copy()
    code = out["offence"].astype(str).map(codes).fillna("")
    out["iccs_code"] = code
    out["iccs_section"] = np.where(code.str.len() >= 2, code.str[:2], "unmapped")
    um = out.loc[out["iccs_section"] == "unmapped", "offence"].value_counts().rename("records")
    unmapped = um.rename_axis("offence").reset_index().sort_values(["records", "offence"], ascending=[False, True])
    return out, unmapped.reset_index(drop=True)


def rates(incidents: pd.DataFrame, population: float | pd.Series, by: list[str], level: float = 0.95,
          per: float = 1e5, count: str | None = None) -> pd.DataFrame:
    """Counts and rates per ``per`` population with exact Poisson CIs, by the given columns.

    ``population`` is a number (one denominator) or a Series indexed by the first ``by`` column
    (e.g. population per area). Combinations with no record appear with count 0. Each row is one
    record, or, with ``count``, the name of a column holding each row's count (aggregated data).

    Examples
    --------
    >>> inc = pd.DataFrame({"year": [2020, 2020, 2021]})
    >>> rates(inc, 10_000, ["year"])[["year", "count", "rate"]].to_dict("records")
    [{'year': 2020, 'count': 2, 'rate': 20.0}, {'year': 2021, 'count': 1, 'rate': 10.0}]
    """
    grouped = incidents.groupby(by, observed=True)
    counts = grouped[count].sum() if count else grouped.size()
    full = pd.MultiIndex.from_product([sorted(incidents[c].dropna().unique()) for c in by], names=by)
    counts = counts.reindex(full, fill_value=0) if len(by) > 1 else counts.reindex(full.levels[0], fill_value=0)
    out = counts.rename("count").reset_index()
    pop = out[by[0]].map(population).astype(float) if isinstance(population, pd.Series) else float(population)
    out["population"] = pop
    lo, hi = garwood_ci(out["count"].to_numpy(), level)
    out["rate"] = out["count"] / out["population"] * per
    out["ci_low"] = lo / out["population"] * per
    out["ci_high"] = hi / out["population"] * per
    return out


def area_rates(counts: pd.DataFrame, population: pd.Series, by: str, years: float, level: float = 0.95
               ) -> pd.DataFrame:
    """Recorded crimes per 100,000 residents a year by area, with exact Poisson CIs, highest first.

    ``counts`` holds a ``count`` column and the area column ``by``; ``population`` the residents per area
    (indexed by area); ``years`` the length of the period. An area without residents (a market, a park)
    has no rate: ``no_population`` is True and the rate and its interval are missing.

    Examples
    --------
    >>> c = pd.DataFrame({"area": ["a", "a", "b", "c"], "count": [3, 2, 4, 1]})
    >>> t = area_rates(c, pd.Series({"a": 1000, "b": 0, "c": 500}), "area", years=2.0)
    >>> t[["area", "count", "population", "rate", "no_population"]].values.tolist()
    [['a', 5, 1000.0, 250.0, False], ['c', 1, 500.0, 100.0, False], ['b', 4, 0.0, nan, True]]
    """
    out = rates(counts, population.astype(float) * years, [by], level=level, count="count")
    out["population"] = out["population"] / years
    out["no_population"] = ~(out["population"] > 0)
    out.loc[out["no_population"], ["rate", "ci_low", "ci_high"]] = np.nan
    return out.sort_values(["rate", by], ascending=[False, True], na_position="last", kind="stable"
                           ).reset_index(drop=True)


def rates_by_year(counts: pd.DataFrame, population: float, months: pd.Series, by: list[str],
                  level: float = 0.95) -> pd.DataFrame:
    """Recorded crimes per 100,000 residents a year by year (and ``by``), with exact Poisson CIs, each year's
    denominator the residents times the share of the year counted (``months``: months counted by year).

    Examples
    --------
    >>> c = pd.DataFrame({"year": [2014, 2015], "section": ["04", "04"], "count": [12, 9]})
    >>> rates_by_year(c, 1000, pd.Series({2014: 12, 2015: 9}), ["section"])["rate"].tolist()
    [1200.0, 1200.0]
    """
    return rates(counts, population * months / 12, ["year", *by], level=level, count="count")


def monthly_rates(counts: pd.DataFrame, population: float, by: str = "crime", level: float = 0.95
                  ) -> pd.DataFrame:
    """Recorded crimes per 100,000 residents a year, month by month and by ``by``, with exact Poisson CIs: a
    month's rate is its count over the residents times 1/12, so months and years read on one scale. The
    ``by`` levels come most recorded first (ties by name), each with every month of the period.

    Examples
    --------
    >>> c = pd.DataFrame({"crime": ["x", "y", "y"], "month": ["2015-01", "2015-01", "2015-02"],
    ...                   "count": [1, 2, 4]})
    >>> t = monthly_rates(c, 12_000)
    >>> t[["crime", "month", "count", "rate"]].values.tolist()
    [['y', '2015-01', 2, 200.0], ['y', '2015-02', 4, 400.0], ['x', '2015-01', 1, 100.0], ['x', '2015-02', 0, 0.0]]
    """
    out = rates(counts, population / 12, [by, "month"], level=level, count="count")
    out["population"] = float(population)  # the residents (the rate's exposure is a twelfth of them)
    total = out.groupby(by, observed=True)["count"].sum()
    order = sorted(total.index, key=lambda k: (-total[k], k))
    out[by] = pd.Categorical(out[by], categories=order, ordered=True)
    out = out.sort_values([by, "month"], kind="stable").reset_index(drop=True)
    out[by] = out[by].astype(object)
    if "iccs_code" in counts.columns:  # the level's ICCS code, where the counts carry one
        out.insert(1, "iccs_code", out[by].map(counts.drop_duplicates(by).set_index(by)["iccs_code"]))
    return out


def totals_by_year(counts: pd.DataFrame, by: str = "crime") -> pd.DataFrame:
    """Recorded crimes by ``by`` (rows, in the order given) and year (columns), with a total row.

    Examples
    --------
    >>> c = pd.DataFrame({"crime": ["x", "x", "y"], "year": [2013, 2014, 2014], "count": [1, 2, 3]})
    >>> totals_by_year(c).to_dict("index")
    {'x': {2013: 1, 2014: 2}, 'y': {2013: 0, 2014: 3}, 'total': {2013: 1, 2014: 5}}
    """
    order = list(dict.fromkeys(counts[by]))
    tab = counts.pivot_table(index=by, columns="year", values="count", aggfunc="sum", fill_value=0, observed=True)
    tab = tab.reindex(order)
    tab.loc["total"] = tab.sum()
    tab.columns.name, tab.index.name = None, None
    return tab.astype(int)


def crime_type_table(counts: pd.DataFrame, population: float, months: pd.Series, level: float = 0.95
                     ) -> pd.DataFrame:
    """Recorded crimes by type (``crime, iccs_code``): the count of each year, the period's total and its rate
    per 100,000 residents a year with an exact Poisson CI (``months``: months counted by year); the most
    frequent first, then ``total`` (every type).

    Examples
    --------
    >>> c = pd.DataFrame({"crime": ["x", "x", "y"], "iccs_code": ["0101", "0101", "0401"],
    ...                   "year": [2014, 2015, 2015], "count": [3, 1, 6]})
    >>> t = crime_type_table(c, 1000, pd.Series({2014: 12, 2015: 6}))
    >>> t[["crime", "2014", "2015", "count"]].values.tolist(), t["rate"].round(1).tolist()
    ([['y', 0, 6, 6], ['x', 3, 1, 4], ['total', 3, 7, 10]], [400.0, 266.7, 666.7])
    """
    by_year = totals_by_year(counts)
    by_year.columns = [str(c) for c in by_year.columns]
    exposure = population * float(months.sum()) / 12
    period = rates(counts, exposure, ["crime"], level=level, count="count").set_index("crime")
    every = rates(counts.assign(crime="total"), exposure, ["crime"], level=level, count="count").set_index("crime")
    period = pd.concat([period, every])
    out = by_year.join(period[["count", "rate", "ci_low", "ci_high"]])
    out.insert(0, "iccs_code", counts.drop_duplicates("crime").set_index("crime")["iccs_code"].reindex(out.index)
               .fillna(""))
    out = out.rename_axis("crime").reset_index()
    body = out[out["crime"] != "total"].sort_values(["count", "crime"], ascending=[False, True], kind="stable")
    return pd.concat([body, out[out["crime"] == "total"]], ignore_index=True)


def add_time_parts(incidents: pd.DataFrame, column: str = "occurred") -> pd.DataFrame:
    """Add ``year``, ``month`` (YYYY-MM), ``hour`` and ``weekday`` (0 = Monday) from the date-time."""
    out = incidents.copy()
    t = pd.to_datetime(out[column])
    out["year"] = t.dt.year
    out["month"] = t.dt.strftime("%Y-%m")
    out["hour"] = t.dt.hour
    out["weekday"] = t.dt.day_of_week
    return out


def hour_weekday(incidents: pd.DataFrame) -> pd.DataFrame:
    """Counts by day of week (rows, Monday first) and hour of day (columns 0-23), all cells present."""
    tab = pd.crosstab(incidents["weekday"], incidents["hour"])
    return tab.reindex(index=range(7), columns=range(24), fill_value=0)


def select_codes(records: pd.DataFrame, prefixes: tuple[str, ...]) -> pd.DataFrame:
    """The records whose ICCS code starts with one of ``prefixes`` (``("0904",)``: road-traffic offences)."""
    return records[records["iccs_code"].str.startswith(prefixes)]


def iccs_table(records: pd.DataFrame) -> pd.DataFrame:
    """TAB-ANX-03: every offence label as recorded, its ICCS code and section, and its number of records."""
    return (records.groupby(["offence", "iccs_code", "iccs_section"]).size().rename("records").reset_index()
            .sort_values(["iccs_code", "offence"], kind="stable"))
