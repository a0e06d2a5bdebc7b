"""The new-city tutorial's example export: a synthetic survey of a fictional city, Vila Nova.

It is exported as a foreign statistics office might: an SPSS ``.sav`` file
with Portuguese column names and question texts, its own numeric codes and
value labels (some scales in reverse order), SPSS *user-missing* codes for
"don't know" / "refused" (8/9 for answers, 98/99 for counts, 999 for age) and
system-missing for questions not asked, PSUs but no strata, an interviewer
column and free text; police records and census population as
``;``-delimited CSV. It covers a subset of the questionnaire, as a real
survey would. The answers come from :mod:`usg_research.sources.synth` with a seed, so
the files are the same on every machine; every name says ``SYNTHETIC``.

Examples
--------
>>> import tempfile, pathlib
>>> paths = write_example_export(pathlib.Path(tempfile.mkdtemp()), n=120)
>>> sorted(p.name for p in paths)
['ocorrencias_SYNTHETIC.csv', 'populacao_SYNTHETIC.csv', 'vilanova_SYNTHETIC.sav']
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from ..sources.synth import generate_city
from ..sources.synth_profiles import PROFILES, SYNTHETIC_NOTICE, CityData, CityProfile

SURVEY_FILE = "vilanova_SYNTHETIC.sav"
INCIDENTS_FILE = "ocorrencias_SYNTHETIC.csv"
POPULATION_FILE = "populacao_SYNTHETIC.csv"

PROFILE: CityProfile = dataclasses.replace(
    PROFILES["mathare"], name="vilanova", seed=20230515, population=184_300, census_year=2022, survey_year=2023,
    areas=("Centro", "Jardim", "Alto da Serra", "Beira-Rio", "São José", "Vale Verde"),
    area_share=(0.14, 0.18, 0.2, 0.16, 0.17, 0.15), n_respondents=720, psu_per_area=10,
    incident_years=(2020, 2021, 2022, 2023),
    offences={"Homicídio": (9.0, "0101"), "Ofensa corporal": (120.0, "02011"), "Violação": (10.0, "03011"),
              "Roubo": (160.0, "0401"), "Furto": (210.0, "0502"), "Furto em residência": (55.0, "05012"),
              "Burla": (30.0, "0701"), "Tráfico de droga": (25.0, "0601"), "Desordem pública": (40.0, "0803")},
    centre=(-25.95, 32.58),
)

# answer scales as Vila Nova's questionnaire codes them: code -> (label, canonical code)
_YESNO = {1: ("Sim", "yes"), 2: ("Não", "no")}
_SCALES: dict[str, dict[int, tuple[str, str]]] = {
    "yesno": _YESNO,
    "sex": {1: ("Masculino", "male"), 2: ("Feminino", "female")},
    "education": {1: ("Nenhum", "none"), 2: ("Primário", "primary"), 3: ("Secundário", "secondary"),
                  4: ("Superior", "tertiary")},
    # code 6 is the questionnaire's own category (informal work): no canonical label says so
    "employment": {1: ("Empregado(a)", "employed"), 2: ("Desempregado(a)", "unemployed"),
                   3: ("Estudante", "student"), 4: ("Doméstica", "homemaker"), 5: ("Reformado(a)", "retired"),
                   6: ("Biscateiro / trabalho informal", "employed"), 7: ("Outro", "other")},
    # code 5 is worded as the questionnaire words it, not as a known label
    "safety": {1: ("Muito seguro(a)", "very_safe"), 2: ("Seguro(a)", "safe"), 3: ("Inseguro(a)", "unsafe"),
               4: ("Muito inseguro(a)", "very_unsafe"), 5: ("Não sai sozinho(a)", "never_alone")},
    "trend5": {1: ("Aumentou muito", "increased_lot"), 2: ("Aumentou um pouco", "increased_little"),
               3: ("Ficou igual", "same"), 4: ("Diminuiu um pouco", "decreased_little"),
               5: ("Diminuiu muito", "decreased_lot")},
    "trust4": {1: ("Nenhuma", "none"), 2: ("Pouca", "little"), 3: ("Alguma", "some"), 4: ("Muita", "a_lot")},
    "sat4": {1: ("Muito satisfeito(a)", "very_satisfied"), 2: ("Satisfeito(a)", "satisfied"),
             3: ("Insatisfeito(a)", "dissatisfied"), 4: ("Muito insatisfeito(a)", "very_dissatisfied")},
    "say5": {1: ("Nada", "not_at_all"), 2: ("Muito pouco", "very_little"), 3: ("Algum", "some"),
             4: ("Muito", "a_lot"), 5: ("Muitíssimo", "great_deal")},
    "noreport_reason": {1: ("Perda de tempo", "waste_of_time"), 2: ("Desconfiança da polícia", "distrust"),
                        3: ("Medo de represálias", "fear_reprisal"), 4: ("Não foi grave", "not_serious"),
                        5: ("Resolveu sozinho", "solved_privately"), 6: ("Não sabia como", "didnt_know_how"),
                        7: ("Custo ou distância", "cost_distance"), 8: ("Medo de pagar suborno", "fear_bribe"),
                        9: ("Outro", "other")},
}
MISSING_ANSWER = {"dk": (98, "Não sabe"), "refused": (99, "Não respondeu")}
MISSING_SMALL = {"dk": (8, "Não sabe"), "refused": (9, "Não respondeu")}  # scales with fewer than 8 codes
AGE_DK = 999

#: (column, canonical variable, scale or kind, question text)
QUESTIONNAIRE: tuple[tuple[str, str | None, str, str], ...] = (
    ("n_quest", "resp_id", "id", "Número do questionário"),
    ("entrevistador", None, "interviewer", "Código do entrevistador"),
    ("data_entrevista", "interview_date", "date", "Data da entrevista"),
    ("bairro", "area", "text", "Bairro"),
    ("ua", "psu", "text", "Unidade de amostragem (secção censitária)"),
    ("peso", "weight", "float", "Peso de expansão"),
    ("nome", "respondent_name", "text", "Nome do(a) entrevistado(a)"),
    ("telefone", "phone", "text", "Telefone de contacto"),
    ("sexo", "sex", "sex", "Sexo"),
    ("idade", "age", "age", "Idade em anos completos"),
    ("escolaridade", "education", "education", "Nível de escolaridade mais alto concluído"),
    ("ocupacao", "employment", "employment", "Ocupação principal"),
    ("p10", "safe_night", "safety", "Quão seguro(a) se sente a andar sozinho(a) no bairro depois de escurecer?"),
    ("p11", "safe_day", "safety", "Quão seguro(a) se sente a andar sozinho(a) no bairro durante o dia?"),
    ("p12", "crime_trend", "trend5", "Nos últimos 12 meses, a criminalidade no bairro..."),
    ("p20", "vict_burglary_12m", "yesno", "Nos últimos 12 meses, a sua casa foi assaltada?"),
    ("p20a", "n_burglary_12m", "count", "Quantas vezes?"),
    ("p21", "vict_robbery_12m", "yesno", "Nos últimos 12 meses, foi vítima de roubo com violência ou ameaça?"),
    ("p21a", "n_robbery_12m", "count", "Quantas vezes?"),
    ("p22", "vict_theft_12m", "yesno", "Nos últimos 12 meses, foi vítima de furto (sem violência)?"),
    ("p22a", "n_theft_12m", "count", "Quantas vezes?"),
    ("p23", "vict_assault_12m", "yesno", "Nos últimos 12 meses, foi agredido(a) fisicamente?"),
    ("p23a", "n_assault_12m", "count", "Quantas vezes?"),
    ("p24", "vict_threat_12m", "yesno", "Nos últimos 12 meses, foi ameaçado(a)?"),
    ("p24a", "n_threat_12m", "count", "Quantas vezes?"),
    ("p30", "report_police", "yesno", "Participou o último crime à polícia?"),
    ("p31", "investigation_opened", "yesno", "Foi aberto um processo?"),
    ("p32", "noreport_reason", "noreport_reason", "Porque não participou à polícia?"),
    ("p33", None, "text", "Outro motivo (especifique)"),
    ("p40", "viol_phys_12m", "yesno", "Nos últimos 12 meses, sofreu violência física?"),
    ("p41", "viol_sex_12m", "yesno", "Nos últimos 12 meses, sofreu violência sexual?"),
    ("p50", "trust_police", "trust4", "Quanta confiança tem na polícia?"),
    ("p51", "trust_courts", "trust4", "Quanta confiança tem nos tribunais?"),
    ("p52", "trust_local_govt", "trust4", "Quanta confiança tem no governo municipal?"),
    ("p60", "contact_police", "yesno", "Nos últimos 12 meses, teve contacto com a polícia?"),
    ("p61", "bribe_asked_police", "yesno", "Algum agente lhe pediu dinheiro ou um presente?"),
    ("p62", "bribe_paid_police", "yesno", "Deu dinheiro ou um presente a um agente?"),
    ("p70", "used_health", "yesno", "Nos últimos 12 meses, usou um centro de saúde público?"),
    ("p71", "sat_serv_health", "sat4", "Quão satisfeito(a) ficou com o atendimento?"),
    ("p80", "say_in_govt", "say5", "Pessoas como eu têm voz no que o governo municipal faz."),
)


def _code(value: str, scale: dict[int, tuple[str, str]], missing: dict[str, tuple[int, str]],
          alt: int | None, rng_draw: float, alt_share: float) -> float:
    if value == "na":
        return np.nan
    if value in missing:
        return float(missing[value][0])
    codes = [k for k, (_, c) in scale.items() if c == value]
    if alt is not None and value == scale[alt][1] and rng_draw < alt_share:
        return float(alt)
    return float(codes[0])


def export_survey(data: CityData, path: Path) -> Path:
    """Write the survey of ``data`` as Vila Nova's SPSS file (see the module docstring)."""
    import pyreadstat

    s = data.survey.copy()
    # the questionnaire asks about five crimes: the reporting questions follow only from those
    asked = [var for _, var, _, _ in QUESTIONNAIRE if var]
    victim = s[[v for v in asked if v.startswith("vict_")]].eq("yes").any(axis=1)
    for v in ("report_police", "investigation_opened", "noreport_reason"):
        s.loc[~victim, v] = "na"
    rng = np.random.default_rng(data.profile.seed + 7)
    n = len(s)
    cols: dict[str, object] = {}
    value_labels: dict[str, dict[float, str]] = {}
    missing_ranges: dict[str, list[float]] = {}
    column_labels: list[str] = []
    for col, var, kind, question in QUESTIONNAIRE:
        column_labels.append(question)
        if kind == "id":
            cols[col] = np.arange(1, n + 1, dtype=float) + 1000.0
        elif kind == "interviewer":
            cols[col] = rng.integers(1, 13, n).astype(float)
        elif kind == "date":
            cols[col] = [pd.Timestamp(x).date() for x in s[var]]
        elif kind == "text":
            if var is None:  # free text of the "other reason": PII-like, never mapped
                other = s["noreport_reason"].eq("other").to_numpy()
                cols[col] = np.where(other & (rng.random(n) < 0.5), "o vizinho conhece o ladrão", "")
            elif var == "psu":
                cols[col] = [f"VN{p}" for p in s["psu"]]
            else:
                cols[col] = s[var].astype(str).to_numpy()
        elif kind == "float":
            cols[col] = s[var].to_numpy(dtype=float)
        elif kind == "age":
            age = s[var].to_numpy(dtype=float)
            cols[col] = np.where(age < 0, AGE_DK, age)
            value_labels[col] = {float(AGE_DK): "Não sabe"}
            missing_ranges[col] = [float(AGE_DK)]
        elif kind == "count":
            x = s[var].to_numpy(dtype=float)
            cols[col] = np.where(x == -1, np.nan, np.where(x < 0, 98.0, x))
            value_labels[col] = {98.0: "Não sabe", 99.0: "Não respondeu"}
            missing_ranges[col] = [98.0, 99.0]
        else:
            scale = _SCALES[kind]
            missing = MISSING_ANSWER if max(scale) >= 8 else MISSING_SMALL
            alt = 6 if kind == "employment" else None
            draws = rng.random(n)
            cols[col] = [_code(v, scale, missing, alt, d, 0.35) for v, d in zip(s[var], draws, strict=True)]
            value_labels[col] = {float(k): lab for k, (lab, _) in scale.items()}
            value_labels[col].update({float(c): lab for c, lab in missing.values()})
            missing_ranges[col] = [float(c) for c, _ in missing.values()]
    df = pd.DataFrame(cols)
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(df, str(path), file_label=f"{SYNTHETIC_NOTICE} (Vila Nova is fictional)",
                         column_labels=column_labels, variable_value_labels=value_labels,
                         missing_ranges=missing_ranges)
    return path


