"""Write the small test designs that tests/r/reference.R estimates with R `survey`.

Run from the project root: python tests/r/make_designs.py (seeded; the CSVs are committed).
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def design(seed: int, n_strata: int, psu_per_stratum: int, per_psu: int, lonely: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(n_strata):
        n_psu = 1 if h < lonely else psu_per_stratum
        for j in range(n_psu):
            k = int(rng.integers(max(2, per_psu - 3), per_psu + 4))
            rows += [(f"S{h + 1}", f"P{h + 1}-{j + 1}") for _ in range(k)]
    df = pd.DataFrame(rows, columns=["stratum", "psu"])
    n = len(df)
    psu_eff = df.groupby("psu")["psu"].transform(lambda s: rng.normal(0, 0.6)).to_numpy()
    df["w"] = np.round((1 + df["stratum"].str[1:].astype(int) / 3) * rng.lognormal(0, 0.4, n) * 50, 3)
    df["sex"] = rng.choice(["female", "male"], n)
    df["age_group"] = rng.choice(["18-24", "25-44", "45+"], n, p=[0.3, 0.4, 0.3])
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + psu_eff + 0.4 * (df["sex"] == "female"))))).astype(float)
    df.loc[rng.random(n) < 0.05, "y"] = np.nan
    df["x"] = np.round(rng.gamma(2.0, 10.0, n) + 5 * psu_eff, 4)
    df.loc[rng.random(n) < 0.04, "x"] = np.nan
    df["trust"] = rng.choice(["a_lot", "some", "little", "none"], n, p=[0.2, 0.3, 0.3, 0.2])
    # a tiny domain: three members in two PSUs
    df["group"] = "main"
    df.loc[df.index[[3, 4, 40]], "group"] = "tiny"
    return df


if __name__ == "__main__":
    design(11, 8, 5, 10).to_csv(HERE / "design_stratified.csv", index=False)
    design(12, 1, 30, 8).drop(columns="stratum").to_csv(HERE / "design_unstratified.csv", index=False)
    design(13, 7, 4, 9, lonely=2).to_csv(HERE / "design_lonely.csv", index=False)
