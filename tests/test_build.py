"""The report build: params checks, atomic outputs, determinism, skipping, verify, offline HTML."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from usg_research.cli import main
from usg_research.errors import ParamsError
from usg_research.params import load_params
from usg_research.reports import report_names
from usg_research.run import build as B
from usg_research.run.build import verify
from usg_research.run.pdf import page_count, pdf_text
from usg_research.run.verify import check_published, compare_records, outputs_list

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A throw-away project holding one city (a copy of Mathare) so builds never touch outputs/."""
    root = tmp_path / "proj"
    for sub in ("params", "notebooks", "data/codebooks", "data/raw/mathare", "outputs"):
        (root / sub).mkdir(parents=True)
    shutil.copytree(ROOT / "data/context", root / "data/context")
    shutil.copy(ROOT / "params/mathare.yaml", root / "params/mathare.yaml")
    shutil.copy(ROOT / "notebooks/mathare.ipynb", root / "notebooks/mathare.ipynb")
    for f in ("mathare.yaml", "mathare_iccs.csv"):
        shutil.copy(ROOT / "data/codebooks" / f, root / "data/codebooks" / f)
    for f in (ROOT / "data/raw/mathare").iterdir():
        shutil.copy(f, root / "data/raw/mathare" / f.name)
    monkeypatch.setenv("USG_RESEARCH_ROOT", str(root))
    return root


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "report.pdf"}  # the PDF: its own checks


