"""Benchmark: loading, validating and cleaning a national-size export, this tree against a baseline commit.

Usage: python benchmarks/bench_load.py [--baseline COMMIT] [--rows 100000 1000000] [--cap-gb 10]

The export is Mathare's synthetic survey (152 columns: ids, design, names, phones, GPS, dates and 140
coded answers, with its dirty rows: duplicates, unknown codes, missing codes) repeated until it has
``rows`` respondents, each copy with its own respondent numbers, written once to a temporary folder
beside the city's other raw files. For each tree (the baseline, default the last commit before typed
reading, checked out in a temporary git worktree, and this one) and each size, a fresh process runs
``clean_city`` (read, map, validate, clean: every table of the codebook) under an address-space cap
and reports wall seconds and peak resident memory (``ru_maxrss``). The clean respondent table's
content hash shows both trees produce the same data. Prints a table with the ratios baseline / this.
A run that exceeds the cap is reported as ``MemoryError``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "4d9e199"  # the last commit before typed (Arrow) reading of CSV exports
CITY = "mathare"

CHILD = r"""
import hashlib, json, resource, sys, time
cap = int(sys.argv[3]) * 2**30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
out = {"error": None}
try:
    import pandas as pd
    from usg_research.ingest.clean import clean_city
    t = time.perf_counter()
    tables = clean_city(sys.argv[1], folder=sys.argv[2])
    out["seconds"] = time.perf_counter() - t
    df = tables["respondent"]
    out["rows_kept"] = len(df)
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    out["digest"] = hashlib.sha256(h.tobytes() + ",".join(df.columns).encode()).hexdigest()[:16]
    out["excluded"] = tables.logs["respondent"].rows_excluded
except MemoryError:
    out["error"] = "MemoryError"
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def write_export(folder: Path, rows: int) -> Path:
    """Copy the city's raw folder to ``folder`` with its survey repeated to ``rows`` respondents."""
    shutil.copytree(ROOT / "data" / "raw" / CITY, folder)
    survey = folder / "survey_SYNTHETIC.csv"
    with survey.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        body = list(reader)
    with survey.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        written, copy = 0, 0
        while written < rows:
            for r in body[: rows - written]:
                w.writerow([f"{r[0]}-{copy:04d}", *r[1:]])
            written += min(len(body), rows - written)
            copy += 1
    return folder


def measure(tree: Path, folder: Path, cap_gb: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "USG_RESEARCH_ROOT": str(tree), "PYTHONHASHSEED": "0"}
    run = subprocess.run([sys.executable, "-c", CHILD, CITY, str(folder), str(cap_gb)], env=env, cwd=tree,
                         capture_output=True, text=True)
    if run.returncode != 0 or not run.stdout.strip():
        return {"error": f"exit {run.returncode}: {run.stderr.strip().splitlines()[-1:]}", "peak_rss_mb": None}
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=BASELINE, help="commit to compare with (default: %(default)s)")
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000], help="export sizes")
    ap.add_argument("--cap-gb", type=int, default=10, help="address-space cap per run, GiB (default: %(default)s)")
    args = ap.parse_args()
    results: list[tuple[int, str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(base), args.baseline], cwd=ROOT,
                       check=True)
        try:
            for n in args.rows:
                folder = write_export(Path(tmp) / f"raw-{n}", n)
                size = (folder / "survey_SYNTHETIC.csv").stat().st_size / 2**20
                print(f"{n:,} rows x 152 columns ({size:,.0f} MiB)", flush=True)
                for label, tree in (("baseline", base), ("this tree", ROOT)):
                    r = measure(tree, folder, args.cap_gb)
                    results.append((n, label, r))
                    print(f"  {label:<10} {json.dumps(r)}", flush=True)
                shutil.rmtree(folder)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    print(f"\n{'rows':>10}  {'tree':<10} {'seconds':>8} {'peak MiB':>9}  {'same data':<9} ratio (baseline / this)")
    by = {(n, label): r for n, label, r in results}
    for n in args.rows:
        b, t = by[(n, "baseline")], by[(n, "this tree")]
        same = "yes" if b.get("digest") and b.get("digest") == t.get("digest") else (
            "-" if b.get("error") else "NO")
        for label, r in (("baseline", b), ("this tree", t)):
            secs = f"{r['seconds']:.1f}" if r.get("seconds") is not None else r.get("error", "?")
            mem = f"{r['peak_rss_mb']:,.0f}" if r.get("peak_rss_mb") else "?"
            ratio = ""
            if label == "this tree" and b.get("seconds") and t.get("seconds"):
                ratio = f"time x{b['seconds'] / t['seconds']:.1f}, memory x{b['peak_rss_mb'] / t['peak_rss_mb']:.1f}"
            elif label == "this tree" and b.get("error"):
                ratio = f"baseline failed ({b['error']} at the {args.cap_gb} GiB cap)"
            print(f"{n:>10,}  {label:<10} {secs:>8} {mem:>9}  {same if label == 'this tree' else '':<9} {ratio}")


if __name__ == "__main__":
    main()
