"""Write the report notebooks: thin, output-free, one library call per output.

Every city notebook has the same cells (the chapter list of
:mod:`usg_research.present.chapters`); only its ``parameters`` cell differs. Cells
tagged ``analyst-note`` are Markdown guidance for analysts working in
Jupyter; they are left out of the HTML report, whose text comes from the
library in the report language.

Examples
--------
>>> nb = city_notebook("demo")
>>> sum("parameters" in c.metadata.get("tags", []) for c in nb.cells)
1
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..params import CityParams
from ..present.chapters import CHAPTERS

NOTE_TAG = "analyst-note"


def _note(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": [NOTE_TAG]})


def _code(text: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text, metadata={"tags": tags} if tags else {})


def _notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for i, c in enumerate(nb.cells):  # stable ids: rewriting a notebook changes nothing
        c["id"] = f"c{i:02d}"
    return nb


def city_notebook(city: str, params: CityParams | None = None) -> nbformat.NotebookNode:
    """The notebook of one city (defaults in the parameters cell are the city's params, or placeholders)."""
    p = params or CityParams(city=city, title=f"Urban Safety Governance Assessment: {city}")
    values = p.notebook_parameters(city)
    names = list(values)
    cells = [
        _note(f"# Assessment report notebook: {city}\n\n"
              "Run by `usg-research build` with `params/<report>.yaml` injected into the next cell. "
              "Each code cell below shows one output of REPORT.md by its id; what an id shows is in "
              "`usg_research/chapters.py`, the report's words in `usg_research/words.yaml`. "
              "Keep this notebook thin: add logic to the library, with a test."),
        _code("\n".join(f"{k} = {v!r}" for k, v in values.items()), tags=["parameters"]),
        _code("from usg_research.present.assessment import Assessment\n\n"
              f"a = Assessment(dict({', '.join(f'{n}={n}' for n in names)}))\n"
              "a.cover()"),
    ]
    for ch in CHAPTERS:
        cells.append(_note(f"## {ch.key}"))
        cells.append(_code(f'a.chapter("{ch.key}")'))
        cells += [_code(f'a.show("{o}")') for o in ch.outputs]
    cells.append(_code("a.finish()"))
    return _notebook(cells)


def comparison_notebook() -> nbformat.NotebookNode:
    """The cross-city notebook (reads the city reports' published tables)."""
    from ..present.comparison import Comparison, load_comparison_params

    p = load_comparison_params()
    values = {"report": "comparison", **p.model_dump(exclude={"timeout"})}
    cells = [
        _note("# Cross-city comparison\n\nReads each city report's published annex table "
              "(`outputs/<report>/tables/TAB-ANX-01.csv`), never the raw data; built after the cities."),
        _code("\n".join(f"{k} = {v!r}" for k, v in values.items()), tags=["parameters"]),
        _code("from usg_research.present.comparison import Comparison\n\n"
              f"c = Comparison(dict({', '.join(f'{n}={n}' for n in values)}))\nc.cover()"),
        *[_code(f'c.show("{i}")') for i in Comparison.IDS],
        _code("c.finish()"),
    ]
    return _notebook(cells)


def write_notebook(nb: nbformat.NotebookNode, path: str | Path) -> Path:
    """Write a notebook without outputs (the form committed to the repository)."""
    path = Path(path)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path
