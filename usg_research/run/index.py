"""``outputs/index.html``: what the reports are, and every built report, linked, with its language, whether
its data are real or synthetic, its sample and its headline numbers (each in the report's own language).

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
from babel import Locale

from ..paths import outputs_dir
from ..present.words import Words

INTRO = (
    "Each report regenerates every figure and table of an Urban Safety Governance Assessment from its data "
    "with the open usg-research package: crime and victimisation, safety perceptions, reporting to the "
    "authorities, trust, corruption, drugs, services and the city's priorities, with design-based 95% "
    "confidence intervals and unreliable estimates flagged or suppressed. The pilot cities' reports are "
    "built from <b>synthetic data</b> (the original microdata are confidential): their numbers illustrate "
    "the method and are not findings about the cities. The reports marked <b>real data</b> are built from "
    "public microdata (INEGI's ENVIPE 2021 and Mexico City police records), read where they are. The "
    "comparison report sets the cities' headline indicators side by side. Every output has a stable "
    "identifier, a CSV file of its numbers and an entry in its report's manifest.json; <code>usg-research "
    "verify</code> rebuilds them all and checks they are byte-identical.")


#: From how many reports the page opens with a numbered list of them (e.g. every state's ENVIPE report).
CONTENTS_FROM = 12


def _headline(tables: Path, words: Words) -> str:
    """The report's headline indicators (TAB-SUM-01), in the report's language."""
    tab = tables / "TAB-SUM-01.csv"
    if not tab.exists():
        return ""
    items = []
    for r in pd.read_csv(tab).itertuples():
        if r.flag == "suppressed" or pd.isna(r.estimate):
            val = words.label("word:suppressed")
        else:
            val = f"{words.number(r.estimate * 100, 1)}%" if r.unit == "percent" else words.number(r.estimate)
        items.append(f"<li>{html.escape(str(r.label))}: <b>{html.escape(val)}</b></li>")
    return "<ul>" + "".join(items) + "</ul>"


def _language(code: str) -> str:
    """A language named in English and in itself (Babel's CLDR names).

    Examples
    --------
    >>> _language("es"), _language("en")
    ('Spanish (español)', 'English')
    """
    here = Locale.parse(code)
    english = here.get_display_name("en")
    return english if code == "en" else f"{english} ({here.get_display_name(code)})"


def _data(man: dict, reports: dict[str, dict]) -> str:
    """Whether a report's numbers come from synthetic or real data, in words; a comparison of both kinds
    (``reports``: every manifest by report name) says which columns are which."""
    compared = man.get("inputs", {}).get("params", {}).get("reports", [])
    if {reports.get(r, {}).get("synthetic") for r in compared} >= {True, False}:
        return ("<b>Synthetic and real data</b>: the pilot cities' columns are synthetic (they illustrate the "
                "method); the columns of the real-data reports are findings from public microdata")
    if man.get("synthetic"):
        return "<b>Synthetic data</b>: illustrates the method; not findings about the city"
    return "<b>Real data</b>: public microdata, sources on the report's cover"


def _read(manifest: Path) -> dict:
    """A manifest, or ``{}`` when it is not a JSON object (a report folder written by hand or cut short)."""
    try:
        man = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return man if isinstance(man, dict) else {}


def write_index(out_root: Path | None = None) -> Path:
    """Write the index page of every report whose manifest is in ``out_root`` (default ``outputs/``): an
    introduction, a numbered list of the reports when there are more than :data:`CONTENTS_FROM`, then one
    section per report, the comparison report first."""
    out_root = Path(out_root) if out_root else outputs_dir()
    out_root.mkdir(parents=True, exist_ok=True)
    manifests = {m: _read(m) for m in out_root.glob("*/manifest.json")}
    rows, listed = [], []
    by_name = {m.parent.name: man for m, man in manifests.items()}
    for m, man in sorted(manifests.items(), key=lambda x: (x[1].get("kind") != "comparison", x[0].parent.name)):
        name, language = m.parent.name, man.get("language", "en")
        if not {"title", "outputs"} <= set(man):
            rows.append(f"<section><h2>{html.escape(name)}</h2><p>Its manifest.json cannot be read: rebuild the report "
                        f"(<code>usg-research build --force {html.escape(name)}</code>).</p></section>")
            continue
        built = [o for o in man["outputs"] if o.get("status", "built") == "built"]
        count = f"{len(built)} output{'' if len(built) == 1 else 's'}"
        pdf = f' · <a href="{html.escape(name)}/report.pdf">PDF</a>' if (m.parent / "report.pdf").exists() else ""
        facts = (f"<p>{_data(man, by_name)} · Language: {html.escape(_language(language))} · {count} · "
                 f'<a href="{html.escape(name)}/manifest.json">manifest</a>{pdf}</p>')
        rows.append(f'<section id="{html.escape(name)}"><h2><a href="{html.escape(name)}/report.html">'
                    f'{html.escape(man["title"])}</a></h2>{facts}{_headline(m.parent / "tables", Words(language))}'
                    "</section>")
        listed.append(f'<li><a href="#{html.escape(name)}">{html.escape(man["title"])}</a></li>')
    contents = f"<h2>{len(listed)} reports</h2><ol>{''.join(listed)}</ol>" if len(listed) > CONTENTS_FROM else ""
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Urban Safety Governance "
            "Assessment reports</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto;"
            "line-height:1.45}section{border-top:1px solid #ddd;margin-top:1.2em}</style></head><body>"
            f"<h1>Urban Safety Governance Assessment reports</h1><p>{INTRO}</p>{contents}" + "".join(rows)
            + "</body></html>\n")
    path = out_root / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
