"""The cross-city report: headline indicators of several reports side by side, from their published tables.

It reads each report's tidy annex (``outputs/<report>/tables/TAB-ANX-01.csv``, whole-sample rows),
never the raw data, so it compares exactly what the reports publish (suppressed cells stay
suppressed). Its notebook opens it with :func:`open_comparison` and shows TAB-CMP-01 and FIG-CMP-01.

Examples
--------
>>> t = headline_comparison(["mathare", "tashkent"], ["VICT_ANY_12M"], "en")
>>> t[["report", "indicator", "flag"]].values.tolist()
[['mathare', 'VICT_ANY_12M', 'reliable'], ['tashkent', 'VICT_ANY_12M', 'reliable']]
"""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path

import pandas as pd
from babel.dates import format_interval
from IPython.display import display

from ..errors import USGAError
from ..estimate.indicators import load_catalogue
from ..paths import outputs_dir, relative
from ..reports import ReportSpec, resolve
from . import figures
from .exhibit import Exhibit, OutputContext
from .format import CAUTION_FLAGS, CAUTION_MARK, fmt_estimate
from .report import Html, OutputCell, Report, output_folder


def open_comparison(report: str) -> Comparison:
    """The comparison report ``report`` (a params file with ``reports:``), ready for its notebook."""
    spec = resolve(report)
    if not spec.is_comparison:
        raise ValueError(f"{report}: a city report; its notebook opens it with open_assessment")
    folder, workers, built = output_folder(report)
    return Comparison(spec, folder, workers, built)


def headline_comparison(reports: list[str], indicators: list[str], language: str,
                        out_root: Path | None = None) -> pd.DataFrame:
    """Whole-sample estimates of ``indicators`` for each report, from its published annex table.

    Returns ``report, city, indicator, label, unit, estimate, ci_low, ci_high, n, flag``; an indicator a
    report did not measure appears with flag ``not_measured``.
    """
    root = Path(out_root) if out_root else outputs_dir()
    cat = load_catalogue()
    frames = []
    for r in reports:
        tab, man = root / r / "tables" / "TAB-ANX-01.csv", root / r / "manifest.json"
        if not tab.exists() or not man.exists():
            raise USGAError(f"comparison: {relative(tab)} not found; build the report {r!r} first "
                            f"(usg-research build {r})")
        city = short_name(json.loads(man.read_text(encoding="utf-8")))
        t = pd.read_csv(tab)
        t = t[(t["domain"] == "total") & t["indicator"].isin(indicators)].set_index("indicator").reindex(indicators)
        t["flag"] = t["flag"].fillna("not_measured")
        frames.append(t.reset_index().assign(report=r, city=city))
    out = pd.concat(frames, ignore_index=True)
    out["label"] = [cat[i].labels[language] for i in out["indicator"]]  # type: ignore[index]
    out["unit"] = [cat[i].unit for i in out["indicator"]]
    return out[["report", "city", "indicator", "label", "unit", "estimate", "ci_low", "ci_high", "n", "flag"]]


def short_name(manifest: dict) -> str:
    """A report's area as its title names it (after the colon): ``"USGA: Mathare, Nairobi"`` ->
    ``"Mathare, Nairobi"``; a real-data report keeps its source in parentheses.

    Examples
    --------
    >>> short_name({"title": "Assessment: Iztapalapa, Mexico City (ENVIPE 2021, INEGI)", "synthetic": False})
    'Iztapalapa, Mexico City (ENVIPE 2021, INEGI)'
    >>> short_name({"title": "Assessment: Mathare, Nairobi", "synthetic": True})
    'Mathare, Nairobi'
    """
    return manifest["title"].split(": ", 1)[-1]


def reports_compared(reports: list[str], out_root: Path | None = None) -> pd.DataFrame:
    """What each compared report rests on, from its manifest: ``report, name, language, synthetic,
    respondents, fieldwork`` (first/last interview, ISO), ``reference`` (a words.yaml phrase key) and
    ``source`` (``codebook`` or the adapter)."""
    root = Path(out_root) if out_root else outputs_dir()
    rows = []
    for r in reports:
        man = json.loads((root / r / "manifest.json").read_text(encoding="utf-8"))
        sample = man.get("sample", {})
        rows.append({"report": r, "name": short_name(man), "language": man["language"],
                     "synthetic": man["synthetic"], "respondents": sample.get("respondents"),
                     "fieldwork": sample.get("fieldwork"), "reference": sample.get("reference", "refperiod"),
                     "source": sample.get("source", "codebook")})
    return pd.DataFrame(rows)


