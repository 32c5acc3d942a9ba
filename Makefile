# Set-up and everyday targets. `make run` and `make test` work on a bare machine
# with Python 3.11+: they create .venv and install the package into it first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kurilsim needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)  ## evaluate the shipped baseline scenario
	$(BIN)/kurilsim run scenarios/baseline_2003.toml

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/mypy sim

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_cooperative.py

clean:
	rm -rf $(VENV) build *.egg-info
