"""Build city reports: Papermill execution, offline HTML, atomic replacement, parallel cities, verify.

For each city: validate ``params/<city>.yaml`` and cross-check it with the
notebook's ``parameters`` cell; skip the city when the hash of its inputs
(notebook, params, codebook, raw data files and library source) equals the
one in its manifest (unless ``force``); execute ``notebooks/<city>.ipynb`` in a
temporary folder (fixed kernel, cell timeout, working directory = that
folder, fixed hash seed and ``SOURCE_DATE_EPOCH``); render HTML without input
cells and without any script from a CDN; strip timings from the executed
notebook; then replace ``outputs/<city>/`` in one rename. A failing city
leaves its previous outputs untouched and is reported with its cell and
error; the other cities still finish.

Examples
--------
>>> sorted(input_files("mathare"))[:2]
['data/codebooks/mathare.yaml', 'data/codebooks/mathare_iccs.csv']
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..errors import USGAError
from ..paths import codebook_path, outputs_dir, params_path, project_root, raw_dir, relative

#: The cross-city report: ``params/comparison.yaml`` and ``notebooks/comparison.ipynb``, built after the cities.
COMPARISON = "comparison"

#: Environment of every notebook kernel: what makes outputs byte-identical. OpenBLAS picks its kernels by
#: CPU (DYNAMIC_ARCH): an AVX-512 machine and an AVX2 one differ in the last digits of a matrix inverse,
#: which moved TAB-RISK-01's standard errors; one fixed x86-64 kernel set (Haswell, any AVX2 CPU) and one
#: thread make the numbers the same on every such machine.
BUILD_ENV = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "1577836800", "MPLBACKEND": "Agg",
             "PYDEVD_DISABLE_FILE_VALIDATION": "1", "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1"}
VERSIONED = ("numpy", "pandas", "scipy", "matplotlib", "seaborn", "pingouin", "papermill", "nbconvert")


@dataclass
class BuildResult:
    city: str
    status: str  # built | skipped | failed
    seconds: float
    message: str = ""


def report_city(report: str) -> str:
    """The city whose data and notebook a report uses (``city:`` in ``params/<report>.yaml``)."""
    if report == COMPARISON:
        return COMPARISON
    from ..params import load_params

    return load_params(report).city


def notebook_path(report: str) -> Path:
    try:
        city = report_city(report)
    except USGAError:
        city = report
    return project_root() / "notebooks" / f"{city}.ipynb"


def reports() -> list[str]:
    """Reports with a params file and a notebook: the city reports, then the cross-city comparison."""
    root = project_root()
    found = []
    for p in sorted((root / "params").glob("*.yaml")):
        if p.stem == COMPARISON:
            continue
        try:
            if notebook_path(p.stem).exists():
                found.append(p.stem)
        except USGAError:
            found.append(p.stem)  # a broken params file is reported by build, not hidden
    if (root / "params" / f"{COMPARISON}.yaml").exists() and (root / "notebooks" / f"{COMPARISON}.ipynb").exists():
        found.append(COMPARISON)
    return found


def input_files(report: str, out_root: Path | None = None) -> dict[str, str]:
    """Every file a report depends on, relative path -> sha256.

    A city report: its notebook, params, codebook, ICCS mapping, raw data files, the cited context
    facts and the library source. The comparison: its notebook and params, the library source and
    the tables it reads from each city report (``outputs/<report>/tables/TAB-ANX-01.csv``).
    """
    from ..ingest.codebook import TABLE_KEYS, read_codebook
    from ..paths import iccs_map_path

    root = project_root()
    paths = [notebook_path(report), params_path(report)]
    extra: dict[str, str] = {}
    if report == COMPARISON:
        from ..present.comparison import load_comparison_params

        for r in load_comparison_params().reports:
            tab = (Path(out_root) if out_root else outputs_dir()) / r / "tables" / "TAB-ANX-01.csv"
            if tab.exists():
                extra[f"outputs/{r}/tables/TAB-ANX-01.csv"] = hashlib.sha256(tab.read_bytes()).hexdigest()
    else:
        try:
            city = report_city(report)
        except USGAError:
            city = report
        source = _source(report)
        if source is not None:
            paths += source_files(source)
        cbp = codebook_path(city)
        paths.append(cbp)
        if iccs_map_path(cbp).exists():
            paths.append(iccs_map_path(cbp))
        if cbp.exists():
            cb = read_codebook(cbp)
            for key in TABLE_KEYS:
                spec = getattr(cb, key)
                if spec is not None:
                    paths.append(raw_dir(city) / spec.file)
        paths += sorted((root / "data" / "context").glob("*.csv"))
    out = dict(extra)
    for p in paths:
        if p.exists():  # files outside the project (a source's data folder) as ../ paths, never absolute
            out[Path(os.path.relpath(p, root)).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    pkg = Path(__file__).resolve().parents[1]  # the library that runs, wherever it is installed
    for p in sorted(pkg.rglob("*")):
        if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts:
            out[f"usg_research/{p.relative_to(pkg).as_posix()}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


def _source(report: str) -> Any:
    """The ``source:`` block of a report's params (None for codebook cities and broken params)."""
    if report == COMPARISON:
        return None
    from ..params import load_params

    try:
        return load_params(report).source
    except USGAError:
        return None


