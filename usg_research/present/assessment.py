"""One city report in the making: the object a city notebook works with.

``r = open_assessment(report)`` resolves the report (``params/<report>.yaml``), reads and cleans its
data through its source, declares the survey design once (weights, strata, PSUs and, for a domain of
a larger survey, the frame of every sampled PSU), calibrates its weights to the census when params
``calibration:`` says so, and opens the output registry in the folder the build
gave it, or in a scratch folder when the notebook is run by hand. Each output cell of the notebook then
estimates and shows::

    with r.output("FIG-SAF-03") as out:
        places = shares.item_shares(design, r.asked(q.UNSAFE_PLACE_ITEMS), by="sex", rules=r.rules)
        out.show(charts.items(places, out), universe="all_adults")

:meth:`Assessment.asked` and its kin raise :class:`~usg_research.present.report.NotAvailable` when the
survey did not ask the questions (or the city supplied no such table); the cell is then recorded as
not available, with the reason, in one line.

Examples
--------
>>> r = open_assessment("mathare")  # doctest: +ELLIPSIS
Outputs of this run: ...
>>> r.n > 1000, r.asked(["fear_behav_taxi", "not_a_question"]), r.by("sex", "not_a_column")
(True, ['fear_behav_taxi'], ['sex'])
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TypeVar

import pandas as pd
from babel.dates import format_interval
from IPython.display import display

from ..estimate.context import offences
from ..estimate.crime import select_codes
from ..estimate.indicators import Indicator, load_catalogue, unmeasured
from ..estimate.quality import QualityRules
from ..estimate.replicate import ReplicateDesign
from ..estimate.survey import SurveyDesign
from ..estimate.weighting import calibrate_to_census
from ..ingest.schema import REPLICATE_PREFIX
from ..paths import project_root, relative
from ..reports import ReportSpec, resolve
from ..sources.boundaries import read_boundaries
from ..sources.police_quadrants import COUNTS_FILE, QuadrantCounts, read_quadrant_counts
from .figures import use_style
from .report import Html, NotAvailable, OutputCell, Report, output_folder
from .words import Words

V = TypeVar("V", str, list)


def open_assessment(report: str) -> Assessment:
    """The city report ``report`` (its params file's stem), ready for its notebook's output cells.

    Under ``usg-research build`` the outputs go to the build's folder; run by hand (Jupyter's Run All,
    ``jupyter nbconvert --execute``) they go to a scratch folder outside the project, which is printed.
    """
    spec = resolve(report)
    if spec.is_comparison:
        raise ValueError(f"{report}: a comparison report; its notebook opens it with open_comparison")
    folder, workers, built = output_folder(report)
    return Assessment(spec, folder, workers, built)


class Assessment:
    """A city report's data, design, indicators, words and output registry (see the module docstring)."""

    def __init__(self, spec: ReportSpec, folder: Path, figure_workers: int = 0, built: bool = False):
        use_style(spec.params.language)
        p = self.params = spec.params
        self.spec, self.source = spec, spec.source
        self.words = Words(p.language)
        self.data = self.source.load()
        people = self.data["respondent"]
        #: the survey design as delivered (sampling weights, strata, PSUs; or replicate weights)
        self.sampling_design = self._design(people)
        #: calibration classes imputed per variable (params ``calibration:``)
        self.imputed: dict[str, int] = {}
        self.design = self.sampling_design
        if p.calibration is not None:
            population = self.table("population")
            if not isinstance(self.sampling_design, SurveyDesign):
                raise ValueError(f"params {spec.name}: calibration of a replicate-weight design is not supported; "
                                 "remove calibration: (replicate weights are usually delivered calibrated)")
            if population is None:
                raise ValueError(f"params {spec.name}: calibration needs the city's population table (the codebook's "
                                 "population:), and none was supplied")
            self.design, self.imputed = calibrate_to_census(self.sampling_design, population, p.calibration.margins,
                                                            p.calibration.method)
        #: the clean respondent table, its weights calibrated when params say so
        self.people = self.design.data
        self.rules = QualityRules(**p.quality.model_dump())
        self.catalogue = load_catalogue()
        self.report = Report(spec, folder, synthetic=self.data.codebook.synthetic, sources=self._sources(),
                             figure_workers=figure_workers, link_images=built)
        self._offences: pd.DataFrame | None = None
        self._recorded: QuadrantCounts | None = None
        self._cell: OutputCell | None = None

    def _design(self, people: pd.DataFrame) -> SurveyDesign | ReplicateDesign:
        """The survey's design as the codebook declares it: replicate weights, or weights, strata and PSUs."""
        rep = self.data.codebook.survey.replicate_weights
        if rep is not None:
            return ReplicateDesign(people, "weight", "^" + REPLICATE_PREFIX, rep.type, rep.scale, rep.rscales,
                                   rep.mse, rep.rho)
        has = people.columns
        return SurveyDesign(people, weight="weight", strata="stratum" if "stratum" in has else None,
                            psu="psu" if "psu" in has else None, lonely_psu=self.params.lonely_psu,
                            frame=self.source.frame())

    # --- what the survey and the city supplied ---------------------------------------------------

    @property
    def n(self) -> int:
        """Respondents in the report's area (unweighted)."""
        return len(self.people)

    def table(self, name: str) -> pd.DataFrame | None:
        """A clean table (``respondent``, ``incident``, ``population``, ``qualitative``), or None if not supplied."""
        t = self.data.tables.get(name)
        return None if t is None or t.empty else t

    def need(self, name: str) -> pd.DataFrame:
        """A clean table the output needs; not available when the city did not supply it."""
        self._check_module()
        t = self.table(name)
        if t is None:
            [(reason, _)] = self.source.not_read([f"table:{name}"])
            raise NotAvailable(self.words.phrase("no_table", table=self.words.label(f"table:{name}")) if reason is None
                               else self.words.phrase(f"not_read:{self.source.kind}:{reason}"))
        return t

    def answered(self, variables: list[str]) -> list[str]:
        """The questions the survey asked (at least one answer), in the order given."""
        return [v for v in variables if v in self.people and self.people[v].notna().any()]

    def asked(self, variables: V) -> V:
        """The questions the survey asked, of those an output uses (a name, or a list); not available when
        it asked none of them."""
        self._check_module()
        have = self.answered([variables] if isinstance(variables, str) else list(variables))
        if not have:
            names = [variables] if isinstance(variables, str) else list(variables)
            raise self._not_asked(names[:4])
        return have[0] if isinstance(variables, str) else have  # type: ignore[return-value]

    def asked_all(self, *variables: str) -> None:
        """Not available unless the survey asked every one of ``variables``."""
        self._check_module()
        lacking = [v for v in variables if v not in self.answered([v])]
        if lacking:
            raise self._not_asked(lacking)

    def measured(self, indicator_ids: list[str]) -> list[str]:
        """The indicators of the catalogue this survey can estimate (it has their questions), of those given;
        not available if none."""
        self._check_module()
        have = [i.id for i in self.measurable(indicator_ids)]
        if not have:
            raise self._not_asked(indicator_ids)
        return have

    def _not_asked(self, names: list[str]) -> NotAvailable:
        return NotAvailable(self.why_missing(names))

    def why_missing(self, names: list[str]) -> str:
        """Why the data lack ``names`` (questions, indicator ids or ``table:<name>``), in the report language:
        what the source knows of each (for a public survey: whether it asks the question and in which of its
        tables, words.yaml ``not_read:<kind>:<reason>``; see
        :func:`~usg_research.sources.envipe.not_read_reasons`), else that the survey did not ask them."""
        kind = self.source.kind
        fallback = f"no_variables:{kind}" if self.words.has_phrase(f"no_variables:{kind}") else "no_variables"
        return "; ".join(self.words.phrase(fallback, vars=", ".join(group)) if reason is None
                         else self.words.phrase(f"not_read:{kind}:{reason}")
                         for reason, group in self.source.not_read(names))

    def unmeasured(self, table: pd.DataFrame, ids: list[str]) -> list[tuple[str, str]]:
        """The indicators of ``ids`` missing from ``table`` (the survey cannot measure them), each with
        :meth:`why_missing` its questions."""
        return [(i, self.why_missing(v)) for i, v in unmeasured(table, ids, self.people, self.catalogue)]

    def measurable(self, indicator_ids: list[str]) -> list[Indicator]:
        """The catalogue entries of ``indicator_ids`` whose questions the survey has (possibly none)."""
        return [self.catalogue[i] for i in indicator_ids
                if all(v in self.people for v in self.catalogue[i].variables())]

    def by(self, *names: str) -> list[str]:
        """The disaggregations this survey has, of ``names``: columns with two levels or more."""
        return [d for d in names if d in self.people and self.people[d].nunique() > 1]

    def offences(self, iccs: tuple[str, ...] = ()) -> pd.DataFrame:
        """The police records, each with its ICCS section (the city's offence-to-ICCS table; labels without a
        code kept as ``unmapped``) and year, month, hour and weekday; prepared once. With ``iccs`` (code
        prefixes, e.g. ``("0904",)`` for traffic offences), only those records: not available when none."""
        if self._offences is None:
            if self.table("incident") is None and self.params.recorded_crime is not None:
                raise NotAvailable(self.words.phrase("counts_monthly"))  # counts, not one record per crime
            self._offences = offences(self.need("incident"), self.source.iccs_map())
        if not iccs:
            return self._offences
        chosen = select_codes(self._offences, iccs)
        if chosen.empty:
            raise NotAvailable(self.words.phrase("no_iccs_records", codes=", ".join(iccs)))
        return chosen

    def recorded_crime(self, required: bool = True) -> QuadrantCounts | None:
        """The police-recorded crime counts params ``recorded_crime`` names (read once, where they are); not
        available (or None when not ``required``) when params name none or the folder is not here."""
        self._check_module()
        rc = self.params.recorded_crime
        folder = None if rc is None else project_root() / rc.data
        if folder is not None and self._recorded is None:
            self._recorded = read_quadrant_counts(folder)
        if self._recorded is None and required:
            raise NotAvailable(self.words.phrase("no_recorded_crime") if folder is None else
                               self.words.phrase("no_recorded_folder", file=relative(folder / COUNTS_FILE)))
        return self._recorded

    def area_shapes(self) -> pd.Series | None:
        """The recorded-crime areas' boundaries (params ``recorded_crime.boundaries``), or None without them."""
        rc = self.params.recorded_crime
        if rc is None or rc.boundaries is None or not (project_root() / rc.boundaries).is_file():
            return None
        return read_boundaries(project_root() / rc.boundaries, rc.id_field)

    def population_total(self) -> float:
        """Residents of the area in the census table (all ages)."""
        return float(self.need("population")["population"].sum())

    def _check_module(self) -> None:
        if self._cell is not None and not self.report.module_on(self._cell.id):
            raise NotAvailable("")  # the cell reports the module's reason

    # --- the report --------------------------------------------------------------------------------

    def output(self, output_id: str) -> OutputCell:
        """Open an output cell: ``with r.output("FIG-SAF-01") as out: ...``."""
        self._cell = self.report.output(output_id)
        return self._cell

    def cover(self) -> None:
        """Title, synthetic-data notice, build information, about this report, focus and parameters."""
        w = self.words
        focus = ""
        if self.params.emphasis:
            items = "".join(f"<li>{html.escape(w.chapter(k))}</li>" for k in self.params.emphasis)
            focus = f"<p><b>{html.escape(w.phrase('focus'))}:</b></p><ul>{items}</ul>"
        about = w.intro("about")
        if self.source.kind != "codebook":
            about += " " + w.phrase(f"about:{self.source.kind}", n=w.number(self.n), **self.source.names())
        display(Html(self.report.title_block() + self.front_matter() + f"<h2>{html.escape(w.chapter('about'))}"
                     f"</h2><p>{html.escape(about)}</p>{focus}<h3>{html.escape(w.phrase('parameters'))}</h3>"
                     + self.report.parameters()))

    def front_matter(self) -> str:
        """The survey at a glance, under the title: its sample, fieldwork dates (the interview dates of the
        data, as the report's language writes dates), reference period and data sources (HTML)."""
        w, kind = self.words, self.source.kind
        dates = self.people["interview_date"].dropna() if "interview_date" in self.people else pd.Series([])
        span = (dates.min().date(), dates.max().date()) if kind == "codebook" and len(dates) else None
        reference = "refperiod" if kind == "codebook" else f"refperiod:{kind}"
        if kind != "codebook":
            fieldwork = w.phrase(f"fieldwork:{kind}")
        else:
            fieldwork = format_interval(*span, "yMMMd", locale=w.language) if span else w.label("word:not_recorded")
        named = self._source_names()
        named = [", ".join(n for k, n in named.items() if k != "recorded")] + (
            [named["recorded"]] if "recorded" in named else [])
        self.report.sample = {"respondents": int(self.n), "source": kind, "reference": reference,
                              "fieldwork": f"{span[0].isoformat()}/{span[1].isoformat()}" if span else None}
        rows = [("front:sample", w.phrase("front_sample", n=w.number(self.n))), ("front:fieldwork", fieldwork),
                ("front:reference", w.phrase(reference)), ("front:sources", "; ".join(named))]
        body = "".join(f"<tr><th>{html.escape(w.label(k))}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        return f'<table class="usg-params usg-front">{body}</table>'

    def chapter(self, key: str) -> None:
        """A chapter heading and its introduction, in the report language (focus chapters are marked)."""
        w = self.words
        mark = f' <small style="color:#b45309">({html.escape(w.phrase("focus"))})</small>' \
            if key in self.params.emphasis else ""
        display(Html(f'<h2 id="ch-{key}">{html.escape(w.chapter(key))}{mark}</h2>'
                     f"<p>{html.escape(self.chapter_intro(key))}</p>"))

    def chapter_intro(self, key: str) -> str:
        """A chapter's introduction; the methodology's first sentence says where the data come from."""
        w, kind = self.words, self.source.kind
        if key == "victimisation" and kind != "codebook":
            return f"{w.intro(key)} {w.phrase(f'period:{kind}')}"
        if key != "methodology":
            return w.intro(key)
        if kind != "codebook":  # a survey's domain: within an entity of it, or an entity itself
            names = self.source.names()
            domains = w.phrase(f"domains:{kind}" + ("" if "entity" in names else ":national"), **names)
            return w.phrase(f"method:{kind}", n=w.number(self.n), domains=domains, **names) + f" {w.intro(key)}"
        design = "method_stratified" if "stratum" in self.people else "method_clustered"
        items = [w.phrase(design)] + [w.phrase("method_" + k) for k in self.supplied()]
        first = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {w.phrase('and')} {items[-1]}"
        return f"{first}. {w.intro(key)}"

    def supplied(self) -> list[str]:
        """The tables besides the survey that this city supplied: ``police``, ``census``, ``qual``."""
        names = {"police": "incident", "census": "population", "qual": "qualitative"}
        return [k for k, t in names.items() if self.table(t) is not None]

    def _source_names(self) -> dict[str, str]:
        """Every data source of the report named in its language, by kind: ``survey`` (a public survey's
        credit line, or the city's survey), what the city supplied (``police``, ``census``, ``qual``) and
        ``recorded`` (police records read through an adapter)."""
        w = self.words
        if self.source.kind != "codebook":
            names = {"survey": w.phrase(f"source:{self.source.kind}")}
        else:
            names = {k: w.phrase("src_" + k) for k in ["survey", *self.supplied()]}
        if self.params.recorded_crime is not None:
            names["recorded"] = w.phrase(f"source:{self.params.recorded_crime.adapter}")
        return names

    def _sources(self) -> dict[str, str]:
        """How captions name the survey, and every source (``all``), for this report's source."""
        names = self._source_names()
        police = {"recorded": names["recorded"]} if "recorded" in names else {}
        if self.source.kind != "codebook":
            return {"survey": names["survey"], "all": names["survey"], **police}
        items = [n for k, n in names.items() if k not in ("census", "recorded")]
        return {"all": f"{self.words.phrase('sources')}: {', '.join(items)}", **police}

    def finish(self) -> None:
        """Write the manifest (every output and input) and say how many outputs were written."""
        display(self.report.finish())
