"""A victimisation survey's crime module, estimated: crimes, reporting and the cifra negra, crime rates.

The crime module has one row per crime with its own weight (INEGI's ENVIPE: ``FAC_DEL``); the crimes
are a domain of the whole sample, so every sampled PSU keeps its place in its stratum's variance,
also those where nobody suffered a crime (R: ``subset()`` of the full design). Areas (the nation,
entities, municipalities) are domains of the national design. The records and PSUs come from the
survey's adapter (:class:`usg_research.sources.envipe.EnvipeSource`).

Examples
--------
>>> import pandas as pd
>>> records = pd.DataFrame({"stratum": ["a", "a"], "psu": ["1", "2"], "weight": [10.0, 20.0],
...                         "reported": [1.0, 0.0], "carpeta": [0.0, 0.0], "cifra_negra": [1.0, 1.0]})
>>> psus = pd.DataFrame({"stratum": ["a", "a", "a"], "psu": ["1", "2", "3"]})
>>> crime_design_data(records, psus)[["psu", "in_sample"]].values.tolist()
[['1', True], ['2', True], ['3', False]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..ingest.derive import age_groups
from ..ingest.schema import AGE_BANDS
from .quality import QualityRules, flag, flag_estimates, suppress
from .survey import SurveyDesign

#: The measures of :func:`reporting_table`: a total (crimes) and three shares of crimes.
MEASURES = ("crimes", "reported", "carpeta", "cifra_negra")
#: The absolute numbers of INEGI's tabulados beside the shares (:func:`reporting_table` with ``counts``).
COUNT_MEASURES = ("reported_crimes", "carpeta_crimes", "cifra_negra_crimes")


def crime_design_data(records: pd.DataFrame, psus: pd.DataFrame) -> pd.DataFrame:
    """Crime records plus one empty row for each sampled PSU where no crime was recorded.

    Crimes are a domain of the whole sample: a PSU without crimes still counts in its stratum's
    variance (R: ``subset()`` of the full design). The empty rows have weight 1 and no values, so they
    are outside every estimate's universe; ``in_sample`` marks the crime rows.
    """
    missing = psus[~psus["psu"].isin(records["psu"])]
    empty = pd.DataFrame({"stratum": missing["stratum"].to_numpy(), "psu": missing["psu"].to_numpy(),
                          "weight": 1.0})
    out = pd.concat([records.assign(in_sample=True), empty.assign(in_sample=False)], ignore_index=True)
    for col in ("reported", "carpeta", "cifra_negra"):
        out[col] = out[col].astype(float)
    return out


def reporting_table(records: pd.DataFrame, psus: pd.DataFrame, states: list[str] | None = None,
                    rules: QualityRules | None = None, municipalities: list[str] | None = None,
                    counts: bool = False) -> pd.DataFrame:
    """Crimes occurred, reported, with a carpeta and the cifra negra, by area of occurrence and sex.

    Parameters
    ----------
    records : :func:`crimes` (the national file: entities are domains of the full design).
    psus : :func:`sample_psus`: the sample's PSUs, so that PSUs without crimes keep their place.
    states : entity codes of occurrence to report besides the nation (e.g. ``["09"]``); all when None.
    municipalities : municipality codes of occurrence (entity + municipality, e.g. ``["09007"]``) to report
        as well; none when None. Every area is a domain of the national design.

    Returns
    -------
    DataFrame
        Tidy: ``area`` (``national`` or the entity code), ``sex`` (``total``, ``male``, ``female``),
        ``measure`` (``crimes``: weighted total; ``reported``, ``carpeta``, ``cifra_negra``: shares of the
        crimes; with ``counts``, also ``reported_crimes``, ``carpeta_crimes``, ``cifra_negra_crimes``: their
        weighted totals, INEGI's absolute numbers), ``estimate, se, ci_low, ci_high, cv, n, flag``. One
        vectorised pass of the design.
    """
    data = crime_design_data(records, psus)
    design = SurveyDesign(data, weight="weight", strata="stratum", psu="psu")
    ones = pd.DataFrame({"crimes": np.where(data["in_sample"], 1.0, np.nan)})
    if counts:
        for m in ("reported", "carpeta", "cifra_negra"):
            ones[f"{m}_crimes"] = np.where(data["in_sample"], data[m], np.nan)
    shares = data[["reported", "carpeta", "cifra_negra"]]
    by: list = [None, "sex", "state_occurred", ["state_occurred", "sex"]]
    if municipalities:
        data["_muni"] = data["municipality_occurred"].where(data["municipality_occurred"].isin(municipalities))
        by += ["_muni", ["_muni", "sex"]]
    out = _tidy_areas(design, ones, shares, by, data["in_sample"].to_numpy())
    if states is not None:
        out = out[out["area"].isin(["national", *states, *(municipalities or [])])]
    out["flag"] = flag_estimates(out, out["measure"].isin(["reported", "carpeta", "cifra_negra"]), rules)
    out = suppress(out).drop(columns=["deff", "df", "rows"])
    order = {m: i for i, m in enumerate(MEASURES + COUNT_MEASURES)}
    out = out.assign(_a=out["area"].map(_area_rank), _s=out["sex"].map(SEX_ORDER), _m=out["measure"].map(order))
    return out.sort_values(["_a", "area", "_s", "_m"]).drop(columns=["_a", "_s", "_m"]).reset_index(drop=True)


#: Order of the sex rows of every table.
SEX_ORDER = {"total": 0, "male": 1, "female": 2}


def _area_rank(area: str) -> int:
    """national, then entities, then municipalities."""
    return 0 if area == "national" else (1 if len(area) == 2 else 2)


def _split_domains(res: pd.DataFrame, area_cols: tuple[str, ...], other: tuple[str, ...]) -> pd.DataFrame:
    """``area`` and the ``other`` dimensions (``total`` when not split) from the engine's domain/level."""
    out = {"area": np.full(len(res), "national", dtype=object)}
    for c in other:
        out[c] = np.full(len(res), "total", dtype=object)
    for i, (dom, lev) in enumerate(zip(res["domain"], res["level"], strict=True)):
        for col, value in zip(dom.split(" x "), lev.split(" / "), strict=True):
            if col in area_cols:
                out["area"][i] = value
            elif col in other:
                out[col][i] = value
    return pd.DataFrame(out, index=res.index)


def _tidy_areas(design: SurveyDesign, totals: pd.DataFrame, shares: pd.DataFrame, by: list,
                crimes: np.ndarray) -> pd.DataFrame:
    """Totals and shares of the crimes (the universe: the crime rows, not the empty PSU rows)."""
    tot = design.estimate(totals, by, kind="total", where=crimes)
    prop = design.estimate(shares, by, kind="mean", proportion=[True] * shares.shape[1], where=crimes)
    res = pd.concat([tot, prop], ignore_index=True)
    out = _split_domains(res, ("state_occurred", "_muni"), ("sex",)).assign(measure=res["column"])
    return pd.concat([out, res[["estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "df", "rows"]]], axis=1)


#: The measures of :func:`rates_table`.
RATE_MEASURES = ("crimes", "adults", "per_100k_adults", "per_100k_census")


def rates_table(records: pd.DataFrame, people: pd.DataFrame, areas: list[str],
                census: pd.DataFrame | None = None, rules: QualityRules | None = None) -> pd.DataFrame:
    """Crimes suffered by an area's adult residents in 2020, per 100,000, by sex and age group.

    ``per_100k_adults`` is INEGI's *tasa de incidencia delictiva*: crimes (FAC_DEL) over the adults the
    survey represents (FAC_ELE), a ratio of two totals of one design, with its linearised SE (R
    ``svyratio``). It is computed as a weighted mean over the stacked crime and person rows, m = Y / (Y + X),
    and mapped back, R = m / (1 - m), SE(R) = SE(m) / (1 - m)^2: the same linearisation. ``per_100k_census``
    divides the estimated crimes by the census population (all ages) of the area and sex, a fixed
    number: its SE is SE(crimes) / population.

    Parameters
    ----------
    records : :func:`crimes` of the national file (area of *residence*: the dwelling's).
    people : :func:`persons` of the national file.
    areas : entity codes (``"09"``) and municipality codes (``"09007"``) besides the nation.
    census : ``area, sex, population`` (area ``national``, entity or municipality code).

    Returns
    -------
    DataFrame
        ``area, sex, age_group, measure, estimate, se, ci_low, ci_high, cv, n, flag``.

    Examples
    --------
    >>> RATE_MEASURES
    ('crimes', 'adults', 'per_100k_adults', 'per_100k_census')
    """
    ages = age_groups(pd.concat([records["age"], people["age"]], ignore_index=True).where(lambda a: a < 98))
    stacked = pd.DataFrame({
        "crime": np.r_[np.ones(len(records)), np.zeros(len(people))],
        "weight": np.r_[records["weight"].to_numpy(float), people["weight"].to_numpy(float)],
        "stratum": np.r_[records["stratum"].to_numpy(object), people["stratum"].to_numpy(object)],
        "psu": np.r_[records["psu"].to_numpy(object), people["psu"].to_numpy(object)],
        "state": np.r_[records["state"].to_numpy(object), people["state"].to_numpy(object)],
        "municipality": np.r_[records["municipality"].to_numpy(object), people["municipality"].to_numpy(object)],
        "sex": np.r_[records["sex"].to_numpy(object), people["sex"].to_numpy(object)],
        "age_group": ages.to_numpy(object),
    })
    states = [a for a in areas if len(a) == 2]
    munis = [a for a in areas if len(a) == 5]
    stacked["_state"] = stacked["state"].where(stacked["state"].isin(states))
    stacked["_muni"] = stacked["municipality"].where(stacked["municipality"].isin(munis))
    design = SurveyDesign(stacked, weight="weight", strata="stratum", psu="psu")
    is_crime = stacked["crime"].to_numpy() == 1
    cols = pd.DataFrame({"crimes": np.where(is_crime, 1.0, np.nan), "adults": np.where(is_crime, np.nan, 1.0)})
    by: list = []
    for area in (None, "_state", "_muni"):
        for split in ((), ("sex",), ("age_group",), ("sex", "age_group")):
            cols_ = [c for c in (area, *split) if c]
            by.append(cols_ or None)
    tot = design.estimate(cols, by, kind="total", where=cols.notna())
    share = design.estimate(pd.DataFrame({"m": stacked["crime"]}), by, kind="mean")
    m, se_m = share["estimate"].to_numpy(), share["se"].to_numpy()
    rate = share.assign(column="per_100k_adults", estimate=1e5 * m / (1 - m), se=1e5 * se_m / (1 - m) ** 2)
    t = stats.t.ppf(0.975, rate["df"].clip(lower=1))
    rate["ci_low"], rate["ci_high"] = rate["estimate"] - t * rate["se"], rate["estimate"] + t * rate["se"]
    rate["cv"] = rate["se"] / rate["estimate"]
    rate["n"] = tot.loc[tot["column"] == "crimes"].set_index(["domain", "level"])["n"].reindex(
        pd.MultiIndex.from_frame(rate[["domain", "level"]])).fillna(0).astype(int).to_numpy()
    res = pd.concat([tot, rate], ignore_index=True)
    out = _split_domains(res, ("_state", "_muni"), ("sex", "age_group")).assign(measure=res["column"])
    out = pd.concat([out, res[["estimate", "se", "ci_low", "ci_high", "cv", "n"]]], axis=1)
    if census is not None:
        crimes_ = out[(out["measure"] == "crimes") & (out["age_group"] == "total")]
        pop = census.set_index(["area", "sex"])["population"].astype(float)
        key = pd.MultiIndex.from_frame(crimes_[["area", "sex"]])
        per = pop.reindex(key).to_numpy()
        scaled = crimes_.assign(measure="per_100k_census")
        for col in ("estimate", "se", "ci_low", "ci_high"):
            scaled[col] = 1e5 * crimes_[col].to_numpy() / per
        out = pd.concat([out, scaled[np.isfinite(per)]], ignore_index=True)
    out["flag"] = flag(out["cv"], out["n"], rules)
    out = suppress(out.assign(deff=np.nan)).drop(columns="deff")
    ages_order = {a: i for i, a in enumerate(["total", *[b[0] for b in AGE_BANDS]])}
    out = out.assign(_a=out["area"].map(_area_rank), _s=out["sex"].map(SEX_ORDER),
                     _g=out["age_group"].map(ages_order), _m=out["measure"].map(
                         {m: i for i, m in enumerate(RATE_MEASURES)}))
    out = out.sort_values(["_a", "area", "_m", "_s", "_g"]).drop(columns=["_a", "_s", "_g", "_m"])
    return out[["area", "sex", "age_group", "measure", "estimate", "se", "ci_low", "ci_high", "cv", "n",
                "flag"]].reset_index(drop=True)


def reporting_by_crime(records: pd.DataFrame, psus: pd.DataFrame, entity: str, municipality: str | None = None,
                       rules: QualityRules | None = None) -> pd.DataFrame:
    """Share of crimes reported, by crime code, for the nation, ``entity`` and ``municipality`` (entity +
    municipality code; None for a report on the entity) of occurrence.

    Returns ``area, crime_code, measure, estimate, se, ci_low, ci_high, cv, n, flag`` (``measure`` is
    ``reported``), by crime code then area (nation, entity, municipality).
    """
    data = crime_design_data(records, psus)
    data["_state"] = data["state_occurred"].where(data["state_occurred"] == entity)
    by = [["crime_code"], ["_state", "crime_code"]]
    if municipality is not None:
        data["_muni"] = data["municipality_occurred"].where(data["municipality_occurred"] == municipality)
        by.append(["_muni", "crime_code"])
    design = SurveyDesign(data, weight="weight", strata="stratum", psu="psu")
    res = design.estimate(data[["reported"]], by, kind="mean", proportion=[True], where=data["in_sample"])
    out = _split_domains(res, ("_state", "_muni"), ("crime_code",)).assign(measure="reported")
    out = pd.concat([out, res[["estimate", "se", "ci_low", "ci_high", "cv", "deff", "n", "df", "rows"]]], axis=1)
    out["flag"] = flag_estimates(out, np.ones(len(out), dtype=bool), rules)
    out = suppress(out).drop(columns=["deff", "df", "rows"])
    return out.assign(_a=out["area"].map(_area_rank)).sort_values(["crime_code", "_a"]).drop(
        columns="_a").reset_index(drop=True)
