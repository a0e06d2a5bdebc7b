"""ENVIPE 2021 national files (INEGI): usg_research against R `survey` on the same design, same run.

Two jobs, each timed in both (estimation only, reading excluded; Python best of 3):
- the full indicator table on the national person file (92,051 adults, 606 strata, 13,195 PSUs):
  every catalogue indicator the survey supports x its disaggregations (sex, age group, entity);
- INEGI's reporting table on the crime module: crimes occurred, reported, with a carpeta de
  investigación and the cifra negra, nation and Mexico City (entity of occurrence), by sex.
R (tests/r/envipe.R) fits the same design (``svydesign(ids=~psu, strata=~stratum, weights=~weight,
nest=TRUE)``) and loops ``svymean`` / ``svyby`` over the same indicators and domains.

Run from the project root (needs Rscript with the survey package, and the ENVIPE folder):
    .venv/bin/python benchmarks/bench_envipe.py [--data ../shared/data/envipe2021_inegi] [--reference]
``--reference`` also writes R's estimates to tests/r/envipe_reference.csv (the committed reference).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from usg_research.estimate.crime_module import crime_design_data, reporting_table
from usg_research.estimate.indicators import indicator_table, load_catalogue
from usg_research.estimate.survey import SurveyDesign
from usg_research.ingest.derive import age_groups
from usg_research.sources.envipe import crimes, person_table, persons, sample_psus

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "envipe2021_inegi"


def r_frames(df: pd.DataFrame, records: pd.DataFrame, psus: pd.DataFrame, ids: list[str]) -> tuple[pd.DataFrame,
                                                                                                     pd.DataFrame]:
    """The design data R reads: one value column per indicator (NaN outside its universe), and the crimes."""
    cat = load_catalogue()
    rows = df[["stratum", "psu", "weight", "sex", "age_group", "area", "municipality"]].copy()
    for i in ids:
        rows[i] = cat[i].values(df) * cat[i].scale
    k = crime_design_data(records, psus)[["stratum", "psu", "weight", "sex", "state_occurred",
                                          "municipality_occurred", "in_sample", "reported", "carpeta",
                                          "cifra_negra"]].copy()
    k["in_sample"] = k["in_sample"].astype(int)
    k["one"] = 1.0
    return rows, k


def stacked_rows(records: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Crime rows (crime = 1) and person rows (person = 1) of one design, for R's ``svyratio``."""
    cols = ["weight", "stratum", "psu", "state", "municipality", "sex", "age"]
    both = pd.concat([records[cols].assign(crime=1, person=0), people[cols].assign(crime=0, person=1)],
                     ignore_index=True)
    both["age_group"] = age_groups(both["age"].where(both["age"] < 98))
    return both.drop(columns="age")


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--reference", action="store_true", help="write tests/r/envipe_reference.csv")
    args = ap.parse_args()
    df = person_table(args.data)
    records, psus, persons_ = crimes(args.data), sample_psus(args.data), persons(args.data)
    t_py_persons, table = best(lambda: indicator_table(SurveyDesign(df, weight="weight", strata="stratum",
                                                                    psu="psu")))
    t_py_crimes, _ = best(lambda: reporting_table(records, psus))
    ids = sorted(table["indicator"].unique())
    print(f"person file: {len(df):,} adults, {df['stratum'].nunique()} strata, {df['psu'].nunique():,} PSUs; "
          f"{len(ids)} indicators x their disaggregations = {len(table)} estimates")
    print(f"crime module: {len(records):,} crimes counted by INEGI (vandalism excluded)")
    if shutil.which("Rscript") is None:
        print(f"usg_research: persons {t_py_persons:.3f} s, crimes {t_py_crimes:.3f} s (Rscript not found: no ratio)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        person_rows, k = r_frames(df, records, psus, ids)
        person_rows.to_csv(Path(tmp) / "persons.csv", index=False)
        k.to_csv(Path(tmp) / "crimes.csv", index=False)
        stacked_rows(records, persons_).to_csv(Path(tmp) / "stacked.csv", index=False)
        table[["indicator", "domain"]].drop_duplicates().to_csv(Path(tmp) / "plan.csv", index=False)
        out = Path(tmp) / "r.csv"
        run = subprocess.run(["Rscript", str(ROOT / "tests/r/envipe.R"), tmp, str(out)], capture_output=True,
                             text=True, check=True)
        m = re.search(r"timing persons=([\d.]+) crimes=([\d.]+)", run.stdout)
        assert m, run.stdout + run.stderr
        t_r_persons, t_r_crimes = float(m.group(1)), float(m.group(2))
        if args.reference:
            shutil.copyfile(out, ROOT / "tests/r/envipe_reference.csv")
            print("wrote tests/r/envipe_reference.csv")
    print(f"{'job':<28}{'usg_research':>14}{'R survey':>12}{'R / ours':>10}")
    for job, a, b in (("full indicator table", t_py_persons, t_r_persons),
                      ("reporting table (crimes)", t_py_crimes, t_r_crimes)):
        print(f"{job:<28}{a:>12.3f} s{b:>10.2f} s{b / a:>9.0f}x")


if __name__ == "__main__":
    main()
