"""One definition per concept: quantities the catalogue declares complementary sum to 1 in every output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from usg_research.estimate.indicators import load_catalogue
from usg_research.paths import outputs_dir

PAIRS = [(i.id, i.complement_of) for i in load_catalogue().values() if i.complement_of]
#: outputs drawn from the same answers as a catalogue pair: (table, item, complement table, complement item)
FIGURE_PAIRS = [("FIG-REP-01", "reported_any", "FIG-REP-02", "reported_none")]
SURVEY_REPORTS = ["iztapalapa", "iztapalapa-en", "mathare", "tashkent", "tashkent-en"]


def _estimates(path: Path, key: str, value: str) -> pd.Series:
    t = pd.read_csv(path, dtype={"level": str})
    t = t[t[key] == value]
    return t.set_index(["domain", "level"])["estimate"].dropna()


def _sums(a: pd.Series, b: pd.Series) -> pd.Series:
    both = a.index.intersection(b.index)
    return a[both] + b[both]


def test_the_dark_figure_is_declared_the_complement_of_reporting_to_any_body() -> None:
    assert ("DARK_FIGURE", "REPORT_ANY") in PAIRS


@pytest.mark.parametrize("report", SURVEY_REPORTS)
def test_complementary_quantities_sum_to_one_in_every_domain(report: str) -> None:
    tables = outputs_dir() / report / "tables"
    for one, other in PAIRS:
        sums = _sums(_estimates(tables / "TAB-ANX-01.csv", "indicator", one),
                     _estimates(tables / "TAB-ANX-01.csv", "indicator", other))
        assert len(sums) >= 3 and (sums - 1).abs().max() < 1e-9, (one, other, sums)
    for fig, item, comp, comp_item in FIGURE_PAIRS:
        sums = _sums(_estimates(tables / f"{fig}.csv", "item", item),
                     _estimates(tables / f"{comp}.csv", "item", comp_item))
        assert len(sums) >= 3 and (sums - 1).abs().max() < 1e-9, (fig, comp, sums)
    # and the headline, figure and annex give the one number for all victims
    anx = _estimates(tables / "TAB-ANX-01.csv", "indicator", "REPORT_ANY")[("total", "total")]
    fig = _estimates(tables / "FIG-REP-01.csv", "item", "reported_any")[("total", "total")]
    assert fig == pytest.approx(anx, rel=1e-12)


def test_a_complement_must_be_a_proportion_of_the_same_universe(tmp_path: Path) -> None:
    src = (Path(load_catalogue.__code__.co_filename).with_name("indicators.yaml")).read_text(encoding="utf-8")
    bad = tmp_path / "indicators.yaml"
    bad.write_text(src.replace("complement_of: REPORT_ANY", "complement_of: TRUST_POLICE"), encoding="utf-8")
    with pytest.raises(ValueError, match="DARK_FIGURE is complement_of 'TRUST_POLICE'"):
        load_catalogue(bad)
