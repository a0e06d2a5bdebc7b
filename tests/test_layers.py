"""The library's shape: layers kept by import-linter (and the check fails on a planted upward import), no
import cycle, no import chain longer than ten modules, no module over 400 lines, no import inside a function."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import grimp
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "usg_research"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


def test_import_contracts_fail_on_a_planted_upward_import(tmp_path):
    """A low layer (ingest) that imports a high one (run) breaks the layers contract, naming the import."""
    copy = tmp_path / "usg_research"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    schema = copy / "ingest" / "schema.py"
    schema.write_text(schema.read_text(encoding="utf-8") + "\nfrom ..run import build  # noqa: planted\n",
                      encoding="utf-8")
    run = _lint(tmp_path)
    assert run.returncode == 1
    assert "BROKEN" in run.stdout and "usg_research.ingest.schema -> usg_research.run.build" in run.stdout


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("usg_research", cache_dir=None)


def _longest_chain(graph: grimp.ImportGraph) -> list[str]:
    """The longest chain of imports between the library's modules (AssertionError naming a cycle)."""
    longest: dict[str, list[str]] = {}

    def chain(m: str, seen: tuple[str, ...] = ()) -> list[str]:
        if m in seen:
            raise AssertionError(f"import cycle: {' -> '.join((*seen, m))}")
        if m not in longest:
            below = [chain(d, (*seen, m)) for d in sorted(graph.find_modules_directly_imported_by(m))]
            longest[m] = [m, *max(below, key=len, default=[])]
        return longest[m]

    return max((chain(m) for m in sorted(graph.modules)), key=len)


def test_no_import_cycle_and_no_chain_longer_than_ten_modules():
    path = _longest_chain(_graph())
    assert len(path) <= 10, " -> ".join(path)


def test_the_chain_check_finds_a_planted_cycle():
    graph = grimp.build_graph("usg_research", cache_dir=None)
    graph.add_import(importer="usg_research.paths", imported="usg_research.cli")
    with pytest.raises(AssertionError, match="import cycle: .*usg_research.paths -> usg_research.cli"):
        _longest_chain(graph)


def test_no_module_over_400_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_no_import_of_the_library_inside_a_function():
    """Imports sit at the top of each module, where the layers can see them (none hidden in a function)."""
    hidden = []
    for p in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.level > 0 or (inner.module or "").startswith(
                            "usg_research")):
                        hidden.append(f"{p.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []


def test_the_package_is_licensed_and_citable_at_its_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version and citation["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
