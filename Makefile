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

.PHONY: install lab test test-unit test-notebooks test-fast bench clean

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

## make test: unit tests, then every notebook executed headless (full mode)
test: test-unit test-notebooks

test-unit: $(STAMP)
	$(PYTEST) tests

test-notebooks: $(STAMP)
	$(PYTEST) --nbval-lax --nbval-cell-timeout=900 -p no:randomly notebooks

## make test-fast: the same with DLMI_FAST=1 (small data, few epochs)
test-fast: $(STAMP)
	DLMI_FAST=1 $(PYTEST) tests
	DLMI_FAST=1 $(PYTEST) --nbval-lax --nbval-cell-timeout=900 notebooks

## make bench: every benchmark; results land in benchmarks/results/
bench: $(STAMP)
	@for script in benchmarks/*.py; do \
	    echo "== $$script"; MPLBACKEND=agg $(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf build .pytest_cache
