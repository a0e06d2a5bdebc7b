"""ENVIPE 2021 national person file (INEGI): design-based models and raking, usg_research against R `survey`.

Two jobs on the 92,051 adults, the 91,532 with a stated age (606 strata, 13,194 PSUs), each timed in both
(estimation only, reading excluded, best of 3), and their results compared:

- a design-based logistic regression (R ``svyglm(victim ~ sex + age_group + area, family=quasibinomial())``;
  ``victim``: INEGI's any-crime prevalence of 2020, ``area``: the 32 entities): coefficients and SEs;
- raking to sex, age group and entity margins (R ``rake``, iterated to 1e-10) and the raked design's
  prevalence with its SE (R ``svymean``). The margins are the design-weighted totals moved by fixed
  factors (0.9 to 1.1, then scaled to one total), a stand-in for census totals that the weights do not already meet.

Run from the project root (needs Rscript with the survey package, and the ENVIPE folder):
    .venv/bin/python benchmarks/bench_models.py [--data ../shared/data/envipe2021_inegi]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from usg_research.estimate.survey import SurveyDesign
from usg_research.sources.envipe import person_table

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "envipe2021_inegi"


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def frame(data: Path) -> pd.DataFrame:
    df = person_table(data)
    rows = df[["stratum", "psu", "weight", "sex", "age_group", "area"]].copy()
    rows["victim"] = (df["vict_any_envipe"].astype(object) == "yes").astype(float)
    return rows.dropna(subset=["age_group"]).reset_index(drop=True)


def margins(rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    for v in ("sex", "age_group", "area"):
        t = rows.groupby(v)["weight"].sum()
        moved = t.to_numpy() * np.linspace(0.9, 1.1, len(t))
        moved *= rows["weight"].sum() / moved.sum()  # every margin adds up to the same population
        out.append(pd.DataFrame({"variable": v, "level": t.index.astype(str), "N": moved}))
    return pd.concat(out, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args()
    rows = frame(args.data)
    marg = margins(rows)
    target = {v: marg[marg["variable"] == v].set_index("level")["N"] for v in ("sex", "age_group", "area")}
    design = SurveyDesign(rows, weight="weight", strata="stratum", psu="psu")
    t_glm, fit = best(lambda: design.glm("victim ~ sex + age_group + area", family="binomial"))
    t_rake, raked = best(lambda: design.rake(target, tol=1e-10).mean("victim"))
    print(f"person file: {len(rows):,} adults with an age, {rows['stratum'].nunique()} strata, "
          f"{rows['psu'].nunique():,} PSUs; model: {len(fit)} terms; raking: {sum(map(len, target.values()))} "
          "margin totals")
    if shutil.which("Rscript") is None:
        print(f"usg_research: glm {t_glm:.3f} s, rake + mean {t_rake:.3f} s (Rscript not found: no ratio)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        rows.to_csv(Path(tmp) / "persons.csv", index=False)
        marg.to_csv(Path(tmp) / "margins.csv", index=False)
        out = Path(tmp) / "r.csv"
        run = subprocess.run(["Rscript", str(ROOT / "benchmarks/bench_models.R"), tmp, str(out)],
                             capture_output=True, text=True, check=True)
        m = re.search(r"timing glm=([\d.]+) rake=([\d.]+)", run.stdout)
        assert m, run.stdout + run.stderr
        t_r_glm, t_r_rake = float(m.group(1)), float(m.group(2))
        ref = pd.read_csv(out)
    r_glm = ref[ref["what"] == "glm"].set_index("term").loc[fit["term"]]
    r_rake = ref[ref["what"] == "rake"].iloc[0]
    agree = {
        "glm coefficients": np.max(np.abs(fit["estimate"].to_numpy() / r_glm["estimate"].to_numpy() - 1)),
        "glm SEs": np.max(np.abs(fit["se"].to_numpy() / r_glm["se"].to_numpy() - 1)),
        "raked prevalence": abs(raked["estimate"].item() / r_rake["estimate"] - 1),
        "its SE": abs(raked["se"].item() / r_rake["se"] - 1)}
    print("largest relative difference from R: " + ", ".join(f"{k} {v:.1e}" for k, v in agree.items()))
    print(f"{'job':<34}{'usg_research':>14}{'R survey':>12}{'R / ours':>10}")
    for job, a, b in (("logistic svyglm (38 terms)", t_glm, t_r_glm),
                      ("rake to 3 margins + svymean", t_rake, t_r_rake)):
        print(f"{job:<34}{a:>12.3f} s{b:>10.2f} s{b / a:>9.0f}x")


if __name__ == "__main__":
    main()
