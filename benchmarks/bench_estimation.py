"""Benchmark: the full indicator table (30 binary indicators x {total, sex, age_group, area} = 870
estimates with SEs) on synthetic samples of 10^5 and 10^6 respondents, 50 strata, 2,000 PSUs.

Reports, in the same run, the ratio of the engine (usg_research.estimate.survey) against
  - a per-domain loop baseline (one pass over the microdata per indicator x domain level,
    the with-replacement Taylor SE written plainly with pandas), and
  - the `svy` library (0.35, Taylor, 30 indicators per call, one call per disaggregation),
after checking that all three give the same SEs.

Usage: python benchmarks/bench_estimation.py [--sizes 100000 1000000] [--repeat 3]
       (make bench; needs `pip install svy==0.35.0` for the svy column, skipped otherwise)
Writes benchmarks/results/estimation.json (git-ignored) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from usg_research.estimate.survey import SurveyDesign
from usg_research.sources.synth import large_sample

BY = [None, "sex", "age_group", "area"]


def engine(df: pd.DataFrame, inds: list[str]) -> pd.DataFrame:
    d = SurveyDesign(df, weight="weight", strata="stratum", psu="psu")
    return d.estimate(df[inds], BY, proportion=[True] * len(inds))


def loop_one(df: pd.DataFrame, ind: str, n_h: pd.Series) -> list[dict]:
    """Per-domain loop: for each domain level, zero outside the domain, PSU totals, stratum variance."""
    out = []
    y = df[ind]
    for by in BY:
        levels = [("total", np.ones(len(df), dtype=bool))] if by is None else [
            (lev, (df[by] == lev).to_numpy()) for lev in sorted(df[by].unique())]
        for lev, dom in levels:
            ok = dom & y.notna().to_numpy()
            w = df["weight"].where(ok, 0.0)
            est = (w * y.fillna(0)).sum() / w.sum()
            z = w * (y.fillna(0) - est) / w.sum()
            tot = z.groupby([df["stratum"], df["psu"]]).sum()
            g = tot.groupby(level=0)
            s1, s2 = g.sum(), (tot ** 2).groupby(level=0).sum()
            nh = n_h.loc[s1.index]
            var = (nh / (nh - 1) * (s2 - s1 ** 2 / nh)).sum()
            out.append({"column": ind, "domain": by or "total", "level": lev, "estimate": est, "se": np.sqrt(var)})
    return out


def baseline(df: pd.DataFrame, inds: list[str]) -> pd.DataFrame:
    n_h = df.groupby("stratum")["psu"].nunique()
    return pd.DataFrame([r for ind in inds for r in loop_one(df, ind, n_h)])


def svy_run(df: pd.DataFrame, inds: list[str]) -> pd.DataFrame | None:
    try:
        import polars as pl
        import svy
    except ImportError:
        return None
    s = svy.Sample(pl.from_pandas(df), svy.Design(stratum="stratum", psu="psu", wgt="weight", wr=True))
    frames = []
    for by in BY:
        p = s.estimation.mean(inds, by=by, drop_nulls=True).to_polars().to_pandas()
        p["level"] = p[by].astype(str) if by else "total"
        frames.append(p.assign(domain=by or "total").rename(columns={"y": "column"}))
    return pd.concat(frames, ignore_index=True)[["column", "domain", "level", "est", "se"]]


def timed(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-indicators", type=int, default=3,
                    help="indicators the loop baseline runs at sizes above 10^5 (time scaled to 30, stated)")
    args = ap.parse_args()
    inds = [f"ind{k:02d}" for k in range(30)]
    rows = []
    for n in args.sizes:
        df = large_sample(n)
        t_eng, res = timed(lambda df=df: engine(df, inds), args.repeat)
        n_est = len(res)
        k_base = 30 if n <= 100_000 else args.baseline_indicators
        t_base, base = timed(lambda df=df, k=k_base: baseline(df, inds[:k]), 1)
        t_base_all = t_base * 30 / k_base
        m = base.merge(res, on=["column", "domain", "level"], suffixes=("_loop", ""))
        agree_loop = float(np.max(np.abs(m["se"] / m["se_loop"] - 1)))
        t_svy, sv = timed(lambda df=df: svy_run(df, inds), 1)
        agree_svy = None
        if sv is not None:
            ms = sv.merge(res, on=["column", "domain", "level"], suffixes=("_svy", ""))
            assert len(ms) == n_est, (len(ms), n_est)
            agree_svy = float(np.max(np.abs(ms["se_svy"] / ms["se"] - 1)))
        rows.append({"n": n, "estimates": n_est, "engine_s": t_eng, "loop_s": t_base_all,
                     "loop_measured_indicators": k_base, "svy_s": t_svy if sv is not None else None,
                     "loop_over_engine": t_base_all / t_eng,
                     "svy_over_engine": (t_svy / t_eng) if sv is not None else None,
                     "max_rel_se_diff_loop": agree_loop, "max_rel_se_diff_svy": agree_svy})
        r = rows[-1]
        scaled = f" ({k_base} of 30 indicators, x{30 // k_base})" if k_base < 30 else ""
        svy_txt = f"{t_svy:7.2f} s = {r['svy_over_engine']:6.1f}x" if sv is not None else "not installed"
        diff = f"loop {agree_loop:.1e}" + (f", svy {agree_svy:.1e}" if agree_svy is not None else "")
        print(f"n={n:>9,}  {n_est} estimates | engine {t_eng:7.3f} s (min of {args.repeat}) | "
              f"loop {t_base_all:7.2f} s{scaled} = {r['loop_over_engine']:6.1f}x | svy {svy_txt} | "
              f"max rel. SE diff: {diff}", flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "estimation.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
