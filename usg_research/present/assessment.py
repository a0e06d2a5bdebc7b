"""One city report in the making: its params, clean data, design, indicator table, words and registry.

A city notebook is a list of calls on an :class:`Assessment`:
``a.cover()``, then per chapter ``a.chapter("safety")`` and one ``a.show("FIG-SAF-01")``
per output. What each output id shows is declared in :mod:`usg_research.present.chapters`;
an output whose module is switched off in params, or whose data the city did
not supply, is recorded in the manifest as not available and shown as one line.

Examples
--------
>>> import tempfile
>>> from usg_research.params import load_params
>>> a = Assessment(load_params("mathare").notebook_parameters("mathare"), output_dir=tempfile.mkdtemp())
>>> a.words.chapter("safety"), len(a.respondents) > 1000
('Perceptions of safety', True)
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..estimate.indicators import QualityRules, indicator_table, load_catalogue
from ..estimate.survey import SurveyDesign
from ..ingest.clean import _yes, clean_city
from ..ingest.schema import OFFICIALS
from ..params import CityParams
from .report import Report, _Html
from .words import Words

#: Report tables read left-aligned (the notebook theme right-aligns every cell).
TABLE_STYLE = ("<style>.usg-table th, .usg-table td, .usg-params th, .usg-params td {text-align: left !important; "
               "padding: 2px 10px}</style>")


class Assessment:
    """Everything the output builders of one report need (see the module docstring).

    Parameters
    ----------
    params : the injected notebook parameters (validated again here with :class:`CityParams`).
    output_dir : where figures, tables and manifest.json are written (the build's working folder).
    """

    def __init__(self, params: dict[str, Any], output_dir: str | Path = "."):
        from .figures import use_style

        use_style()
        report = params.get("report", params["city"])
        self.params = CityParams(**{k: v for k, v in params.items() if k != "report"})
        p = self.params
        self.name = report
        self.words = Words(p.language)
        self.source = open_source(p)
        self.data = clean_city(p.city) if self.source is None else self.source.clean_tables(p.city)
        self.respondents = _derive_report_variables(self.data["respondent"])
        has = self.respondents.columns
        frame = None if self.source is None else self.source.frame()
        self.design = SurveyDesign(self.respondents, weight="weight",
                                   strata="stratum" if "stratum" in has else None,
                                   psu="psu" if "psu" in has else None, lonely_psu=p.lonely_psu, frame=frame)
        self.rules = QualityRules(**p.quality.model_dump())
        self.catalogue = load_catalogue()
        self.indicators = indicator_table(self.respondents, strata=self.design.strata, psu=self.design.psu,
                                          lonely_psu=p.lonely_psu, disaggregations=p.disaggregations,
                                          rules=self.rules, frame=frame)
        self.records: pd.DataFrame | None = None  # offence records, prepared by the first context output
        self.report = Report(p.city, p.title, output_dir=output_dir, language=p.language,
                             synthetic=self.data.codebook.synthetic, params=params, report=report)

    # --- data access ----------------------------------------------------------------------------

    def table(self, name: str) -> pd.DataFrame | None:
        """A clean table of the city (respondent, incident, population, qualitative) or None if not supplied."""
        return self.data.tables.get(name)

    def module_on(self, module: str | None) -> bool:
        return module is None or self.params.modules.get(module, True)

    @property
    def n(self) -> int:
        return len(self.respondents)

    # --- report furniture -----------------------------------------------------------------------

    def cover(self) -> _Html:
        """Title, synthetic-data notice, build information, about-this-report, focus and parameters."""
        w = self.words
        focus = ""
        if self.params.emphasis:
            items = "".join(f"<li>{html.escape(w.chapter(k))}</li>" for k in self.params.emphasis)
            focus = f"<p><b>{html.escape(w.phrase('focus'))}:</b></p><ul>{items}</ul>"
        about = w.intro("about")
        if self.source is not None:
            about += " " + w.phrase("envipe_about", area=self.source.names[self.source.area])
        return _Html(TABLE_STYLE + self.report.title_block().text
                     + f"<h2>{html.escape(w.chapter('about'))}</h2><p>{html.escape(about)}</p>"
                     + focus + f"<h3>{html.escape(w.phrase('parameters'))}</h3>" + self.report.parameters().text)

    def chapter(self, key: str) -> _Html:
        """A chapter heading and its introduction, in the report language (focus chapters are marked)."""
        from .chapters import chapter_intro

        w = self.words
        mark = f' <small style="color:#b45309">({html.escape(w.phrase("focus"))})</small>' \
            if key in self.params.emphasis else ""
        return _Html(f'<h2 id="ch-{key}">{html.escape(w.chapter(key))}{mark}</h2>'
                     f"<p>{html.escape(chapter_intro(self, key))}</p>")

    def show(self, output_id: str) -> _Html:
        """Build, save, register and display one output (or record it as not available)."""
        from .chapters import NotAvailable, build_output

        try:
            out = build_output(self, output_id)
        except NotAvailable as exc:
            return self.report.unavailable(output_id, self.words.title(output_id),
                                           self.words.phrase("not_available", reason=exc.reason))
        if out.figure is not None:
            return self.report.figure(out.figure, id=output_id, caption=out.caption, data=out.data,
                                      display=out.view)
        return self.report.table(out.data, id=output_id, caption=out.caption, display=out.view)

    def finish(self) -> _Html:
        return self.report.finish()


def open_source(p: CityParams) -> Any:
    """The public survey a report reads through an adapter (``source:`` in params), or None.

    Raises
    ------
    LoadError
        When the data folder is absent, naming it and where to get the files.
    """
    if p.source is None:
        return None
    from ..paths import project_root
    from ..sources.envipe import EnvipeSource

    root = project_root()
    return EnvipeSource(root / p.source.data, p.source.entity, p.source.municipality, root / p.source.census)


def _derive_report_variables(resp: pd.DataFrame) -> pd.DataFrame:
    """Outcome variables some figures and tests need beyond the cleaned table (all yes/no, None = missing).

    ``unsafe_night`` (unsafe, very unsafe or never alone after dark), ``reported_any`` (police or
    another mechanism), ``bribe_<official>`` (asked or paid, among people with contact) and
    ``unemployed``.
    """
    out = resp.copy()
    if "safe_night" in out:
        s = out["safe_night"]
        out["unsafe_night"] = np.where(s.isna(), None,
                                       np.where(s.isin(["unsafe", "very_unsafe", "never_alone"]), "yes", "no"))
    if {"report_police", "report_other"} <= set(out.columns):
        out["reported_any"] = _yes(out, ["report_police", "report_other"])
    for o in OFFICIALS:
        c, a, p = f"contact_{o}", f"bribe_asked_{o}", f"bribe_paid_{o}"
        if {c, a, p} <= set(out.columns):
            had = out[c].eq("yes")
            out[f"bribe_{o}"] = np.where(had, np.where(out[a].eq("yes") | out[p].eq("yes"), "yes", "no"), None)
    if "employment" in out:
        e = out["employment"]
        out["unemployed"] = np.where(e.isna(), None, np.where(e.eq("unemployed"), "yes", "no"))
    return out
