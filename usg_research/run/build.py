"""Build reports: Papermill execution, offline HTML, atomic replacement, reports in parallel.

For each report: resolve it once (``params/<report>.yaml`` checked against its schema) and check
that its notebook's ``parameters`` cell declares only ``report``; skip it when its input hash equals
its manifest's (unless ``force``), or, with a message and its previous outputs kept, when its data
are not on this machine; execute the notebook in a temporary folder with the report's name injected
(the project kernel, :mod:`usg_research.run.kernel`, with its fixed hash seed, ``SOURCE_DATE_EPOCH`` and
BLAS kernels; the params' cell timeout); render its HTML; strip timings from the executed notebook; then replace
``outputs/<report>/`` in one rename. A failing report leaves its previous outputs untouched and is
named with its cell and error; the others still finish. Reports that read others' tables (the
comparison) are built after them. With ``scheduler``, the reports run as tasks on a Dask cluster
(:mod:`usg_research.run.cluster`) instead of the local process pool, with the same outputs byte for byte.

Examples
--------
>>> order(["comparison", "mathare"], {"comparison": ["mathare"]})
['mathare', 'comparison']
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import nbformat
import papermill as pm
from tqdm import tqdm

from ..errors import USGAError
from ..paths import BUILD_DIR_ENV, FIGURE_WORKERS_ENV, outputs_dir, project_root, relative
from ..present.words import Words
from ..reports import ReportSpec, report_names, resolve
from .cluster import Cluster, open_cluster
from .index import write_index
from .kernel import KERNEL, LocalKernelManager, ensure_kernel
from .notebooks import PARAMETER, check_notebook
from .pdf import render_pdf
from .render import normalise_notebook, render_html
from .verify import check_published, compare_records


@dataclass
class BuildResult:
    report: str
    status: str  # built | skipped | failed
    seconds: float
    message: str = ""
    worker: str = ""  # on a Dask cluster: the worker that built it
    peak_mb: float | None = None  # on a Dask cluster: that worker's peak memory so far, notebook kernels included


def is_current(spec: ReportSpec, out_root: Path | None = None) -> bool:
    """Whether the report's outputs were built from exactly its current inputs and are still what its
    manifest says (a published table edited or deleted since makes it out of date)."""
    dest = (Path(out_root) if out_root else outputs_dir()) / spec.name
    manifest = dest / "manifest.json"
    if not manifest.exists() or not (dest / "report.html").exists():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))["inputs"]["input_hash"]
    except (KeyError, ValueError):
        return False
    return recorded == spec.input_hash(out_root) and not check_published(spec.name, out_root)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def recover(out_root: Path, name: str, finished: bool = False) -> list[str]:
    """Tidy what an interrupted build of ``name`` left in ``out_root`` (its process no longer running, or
    every build of it ``finished``, as when a cluster gave up on a worker of another machine): a report
    folder renamed away by a swap that did not finish is put back, stale temporary folders are removed.
    Returns what was done, one line each.

    Examples
    --------
    >>> recover(Path(tempfile.mkdtemp()), "mathare")
    []
    """
    done = []
    for old in sorted(out_root.glob(f".old-{name}-*")) + sorted(out_root.glob(f".tmp-{name}-*")):
        pid = old.name.rsplit("-", 2)[-2 if old.name.startswith(".tmp-") else -1]
        if not pid.isdigit() or (_alive(int(pid)) and not finished) or not old.is_dir():
            continue
        dest = out_root / name
        if old.name.startswith(".old-") and not dest.exists():
            os.replace(old, dest)
            done.append(f"{relative(dest)}: restored from an interrupted build")
        else:
            shutil.rmtree(old, ignore_errors=True)
            done.append(f"{relative(old)}: removed (left by an interrupted build)")
    return done


def _swap(tmp: Path, dest: Path) -> None:
    """Replace ``dest`` by ``tmp`` with renames (the old folder is removed last); the new folder gets the
    permissions of any new folder (``mkdtemp`` makes it private)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    old = dest.with_name(f".old-{dest.name}-{os.getpid()}")
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)


