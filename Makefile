# The two commands that matter: `make demo` and `make test`. Everything they need is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-terraform lint bench clean

$(STAMP): lambda/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e 'lambda[dev]'
	./scripts/link-terraform-mirror.sh
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/python -m jit_access.local.demo

test: setup lint test-terraform
	$(BIN)/pytest -q tests

lint: setup
	$(BIN)/ruff check --config lambda/pyproject.toml lambda tests bench
	$(BIN)/mypy --config-file lambda/pyproject.toml lambda/jit_access
	terraform fmt -check -recursive .

# Figures against targets, not tests: one table, and bench/results.json (bench/rules.py alone: the rules).
bench: setup
	$(BIN)/python bench/run.py

test-terraform: setup
	./scripts/terraform-checks.sh

clean:
	rm -rf $(VENV) .jit-access-local .jit-access-build examples/*/.jit-access-build
