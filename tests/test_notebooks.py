"""The notebooks are the analysis.

Every REPORT.md output appears in each pilot notebook as a cell that estimates and presents it in a few
public calls; no cell is a bare lookup; the parameters cell holds only the report's name; each pilot
adds analyses of its own, which ``usg-research notebooks --diff`` shows; a notebook run by hand
(``jupyter nbconvert --execute``) writes nothing into the project and gives the build's tables; the
ENVIPE notebook runs under nbval where INEGI's files are.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from usg_research.cli import main
from usg_research.outline import OUTPUT_IDS
from usg_research.run.kernel import ensure_kernel
from usg_research.run.notebooks import notebook_diff, parameters_cell

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
PILOTS = ["iztapalapa", "iztapalapa-envipe", "mathare", "tashkent"]
OWN = {"iztapalapa": "FIG-GBV-03", "mathare": "FIG-DRG-03", "tashkent": "FIG-CTX-06"}
#: The presentation modules a cell's ``out.show(...)`` may call.
PRESENTERS = {"charts", "tables", "records", "fieldwork", "models", "crime_tables", "comparison"}


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def _output_cells(nb: nbformat.NotebookNode) -> dict[str, ast.With]:
    """``with r.output("ID") as out:`` blocks of the notebook, by id."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.With):
                call = node.items[0].context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "output":
                    found[call.args[0].value] = node  # type: ignore[attr-defined]
    return found


def _assigned(body: list[ast.stmt]) -> set[str]:
    return {t.id for s in body for t in ast.walk(s) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}


@pytest.mark.parametrize("name", PILOTS)
def test_every_report_id_is_computed_in_each_pilot_notebook(name):
    """For every output: the cell ends with out.show(<presentation>(<data>, ...)), and that data is estimated in
    the cell itself or is the setup cell's indicator table (``ind``): the computation is there to read."""
    cells = _output_cells(_read(name))
    assert set(OUTPUT_IDS) <= set(cells), sorted(set(OUTPUT_IDS) - set(cells))
    for output_id, block in cells.items():
        last = block.body[-1]
        assert isinstance(last, ast.Expr) and last.value.func.attr == "show", output_id  # type: ignore[attr-defined]
        shown = last.value.args[0]  # type: ignore[attr-defined]
        assert isinstance(shown, ast.Call) and shown.func.value.id in PRESENTERS, output_id
        data = {n.id for n in ast.walk(shown.args[0]) if isinstance(n, ast.Name)}
        assert data <= _assigned(block.body) | {"ind"}, (output_id, data)
        if "ind" not in data:
            assert len(block.body) >= 2, output_id  # an estimate, then its presentation


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_code_cell_is_only_a_lookup(name):
    """No cell is one call with nothing but names in it (``a.show("FIG-SAF-01")``)."""
    for cell in _read(name).cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        only = len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Call)
        if only:
            args = tree.body[0].value.args  # type: ignore[attr-defined]
            assert not (args and all(isinstance(a, ast.Constant) for a in args)), cell.source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_holds_only_the_report_name(name):
    cell = parameters_cell(_read(name), name)
    # a notebook shared by generated params defaults to one of them (`usg-research envipe-states` writes it)
    expected = {"_template": "mathare", "envipe-state": "envipe-22-queretaro"}.get(name, name)
    assert cell.source == f'report = "{expected}"'
    assert _read(name).metadata.kernelspec.name == "usg-research"


def test_pilots_carry_analyses_of_their_own_shown_by_the_diff():
    assert set(_output_cells(_read("_template"))) == set(OUTPUT_IDS)
    for city, own in OWN.items():
        assert set(_output_cells(_read(city))) == {*OUTPUT_IDS, own}
        diff = notebook_diff(city)
        assert re.search(rf"only in {city}: ### {own} · ", diff), diff
        assert re.search(rf"only in {city}: with r.output\(\"{own}\"\)", diff), diff
        assert "only in the template" not in diff, diff
        heading = _read(city).cells[0].source.splitlines()[0]
        assert re.findall(r"changed: (.*)", diff) == [heading], diff  # only the title of the notebook


def test_notebooks_diff_command(capsys):
    assert main(["notebooks", "--diff", "tashkent", "iztapalapa-envipe"]) == 0
    out = capsys.readouterr().out
    assert "notebooks/tashkent.ipynb against notebooks/_template.ipynb:" in out and "FIG-CTX-06" in out
    # the ENVIPE notebook computes four outputs from INEGI's crime module instead
    envipe = out.split("notebooks/iztapalapa-envipe.ipynb")[1]
    for output_id in ("TAB-VIC-02", "FIG-REP-01", "FIG-REP-02", "TAB-PRI-01", "TAB-ANX-03"):
        assert f'r.output("{output_id}")' in envipe
    assert "crime_module.reporting_table" in envipe


def _git_status() -> str | None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


def test_running_a_notebook_by_hand_writes_only_to_scratch_and_gives_the_builds_tables(tmp_path):
    ensure_kernel()
    before = _git_status()
    jupyter = Path(sys.executable).with_name("jupyter")
    env = {**os.environ, "USG_RESEARCH_SCRATCH": str(tmp_path)}
    env.pop("USG_RESEARCH_ROOT", None)
    produced = ROOT / "notebooks" / "mathare.nbconvert.ipynb"
    try:
        run = subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", "mathare.ipynb"],
                             cwd=ROOT / "notebooks", env=env, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr[-3000:]
        shown = produced.read_text(encoding="utf-8")
        assert f"Outputs of this run: {tmp_path / 'mathare'}" in shown
    finally:
        produced.unlink(missing_ok=True)
    assert _git_status() == before  # nothing written into the project (the .nbconvert copy is git-ignored)
    ours = {p.name: p.read_bytes() for p in (tmp_path / "mathare" / "tables").glob("*.csv")}
    published = {p.name: p.read_bytes() for p in (ROOT / "outputs" / "mathare" / "tables").glob("*.csv")}
    assert len(ours) == 52 and ours == published


def test_envipe_notebook_runs_under_nbval(shared_data, tmp_path):
    if not (shared_data / "envipe2021_inegi" / "TMod_Vic_national.parquet").is_file():
        pytest.skip("ENVIPE 2021 extract is not present")
    nb = tmp_path / "iztapalapa-envipe.ipynb"
    shutil.copy(ROOT / "notebooks" / "iztapalapa-envipe.ipynb", nb)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                          "--nbval-current-env", str(nb)],
                         env={**os.environ, "USG_RESEARCH_ROOT": str(ROOT), "USG_RESEARCH_SCRATCH": str(tmp_path)},
                         cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:]
    code_cells = sum(c.cell_type == "code" for c in nbformat.read(nb, as_version=4).cells)
    assert f"{code_cells} passed" in run.stdout
