# Two entry points, as in the README: `make run` and `make test`.
# Everything is installed into .venv from the hash-pinned lock file.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit install clean

install: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml $(wildcard src/fieldreader/resources/sample/*/*)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m fieldreader.sample
	@touch $(STAMP)

# Opens the sample library (created on first run in .demo-library/) in the command-line reader.
run: $(STAMP)
	$(BIN)/fieldreader --data-dir .demo-library demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .demo-library build .pytest_cache .mypy_cache .ruff_cache src/fieldreader/resources/sample.frb
