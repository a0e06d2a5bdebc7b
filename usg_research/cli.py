"""The ``usg-research`` command.

Examples
--------
>>> main(["validate", "mathare"])  # doctest: +ELLIPSIS
respondent: data/raw/mathare/survey_SYNTHETIC.csv
...
0
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .errors import USGAError
from .ingest.clean import clean_city
from .newcity.envipe_states import DATA, write_state_params
from .newcity.example_export import write_example_export
from .newcity.gaps import find_gaps
from .newcity.scaffold import new_city
from .paths import outputs_dir, relative
from .reports import report_names, resolve
from .run.build import build, verify
from .run.kernel import KERNEL, ensure_kernel
from .run.notebooks import notebook_diff
from .run.verify import check_published, outputs_list
from .sources.synth_export import write_city
from .sources.synth_profiles import PROFILES


def _validate(args: argparse.Namespace) -> int:
    status = 0
    for city in args.city:
        try:
            gaps = find_gaps(city)
        except USGAError as exc:
            print(f"{city}: validation failed\n{exc}", file=sys.stderr)
            status = 1
            continue
        if gaps.gaps:
            print(gaps.text())
            print(f"{city}: not ready: fix the {len(gaps.gaps)} item(s) above, then validate again")
            status = 1
            continue
        try:
            tables = clean_city(city)
        except USGAError as exc:
            print(f"{city}: validation failed\n{exc}", file=sys.stderr)
            status = 1
            continue
        for log in tables.logs.values():
            print(log.text())
        if gaps.notes:
            print(gaps.text())
        print(f"{city}: OK ({'synthetic data' if tables.codebook.synthetic else 'real data'})")
    return status


def _new_city(args: argparse.Namespace) -> int:
    print(new_city(args.name, args.survey, args.incidents, args.population, args.language, args.force).summary())
    return 0


def _example_export(args: argparse.Namespace) -> int:
    for path in write_example_export(args.folder):
        print(path.as_posix())
    return 0


def _envipe_states(args: argparse.Namespace) -> int:
    print(write_state_params(args.language, args.data, args.entity or None, args.force).summary())
    return 0


def _synth(args: argparse.Namespace) -> int:
    unknown = sorted(set(args.city) - set(PROFILES))
    if unknown:
        raise USGAError(f"no synthetic profile for {unknown}; the pilots are {', '.join(sorted(PROFILES))}")
    for city in args.city or sorted(PROFILES):
        for path in write_city(city):
            print(relative(path))
    return 0


def _build(args: argparse.Namespace) -> int:
    results = build(args.report or None, jobs=args.jobs, force=args.force, pdf=args.pdf, scheduler=args.scheduler)
    status, width = 0, max([22, *(len(r.report) for r in results)])  # a column as wide as the longest name
    for r in results:
        line = f"{r.report:<{width}} {r.status:<8} {r.seconds:6.1f} s"
        if r.worker:  # on a Dask cluster
            line += f"  {r.worker} (peak {r.peak_mb:.0f} MiB)"
        if r.status == "failed":
            status = 1
            print(f"{line}\n  {r.message}", file=sys.stderr)
        else:
            print(line + (f"  ({r.message})" if r.message else ""))
    return status


def _list(args: argparse.Namespace) -> int:
    names = report_names()
    status, width = 0, max([22, *map(len, names)])
    for name in names:
        m = outputs_dir() / name / "manifest.json"
        try:
            spec = resolve(name)
        except USGAError as exc:
            print(f"{name:<{width}} params do not load: {exc}", file=sys.stderr)
            status = 1
            continue
        if not m.exists():
            state = "not built"
        else:
            man = json.loads(m.read_text(encoding="utf-8"))
            fresh = man["inputs"]["input_hash"] == spec.input_hash()
            altered = check_published(name)
            state = ("published files differ from the manifest" if altered else
                     "up to date" if fresh else "stale (inputs changed)") + f", {len(man['outputs'])} outputs"
            for d in altered:
                print(f"  {d}", file=sys.stderr)
            status = status or int(bool(altered))
        print(f"{name:<{width}} {state}")
    return status


def _verify(args: argparse.Namespace) -> int:
    notes: list[str] = []
    diffs = verify(args.report or None, jobs=args.jobs, notes=notes)
    for n in notes:
        print(f"note: {n}")
    for d in diffs:
        print(d)
    print("verify: every output matches the published manifests" if not diffs
          else f"verify: {len(diffs)} difference(s)")
    return 1 if diffs else 0


def _outputs_list(args: argparse.Namespace) -> int:
    print(outputs_list())
    return 0


def _kernel(args: argparse.Namespace) -> int:
    print(f"Jupyter kernel {KERNEL!r}: {ensure_kernel()}")
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    for city in args.diff:
        print(notebook_diff(city))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="usg-research", description="Urban Safety Governance Assessment reports")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="load, validate and clean a city's data; print the cleaning summary")
    p.add_argument("city", nargs="+", help="cities (data/codebooks/<city>.yaml)")
    p.set_defaults(func=_validate)
    p = sub.add_parser("new-city", help="set up a new city from its exports: codebook, params, notebook")
    p.add_argument("name", help="the city's name: lower-case letters, digits and _")
    p.add_argument("--survey", required=True, help="survey export (.sav, .dta, .csv, .xlsx, .parquet)")
    p.add_argument("--incidents", help="police-recorded incidents (optional)")
    p.add_argument("--population", help="census population by area, sex and age group (optional)")
    p.add_argument("--language", default="en", choices=["en", "es", "ru"], help="report language (default en)")
    p.add_argument("--force", action="store_true", help="overwrite an existing city's files")
    p.set_defaults(func=_new_city)
    p = sub.add_parser("example-export", help="write the new-city tutorial's example export (synthetic)")
    p.add_argument("folder", help="folder to write it into")
    p.set_defaults(func=_example_export)
    p = sub.add_parser("envipe-states", help="write params/envipe-<code>-<name>.yaml: an ENVIPE 2021 report for "
                       "every Mexican state (INEGI's public microdata)")
    p.add_argument("entity", nargs="*", help="entity codes, 01-32 (default: all 32)")
    p.add_argument("--language", default="es", choices=["es", "en", "ru"], help="report language (default es)")
    p.add_argument("--data", default=DATA, help=f"ENVIPE data folder, relative to the project root (default {DATA})")
    p.add_argument("--force", action="store_true", help="rewrite params files that were edited by hand")
    p.set_defaults(func=_envipe_states)
    p = sub.add_parser("build", help="run the report notebooks and render their reports into outputs/")
    p.add_argument("report", nargs="*", help="reports to build: params/<report>.yaml (default: all)")
    p.add_argument("--jobs", type=int, default=2, help="reports built in parallel (default 2)")
    p.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    p.add_argument("--pdf", action="store_true", help="also render each report as report.pdf (WeasyPrint, about "
                   "10 s a report; make reports does)")
    p.add_argument("--scheduler", metavar="local[:N] | ADDRESS", help="run the reports as tasks on a Dask cluster: "
                   "local:N starts N worker processes here, an address (tcp://host:8786) uses a running scheduler "
                   "whose workers share this project's filesystem (docs/scale.md); default: the local pool")
    p.set_defaults(func=_build)
    p = sub.add_parser("list", help="reports and the state of their outputs")
    p.set_defaults(func=_list)
    p = sub.add_parser("verify", help="rebuild in a temporary folder and compare with the committed manifests")
    p.add_argument("report", nargs="*", help="reports to verify (default: all)")
    p.add_argument("--jobs", type=int, default=2, help="reports rebuilt in parallel (default 2)")
    p.set_defaults(func=_verify)
    p = sub.add_parser("outputs-list", help="the README's list of tables and figures, from the manifests")
    p.set_defaults(func=_outputs_list)
    p = sub.add_parser("notebooks", help="how city notebooks differ from notebooks/_template.ipynb")
    p.add_argument("--diff", nargs="+", required=True, metavar="CITY", help="cities whose notebook to compare")
    p.set_defaults(func=_notebooks)
    p = sub.add_parser("kernel", help="install the project's Jupyter kernel (the environment builds run in)")
    p.set_defaults(func=_kernel)
    p = sub.add_parser("synth", help="regenerate the shipped synthetic data (byte-identical)")
    p.add_argument("city", nargs="*", help=f"pilot cities (default: every one of {', '.join(sorted(PROFILES))})")
    p.set_defaults(func=_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except USGAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped reading (``usg-research list | head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
