"""An executed notebook as the report's HTML page, and as an archive that is the same on every run.

The page has no code cells, no prompts and no script from any host (figures are embedded, so it
works offline); under each output a folded "code" disclosure (``<details>``, closed, no JavaScript)
shows the notebook cell that made it, for the academic who wants to check. The executed notebook
loses what differs between identical runs (timings, papermill's paths, the injected cell's random id).

Examples
--------
>>> "details" in code_disclosure("x = 1", "Code")
True
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

#: Cells that never show in the page (the parameters, papermill's injected cell, analysts' notes).
HIDDEN_TAGS = {"injected-parameters", "parameters", "analyst-note"}


def code_disclosure(source: str, summary: str) -> str:
    """A closed ``<details>`` block holding ``source``, highlighted (the page's own CSS, no script)."""
    pre = "font-family: monospace; font-size: 85%; background: #f6f8fa; padding: 6px 10px; overflow-x: auto"
    code = highlight(source, PythonLexer(), HtmlFormatter(cssclass="highlight", prestyles=pre))
    return (f'<details class="usg-code"><summary style="cursor: pointer; color: #555">{html.escape(summary)}'
            f"</summary>{code}</details>")


class CodeDisclosures(Preprocessor):
    """Appends to every shown code cell a folded disclosure of its own source."""

    summary = "Code"

    def preprocess_cell(self, cell, resources, index):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "code" and cell.source.strip() and not tags & HIDDEN_TAGS:
            cell.outputs.append(nbformat.v4.new_output("display_data", data={
                "text/html": code_disclosure(cell.source, self.summary)}))
        return cell, resources


def inline_images(html_text: str, folder: Path) -> str:
    """Every ``<img src="figures/...png">`` of the page as a ``data:`` URI of that file in ``folder``."""
    def data_uri(m: re.Match) -> str:
        png = (folder / m.group(1)).read_bytes()
        return f'src="data:image/png;base64,{base64.b64encode(png).decode()}"'

    return re.sub(r'src="(figures/[A-Za-z0-9-]+\.png)"', data_uri, html_text)


#: an output's caption: its number, its id and its title (up to the first full stop)
_CAPTION = re.compile(r"<b>([^<]+)</b> \(((?:FIG|TAB)-[A-Z]+-\d+[a-z]?)\)\. (.*?)\.(?: |</)")
_CHAPTER = re.compile(r'<h2 id="(ch-[a-z_-]+)">(.*?)</h2>')
#: an output the report cannot give: its id and its title, in italics
_UNAVAILABLE = re.compile(r'<p class="usg-unavailable" id="((?:FIG|TAB)-[A-Z]+-\d+[a-z]?)"><i>(.*?) \(\1\):')


def table_of_contents(body: str, heading: str = "Contents") -> str:
    """A table of contents of a report page: each chapter (``<h2 id="ch-...">``) and under it each output,
    linked to its anchor (numbered ones by number and title, those not available in italics, by title and
    id), as a ``<nav>`` placed before the first chapter (the page unchanged when it has no chapter).

    Examples
    --------
    >>> page = ('<h1>T</h1><h2 id="ch-a">A</h2><figure id="FIG-A-01"><figcaption><b>Figure 1</b> (FIG-A-01). '
    ...         'Rates. Source: x.</figcaption></figure>')
    >>> toc = table_of_contents(page)
    >>> '<a href="#ch-a">A</a>' in toc and '<a href="#FIG-A-01">Figure 1. Rates</a>' in toc
    True
    """
    marks = sorted([(m.start(), "chapter", m.group(1), m.group(2)) for m in _CHAPTER.finditer(body)]
                   + [(m.start(), "output", m.group(2), f"{m.group(1)}. {m.group(3)}")
                      for m in _CAPTION.finditer(body)]
                   + [(m.start(), "output", m.group(1), f"<i>{m.group(2)} ({m.group(1)})</i>")
                      for m in _UNAVAILABLE.finditer(body)])
    chapters = [m for m in marks if m[1] == "chapter"]
    if not chapters:
        return body
    items: list[str] = []
    for _, kind, anchor, text in marks:
        if kind == "chapter":
            items.append(("</ul></li>" if items else "") + f'<li><a href="#{anchor}">{text}</a><ul>')
        elif items:
            items.append(f'<li><a href="#{anchor}">{text}</a></li>')
    nav = (f'<nav class="usg-toc" id="contents" style="border:1px solid #ddd;padding:4px 16px;margin:16px 0;'
           f'font-size:90%"><h2>{html.escape(heading)}</h2><ol>{"".join(items)}</ul></li></ol></nav>')
    first = chapters[0][0]
    return body[:first] + nav + body[first:]


def render_html(notebook: Path, title: str, code_word: str = "Code", contents_word: str = "Contents") -> str:
    """HTML of an executed notebook: no input cells, no prompts, no CDN scripts, figures embedded (images the
    notebook names by file, beside it, are inlined), a table of contents (``contents_word`` its heading) and
    a folded disclosure of each cell's code (``code_word`` is its label in the report language)."""
    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    for trait in ("mathjax_url", "require_js_url", "jquery_url", "mermaid_js_url", "mermaid_layout_elk_js_url",
                  "widget_renderer_url"):
        setattr(exporter, trait, "")
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS), enabled=True)
    disclosures = CodeDisclosures()
    disclosures.summary = code_word
    exporter.register_preprocessor(disclosures, enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # reports carry no diagrams: drop the mermaid loader so the page names no outside host at all
    body = re.sub(r"<script type=\"module\">(?:(?!</script>).)*mermaid(?:(?!</script>).)*</script>", "", body,
                  flags=re.S)
    body = table_of_contents(re.sub(r"<script src=\"\">\s*</script>", "", body), contents_word)
    return inline_images(body, Path(notebook).parent)


def normalise_notebook(path: Path) -> None:
    """Remove what differs between identical runs: timings, papermill paths, random injected cell ids."""
    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for k in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
        pm.pop(k, None)
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        elif not cell.get("id"):
            cell["id"] = f"cell-{i}"
    nbformat.write(nb, path)
