"""Seeded synthetic data for the pilot cities (the original microdata are confidential).

For each pilot city, :func:`generate_city` draws a household survey with a
complex design (strata = sub-areas, clustered PSUs, unequal weights from
non-response), correlated answers (victims feel less safe and trust the police
less; women feel less safe after dark), skip patterns, and a controlled set of
dirty values that cleaning must handle; police-recorded incidents over several
years with seasonality and an hour-of-day pattern; a population table; and
coded qualitative sessions. :mod:`~usg_research.sources.synth_export` exports them the way that
city's own fieldwork exports look, together with the codebook that maps them
back onto the canonical schema. Everything is a pure function of the seed:
regenerating gives byte-identical files.

Only published aggregates set the scale (census populations, cited in
``data/README.md``); every number inside the files is invented.

Examples
--------
>>> d = generate_city("mathare", n=300)
>>> len(d.survey) >= 300, sorted(d.survey["sex"].dropna().unique())
(True, ['female', 'male'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ingest.schema import POP_AGE_GROUPS
from .synth_profiles import PROFILES, CityData, CityProfile
from .synth_survey import draw_survey, logistic


def _incidents(rng: np.random.Generator, p: CityProfile, volume: float = 1.0) -> pd.DataFrame:
    share = np.asarray(p.area_share) / np.sum(p.area_share)
    area_risk = np.exp(rng.normal(0, 0.3, len(p.areas)))
    area_p = share * area_risk / np.sum(share * area_risk)
    month_w = 1 + 0.15 * np.sin(2 * np.pi * (np.arange(12) - 2) / 12)
    hours = np.arange(24)
    frames = []
    for label, (rate, iccs) in p.offences.items():
        night = iccs in ("0101", "0401", "02011", "0201", "03011")
        peak = 21 if night else 13
        hw = np.exp(-0.5 * ((hours - peak + 12) % 24 - 12) ** 2 / (4.0 if night else 9.0) ** 2) + 0.15
        hw = hw / hw.sum()
        for k, year in enumerate(p.incident_years):
            trend = 1 + 0.04 * (k - len(p.incident_years) / 2) * (1 if label[0] in "RFMK" else -1)
            if year == 2020:
                trend *= 0.82  # pandemic dip in recorded crime
            cnt = rng.poisson(rate * p.population / 1e5 * trend * volume)
            months = rng.choice(12, cnt, p=month_w / month_w.sum())
            days = np.floor(rng.random(cnt) * pd.Series(pd.to_datetime(
                [f"{year}-{m + 1:02d}-01" for m in months])).dt.days_in_month.to_numpy()).astype(int)
            hr = rng.choice(24, cnt, p=hw)
            mins = rng.integers(0, 60, cnt)
            ts = pd.to_datetime({"year": np.full(cnt, year), "month": months + 1, "day": days + 1,
                                 "hour": hr, "minute": mins})
            ai = rng.choice(len(p.areas), cnt, p=area_p)
            frames.append(pd.DataFrame({"occurred": ts, "area": np.asarray(p.areas, dtype=object)[ai],
                                        "offence": label, "area_idx": ai}))
    df = pd.concat(frames, ignore_index=True).sort_values(["occurred", "offence", "area"], kind="stable")
    df = df.reset_index(drop=True)
    lat0 = p.centre[0] + (df["area_idx"].to_numpy() - len(p.areas) / 2) * 0.006
    lon0 = p.centre[1] + ((df["area_idx"].to_numpy() * 7) % len(p.areas) - len(p.areas) / 2) * 0.006
    df["lat"] = np.round(lat0 + rng.normal(0, 0.003, len(df)), 3)
    df["lon"] = np.round(lon0 + rng.normal(0, 0.003, len(df)), 3)
    df.insert(0, "incident_id", [f"{p.name[:2].upper()}{i + 1:07d}" for i in range(len(df))])
    df = df.drop(columns="area_idx")
    # dirty: two double-entered records (exact duplicates: the first is kept)
    dup = df.iloc[rng.choice(len(df), 2, replace=False)]
    return pd.concat([df, dup], ignore_index=True)


def _population(p: CityProfile) -> pd.DataFrame:
    share = np.asarray(p.area_share) / np.sum(p.area_share)
    ages = np.arange(len(POP_AGE_GROUPS))
    decay = 0.93 if p.young > 0.5 else (0.95 if p.young > 0.43 else 0.965)
    age_w = decay ** (ages * 1.6) * np.where(ages >= 13, 0.8 ** (ages - 12), 1.0)
    age_w = age_w / age_w.sum()
    rows = []
    for a, area in enumerate(p.areas):
        for s, sex_share in (("male", 0.485), ("female", 0.515)):
            for g, w in zip(POP_AGE_GROUPS, age_w, strict=True):
                rows.append((area, s, g, p.population * share[a] * sex_share * w))
    df = pd.DataFrame(rows, columns=["area", "sex", "age_group", "population"])
    pop = np.floor(df["population"].to_numpy())
    rem = int(p.population - pop.sum())  # largest remainders: totals equal the census exactly
    frac = df["population"].to_numpy() - pop
    pop[np.argsort(-frac, kind="stable")[:rem]] += 1
    df["population"] = pop.astype(int)
    return df


def _qualitative(rng: np.random.Generator, p: CityProfile) -> pd.DataFrame:
    rows = []
    sid = 0
    for method, n_sessions in (("KII", 18), ("FGD", 12)):
        for _ in range(n_sessions):
            sid += 1
            group = p.groups[rng.integers(0, len(p.groups))]
            area = p.areas[rng.integers(0, len(p.areas))]
            for theme, (tvc, base) in p.themes.items():
                boost = 0.2 if (group in ("women", "youth") and theme in ("gbv", "unemployment", "drug_use")) else 0.0
                if rng.random() < base + boost:
                    rows.append((f"{method}-{sid:02d}", method, group, area, theme, tvc))
    return pd.DataFrame(rows, columns=["session_id", "method", "stakeholder_group", "area", "theme", "tvc"])


def generate_city(city: str | CityProfile, n: int | None = None, seed: int | None = None, dirty: bool = True,
                  incident_share: float = 1.0) -> CityData:
    """Generate a pilot city's synthetic canonical tables.

    Parameters
    ----------
    city : one of ``iztapalapa``, ``mathare``, ``tashkent``, or a profile of its own.
    n : survey sample size (default: the city's profile).
    seed : random seed (default: the city's profile seed).
    dirty : add the controlled defects that cleaning must handle (default True).
    incident_share : scale the number of incident records (small test cities).
    """
    if isinstance(city, CityProfile):
        p = city
    elif city in PROFILES:
        p = PROFILES[city]
    else:
        raise ValueError(f"no synthetic profile for {city!r}; known: {sorted(PROFILES)}")
    rng = np.random.default_rng(p.seed if seed is None else seed)
    survey = draw_survey(rng, p, n or p.n_respondents, dirty)
    incidents = _incidents(rng, p, incident_share)
    if not dirty:
        incidents = incidents.drop_duplicates(ignore_index=True)
    population = _population(p)
    qual = _qualitative(rng, p)
    iccs = pd.DataFrame([(label, code) for label, (_, code) in p.offences.items()],
                        columns=["offence", "iccs_code"])
    return CityData(p, survey, incidents, population, qual, iccs)


def large_sample(n: int, seed: int = 1, n_strata: int = 50, n_psu: int = 2000, n_indicators: int = 30) -> pd.DataFrame:
    """A large synthetic design for benchmarks (never committed).

    ``n`` respondents in ``n_strata`` strata and ``n_psu`` PSUs (PSUs nested
    in strata), sex, age_group, area (a PSU attribute, 20 levels) and
    ``n_indicators`` binary 0/1 indicators with ~3% missing and a PSU effect.

    Examples
    --------
    >>> large_sample(1000).shape
    (1000, 36)
    """
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, n_psu, n)
    stratum = psu % n_strata
    area = (psu // n_strata) % 20
    w = (1 + stratum / n_strata) * rng.lognormal(0, 0.3, n) * 100
    df = pd.DataFrame({"weight": w, "stratum": stratum, "psu": psu,
                       "sex": rng.choice(["male", "female"], n),
                       "age_group": rng.choice(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"], n),
                       "area": [f"A{a:02d}" for a in area]})
    eff = rng.normal(0, 0.5, n_psu)[psu]
    for k in range(n_indicators):
        p = logistic(-1.5 + 0.1 * k + eff)
        y = (rng.random(n) < p).astype(float)
        y[rng.random(n) < 0.03] = np.nan
        df[f"ind{k:02d}"] = y
    return df