def export_incidents(data: CityData, path: Path) -> Path:
    """Write the police records as ``;``-delimited CSV (day-first date-times, no coordinates)."""
    inc = data.incidents.drop_duplicates(ignore_index=True)
    out = pd.DataFrame({"n_registo": [f"PRM-{i + 1:06d}" for i in range(len(inc))],
                        "data_hora": inc["occurred"].dt.strftime("%d/%m/%Y %H:%M"),
                        "bairro": inc["area"], "natureza": inc["offence"]})
    out.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return path


def export_population(data: CityData, path: Path) -> Path:
    """Write the census population (area x sex x five-year group) as ``;``-delimited CSV."""
    pop = data.population
    out = pd.DataFrame({"bairro": pop["area"], "sexo": pop["sex"].map({"male": "Homens", "female": "Mulheres"}),
                        "faixa_etaria": pop["age_group"], "populacao": pop["population"]})
    out.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return path


def example_data(n: int | None = None) -> CityData:
    """Vila Nova's synthetic canonical tables (clean: the tutorial is about mapping, not cleaning)."""
    return generate_city(PROFILE, n=n, dirty=False, incident_share=1.0)


def write_example_export(folder: str | Path, n: int | None = None) -> list[Path]:
    """Write the example export (survey ``.sav``, police records, population) into ``folder``.

    Returns the paths written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = example_data(n)
    return [export_survey(data, folder / SURVEY_FILE), export_incidents(data, folder / INCIDENTS_FILE),
            export_population(data, folder / POPULATION_FILE)]


__all__ = ["PROFILE", "QUESTIONNAIRE", "example_data", "write_example_export"]
