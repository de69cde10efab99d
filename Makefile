# Natural Admin. `make demo` to try it, `make test` to check it.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format serve bench clean

$(STAMP): pyproject.toml
	@PY=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $$PY"; $$PY -m venv $(VENV) || exit 1; \
	else echo "Using $(VENV) ($$($(BIN)/python --version))"; fi
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

# Tests run in four parallel processes (pytest-xdist); each has its own test database, live
# servers on free ports and its own Chromium. TEST_WORKERS=0 runs them in one. Four, not one per
# core: much of the suite waits on browsers and servers, and four finished first on 2 cores.
# "--dist worksteal": a worker that runs dry takes tests from the busiest one. pytest-django puts
# the slow transactional and browser tests last, and "--dist load" handed them out in big chunks
# to one or two workers while the others stopped.
TEST_WORKERS ?= 4
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production-style serving: gunicorn with threaded workers, static files from whitenoise.
# Batches and the read model's passes need a worker beside it, as a second process (or a
# systemd unit / container next to gunicorn's), on this host or any other sharing the database:
#   .venv/bin/python manage.py run_worker
serve: $(STAMP)
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/gunicorn config.wsgi --config scripts/gunicorn.conf.py

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache
