"""Benchmark: building every pilot city's report, cold (forced) and as a no-op rebuild, in one run.

Usage: python benchmarks/bench_build.py [--jobs 2]
Builds into a temporary folder (outputs/ is not touched) and prints wall-clock seconds and the
ratio of the cold build to the no-op rebuild, plus the ratio of sequential to parallel builds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from usg_research.run.build import build, reports


def timed(**kw) -> float:
    t = time.perf_counter()
    results = build(progress=False, **kw)
    bad = [r for r in results if r.status == "failed"]
    if bad:
        raise SystemExit(f"build failed: {bad[0].message}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    todo = reports()
    with tempfile.TemporaryDirectory(prefix="usg-bench-") as tmp:
        out = Path(tmp)
        seq = timed(cities_=todo, jobs=1, force=True, out_root=out)
        cold = timed(cities_=todo, jobs=args.jobs, force=True, out_root=out)
        noop = timed(cities_=todo, jobs=args.jobs, force=False, out_root=out)
    print(f"{len(todo)} cities ({', '.join(todo)})")
    print(f"cold build, 1 job:          {seq:6.1f} s")
    print(f"cold build, {args.jobs} jobs:         {cold:6.1f} s   ({seq / cold:.2f}x faster than 1 job)")
    print(f"no-op rebuild (unchanged):  {noop:6.2f} s   (cold build takes {cold / noop:.0f}x as long)")


if __name__ == "__main__":
    main()