def build_report(name: str, force: bool = False, out_root: Path | None = None,
                 figure_workers: int = 0, pdf: bool = False) -> BuildResult:
    """Build one report (see the module docstring), with its PDF when ``pdf``. Never raises for a failing
    notebook."""
    start = time.perf_counter()
    out_root = Path(out_root) if out_root else outputs_dir()
    took = lambda: time.perf_counter() - start  # noqa: E731
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        recover(out_root, name)
        ensure_kernel()
        spec = resolve(name)
        if not spec.notebook.exists():
            raise USGAError(f"{relative(spec.notebook)}: notebook not found "
                            "(usg-research new-city copies notebooks/_template.ipynb)")
        check_notebook(spec.notebook)
        missing = spec.missing()
    except USGAError as exc:
        return BuildResult(name, "failed", took(), str(exc))
    except OSError as exc:
        return BuildResult(name, "failed", took(), f"{name}: cannot write in {relative(out_root)} "
                           f"({exc.strerror}); previous outputs kept")
    if missing:
        return BuildResult(name, "skipped", took(), f"{name}: {missing}; report not built, previous outputs kept")
    if not force and is_current(spec, out_root):
        return BuildResult(name, "skipped", took(), "inputs unchanged")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-{os.getpid()}-", dir=out_root))
    except OSError as exc:
        return BuildResult(name, "failed", took(), f"{name}: cannot write in {relative(out_root)} "
                           f"({exc.strerror}); previous outputs kept")
    saved_env = dict(os.environ)
    # the kernel inherits these (and its kernel spec's KERNEL_ENV); restored below
    os.environ.update({"USG_RESEARCH_ROOT": str(project_root()), "USG_RESEARCH_OUTPUTS": str(out_root.resolve()),
                       BUILD_DIR_ENV: str(tmp), FIGURE_WORKERS_ENV: str(figure_workers)})
    try:
        executed = tmp / f"{name}.ipynb"
        # no output path: papermill would rewrite the whole notebook, images and all, after every cell
        nb = pm.execute_notebook(str(spec.notebook), None, parameters={PARAMETER: name}, kernel_name=KERNEL,
                                 cwd=str(tmp), execution_timeout=spec.params.timeout, progress_bar=False,
                                 log_output=False, report_mode=False, kernel_manager_class=LocalKernelManager)
        nbformat.write(nb, executed)
        normalise_notebook(executed)
        words = Words(spec.params.language)
        page = render_html(executed, spec.params.title, words.label("word:code"), words.label("word:contents"))
        (tmp / "report.html").write_text(page, encoding="utf-8")
        if pdf:
            render_pdf(tmp / "report.html", tmp / "report.pdf")
        if not (tmp / "manifest.json").exists():
            raise USGAError(f"{relative(spec.notebook)}: the notebook did not call finish() (no manifest.json)")
        _swap(tmp, out_root / name)
        return BuildResult(name, "built", took())
    except pm.PapermillExecutionError as exc:
        last = (exc.evalue or "").strip().splitlines()[-1:] or [""]
        msg = (f"{name}: notebook {relative(spec.notebook)} failed in cell {exc.exec_count} (index "
               f"{exc.cell_index}): {exc.ename}: {last[0]}; previous outputs kept")
        return BuildResult(name, "failed", took(), msg)
    except Exception as exc:  # a build must report, not crash the other reports
        return BuildResult(name, "failed", took(), f"{name}: {type(exc).__name__}: {exc}")
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        shutil.rmtree(tmp, ignore_errors=True)


def helpers(jobs: int, pending: int, figures: int) -> int:
    """Figure helper processes for a report: two when reports run one at a time on a machine with two
    cores or more and the notebook draws many figures (``figures``, counted in its source; measured best
    on two cores: the notebook and two helpers); none when several reports share the machine, on one
    core, or for a few figures (starting a helper costs more than it saves)."""
    if (jobs > 1 and pending > 1) or figures < 8:
        return 0
    return 2 if (os.cpu_count() or 1) >= 2 else 0


def figures_in(notebook: Path) -> int:
    """How many figures a report notebook draws: its ``.output("FIG-...")`` cells."""
    return notebook.read_text(encoding="utf-8").count('output(\\"FIG-') if notebook.exists() else 0


def order(names: list[str], depends_on: dict[str, list[str]]) -> list[str]:
    """``names`` with every report after the reports it reads (otherwise in the given order)."""
    done: list[str] = []
    todo = list(names)
    while todo:
        ready = [n for n in todo if not set(depends_on.get(n, [])) & set(todo)]
        if not ready:
            raise USGAError(f"reports that read each other's tables: {todo}")
        done += ready
        todo = [n for n in todo if n not in ready]
    return done


def pdf_only(name: str, folder: Path) -> BuildResult:
    """An up-to-date report's PDF, rendered from its page when the PDF is missing or older than the page."""
    start = time.perf_counter()
    page, pdf = folder / "report.html", folder / "report.pdf"
    if pdf.exists() and pdf.stat().st_mtime >= page.stat().st_mtime:
        return BuildResult(name, "skipped", 0.0, "inputs unchanged")
    try:
        tmp = folder / ".report.pdf.tmp"
        render_pdf(page, tmp)
        os.replace(tmp, pdf)
    except Exception as exc:  # the report stands; its PDF failed
        return BuildResult(name, "failed", time.perf_counter() - start, f"{name}: PDF not written: {exc}")
    return BuildResult(name, "built", time.perf_counter() - start, "PDF only (inputs unchanged)")


