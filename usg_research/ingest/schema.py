"""The canonical USGA schema: tables, variables, answer scales and missing codes.

Everything downstream (codebooks, validation, cleaning, indicators) reads the
declarations in this module; nothing else defines a variable name or a code.
Canonical codes are short lower-case strings (``"very_safe"``); a city's own
numeric or labelled codes are mapped onto them by its codebook
(:mod:`usg_research.ingest.codebook`).

Examples
--------
>>> from usg_research.ingest.schema import RESPONDENT, SCALES
>>> RESPONDENT["safe_night"].scale
'safety'
>>> SCALES["safety"][:2]
('very_safe', 'safe')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "float", "int", "date", "datetime", "cat"]

#: Missing-value codes, declared once. A codebook maps a city's own missing
#: codes (``98``, ``-1``, ``"NS/NC"`` ...) onto these; cleaning turns them into
#: missing values and counts each one in the cleaning log.
#: Replicate weights a codebook declares are kept in the respondent table as repw_001, repw_002 ...
REPLICATE_PREFIX = "repw_"

MISSING_CODES: dict[str, str] = {
    "dk": "Don't know",
    "refused": "Refused to answer",
    "na": "Not applicable / not asked",
}

#: Answer scales: ordered canonical codes. Order is the order of the answer
#: scale in figures (first = most positive where the scale has a direction).
SCALES: dict[str, tuple[str, ...]] = {
    "yesno": ("yes", "no"),
    "sex": ("male", "female"),
    "education": ("none", "primary", "secondary", "tertiary"),
    "employment": ("employed", "unemployed", "student", "homemaker", "retired", "other"),
    "safety": ("very_safe", "safe", "unsafe", "very_unsafe", "never_alone"),
    "trend5": ("increased_lot", "increased_little", "same", "decreased_little", "decreased_lot"),
    "trend3": ("increased", "same", "decreased"),
    "trust4": ("a_lot", "some", "little", "none"),
    "perf5": ("very_good", "good", "average", "bad", "very_bad"),
    "sat4": ("very_satisfied", "satisfied", "dissatisfied", "very_dissatisfied"),
    "agree4": ("strongly_agree", "agree", "disagree", "strongly_disagree"),
    "say5": ("not_at_all", "very_little", "some", "a_lot", "great_deal"),
    "corrupt4": ("none", "some", "most", "all"),
    "serious4": ("very_serious", "serious", "not_very", "not_at_all"),
    "place": ("home", "street", "public_transport", "market", "work_school", "online", "other"),
    "timeofday": ("morning", "afternoon", "evening", "night"),
    "crime": (
        "burglary", "vehicle_theft", "robbery", "theft", "assault",
        "threat", "sexual", "fraud", "extortion",
    ),
    "noreport_reason": (
        "waste_of_time", "distrust", "fear_reprisal", "not_serious",
        "solved_privately", "didnt_know_how", "cost_distance", "fear_bribe", "other",
    ),
    "report_channel": ("police", "chief_elder", "community_leader", "other"),
}

#: Crime types asked in the victimisation screener, split by unit of count.
HOUSEHOLD_CRIMES: tuple[str, ...] = ("burglary", "vehicle_theft")
PERSONAL_CRIMES: tuple[str, ...] = (
    "robbery", "theft", "assault", "threat", "sexual", "fraud", "extortion",
)
CRIMES: tuple[str, ...] = HOUSEHOLD_CRIMES + PERSONAL_CRIMES

UNSAFE_PLACES = ("public_transport", "street", "market", "atm", "park", "school")
TOP_CRIMES = ("mugging", "burglary", "robbery", "assault", "murder", "sexual", "fraud", "drugs", "extortion")
FEAR_BEHAVIOURS = ("valuables", "night_out", "children_out", "public_transport", "taxi")
TRUST_INSTITUTIONS = ("police", "courts", "local_govt", "community_leaders")
OFFICIALS = ("police", "courts", "health", "education", "local_admin", "utilities")
CORRUPT_INSTITUTIONS = ("police", "courts", "local_govt")
SUBSTANCES = ("alcohol", "illicit_brew", "cannabis", "heroin", "cocaine", "pills")
WITNESSED = ("drug_selling", "public_drinking", "drug_use", "gunshots", "gang")
VAWG_FORMS = ("physical", "sexual", "domestic", "harassment")
SERVICES = ("water", "sanitation", "refuse", "electricity", "lighting")
SERVICE_ATTRIBUTES = {
    "health": ("access", "afford", "facilities", "equal", "courtesy"),
    "govt": ("access", "afford", "equal", "simple", "timely"),
}
PARTICIPATION = ("meeting", "association", "policing_forum")
COHESION_ASPECTS = ("trust_neighbours", "help_each_other", "share_values", "intervene")
YOUTH_FACTORS = ("in_school", "gang_exposure", "youth_facilities")

#: Upper age (inclusive) of the youth module; its items are asked of 18-35 year olds.
YOUTH_MAX_AGE = 35

#: The questionnaire's item batteries as column names of the clean respondent table, in questionnaire
#: order: what a notebook passes to :func:`usg_research.estimate.shares.item_shares`.
UNSAFE_PLACE_ITEMS = tuple(f"unsafe_place_{p}" for p in UNSAFE_PLACES)
TOP_CRIME_ITEMS = tuple(f"top_crime_{c}" for c in TOP_CRIMES)
FEAR_ITEMS = tuple(f"fear_behav_{b}" for b in FEAR_BEHAVIOURS)
TRUST_ITEMS = tuple(f"trust_{i}" for i in TRUST_INSTITUTIONS)
#: Derived in cleaning: asked for or paid a bribe, among people who had contact with that official.
BRIBE_ITEMS = tuple(f"bribe_{o}" for o in OFFICIALS)
CORRUPTION_ITEMS = tuple(f"perc_corrupt_{i}" for i in CORRUPT_INSTITUTIONS)
SUBSTANCE_ITEMS = tuple(f"subst_{s}" for s in SUBSTANCES)
WITNESSED_ITEMS = tuple(f"witness_{w}" for w in WITNESSED)
VAWG_ITEMS = tuple(f"vawg_form_{f}" for f in VAWG_FORMS)
SERVICE_ITEMS = tuple(f"srv_{s}" for s in SERVICES)
PARTICIPATION_ITEMS = tuple(f"partic_{p}" for p in PARTICIPATION)
COHESION_ITEMS = tuple(f"cohesion_{c}" for c in COHESION_ASPECTS)
YOUTH_ITEMS = tuple(f"youth_{y}" for y in YOUTH_FACTORS)

#: Age bands used for disaggregation (the SDG 16.7.2 bands for adults).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("18-24", 18, 24), ("25-34", 25, 34), ("35-44", 35, 44),
    ("45-54", 45, 54), ("55-64", 55, 64), ("65+", 65, 130),
)
#: Five-year groups of the population table (census convention).
POP_AGE_GROUPS: tuple[str, ...] = tuple(
    f"{a}-{a + 4}" for a in range(0, 80, 5)
) + ("80+",)


@dataclass(frozen=True)
class Condition:
    """When a question is asked.

    Either any of ``variables`` has a code in ``codes``, or (``max_age`` set)
    the respondent is at most that old.
    """

    variables: tuple[str, ...]
    codes: frozenset[str]
    max_age: int | None = None

    def describe(self) -> str:
        if self.max_age is not None:
            return f"age <= {self.max_age}"
        joined = " or ".join(self.variables)
        return f"{joined} in {{{', '.join(sorted(self.codes))}}}"


def asked_if(*variables: str, codes: tuple[str, ...] = ("yes",)) -> Condition:
    """Declare a skip pattern: the question is asked only if the condition holds."""
    return Condition(tuple(variables), frozenset(codes))


@dataclass(frozen=True)
class Variable:
    """One canonical column.

    ``required`` columns must be present in every city's mapped export;
    ``pii`` columns may be read but are always dropped in cleaning;
    ``condition`` is the skip pattern (answered only when it holds).
    """

    name: str
    kind: Kind
    label: str
    module: str
    scale: str | None = None
    required: bool = False
    pii: bool = False
    range: tuple[float, float] | None = None
    condition: Condition | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return SCALES[self.scale] if self.scale else ()


@dataclass(frozen=True)
class Table:
    """A canonical table: ordered variables and the column that identifies a row."""

    name: str
    key: str | None
    variables: tuple[Variable, ...] = field(default_factory=tuple)

    def __getitem__(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"{name!r} is not a variable of the canonical {self.name} table")

    def __contains__(self, name: object) -> bool:
        return any(v.name == name for v in self.variables)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    @property
    def required(self) -> list[str]:
        return [v.name for v in self.variables if v.required]

    @property
    def pii(self) -> list[str]:
        return [v.name for v in self.variables if v.pii]


def _yn(name: str, label: str, module: str, **kw: object) -> Variable:
    return Variable(name, "cat", label, module, scale="yesno", **kw)  # type: ignore[arg-type]


def _respondent_variables() -> tuple[Variable, ...]:
    v: list[Variable] = [
        Variable("resp_id", "id", "Respondent identifier", "design", required=True),
        Variable("weight", "float", "Survey weight", "design", required=True, range=(0.0, 1e9)),
        Variable("stratum", "text", "Design stratum", "design"),
        Variable("psu", "text", "Primary sampling unit (cluster)", "design"),
        Variable("area", "text", "Sub-area (ward, colonia, mahalla)", "design", required=True),
        Variable("interview_date", "date", "Date of interview", "design"),
        # identifying columns: read if present, always dropped in cleaning
        Variable("respondent_name", "text", "Name of respondent", "pii", pii=True),
        Variable("phone", "text", "Telephone number", "pii", pii=True),
        Variable("gps_lat", "float", "GPS latitude of dwelling", "pii", pii=True),
        Variable("gps_lon", "float", "GPS longitude of dwelling", "pii", pii=True),
        Variable("birth_date", "date", "Exact date of birth", "pii", pii=True),
        Variable("other_text", "text", "Free-text 'other, specify' answer", "pii", pii=True),
        # profile
        Variable("sex", "cat", "Sex", "profile", scale="sex", required=True),
        Variable("age", "int", "Age in completed years", "profile", required=True, range=(18, 110)),
        Variable("education", "cat", "Highest level of education", "profile", scale="education"),
        Variable("employment", "cat", "Main activity", "profile", scale="employment"),
        _yn("disability", "Has a disability (Washington Group)", "profile"),
        Variable("hh_size", "int", "Household size", "profile", range=(1, 40)),
        # perception of safety (module 2)
        Variable("safe_night", "cat", "Safety walking alone in the area after dark", "safety", scale="safety"),
        Variable("safe_day", "cat", "Safety walking alone in the area during the day", "safety", scale="safety"),
        Variable("safe_home_night", "cat", "Safety at home at night", "safety", scale="safety"),
        *[_yn(f"unsafe_place_{p}", f"Feels unsafe: {p.replace('_', ' ')}", "safety") for p in UNSAFE_PLACES],
        Variable("crime_trend", "cat", "Perceived change in crime, last 12 months", "safety", scale="trend5"),
        *[_yn(f"top_crime_{c}", f"Named among most common crimes: {c}", "safety") for c in TOP_CRIMES],
        *[_yn(f"fear_behav_{b}", f"Changed behaviour for fear of crime: {b.replace('_', ' ')}", "safety")
          for b in FEAR_BEHAVIOURS],
        _yn("worry_robbery", "Worried about being robbed", "safety"),
        _yn("worry_sexual", "Worried about sexual assault", "safety"),
    ]
    # victimisation screeners (module 3)
    for c in CRIMES:
        v.append(_yn(f"vict_{c}_12m", f"Victim of {c.replace('_', ' ')} in the last 12 months", "victimisation"))
        v.append(Variable(f"n_{c}_12m", "int", f"Number of {c.replace('_', ' ')} incidents, 12 months",
                          "victimisation", range=(1, 99), condition=asked_if(f"vict_{c}_12m")))
    any_victim = asked_if(*[f"vict_{c}_12m" for c in CRIMES])
    v += [
        Variable("last_crime", "cat", "Crime type of the last incident", "incident", scale="crime",
                 condition=any_victim),
        Variable("last_place", "cat", "Place of the last incident", "incident", scale="place", condition=any_victim),
        Variable("last_time", "cat", "Time of day of the last incident", "incident", scale="timeofday",
                 condition=any_victim),
        _yn("report_police", "Last incident reported to the police", "reporting", condition=any_victim),
        _yn("report_other", "Last incident reported to another recognised mechanism", "reporting",
            condition=any_victim),
        Variable("report_channel", "cat", "Authority the last incident was reported to", "reporting",
                 scale="report_channel", condition=asked_if("report_police", "report_other")),
        _yn("investigation_opened", "An official investigation was opened", "reporting",
            condition=asked_if("report_police")),
        Variable("noreport_reason", "cat", "Main reason for not reporting", "reporting",
                 scale="noreport_reason", condition=asked_if("report_police", codes=("no",))),
        Variable("sat_report_handling", "cat", "Satisfaction with how the report was handled", "reporting",
                 scale="sat4", condition=asked_if("report_police")),
        # violence (SDG 16.1.3) and harassment (SDG 11.7.2), module 4
        _yn("viol_phys_12m", "Physical violence, last 12 months", "violence"),
        _yn("viol_psy_12m", "Psychological violence (threats), last 12 months", "violence"),
        _yn("viol_sex_12m", "Sexual violence, last 12 months", "violence"),
        _yn("harass_phys_12m", "Physical harassment, last 12 months", "violence"),
        _yn("harass_sex_12m", "Sexual harassment, last 12 months", "violence"),
        Variable("harass_place", "cat", "Place of the last harassment", "violence", scale="place",
                 condition=asked_if("harass_phys_12m", "harass_sex_12m")),
        # trust and institutions (module 6)
        *[Variable(f"trust_{i}", "cat", f"Trust in {i.replace('_', ' ')}", "trust", scale="trust4")
          for i in TRUST_INSTITUTIONS],
        Variable("sat_police_perf", "cat", "Rating of local police performance", "trust", scale="perf5"),
    ]
    # corruption (SDG 16.5.1), module 7
    for o in OFFICIALS:
        v.append(_yn(f"contact_{o}", f"Contact with {o.replace('_', ' ')} officials, 12 months", "corruption"))
        v.append(_yn(f"bribe_asked_{o}", f"Asked for a bribe by {o.replace('_', ' ')} officials", "corruption",
                     condition=asked_if(f"contact_{o}")))
        v.append(_yn(f"bribe_paid_{o}", f"Paid a bribe to {o.replace('_', ' ')} officials", "corruption",
                     condition=asked_if(f"contact_{o}")))
    v += [Variable(f"perc_corrupt_{i}", "cat", f"Officials involved in corruption: {i.replace('_', ' ')}",
                   "corruption", scale="corrupt4") for i in CORRUPT_INSTITUTIONS]
    # drugs and alcohol (module 8)
    v += [_yn(f"subst_{s}", f"Named among most used substances: {s.replace('_', ' ')}", "drugs")
          for s in SUBSTANCES]
    v += [_yn(f"witness_{w}", f"Witnessed near home: {w.replace('_', ' ')}", "drugs") for w in WITNESSED]
    v.append(Variable("drug_problem", "cat", "Drug and alcohol use as a local problem", "drugs", scale="serious4"))
    # violence against women and girls, perception (module 10)
    v += [_yn(f"vawg_form_{f}", f"Named among most common forms of VAWG: {f}", "vawg") for f in VAWG_FORMS]
    v.append(Variable("vawg_trend", "cat", "Perceived trend in violence against women", "vawg", scale="trend3"))
    # services (module 11, SDG 16.6.2)
    v += [_yn(f"srv_{s}", f"Household has access to {s}", "services") for s in SERVICES]
    for svc, attrs in SERVICE_ATTRIBUTES.items():
        used = f"used_{svc}"
        v.append(_yn(used, f"Used public {svc} services, 12 months", "services"))
        v.append(Variable(f"sat_serv_{svc}", "cat", f"Overall satisfaction with {svc} services", "services",
                          scale="sat4", condition=asked_if(used)))
        v += [Variable(f"{svc}_attr_{a}", "cat", f"{svc} services: {a}", "services", scale="agree4",
                       condition=asked_if(used)) for a in attrs]
    # participation and cohesion (module 12, SDG 16.7.2)
    v += [
        Variable("say_in_govt", "cat", "People like me have a say in what government does", "participation",
                 scale="say5"),
        Variable("influence_politics", "cat", "People like me can influence politics", "participation",
                 scale="say5"),
        *[_yn(f"partic_{p}", f"Took part: {p.replace('_', ' ')}, 12 months", "participation")
          for p in PARTICIPATION],
        *[Variable(f"cohesion_{c}", "cat", f"Cohesion: {c.replace('_', ' ')}", "participation", scale="agree4")
          for c in COHESION_ASPECTS],
        _yn("discrim_12m", "Felt discriminated against, 12 months", "participation"),
    ]
    # youth (module 9): asked of respondents aged 18-35 only
    youth = Condition(("age",), frozenset(), max_age=YOUTH_MAX_AGE)
    v += [_yn(f"youth_{y}", f"Youth: {y.replace('_', ' ')}", "youth", condition=youth) for y in YOUTH_FACTORS]
    return tuple(v)

RESPONDENT = Table("respondent", key="resp_id", variables=_respondent_variables())

INCIDENT = Table("incident", key="incident_id", variables=(
    Variable("incident_id", "id", "Record identifier", "admin", required=True),
    Variable("occurred", "datetime", "Date and time the offence occurred", "admin", required=True),
    Variable("area", "text", "Sub-area where it occurred", "admin", required=True),
    Variable("offence", "text", "Offence label as recorded locally", "admin", required=True),
    Variable("lat", "float", "Latitude (rounded)", "admin", range=(-90, 90)),
    Variable("lon", "float", "Longitude (rounded)", "admin", range=(-180, 180)),
))

POPULATION = Table("population", key=None, variables=(
    Variable("area", "text", "Sub-area", "census", required=True),
    Variable("sex", "cat", "Sex", "census", scale="sex", required=True),
    Variable("age_group", "text", "Five-year age group", "census", required=True),
    Variable("population", "int", "Resident population", "census", required=True, range=(0, 1e9)),
))

QUALITATIVE = Table("qualitative", key=None, variables=(
    Variable("session_id", "id", "Session identifier (KII or FGD)", "qualitative", required=True),
    Variable("method", "text", "KII or FGD", "qualitative", required=True),
    Variable("stakeholder_group", "text", "Stakeholder group of the participants", "qualitative", required=True),
    Variable("area", "text", "Sub-area discussed", "qualitative", required=True),
    Variable("theme", "text", "Theme code", "qualitative", required=True),
    Variable("tvc", "text", "Threat, vulnerability or capacity", "qualitative", required=True),
))

TABLES: dict[str, Table] = {t.name: t for t in (RESPONDENT, INCIDENT, POPULATION, QUALITATIVE)}

#: Allowed values of the qualitative table's closed columns.
QUAL_METHODS = ("KII", "FGD")
QUAL_TVC = ("threat", "vulnerability", "capacity")


def age_band(age: int) -> str:
    """Return the SDG 16.7.2 age band of an adult age.

    Examples
    --------
    >>> age_band(24), age_band(65)
    ('18-24', '65+')
    """
    for label, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return label
    raise ValueError(f"age {age} is outside the adult age bands (18 and over)")


def codebook_reference() -> str:
    """Render the schema as Markdown (used for ``data/README.md`` and docs).

    Examples
    --------
    >>> "| safe_night |" in codebook_reference()
    True
    """
    lines = ["| table | variable | type | scale / range | asked if | label |", "|---|---|---|---|---|---|"]
    for t in TABLES.values():
        for v in t.variables:
            kind = v.kind + (", required" if v.required else "") + (", PII: dropped" if v.pii else "")
            dom = v.scale or (f"{v.range[0]:g}-{v.range[1]:g}" if v.range else "")
            cond = v.condition.describe() if v.condition is not None else ""
            lines.append(f"| {t.name} | {v.name} | {kind} | {dom} | {cond} | {v.label} |")
    lines.append("")
    lines.append("Scales: " + "; ".join(f"`{k}`: {', '.join(c)}" for k, c in SCALES.items()))
    lines.append("")
    lines.append("Missing codes: " + "; ".join(f"`{k}` = {t}" for k, t in MISSING_CODES.items()))
    return "\n".join(lines)
