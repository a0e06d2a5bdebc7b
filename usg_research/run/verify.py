"""Check the published record: the files in ``outputs/<report>/`` against their manifest (every committed
table present with its sha256, no table the manifest does not list, any figure present unchanged), then a
rebuild's manifests against the committed ones, file by file (:func:`usg_research.run.build.verify` rebuilds
and calls both); and the README's list of outputs, generated from the manifests.

Examples
--------
>>> "| TAB-SUM-01 |" in outputs_list()
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..outline import COMPARISON_IDS, OUTPUT_IDS, chapter_of
from ..paths import outputs_dir, relative

PUBLISHED = "tables"  # the folder of each report whose files are committed; figures and HTML are build outputs


def check_published(name: str, out_root: Path | None = None) -> list[str]:
    """Differences between the files in ``out_root/<name>/`` and its manifest (empty when they agree).

    Every file under ``tables/`` is committed, so it must exist with the manifest's sha256, and no table may
    be there that the manifest does not list; a figure (a build output) is checked when it is present. A
    report without a manifest (never built) has nothing published to check.

    Examples
    --------
    >>> check_published("mathare")
    []
    """
    folder = (Path(out_root) if out_root else outputs_dir()) / name
    manifest = folder / "manifest.json"
    if not manifest.exists():  # never built: nothing published to check
        return []
    try:
        listed = {f["path"]: (o["id"], f["sha256"]) for o in json.loads(manifest.read_text(encoding="utf-8"))
                  ["outputs"] for f in o["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{relative(manifest)}: not a readable manifest ({type(exc).__name__}: {exc})"]
    out = []
    for path, (oid, digest) in sorted(listed.items()):
        f = folder / path
        if not f.exists():
            if path.startswith(f"{PUBLISHED}/"):
                out.append(f"{name}: {oid} {relative(f)}: missing (listed in the manifest)")
        elif hashlib.sha256(f.read_bytes()).hexdigest() != digest:
            out.append(f"{name}: {oid} {relative(f)}: content differs from the manifest's sha256")
    for f in sorted((folder / PUBLISHED).glob("*")):
        if f.relative_to(folder).as_posix() not in listed:
            out.append(f"{name}: {relative(f)}: not listed in the manifest")
    return out


def compare_records(names: list[str], rebuilt: Path, notes: list[str]) -> list[str]:
    """Compare the rebuilt manifests in ``rebuilt`` with the committed ones, file by file (sha256).

    Returns the differences in outputs; changed inputs whose outputs are identical go to ``notes``.
    """
    diffs: list[str] = []
    for name in names:
        committed, again = outputs_dir() / name / "manifest.json", Path(rebuilt) / name / "manifest.json"
        if not committed.exists():
            diffs.append(f"{name}: no committed manifest ({relative(committed)})")
            continue
        if again.exists():
            diffs += _compare(name, json.loads(committed.read_text(encoding="utf-8")),
                              json.loads(again.read_text(encoding="utf-8")), notes)
    return diffs


def _compare(name: str, a: dict[str, Any], b: dict[str, Any], notes: list[str]) -> list[str]:
    if a["inputs"]["input_hash"] != b["inputs"]["input_hash"]:
        changed = sorted(k for k in set(a["inputs"]["files"]) | set(b["inputs"]["files"])
                         if a["inputs"]["files"].get(k) != b["inputs"]["files"].get(k))
        notes.append(f"{name}: inputs changed since the published record ({', '.join(changed)}); "
                     "outputs compared below")
    fa = {f["path"]: f["sha256"] for o in a["outputs"] for f in o["files"]}
    fb = {f["path"]: f["sha256"] for o in b["outputs"] for f in o["files"]}
    ids = {f["path"]: o["id"] for o in a["outputs"] + b["outputs"] for f in o["files"]}
    out = []
    for path in sorted(set(fa) | set(fb)):
        if fa.get(path) != fb.get(path):
            what = "missing from rebuild" if path not in fb else ("new in rebuild" if path not in fa else
                                                                 "content differs")
            out.append(f"{name}: {ids[path]} {path}: {what}")
    return out


def _place(output_id: str) -> tuple[int, int, str]:
    """Reading order of an id: the comparison's first, then REPORT.md's order, a city's own after its chapter."""
    chapter = chapter_of(output_id)
    if chapter is None:
        return (-1, COMPARISON_IDS.index(output_id) if output_id in COMPARISON_IDS else 0, output_id)
    last = OUTPUT_IDS.index(chapter.outputs[-1])
    return (OUTPUT_IDS.index(output_id), 0, output_id) if output_id in OUTPUT_IDS else (last, 1, output_id)


def outputs_list(out_root: Path | None = None) -> str:
    """Markdown list of every output id and the reports that publish it, from the manifests (for the README)."""
    out_root = Path(out_root) if out_root else outputs_dir()
    mans = [json.loads(m.read_text(encoding="utf-8")) for m in sorted(out_root.glob("*/manifest.json"))]
    names = [m["report"] for m in mans]
    cities = [m["report"] for m in mans if m.get("kind", "city") == "city"]
    rows: dict[str, dict[str, Any]] = {}
    for man in mans:
        for o in man["outputs"]:
            r = rows.setdefault(o["id"], {"title": "", "files": set(), "built": [], "missing": []})
            if man["language"] == "en" and not r["title"]:
                r["title"] = o["caption"].split(". ")[0].replace("|", "/")
            if o.get("status") == "not_available":
                r["missing"].append(man["report"])
            else:
                r["built"].append(man["report"])
                r["files"].update(Path(f["path"]).suffix for f in o["files"])
    lines = [f"Reports: {', '.join(f'`{n}`' for n in names)}. Files: `outputs/<report>/tables/<id>.csv` "
             "(tidy numbers, committed), `figures/<id>.png|svg` (built). The captions are in each manifest.", "",
             "| id | title | files | reports |", "|---|---|---|---|"]
    for i, r in sorted(rows.items(), key=lambda kv: _place(kv[0])):
        where = "every city report" if sorted(r["built"]) == sorted(cities) else ", ".join(r["built"])
        if r["missing"]:
            where += f" (not available: {', '.join(r['missing'])})"
        lines.append(f"| {i} | {r['title']} | {', '.join(sorted(r['files']))} | {where} |")
    return "\n".join(lines)