def comparison_table(estimates: pd.DataFrame, indicators: list[str], out: OutputContext) -> Exhibit:
    """One row per indicator, one column per report: estimate (95% CI) with ``*`` when to use with caution,
    suppressed and not measured shown as such."""
    w = out.words
    cities = list(dict.fromkeys(estimates["city"]))
    view = estimates.pivot_table(index="indicator", columns="city", values="flag", aggfunc="first").reindex(
        indicators)[cities].copy()
    for r in estimates.itertuples():
        mark = f" {CAUTION_MARK}" if r.flag in CAUTION_FLAGS else ""
        view.at[r.indicator, r.city] = "—" if r.flag == "not_measured" else fmt_estimate(
            r.estimate, r.ci_low, r.ci_high, r.unit, 1, r.flag, w.label("word:suppressed"), out.language) + mark
    view.index = [out.indicator(i) for i in view.index]
    view.columns = [w.place(c) for c in view.columns]
    return Exhibit(estimates, view=view.rename_axis(w.label("col:indicator")).reset_index())


def comparison_chart(estimates: pd.DataFrame, out: OutputContext) -> Exhibit:
    """The percentage indicators of every city as estimates with CIs, one colour per city."""
    w = out.words
    pct = estimates[(estimates["unit"] == "percent") & (estimates["flag"] != "not_measured")]
    plot = pct.assign(city=[w.place(c) for c in pct["city"]])  # names in the report's script; the data as published
    fig = figures.grouped_intervals(plot, w.title("FIG-SUM-01"), row="label", hue="city",
                                    suppressed_word=w.label("word:suppressed"))
    return Exhibit(pct, figure=fig)


class Comparison:
    """The comparison notebook's object: its params and its output registry."""

    def __init__(self, spec: ReportSpec, folder: Path, figure_workers: int = 0, built: bool = False):
        figures.use_style(spec.params.language)
        self.spec, self.params = spec, spec.params
        flags = [json.loads((outputs_dir() / r / "manifest.json").read_text(encoding="utf-8"))["synthetic"]
                 for r in self.params.reports]
        self.report = Report(spec, folder, synthetic=any(flags), figure_workers=figure_workers, link_images=built)
        if any(flags) and not all(flags):  # synthetic pilots beside a real-data report: say which is which
            self.report.notice = self.report.words.phrase("cmp_mixed_notice")

    def cover(self, compared: pd.DataFrame) -> None:
        """Title, synthetic-data notice, build information, and what each compared report rests on
        (:func:`reports_compared`): its data (synthetic or real, and the source), fieldwork dates, reference
        period and respondents; then the comparability caveat."""
        w = self.report.words
        rows = []
        for r in compared.itertuples():
            data = w.label("word:synthetic") if r.synthetic else w.phrase(f"source:{r.source}")
            if isinstance(r.fieldwork, str):  # first/last interview of the data, ISO
                first, last = (date.fromisoformat(d) for d in r.fieldwork.split("/"))
                dates = format_interval(first, last, "yMMMd", locale=w.language)
            else:
                dates = w.phrase(f"fieldwork:{r.source}")
            n = "" if pd.isna(r.respondents) else w.number(r.respondents)
            rows.append(f"<tr><td>{html.escape(w.place(r.name))}</td><td>{html.escape(data)}</td>"
                        f"<td>{html.escape(dates)}</td><td>{html.escape(w.phrase(r.reference))}</td><td>{n}</td></tr>")
        head = "".join(f"<th>{html.escape(w.label(k))}</th>" for k in
                       ("col:report", "front:sources", "front:fieldwork", "front:reference", "col:respondents"))
        display(Html(self.report.title_block() + f'<table class="usg-params usg-front"><tr>{head}</tr>'
                     f'{"".join(rows)}</table><p>{html.escape(w.phrase("cmp_caveat"))}</p>'))

    def output(self, output_id: str) -> OutputCell:
        return self.report.output(output_id)

    def finish(self) -> None:
        display(self.report.finish())
