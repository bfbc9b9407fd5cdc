# Case Audit. `make run` serves the demo on the embedded defaults; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The suite's environment lives in tests/settings.py (so a bare `pytest` works); the same values
# serve the commands below that load the settings outside pytest.
TEST_ENV := SECRET_KEY=case-audit-test-suite-only-key-never-used-in-any-deployment \
	API_RATE_USER=100000/minute \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
RUN_ENV := DEBUG=1

.PHONY: help install assets run serve test lint format bench migrations-check deploy-check clean

help:
	@echo "make run     install, build assets, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test    the whole test suite (PostgreSQL/Redis/Chromium tests skip when absent)"
	@echo "make lint    ruff check, ruff format --check and the import contracts (lint-imports)"
	@echo "make bench   benchmarks"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# GOV.UK Frontend and the printed documents' stylesheets, compiled from every Sass file in assets/.
static/govuk/application.css: node_modules/.installed $(wildcard assets/*.scss) assets/build.mjs
	npm run --silent build

install: $(VENV)/.installed

assets: static/govuk/application.css

run: install assets
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py demo
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install assets
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

deploy-check: install
	DEBUG=0 SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		ALLOWED_HOSTS=case-audit.example.police.uk SITE_URL=https://case-audit.example.police.uk \
		DATABASE_URL=postgresql://case-audit@db.invalid/case-audit \
		CELERY_BROKER_URL=redis://broker.invalid:6379/0 \
		EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install assets
	$(TEST_ENV) $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules static/govuk staticfiles db.sqlite3
