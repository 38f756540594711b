# Hải Đăng — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# Test processes (pytest-xdist) for the app tests: one per core. The browser tests run after them in
# one process, so that one server serves them all.
TEST_WORKERS ?= auto

.PHONY: run setup serve test test-postgres fuzz-api lint browser messages clean help
.DEFAULT_GOAL := help

help:
	@echo "make run            set everything up and serve on http://$(HOST):$(PORT) (with the job worker)"
	@echo "make test           run the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make test-postgres  the suite against PostgreSQL on 127.0.0.1:5432"
	@echo "make fuzz-api       every API operation fuzzed from its OpenAPI document, as every role"
	@echo "make lint           ruff (checks and format), the import layers, module sizes and the migrations check"

$(INSTALLED): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $@

setup: $(INSTALLED)
	$(BIN)/python -m haidang.common.keys var/local-keys.json
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py load_admin_map
	$(BIN)/python manage.py seed_demo

# The job worker (report reminders) runs beside gunicorn under a supervisor: a worker that ends is
# started again, one that keeps ending stops the server loudly, and stopping gunicorn stops the worker.
# The application logs one JSON line a request (no query strings: a search may be a person's name).
serve:
	PROMETHEUS_MULTIPROC_DIR=$${PROMETHEUS_MULTIPROC_DIR:-$(CURDIR)/var/prometheus} \
	$(BIN)/python -m haidang.operations.supervisor \
	  --worker "$(BIN)/python manage.py db_worker --interval 5 --no-reload" \
	  --server "$(BIN)/gunicorn config.wsgi -c python:config.gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4"

run: setup serve

# Browser tests drive Debian's Chromium; install it when missing (CI runs as root).
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; }

test: $(INSTALLED) browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) haidang
	$(BIN)/python -m pytest tests_e2e

# Schemathesis, bounded (FUZZ_EXAMPLES per operation, 12 by default; a few minutes).
fuzz-api: $(INSTALLED)
	$(BIN)/python -m pytest -p no:cacheprovider tests_api

test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) test

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python .ci/check_module_sizes.py
	mkdir -p var  # the default SQLite file's folder, so the check can read the migration history
	HAIDANG_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

messages: $(INSTALLED)
	HAIDANG_ENV=test $(BIN)/python manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=var
	HAIDANG_ENV=test $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
