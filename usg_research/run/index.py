"""``outputs/index.html``: every built report, linked, with its headline numbers.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> page = write_index(Path(tempfile.mkdtemp()))
>>> page.name, "<h1>" in page.read_text(encoding="utf-8")
('index.html', True)
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from ..paths import outputs_dir


def _headline(tables: Path) -> str:
    tab = tables / "TAB-SUM-01.csv"
    if not tab.exists():
        return ""
    items = []
    for r in pd.read_csv(tab).itertuples():
        if r.flag == "suppressed" or pd.isna(r.estimate):
            val = "suppressed"
        else:
            val = f"{r.estimate * 100:.1f}%" if r.unit == "percent" else f"{r.estimate:,.0f}"
        items.append(f"<li>{html.escape(str(r.label))}: <b>{val}</b></li>")
    return "<ul>" + "".join(items) + "</ul>"


def write_index(out_root: Path | None = None) -> Path:
    """Write the index page of every report whose manifest is in ``out_root`` (default ``outputs/``)."""
    out_root = Path(out_root) if out_root else outputs_dir()
    out_root.mkdir(parents=True, exist_ok=True)
    rows = []
    for m in sorted(out_root.glob("*/manifest.json")):
        man = json.loads(m.read_text(encoding="utf-8"))
        name = m.parent.name
        notice = "<p><b>Synthetic data.</b></p>" if man.get("synthetic") else ""
        rows.append(f'<section><h2><a href="{html.escape(name)}/report.html">{html.escape(man["title"])}</a></h2>'
                    f"{notice}{_headline(m.parent / 'tables')}</section>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>USGA reports</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}</style></head><body>"
            "<h1>Urban Safety Governance Assessment reports</h1>" + "".join(rows) + "</body></html>\n")
    path = out_root / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
