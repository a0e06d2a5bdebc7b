"""ENVIPE 2021 (INEGI's national victimisation survey) onto the canonical schema, with INEGI's definitions.

The mapping is declared in ``envipe2021.yaml`` beside this module: the
tables and their design (``FAC_ELE`` / ``FAC_HOG`` / ``FAC_DEL``, strata
``EST_DIS``, PSUs ``UPM_DIS``), the crime codes (which count as *delitos*,
household or personal, canonical crime type), the person file's screeners and
the crime module's reporting variables. :func:`read_envipe` reads a data
folder (INEGI's national files as Parquet, or the Mexico City CSV subset);
:func:`persons` gives the canonical respondent table (``vict_<crime>_12m``
for 2020, sex, age, state and municipality of residence, design columns);
:func:`crimes` one row per crime of the module. :class:`EnvipeSource` is a report's source: a
municipality's residents as a domain of the national design, with the crime module, the sampled
PSUs and the census populations that :mod:`usg_research.estimate.crime_module` estimates from.

Examples
--------
>>> cb = codebook()
>>> cb["crimes"]["03"]["counted"], cb["design"]["crime"]["weight"]
(False, 'FAC_DEL')
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import LoadError
from ..ingest.clean import CleaningLog, CleanTables
from ..ingest.codebook import Codebook, TableSpec
from ..ingest.derive import derive_respondent
from ..ingest.schema import CRIMES
from ..paths import relative
from ..yamlfile import safe_yaml

Subset = Literal["national", "cdmx"]


@lru_cache(maxsize=1)
def codebook() -> dict:
    """The ENVIPE 2021 codebook (``envipe2021.yaml``)."""
    return safe_yaml(Path(__file__).with_name("envipe2021.yaml").read_text(encoding="utf-8"))


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


def not_read_reasons(names: list[str]) -> list[tuple[str | None, list[str]]]:
    """Group ``names`` (canonical variables, indicator ids or ``table:<name>``) by why this adapter does not
    give them (``not_read`` of envipe2021.yaml: whether ENVIPE asks each and where), in order of first
    appearance; names it does not list come last with reason None.

    Examples
    --------
    >>> not_read_reasons(["safe_night", "trust_police", "trust_courts", "bribe_police", "new_item"])
    [('related_area_safety', ['safe_night']), ('trust', ['trust_police', 'trust_courts']), \
('not_asked_encig', ['bribe_police']), (None, ['new_item'])]
    """
    rules = codebook()["not_read"]
    groups: dict[str | None, list[str]] = {}
    for name in names:
        reason = next((r for pattern, r in rules.items() if fnmatchcase(name, pattern)), None)
        groups.setdefault(reason, []).append(name)
    unknown = groups.pop(None, None)
    return list(groups.items()) + ([(None, unknown)] if unknown else [])


def sample_psus(folder: str | Path, subset: Subset = "national") -> pd.DataFrame:
    """Every sampled PSU with its stratum (from the person file): the frame of the crime-level design."""
    d = codebook()["design"]["person"]
    p = read_envipe(folder, "person", subset, columns=[d["stratum"], d["psu"]])
    return p.drop_duplicates().rename(columns={d["stratum"]: "stratum", d["psu"]: "psu"}).reset_index(drop=True)


class EnvipeSource:
    """INEGI's ENVIPE files as the data of one assessment report (``source:`` in the report's params).

    The report's respondents are the adults living in ``municipality`` of ``entity``, a domain of the
    national design; the entity and the nation are its comparison domains. Without ``municipality`` they
    are the adults of the whole entity, with the nation as comparison domain. Opening reads nothing;
    :meth:`load` reads the national files once.

    Parameters
    ----------
    folder : the data folder (INEGI's four tables, see :func:`read_envipe`).
    entity, municipality : e.g. ``"09"``, ``"007"`` (Iztapalapa, Ciudad de México); ``municipality`` None
        for a report on the entity.
    census : CSV with ``area, sex, population`` (``area``: ``national``, entity or entity + municipality).
    """

    kind = "envipe2021"

    def __init__(self, folder: str | Path, entity: str, municipality: str | None = None,
                 census: str | Path | None = None):
        self.folder = Path(folder)
        self.entity, self.area = entity, entity + (municipality or "")
        #: The report's municipality (entity + municipality code) as a list: empty for a report on an entity.
        self.municipalities = [self.area] if municipality else []
        self.census_file = Path(census) if census is not None else None
        self._loaded = False

    # --- the Source interface ------------------------------------------------------------------

    def input_files(self) -> list[Path]:
        found = [table_path(self.folder, t) for t in codebook()["files"]]
        files = [p for p in found if p is not None]
        return files + ([self.census_file] if self.census_file is not None else [])

    def missing(self) -> str | None:
        if not self.folder.is_dir():
            return (f"data folder {relative(self.folder)} not found (INEGI's ENVIPE files; see the README, "
                    "'ENVIPE: INEGI's public microdata')")
        lacking = [stem for t, stem in codebook()["files"].items() if table_path(self.folder, t) is None]
        if lacking:
            return f"{relative(self.folder)} lacks the ENVIPE tables {lacking}"
        return None

    def load(self) -> CleanTables:
        """The area's residents as the respondent table, with what was left out counted."""
        self._read()
        stem = codebook()["files"]
        lives = self.people["municipality" if self.municipalities else "state"] == self.area
        resp = self.people[lives].drop(columns="area").reset_index(drop=True)
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
        cb = Codebook(city=self.area, synthetic=False, survey=TableSpec(file=f"{stem['person']}", columns={}))
        return CleanTables(self.area, cb, {"respondent": resp}, {"respondent": log, "crime": crime_log})

    def frame(self) -> pd.DataFrame:
        """Every sampled PSU of the entity with its stratum: the respondents are a domain of them."""
        self._read()
        return self.entity_people()[["stratum", "psu"]].drop_duplicates().reset_index(drop=True)

    def iccs_map(self) -> pd.DataFrame:
        return pd.DataFrame({"offence": [], "iccs_code": []})  # no police records in the survey

    def not_read(self, names: list[str]) -> list[tuple[str | None, list[str]]]:
        """Why ENVIPE as read here gives none of ``names``: :func:`not_read_reasons`."""
        return not_read_reasons(names)

    def names(self) -> dict[str, str]:
        """The report's area by name and, for a municipality, its entity (for the report's sentences)."""
        self._read()
        if not self.municipalities:
            return {"area": self.area_names[self.area]}
        return {"area": self.area_names[self.area], "entity": self.area_names[self.entity]}

    # --- what the crime-module outputs read ------------------------------------------------------

    def _read(self) -> None:
        if self._loaded:
            return
        self.people = person_table(self.folder)
        every = crimes(self.folder, counted_only=False)
        counted = every["crime_code"].map({c: bool(v["counted"]) for c, v in codebook()["crimes"].items()})
        self.records = every[counted.to_numpy()].reset_index(drop=True)
        self.uncounted = every.loc[~counted.to_numpy(), "crime_code"].value_counts().sort_index()
        self.psus = sample_psus(self.folder)
        homes = read_envipe(self.folder, "dwelling", columns=["CVE_ENT", "NOM_ENT", "CVE_MUN", "NOM_MUN"])
        names = dict(zip(homes["CVE_ENT"], homes["NOM_ENT"], strict=False))
        names.update(zip(homes["CVE_ENT"] + homes["CVE_MUN"], homes["NOM_MUN"], strict=False))
        lacking = [a for a in (self.entity, *self.municipalities) if a not in names]
        if lacking:
            raise LoadError(relative(self.folder), f"area {lacking[0]!r} has no dwelling in the ENVIPE sample "
                                                   "(entity code of two digits, municipality of three)")
        self.area_names = {a: names[a] for a in (self.entity, self.area)}
        self.census = None if self.census_file is None else read_census(self.census_file)
        self._loaded = True

    @property
    def areas(self) -> list[str]:
        """The report's areas: the nation, the entity and, for a municipality, the municipality."""
        return ["national", self.entity, *self.municipalities]

    def entity_people(self) -> pd.DataFrame:
        """The adults living in the entity (the comparison domain), canonical respondent table."""
        self._read()
        return self.people[self.people["state"] == self.entity]

    def crime_codes(self) -> pd.DataFrame:
        """INEGI's crime codes as used: label (es, en), unit, counted, canonical type, crimes in the module."""
        self._read()
        spec = pd.DataFrame.from_dict(codebook()["crimes"], orient="index").rename_axis("crime_code").reset_index()
        n = pd.concat([self.records["crime_code"].value_counts(), self.uncounted])
        spec["crimes_in_module"] = spec["crime_code"].map(n).fillna(0).astype(int)
        return spec[["crime_code", "es", "en", "unit", "counted", "canonical", "crimes_in_module"]]


def read_census(path: str | Path) -> pd.DataFrame:
    """The cited census populations (params ``source.census``): ``area, sex, population``.

    Raises
    ------
    LoadError
        Naming the file (and the key ``source.census``), the column or the row when it cannot be used.

    Examples
    --------
    >>> from usg_research.paths import project_root
    >>> read_census(project_root() / "data/census/inegi_census2020_population.csv").columns.tolist()
    ['area', 'name', 'sex', 'population', 'source']
    """
    name = f"{relative(path)} (params source.census)"
    try:
        df = pd.read_csv(path, dtype={"area": str, "sex": str})
    except FileNotFoundError:
        raise LoadError(name, "file not found") from None
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise LoadError(name, f"cannot be read as CSV: {exc}") from None
    lacking = [c for c in ("area", "sex", "population") if c not in df.columns]
    if lacking:
        raise LoadError(name, f"no column {lacking[0]!r}; expected area, sex, population", line=1)
    pop = pd.to_numeric(df["population"], errors="coerce")
    bad = np.flatnonzero(~(np.isfinite(pop) & (pop >= 0)))
    if len(bad):
        raise LoadError(name, f"column 'population', value {df['population'].iloc[bad[0]]!r} is not a "
                        "population count", line=int(bad[0]) + 2)
    return df.assign(population=pop)


__all__ = ["EnvipeSource", "read_census", "codebook", "crimes", "not_read_reasons", "person_table", "persons",
           "read_envipe", "sample_psus", "table_path"]
