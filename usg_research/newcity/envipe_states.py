"""``usg-research envipe-states``: the params of an ENVIPE report for every Mexican state.

Each of the 32 entities (``CVE_ENT`` 01-32, named as in the cited census totals,
``data/census/inegi_census2020_population.csv``) gets ``params/envipe-<code>-<name>.yaml``: the
entity's adults as a domain of ENVIPE 2021's national design, the nation as comparison level, run by the
one notebook ``notebooks/envipe-state.ipynb``. The files are written from the code, so rerunning the
command (never hand edits) keeps them in step; a file that differs from what the command would write is
kept unless ``force``. ``usg-research build --scheduler local:N`` then builds them all.

Examples
--------
>>> p = state_params("22", "Querétaro", "es", "../shared/data/envipe2021_inegi")
>>> report_name("22", "Querétaro"), p.splitlines()[4]
('envipe-22-queretaro', 'notebook: envipe-state')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from anyascii import anyascii

from ..errors import USGAError
from ..params import load_params
from ..paths import params_path, project_root, relative
from ..sources.envipe import read_census

#: The cited census totals the entities' names (and per-inhabitant rates) come from.
CENSUS = "data/census/inegi_census2020_population.csv"
#: The notebook every state's report runs.
NOTEBOOK = "envipe-state"
#: The data folder the params point at by default (relative to the project root; README, "ENVIPE").
DATA = "../shared/data/envipe2021_inegi"
_TITLE = {"es": "Evaluación de la Gobernanza de la Seguridad Urbana: {name} (ENVIPE 2021, INEGI)",
          "en": "Urban Safety Governance Assessment: {name}, Mexico (ENVIPE 2021, INEGI)",
          "ru": "Оценка управления городской безопасностью: {name}, Мексика (ENVIPE 2021, INEGI)"}
_LANGUAGE = {"es": "Spanish", "en": "English", "ru": "Russian"}
_TEMPLATE = """\
# {name} (entity {code}) from INEGI's public ENVIPE 2021 microdata, {language_name} build. Written by
# `usg-research envipe-states` (rerun it rather than editing this file). Schema: usg_research/params.py.
# Real data, read where they are (never copied here): `source.data`, relative to the project root.
# The state's adults are a domain of the national design; the nation is the comparison level.
notebook: {notebook}
city: {report}
title: "{title}"
language: {language}
seed: 0  # no simulation: every number comes from INEGI's files
lonely_psu: fail
quality: {{proportions: nchs, cv_reliable: 0.15, cv_suppress: 0.30, n_min: 30}}
# no calibration: INEGI's expansion factors (FAC_ELE, FAC_DEL) are already calibrated to its population projections
disaggregations: [sex, age_group]
headline: [VICT_ANY_12M, VICT_PREV_RATE_100K, VICT_HH_12M, VICT_PERS_12M, VICT_ROBBERY_12M, \
VICT_VEHICLE_THEFT_12M, VICT_EXTORTION_12M, VICT_FRAUD_12M]
emphasis: [victimisation, reporting]
modules: {{}}
country: MEX
source:
  adapter: envipe2021
  data: {data}
  entity: "{code}"
  census: {census}
"""


def report_name(code: str, name: str) -> str:
    """``envipe-<code>-<name in lower-case ASCII, words joined by ->``."""
    return f"envipe-{code}-" + re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")


def state_params(code: str, name: str, language: str, data: str) -> str:
    """The params file of one entity's report (YAML text, see the module docstring)."""
    if language not in _TITLE:
        raise USGAError(f"language {language!r}: the reports are built in {', '.join(_TITLE)}")
    return _TEMPLATE.format(name=name, code=code, language_name=_LANGUAGE[language], notebook=NOTEBOOK,
                            report=report_name(code, name), title=_TITLE[language].format(name=name),
                            language=language, data=data, census=CENSUS)


@dataclass
class Written:
    """What :func:`write_state_params` did: report names written, unchanged, and kept (hand-edited)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def reports(self) -> list[str]:
        return self.written + self.unchanged + self.kept

    def summary(self) -> str:
        lines = [f"{len(self.written)} params written, {len(self.unchanged)} unchanged"]
        lines += [f"kept (differs from what the command writes; --force rewrites it): "
                  f"{relative(params_path(n))}" for n in self.kept]
        lines.append(f"build them: usg-research build --scheduler local:2 {' '.join(sorted(self.reports)[:2])} ...")
        return "\n".join(lines)


def entities(census: Path | None = None) -> list[tuple[str, str]]:
    """``(code, name)`` of every entity in the cited census totals, by code."""
    table = read_census(census or project_root() / CENSUS)
    states = table[table["area"].str.fullmatch(r"[0-9]{2}")].drop_duplicates("area").sort_values("area")
    return list(zip(states["area"], states["name"], strict=True))


def write_state_params(language: str = "es", data: str = DATA, only: list[str] | None = None,
                       force: bool = False) -> Written:
    """Write ``params/envipe-<code>-<name>.yaml`` for every entity (or the codes in ``only``), each checked
    by loading it as the build will.

    Raises
    ------
    USGAError
        For a code in ``only`` that is not an entity of the census table, or a language not built.
    """
    known = entities()
    unknown = sorted(set(only or []) - {c for c, _ in known})
    if unknown:
        raise USGAError(f"no entity {unknown} in {CENSUS}; the entities are 01-32")
    done = Written()
    for code, name in known:
        if only and code not in only:
            continue
        report, text = report_name(code, name), state_params(code, name, language, data)
        path = params_path(report)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            done.unchanged.append(report)
            continue
        if path.exists() and not force:
            done.kept.append(report)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        load_params(report)  # written as the build reads it
        done.written.append(report)
    return done
