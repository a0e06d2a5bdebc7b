"""Benchmark: building the reports with this tree and with a baseline commit, in the same run.

Usage: python benchmarks/bench_build.py [--baseline COMMIT] [--jobs 2] [REPORT ...]

The baseline (default: the last commit before the notebook redesign) is checked out in a temporary
git worktree beside the project (so ``../shared/data`` resolves the same) and run with its own code
(``PYTHONPATH``). For each tree, in fresh temporary output folders: every report built alone with one
job (``usg-research build REPORT --jobs 1 --force``, wall seconds of the command, comparison last so
it finds its cities), then all of them at once with ``--jobs``; and a no-op rebuild. Prints seconds
and the ratio baseline / this tree. Nothing under ``outputs/`` is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "b540914"  # the last commit before the notebook redesign


def build(tree: Path, out: Path, names: list[str], jobs: int, force: bool = True) -> float:
    env = {**os.environ, "USG_RESEARCH_ROOT": str(tree), "USG_RESEARCH_OUTPUTS": str(out), "PYTHONPATH": str(tree),
           "PYTHONHASHSEED": "0"}
    args = [sys.executable, "-m", "usg_research.cli", "build", *names, "--jobs", str(jobs)] + (["--force"] if force
                                                                                               else [])
    t = time.perf_counter()
    run = subprocess.run(args, env=env, cwd=tree, capture_output=True, text=True)
    took = time.perf_counter() - t
    if run.returncode != 0:
        raise SystemExit(f"{tree.name}: build {names} failed:\n{run.stderr[-2000:]}")
    return took


def reports(tree: Path) -> list[str]:
    names = sorted(p.stem for p in (tree / "params").glob("*.yaml"))
    return sorted(names, key=lambda n: n.startswith("comparison"))  # the comparison reads the cities


def measure(tree: Path, names: list[str], jobs: int) -> dict[str, float]:
    times = {}
    with tempfile.TemporaryDirectory(prefix="usg-bench-") as tmp:
        for n in names:
            times[n] = build(tree, Path(tmp) / "one", [n], 1)
        times["all, --jobs"] = build(tree, Path(tmp) / "all", names, jobs)
        times["no-op rebuild"] = build(tree, Path(tmp) / "all", names, jobs, force=False)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reports", nargs="*", help="reports to build (default: every report of both trees)")
    ap.add_argument("--baseline", default=BASELINE, help=f"commit to compare with (default {BASELINE})")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    base = ROOT.parent / f".bench-baseline-{args.baseline}"
    subprocess.run(["git", "worktree", "add", "--detach", "-f", str(base), args.baseline], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        names = args.reports or [n for n in reports(ROOT) if n in reports(base)]
        ours = measure(ROOT, names, args.jobs)
        theirs = measure(base, names, args.jobs)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
    print(f"cold builds on {os.cpu_count()} cores; wall seconds of `usg-research build`, baseline {args.baseline}")
    print(f"{'':<24}{'baseline':>10}{'this tree':>11}{'ratio':>8}")
    for k in ours:
        label = k if k in names else k.replace("--jobs", f"--jobs {args.jobs}")
        print(f"{label:<24}{theirs[k]:>9.1f}s{ours[k]:>10.1f}s{theirs[k] / ours[k]:>7.2f}x")


if __name__ == "__main__":
    main()