def source_files(source: Any) -> list[Path]:
    """The files of a report's public-survey source: its data tables (as found) and the cited census."""
    from ..sources.envipe import codebook as envipe_codebook
    from ..sources.envipe import table_path

    root = project_root()
    found = [table_path(root / source.data, t) for t in envipe_codebook()["files"]]
    return [f for f in found if f is not None] + [root / source.census]


def source_missing(source: Any) -> str | None:
    """Why a report's source data cannot be read here (None when they can)."""
    from ..sources.envipe import codebook as envipe_codebook
    from ..sources.envipe import table_path

    folder = project_root() / source.data
    if not folder.is_dir():
        return (f"data folder {source.data} not found (INEGI's ENVIPE files; see the README, "
                "'ENVIPE: INEGI's public microdata'); report not built, previous outputs kept")
    lacking = [stem for t, stem in envipe_codebook()["files"].items() if table_path(folder, t) is None]
    if lacking:
        return f"{source.data} lacks the ENVIPE tables {lacking}; report not built, previous outputs kept"
    return None


def input_hash(city: str, out_root: Path | None = None) -> str:
    """One hash over every input file of a report (paths and contents)."""
    lines = "".join(f"{k}:{v}\n" for k, v in input_files(city, out_root).items())
    return hashlib.sha256(lines.encode()).hexdigest()


def inputs_record(city: str, params: dict[str, Any]) -> dict[str, Any]:
    """The ``inputs`` block of a manifest."""
    versions = {}
    for pkg in VERSIONED:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[pkg] = "not installed"
    return {"input_hash": input_hash(city), "files": input_files(city), "params": params, "versions": versions}


def render_html(notebook: Path, title: str) -> str:
    """HTML of an executed notebook: no input cells, no prompts, no CDN scripts, figures embedded."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    for trait in ("mathjax_url", "require_js_url", "jquery_url", "mermaid_js_url", "mermaid_layout_elk_js_url",
                  "widget_renderer_url"):
        setattr(exporter, trait, "")
    tags = TagRemovePreprocessor(remove_cell_tags={"injected-parameters", "parameters", "analyst-note"})
    exporter.register_preprocessor(tags, enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # reports carry no diagrams: drop the mermaid loader so the page names no outside host at all
    body = re.sub(r"<script type=\"module\">(?:(?!</script>).)*mermaid(?:(?!</script>).)*</script>", "", body,
                  flags=re.S)
    return re.sub(r"<script src=\"\">\s*</script>", "", body)


def normalise_notebook(path: Path) -> None:
    """Remove what differs between identical runs: timings, papermill paths, random injected cell ids."""
    import nbformat

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


def _swap(tmp: Path, dest: Path) -> None:
    """Replace ``dest`` by ``tmp`` with renames (the old folder is removed last)."""
    old = dest.with_name(f".old-{dest.name}-{os.getpid()}")
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)


def is_current(city: str, out_root: Path | None = None) -> bool:
    """Whether the city's outputs were built from exactly its current inputs."""
    dest = (Path(out_root) if out_root else outputs_dir()) / city
    manifest = dest / "manifest.json"
    if not manifest.exists() or not (dest / "report.html").exists():
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["inputs"]["input_hash"] == input_hash(city, out_root)
    except (KeyError, ValueError):
        return False


