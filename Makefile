# Orientation – every day commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python 3.12+ interpreter: pyenv's (selected by .python-version) or any python3.1x on the PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PYTEST_ARGS ?= -n 2 --dist loadgroup
DEMO_USER ?= conseillere
DEMO_PASSWORD ?= orientation-demo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv install migrate demo run serve bench search-quality screenshots test test-sqlite test-postgres check lint format clean

help: ## List the commands
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3.12 / python3.13 on the PATH)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed ## Create the virtual environment and install the pinned requirements

install: venv ## Alias of venv

migrate: venv ## Apply migrations to the database (SQLite file var/db.sqlite3 unless DATABASE_URL is set)
	$(MANAGE) migrate --noinput

demo: migrate ## Load the demo catalogue and create the demo counsellor
	$(MANAGE) import_sheets demo/sheets
	@if [ -d ../shared/data/rome ]; then $(MANAGE) import_rome ../shared/data/rome; \
	else echo "  ../shared/data/rome is absent: search runs without ROME appellations."; fi
	DJANGO_COUNSELLOR_PASSWORD='$(DEMO_PASSWORD)' $(MANAGE) create_counsellor $(DEMO_USER) --role validateur --no-input --update
	@echo ""
	@echo "  Demo counsellor login: $(DEMO_USER) / $(DEMO_PASSWORD)   (demo only)"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/"
	@echo ""

run: demo ## Set everything up and serve the demo catalogue on http://127.0.0.1:8000/
	DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

# `make serve`: production settings and gunicorn, plain HTTP on the loopback interface (see docs/deploy.md).
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# Threaded workers (2 threads: one runs while the other waits for the database or Redis, and connections
# are kept alive); no --max-requests: each restart re-imported the application and emptied the
# per-process caches, the p95 tail of every page (docs/performance.md). `make bench` uses the same flags.
GUNICORN_FLAGS ?= --worker-class gthread --threads 2 --timeout 30 --graceful-timeout 30

serve: venv ## Serve like production: gunicorn, WORKERS=cores, hashed static files, on http://$(HOST):$(PORT)/
	@export ORIENTATION_ENV=production LOOPBACK_HTTP="$${LOOPBACK_HTTP:-1}" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),localhost}"; \
	if [ -z "$$SECRET_KEY" ]; then \
		export SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
		echo "  SECRET_KEY is not set: a throwaway key is used (sessions end with the server)."; \
	fi; \
	if [ -z "$$DATABASE_URL" ]; then echo "  DATABASE_URL is not set: serving var/db.sqlite3 (production runs on PostgreSQL)."; fi; \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	echo "  Serving on http://$(HOST):$(PORT)/ with $(WORKERS) workers" && \
	exec $(VENV)/bin/gunicorn orientation.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) $(GUNICORN_FLAGS)

check: venv ## Django system checks and a migrations check
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test-sqlite: venv
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: venv
	@if [ -n "$$POSTGRES_URL" ]; then \
		echo "== PostgreSQL: $$POSTGRES_URL"; \
		DATABASE_URL="$$POSTGRES_URL" $(PY) -m pytest $(PYTEST_ARGS); \
	else echo "== POSTGRES_URL is not set: the PostgreSQL run is skipped."; fi

test: check test-sqlite test-postgres ## The whole suite: checks, then pytest on SQLite and (POSTGRES_URL) PostgreSQL

bench: venv ## Load benchmark (PostgreSQL, gunicorn, Redis, wrk) at 1x, 3x, 10x; results in bench/results/ (docs/performance.md)
	$(PY) bench/load.py --server-flags="$(GUNICORN_FLAGS)" $(BENCH_ARGS)

search-quality: venv ## Relevance of the search on the query set (needs the ONISEP export and ROME loaded)
	$(MANAGE) search_quality bench/search_queries.tsv

screenshots: venv ## Home, job list, job page and admin job form, desktop and phone, into docs/screenshots/ (Chromium)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(PY) -m tests.browser.screenshots --out docs/screenshots

lint: venv ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## Remove the virtual environment, the local database and collected files
	rm -rf $(VENV) var staticfiles .pytest_cache
