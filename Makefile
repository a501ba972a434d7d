# Two entry points that work on a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The demo needs the runtime install and DuckDB for its query (no dev tools, no pyarrow). Both installs byte-compile
# src/ as a wheel install does: a run starts Python processes of its own (intake, export), and an editable install
# under PYTHONDONTWRITEBYTECODE would compile their modules again at every start.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[query]'
	$(BIN)/python -m compileall -q src >/dev/null
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,parquet,query]'
	$(BIN)/python -m compileall -q src >/dev/null
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(BIN)/oci-inv demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy --strict src/oci_inventory src/oci_emulator

unit: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 -q

test: lint typecheck unit

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/emulator_throughput.py

clean:
	rm -rf $(VENV) out .emulator .mypy_cache .ruff_cache .pytest_cache
