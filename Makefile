# Two commands for a new user: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
KETACLINIC_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
PYTEST_WORKERS ?= 2

.PHONY: install demo serve test lint migrations-check test-clinical test-sqlite test-postgres \
        browser-deps bench lock clean

install: $(STAMP) node_modules/.package-lock.json

# Re-installs only when the dependency pins change; a no-op otherwise.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e ".[test]"
	@touch $(STAMP)

# Node tools the tests run, exactly as package-lock.json pins them: the FHIR R4 validator
# (Medplum) and axe-core, which the browser tests inject into pages.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the FHIR validation and accessibility tests will be skipped (CI fails them)"; fi

demo: install
	$(BIN)/ketaclinic migrate
	$(BIN)/ketaclinic demo
	$(BIN)/ketaclinic serve

serve: install
	$(BIN)/ketaclinic serve

test: install browser-deps lint migrations-check test-clinical test-sqlite test-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r src
	$(BIN)/lint-imports
	$(BIN)/mypy --strict src/ketaclinic/clinical
	$(BIN)/python tools/mypy_baseline.py

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The pure clinical core: no Django, no database, 100% covered.
test-clinical: install
	$(BIN)/pytest tests/clinical -p no:django -o addopts="-ra --strict-markers" \
		-W "ignore:Unknown config option:pytest.PytestConfigWarning" \
		-n $(PYTEST_WORKERS) \
		--cov=ketaclinic.clinical --cov-branch --cov-report=term --cov-fail-under=100 -q

# The Django suite (pages, API, audit, browser) on SQLite; the 15 slowest tests are listed so
# the CI budget (25 minutes on 2 cores) is watched where it is spent.
test-sqlite: install
	KETACLINIC_DATABASE_URL=sqlite:///var/test.sqlite3 \
		$(BIN)/pytest tests --ignore=tests/clinical -n $(PYTEST_WORKERS) -q --durations=15

# The same suite's database tests on PostgreSQL (the browser tests, and the tests that never
# touch the database, already ran above).
test-postgres: install
	KETACLINIC_DATABASE_URL=$(KETACLINIC_TEST_POSTGRES_URL) \
		$(BIN)/pytest tests --ignore=tests/clinical --ignore=tests/browser \
		--database-tests-only -n $(PYTEST_WORKERS) -q --durations=15

# Debian's Chromium for the browser tests, and poppler-utils (pdftotext reads the superbill
# and packet PDFs in the billing tests; pdftoppm renders docs/images/superbill.png);
# installed only when missing and running as root.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium not found (install Debian's chromium package for browser tests)"; fi; }
	@command -v pdftoppm >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
		else echo "pdftoppm not found (install Debian's poppler-utils for the billing PDF checks)"; fi; }

bench: install
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,bench]"
	@$(BIN)/python -m pip install --quiet --no-build-isolation opentiva==1.1.2 \
		|| echo "opentiva could not be built: the PK benchmark leaves its columns out"
	$(BIN)/python -m benchmarks

# constraints.txt is exactly what a clean install of the test and bench extras resolves: built
# in a throwaway venv (never .venv, which `make bench` adds opentiva to), keeping today's pins
# (-c), then frozen. To move a pin, change it in pyproject.toml and drop its line here first;
# `make lock LOCK_FROM=` resolves everything afresh. pip leaves pip, setuptools and wheel out of
# a freeze: wheel is pinned in pyproject.toml's bench extra.
LOCK_VENV := var/lock-venv
LOCK_FROM ?= constraints.txt
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		$(if $(LOCK_FROM),-c $(LOCK_FROM)) -e ".[test,bench]"
	$(LOCK_VENV)/bin/python -m pip check
	$(LOCK_VENV)/bin/python -m pip freeze --exclude-editable | grep -v '^ketaclinic' \
		> constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .coverage test-artifacts