def _no_kernel(monkeypatch) -> None:
    import papermill

    def boom(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", boom)


@pytest.mark.parametrize("text,words", [
    ("colour: blue\n", "Extra inputs are not permitted"),
    ("seed: '12'\n", "seed: Input should be a valid integer"),
    ("seed: 0123\n", "leading zero"),
    ("language: no\n", "would be read as a boolean"),
    ("title: !!binary K3N0cihfX2ltcG9ydF9fKCdwYXRobGliJykuUGF0aCgnUFdORUQnKS50b3VjaCgpKSs=\n", "!!binary"),
    ("'x = 1\\nimport pathlib; pathlib.Path(\"PWNED\").touch()\\ny': 1\n", "Extra inputs are not permitted"),
    ("headline: [NOT_AN_INDICATOR]\n", "unknown indicator ids"),
    ("quality: {n_min: 30.5}\n", "quality.n_min"),
    ("seed: 1\nseed: 2\n", "duplicate key 'seed'"),
    ("quality: {cv_suppress: .nan, n_min: -5}\n", "quality.cv_suppress: Input should be a finite number"),
    ("disaggregations: [sex, phone]\n", "unknown disaggregations ['phone']"),
])
def test_bad_params_are_rejected_before_any_kernel_starts(project, monkeypatch, capsys, text, words) -> None:
    _no_kernel(monkeypatch)
    p = project / "params/mathare.yaml"
    key = text.split(":")[0]  # the key replaces the file's own (a key given twice is its own error)
    kept = [line for line in p.read_text(encoding="utf-8").splitlines() if line.split(":")[0] != key]
    p.write_text("\n".join(kept) + "\n" + text, encoding="utf-8")
    with pytest.raises(ParamsError, match=None) as info:
        load_params("mathare")
    assert words in str(info.value) and "params/mathare.yaml" in str(info.value)
    assert main(["build", "mathare"]) == 1
    assert words in capsys.readouterr().err
    assert not (project / "PWNED").exists() and not Path("PWNED").exists()


def test_notebook_needs_exactly_one_parameters_cell(project, monkeypatch, capsys) -> None:
    _no_kernel(monkeypatch)
    nb_path = project / "notebooks/mathare.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}))
    nbformat.write(nb, nb_path)
    assert main(["build", "mathare"]) == 1
    assert "exactly one cell tagged 'parameters', found 2" in capsys.readouterr().err


def test_build_is_deterministic_skips_when_unchanged_and_verifies(project, capfd) -> None:
    [r] = B.build(["mathare"], jobs=1, progress=False, pdf=True)
    assert r.status == "built", r.message
    console = "".join(capfd.readouterr())  # the kernel's own output included (file descriptors 1 and 2)
    assert not re.search(r"IPKernelApp|KeyboardInterrupt|without encryption|Traceback", console), console
    out = project / "outputs/mathare"
    first = _hashes(out)
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    from usg_research.outline import OUTPUT_IDS

    assert [o["id"] for o in man["outputs"]] == [*OUTPUT_IDS[:35], "FIG-DRG-03", *OUTPUT_IDS[35:]]
    assert man["synthetic"] is True and man["inputs"]["params"]["city"] == "mathare"
    for o in man["outputs"]:
        for f in o["files"]:
            assert hashlib.sha256((out / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    # every output of the page, not-available ones included, is linked from the table of contents
    page = (out / "report.html").read_text(encoding="utf-8")
    toc = page[page.index('<nav class="usg-toc"'):page.index("</nav>")]
    anchors = set(re.findall(r'id="((?:FIG|TAB)-[A-Z]+-\d+[a-z]?)"', page))
    assert len(anchors) == len(man["outputs"]) and anchors == set(re.findall(r'href="#((?:FIG|TAB)-[^"]+)"', toc))
    assert toc.count('href="#ch-') == 16
    # the PDF: paged, its table of contents with page numbers, the report's title on its first page
    pdf = out / "report.pdf"
    assert page_count(pdf) > 30
    first_pages = pdf_text(pdf, 3)
    assert "Urban Safety Governance Assessment: Mathare, Nairobi" in first_pages.replace("\n", " ")
    assert re.search(r"Figure 1\. Headline indicators \.+ \d+", first_pages)
    pdf_digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    # no absolute paths, user names or timestamps in what is published
    text = (out / "manifest.json").read_text(encoding="utf-8") + (out / "report.html").read_text(encoding="utf-8")
    assert str(project) not in text and "/root" not in text and "/home/" not in text
    # unchanged inputs: skipped
    [r] = B.build(["mathare"], jobs=1, progress=False)
    assert r.status == "skipped"
    # forced rebuild: every file byte-identical, the executed notebook and the HTML too
    [r] = B.build(["mathare"], jobs=1, force=True, progress=False)
    assert r.status == "built"
    assert _hashes(out) == first
    assert verify(["mathare"], jobs=1, progress=False) == []
    # a published table edited by hand, one deleted, one added: verify and list name each, build rebuilds
    edited, deleted = out / "tables/TAB-SUM-01.csv", out / "tables/FIG-SAF-01.csv"
    text = edited.read_text(encoding="utf-8")
    value = re.search(r",(0\.\d{6,})", text).group(1)
    edited.write_text(text.replace(value, "0.9" + value[3:], 1), encoding="utf-8")
    deleted.unlink()
    (out / "tables/TAB-XYZ-01.csv").write_text("a\n1\n", encoding="utf-8")
    diffs = verify(["mathare"], jobs=1, progress=False)
    assert diffs == ["mathare: FIG-SAF-01 outputs/mathare/tables/FIG-SAF-01.csv: missing (listed in the manifest)",
                     "mathare: TAB-SUM-01 outputs/mathare/tables/TAB-SUM-01.csv: content differs from the "
                     "manifest's sha256",
                     "mathare: outputs/mathare/tables/TAB-XYZ-01.csv: not listed in the manifest"], diffs
    assert main(["list"]) == 1
    assert not B.is_current(B.resolve("mathare"))
    (out / "tables/TAB-XYZ-01.csv").unlink()
    [r] = B.build(["mathare"], jobs=1, progress=False)
    assert r.status == "built" and _hashes(out) == first
    # change one data value: verify names the outputs that changed
    survey = project / "data/raw/mathare/survey_SYNTHETIC.csv"
    original = survey.read_text(encoding="utf-8")
    lines = original.split("\n")
    lines[1] = lines[1].replace(",Very safe,", ",Very unsafe,", 1)
    survey.write_text("\n".join(lines), encoding="utf-8")
    notes: list[str] = []
    diffs = verify(["mathare"], jobs=1, progress=False, notes=notes)
    assert diffs and all(re.match(r"mathare: (TAB|FIG)-[A-Z]+-\d\d \S+: content differs", d) for d in diffs), diffs
    assert any("TAB-ANX-01 tables/TAB-ANX-01.csv" in d for d in diffs)
    assert any("data/raw/mathare/survey_SYNTHETIC.csv" in n for n in notes)
    # an up-to-date report gets its PDF rendered from its page, the same bytes as the first build's
    survey.write_text(original, encoding="utf-8")
    [r] = B.build(["mathare"], jobs=1, progress=False, pdf=True)
    assert (r.status, r.message) == ("built", "PDF only (inputs unchanged)")
    assert hashlib.sha256((out / "report.pdf").read_bytes()).hexdigest() == pdf_digest


def test_failing_notebook_leaves_previous_outputs_untouched(project, capsys) -> None:
    [r] = B.build(["mathare"], jobs=1, progress=False)
    assert r.status == "built"
    out = project / "outputs/mathare"
    before = _hashes(out)
    nb_path = project / "notebooks/mathare.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell("raise RuntimeError('the survey file is wrong')"))
    nbformat.write(nb, nb_path)
    assert main(["build", "mathare"]) == 1
    err = capsys.readouterr().err
    assert "mathare: notebook notebooks/mathare.ipynb failed in cell" in err
    assert "RuntimeError: the survey file is wrong" in err and "previous outputs kept" in err
    assert _hashes(out) == before
    assert not list((project / "outputs").glob(".tmp-*")) and not list((project / "outputs").glob(".old-*"))


def test_html_is_offline_and_requests_nothing_outside(project, tmp_path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    [r] = B.build(["mathare"], jobs=1, progress=False)
    html = (project / "outputs/mathare/report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing loaded from a host
    assert not re.search(r"import\(\s*[\"']https?://", html)
    assert 'src="data:image/png;base64,' in html and "(FIG-SUM-01)" in html and 'src=""' not in html
    assert "SYNTHETIC" in html and 'class="jp-InputArea' not in html  # no code cells
    # each output carries the cell that made it, folded (closed <details>, no script)
    man = json.loads((project / "outputs/mathare/manifest.json").read_text(encoding="utf-8"))
    folded = re.findall(r'<details class="usg-code">(.*?)</details>', html, flags=re.S)
    assert len(folded) >= len(man["outputs"]) and "<details open" not in html
    saf03 = next(f for f in folded if "FIG-SAF-03" in f)
    assert "item_shares" in saf03 and "UNSAFE_PLACE_ITEMS" in saf03 and "charts" in saf03
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium) for the browser check")
    page = project / "outputs/mathare/report.html"
    assert _page_requests(chromium, page, tmp_path / "a") == []
    # the check can fail: the same page with one image from a host is caught
    leaky = tmp_path / "leaky.html"
    leaky.write_text(html.replace("<body", '<body><img src="http://example.invalid/x.png"', 1), encoding="utf-8")
    assert _page_requests(chromium, leaky, tmp_path / "b") == ["http://example.invalid/x.png"]


def _page_requests(chromium: str, page: Path, work: Path) -> list[str]:
    """URLs outside file:/data: that the page itself asked for (browser housekeeping excluded)."""
    work.mkdir()
    netlog, shot = work / "net.json", work / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={work / 'profile'}", f"--log-net-log={netlog}",
                    "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    text = netlog.read_text(encoding="utf-8").rstrip().rstrip(",")
    log = json.loads(text if text.endswith("}") and text.count("[") == text.count("]") else text + "]}")
    urls = set()
    for e in log.get("events", []):
        p = e.get("params", {})
        # requests from the page carry its (opaque, file) origin; Chromium's own ones have none
        if "url" in p and "initiator" in p and p["initiator"] != "not an origin":
            urls.add(p["url"])
    return sorted(u for u in urls if not u.startswith(("file:", "data:", "about:", "chrome:")))


def test_committed_outputs_are_reproduced(tmp_path) -> None:
    """The published record (outputs/*/manifest.json and tables) is what the code and data produce (what
    ``verify`` does, with every report's PDF rendered too): and every report has a PDF, paged, with its title
    on its first page, Cyrillic and Spanish included."""
    notes: list[str] = []
    published = [d for n in report_names() for d in check_published(n)]
    results = B.build(jobs=2, force=True, out_root=tmp_path, progress=False, pdf=True)
    assert [r.message for r in results if r.status == "failed"] == []
    notes += [f"not checked: {r.message}" for r in results if r.status == "skipped"]
    assert published + compare_records([r.report for r in results], tmp_path, notes) == []
    for r in results:
        if r.status == "built":
            title = json.loads((tmp_path / r.report / "manifest.json").read_text(encoding="utf-8"))["title"]
            pdf = tmp_path / r.report / "report.pdf"
            assert page_count(pdf) >= 3, r.report
            assert " ".join(title.split()) in " ".join(pdf_text(pdf, 2).split()), (r.report, title)
    unchecked = [n for n in notes if n.startswith("not checked")]
    if unchecked:  # a report whose data is absent here: say so (and in CI with the data, this fails)
        pytest.skip("verified every report but: " + "; ".join(unchecked))


def test_readme_lists_the_published_outputs() -> None:
    """The README's list of tables and figures is generated from the manifests and must not drift."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert outputs_list(ROOT / "outputs") in readme


def test_interrupted_builds_are_recovered_and_tidied(project) -> None:
    """A swap killed between its two renames leaves the report renamed away: the next build puts it back;
    temporary folders of dead builds go, a running build's stay."""
    out = project / "outputs"
    (out / "mathare").mkdir()
    (out / "mathare/manifest.json").write_text("{}", encoding="utf-8")
    dead = 2**22 + 12345  # above the kernel's pid_max default: no such process
    os.replace(out / "mathare", out / f".old-mathare-{dead}")
    (out / f".tmp-mathare-{dead}-abc").mkdir()
    (out / f".tmp-mathare-{os.getpid()}-def").mkdir()  # this process is alive
    done = B.recover(out, "mathare")
    assert done == ["outputs/mathare: restored from an interrupted build",
                    f"outputs/.tmp-mathare-{dead}-abc: removed (left by an interrupted build)"]
    assert (out / "mathare/manifest.json").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in out.iterdir()) == [f".tmp-mathare-{os.getpid()}-def", "mathare"]
    # with the report folder present, a stale renamed-away copy is removed, not swapped in
    (out / f".old-mathare-{dead}").mkdir()
    assert B.recover(out, "mathare") == [f"outputs/.old-mathare-{dead}: removed (left by an interrupted build)"]
    assert (out / "mathare/manifest.json").exists()


def test_a_folder_that_cannot_be_written_fails_that_report_alone(project, monkeypatch) -> None:
    """A read-only outputs folder (simulated: the tests may run as root, who writes anywhere) fails the
    report with a message naming the folder, keeps its outputs and does not crash the build."""
    _no_kernel(monkeypatch)
    out = project / "outputs"
    (out / "mathare").mkdir()
    (out / "mathare/manifest.json").write_text("{}", encoding="utf-8")

    def read_only(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(B.tempfile, "mkdtemp", read_only)
    monkeypatch.setattr(B, "write_index", read_only)
    [r, index] = B.build(["mathare"], jobs=1, force=True, progress=False)
    assert (r.report, r.status) == ("mathare", "failed")
    assert r.message == "mathare: cannot write in outputs (Permission denied); previous outputs kept"
    assert (index.report, index.status) == ("index", "failed")
    assert (out / "mathare/manifest.json").read_text(encoding="utf-8") == "{}"


def test_a_small_sub_area_gets_no_coefficient_of_its_own(project) -> None:
    """A sub-area of 8 respondents (a real one: the census has it) is left out of TAB-RISK-01's models and
    said so, in the CSV and the HTML; its survey cells are suppressed."""
    survey = project / "data/raw/mathare/survey_SYNTHETIC.csv"
    df = pd.read_csv(survey, dtype=str, keep_default_na=False)
    small = df.index[df["ward"] == "Ngei"][8:]
    df.loc[small, "ward"] = "Huruma"
    df.to_csv(survey, index=False, lineterminator="\n")
    [r] = B.build(["mathare"], jobs=1, progress=False)
    assert r.status == "built", r.message
    out = project / "outputs/mathare"
    risk = pd.read_csv(out / "tables/TAB-RISK-01.csv", keep_default_na=False)
    assert not risk["term"].str.contains("Ngei").any()
    assert set(risk["left_out"]) == {"area=Ngei"} and set(risk["pooled"]) == {""}
    assert (risk["n"] <= 1196 - 8).all()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Sub-area: the respondents of Ngei (fewer than 30 together) are left out of the model." in page
    cells = pd.read_csv(out / "tables/TAB-ANX-01.csv", keep_default_na=False)
    ngei = cells[cells["level"] == "Ngei"]
    assert len(ngei) > 0 and set(ngei["flag"]) == {"suppressed"}


def test_a_reader_that_stops_reading_is_not_an_error() -> None:
    """``usg-research list | head -1``: the command stops quietly when its reader goes away."""
    run = subprocess.run(f"{sys.executable} -m usg_research.cli list | head -1", shell=True, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    assert run.stdout.count("\n") == 1 and "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr
