"""The report notebooks: the template a new city starts from, the parameters cell, and how a city differs.

``notebooks/_template.ipynb`` is the common analysis: one Markdown note and one code cell per output
of REPORT.md. ``usg-research new-city`` copies it; a city's notebook may then diverge (its own
analyses, other items or models), and :func:`notebook_diff` shows where, so that a fix to the template
can be carried over on purpose. Every report notebook has exactly one cell tagged ``parameters``, and
it declares only ``report``: papermill injects the report's name, the notebook reads the rest from
``params/<report>.yaml``.

Examples
--------
>>> nb = city_notebook("demo")
>>> parameters_cell(nb).source
'report = "demo"'
"""

from __future__ import annotations

import difflib
from pathlib import Path

import nbformat

from ..errors import ParamsError
from ..paths import project_root, relative

#: The one name a report notebook's parameters cell declares.
PARAMETER = "report"


def template_path() -> Path:
    return project_root() / "notebooks" / "_template.ipynb"


def notebook_path(name: str) -> Path:
    return project_root() / "notebooks" / f"{name}.ipynb"


def parameters_cell(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The notebook's one ``parameters`` cell; ParamsError unless there is exactly one, declaring ``report``."""
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParamsError(f"{name}: needs exactly one cell tagged 'parameters', found {len(tagged)}")
    declared = [line.split("=")[0].strip() for line in tagged[0].source.splitlines()
                if "=" in line and not line.lstrip().startswith("#")]
    if declared != [PARAMETER]:
        raise ParamsError(f"{name}: the parameters cell must declare only {PARAMETER!r} (the report's name; "
                          f"everything else is read from params/<report>.yaml), found {declared}")
    return tagged[0]


def check_notebook(path: Path) -> None:
    """Raise ParamsError naming the notebook when its parameters cell is not exactly ``report = ...``."""
    parameters_cell(nbformat.read(path, as_version=4), relative(path))


def city_notebook(report: str, template: Path | None = None) -> nbformat.NotebookNode:
    """A copy of the template whose parameters cell names ``report``."""
    path = template or template_path()
    nb = nbformat.read(path, as_version=4)
    parameters_cell(nb, relative(path)).source = f'{PARAMETER} = "{report}"'
    return nb


def write_notebook(nb: nbformat.NotebookNode, path: str | Path) -> Path:
    """Write a notebook without outputs (the form committed to the repository)."""
    path = Path(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path


def _cells(nb: nbformat.NotebookNode) -> list[str]:
    return [f"[{c.cell_type}] {c.source}" for c in nb.cells if "parameters" not in c.metadata.get("tags", [])]


def _title(cell: str) -> str:
    first = cell.split("] ", 1)[1].strip().splitlines()
    return first[0][:90] if first else "(empty)"


def notebook_diff(name: str) -> str:
    """Which cells of ``notebooks/<name>.ipynb`` differ from the template: added, removed and changed
    cells (changed ones as a unified diff), the parameters cell left aside."""
    path, template = notebook_path(name), template_path()
    for p in (path, template):
        if not p.exists():
            raise ParamsError(f"{relative(p)}: notebook not found")
    a, b = _cells(nbformat.read(template, as_version=4)), _cells(nbformat.read(path, as_version=4))
    lines = [f"{relative(path)} against {relative(template)}:"]
    same = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            same += i2 - i1
        elif op == "insert":
            lines += [f"  only in {name}: {_title(c)}" for c in b[j1:j2]]
        elif op == "delete":
            lines += [f"  only in the template: {_title(c)}" for c in a[i1:i2]]
        else:
            for old, new in zip(a[i1:i2], b[j1:j2], strict=False):
                lines.append(f"  changed: {_title(new)}")
                lines += ["    " + d for d in difflib.unified_diff(old.splitlines(), new.splitlines(), "template",
                                                                   name, lineterm="", n=1)][2:]
            lines += [f"  only in {name}: {_title(c)}" for c in b[j1 + (i2 - i1):j2]]
            lines += [f"  only in the template: {_title(c)}" for c in a[i1 + (j2 - j1):i2]]
    lines.append(f"  {same} cells as in the template")
    return "\n".join(lines)
