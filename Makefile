# The one entry point. `make demo` and `make test` each install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-unprivileged lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Score the shipped example batch against the shipped suites.
demo: install
	$(BIN)/verifier score examples/batch.jsonl -o results.jsonl

lint: install
	$(BIN)/ruff check verifier tests examples
	$(BIN)/mypy

## Lint, then every test, as root and again as an unprivileged user.
test: lint
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-unprivileged

## The sandbox and functional tests again as a user without privileges (the Lambda case).
test-unprivileged: install
	tests/as_unprivileged.sh $(BIN)/python -m pytest -p no:cacheprovider tests/functional tests/sandbox

## Throughput against an in-process floor and a process-per-sample harness.
bench: install
	$(BIN)/verifier bench

format: install
	$(BIN)/ruff check --fix verifier tests examples
	$(BIN)/ruff format verifier tests examples

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache results.jsonl
