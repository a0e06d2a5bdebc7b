# usg-research: `make reports` and `make test` set everything up on a fresh machine.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
CITIES ?= iztapalapa mathare tashkent
export PYTHONHASHSEED := 0

.PHONY: help env reports test lint verify synth bench mutation clean lab

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]' 2>&1 | { grep -v 'is ignored' || true; }
	$(PY) -c 'import usg_research, pandas, papermill, pingouin, seaborn, nbval'
	$(VENV)/bin/usg-research kernel
	@rm -f $(VENV)/.installed-* && touch $@

env: $(STAMP) ## create the project-local environment (.venv) with pinned versions

reports: env ## validate and build every city's report into outputs/ (open outputs/index.html)
	$(VENV)/bin/usg-research validate $(CITIES) > /dev/null
	$(VENV)/bin/usg-research build --jobs 2 --pdf

test: env ## run the whole test suite (lint, import layers, unit, property, bad-input, notebooks, doctests)
	$(VENV)/bin/ruff check usg_research tests benchmarks
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest -q -rs

verify: env ## rebuild in a temporary folder and compare every output with the committed manifests
	$(VENV)/bin/usg-research verify

synth: env ## regenerate the shipped synthetic data (byte-identical)
	$(VENV)/bin/usg-research synth

bench: env ## run the estimation benchmarks (10^5 and 10^6 respondents; installs svy for comparison)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,bench]' 2>&1 | { grep -v 'is ignored' || true; }
	$(PY) benchmarks/bench_estimation.py

mutation: env ## mutation-test the estimation engine and the cleaning (mutmut, slow; not in make test): score and survivors in mutants/report.txt
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,mutation]' 2>&1 | { grep -v 'is ignored' || true; }
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2 > /dev/null 2>&1 || true
	$(PY) tests/mutation_report.py > mutants/report.txt
	@cat mutants/report.txt

lab: env ## install JupyterLab into the environment for interactive work
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,lab]'

clean: ## remove the environment and generated files (not committed outputs)
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache benchmarks/results mutants
