# Everyday commands. `make` alone lists them; each `##` comment is its help line.

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/tracker

# `check --deploy` reads production-like settings. The key below is a fixed literal
# used only for this check; it signs nothing and must never be deployed.
DEPLOY_ENV := DEBUG=false \
	SECRET_KEY=check-deploy-only-7f3Kq9vXw2LmZ8rTn4YbHc6JsPdGe1UaVo5RiEtNy0 \
	ALLOWED_HOSTS=tracker.example.org \
	DATABASE_URL=postgres://tracker@127.0.0.1:5432/tracker \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	EMAIL_URL=smtp://localhost:25 \
	WEB_BASE_URL=https://tracker.example.org

.PHONY: help install run test test-pg lint fmt migrate worker beat shell check-deploy clean bench

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-13s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp makes `install` free when pyproject.toml has not changed since the last run.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -e ".[test]"
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its test extras

run: install ## Migrate, create the admin (password printed once), load demo data, serve on HOST:PORT
	$(MANAGE) migrate --noinput
	$(MANAGE) ensure_admin
	$(MANAGE) seed_demo --once
	$(MANAGE) runserver $(HOST):$(PORT)

test: install ## Run the test suite (PostgreSQL if DATABASE_URL is set, else SQLite); PYTEST_ARGS=...
	$(BIN)/pytest $(PYTEST_ARGS)

test-pg: ## Run the test suite on the local PostgreSQL
	DATABASE_URL=$(PG_TEST_URL) $(MAKE) test

lint: install ## Check lint and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install ## Fix what ruff can and reformat
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install ## Apply database migrations
	$(MANAGE) migrate --noinput

worker: install ## Run a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A tracker worker -l info

beat: install ## Run the Celery beat scheduler (needs CELERY_BROKER_URL)
	$(BIN)/celery -A tracker beat -l info

shell: install ## Open a Django shell
	$(MANAGE) shell

check-deploy: install ## Run Django's deployment checks with production-like settings
	$(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING

BENCH_SCALE ?= small
BENCH_RT ?= 0

bench: install ## Benchmarks on PostgreSQL+Redis+gunicorn+worker (BENCH_SCALE=small|medium|large, BENCH_RT=1 adds RT 5)
	BENCH_SCALE=$(BENCH_SCALE) BENCH_RT=$(BENCH_RT) $(BIN)/python -m bench

# Slow fault, concurrency and fuzz tests (marked `reliability`, left out of `make test`)
# plus the fast security suite and the other apps' fault tests, on PostgreSQL with Redis
# and real workers; then one table of figures (tests/reliability/report.py).
RELIABILITY_DB ?= postgres://postgres@127.0.0.1:5432/tracker_reliability
RELIABILITY_OUT := var/reliability
RELIABILITY_PATHS := tests/security tests/reliability tests/mailgate/test_mailgate_command.py \
	tests/mailgate/test_corpus.py tests/scrips/test_worker_e2e.py tests/scrips/test_exactly_once.py

reliability: install ## Fault, concurrency and fuzz tests on PostgreSQL, Redis and a real worker; prints the figures
	rm -rf $(RELIABILITY_OUT) && mkdir -p $(RELIABILITY_OUT)
	status=0; DATABASE_URL=$(RELIABILITY_DB) RELIABILITY_FIGURES=$(RELIABILITY_OUT)/figures.jsonl \
		MAILGATE_CORPUS=1 MAILGATE_CORPUS_EVERY=5 \
		$(BIN)/pytest -p no:randomly -m "" --junitxml=$(RELIABILITY_OUT)/junit.xml \
		$(RELIABILITY_PATHS) $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/python -m tests.reliability.report $(RELIABILITY_OUT)/figures.jsonl \
		$(RELIABILITY_OUT)/junit.xml || status=1; \
	exit $$status

clean: ## Remove caches and build output (keeps .venv and the data under var/)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info var/static
