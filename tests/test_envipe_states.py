"""Every Mexican state's ENVIPE report (``usg-research envipe-states``): the params written for the 32
entities, and a state's report (its adults as a domain of the national design, the nation as comparison)
equal to R ``survey`` (tests/r/envipe_reference.csv; skipped without ../shared/data/envipe2021_inegi)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from usg_research.cli import main
from usg_research.errors import USGAError
from usg_research.newcity.envipe_states import write_state_params
from usg_research.params import load_params
from usg_research.run.build import build_report

from .test_envipe import _ref

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "proj"
    for rel in ("data/census", "data/context"):
        shutil.copytree(ROOT / rel, root / rel)
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks/envipe-state.ipynb", root / "notebooks")
    monkeypatch.setenv("USG_RESEARCH_ROOT", str(root))
    return root


def test_params_for_every_state(project, capsys) -> None:
    assert main(["envipe-states"]) == 0
    assert capsys.readouterr().out.startswith("32 params written, 0 unchanged\n")
    names = sorted(p.stem for p in (project / "params").glob("*.yaml"))
    assert len(names) == 32 and names[0] == "envipe-01-aguascalientes" and names[-1] == "envipe-32-zacatecas"
    assert {"envipe-09-ciudad-de-mexico", "envipe-15-mexico", "envipe-16-michoacan-de-ocampo"} <= set(names)
    p = load_params("envipe-16-michoacan-de-ocampo")
    assert (p.notebook, p.language, p.source.entity, p.source.municipality) == ("envipe-state", "es", "16", None)
    assert p.title == "Evaluación de la Gobernanza de la Seguridad Urbana: Michoacán de Ocampo (ENVIPE 2021, INEGI)"
    # rerun: nothing to do; a file edited by hand is kept unless --force
    edited = project / "params/envipe-16-michoacan-de-ocampo.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("language: es", "language: en"), encoding="utf-8")
    again = write_state_params()
    assert (len(again.written), len(again.unchanged), again.kept) == (0, 31, ["envipe-16-michoacan-de-ocampo"])
    assert load_params("envipe-16-michoacan-de-ocampo").language == "en"
    assert write_state_params(only=["16"], force=True).written == ["envipe-16-michoacan-de-ocampo"]
    assert load_params("envipe-16-michoacan-de-ocampo").language == "es"
    with pytest.raises(USGAError, match=r"no entity \['33'\]"):
        write_state_params(only=["33"])
    # `list` keeps its columns aligned past 22 characters (envipe-30-veracruz-de-ignacio-de-la-llave: 41)
    capsys.readouterr()
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 32 and {line.index(" not built") for line in lines} == {41}


def test_a_state_report_is_its_adults_as_a_domain_of_the_nation(project, envipe, tmp_path) -> None:
    """Querétaro state's report: the state's 2,772 adults; its estimates are R's for the state domain."""
    write_state_params(only=["22"], data=str(envipe))
    r = build_report("envipe-22-queretaro", force=True, out_root=tmp_path / "out")
    assert r.status == "built", r.message
    out = tmp_path / "out/envipe-22-queretaro"
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["sample"]["respondents"] == 2772
    ind = pd.read_csv(out / "tables/TAB-ANX-01.csv").set_index(["indicator", "domain", "level"])
    ref = _ref("persons").set_index(["indicator", "domain", "level"])
    for indicator in ("VICT_ANY_12M", "VICT_HH_12M"):
        got, want = ind.loc[(indicator, "total", "total")], ref.loc[(indicator, "area", "22")]
        assert got["estimate"] == pytest.approx(want["estimate"], rel=1e-8)
        assert got["se"] == pytest.approx(want["se"], rel=1e-8)
    # the crime module: the nation and the state, no municipality; rates by place of residence, the reporting
    # table by place of occurrence
    rates = pd.read_csv(out / "tables/TAB-VIC-02.csv", dtype={"area": str})
    assert sorted(rates["area"].unique()) == ["22", "national"]
    total = (rates["area"] == "22") & (rates["sex"] == "total") & (rates["age_group"] == "total")
    per_adult = rates[total & (rates["measure"] == "per_100k_adults")].iloc[0]
    want = _ref("rates").set_index(["indicator", "domain", "level"]).loc[("per_100k_adults", "22", "total")]
    assert per_adult["estimate"] == pytest.approx(want["estimate"], rel=1e-8)
    assert per_adult["se"] == pytest.approx(want["se"], rel=1e-8)
    crimes = rates[total & (rates["measure"] == "crimes")]["estimate"].iloc[0]
    per_census = rates[total & (rates["measure"] == "per_100k_census")]["estimate"].iloc[0]
    assert per_census == pytest.approx(1e5 * crimes / 2368467, rel=1e-8)  # the cited census total of entity 22
    layout = pd.read_csv(out / "tables/TAB-REP-05.csv", dtype={"area": str}).set_index(["area", "sex", "measure"])
    assert sorted(layout.index.unique("area")) == ["22", "national"]
    want = _ref("crimes").set_index(["indicator", "domain", "level"])
    for measure in ("crimes", "reported"):
        got = layout.loc[("22", "total", measure)]
        assert got["estimate"] == pytest.approx(want.loc[(measure, "22", "total"), "estimate"], rel=1e-8)
        assert got["se"] == pytest.approx(want.loc[(measure, "22", "total"), "se"], rel=1e-8)
    # priorities against the other states' adults; the methodology names the nation as comparison domain
    ranking = pd.read_csv(out / "tables/TAB-PRI-01.csv")
    assert ranking.loc[ranking["rank"] == 1, "theme"].tolist() == ["fraud"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "las personas adultas de las demás entidades" in page
    assert "con el total nacional como dominio de comparación" in page
    # no census of adults by sex and age for a state: TAB-MET-02 says so instead of an empty census column
    assert "el cuadro no tiene columna censal" in page
