# The one command surface. `make run` and `make test` are the README's two commands.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint smoke format bench messages install clean-run help

help:
	@echo "make run       set up (.venv, SQLite, demo data) and start web + Celery worker + beat"
	@echo "make test      the whole test suite, on PostgreSQL and Redis"
	@echo "make lint      ruff and mypy"
	@echo "make smoke     the production stack (gunicorn, worker, PostgreSQL, Redis) checked over HTTP"
	@echo "make bench     the benchmarks of bench/ and the load test (needs PostgreSQL and Redis)"
	@echo "make messages  regenerate and compile the translation catalogues (needs gettext)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_regulations
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runall --addr $${ADDR:-127.0.0.1:8000}

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

smoke: $(STAMP)
	$(BIN)/python scripts/production_smoke.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Locust, for the load test, is an extra of its own: the test suite and CI never need it.
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

messages: $(STAMP)
	PY=$(BIN)/python scripts/messages.sh

clean-run:
	rm -rf .run db.sqlite3 media
