# scc: `make run` starts the app on SQLite with demo data; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCC_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export SCC_TEST_POSTGRES_URL

.PHONY: run test test-sqlite lint bench clean

$(STAMP): setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/scc demo --if-empty
	$(BIN)/scc schools
	$(BIN)/scc history 990007

test: $(STAMP) lint
	SCC_REQUIRE_POSTGRES=1 $(BIN)/pytest

test-sqlite: $(STAMP)
	$(BIN)/pytest -m "not postgres"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache .ruff_cache .hypothesis
