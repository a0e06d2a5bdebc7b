"""ENVIPE 2021 (INEGI's national victimisation survey) onto the canonical schema, with INEGI's definitions.

The mapping is declared in ``envipe2021.yaml`` beside this module: the
tables and their design (``FAC_ELE`` / ``FAC_HOG`` / ``FAC_DEL``, strata
``EST_DIS``, PSUs ``UPM_DIS``), the crime codes (which count as *delitos*,
household or personal, canonical crime type), the person file's screeners and
the crime module's reporting variables. :func:`read_envipe` reads a data
folder (INEGI's national files as Parquet, or the Mexico City CSV subset);
:func:`persons` gives the canonical respondent table (``vict_<crime>_12m``
for 2020, sex, age, state and municipality of residence, design columns);
:func:`crimes` one row per crime of the module; :func:`reporting_table` the
crimes occurred, reported, with a *carpeta de investigación* and the
*cifra negra*, with design-based SEs, for the nation and any entity of
occurrence, by sex of the victim.

Examples
--------
>>> cb = codebook()
>>> cb["crimes"]["03"]["counted"], cb["design"]["crime"]["weight"]
(False, 'FAC_DEL')
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from ..errors import LoadError
from ..estimate.indicators import QualityRules, flag, suppress
from ..estimate.survey import SurveyDesign
from ..ingest.schema import AGE_BANDS, CRIMES
from ..paths import relative

Subset = Literal["national", "cdmx"]
#: The measures of :func:`reporting_table`: a total (crimes) and four shares of crimes.
MEASURES = ("crimes", "reported", "carpeta", "cifra_negra")


@lru_cache(maxsize=1)
def codebook() -> dict:
    """The ENVIPE 2021 codebook (``envipe2021.yaml``)."""
    return yaml.safe_load(Path(__file__).with_name("envipe2021.yaml").read_text(encoding="utf-8"))


def _names(table: str, subset: Subset) -> list[str]:
    stem = codebook()["files"][table]
    return [f"{stem}_cdmx.csv"] if subset == "cdmx" else [f"{stem}_national.parquet", f"{stem}.parquet",
                                                          f"{stem}.csv"]


def table_path(folder: str | Path, table: str, subset: Subset = "national") -> Path | None:
    """The file of one ENVIPE table in ``folder`` (the first of its accepted names found), or None."""
    return next((Path(folder) / n for n in _names(table, subset) if (Path(folder) / n).is_file()), None)


def read_envipe(folder: str | Path, table: str, subset: Subset = "national",
                columns: list[str] | None = None) -> pd.DataFrame:
    """Read one ENVIPE table (``dwelling``, ``household``, ``person``, ``crime``) as text, weights as floats.

    ``subset="national"`` reads ``<stem>_national.parquet`` (or INEGI's full file ``<stem>.parquet`` /
    ``<stem>.csv`` when that is what the folder holds); ``"cdmx"`` reads ``<stem>_cdmx.csv``.
    """
    folder = Path(folder)
    path = table_path(folder, table, subset)
    if path is None:
        raise LoadError(relative(folder), f"no ENVIPE {table} table: expected one of {_names(table, subset)} "
                                          "(see the README, 'ENVIPE: INEGI's public microdata')")
    if path.suffix == ".parquet":
        df = pd.read_parquet(path, columns=columns)
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns, encoding="utf-8")
    for col in df.columns:
        if col.startswith("FAC_"):
            df[col] = pd.to_numeric(df[col], errors="raise").astype(float)
        elif df[col].dtype != object:
            df[col] = df[col].astype(str)
    return df


def _answer(s: pd.Series) -> pd.Series:
    return s.map(codebook()["answers"])


def persons(folder: str | Path, subset: Subset = "national", screens: bool = False) -> pd.DataFrame:
    """The canonical respondent table of the selected adults (TPer_Vic2), victimisation in 2020.

    ``vict_<crime>_12m`` is ``yes`` when any ENVIPE code of that canonical crime was screened yes, ``no``
    when all were no, else missing (don't know); ``n_<crime>_12m`` sums the times (98/99 missing).
    ``vict_any_envipe`` covers every code INEGI counts (all but vandalism), as INEGI's prevalence does.
    A vehicle crime whose follow-up question (``confirmed_by`` in the codebook) is not answered 1 is not
    counted, as in INEGI's prevalence and crime module. ``screens`` adds each code's answer as
    ``_screen_<code>``.
    """
    cb = codebook()
    d = cb["design"]["person"]
    p = read_envipe(folder, "person", subset)
    out = pd.DataFrame({
        "resp_id": p["ID_PER"], "weight": p[d["weight"]], "stratum": p[d["stratum"]], "psu": p[d["psu"]],
        "state": p["CVE_ENT"], "municipality": p["CVE_ENT"] + p["CVE_MUN"],
        "sex": p["SEXO"].map(cb["sex"]), "age": pd.to_numeric(p["EDAD"], errors="coerce"),
    })
    out.loc[out["age"] > 97, "age"] = np.nan  # 98/99: age not known
    answers: dict[str, pd.Series] = {}
    times: dict[str, pd.Series] = {}
    for s in cb["screener"].values():
        for code in s["codes"]:
            answers[code] = _answer(p[s["asked"].format(code=code)])
            follow = s.get("confirmed_by", {}).get(code)
            if follow is not None:  # a yes the follow-up does not confirm is not a counted crime
                answers[code] = answers[code].mask(answers[code].eq("yes") & p[follow].ne("1"), "no")
            t = pd.to_numeric(p[s["times"].format(code=code)], errors="coerce")
            times[code] = t.where(~t.isin([98, 99]))
    for crime in CRIMES:
        codes = [c for c, spec in cb["crimes"].items() if spec["canonical"] == crime]
        a = pd.DataFrame({c: answers[c] for c in codes})
        out[f"vict_{crime}_12m"] = _any_yes(a)
        n = pd.DataFrame({c: times[c].where(answers[c].eq("yes")) for c in codes}).sum(axis=1, min_count=1)
        out[f"n_{crime}_12m"] = n
    counted = [c for c, spec in cb["crimes"].items() if spec["counted"]]
    out["vict_any_envipe"] = _any_yes(pd.DataFrame({c: answers[c] for c in counted}))
    if screens:
        out = pd.concat([out, pd.DataFrame({f"_screen_{c}": a for c, a in answers.items()})], axis=1)
    return out


def person_table(folder: str | Path, subset: Subset = "national") -> pd.DataFrame:
    """:func:`persons` with the derived variables of a clean respondent table, ``area`` = entity of residence.

    This is what :func:`usg_research.estimate.indicators.indicator_table` evaluates: the catalogue's
    victimisation indicators for 2020, by sex, age group and entity.
    """
    from ..ingest.clean import derive_respondent

    people = persons(folder, subset, screens=True)
    df, _ = derive_respondent(people.drop(columns=[c for c in people.columns if c.startswith("_screen_")]))
    # INEGI's victims: any crime it counts (kidnapping and "other crimes" too, which have no canonical
    # type); household = the household screener's counted codes, personal = the selected adult's
    for var, unit in (("vict_any_12m", None), ("vict_household_12m", "household"), ("vict_personal_12m", "personal")):
        codes = [c for c, spec in codebook()["crimes"].items() if spec["counted"] and unit in (None, spec["unit"])]
        yes = pd.DataFrame({c: people[f"_screen_{c}"] for c in codes}).eq("yes").any(axis=1)
        df[var] = np.where(yes, "yes", "no")  # INEGI: a "don't know" is not a victim, and stays in the base
    # incidence is the crime module's (FAC_DEL, INEGI's method: :func:`rates_table`), not the person
    # file's counts of times
    df = df.drop(columns=[c for c in df.columns if c.startswith("_screen_") or c == "n_crimes_12m"])
    df["area"] = df["state"]
    return df


def _any_yes(a: pd.DataFrame) -> pd.Series:
    yes = a.eq("yes").any(axis=1)
    no = a.eq("no").all(axis=1)
    return pd.Series(np.where(yes, "yes", np.where(no, "no", None)), index=a.index, dtype=object)


def _holds(m: pd.DataFrame, rule: dict) -> pd.Series:
    cols = rule.get("any_of") or [rule["var"]]
    return m[cols].isin(rule["in"]).any(axis=1)


def crimes(folder: str | Path, subset: Subset = "national", counted_only: bool = True) -> pd.DataFrame:
    """One row per crime of the victimisation module (TMod_Vic) with INEGI's reporting definitions.

    Columns: ``crime_code``, ``crime`` (canonical or None), ``unit``, ``state_occurred`` and
    ``municipality_occurred`` (entity + municipality code, e.g. ``09007``), ``state`` and ``municipality``
    of residence (the dwelling's, from TVivienda),
    ``sex``, ``age`` of the victim, ``reported``, ``carpeta``, ``cifra_negra`` (0/1), and
    the design ``weight`` (FAC_DEL), ``stratum``, ``psu``. ``counted_only`` keeps the crimes INEGI counts
    (vandalism is asked but not counted).
    """
    cb = codebook()
    d = cb["design"]["crime"]
    mod = cb["module"]
    m = read_envipe(folder, "crime", subset)
    spec = pd.DataFrame.from_dict(cb["crimes"], orient="index")
    unknown = sorted(set(m["BPCOD"]) - set(spec.index))
    if unknown:
        raise LoadError("TMod_Vic", f"crime codes {unknown} are not in the ENVIPE codebook", column="BPCOD")
    carpeta = _holds(m, mod["carpeta"]).astype(float)
    homes = read_envipe(folder, "dwelling", subset, columns=["ID_VIV", "CVE_ENT", "CVE_MUN"])
    home = m["ID_VIV"].map(homes.set_index("ID_VIV").eval("CVE_ENT + CVE_MUN"))
    if home.isna().any():
        raise LoadError("TMod_Vic", f"{int(home.isna().sum())} crimes have no dwelling in TVivienda, e.g. "
                        f"ID_VIV {m.loc[home.isna(), 'ID_VIV'].iloc[0]!r}", column="ID_VIV")
    out = pd.DataFrame({
        "crime_code": m["BPCOD"], "crime": m["BPCOD"].map(spec["canonical"]),
        "unit": m["BPCOD"].map(spec["unit"]), "counted": m["BPCOD"].map(spec["counted"]).astype(bool),
        "state_occurred": m[mod["state_occurred"]],
        "municipality_occurred": m[mod["state_occurred"]] + m[mod["municipality_occurred"]],
        "state": m["UPM"].str[:2], "municipality": home,
        "sex": m["SEXO"].map(cb["sex"]), "age": pd.to_numeric(m["EDAD"], errors="coerce"),
        "reported": _holds(m, mod["reported"]).astype(float), "carpeta": carpeta, "cifra_negra": 1.0 - carpeta,
        "weight": m[d["weight"]], "stratum": m[d["stratum"]], "psu": m[d["psu"]],
    })
    if counted_only:
        out = out[out["counted"]].reset_index(drop=True)
    return out.drop(columns="counted")


def sample_psus(folder: str | Path, subset: Subset = "national") -> pd.DataFrame:
    """Every sampled PSU with its stratum (from the person file): the frame of the crime-level design."""
    d = codebook()["design"]["person"]
    p = read_envipe(folder, "person", subset, columns=[d["stratum"], d["psu"]])
    return p.drop_duplicates().rename(columns={d["stratum"]: "stratum", d["psu"]: "psu"}).reset_index(drop=True)


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
                    rules: QualityRules | None = None, municipalities: list[str] | None = None) -> pd.DataFrame:
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
        crimes), ``estimate, se, ci_low, ci_high, cv, n, flag``. One vectorised pass of the design.
    """
    data = crime_design_data(records, psus)
    design = SurveyDesign(data, weight="weight", strata="stratum", psu="psu")
    ones = pd.DataFrame({"crimes": np.where(data["in_sample"], 1.0, np.nan)})
    shares = data[["reported", "carpeta", "cifra_negra"]]
    by: list = [None, "sex", "state_occurred", ["state_occurred", "sex"]]
    if municipalities:
        data["_muni"] = data["municipality_occurred"].where(data["municipality_occurred"].isin(municipalities))
        by += ["_muni", ["_muni", "sex"]]
    out = _tidy_areas(design, ones, shares, by)
    if states is not None:
        out = out[out["area"].isin(["national", *states, *(municipalities or [])])]
    out["flag"] = flag(out["cv"], out["n"], rules)
    out = suppress(out).drop(columns="deff")
    order = {m: i for i, m in enumerate(MEASURES)}
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


def _tidy_areas(design: SurveyDesign, totals: pd.DataFrame, shares: pd.DataFrame, by: list) -> pd.DataFrame:
    tot = design.estimate(totals, by, kind="total")
    prop = design.estimate(shares, by, kind="mean", proportion=[True] * shares.shape[1])
    res = pd.concat([tot, prop], ignore_index=True)
    out = _split_domains(res, ("state_occurred", "_muni"), ("sex",)).assign(measure=res["column"])
    return pd.concat([out, res[["estimate", "se", "ci_low", "ci_high", "cv", "deff", "n"]]], axis=1)


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
    from ..ingest.clean import derive_respondent

    ages = derive_respondent(pd.DataFrame({"age": pd.concat([records["age"], people["age"]], ignore_index=True)
                                           .where(lambda a: a < 98)}))[0]["age_group"]
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
    tot = design.estimate(cols, by, kind="total")
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


class EnvipeSource:
    """INEGI's ENVIPE files as the data of one assessment report (``source:`` in the report's params).

    Reads the national files once: the selected adults (the report's respondents are the residents of
    the municipality, a domain of the national design), the crime module, the sampled PSUs and the
    names of the areas; and the cited census populations.

    Parameters
    ----------
    folder : the data folder (INEGI's four tables, see :func:`read_envipe`).
    entity, municipality : e.g. ``"09"``, ``"007"`` (Iztapalapa, Ciudad de México).
    census : CSV with ``area, sex, population`` (``area``: ``national``, entity or entity + municipality).
    """

    def __init__(self, folder: str | Path, entity: str, municipality: str, census: str | Path | None = None):
        self.folder = Path(folder)
        self.entity, self.area = entity, entity + municipality
        self.people = person_table(self.folder)
        every = crimes(self.folder, counted_only=False)
        counted = every["crime_code"].map({c: bool(v["counted"]) for c, v in codebook()["crimes"].items()})
        self.records = every[counted.to_numpy()].reset_index(drop=True)
        self.uncounted = every.loc[~counted.to_numpy(), "crime_code"].value_counts().sort_index()
        self.psus = sample_psus(self.folder)
        homes = read_envipe(self.folder, "dwelling", columns=["CVE_ENT", "NOM_ENT", "CVE_MUN", "NOM_MUN"])
        names = dict(zip(homes["CVE_ENT"], homes["NOM_ENT"], strict=False))
        names.update(zip(homes["CVE_ENT"] + homes["CVE_MUN"], homes["NOM_MUN"], strict=False))
        missing = [a for a in (entity, self.area) if a not in names]
        if missing:
            raise LoadError(relative(self.folder), f"area {missing[0]!r} has no dwelling in the ENVIPE sample "
                                                   "(entity code of two digits, municipality of three)")
        self.names = {a: names[a] for a in (entity, self.area)}
        self.census = None
        if census is not None:
            self.census = pd.read_csv(census, dtype={"area": str, "sex": str})

    @property
    def areas(self) -> list[str]:
        """The report's areas: the nation, the entity, the municipality."""
        return ["national", self.entity, self.area]

    def respondents(self) -> pd.DataFrame:
        """The municipality's residents (canonical respondent table, derived variables included)."""
        resp = self.people[self.people["municipality"] == self.area]
        return resp.drop(columns="area").reset_index(drop=True)  # one municipality: no sub-areas

    def frame(self) -> pd.DataFrame:
        """Every sampled PSU of the entity with its stratum: the municipality is a domain of them."""
        ent = self.people[self.people["state"] == self.entity]
        return ent[["stratum", "psu"]].drop_duplicates().reset_index(drop=True)

    def clean_tables(self, city: str):
        """The respondents as :class:`~usg_research.ingest.clean.CleanTables`, with what was left out counted."""
        from ..ingest.clean import CleaningLog, CleanTables
        from ..ingest.codebook import Codebook, TableSpec

        stem = codebook()["files"]
        resp = self.respondents()
        log = CleaningLog("respondent", f"{stem['person']} (ENVIPE 2021, INEGI)", len(self.people))
        log.exclusions.append({"column": "CVE_ENT, CVE_MUN", "rows": int(len(self.people) - len(resp)),
                               "reason": f"resident outside the assessment area ({self.area}); these adults "
                                         "remain in the design as the comparison domains"})
        log.recode("EDAD", "98/99", "missing", "age not known", int(resp["age"].isna().sum()))
        crime_log = CleaningLog("crime", f"{stem['crime']} (ENVIPE 2021, INEGI)",
                                int(len(self.records) + self.uncounted.sum()))
        for code, n in self.uncounted.items():
            crime_log.exclusions.append({"column": "BPCOD", "rows": int(n),
                                         "reason": f"code {code} ({codebook()['crimes'][code]['en']}): asked, "
                                                   "not counted by INEGI"})
        cb = Codebook(city=city, synthetic=False, survey=TableSpec(file=f"{stem['person']}", columns={}))
        return CleanTables(city, cb, {"respondent": resp}, {"respondent": log, "crime": crime_log})

    def comparison(self) -> dict[str, float]:
        """The entity's estimate of every catalogue indicator (the comparison level of TAB-PRI-01)."""
        from ..estimate.indicators import indicator_table

        ent = self.people[self.people["state"] == self.entity]
        t = indicator_table(ent, frame=self.frame(), disaggregations=[])
        t = t[(t["domain"] == "total") & t["estimate"].notna()]
        return dict(zip(t["indicator"], t["estimate"].astype(float), strict=True))

    def reporting(self, rules: QualityRules | None = None) -> pd.DataFrame:
        """:func:`reporting_table` for the nation, the entity and the municipality (places of occurrence)."""
        return reporting_table(self.records, self.psus, states=[self.entity], municipalities=[self.area],
                               rules=rules)

    def reporting_by_crime(self, rules: QualityRules | None = None) -> pd.DataFrame:
        """Share of crimes reported to the Ministerio Público, by crime type, per area of occurrence."""
        data = crime_design_data(self.records, self.psus)
        data["_muni"] = data["municipality_occurred"].where(data["municipality_occurred"] == self.area)
        data["_state"] = data["state_occurred"].where(data["state_occurred"] == self.entity)
        design = SurveyDesign(data, weight="weight", strata="stratum", psu="psu")
        by = [["crime_code"], ["_state", "crime_code"], ["_muni", "crime_code"]]
        res = design.estimate(data[["reported"]], by, kind="mean", proportion=[True])
        out = _split_domains(res, ("_state", "_muni"), ("crime_code",)).assign(measure="reported")
        out = pd.concat([out, res[["estimate", "se", "ci_low", "ci_high", "cv", "deff", "n"]]], axis=1)
        out["flag"] = flag(out["cv"], out["n"], rules)
        out = suppress(out).drop(columns="deff")
        return out.assign(_a=out["area"].map(_area_rank)).sort_values(["crime_code", "_a"]).drop(
            columns="_a").reset_index(drop=True)

    def rates(self, rules: QualityRules | None = None) -> pd.DataFrame:
        """:func:`rates_table` for the nation, the entity and the municipality (places of residence)."""
        return rates_table(self.records, self.people, [self.entity, self.area], self.census, rules)

    def crime_codes(self) -> pd.DataFrame:
        """INEGI's crime codes as used: label (es, en), unit, counted, canonical type, crimes in the module."""
        spec = pd.DataFrame.from_dict(codebook()["crimes"], orient="index").rename_axis("crime_code").reset_index()
        n = pd.concat([self.records["crime_code"].value_counts(), self.uncounted])
        spec["crimes_in_module"] = spec["crime_code"].map(n).fillna(0).astype(int)
        return spec[["crime_code", "es", "en", "unit", "counted", "canonical", "crimes_in_module"]]


__all__ = ["MEASURES", "RATE_MEASURES", "EnvipeSource", "codebook", "crime_design_data", "crimes", "person_table",
           "persons", "rates_table", "read_envipe", "reporting_table", "sample_psus", "table_path"]
