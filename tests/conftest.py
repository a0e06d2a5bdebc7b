"""Shared fixtures: small synthetic cities written to a temporary folder."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

from usg_research.sources.synth import generate_city
from usg_research.sources.synth_export import export_city

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("PYTHONHASHSEED", "0")
#: In CI (or with USG_STRICT_SKIPS=1) with ../shared/data present, nothing may skip: a skip there means a
#: check that did not run (no chromium, a report verify could not rebuild), and it fails instead.
STRICT_SKIPS = (os.environ.get("USG_STRICT_SKIPS") == "1"
                or (os.environ.get("CI", "").lower() in ("1", "true") and SHARED_DATA.is_dir()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    outcome = yield
    report = outcome.get_result()
    if STRICT_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped where nothing may skip (CI with ../shared/data, or USG_STRICT_SKIPS=1): {reason}"


@dataclass
class SmallCity:
    """A small clean synthetic city on disk, easy to break one defect at a time."""

    folder: Path
    codebook_path: Path
    codebook: dict
    survey: pd.DataFrame  # the survey file's cells as text

    @property
    def spec(self) -> dict:
        return self.codebook["survey"]

    def col(self, variable: str) -> str:
        return self.spec["columns"][variable]

    def write_survey(self, df: pd.DataFrame | None = None, **kw: object) -> Path:
        df = self.survey if df is None else df
        spec = {**self.spec, **kw}
        path = self.folder / spec["file"]
        df.to_csv(path, sep=spec["delimiter"], index=False, encoding=spec["encoding"], lineterminator="\n")
        return path

    def write_codebook(self, codebook: dict | None = None) -> Path:
        self.codebook_path.write_text(yaml.safe_dump(codebook or self.codebook, allow_unicode=True,
                                                     sort_keys=False), encoding="utf-8")
        return self.codebook_path


@functools.lru_cache(maxsize=8)
def _exported(city: str, n: int) -> tuple[dict[str, bytes], str]:
    files, cb = export_city(generate_city(city, n=n, dirty=False, incident_share=0.02))
    return files, yaml.safe_dump(cb, allow_unicode=True, sort_keys=False)


def make_city(tmp_path: Path, city: str = "iztapalapa", n: int = 180, strict: bool = True,
              codebook_path: Path | None = None) -> SmallCity:
    """Write a small clean city (its design has at least 2 respondents per PSU: 288 for Iztapalapa) into
    ``tmp_path/<city>/``, its codebook beside it (or at ``codebook_path``)."""
    files, cb_text = _exported(city, n)
    cb = yaml.safe_load(cb_text)
    folder = tmp_path / city
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / ("iccs_map.csv" if name == "ICCS" else name)).write_bytes(content)
    if strict:  # every check an error: each defect must be reported, not cleaned
        cb["policy"] = {k: "error" for k in ("duplicate_row", "skip_violation", "date_out_of_window")}
    spec = cb["survey"]
    survey = pd.read_csv(folder / spec["file"], sep=spec["delimiter"], encoding=spec["encoding"], dtype=str,
                         keep_default_na=False)
    c = SmallCity(folder, codebook_path or tmp_path / f"{city}.yaml", cb, survey)
    c.write_codebook()
    return c


@pytest.fixture
def small_city(tmp_path: Path) -> SmallCity:
    return make_city(tmp_path)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA


@pytest.fixture(scope="session")
def envipe(shared_data: Path) -> Path:
    """INEGI's ENVIPE 2021 files (skipped where they are not)."""
    folder = shared_data / "envipe2021_inegi"
    if not (folder / "TMod_Vic_national.parquet").is_file():
        pytest.skip("ENVIPE 2021 extract is not present")
    return folder
