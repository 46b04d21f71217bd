# dlmi — two commands: `make lab` opens the notebooks, `make test` runs every test and notebook.
# Both create .venv when missing and install everything into it; nothing else is needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
TORCH_PIN := torch==2.13.0
# Extra pip options for the torch wheel only, e.g. a CPU-only index on a Linux laptop:
#   make test TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_PIP_ARGS ?=
STAMP := $(VENV)/.dlmi-installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PORT ?= 8888
PYTEST := MPLBACKEND=agg $(BIN)/python -m pytest

.PHONY: install lab test test-unit test-notebooks test-seed test-browser test-fast bench robustness clean html slides student-edition pair

install: $(STAMP)

# Pinned CPU torch first (an unpinned torch pulls a multi-GB CUDA build), then the project,
# with constraints.txt holding torch at that version on every reinstall.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(PIP) install $(TORCH_PIP_ARGS) "$(TORCH_PIN)"; then \
	    $(PIP) install -c constraints.txt -e ".[test]"; \
	else \
	    echo "warning: $(TORCH_PIN) is not available for this Python; installing torch from the project's range"; \
	    $(PIP) install -e ".[test]"; \
	fi
	@touch $(STAMP)

## make lab: open JupyterLab on notebooks/ at http://127.0.0.1:$(PORT)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(PORT) $(ROOT_FLAG)

## make test: unit tests, every notebook executed headless (full mode), every notebook again as a
## student with another seed and another CPU would run it (test-seed), then the browser test
test: test-unit test-notebooks test-seed test-browser

test-unit: $(STAMP)
	$(PYTEST) tests

test-notebooks: $(STAMP)
	$(PYTEST) --nbval-lax --nbval-cell-timeout=900 -p no:randomly notebooks

## make test-seed: a lesson must hold for any seed on any CPU. Every notebook in fast mode with
## DLMI_SEED=1 and torch's portable CPU kernels (as on a machine without AVX2/AVX-512), and the
## student edition with DLMI_SEED=1 and one torch thread. benchmarks/robustness.py runs many more.
test-seed: $(STAMP)
	DLMI_FAST=1 DLMI_SEED=1 ATEN_CPU_CAPABILITY=default $(PYTEST) --nbval-lax --nbval-cell-timeout=900 -p no:randomly notebooks
	DLMI_SEED=1 OMP_NUM_THREADS=1 $(PYTEST) tests/test_editions.py -k student_edition_runs

## make test-browser: JupyterLab and headless Chromium move notebook 02's slider (tests/browser).
## `pytest tests` leaves tests/browser out (tests/browser/conftest.py); Debian's chromium is
## installed here when missing and we are root, else the test says what to run and skips.
test-browser: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || [ -n "$$DLMI_CHROMIUM" ] || { \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        echo "installing Debian's chromium for the browser test"; \
	        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	    else \
	        echo "chromium is missing: run 'sudo apt-get install -y chromium' or set DLMI_CHROMIUM=/path/to/chromium"; \
	    fi; }
	$(PYTEST) tests/browser

## make test-fast: the same with DLMI_FAST=1 (small data, few epochs)
test-fast: $(STAMP)
	DLMI_FAST=1 $(PYTEST) tests
	DLMI_FAST=1 $(PYTEST) --nbval-lax --nbval-cell-timeout=900 notebooks

## make bench: every benchmark but the robustness one; results land in benchmarks/results/
bench: $(STAMP)
	@for script in benchmarks/*.py; do \
	    [ "$$script" = benchmarks/robustness.py ] && continue; \
	    echo "== $$script"; MPLBACKEND=agg $(BIN)/python $$script || exit 1; \
	done

## make robustness: every notebook's checks over seeds, thread counts and torch CPU kernels
## (hours on 2 cores; benchmarks/robustness.py --help runs a part of it)
robustness: $(STAMP)
	MPLBACKEND=agg $(BIN)/python benchmarks/robustness.py

## Editions: the build tooling in dlmi/editions/ (`python -m dlmi.editions --help`), not the teaching
## API. Notebooks run once into build/executed/ (again only when a notebook or dlmi changes);
## `DLMI_FAST=1 make html` runs them in fast mode. Only notebooks/*.ipynb are read, never the scripts.
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
EXECUTED := $(NOTEBOOKS:notebooks/%=build/executed/%)
STUDENT_DIR ?= build/student
REVEAL_URL_PREFIX ?=

build/executed/%.ipynb: notebooks/%.ipynb $(shell find dlmi -name '*.py') | $(STAMP)
	$(BIN)/python -m dlmi.editions execute $< --out build/executed

## make html: every notebook run, as static HTML with an index page: build/html/index.html
html: $(EXECUTED)
	$(BIN)/python -m dlmi.editions html build/html $(EXECUTED)

## make slides: reveal.js slides of every notebook (run) in build/slides/; reveal.js comes from a
## CDN unless REVEAL_URL_PREFIX names a local copy (offline: present with RISE in `make lab`)
slides: $(EXECUTED)
	$(BIN)/python -m dlmi.editions slides build/slides $(EXECUTED) $(if $(REVEAL_URL_PREFIX),--reveal-url-prefix $(REVEAL_URL_PREFIX))

## make student-edition: the notebooks with exercise stubs in $(STUDENT_DIR); never overwrites
student-edition: $(STAMP)
	$(BIN)/python -m dlmi.editions student-edition $(STUDENT_DIR)

## make pair: write notebooks/scripts/NN_title.py from every notebooks/NN_title.ipynb (jupytext percent
## scripts, configured in notebooks/jupytext.toml). One way: the notebook is the source, and a script
## edited by hand (not older than its notebook, and different) is kept and named, never lost; bring its
## edits in with `python -m dlmi.editions from-script notebooks/scripts/NN_title.py`.
pair: $(STAMP)
	$(BIN)/python -m dlmi.editions pair

clean:
	rm -rf build .pytest_cache
