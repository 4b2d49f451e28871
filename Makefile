# The two commands: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
DEMO ?=

.PHONY: run setup test test-fast test-sqlite test-postgres check lint format clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies change, so a second `make run` is quick.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed
	@# A database from before the apps were split is moved in place (nothing is lost).
	$(BIN)/python manage.py upgrade_layout
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_guides
	@# On an empty database: DEMO=1 adds demonstration examples and a sample module;
	@# otherwise say how (never asks, so `make run` stays non-interactive).
	@if [ -n "$(DEMO)" ]; then $(BIN)/python manage.py load_demo; \
	else $(BIN)/python manage.py load_demo --offer; fi
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: setup
	@echo ""
	@echo "  The Improvement Leaders' Guides library is at http://127.0.0.1:$(PORT)/"
	@echo "  (press Ctrl+C to stop)"
	@echo ""
	$(BIN)/gunicorn ilg.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - --forwarded-allow-ips ""

test: $(VENV)/.installed-dev
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# The everyday loop: SQLite only, without the slow tests (PDF, gunicorn, subprocesses,
# the browser), stopping at the first failure.
test-fast: $(VENV)/.installed-dev
	env -u DATABASE_URL $(BIN)/python -m pytest -m "not slow" -x -q $(PYTEST_ARGS)

test-sqlite: $(VENV)/.installed-dev
	@echo "== Tests on SQLite =="
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev
	@echo "== Tests on PostgreSQL =="
	PYTHON=$(BIN)/python tests/with_postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.installed-dev
	DEBUG=false $(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh static/vendor/nhsuk-frontend/ from the npm registry (the pinned version in the
# script; the result is committed, so running the site never needs this or Node).
vendor:
	$(PYTHON) scripts/vendor_nhsuk.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
