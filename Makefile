# Two commands on a fresh clone (only Python 3.11+ needed):
#   make run    install everything and serve the demo on http://127.0.0.1:8000 (SQLite)
#   make test   install everything and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-pg lint check install demo migrate clean i18n-missing

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/training serve --demo --host $(HOST) --port $(PORT)

demo: install
	$(BIN)/training demo

migrate: install
	$(BIN)/training migrate

# With line coverage of the training package: a terminal table of the files not fully covered, and the total.
test: install
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

# The same suite against PostgreSQL (a fresh database per test on the server named here).
test-pg: install
	TRAINING_TEST_DATABASE_URL=$${TRAINING_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check training tests bench tools
	$(BIN)/ruff check training tests bench tools
	$(BIN)/mypy

check: lint test

i18n-missing: install
	$(BIN)/python tools/i18n_missing.py --po

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# After changing a tables.py: generate the next migration (review it; SQLite cannot ADD CONSTRAINT, so composite
# unique constraints go in a hand-written migration as CREATE UNIQUE INDEX, like piccolo_migrations/*05_12_00*).
migration: install
	PICCOLO_CONF=training.piccolo_conf TRAINING_DATA_DIR=$$(mktemp -d) $(BIN)/piccolo migrations new training --auto --desc "$(DESC)"
