# Two entry points, as in the README: `make run` and `make test`.
# Everything is installed into .venv from the hash-pinned lock file.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run run-cli test lint typecheck unit install clean translations screenshots package

# Interface translations: .ts sources (committed) compiled to .qm (build outputs).
I18N := src/fieldreader/resources/i18n
QM   := $(patsubst %.ts,%.qm,$(wildcard $(I18N)/fieldreader_*.ts))

install: $(STAMP) $(QM)

$(STAMP): requirements/lock.txt pyproject.toml $(wildcard src/fieldreader/resources/sample/*/*)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m fieldreader.sample
	@touch $(STAMP)

$(I18N)/%.qm: $(I18N)/%.ts | $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

# After changing interface strings: brings the .ts up to date with the code (translations already
# made are kept), lists what still needs translating, and rebuilds the .qm.
translations: $(STAMP)
	$(BIN)/python -m fieldreader.ui.i18n update
	$(BIN)/python -m fieldreader.ui.i18n build
	-$(BIN)/python -m fieldreader.ui.i18n check

# PNGs of every screen in build/screenshots/ (needs Xvfb; the script says which packages).
screenshots: install
	$(BIN)/python scripts/screenshots.py

# The packaged app (PyInstaller): dist/fieldreader/ (one folder) and dist/onefile/fieldreader
# (one file); prints build time and sizes. See packaging/README.md.
package: install
	$(BIN)/python packaging/build.py --both

# Opens the desktop reader on a demo library in .demo-desktop/: the first start asks for a
# passphrase and offers the sample library. Needs a display.
run: install
	$(BIN)/fieldreader-desktop --data-dir .demo-desktop

# The sample library (created on first run in .demo-library/) in the terminal reader.
run-cli: $(STAMP)
	$(BIN)/fieldreader --data-dir .demo-library demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench packaging
	$(BIN)/ruff format --check src tests bench packaging

typecheck: $(STAMP)
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .demo-library .demo-desktop build dist .pytest_cache .mypy_cache .ruff_cache src/fieldreader/resources/sample.frb $(I18N)/*.qm
