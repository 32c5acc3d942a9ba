# Set-up and everyday targets. `make run` and `make test` work on a bare machine
# with Python 3.11+: they create .venv and install the package into it first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: brief run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kurilsim needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

brief: $(STAMP)  ## the briefing pack of the shipped baseline: charts, summary.md, brief.pdf
	$(BIN)/kurilsim brief scenarios/baseline_2003.toml -o brief

run: $(STAMP)  ## evaluate the shipped baseline scenario
	$(BIN)/kurilsim run scenarios/baseline_2003.toml

test: $(STAMP)  ## the whole test suite (pytest's "no tests collected", exit 5, is a failure)
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/mypy sim

bench: $(STAMP)  ## print the performance figures (several minutes)
	cd benchmarks && ../$(BIN)/python bench_cooperative.py
	cd benchmarks && ../$(BIN)/python bench_equilibria.py
	cd benchmarks && ../$(BIN)/python bench_sequential.py
	cd benchmarks && ../$(BIN)/python bench_sweep.py
	$(BIN)/python benchmarks/bench_cold_start.py
	$(BIN)/python benchmarks/bench_brief.py

clean:
	rm -rf $(VENV) build *.egg-info
