# make demo: install everything into .venv and run the main job on the embedded store.
# make test: install everything (system packages included) and run every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := pyproject.toml $(shell find jupyter_dlops converters jupyter-config -type f -not -path '*/__pycache__/*' 2>/dev/null)
# the labextension is built by `pip install .` (hatch-jupyter-builder runs npm in labextension/)
SOURCES += install.json $(wildcard labextension/package*.json) $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null)
UI_STAMP := ui-tests/node_modules/.installed
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install demo test test-python test-browser lint bench clean system-deps browser-deps postgres corpus

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Non-editable on purpose: the shared-data files (server config, labextension, nbconvert
# templates) must land where users get them, and the tests must see exactly that.
$(STAMP): $(BIN)/python $(SOURCES) | system-deps
	$(BIN)/pip install -q ".[test]"
	touch $(STAMP)

install: $(STAMP)

# The demo's example needs scikit-learn (the `examples` extra); `make test` does not install it.
EXAMPLES_STAMP := $(VENV)/.installed-examples
$(EXAMPLES_STAMP): $(STAMP)
	$(BIN)/pip install -q ".[test,examples]"
	touch $(EXAMPLES_STAMP)

# Versions the example data, sweeps 4 runs 2 at a time, exports the notebook and runs the script,
# then prints the runs, the best run, a comparison and a metrics plot (examples/demo.py).
demo: install $(EXAMPLES_STAMP)
	$(BIN)/python examples/demo.py

# Quick when everything is there: Node.js + npm for the labextension build (every install).
system-deps:
	@command -v npm >/dev/null 2>&1 || { apt-get update -q && $(APT_INSTALL) nodejs npm; }

# Debian's Chromium for the UI tests only (never a downloaded browser): `make demo` does not need it.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && $(APT_INSTALL) chromium; }

$(UI_STAMP): ui-tests/package.json ui-tests/package-lock.json
	cd ui-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

# Galata + Playwright against a real `jupyter lab` from .venv, in /usr/bin/chromium.
test-browser: install browser-deps $(UI_STAMP)
	cd ui-tests && PATH="$(CURDIR)/$(BIN):$$PATH" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test

# PostgreSQL server binaries for the store tests (tests/pg_server.py starts a throw-away
# server on 127.0.0.1). Installed from Debian's packages only when initdb/pg_ctl are missing.
PG_FOUND = $(shell (command -v pg_ctl && command -v initdb) >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && echo yes)
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

postgres:
ifneq ($(PG_FOUND),yes)
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends postgresql
endif

test: install browser-deps postgres
	DLOPS_REQUIRE_POSTGRES=1 $(BIN)/pytest -p no:cacheprovider
	$(MAKE) --no-print-directory test-browser

# Every runnable corpus notebook both ways, papermill vs the exported script (tests/corpus/README.md);
# `make test` runs a sample. Long: about half a minute a notebook; statsmodels, scikit-image and
# SymPy (the `corpus` extra) let their notebooks run too.
CORPUS_STAMP := $(VENV)/.installed-corpus
$(CORPUS_STAMP): $(STAMP)
	$(BIN)/pip install -q ".[corpus]"
	touch $(CORPUS_STAMP)

corpus: install $(CORPUS_STAMP)
	DLOPS_CORPUS=all $(BIN)/pytest -p no:cacheprovider -m corpus tests/corpus

lint: install
	$(BIN)/pip install -q ruff mypy
	$(BIN)/ruff check jupyter_dlops tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist .dlops jupyter_dlops/labextension labextension/lib ui-tests/.galata-root ui-tests/.galata-store