def build(names: list[str] | None = None, jobs: int = 2, force: bool = False, out_root: Path | None = None,
          progress: bool = True, pdf: bool = False, scheduler: str | None = None) -> list[BuildResult]:
    """Build several reports, ``jobs`` at a time, those that read others last; then the index page. With
    ``pdf``, each report's PDF too (rendered from its page where the report itself is up to date).

    A report whose params do not load is a failure naming its file, never a report silently left out.
    With one report left to build (or ``jobs=1``), helper processes render its figures (:func:`helpers`).
    With ``scheduler`` (``local[:N]`` or an address, :func:`~usg_research.run.cluster.parse_scheduler`) the
    reports run as tasks on that Dask cluster instead (``jobs`` is then the cluster's); unchanged reports
    are settled here from their manifests, without a task.
    """
    if scheduler:
        with open_cluster(scheduler) as cluster:
            return _build(names, jobs, force, out_root, progress, pdf, cluster)
    return _build(names, jobs, force, out_root, progress, pdf, None)


def _lost(out_root: Path | None) -> Callable[[str, BaseException], BuildResult]:
    """A report whose task the cluster could not run to the end: named with the error, its previous
    outputs restored if a swap was cut short and what its lost worker left removed."""
    def lost(name: str, exc: BaseException) -> BuildResult:
        tidied = recover(out_root or outputs_dir(), name, finished=True)
        return BuildResult(name, "failed", 0.0, f"{name}: lost on the cluster ({type(exc).__name__}: {exc}); "
                           f"previous outputs kept{'; ' + '; '.join(tidied) if tidied else ''}")
    return lost


def _build(names: list[str] | None, jobs: int, force: bool, out_root: Path | None, progress: bool, pdf: bool,
           cluster: Cluster | None) -> list[BuildResult]:
    known = report_names()
    todo = names or known
    unknown = sorted(set(todo) - set(known))
    if unknown:
        raise USGAError(f"no params/<report>.yaml for {unknown}; known: {known}")
    specs: dict[str, ReportSpec] = {}
    results: list[BuildResult] = []
    for n in todo:
        try:
            specs[n] = resolve(n)
        except USGAError as exc:
            results.append(BuildResult(n, "failed", 0.0, str(exc)))
    ordered = order([n for n in todo if n in specs], {n: s.depends_on for n, s in specs.items()})
    bar = tqdm(total=len(todo), desc="reports", unit="report", disable=not progress)
    bar.update(len(results))
    waves: list[list[str]] = []
    for n in ordered:  # a report runs in the wave after the reports it reads
        w = max((i + 1 for i, wave in enumerate(waves) if set(specs[n].depends_on) & set(wave)), default=0)
        waves += [[] for _ in range(w + 1 - len(waves))]
        waves[w].append(n)
    for wave in waves:
        pending = wave if force else [n for n in wave if not is_current(specs[n], out_root)]
        for n in sorted(set(wave) - set(pending), key=wave.index):  # unchanged: settled without a kernel
            results.append(BuildResult(n, "skipped", 0.0, "inputs unchanged") if not pdf else
                           pdf_only(n, (out_root or outputs_dir()) / n))
            bar.update(1)
        if cluster is not None:
            calls = {n: (n, force, out_root, 0, pdf) for n in pending}
            for r, info in cluster.map(build_report, calls, _lost(out_root), bar):
                results.append(replace(r, **info))
            continue
        if jobs <= 1 or len(pending) <= 1:
            for n in pending:
                spare = helpers(jobs, len(pending), figures_in(specs[n].notebook))
                results.append(build_report(n, force, out_root, spare, pdf))
                bar.update(1)
            continue
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(build_report, n, force, out_root, 0, pdf) for n in pending]
            for f in as_completed(futures):
                results.append(f.result())
                bar.update(1)
    bar.close()
    results.sort(key=lambda r: todo.index(r.report))
    try:
        write_index(out_root)
    except OSError as exc:
        results.append(BuildResult("index", "failed", 0.0, f"index page not written: {exc}"))
    return results


def verify(names: list[str] | None = None, jobs: int = 2, progress: bool = True,
           notes: list[str] | None = None) -> list[str]:
    """Check the published files against their manifests, then rebuild into a temporary folder and compare
    every output with the committed manifests.

    Returns the differences (empty when everything matches): a published table edited, deleted or added
    since its manifest, or a rebuilt output that differs; changed inputs whose outputs are still identical,
    and reports that could not be rebuilt here, are noted in ``notes``.
    """
    notes = notes if notes is not None else []
    published = [d for n in (names or report_names()) for d in check_published(n)]
    with tempfile.TemporaryDirectory(prefix="usg-verify-") as tmp:
        results = build(names, jobs=jobs, force=True, out_root=Path(tmp), progress=progress)
        diffs = [f"{r.report}: rebuild failed: {r.message}" for r in results if r.status == "failed"]
        notes += [f"not checked: {r.message}" for r in results if r.status == "skipped"]
        return published + diffs + compare_records([r.report for r in results], Path(tmp), notes)