def build_city(city: str, force: bool = False, out_root: Path | None = None) -> BuildResult:
    """Build one city's report (see the module docstring). Never raises for a failing notebook."""
    import papermill as pm

    from ..params import check_against_notebook, load_params

    start = time.perf_counter()
    out_root = Path(out_root) if out_root else outputs_dir()
    out_root.mkdir(parents=True, exist_ok=True)
    dest = out_root / city
    try:
        if city == COMPARISON:
            from ..present.comparison import load_comparison_params

            params = load_comparison_params()
        else:
            params = load_params(city)
        nb = notebook_path(city)
        if not nb.exists():
            raise USGAError(f"{relative(nb)}: notebook not found (copy notebooks/_template.ipynb)")
        values = check_against_notebook(params, nb, city)
    except USGAError as exc:
        return BuildResult(city, "failed", time.perf_counter() - start, str(exc))
    missing = source_missing(params.source) if getattr(params, "source", None) is not None else None
    if missing:
        return BuildResult(city, "skipped", time.perf_counter() - start, f"{city}: {missing}")
    if not force and is_current(city, out_root):
        return BuildResult(city, "skipped", time.perf_counter() - start, "inputs unchanged")
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{city}-", dir=out_root))
    saved_env = dict(os.environ)
    os.environ.update(BUILD_ENV)  # the kernel inherits these; restored below
    os.environ["USG_RESEARCH_ROOT"] = str(project_root())
    os.environ["USG_RESEARCH_OUTPUTS"] = str(out_root.resolve())
    try:
        executed = tmp / f"{city}.ipynb"
        pm.execute_notebook(str(nb), str(executed), parameters=values, kernel_name="python3", cwd=str(tmp),
                            execution_timeout=params.timeout, progress_bar=False, log_output=False,
                            report_mode=False)
        normalise_notebook(executed)
        (tmp / "report.html").write_text(render_html(executed, params.title), encoding="utf-8")
        if not (tmp / "manifest.json").exists():
            raise USGAError(f"{relative(nb)}: the notebook did not call report.finish() (no manifest.json)")
        _swap(tmp, dest)
        return BuildResult(city, "built", time.perf_counter() - start)
    except pm.PapermillExecutionError as exc:
        last = (exc.evalue or "").strip().splitlines()[-1:] or [""]
        msg = (f"{city}: notebook {relative(nb)} failed in cell {exc.exec_count} (index {exc.cell_index}): "
               f"{exc.ename}: {last[0]}; previous outputs kept")
        return BuildResult(city, "failed", time.perf_counter() - start, msg)
    except Exception as exc:  # a build must report, not crash the other cities
        return BuildResult(city, "failed", time.perf_counter() - start, f"{city}: {type(exc).__name__}: {exc}")
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        shutil.rmtree(tmp, ignore_errors=True)


def build(cities_: list[str] | None = None, jobs: int = 2, force: bool = False, out_root: Path | None = None,
          progress: bool = True) -> list[BuildResult]:
    """Build several cities in parallel (a process pool; a Dask client could take its place), then the index."""
    from tqdm import tqdm

    known = reports()
    todo = cities_ or known
    unknown = sorted(set(todo) - set(known))
    if unknown:
        raise USGAError(f"no params/<report>.yaml and notebook for {unknown}; known: {known}")
    todo = [r for r in todo if r != COMPARISON] + ([COMPARISON] if COMPARISON in todo else [])

    results: list[BuildResult] = []
    bar = tqdm(total=len(todo), desc="cities", unit="city", disable=not progress)
    if not force:  # unchanged cities are settled here, without starting workers
        for c in [c for c in todo if is_current(c, out_root)]:
            results.append(BuildResult(c, "skipped", 0.0, "inputs unchanged"))
            bar.update(1)
    pending = [c for c in todo if c not in {r.city for r in results} and c != COMPARISON]
    if jobs <= 1 or len(pending) <= 1:
        for c in pending:
            results.append(build_city(c, force, out_root))
            bar.update(1)
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(build_city, c, force, out_root): c for c in pending}
            for f in as_completed(futures):
                results.append(f.result())
                bar.update(1)
    # the comparison reads the city tables just built, so it runs last (and is re-checked now)
    if COMPARISON in todo and COMPARISON not in {r.city for r in results}:
        results.append(build_city(COMPARISON, force, out_root))
        bar.update(1)
    elif COMPARISON in todo and not is_current(COMPARISON, out_root):
        results = [r for r in results if r.city != COMPARISON]
        results.append(build_city(COMPARISON, force, out_root))
    bar.close()
    results.sort(key=lambda r: todo.index(r.city))
    write_index(out_root)
    return results


