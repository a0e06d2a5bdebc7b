"""Benchmark: every Mexican state's ENVIPE report on a Dask LocalCluster of 1 and of 2 workers, in one run.

Usage: python benchmarks/bench_scale.py [--workers 1 2] [--tasks 200] [--keep]

1. ``usg-research envipe-states`` writes the 32 state params (those it added are removed at the end
   unless ``--keep``). The ENVIPE microdata must be where the params point (``../shared/data``).
2. The scheduler's overhead per task, with a no-op task on a 2-worker LocalCluster: ``--tasks`` no-ops
   submitted at once (throughput) and 50 submitted one after another (round trip).
3. For each worker count: the 32 reports built with ``build --force --scheduler local:N`` into
   ``benchmarks/results/scale/w<N>/`` (its ``index.html`` lists them): wall seconds including the
   cluster's start, each report's seconds, and each worker's peak memory (the worker process and the
   notebook kernels it ran). The speed-up is the ratio of the walls, in the same run.
4. A projection on paper for 8, 32 and 128 workers: the measured report times placed longest-first on W
   workers (each to the least-loaded), plus the measured overhead per task and the measured cluster start.
   With 32 reports, workers beyond 32 add nothing; the longest report bounds the wall.

Writes ``benchmarks/results/scale.json`` and prints the tables.
"""

from __future__ import annotations

import argparse
import heapq
import json
import statistics
import time
from pathlib import Path

from usg_research.newcity.envipe_states import write_state_params
from usg_research.paths import params_path
from usg_research.run.build import build
from usg_research.run.cluster import open_cluster

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def noop(i: int) -> int:
    return i


def task_overhead(n: int) -> dict[str, float]:
    """Seconds per no-op task on a 2-worker LocalCluster (as ``build`` starts it): n at once, and 50 one after
    another."""
    with open_cluster("local:2") as cluster:
        client = cluster.client
        client.gather(client.map(noop, range(10), pure=False))  # warm
        t = time.perf_counter()
        client.gather(client.map(noop, range(n), pure=False))
        batch = (time.perf_counter() - t) / n
        t = time.perf_counter()
        for i in range(50):
            client.submit(noop, i, pure=False).result()
        single = (time.perf_counter() - t) / 50
    return {"per_task_in_a_batch": batch, "round_trip": single}


def cluster_start() -> float:
    """Seconds to start a 2-worker LocalCluster and check its workers' project, as ``build`` does."""
    t = time.perf_counter()
    with open_cluster("local:2"):
        return time.perf_counter() - t


def run(reports: list[str], workers: int) -> dict:
    out = RESULTS / "scale" / f"w{workers}"
    t = time.perf_counter()
    results = build(reports, force=True, out_root=out, scheduler=f"local:{workers}")
    wall = time.perf_counter() - t
    failed = [r for r in results if r.status != "built" and r.report != "index"]
    if failed:
        raise SystemExit("not built: " + "; ".join(r.message for r in failed))
    peaks: dict[str, float] = {}
    for r in results:
        if r.worker:
            peaks[r.worker] = max(peaks.get(r.worker, 0.0), r.peak_mb or 0.0)
    return {"workers": workers, "wall": wall, "reports": {r.report: r.seconds for r in results if r.worker},
            "peak_mb_per_worker": sorted(peaks.values())}


def projection(times: list[float], workers: int, overhead: float, start: float) -> float:
    """Wall seconds on ``workers`` workers: longest task first, each to the least-loaded worker."""
    loads = [0.0] * workers
    for t in sorted(times, reverse=True):
        heapq.heapreplace(loads, loads[0] + t + overhead)
    return start + max(loads)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--tasks", type=int, default=200, help="no-op tasks for the overhead (default 200)")
    ap.add_argument("--keep", action="store_true", help="keep the state params it wrote")
    args = ap.parse_args()
    before = {p.name for p in (ROOT / "params").glob("*.yaml")}
    written = write_state_params()
    reports = sorted(written.reports)
    try:
        overhead = task_overhead(args.tasks)
        start = cluster_start()
        runs = [run(reports, w) for w in args.workers]
    finally:
        if not args.keep:
            for name in written.written:
                if params_path(name).name not in before:
                    params_path(name).unlink()
    base = runs[0]
    times = list(base["reports"].values())
    print(f"{len(reports)} state reports (ENVIPE 2021, es); cluster start {start:.1f} s; per no-op task "
          f"{1000 * overhead['per_task_in_a_batch']:.1f} ms in a batch, {1000 * overhead['round_trip']:.1f} ms "
          "round trip")
    print(f"{'workers':>8} {'wall s':>8} {'speed-up':>9} {'report s (median, max)':>24} {'peak MiB per worker':>22}")
    for r in runs:
        t = list(r["reports"].values())
        peaks = ", ".join(f"{m:.0f}" for m in r["peak_mb_per_worker"])
        print(f"{r['workers']:>8} {r['wall']:>8.1f} {base['wall'] / r['wall']:>8.2f}x "
              f"{statistics.median(t):>13.1f}, {max(t):>8.1f} {peaks:>22}")
    print("projection from the 1-worker report times (longest first, + overhead per task, + cluster start):")
    proj = {}
    for w in (1, 2, 8, 32, 128):
        proj[w] = projection(times, w, overhead["round_trip"], start)
        print(f"{w:>8} {proj[w]:>8.1f} {proj[1] / proj[w]:>8.2f}x")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps({"overhead": overhead, "cluster_start": start, "runs": runs,
                                                    "projection": proj}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
