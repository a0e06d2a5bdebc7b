"""Reports as tasks on a Dask distributed cluster: ``usg-research build --scheduler local[:N] | ADDRESS``.

A report is one independent task (it runs its notebook in a temporary folder and swaps it into place
in one rename), so a cluster needs nothing of its own: ``local:N`` starts a ``LocalCluster`` of N worker
processes on this machine (one thread each); an address (``tcp://host:8786``) uses a running scheduler
whose workers read the project from a shared filesystem, as on an HPC cluster. :func:`open_cluster`
connects and checks that every worker sees the same project as this process (:func:`project_fingerprint`);
:meth:`Cluster.map` runs the tasks, follows them with a progress bar, and turns a task lost with its
worker (after the scheduler's retries on other workers) into a failure naming the report. What is
shipped to a worker is the task's name and arguments (the report's name, the force and PDF switches), never
data: the worker reads its inputs and writes its outputs where the project is. ``docs/scale.md`` has the
set-ups (laptop, SLURM or PBS through ``dask-jobqueue``, an existing scheduler).

Examples
--------
>>> parse_scheduler("local:3"), parse_scheduler("tcp://10.0.0.5:8786")
(3, 'tcp://10.0.0.5:8786')
>>> parse_scheduler("local") == (os.cpu_count() or 1)  # one worker per core
True
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import resource
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, as_completed, get_worker
from tqdm import tqdm

from ..errors import USGAError
from ..paths import project_root

#: ``local`` or ``local:N``: a LocalCluster of N workers (default: this machine's cores).
LOCAL = re.compile(r"local(?::([0-9]+))?")
#: What a worker must see as this process does: the library, the params, the notebooks, the project's data.
FINGERPRINTED = ("usg_research/**/*.py", "usg_research/**/*.yaml", "params/*.yaml", "notebooks/*.ipynb",
                 "data/**/*")
#: One report at a time in a worker process: a build sets the environment its kernel inherits.
_ONE_AT_A_TIME = threading.Lock()


def parse_scheduler(text: str) -> int | str:
    """The number of local workers for ``local[:N]``, else the scheduler's address (``tcp://``, ``tls://``...).

    Raises
    ------
    USGAError
        For ``local:0`` or text that is neither form.
    """
    m = LOCAL.fullmatch(text)
    if m:
        n = int(m.group(1)) if m.group(1) else os.cpu_count() or 1
        if n < 1:
            raise USGAError(f"--scheduler {text}: a local cluster needs at least one worker")
        return n
    if re.fullmatch(r"[a-z]+://[^\s/]+(:[0-9]+)?/?", text):
        return text
    raise USGAError(f"--scheduler {text!r}: use local, local:N (N worker processes on this machine) or a "
                    "scheduler's address such as tcp://host:8786")


def project_fingerprint(root: Path | None = None) -> str:
    """One hash over the paths and contents of the project files a build reads (:data:`FINGERPRINTED`),
    relative to the project root: equal on two machines exactly when they see the same project."""
    root = root or project_root()
    digest = hashlib.sha256()
    files = sorted({p for pattern in FINGERPRINTED for p in root.glob(pattern)
                    if p.is_file() and "__pycache__" not in p.parts})
    for p in files:
        digest.update(f"{p.relative_to(root).as_posix()}:{hashlib.sha256(p.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def _where() -> dict[str, str]:
    """A worker's view of the project (run on every worker by :meth:`Cluster.check_project`)."""
    return {"root": str(project_root()), "fingerprint": project_fingerprint()}


def _task(fn: Callable[..., Any], args: tuple) -> tuple[Any, dict[str, Any]]:
    """Run ``fn(*args)`` on a worker, one at a time per worker process; with the worker's address and its
    peak memory so far (the worker and the notebook kernels it ran, MiB)."""
    with _ONE_AT_A_TIME:
        value = fn(*args)
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024  # KiB on Linux
    return value, {"worker": get_worker().address, "peak_mb": round(peak, 1)}


class Cluster:
    """A connected Dask client, and the local cluster it started (if any); see the module docstring."""

    def __init__(self, client: Client, local: LocalCluster | None = None):
        self.client, self.local = client, local

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def check_project(self) -> None:
        """Raise USGAError naming every worker whose project differs from this process's (it would build
        other inputs: the workers must read the project from a shared filesystem)."""
        mine = project_fingerprint()
        seen = self.client.run(_where)
        if not seen:
            raise USGAError(f"the Dask scheduler {self.client.scheduler.address} has no workers")
        other = {w: v["root"] for w, v in sorted(seen.items()) if v["fingerprint"] != mine}
        if other:
            listed = "; ".join(f"{w} (project at {root})" for w, root in other.items())
            raise USGAError(f"{len(other)} of {len(seen)} Dask worker(s) see another project than this one "
                            f"({project_root()}): {listed}. Workers must read the same project, e.g. from a "
                            "shared filesystem, with the same files (docs/scale.md)")

    def map(self, fn: Callable[..., Any], calls: dict[str, tuple], lost: Callable[[str, BaseException], Any],
            bar: tqdm | None = None) -> list[tuple[Any, dict[str, Any]]]:
        """Run ``fn(*args)`` for every ``name: args`` of ``calls`` as a task, in any order; a task whose
        worker died is retried by the scheduler on another worker, and when it cannot be run (or the
        cluster fails it) ``lost(name, error)`` gives its result. Returns ``(result, info)`` pairs as they
        finish (``info``: the worker's address and peak memory; empty for a lost task)."""
        futures = {self.client.submit(_task, fn, args, key=f"usg-research-{name}-{os.getpid()}-{id(calls)}",
                                      pure=False): name for name, args in calls.items()}
        done = []
        for future in as_completed(list(futures)):
            try:
                done.append(future.result())
            except Exception as exc:  # the worker died (KilledWorker) or the cluster failed the task
                done.append((lost(futures[future], exc), {}))
            if bar is not None:
                bar.update(1)
        return done

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()


@contextmanager
def open_cluster(scheduler: str) -> Iterator[Cluster]:
    """Connect to ``scheduler`` (:func:`parse_scheduler`), check the workers' project, and close at the end.

    Raises
    ------
    USGAError
        When the scheduler cannot be reached, or a worker sees another project.
    """
    target = parse_scheduler(scheduler)
    if isinstance(target, int):
        local = LocalCluster(n_workers=target, threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=logging.ERROR)
        cluster = Cluster(Client(local), local)
    else:
        try:
            cluster = Cluster(Client(target, timeout="20s"))
        except OSError as exc:
            raise USGAError(f"--scheduler {target}: cannot reach the Dask scheduler ({exc})") from None
    try:
        cluster.check_project()
        yield cluster
    finally:
        cluster.close()
