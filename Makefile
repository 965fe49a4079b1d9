# Each works on a fresh machine with Python 3.11+, make and pip:
#   make run   - set up .venv, install, run the demo comparison (results/compare/report.html)
#   make check - set up .venv, install, lint, type-check and run the fast tests (under a minute)
#   make test  - set up .venv, install, lint, type-check and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run check test lint docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "contactsim needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The demo: the shipped baseline against four more late-shift handlers and 10% more 999 demand
# (and the Right Care, Right Person diversion scenario where it exists), all with the same seed,
# so the differences are paired. Writes results/compare/ and one folder per scenario inside it.
DEMO := scenarios/baseline.toml scenarios/extra-staff.toml scenarios/demand-growth.toml \
        $(wildcard scenarios/rcrp.toml)

run: $(STAMP)
	$(BIN)/contactsim compare $(DEMO) --out results/compare
	@echo
	@echo "Open the report in a browser: $(CURDIR)/results/compare/report.html"

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/mypy src

# The fast tier while working: everything but the tests marked slow (statistical checks,
# subprocess tests, long fuzzing runs; see tests/conftest.py). make test, and CI, run those too.
check: lint
	$(BIN)/pytest -m "not slow"

test: lint
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/contactsim reference --out docs/scenario-reference.md

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
