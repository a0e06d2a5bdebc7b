"""The adversarial corpus: bad inputs and hostile names through the ``usg-research`` command, as a user meets them.

Every case runs the command in a throw-away project that holds a small city with its previous outputs, and
asserts the exit code, that the message names the file (and the key, column or row where there is one),
that no raw file was deleted or changed, and that the previous outputs are byte-identical. The data defects
are the ones of ``tests/test_broken_inputs.py`` (there checked through the library), here through
``usg-research validate``; the rest are params, codebook, name and command cases.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from usg_research.cli import main
from usg_research.errors import LoadError
from usg_research.sources.envipe import read_census
from usg_research.yamlfile import MAX_BYTES

from .conftest import SmallCity, make_city
from .test_broken_inputs import CASES

ROOT = Path(__file__).resolve().parents[1]
CITY = "iztapalapa"


@dataclass
class Project:
    root: Path
    city: SmallCity

    def params(self, text: str = "", name: str = CITY) -> Path:
        """Write ``params/<name>.yaml``: the city's params with ``text`` appended, replacing the top-level
        keys ``text`` sets."""
        keys = {line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()}
        lines = [line for line in (ROOT / "params" / f"{CITY}.yaml").read_text(encoding="utf-8").splitlines()
                 if line.split(":")[0] not in keys]
        p = self.root / "params" / f"{name}.yaml"
        p.write_text("\n".join(lines) + "\n" + text, encoding="utf-8")
        return p


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    """A project with a small Iztapalapa (its codebook in data/codebooks/) and the published outputs of the
    real one as its previous outputs."""
    root = tmp_path / "proj"
    for sub in ("params", "notebooks", "data/codebooks", "outputs"):
        (root / sub).mkdir(parents=True)
    city = make_city(root / "data/raw", codebook_path=root / "data/codebooks" / f"{CITY}.yaml")
    shutil.move(city.folder / "iccs_map.csv", root / "data/codebooks" / f"{CITY}_iccs.csv")
    shutil.copytree(ROOT / "data/context", root / "data/context")
    shutil.copy(ROOT / "params" / f"{CITY}.yaml", root / "params")
    shutil.copy(ROOT / "notebooks" / f"{CITY}.ipynb", root / "notebooks")
    shutil.copy(ROOT / "notebooks/_template.ipynb", root / "notebooks")
    shutil.copytree(ROOT / "outputs" / CITY, root / "outputs" / CITY)
    monkeypatch.setenv("USG_RESEARCH_ROOT", str(root))
    monkeypatch.chdir(root)

    def boom(*a, **k):
        raise AssertionError("a kernel was started")

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", boom)
    return Project(root, city)


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink() and p.exists()}


def _run(project: Project, capsys, argv: list[str]) -> tuple[int, str]:
    """Run the command; return its exit code and what it printed, after checking that it deleted or changed
    no raw file and left the previous outputs byte-identical."""
    raw, outputs = _files(project.root / "data/raw"), _files(project.root / "outputs")
    capsys.readouterr()
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse
        rc = int(exc.code or 0)
    printed = capsys.readouterr()
    assert _files(project.root / "data/raw") == raw, "a raw file was deleted or changed"
    after = {k: v for k, v in _files(project.root / "outputs").items() if k != "index.html"}
    assert after == {k: v for k, v in outputs.items() if k != "index.html"}, "the previous outputs changed"
    return rc, printed.out + printed.err


# --- the data defects, through `usg-research validate` -----------------------------------------------------

@pytest.mark.parametrize("name,breaker,column,where,words", CASES, ids=[c[0] for c in CASES])
def test_data_defect_through_validate(project, capsys, name, breaker, column, where, words) -> None:
    """The command's wording differs from the library's (validate first lists what to fix in the codebook,
    with a hint), so the words are checked in test_broken_inputs; here the exit code, the naming and that
    nothing was lost."""
    breaker(project.city)
    rc, msg = _run(project, capsys, ["validate", CITY])
    assert rc == 1, msg
    assert f"data/raw/{CITY}/" in msg or f"data/codebooks/{CITY}.yaml" in msg, msg
    if column is not None:
        raw = project.city.spec["columns"].get(column, column)
        assert f"column {raw if isinstance(raw, str) else column!r}" in msg, msg
    if where is not None:
        assert where in msg, msg
    assert str(project.root) not in msg  # paths relative to the project


# --- params, names and commands -------------------------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))


@dataclass
class Case:
    name: str
    setup: Callable[[Project], object]
    argv: list[str]
    rc: int
    words: list[str]


def _edit_table(p: Project) -> None:
    t = p.root / f"outputs/{CITY}/tables/TAB-SUM-01.csv"
    t.write_text(t.read_text(encoding="utf-8").replace("0.", "0.9", 1), encoding="utf-8")


def _two_exports(p: Project) -> None:
    for sub in ("a", "b"):
        (p.root / sub).mkdir()
        shutil.copy(p.city.folder / "survey_SYNTHETIC.csv", p.root / sub / "export.csv")


def _clash(p: Project) -> None:
    (p.root / "new").mkdir()
    shutil.copy(p.city.folder / "survey_SYNTHETIC.csv", p.root / "new/survey_SYNTHETIC.csv")
    with (p.root / "new/survey_SYNTHETIC.csv").open("a", encoding="latin-1") as f:
        f.write("\n")


PARAMS = f"params/{CITY}.yaml"
CLI_CASES = [
    Case("params key given twice", lambda p: p.params("seed: 1\n  \nseed: 2\n"), ["build", CITY], 1,
         [PARAMS, "duplicate key 'seed'"]),
    Case("params alias bomb", lambda p: p.params(BOMB), ["list"], 1, [PARAMS, "aliases"]),
    Case("params too large", lambda p: p.params("#" * MAX_BYTES), ["build", CITY], 1, [PARAMS, "at most"]),
    Case("params quality thresholds not finite", lambda p: p.params("quality: {cv_suppress: .nan, n_min: -5}\n"),
         ["build", CITY], 1, [PARAMS, "quality.cv_suppress", "quality.n_min"]),
    Case("params quality thresholds out of order", lambda p: p.params("quality: {cv_reliable: 0.4}\n"),
         ["build", CITY], 1, [PARAMS, "must be below cv_suppress"]),
    Case("params unknown disaggregation", lambda p: p.params("disaggregations: [sex, phone_number]\n"),
         ["build", CITY], 1, [PARAMS, "unknown disaggregations"]),
    Case("params that do not load are named by list", lambda p: p.params("colour: blue\n"), ["list"], 1,
         [PARAMS, "params do not load", "colour"]),
    Case("params named ..yaml", lambda p: p.params(name="."), ["list"], 1, ["'.' is not a report name"]),
    Case("params named ..yaml built", lambda p: p.params(name="."), ["build", "."], 1, ["'.' is not a report name"]),
    Case("params name with markup", lambda p: p.params(name="<b>x"), ["list"], 1,
         ["'<b>x' is not a report name"]),
    Case("report name with a newline", lambda p: None, ["build", f"{CITY}\n"], 2, ["no params/<report>.yaml"]),
    Case("a published table edited", _edit_table, ["list"], 1,
         [f"outputs/{CITY}/tables/TAB-SUM-01.csv: content differs"]),
    Case("a published table deleted", lambda p: (p.root / f"outputs/{CITY}/tables/FIG-SAF-01.csv").unlink(),
         ["list"], 1, [f"outputs/{CITY}/tables/FIG-SAF-01.csv: missing"]),
    Case("a table the manifest does not list", lambda p: (p.root / f"outputs/{CITY}/tables/x.csv").write_text("1"),
         ["list"], 1, [f"outputs/{CITY}/tables/x.csv: not listed in the manifest"]),
    Case("new-city name too long", lambda p: None, ["new-city", "a" * 250, "--survey", "x.csv"], 2,
         ["at most 40 characters"]),
    Case("new-city name ending in a newline", lambda p: None, ["new-city", "vila\n", "--survey", "x.csv"], 2,
         ["city name 'vila\\n'"]),
    Case("new-city two exports with one name", _two_exports,
         ["new-city", "vila", "--survey", "a/export.csv", "--incidents", "b/export.csv"], 2,
         ["--incidents b/export.csv", "same file name"]),
    Case("new-city export clashing with a raw file", _clash,
         ["new-city", CITY, "--survey", "new/survey_SYNTHETIC.csv", "--force"], 2,
         [f"data/raw/{CITY}/survey_SYNTHETIC.csv already exists with different content"]),
    Case("synth of an unknown city", lambda p: None, ["synth", "nocity"], 2, ["no synthetic profile", "nocity"]),
    Case("validate an unknown city", lambda p: None, ["validate", "nocity"], 1, ["data/codebooks/nocity.yaml"]),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_command_case(project, capsys, case: Case) -> None:
    case.setup(project)
    start = time.perf_counter()
    rc, msg = _run(project, capsys, case.argv)
    assert time.perf_counter() - start < 60, "the command took over a minute to refuse"
    assert rc == case.rc, msg
    for w in case.words:
        assert w in msg, msg
    assert len(msg) < 20_000, "the message is too long (an expanded value?)"
    assert str(project.root) not in msg


def test_the_corpus_has_sixty_cases() -> None:
    """The issue's bar: at least 60 adversarial cases through the command."""
    assert len(CASES) + len(CLI_CASES) >= 60, len(CASES) + len(CLI_CASES)


