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
import sys

from .errors import USGAError


def _validate(args: argparse.Namespace) -> int:
    from .clean import clean_city

    status = 0
    for city in args.city:
        try:
            tables = clean_city(city)
        except USGAError as exc:
            print(f"{city}: validation failed\n{exc}", file=sys.stderr)
            status = 1
            continue
        for log in tables.logs.values():
            print(log.text())
            assert log.rows_in == log.rows_kept + log.rows_excluded
        print(f"{city}: OK ({'synthetic data' if tables.codebook.synthetic else 'real data'})")
    return status


def _synth(args: argparse.Namespace) -> int:
    from .paths import relative
    from .synth import PROFILES, write_city

    for city in args.city or sorted(PROFILES):
        for path in write_city(city):
            print(relative(path))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="usg-research", description="Urban Safety Governance Assessment reports")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="load, validate and clean a city's data; print the cleaning summary")
    p.add_argument("city", nargs="+")
    p.set_defaults(func=_validate)
    p = sub.add_parser("synth", help="regenerate the shipped synthetic data (byte-identical)")
    p.add_argument("city", nargs="*")
    p.set_defaults(func=_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except USGAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
