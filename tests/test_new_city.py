"""The new-city workflow, end to end, as the tutorial (docs/new-city.md) tells a user to run it.

A throw-away project gets the tutorial's foreign export (an SPSS file with
Portuguese names, its own codes and labels, SPSS user-missing codes, PSUs but
no strata; generated here by ``usg-research example-export``), then
``new-city``, ``validate`` on the unedited scaffold (the exact gap list), the
edits the tutorial prints (read from docs/new-city.md itself, so the tutorial
is tested), ``validate`` passing and ``build``. The report's headline
estimates are then recomputed straight from the ``.sav`` with pyreadstat and
pandas.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from usg_research.ingest.load import read_raw
from usg_research.newcity.gaps import find_gaps
from usg_research.newcity.guess import guess_table
from usg_research.outline import OUTPUT_IDS

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "new-city.md"


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "USG_RESEARCH_ROOT": str(root), "PYTHONHASHSEED": "0"}


def _cli(root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "usg_research.cli", *args], env=_env(root), cwd=root,
                          capture_output=True, text=True, timeout=timeout)


def _project(tmp: Path) -> Path:
    for sub in ("params", "notebooks", "data/codebooks", "data/raw", "outputs"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "data/context", tmp / "data/context")
    shutil.copy(ROOT / "notebooks/_template.ipynb", tmp / "notebooks/_template.ipynb")
    return tmp


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    """A project after `example-export` and `new-city vilanova` (nothing edited yet)."""
    root = _project(tmp_path_factory.mktemp("newcity"))
    run = _cli(root, "example-export", "export")
    assert run.returncode == 0, run.stderr
    run = _cli(root, "new-city", "vilanova", "--survey", "export/vilanova_SYNTHETIC.sav",
               "--incidents", "export/ocorrencias_SYNTHETIC.csv", "--population", "export/populacao_SYNTHETIC.csv")
    assert run.returncode == 0, run.stderr
    (root / "new-city.txt").write_text(run.stdout, encoding="utf-8")
    return root


def test_scaffold_writes_the_city_and_marks_every_guess(scaffolded: Path):
    for rel in ("params/vilanova.yaml", "data/codebooks/vilanova.yaml", "data/codebooks/vilanova_iccs.csv",
                "notebooks/vilanova.ipynb", "data/raw/vilanova/vilanova_SYNTHETIC.sav"):
        assert (scaffolded / rel).is_file(), rel
    cb = yaml.safe_load((scaffolded / "data/codebooks/vilanova.yaml").read_text(encoding="utf-8"))
    survey = cb["survey"]
    assert {v: c["column"] for v, c in survey["columns"].items()} == {
        "weight": "peso", "area": "bairro", "interview_date": "data_entrevista", "respondent_name": "nome",
        "phone": "telefone", "sex": "sexo", "age": "idade", "education": "escolaridade", "employment": "ocupacao",
        "crime_trend": "p12", "noreport_reason": "p32"}
    assert all(c["review"] for c in survey["columns"].values())
    # value labels recognised in Portuguese, in the file's own (reversed) order
    assert survey["scales"]["trust4"] == {"1": "none", "2": "little", "3": "some", "4": "a_lot"}
    assert survey["scales"]["sex"] == {"1": "male", "2": "female"}
    # SPSS user-missing codes, by their labels
    assert survey["missing"] == {"8": "dk", "9": "refused", "98": "dk", "99": "refused"}
    assert survey["missing_numeric"] == {"999": "dk", "98": "dk", "99": "refused"}
    assert "strata" not in survey["columns"] and cb["synthetic"] is True
    assert cb["incidents"]["delimiter"] == ";" and cb["incidents"]["datetime_format"] == "%d/%m/%Y %H:%M"
    out = (scaffolded / "new-city.txt").read_text(encoding="utf-8")
    # every unmapped column and every unrecognised answer code is listed
    for col in ("n_quest", "entrevistador", "ua", "p10", "p11", "p20", "p20a", "p33", "p50", "p80", "n_registo"):
        assert re.search(rf"^\s+{col}\b", out, re.M), col
    assert "ocupacao code '6' ('Biscateiro / trabalho informal')" in out
    assert "p10 code '5' ('Não sai sozinho(a)')" in out


def test_new_city_never_overwrites_without_force(scaffolded: Path, tmp_path: Path):
    before = (scaffolded / "data/codebooks/vilanova.yaml").read_bytes()
    run = _cli(scaffolded, "new-city", "vilanova", "--survey", "export/vilanova_SYNTHETIC.sav")
    assert run.returncode == 2 and "already exists" in run.stderr and "--force" in run.stderr
    assert (scaffolded / "data/codebooks/vilanova.yaml").read_bytes() == before
    other = _project(tmp_path / "p")
    shutil.copytree(scaffolded / "export", other / "export")
    assert _cli(other, "new-city", "vila", "--survey", "export/vilanova_SYNTHETIC.sav").returncode == 0
    (other / "data/codebooks/vila.yaml").write_text("edited", encoding="utf-8")
    assert _cli(other, "new-city", "vila", "--survey", "export/vilanova_SYNTHETIC.sav",
                "--force").returncode == 0
    assert (other / "data/codebooks/vila.yaml").read_text(encoding="utf-8").startswith("# Codebook for vila")


def test_validate_lists_every_gap_of_the_unedited_scaffold(scaffolded: Path):
    os.environ["USG_RESEARCH_ROOT"] = str(scaffolded)
    try:
        gaps = find_gaps("vilanova")
    finally:
        os.environ.pop("USG_RESEARCH_ROOT")
    assert [(g.table, g.column, g.variable, g.code) for g in gaps.gaps] == [
        ("survey", None, "resp_id", None),  # required, named n_quest: no evident match
        ("survey", "ocupacao", "employment", "6"),  # "Biscateiro / trabalho informal": no canonical label
        ("survey", None, "psu", None),  # design: the PSU column is called ua
        ("incidents", None, "incident_id", None),  # required, named n_registo
    ]
    assert "118 rows" in gaps.gaps[1].problem and "survey.scales.employment" in gaps.gaps[1].fix
    run = _cli(scaffolded, "validate", "vilanova")
    assert run.returncode == 1
    assert "4 things to fix" in run.stdout and "not ready" in run.stdout
    assert "no stratum column is mapped" in run.stdout  # a note, not a gap: PSUs-only designs are fine


def _tutorial_edits() -> dict[str, str]:
    """The blocks docs/new-city.md tells the user to paste, by target (`<!-- edit: target -->` markers)."""
    text = TUTORIAL.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- edit: (\S+) -->\s*```\w*\n(.*?)```", text, re.S)
    assert blocks, "docs/new-city.md has no edit blocks"
    return dict(blocks)


def _apply_edits(root: Path) -> None:
    edits = _tutorial_edits()
    path = root / "data/codebooks/vilanova.yaml"
    cb = yaml.safe_load(path.read_text(encoding="utf-8"))
    for target, body in edits.items():
        if target.endswith(".csv"):
            (root / target).write_text(body, encoding="utf-8")
            continue
        node = cb
        *parents, last = target.split(".")
        for key in parents:
            node = node[key]
        node[last].update(yaml.safe_load(body))
    for spec in (cb["survey"], cb["incidents"], cb["population"]):  # the reviewed guesses
        spec["columns"] = {v: (c["column"] if isinstance(c, dict) else c) for v, c in spec["columns"].items()}
    path.write_text(yaml.safe_dump(cb, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def built(scaffolded: Path) -> Path:
    _apply_edits(scaffolded)
    run = _cli(scaffolded, "validate", "vilanova")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "vilanova: OK (synthetic data)" in run.stdout
    run = _cli(scaffolded, "build", "vilanova", timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    return scaffolded


def test_build_gives_a_complete_report(built: Path):
    out = built / "outputs/vilanova"
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [o["id"] for o in man["outputs"]] == list(OUTPUT_IDS)
    assert man["synthetic"] is True
    na = {o["id"] for o in man["outputs"] if o.get("status") == "not_available"}
    # what the Vila Nova questionnaire did not ask, and no qualitative fieldwork
    assert na == {"FIG-SAF-03", "FIG-SAF-04", "FIG-SAF-06", "FIG-VIC-03", "FIG-VIC-04", "FIG-REP-01", "FIG-REP-02",
                  "FIG-REP-04", "FIG-TRU-02", "FIG-COR-02", "FIG-DRG-01", "FIG-DRG-02", "FIG-GBV-01", "FIG-GBV-02",
                  "FIG-SRV-01", "FIG-PAR-02", "FIG-YTH-01", "TAB-QUAL-01", "FIG-QUAL-01", "TAB-STK-01"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "SYNTHETIC" in html
    assert "Not available for this area" in html
    for o in man["outputs"]:
        for f in o["files"]:
            assert (out / f["path"]).is_file(), f
    # the methodology describes this design and these sources, not the pilots'
    assert "clustered design without strata, recorded crime and census population." in html
    assert "qualitative fieldwork" not in html
    # the headline names what it cannot show and why
    assert "the survey did not ask report_other" in html
    # no respondent-level identifiers or names reach the outputs
    raw, _ = pyreadstat.read_sav(str(built / "data/raw/vilanova/vilanova_SYNTHETIC.sav"))
    text = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in out.rglob("*") if p.is_file()
                   and p.suffix in (".csv", ".html", ".json"))
    for name in raw["nome"].head(20):
        assert name not in text
    assert "o vizinho conhece o ladrão" not in text


def _share(num: pd.Series, inside: pd.Series, w: pd.Series) -> float:
    return float((w * num)[inside].sum() / w[inside].sum())


def test_headline_equals_direct_computation_from_the_sav(built: Path):
    df, meta = pyreadstat.read_sav(str(built / "data/raw/vilanova/vilanova_SYNTHETIC.sav"), user_missing=True)
    w = df["peso"]
    everyone = pd.Series(True, index=df.index)
    vict = df[["p20", "p21", "p22", "p23", "p24"]]
    any_yes = vict.eq(1).any(axis=1)
    all_known = vict.isin([1, 2]).all(axis=1)
    contact = df["p60"].eq(1)
    expected = {
        # SDG 16.1.4 counts don't know / refused as not feeling safe: every respondent is in the denominator
        "SAFE_NIGHT_WALK": _share(df["p10"].isin([1, 2]), everyone, w),
        "VICT_ANY_12M": _share(any_yes, any_yes | all_known, w),
        "VIOL_PHYS_12M": _share(df["p40"].eq(1), df["p40"].isin([1, 2]), w),
        "TRUST_POLICE": _share(df["p50"].isin([3, 4]), df["p50"].isin([1, 2, 3, 4]), w),  # codes reversed
        "BRIBE_PREV": _share(df["p61"].eq(1) | df["p62"].eq(1), contact, w),
        "SAT_SERV_HEALTH": _share(df["p71"].isin([1, 2]), df["p70"].eq(1) & df["p71"].isin([1, 2, 3, 4]), w),
    }
    head = pd.read_csv(built / "outputs/vilanova/tables/TAB-SUM-01.csv").set_index("indicator")
    assert list(head.index) == list(expected)  # REPORT_ANY and INCL_DECISION cannot be computed: left out
    for ind, value in expected.items():
        assert head.loc[ind, "estimate"] == pytest.approx(value, rel=1e-8), ind
    assert int(head.loc["SAFE_NIGHT_WALK", "n"]) == len(df)
    assert int(head.loc["BRIBE_PREV", "n"]) == int(contact.sum())


def test_guesses_on_a_csv_export_use_distinct_values(tmp_path: Path):
    p = tmp_path / "s.csv"
    p.write_text("folio;sexo;p1;edad\n1;Mujer;Muy seguro;30\n2;Hombre;Inseguro;41\n3;Mujer;NS;25\n",
                 encoding="utf-8")
    g = guess_table(read_raw(p), "respondent")
    by = g.by_column
    assert (by["folio"].variable, by["sexo"].variable, by["edad"].variable) == ("resp_id", "sex", "age")
    assert by["p1"].scale == "safety" and by["p1"].variable is None
    assert by["p1"].codes == {"Muy seguro": "very_safe", "Inseguro": "unsafe"} and by["p1"].missing == {"NS": "dk"}
    assert by["edad"].scale is None and by["edad"].unmatched == {}