def test_new_city_force_keeps_the_raw_exports(project, capsys) -> None:
    """``new-city --force`` rewrites its generated files; exports already in the city's folder (the survey
    passed from inside it, notes beside it) are kept byte for byte."""
    folder = project.city.folder
    (folder / "notes.txt").write_text("fieldwork notes", encoding="utf-8")
    before = _files(folder)
    survey = f"data/raw/{CITY}/survey_SYNTHETIC.csv"
    capsys.readouterr()
    assert main(["new-city", CITY, "--survey", survey, "--force"]) == 0, capsys.readouterr().err
    assert _files(folder) == before
    assert (project.root / f"data/codebooks/{CITY}.yaml").read_text(encoding="utf-8").startswith("# Codebook")


def test_census_errors_name_the_file_and_key(tmp_path) -> None:
    bad = {"missing.csv": None, "no_population.csv": "area,sex\n09,total\n",
           "not_a_count.csv": "area,sex,population\n09,total,12\n09,male,many\n"}
    words = {"missing.csv": "file not found", "no_population.csv": "no column 'population'",
             "not_a_count.csv": "line 3: column 'population', value 'many'"}
    for name, text in bad.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(LoadError) as info:
            read_census(tmp_path / name)
        assert name in str(info.value) and "(params source.census)" in str(info.value)
        assert words[name] in str(info.value), str(info.value)
    frame = read_census(ROOT / "data/census/inegi_census2020_population.csv")
    assert frame["population"].dtype.kind in "if" and len(frame) == len(
        pd.read_csv(ROOT / "data/census/inegi_census2020_population.csv"))


def test_manifests_parse(project) -> None:
    """The copied outputs are a real published record (the corpus would prove nothing against an empty one)."""
    man = json.loads((project.root / f"outputs/{CITY}/manifest.json").read_text(encoding="utf-8"))
    assert len(man["outputs"]) == 52
