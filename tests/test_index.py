"""The index page: an introduction, then every report with its language and data status in words."""

from __future__ import annotations

import html
import json
from pathlib import Path

from usg_research.present.comparison import open_comparison
from usg_research.run.index import write_index


def _report(root: Path, name: str, kind: str, language: str, synthetic: bool, headline: str | None = None) -> None:
    (root / name / "tables").mkdir(parents=True)
    man = {"kind": kind, "title": f"Title of {name}", "language": language, "synthetic": synthetic,
           "outputs": [{"id": "TAB-SUM-01", "status": "built"}, {"id": "FIG-SAF-01", "status": "not_available"}]}
    (root / name / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    if headline:
        (root / name / "tables" / "TAB-SUM-01.csv").write_text(headline, encoding="utf-8")


def test_the_index_lists_every_report_comparison_first_with_language_and_data_in_words(tmp_path: Path) -> None:
    _report(tmp_path, "a-city", "city", "es", False, "label,unit,estimate,flag\nVíctima,percent,0.5371,reliable\n"
            "Tasa,per 100000,53726,reliable\nOculta,percent,,suppressed\n")
    _report(tmp_path, "comparison", "comparison", "en", True)
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert page.index("Title of comparison") < page.index("Title of a-city")
    assert "Real data" in page and "Synthetic data" in page and "Spanish (español)" in page
    assert "Víctima: <b>53,7%</b>" in page and "Tasa: <b>53.726</b>" in page and "Oculta: <b>suprimido</b>" in page
    assert "1 output ·" in page and "synthetic data</b> (the original microdata are confidential)" in page


def test_a_comparison_of_synthetic_and_real_reports_says_which_is_which(tmp_path, monkeypatch) -> None:
    """The committed comparison sets the synthetic pilots beside the real-data Iztapalapa report: its notice
    says which reports are synthetic instead of calling the whole comparison synthetic."""
    monkeypatch.setenv("USG_RESEARCH_SCRATCH", str(tmp_path))
    page = open_comparison("comparison").report.title_block()
    assert 'The reports marked "synthetic data" below are built from SYNTHETIC data' in html.unescape(page)
    assert "This report is built from SYNTHETIC data" not in page


def test_many_reports_open_with_a_numbered_list_linking_each(tmp_path: Path) -> None:
    """Every state's report (32) is a long page: from 13 reports it opens with a list of them, each linked to
    its section; with 12 or fewer, none."""
    for i in range(12):
        _report(tmp_path, f"state-{i:02d}", "city", "es", False)
    assert "reports</h2><ol>" not in write_index(tmp_path).read_text(encoding="utf-8")
    _report(tmp_path, "state-12", "city", "es", False)
    page = write_index(tmp_path).read_text(encoding="utf-8")
    listed = page[page.index("<h2>13 reports</h2><ol>"):page.index("</ol>")]
    assert listed.count("<li>") == 13 and '<a href="#state-12">Title of state-12</a>' in listed
    assert '<section id="state-12">' in page


def test_the_index_says_which_columns_of_a_mixed_comparison_are_synthetic(tmp_path: Path) -> None:
    _report(tmp_path, "pilot", "city", "en", True)
    _report(tmp_path, "real", "city", "es", False)
    _report(tmp_path, "comparison", "comparison", "en", True)
    man = json.loads((tmp_path / "comparison/manifest.json").read_text(encoding="utf-8"))
    man["inputs"] = {"params": {"reports": ["pilot", "real"]}}
    (tmp_path / "comparison/manifest.json").write_text(json.dumps(man), encoding="utf-8")
    page = write_index(tmp_path).read_text(encoding="utf-8")
    section = page[page.index("Title of comparison"):page.index("Title of pilot")]
    assert "<b>Synthetic and real data</b>: the pilot cities' columns are synthetic" in section
    man["inputs"] = {"params": {"reports": ["pilot"]}}
    (tmp_path / "comparison/manifest.json").write_text(json.dumps(man), encoding="utf-8")
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert "<b>Synthetic data</b>" in page[page.index("Title of comparison"):page.index("Title of pilot")]
