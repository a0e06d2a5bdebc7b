"""A report's HTML page as a paged PDF (``report.pdf``), rendered offline with WeasyPrint.

The PDF is the same page for print: A4, numbered pages ("page 3 of 61"), the table of contents with the
page of each entry, no figure or table split across pages, and no code disclosures (the HTML keeps
them). It is a build output beside report.html (git-ignored, not in the manifest).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "report.html").write_text("<meta charset=utf-8><h1>Ташкент</h1>", encoding="utf-8")
>>> pdf = render_pdf(folder / "report.html", folder / "report.pdf")
>>> page_count(pdf), "Ташкент" in pdf_text(pdf)
(1, True)
"""

from __future__ import annotations

import logging
from pathlib import Path

from pypdf import PdfReader
from weasyprint import CSS, HTML

#: print rules added to the page's own styles
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
        @bottom-center { content: counter(page) " / " counter(pages); font: 8pt sans-serif; color: #555; } }
html, body { font-size: 9.5pt; }
.jp-Cell, .jp-OutputArea-output { padding: 0 !important; }
details.usg-code { display: none; }
figure.usg-figure, div.usg-table-wrap, p.usg-unavailable, table.usg-params { break-inside: avoid;
  page-break-inside: avoid; }
figure.usg-figure img { max-width: 100%; height: auto; }
h1, h2, h3 { break-after: avoid; }
nav.usg-toc { break-after: page; }
nav.usg-toc a::after { content: leader(".") target-counter(attr(href), page); }
nav.usg-toc ul, nav.usg-toc ol { margin-top: 0; }
table { font-size: 7.5pt; }
"""


def render_pdf(html_file: Path, pdf_file: Path) -> Path:
    """Render ``html_file`` (a report page, its figures embedded) to ``pdf_file``; returns its path.

    The page's own CSS is kept and :data:`PRINT_CSS` added; WeasyPrint's notes about CSS it does not
    support (the notebook theme's) are not printed.
    """
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(filename=str(html_file), base_url=str(Path(html_file).parent)).write_pdf(
        str(pdf_file), stylesheets=[CSS(string=PRINT_CSS)])
    return Path(pdf_file)


def page_count(pdf_file: Path) -> int:
    """How many pages a PDF has."""
    return len(PdfReader(str(pdf_file)).pages)


def pdf_text(pdf_file: Path, pages: int = 2) -> str:
    """The text of a PDF's first ``pages`` pages (to check what a reader sees)."""
    reader = PdfReader(str(pdf_file))
    return "\n".join(p.extract_text() or "" for p in reader.pages[:pages])
