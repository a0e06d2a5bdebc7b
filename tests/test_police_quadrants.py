"""Mexico City's police-recorded crime by quadrant (SSP-DF 2013-2015): counts, rates and the map."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from usg_research.errors import LoadError
from usg_research.estimate.crime import area_rates, crime_type_table, monthly_rates, totals_by_year
from usg_research.paths import outputs_dir
from usg_research.present.exhibit import OutputContext
from usg_research.present.figure_files import save_figure
from usg_research.present.figures import use_style
from usg_research.present.maps import choropleth
from usg_research.present.records import quadrant_map
from usg_research.sources.boundaries import read_boundaries
from usg_research.sources.police_quadrants import COUNTS_FILE, iccs_table, read_quadrant_counts


@pytest.fixture(scope="module")
def counts(shared_data):
    return read_quadrant_counts(shared_data / "ssp_cdmx_cuadrantes_2013_2015")


def _source_totals(path) -> Counter:
    """Yearly totals by crime type summed straight from the file with the csv module."""
    totals: Counter = Counter()
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            totals[(row["crime"], int(row["year"]))] += int(row["count"])
    return totals


def test_yearly_totals_by_crime_type_equal_the_source_file(counts, shared_data) -> None:
    table = totals_by_year(counts.counts)
    assert table.loc["HOMICIDIO DOLOSO", [2013, 2014, 2015]].tolist() == [160, 174, 143]
    source = _source_totals(shared_data / "ssp_cdmx_cuadrantes_2013_2015" / COUNTS_FILE)
    assert len(table) - 1 == len({c for c, _ in source}) == 19
    for (crime, year), n in source.items():
        assert table.loc[crime, year] == n, (crime, year)
    assert table.loc["total"].sum() == sum(source.values()) == 20_110
    assert counts.period == ("2013-01", "2015-09") and counts.years == 2.75


def test_crime_type_table_totals_and_rates(counts) -> None:
    t = crime_type_table(counts.counts, counts.population().sum(), counts.months_by_year()).set_index("crime")
    assert t.loc["HOMICIDIO DOLOSO", ["2013", "2014", "2015", "count"]].tolist() == [160, 174, 143, 477]
    assert t.loc["total", "count"] == 20_110 and t.index[-1] == "total" and len(t) == 20
    assert t.loc["total", "rate"] == pytest.approx(20_110 / (1_818_487 * 2.75) * 1e5, rel=1e-12)
    assert t.drop(index="total")["count"].is_monotonic_decreasing
    assert t.loc["VIOLACION", "iccs_code"] == "03011"


def test_monthly_rates_add_up_to_the_yearly_counts(counts) -> None:
    residents = counts.population().sum()
    t = monthly_rates(counts.counts, residents)
    assert len(t) == 19 * 33  # every crime type, every month January 2013 - September 2015
    homicide = t[t["crime"] == "HOMICIDIO DOLOSO"]
    assert homicide.groupby(homicide["month"].str[:4])["count"].sum().tolist() == [160, 174, 143]
    assert set(homicide["iccs_code"]) == {"0101"}
    first = homicide.iloc[0]  # a month's rate: count x 12 per 100,000 residents, exact Poisson limits
    assert first["rate"] == pytest.approx(first["count"] * 12 / residents * 1e5, rel=1e-12)
    assert first["ci_high"] == pytest.approx(stats.chi2.ppf(0.975, 2 * first["count"] + 2) / 2 * 12 / residents
                                             * 1e5, rel=1e-9)
    totals = t.groupby("crime", sort=False)["count"].sum()
    assert totals.is_monotonic_decreasing and totals.index[0] == "ROBO A TRANSEUNTE EN VIA PUBLICA C.V."


def test_every_crime_type_has_an_iccs_code() -> None:
    t = iccs_table()
    assert len(t) == 19 and t["crime"].is_unique
    assert t["iccs_code"].str.fullmatch(r"\d{4,6}").all()
    assert t.set_index("crime").loc["HOMICIDIO DOLOSO", "iccs_code"] == "0101"


def test_quadrant_rates_use_the_quadrant_populations(counts) -> None:
    pop = counts.quadrants.set_index("quadrant")["population"]
    assert len(pop) == 134 and pop.sum() == 1_818_487
    t = area_rates(counts.counts, pop, "quadrant", counts.years)
    assert len(t) == 134 and set(t["quadrant"]) == set(pop.index)
    assert t["count"].sum() == 20_110
    # the four Central de Abasto quadrants have no residents: no rate, flagged
    assert sorted(t.loc[t["no_population"], "quadrant"]) == ["O-1.1.1", "O-1.1.2", "O-1.1.3", "O-1.1.4"]
    assert t.loc[t["no_population"], "rate"].isna().all()
    row = t.set_index("quadrant").loc["O-2.1.4"]  # 227 crimes, 4,593 residents, 2.75 years
    assert row["count"] == 227 and row["rate"] == pytest.approx(227 / (4593 * 2.75) * 1e5, rel=1e-12)
    lo, hi = stats.chi2.ppf([0.025, 0.975], [2 * 227, 2 * 228]) / 2 / (4593 * 2.75) * 1e5
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-12)
    by_sector = area_rates(counts.counts, counts.quadrants.groupby("sector")["population"].sum(), "sector",
                           counts.years)
    assert by_sector["population"].sum() == 1_818_487 and by_sector["count"].sum() == 20_110


def test_a_defect_in_the_counts_file_is_named(tmp_path, shared_data) -> None:
    lines = (shared_data / "ssp_cdmx_cuadrantes_2013_2015" / COUNTS_FILE).read_text(encoding="utf-8").splitlines()
    fields = lines[41].split(",")
    fields[3] = "-2"
    lines[41] = ",".join(fields)
    (tmp_path / COUNTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        read_quadrant_counts(tmp_path)
    assert e.value.line == 42 and e.value.column == "count" and "'-2' is not a count" in str(e.value)
    assert read_quadrant_counts(tmp_path / "absent") is None


def test_the_choropleth_covers_every_quadrant_and_renders_identically(counts, shared_data, tmp_path) -> None:
    shapes = read_boundaries(shared_data / "cdmx_boundaries" / "cuadrantes_iztapalapa_2013_2015.geojson", "cuadrante")
    pop = counts.quadrants.set_index("quadrant")["population"]
    t = area_rates(counts.counts, pop, "quadrant", counts.years).set_index("quadrant")
    assert sorted(shapes.index) == sorted(t.index)
    use_style()
    digests = []
    for run in ("a", "b"):
        fig, classes = choropleth(shapes, t["rate"], "Rate", "per 100,000 a year", "no resident population")
        save_figure(fig, tmp_path / f"{run}.png", tmp_path / f"{run}.svg")
        digests.append([hashlib.sha256((tmp_path / f"{run}.{x}").read_bytes()).hexdigest() for x in ("png", "svg")])
    assert digests[0] == digests[1]
    assert len(classes) == 134 and (classes == "no resident population").sum() == 4
    assert classes.value_counts().drop("no resident population").tolist() == [26] * 5  # quintiles of 130
    assert np.isfinite(t.loc[classes.index[classes != "no resident population"], "rate"]).all()


def test_boundary_defects_are_named(tmp_path) -> None:
    p = tmp_path / "b.geojson"
    p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "A"}, '
                 '"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}]}')
    with pytest.raises(LoadError, match=r"feature 1 \('A'\): not a valid polygon \(Self-intersection"):
        read_boundaries(p, "id")
    with pytest.raises(LoadError, match="feature 1 has no 'cuadrante' property"):
        read_boundaries(p, "cuadrante")


@pytest.mark.parametrize("report", ["iztapalapa-envipe", "iztapalapa-envipe-en"])
def test_the_published_map_table_has_every_quadrant_once(report) -> None:
    """The real-data report's FIG-CTX-05 data: one row per quadrant, with its rate's class on the map."""
    t = pd.read_csv(outputs_dir() / report / "tables" / "FIG-CTX-05.csv", dtype={"quadrant": str})
    assert len(t) == 134 and t["quadrant"].is_unique and t["map_class"].notna().all()
    assert t["count"].sum() == 20_110 and t["population"].sum() == 1_818_487
    assert t["no_population"].sum() == 4


def test_without_boundaries_the_map_is_the_highest_rates_with_a_note(counts) -> None:
    t = area_rates(counts.counts, counts.quadrants.set_index("quadrant")["population"], "quadrant", counts.years)
    use_style()
    ex = quadrant_map(t, None, OutputContext.of("FIG-CTX-05", "es"))
    assert len(ex.data) == 134 and "map_class" not in ex.data  # every quadrant in the data, no classes
    assert ex.notes == ("No se proporcionaron límites (parámetro recorded_crime.boundaries): los 25 cuadrantes "
                        "con las tasas más altas.",)
    bars = [t.get_text() for t in ex.figure.axes[0].get_yticklabels()]
    assert len(bars) == 25 and bars[0] == "O-1.2.18"  # the highest rate first, at the top
