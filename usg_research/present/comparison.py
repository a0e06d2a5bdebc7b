"""The cross-city report: headline indicators of the pilot cities side by side, from their published tables.

It reads each city report's tidy annex (``outputs/<report>/tables/TAB-ANX-01.csv``,
whole-sample rows), never the raw data, so it compares exactly what the city
reports publish (suppressed cells stay suppressed). Params:
``params/comparison.yaml`` (title, language, reports, indicators).

Examples
--------
>>> p = load_comparison_params()
>>> p.reports
['iztapalapa', 'mathare', 'tashkent']
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import Field, field_validator

from ..errors import ParamsError, USGAError
from ..estimate.indicators import check_indicator_ids, load_catalogue
from ..params import ReportParams, strict_yaml
from ..paths import outputs_dir, params_path
from ..yamlfile import read_yaml_model
from . import figures
from .report import Report, _Html
from .tables import fmt_estimate
from .words import Words


class ComparisonParams(ReportParams):
    """``params/comparison.yaml``."""

    title: str
    language: Literal["en", "es", "ru"] = "en"
    reports: list[str]
    indicators: list[str] = Field(min_length=1)

    @field_validator("indicators")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        check_indicator_ids(v)
        return v


def load_comparison_params(path: str | Path | None = None) -> ComparisonParams:
    """Read and validate ``params/comparison.yaml`` (strict YAML, unknown keys are errors)."""
    return read_yaml_model(Path(path) if path else params_path("comparison"), ComparisonParams, ParamsError,
                           "params", parse=strict_yaml)


def headline_comparison(reports: list[str], indicators: list[str], language: str,
                        out_root: Path | None = None) -> pd.DataFrame:
    """Whole-sample estimates of ``indicators`` for each report, from its published annex table.

    Returns ``report, city, indicator, label, unit, estimate, ci_low, ci_high, n, flag``; an indicator a
    city did not measure appears with flag ``not_measured``.
    """
    root = Path(out_root) if out_root else outputs_dir()
    cat = load_catalogue()
    frames = []
    for r in reports:
        tab, man = root / r / "tables" / "TAB-ANX-01.csv", root / r / "manifest.json"
        if not tab.exists() or not man.exists():
            raise USGAError(f"comparison: {tab.relative_to(root.parent) if root.parent in tab.parents else tab} "
                            f"not found; build the report {r!r} first (usg-research build {r})")
        city = json.loads(man.read_text(encoding="utf-8"))["city"]
        t = pd.read_csv(tab)
        t = t[(t["domain"] == "total") & t["indicator"].isin(indicators)].set_index("indicator")
        t = t.reindex(indicators)
        t["flag"] = t["flag"].fillna("not_measured")
        frames.append(t.reset_index().assign(report=r, city=city))
    out = pd.concat(frames, ignore_index=True)
    out["label"] = [cat[i].labels[language] for i in out["indicator"]]  # type: ignore[index]
    out["unit"] = [cat[i].unit for i in out["indicator"]]
    return out[["report", "city", "indicator", "label", "unit", "estimate", "ci_low", "ci_high", "n", "flag"]]


class Comparison:
    """The comparison notebook's one object: ``cover()``, ``show(id)``, ``finish()``."""

    IDS = ("TAB-CMP-01", "FIG-CMP-01")

    def __init__(self, params: dict[str, Any], output_dir: str | Path = "."):
        figures.use_style()
        report = params.get("report", "comparison")
        self.params = ComparisonParams(**{k: v for k, v in params.items() if k != "report"})
        self.words = Words(self.params.language)
        self.data = headline_comparison(self.params.reports, self.params.indicators, self.params.language)
        synthetic = any(json.loads((outputs_dir() / r / "manifest.json").read_text(encoding="utf-8"))["synthetic"]
                        for r in self.params.reports)
        self.report = Report(report, self.params.title, output_dir=output_dir, language=self.params.language,
                             synthetic=synthetic, params=params, report=report)

    def cover(self) -> _Html:
        names = ", ".join(sorted(set(self.data["city"])))
        from .assessment import TABLE_STYLE

        return _Html(TABLE_STYLE + self.report.title_block().text + f"<p>{html.escape(names)}</p>")

    def show(self, output_id: str) -> _Html:
        w = self.words
        d = self.data
        cap = ("Headline indicators by city. Whole assessment area, from each city report's "
               "published annex (TAB-ANX-01); 95% CI (design-based); suppressed and not measured cells show "
               "no number.")
        if output_id == "TAB-CMP-01":
            cities = list(dict.fromkeys(d["city"]))
            view = d.pivot_table(index="indicator", columns="city", values="flag", aggfunc="first").reindex(
                self.params.indicators)[cities].copy()
            for r in d.itertuples():
                view.at[r.indicator, r.city] = "—" if r.flag == "not_measured" else fmt_estimate(
                    r.estimate, r.ci_low, r.ci_high, r.unit, 1, r.flag, w.label("word:suppressed"))
            view.index = [load_catalogue()[i].labels[self.params.language] for i in view.index]
            view = view.rename_axis(w.label("col:indicator")).reset_index()
            return self.report.table(d, id=output_id, caption=cap, display=view)
        if output_id == "FIG-CMP-01":
            pct = d[(d["unit"] == "percent") & (d["flag"] != "not_measured")]
            fig = figures.grouped_intervals(pct, w.title("FIG-SUM-01"), row="label", hue="city",
                                            suppressed_word=w.label("word:suppressed"))
            return self.report.figure(fig, id=output_id, caption=cap, data=pct)
        raise KeyError(f"{output_id!r}: the comparison report has {self.IDS}")

    def finish(self) -> _Html:
        return self.report.finish()
