# The two commands: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
# Deployment-free default: SQLite file, tasks in-process, e-mail to the console.
DEV_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run test install lint browser migrate seed worker beat bench schema clean

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

## run: set up, migrate, load demo data and serve on http://127.0.0.1:$(PORT) (PORT=8000)
# The demo is served with DEBUG off, so users see the product's own 403/404/500 pages, never
# Django's debug pages; the demo data (published passwords) is loaded with DEBUG on.
PORT ?= 8000
run: $(RUN_STAMP)
	@$(PY) -c "import socket,sys; s=socket.socket(); r=s.connect_ex(('127.0.0.1',$(PORT))); s.close(); sys.exit(f'Port $(PORT) is taken: stop what runs there, or run  make run PORT=8001' if r==0 else 0)"
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=false SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: set up (Chromium for the browser tests too), lint, run the whole suite
test: $(TEST_STAMP) lint browser
	$(PY) -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup --cov=scoring/domain --cov-branch --cov-fail-under=100 --cov-report=term-missing:skip-covered

## browser: Debian's Chromium, which the browser tests drive (installed when missing)
browser:
	scripts/ensure-chromium

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
