# Serval — developer commands. `make help` lists them.
#
# Python: a Python >= 3.12 found by scripts/find-python (override with `make PYTHON=...`).
# Front end: npm packages pinned by package-lock.json, built into src/serval/web/static/vendor/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV        := .venv
BIN         := $(VENV)/bin
HOST        ?= 127.0.0.1
PORT        ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS  ?=
STATIC      := src/serval/web/static
VENDOR      := $(STATIC)/vendor
ASSET_SRC   := $(wildcard $(STATIC)/src/*)
TEST_DATA   := var/test
SERVE_ARGS  ?= --host $(HOST) --port $(PORT)

# Resolved lazily and only once, and only by the targets that need a new venv.
PYTHON ?= $(eval PYTHON := $$(shell scripts/find-python || echo __none__))$(PYTHON)

# `make run` is production-like (DEBUG off) but on plain http on localhost.
export SERVAL_SECURE_SSL ?= 0
# ...and without a mail server: e-mails (password resets) are printed to the console.
export SERVAL_EMAIL_BACKEND ?= django.core.mail.backends.console.EmailBackend
# Browser tests drive Debian's Chromium (no browser download is possible); CI exports it too.
SERVAL_CHROMIUM ?= $(firstword $(wildcard /usr/bin/chromium /usr/bin/chromium-browser))
ifneq ($(SERVAL_CHROMIUM),)
export SERVAL_CHROMIUM
endif

.PHONY: help install run test lint bench clean distclean openapi

help: ## List the targets
	@echo "Usage: make <target> [HOST=127.0.0.1] [PORT=8000] [PYTEST_ARGS=...] [PYTHON=...]"
	@echo
	@grep -hE '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | \
	    awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# --- Python environment ------------------------------------------------------------------------
$(BIN)/python:
	@if [ "$(PYTHON)" = "__none__" ]; then exit 1; fi
	@echo ">> creating $(VENV) with $(PYTHON)"
	"$(PYTHON)" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(BIN)/python -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null || \
	    { echo "$(VENV) uses Python < 3.12; remove it (make distclean) and run make again" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed assets ## Create .venv, install Serval with dev extras, build assets

# --- Front-end assets --------------------------------------------------------------------------
# --ignore-scripts: no package needs an install script (esbuild finds its platform binary
# through its optional dependency), and not running them is safer and quieter.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js >= 18 (apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/.built: node_modules/.installed scripts/build-assets.mjs $(ASSET_SRC)
	node scripts/build-assets.mjs
	@touch $@

.PHONY: assets
assets: $(VENDOR)/.built ## Install npm packages (npm ci) and build static assets into vendor/

# --- Running -----------------------------------------------------------------------------------
run: $(VENV)/.installed assets ## Migrate, load demo data if empty, serve on http://HOST:PORT
	$(BIN)/serval migrate
	$(BIN)/serval demo --if-empty
	@$(BIN)/python -m compileall -q src/serval  # bytecode, as a wheel install has: faster start
	$(BIN)/serval serve $(SERVE_ARGS)

test: $(VENV)/.installed assets ## Run the test suite (SQLite unless DATABASE_URL is set)
	@mkdir -p $(TEST_DATA)
	SERVAL_DATA_DIR=$(abspath $(TEST_DATA)) $(BIN)/pytest -q $(PYTEST_ARGS)

openapi: $(VENV)/.installed ## Regenerate docs/openapi.json after an API change
	@mkdir -p $(TEST_DATA)
	SERVAL_DATA_DIR=$(abspath $(TEST_DATA)) $(BIN)/serval openapi --output docs/openapi.json

lint: $(VENV)/.installed ## ruff, ruff format --check, mypy, and a missing-migrations check
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src
	@mkdir -p $(TEST_DATA)
	SERVAL_DATA_DIR=$(abspath $(TEST_DATA)) $(BIN)/serval makemigrations --check --dry-run

bench: $(VENV)/.installed ## Run the benchmarks (BENCH_ARGS=--quick for a short run)
	@$(BIN)/python -m compileall -q src/serval  # start-up is measured as installed, with bytecode
	@if [ -f benchmarks/run.py ]; then \
	    $(BIN)/python benchmarks/run.py $(BENCH_ARGS); \
	else \
	    echo "benchmarks are not yet built (benchmarks/run.py is missing)" >&2; exit 1; \
	fi

clean: ## Remove built assets, caches and test data (keeps .venv, node_modules and var/)
	rm -rf $(VENDOR) $(TEST_DATA) test-artifacts build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find src tests -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
	rm -rf src/*.egg-info

distclean: clean ## Also remove .venv and node_modules (var/, the local database, is kept)
	rm -rf $(VENV) node_modules
