"""Reports as tasks on a Dask cluster (``build --scheduler``): the same outputs as the local pool, a failing
report named while the others finish, a killed worker leaving no partial folder, a foreign project refused."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import dask
import nbformat
import pytest
import yaml

from usg_research.cli import main
from usg_research.errors import USGAError
from usg_research.run import build as B
from usg_research.run.cluster import open_cluster, parse_scheduler, project_fingerprint

ROOT = Path(__file__).resolve().parents[1]


def _copy(rel: str, root: Path) -> None:
    src, dest = ROOT / rel, root / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    (shutil.copytree if src.is_dir() else shutil.copy)(src, dest)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A throw-away project: Mathare, a report whose notebook raises, and the comparison with the published
    tables it reads (so builds never touch outputs/)."""
    root = tmp_path / "proj"
    for rel in ("data/context", "data/codebooks/mathare.yaml", "data/codebooks/mathare_iccs.csv", "data/raw/mathare",
                "params/mathare.yaml", "notebooks/mathare.ipynb", "params/comparison.yaml",
                "notebooks/comparison.ipynb"):
        _copy(rel, root)
    for name in yaml.safe_load((ROOT / "params/comparison.yaml").read_text(encoding="utf-8"))["reports"]:
        for rel in (f"outputs/{name}/manifest.json", f"outputs/{name}/tables"):
            _copy(rel, root)
    broken = yaml.safe_load((ROOT / "params/mathare.yaml").read_text(encoding="utf-8")) | {"notebook": "broken"}
    (root / "params/broken.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    nb = nbformat.read(ROOT / "notebooks/mathare.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('raise RuntimeError("planted failure")'))
    nbformat.write(nb, root / "notebooks/broken.ipynb")
    monkeypatch.setenv("USG_RESEARCH_ROOT", str(root))
    return root


def _same_record(built: Path, published: Path) -> None:
    """The manifest and every table byte for byte as published (built by the local pool; test_build verifies
    that record against a fresh local build)."""
    assert (built / "manifest.json").read_bytes() == (published / "manifest.json").read_bytes()
    tables = sorted(p.name for p in (published / "tables").iterdir())
    assert sorted(p.name for p in (built / "tables").iterdir()) == tables
    for t in tables:
        assert hashlib.sha256((built / "tables" / t).read_bytes()).digest() == \
            hashlib.sha256((published / "tables" / t).read_bytes()).digest(), t


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith((".tmp-", ".old-")))


def test_scheduler_argument() -> None:
    assert parse_scheduler("local:2") == 2 and parse_scheduler("tls://scheduler:8786") == "tls://scheduler:8786"
    for bad in ("local:0", "locall", "host:8786"):
        with pytest.raises(USGAError, match="--scheduler"):
            parse_scheduler(bad)


def test_two_workers_build_as_the_local_pool_and_name_a_failing_report(project, capsys) -> None:
    """Two reports on a 2-worker LocalCluster: the one whose notebook raises is named with its cell and error,
    the exit code is 1, its previous outputs stay, and the other is built byte-identical to the published
    record."""
    (project / "outputs/broken").mkdir(parents=True)
    (project / "outputs/broken/manifest.json").write_text("{}", encoding="utf-8")
    status = main(["build", "--scheduler", "local:2", "mathare", "broken"])
    err = capsys.readouterr().err
    assert status == 1
    assert "broken: notebook notebooks/broken.ipynb failed in cell" in err and "RuntimeError: planted failure" in err
    _same_record(project / "outputs/mathare", ROOT / "outputs/mathare")
    assert [p.name for p in (project / "outputs/broken").iterdir()] == ["manifest.json"]
    assert (project / "outputs/broken/manifest.json").read_text(encoding="utf-8") == "{}"
    assert _leftovers(project / "outputs") == []
    index = (project / "outputs/index.html").read_text(encoding="utf-8")
    assert '<a href="mathare/report.html">' in index and "broken</h2><p>Its manifest.json cannot be read" in index
    # unchanged now: settled from its manifest, no task submitted
    [r, b] = B.build(["mathare", "broken"], progress=False, scheduler="local:1")
    assert (r.status, r.message, r.worker) == ("skipped", "inputs unchanged", "")
    assert b.status == "failed" and b.worker.startswith("tcp://") and b.peak_mb > 50


def test_a_worker_killed_mid_build_leaves_no_partial_folder(project) -> None:
    """The worker building the comparison is killed (SIGKILL) once its temporary folder exists: the scheduler
    runs the task again, the report is complete and as published, and nothing half-written is left."""
    out = project / "outputs"
    killed: list[int] = []

    def kill_the_builder() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            for tmp in out.glob(".tmp-comparison-*"):
                pid = int(tmp.name.split("-")[2])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=kill_the_builder)
    watcher.start()
    [r] = B.build(["comparison"], force=True, progress=False, scheduler="local:2")
    watcher.join()
    assert killed, "the build finished before its worker could be killed"
    assert r.status == "built", r.message
    assert r.worker and str(killed[0]) not in r.worker
    _same_record(out / "comparison", ROOT / "outputs/comparison")
    assert _leftovers(out) == []


def test_a_report_whose_workers_keep_dying_fails_by_name_and_leaves_nothing_behind(project) -> None:
    """A task whose worker dies each time it runs (here: once it has started its temporary folder) is given up
    by the scheduler (``allowed-failures`` 0 here, 3 by default): the report fails with its name and the
    error, its previous outputs stay and the folder its worker left is removed."""
    out = project / "outputs"
    published = (out / "mathare/manifest.json").read_bytes()

    def start_then_die(folder: str) -> None:
        (Path(folder) / f".tmp-mathare-{os.getpid()}-x").mkdir()
        os._exit(1)

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), open_cluster("local:1") as cluster:
        [(r, info)] = cluster.map(start_then_die, {"mathare": (str(out),)}, B._lost(out))
    assert (r.report, r.status, info) == ("mathare", "failed", {})
    assert r.message.startswith("mathare: lost on the cluster (KilledWorker: ")
    assert re.search(r"; previous outputs kept; outputs/\.tmp-mathare-\d+-x: removed \(left by an interrupted "
                     r"build\)$", r.message), r.message
    assert (out / "mathare/manifest.json").read_bytes() == published and _leftovers(out) == []


def test_workers_that_see_another_project_are_refused(project, monkeypatch) -> None:
    """A worker whose project differs (here: a params file edited after the workers started) fails the build
    at the start with a message naming the worker, before any report runs."""
    with open_cluster("local:1") as cluster:
        assert cluster.workers == 1
        p = project / "params/mathare.yaml"
        mine = project_fingerprint()
        p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert project_fingerprint() != mine
        monkeypatch.setattr("usg_research.run.cluster.project_fingerprint", lambda root=None: mine)
        with pytest.raises(USGAError, match=r"1 of 1 Dask worker\(s\) see another project .* tcp://"):
            cluster.check_project()
