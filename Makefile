# The two commands: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
# Deployment-free default: SQLite file, tasks in-process, e-mail to the console.
DEV_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run test install lint migrate seed worker beat bench schema clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(TEST_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

## run: set up, migrate, load demo data and serve on http://127.0.0.1:8000
run: $(RUN_STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## test: set up, lint (ruff, mypy, import floors), run the whole suite
test: $(TEST_STAMP) lint
	$(PY) -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup --cov=scoring/domain --cov-branch --cov-fail-under=100 --cov-report=term-missing:skip-covered

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --strict scoring/domain
	$(VENV)/bin/lint-imports --no-cache

migrate: $(RUN_STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(PY) manage.py seed_demo

## worker / beat: Celery against CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)
worker: $(RUN_STAMP)
	$(VENV)/bin/celery -A tumorboard worker --loglevel=INFO

beat: $(RUN_STAMP)
	$(VENV)/bin/celery -A tumorboard beat --loglevel=INFO

## bench: the benchmarks under bench/ (not part of `make test`)
bench: $(TEST_STAMP)
	$(PY) -m bench.calculators

schema: $(RUN_STAMP)
	$(PY) manage.py spectacular --validate --file openapi.yml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache .coverage
