"""The mutation score of `make mutation` (mutmut), per module, and every surviving mutant with its diff.

Mutants listed in ``tests/mutation_equivalent.txt`` (``name  reason``) are equivalent to the original (no
test could tell them apart: the reason says why) and leave the score's denominator. The score is
killed / (killed + survived + no tests); a timeout counts as killed (the mutant changed behaviour).

Run from the project root after ``mutmut run`` (``make mutation`` does both):
    .venv/bin/python tests/mutation_report.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")
DETECTED = {1: "killed", 3: "killed", 36: "killed", 24: "killed", -24: "killed", 152: "killed", 255: "killed",
            37: "killed"}
UNDETECTED = {0: "survived", 5: "no tests", 33: "no tests"}


def equivalent() -> dict[str, str]:
    """The mutants judged equivalent, with the reason."""
    if not EQUIVALENT.exists():
        return {}
    out = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            out[name] = reason.strip()
    return out


def statuses(mutants: Path) -> dict[str, dict[str, str]]:
    """``{module: {mutant: status}}`` from mutmut's .meta files."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = meta.relative_to(mutants).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        out[module] = {k: DETECTED.get(v) or UNDETECTED.get(v) or ("not checked" if v is None else "other")
                       for k, v in codes.items()}
    return out


def main() -> int:
    mutants = ROOT / "mutants"
    if not mutants.is_dir():
        print("no mutants/ folder: run `make mutation` (or `mutmut run`) first", file=sys.stderr)
        return 2
    eq = equivalent()
    table = statuses(mutants)
    print(f"{'module':<44} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'equiv.':>6} {'score':>6}")
    survivors = []
    totals: Counter[str] = Counter()
    for module, by in table.items():
        c = Counter("equivalent" if k in eq else s for k, s in by.items())
        totals.update(c)
        live = c["killed"] + c["survived"] + c["no tests"]
        score = f"{c['killed'] / live:.1%}" if live else "-"
        print(f"{module:<44} {len(by):>7} {c['killed']:>6} {c['survived']:>8} {c['no tests']:>8} "
              f"{c['equivalent']:>6} {score:>6}")
        survivors += [k for k, s in by.items() if s in ("survived", "no tests") and k not in eq]
    live = totals["killed"] + totals["survived"] + totals["no tests"]
    print(f"{'all':<44} {sum(totals.values()):>7} {totals['killed']:>6} {totals['survived']:>8} "
          f"{totals['no tests']:>8} {totals['equivalent']:>6} {totals['killed'] / max(live, 1):>6.1%}")
    mutmut = Path(sys.executable).with_name("mutmut")
    for name in survivors:
        print(f"\n## survived: {name}")
        shown = subprocess.run([str(mutmut), "show", name], cwd=ROOT, capture_output=True, text=True)
        print(shown.stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