def write_index(out_root: Path | None = None) -> Path:
    """``outputs/index.html``: every built city, its report and its headline numbers."""
    import html

    import pandas as pd

    out_root = Path(out_root) if out_root else outputs_dir()
    rows = []
    for m in sorted(out_root.glob("*/manifest.json")):
        man = json.loads(m.read_text(encoding="utf-8"))
        city = m.parent.name
        if city == COMPARISON:
            continue
        head = ""
        tab = m.parent / "tables" / "TAB-SUM-01.csv"
        if tab.exists():
            t = pd.read_csv(tab)
            items = []
            for r in t.itertuples():
                if r.flag == "suppressed" or pd.isna(r.estimate):
                    val = "suppressed"
                else:
                    val = f"{r.estimate * 100:.1f}%" if r.unit == "percent" else f"{r.estimate:,.0f}"
                items.append(f"<li>{html.escape(str(r.label))}: <b>{val}</b></li>")
            head = "<ul>" + "".join(items) + "</ul>"
        notice = "<p><b>Synthetic data.</b></p>" if man.get("synthetic") else ""
        rows.append(f'<section><h2><a href="{city}/report.html">{html.escape(man["title"])}</a></h2>{notice}'
                    f"{head}</section>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>USGA reports</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}</style></head><body>"
            "<h1>Urban Safety Governance Assessment reports</h1>" + "".join(rows) + "</body></html>\n")
    path = out_root / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def verify(cities_: list[str] | None = None, jobs: int = 2, progress: bool = True,
           notes: list[str] | None = None) -> list[str]:
    """Rebuild into a temporary folder and compare every output hash with the committed manifests.

    Returns the differences in outputs (empty when everything matches); changed inputs whose
    outputs are still identical are only noted (in ``notes``).
    """
    todo = cities_ or reports()
    diffs: list[str] = []
    notes = notes if notes is not None else []
    with tempfile.TemporaryDirectory(prefix="usg-verify-") as tmp:
        results = build(todo, jobs=jobs, force=True, out_root=Path(tmp), progress=progress)
        for r in results:
            if r.status == "failed":
                diffs.append(f"{r.city}: rebuild failed: {r.message}")
            elif r.status == "skipped":
                notes.append(f"not checked: {r.message}")
        for city in todo:
            committed = outputs_dir() / city / "manifest.json"
            rebuilt = Path(tmp) / city / "manifest.json"
            if not committed.exists():
                diffs.append(f"{city}: no committed manifest ({relative(committed)})")
                continue
            if not rebuilt.exists():
                continue
            a = json.loads(committed.read_text(encoding="utf-8"))
            b = json.loads(rebuilt.read_text(encoding="utf-8"))
            if a["inputs"]["input_hash"] != b["inputs"]["input_hash"]:
                changed = sorted(k for k in set(a["inputs"]["files"]) | set(b["inputs"]["files"])
                                 if a["inputs"]["files"].get(k) != b["inputs"]["files"].get(k))
                notes.append(f"{city}: inputs changed since the published record ({', '.join(changed)}); "
                             "outputs compared below")
            fa = {f["path"]: f["sha256"] for o in a["outputs"] for f in o["files"]}
            fb = {f["path"]: f["sha256"] for o in b["outputs"] for f in o["files"]}
            ids = {f["path"]: o["id"] for o in a["outputs"] + b["outputs"] for f in o["files"]}
            for path in sorted(set(fa) | set(fb)):
                if fa.get(path) != fb.get(path):
                    what = "missing from rebuild" if path not in fb else (
                        "new in rebuild" if path not in fa else "content differs")
                    diffs.append(f"{city}: {ids[path]} {path}: {what}")
    return diffs


def outputs_list(out_root: Path | None = None) -> str:
    """Markdown list of every output id and the reports that publish it, from the manifests (for the README)."""
    out_root = Path(out_root) if out_root else outputs_dir()
    mans = [json.loads(m.read_text(encoding="utf-8")) for m in sorted(out_root.glob("*/manifest.json"))]
    names = [m.get("report", m["city"]) for m in mans]
    rows: dict[str, dict[str, Any]] = {}
    for name, man in zip(names, mans, strict=True):
        for o in man["outputs"]:
            r = rows.setdefault(o["id"], {"title": "", "files": set(), "built": [], "missing": []})
            if man["language"] == "en" and not r["title"]:
                r["title"] = o["caption"].split(". ")[0].replace("|", "/")
            if o.get("status") == "not_available":
                r["missing"].append(name)
            else:
                r["built"].append(name)
                r["files"].update(Path(f["path"]).suffix for f in o["files"])
    lines = [f"Reports: {', '.join(f'`{n}`' for n in names)}. Files: `outputs/<report>/tables/<id>.csv` "
             "(tidy numbers, committed), `figures/<id>.png|svg` (built). The captions are in each manifest.", "",
             "| id | title | files | reports |", "|---|---|---|---|"]
    cities_ = [n for n in names if n != COMPARISON]
    for i, r in rows.items():
        files = ", ".join(sorted(r["files"]))
        where = "every city report" if sorted(r["built"]) == sorted(cities_) else ", ".join(r["built"])
        if r["missing"]:
            where += f" (not available: {', '.join(r['missing'])})"
        lines.append(f"| {i} | {r['title']} | {files} | {where} |")
    return "\n".join(lines)
