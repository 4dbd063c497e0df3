# Gardien — the two commands of the README are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck pytest clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: install, then check every example policy and write its notices and register to out/
demo: $(STAMP)
	@bash scripts/demo.sh

## test: install, then ruff, mypy --strict and the whole test suite
test: $(STAMP)
	@bash scripts/install-system-deps.sh
	$(MAKE) check

check: lint typecheck pytest

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck:
	$(BIN)/mypy src/gardien

pytest:
	$(BIN)/pytest -n 2 -q

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
