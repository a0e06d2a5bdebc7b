"""The synthetic household survey of a city profile: its design (strata, clustered PSUs, non-response
weights), correlated answers with skip patterns, and the controlled dirty values cleaning must handle.

Examples
--------
>>> import numpy as np
>>> from usg_research.sources.synth_profiles import PROFILES
>>> df = draw_survey(np.random.default_rng(1), PROFILES["mathare"], 300)
>>> len(df) >= 300, {"weight", "stratum", "psu"} <= set(df.columns)
(True, True)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ingest.schema import (
    COHESION_ASPECTS,
    CORRUPT_INSTITUTIONS,
    CRIMES,
    FEAR_BEHAVIOURS,
    OFFICIALS,
    PARTICIPATION,
    RESPONDENT,
    SCALES,
    SERVICE_ATTRIBUTES,
    SERVICES,
    SUBSTANCES,
    TOP_CRIMES,
    TRUST_INSTITUTIONS,
    UNSAFE_PLACES,
    VAWG_FORMS,
    WITNESSED,
    YOUTH_FACTORS,
    YOUTH_MAX_AGE,
)
from .synth_profiles import CityProfile


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _ordinal(rng: np.random.Generator, eta: np.ndarray, cuts: tuple[float, ...], codes: tuple[str, ...]) -> np.ndarray:
    """Ordinal answers: latent ``eta`` + logistic noise cut at ``cuts`` (codes[0] = lowest latent)."""
    latent = eta + rng.logistic(size=eta.shape)
    return np.asarray(codes, dtype=object)[np.searchsorted(np.asarray(cuts), latent)]


def _yn(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "yes", "no").astype(object)


def _sprinkle(rng: np.random.Generator, col: np.ndarray, share: float, code: str) -> None:
    """Replace a share of answered cells with a missing code, in place."""
    answered = np.flatnonzero(col != "na")
    k = int(round(share * len(answered)))
    if k:
        col[rng.choice(answered, size=k, replace=False)] = code


def _design(rng: np.random.Generator, p: CityProfile, n: int) -> pd.DataFrame:
    """Stratified two-stage design: strata = areas, PSUs within, respondents within PSUs."""
    share = np.asarray(p.area_share) / np.sum(p.area_share)
    n_area = np.maximum(np.round(share * n).astype(int), p.psu_per_area * 2)
    n_area[-1] += max(0, n - n_area.sum())
    rows = []
    for a, (area, na) in enumerate(zip(p.areas, n_area, strict=True)):
        per_psu = np.full(p.psu_per_area, na // p.psu_per_area)
        per_psu[: na % p.psu_per_area] += 1
        for j, k in enumerate(per_psu):
            rows.append((a, area, j, int(k)))
    adults = p.population * 0.68
    recs = []
    for a, area, j, k in rows:
        # achieved interviews vary with non-response: weights vary across PSUs and people
        resp_rate = float(np.clip(rng.normal(0.72, 0.1), 0.4, 0.95))
        base = adults * share[a] / n_area[a]
        w = base / resp_rate * rng.lognormal(0.0, 0.25, size=k)
        for i in range(k):
            recs.append((a, area, f"{a + 1:02d}", f"{a + 1:02d}{j + 1:03d}", w[i]))
    df = pd.DataFrame(recs, columns=["area_idx", "area", "stratum", "psu", "weight"])
    df["weight"] = df["weight"].round(3)
    return df


#: Invented names for the identifying columns that cleaning must drop.
_NAMES = {
    "iztapalapa": (["Ana", "Juan", "María", "Luis", "Rosa", "José"], ["García", "Hernández", "López", "Martínez"]),
    "mathare": (["Grace", "Peter", "John", "Aisha", "Mary", "Brian"], ["Otieno", "Wanjiru", "Mwangi", "Achieng"]),
    "tashkent": (["Дилноза", "Рустам", "Нигора", "Бахтиёр", "Шахноза"], ["Каримова", "Усмонов", "Юсупов", "Азимова"]),
}


def draw_survey(rng: np.random.Generator, p: CityProfile, n: int, dirty: bool = True) -> pd.DataFrame:
    d = _design(rng, p, n)
    n = len(d)
    psu_codes, psu_idx = np.unique(d["psu"], return_inverse=True)
    psu_eff = rng.normal(0, 0.45, size=len(psu_codes))[psu_idx]
    area_eff = rng.normal(0, 0.35, size=len(p.areas))[d["area_idx"].to_numpy()]
    risk = psu_eff + area_eff
    female = rng.random(n) < 0.52
    # age: mixture giving the profile's share of young adults
    young = rng.random(n) < p.young
    age = np.where(young, rng.integers(18, 36, n), np.clip(np.round(36 + rng.gamma(2.0, 9.0, n)), 36, 92))
    age = age.astype(int)
    youth = age <= 24
    out: dict[str, np.ndarray] = {
        "resp_id": np.array([f"{p.name[:3].upper()}-{i + 1:05d}" for i in range(n)], dtype=object),
        "weight": d["weight"].to_numpy(), "stratum": d["stratum"].to_numpy(dtype=object),
        "psu": d["psu"].to_numpy(dtype=object), "area": d["area"].to_numpy(dtype=object),
    }
    start = pd.Timestamp(f"{p.survey_year}-09-01")
    out["interview_date"] = (start + pd.to_timedelta(rng.integers(0, 61, n), unit="D")).to_numpy()
    first, last = (np.array(x) for x in _NAMES.get(p.name, _NAMES["mathare"]))
    given, family = first[rng.integers(0, len(first), n)], last[rng.integers(0, len(last), n)]
    out["respondent_name"] = (given + " " + family).astype(object)
    out["phone"] = np.array([f"+{rng.integers(10**10, 10**11)}" for _ in range(n)], dtype=object)
    out["gps_lat"] = np.round(p.centre[0] + rng.normal(0, 0.01, n), 6)
    out["gps_lon"] = np.round(p.centre[1] + rng.normal(0, 0.01, n), 6)
    days_old = age * 365.25 + rng.integers(0, 365, n)
    out["birth_date"] = (pd.Timestamp(f"{p.survey_year}-06-30") - pd.to_timedelta(days_old, unit="D")).to_numpy()
    out["other_text"] = np.where(rng.random(n) < 0.05, "lives near the market, call after 6pm", "").astype(object)
    out["sex"] = np.where(female, "female", "male").astype(object)
    out["age"] = age
    edu = _ordinal(rng, 0.8 * (age < 40) + 0.4 * p.services / 2, (-1.5, 0.3, 2.2), SCALES["education"])
    out["education"] = edu
    emp = np.where(youth & (rng.random(n) < 0.35), "student",
                   np.where(age >= 62, "retired",
                            np.where(female & (rng.random(n) < 0.25), "homemaker",
                                     np.where(rng.random(n) < (0.25 - 0.05 * p.services), "unemployed",
                                              np.where(rng.random(n) < 0.06, "other", "employed")))))
    out["employment"] = emp.astype(object)
    out["disability"] = _yn(rng.random(n) < 0.04 + 0.002 * np.maximum(age - 50, 0))
    out["hh_size"] = 1 + rng.poisson(3.2 - 0.3 * p.services / 2, n)

    # victimisation (personal and household), clustered by PSU and area
    vict_any = np.zeros(n, dtype=bool)
    counts = {}
    for c in CRIMES:
        eta = _logit(p.vict[c]) + 0.8 * risk + 0.3 * youth - 0.2 * (age > 60)
        if c == "sexual":
            eta = eta + 1.2 * female - 0.6
        v = rng.random(n) < logistic(eta)
        counts[c] = np.where(v, 1 + rng.poisson(0.45, n) + (rng.random(n) < 0.01) * 6, 0)
        out[f"vict_{c}_12m"] = _yn(v)
        out[f"n_{c}_12m"] = np.where(v, counts[c], -1)  # -1 = not asked
        vict_any |= v

    # perception of safety: victims and women feel less safe
    eta_night = p.unsafe + 0.7 * female + 0.9 * vict_any + 0.6 * risk - 0.2 * youth
    night = _ordinal(rng, eta_night, (-1.6, 0.4, 2.0), ("very_safe", "safe", "unsafe", "very_unsafe"))
    never = rng.random(n) < 0.02 + 0.06 * (age > 65) + 0.02 * female
    out["safe_night"] = np.where(never, "never_alone", night).astype(object)
    out["safe_day"] = _ordinal(rng, eta_night - 1.8, (-1.6, 0.4, 2.0), ("very_safe", "safe", "unsafe", "very_unsafe"))
    out["safe_home_night"] = _ordinal(rng, eta_night - 1.2, (-1.6, 0.4, 2.0),
                                      ("very_safe", "safe", "unsafe", "very_unsafe"))
    unsafe_night = np.isin(out["safe_night"], ["unsafe", "very_unsafe"])
    for i, place in enumerate(UNSAFE_PLACES):
        out[f"unsafe_place_{place}"] = _yn(rng.random(n) < logistic(p.unsafe - 0.6 - 0.25 * i + 0.9 * unsafe_night))
    out["crime_trend"] = _ordinal(rng, -(0.5 * p.unsafe + 0.5 * vict_any + risk * 0.3), (-1.2, 0.2, 1.8, 3.0),
                                  SCALES["trend5"])
    top_base = {"mugging": 0.5, "burglary": 0.2, "robbery": 0.4, "assault": 0.2, "murder": 0.08, "sexual": 0.1,
                "fraud": 0.1, "drugs": 0.2, "extortion": 0.1}
    if p.name == "tashkent":
        top_base.update(fraud=0.55, mugging=0.15, drugs=0.05, murder=0.02)
    if p.name == "mathare":
        top_base.update(mugging=0.65, murder=0.2, sexual=0.3, drugs=0.45)
    for c in TOP_CRIMES:
        out[f"top_crime_{c}"] = _yn(rng.random(n) < top_base[c])
    for i, b in enumerate(FEAR_BEHAVIOURS):
        out[f"fear_behav_{b}"] = _yn(rng.random(n) < logistic(-0.4 - 0.4 * i + 0.9 * unsafe_night + 0.3 * female))
    out["worry_robbery"] = _yn(rng.random(n) < logistic(0.3 + 0.8 * unsafe_night + 0.5 * vict_any))
    out["worry_sexual"] = _yn(rng.random(n) < logistic(-1.5 + 1.5 * female + 0.5 * unsafe_night))

    # last incident, reporting and its skip pattern
    crime_arr = np.array(CRIMES, dtype=object)
    victim_of = np.stack([out[f"vict_{c}_12m"] == "yes" for c in CRIMES], axis=1)
    pick = np.argmax(victim_of * rng.random(victim_of.shape), axis=1)
    na = np.full(n, "na", dtype=object)
    out["last_crime"] = np.where(vict_any, crime_arr[pick], na)
    places = np.array(["home", "street", "public_transport", "market", "work_school", "online", "other"], dtype=object)
    place_p = np.array([0.2, 0.4, 0.12, 0.12, 0.08, 0.05, 0.03])
    out["last_place"] = np.where(vict_any, rng.choice(places, n, p=place_p), na)
    out["last_time"] = np.where(vict_any, rng.choice(np.array(SCALES["timeofday"], dtype=object), n,
                                                     p=[0.2, 0.25, 0.3, 0.25]), na)
    serious = np.isin(out["last_crime"], ["robbery", "assault", "sexual", "vehicle_theft", "burglary"])
    rep = vict_any & (rng.random(n) < logistic(_logit(p.report) + 0.7 * serious + 0.4 * (p.trust > 0)))
    oth = vict_any & (rng.random(n) < p.report_other)
    out["report_police"] = np.where(vict_any, _yn(rep), na)
    out["report_other"] = np.where(vict_any, _yn(oth), na)
    channel_other = np.array(["chief_elder", "community_leader", "other"], dtype=object)
    out["report_channel"] = np.where(rep, "police", np.where(oth, channel_other[rng.integers(0, 3, n)], na))
    out["investigation_opened"] = np.where(rep, _yn(rng.random(n) < 0.55), na)
    reasons = np.array(SCALES["noreport_reason"], dtype=object)
    rp = np.array([0.33, 0.17, 0.1, 0.12, 0.06, 0.07, 0.04, 0.06, 0.05])
    out["noreport_reason"] = np.where(vict_any & ~rep, rng.choice(reasons, n, p=rp), na)
    out["sat_report_handling"] = np.where(rep, _ordinal(rng, -p.trust + np.zeros(n), (-1.5, 0.3, 1.8),
                                                        SCALES["sat4"]), na)

    # violence and harassment
    out["viol_phys_12m"] = _yn(rng.random(n) < logistic(-3.0 + 0.6 * risk + 0.3 * youth + p.vawg * 0.3))
    out["viol_psy_12m"] = _yn(rng.random(n) < logistic(-2.4 + 0.6 * risk + 0.2 * female))
    out["viol_sex_12m"] = _yn(rng.random(n) < logistic(-4.2 + 1.6 * female + 0.5 * risk + 0.3 * p.vawg))
    h_phys = rng.random(n) < logistic(-2.6 + 0.4 * female + 0.5 * risk)
    h_sex = rng.random(n) < logistic(-3.2 + 1.8 * female + 0.4 * risk + 0.3 * youth)
    out["harass_phys_12m"], out["harass_sex_12m"] = _yn(h_phys), _yn(h_sex)
    hp = np.array([0.1, 0.42, 0.25, 0.1, 0.08, 0.05, 0.0])
    out["harass_place"] = np.where(h_phys | h_sex, rng.choice(places, n, p=hp / hp.sum()), na)

    # trust: victims trust the police less
    trust_latent = rng.normal(0, 1.6, n)  # a general disposition to trust institutions
    for i, inst in enumerate(TRUST_INSTITUTIONS):
        eta = -(p.trust + trust_latent + 0.3 * i * (inst != "community_leaders") - 0.8 * vict_any * (inst == "police")
                + 0.3 * (inst == "community_leaders")) + 0.3 * risk
        out[f"trust_{inst}"] = _ordinal(rng, eta, (-1.2, 0.5, 1.8), SCALES["trust4"])
    out["sat_police_perf"] = _ordinal(rng, -p.trust + 0.6 * vict_any, (-2.0, -0.5, 1.0, 2.2), SCALES["perf5"])

    # corruption: asked/paid only for contact holders
    for i, o in enumerate(OFFICIALS):
        contact = rng.random(n) < (0.35 - 0.04 * i)
        asked = contact & (rng.random(n) < p.bribe * (1.3 if o == "police" else 1.0))
        paid = asked & (rng.random(n) < 0.55) | contact & (rng.random(n) < 0.02)
        out[f"contact_{o}"] = _yn(contact)
        out[f"bribe_asked_{o}"] = np.where(contact, _yn(asked), na)
        out[f"bribe_paid_{o}"] = np.where(contact, _yn(paid), na)
    for i, inst in enumerate(CORRUPT_INSTITUTIONS):
        out[f"perc_corrupt_{inst}"] = _ordinal(rng, _logit(p.bribe) + 1.5 - 0.3 * i + 0.2 * risk, (-1.0, 0.8, 2.4),
                                               SCALES["corrupt4"])
    for s in SUBSTANCES:
        out[f"subst_{s}"] = _yn(rng.random(n) < p.substances[s])
    for i, w in enumerate(WITNESSED):
        out[f"witness_{w}"] = _yn(rng.random(n) < logistic(p.drugs - 0.5 - 0.3 * i + 0.8 * risk))
    out["drug_problem"] = _ordinal(rng, -(p.drugs + 0.5 * risk), (-1.0, 0.6, 2.0), SCALES["serious4"])
    for i, f in enumerate(VAWG_FORMS):
        out[f"vawg_form_{f}"] = _yn(rng.random(n) < logistic(p.vawg - 0.8 - 0.3 * i + 0.3 * female))
    out["vawg_trend"] = _ordinal(rng, np.full(n, 0.3 if p.name == "mathare" else -0.2), (-1.0, 0.8),
                                 SCALES["trend3"])
    for i, s in enumerate(SERVICES):
        out[f"srv_{s}"] = _yn(rng.random(n) < logistic(p.services + 0.6 - 0.3 * i - 0.5 * risk))
    for svc, attrs in SERVICE_ATTRIBUTES.items():
        used = rng.random(n) < (0.55 if svc == "health" else 0.4)
        out[f"used_{svc}"] = _yn(used)
        sat_eta = -(0.4 + 0.3 * p.services) + 0.4 * risk
        out[f"sat_serv_{svc}"] = np.where(used, _ordinal(rng, sat_eta, (-1.4, 0.6, 2.0), SCALES["sat4"]), na)
        for j, a in enumerate(attrs):
            out[f"{svc}_attr_{a}"] = np.where(used, _ordinal(rng, sat_eta + 0.15 * j, (-1.4, 0.6, 2.0),
                                                             SCALES["agree4"]), na)
    say_eta = 0.3 * p.trust - 0.2 + 0.2 * (1 - female)
    out["say_in_govt"] = _ordinal(rng, say_eta, (-1.0, 0.2, 1.5, 2.8), SCALES["say5"])
    out["influence_politics"] = _ordinal(rng, say_eta - 0.3, (-1.0, 0.2, 1.5, 2.8), SCALES["say5"])
    for i, pt in enumerate(PARTICIPATION):
        out[f"partic_{pt}"] = _yn(rng.random(n) < logistic(-0.9 - 0.5 * i + 0.2 * (age > 35)))
    cohesion = rng.normal(0, 2.2, n) - 0.4 * risk
    for i, c in enumerate(COHESION_ASPECTS):
        out[f"cohesion_{c}"] = _ordinal(rng, -(cohesion + 0.3) + 0.1 * i, (-1.5, 0.4, 2.0), SCALES["agree4"])
    out["discrim_12m"] = _yn(rng.random(n) < 0.12)
    is_youth35 = age <= YOUTH_MAX_AGE
    for y in YOUTH_FACTORS:
        base = {"in_school": 0.3, "gang_exposure": 0.15 + 0.1 * (p.drugs > 0), "youth_facilities": 0.35}[y]
        out[f"youth_{y}"] = np.where(is_youth35, _yn(rng.random(n) < base + 0.2 * youth * (y == "in_school")), na)

    # ordinary item non-response: don't know / refused
    for col in ("safe_night", "crime_trend", "trust_police", "trust_courts", "trust_local_govt", "sat_police_perf",
                "say_in_govt", "influence_politics", "drug_problem", "vawg_trend", "perc_corrupt_police",
                "cohesion_trust_neighbours"):
        _sprinkle(rng, out[col], 0.03, "dk")
        _sprinkle(rng, out[col], 0.005, "refused")
    df = pd.DataFrame({v.name: out[v.name] for v in RESPONDENT.variables})
    return _dirty(rng, df, p) if dirty else df


def _dirty(rng: np.random.Generator, df: pd.DataFrame, p: CityProfile) -> pd.DataFrame:
    """A controlled set of defects that the city's codebook policy tells cleaning to handle."""
    df = df.copy()
    n = len(df)
    # respondents under 18 interviewed by mistake (outside the target population: excluded)
    under = rng.choice(n, 4, replace=False)
    df.loc[under, "age"] = [16, 17, 17, 15]
    # age unknown (numeric missing code)
    rest = np.setdiff1d(np.arange(n), under)
    df.loc[rng.choice(rest, 3, replace=False), "age"] = -7  # replaced by the city's numeric missing code on export
    # non-victims with a reporting answer (skip-pattern violations: set missing)
    nonvict = np.flatnonzero(df["last_crime"].to_numpy() == "na")
    bad = rng.choice(nonvict, 6, replace=False)
    df.loc[bad, "report_police"] = "no"
    # interview dates outside the fieldwork window (set missing)
    df.loc[rng.choice(n, 2, replace=False), "interview_date"] = pd.Timestamp(f"{p.survey_year - 1}-01-15")
    # double-entered questionnaires (exact duplicates: the first is kept)
    dup = df.iloc[rng.choice(n, 3, replace=False)]
    df = pd.concat([df, dup], ignore_index=True)
    order = rng.permutation(len(df))
    return df.iloc[np.sort(order)].reset_index(drop=True)
