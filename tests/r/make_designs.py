"""Write the small test designs that tests/r/reference.R and tests/r/models.R estimate with R `survey`.

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


def calibration_design(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stratified cluster sample with area, sex, age group, a 0/1 outcome, two positive numeric
    variables (a ratio's numerator and denominator), missing values, and the population table of
    area x sex x age group it is calibrated to (sample totals moved by up to 25%, as a census would)."""
    df = design(seed, 6, 5, 9)
    rng = np.random.default_rng(seed + 100)
    n = len(df)
    df["area"] = np.where(df["stratum"].isin(["S1", "S2"]), "north", np.where(df["stratum"] == "S3", "centre",
                                                                                "south"))
    df["z"] = np.round(rng.gamma(3.0, 2.0, n) + 1, 3)
    df.loc[rng.random(n) < 0.03, "z"] = np.nan
    cells = df.groupby(["area", "sex", "age_group"])["w"].sum().reset_index()
    cells["N"] = np.round(cells["w"] * rng.uniform(0.75, 1.25, len(cells)))
    return df, cells.drop(columns="w")


def replicate_design(seed: int, bootstraps: int = 40) -> pd.DataFrame:
    """A stratified cluster sample with two sets of replicate weights (combined with the sampling weights):
    JKn (delete one PSU, the rest of its stratum scaled n_h / (n_h - 1)) and the Rao-Wu rescaling
    bootstrap (n_h - 1 PSUs drawn with replacement per stratum)."""
    df = design(seed, 5, 4, 8)
    rng = np.random.default_rng(seed + 100)
    df["z"] = np.round(rng.gamma(3.0, 2.0, len(df)) + 1, 3)
    psus = df.groupby("stratum")["psu"].unique()
    reps = {}
    for h, members in psus.items():
        nh = len(members)
        for j, p in enumerate(members):
            in_h = (df["stratum"] == h).to_numpy()
            reps[f"jk_{h}_{j + 1}"] = np.where(df["psu"] == p, 0.0, np.where(in_h, df["w"] * nh / (nh - 1), df["w"]))
    for b in range(bootstraps):
        mult = np.ones(len(df))
        for _h, members in psus.items():
            nh = len(members)
            draws = rng.choice(members, nh - 1, replace=True)
            counts = {p: int((draws == p).sum()) for p in members}
            rows = df["psu"].isin(members).to_numpy()
            mult[rows] = df.loc[rows, "psu"].map(counts).to_numpy() * nh / (nh - 1)
        reps[f"bs_{b + 1:02d}"] = np.round(df["w"].to_numpy() * mult, 6)
    return pd.concat([df, pd.DataFrame(reps, index=df.index)], axis=1)


def fpc_design(seed: int, census: bool = False) -> pd.DataFrame:
    """A stratified cluster sample drawn without replacement: ``fpc`` is the number of PSUs of the row's
    stratum in the population. S1 was fully enumerated (fpc = n_h: it adds no variance); with ``census``
    every stratum was, and every SE is 0."""
    df = design(seed, 5, 4, 8)
    n_h = df.groupby("stratum")["psu"].transform("nunique")
    population = df["stratum"].map({"S1": 4, "S2": 6, "S3": 10, "S4": 40, "S5": 400})
    df["fpc"] = n_h if census else population
    return df


if __name__ == "__main__":
    fpc_design(14).to_csv(HERE / "design_fpc.csv", index=False)
    fpc_design(15, census=True).to_csv(HERE / "design_census.csv", index=False)
    cal, population = calibration_design(21)
    cal.to_csv(HERE / "design_calibration.csv", index=False)
    population.to_csv(HERE / "population_calibration.csv", index=False)
    replicate_design(22).to_csv(HERE / "design_replicate.csv", index=False)
    design(11, 8, 5, 10).to_csv(HERE / "design_stratified.csv", index=False)
    design(12, 1, 30, 8).drop(columns="stratum").to_csv(HERE / "design_unstratified.csv", index=False)
    design(13, 7, 4, 9, lonely=2).to_csv(HERE / "design_lonely.csv", index=False)
