# Set-up and everyday targets. Each target creates .venv on a bare machine with Python
# 3.11+ and installs into it only what it needs: `make brief` and `make run` the package
# alone, `make test` the test extras too, `make lint` the developer tools.
#
# Packages are installed with uv (from PyPI, into the venv) when it can be had, which
# installs the package's dependencies in about a tenth of pip's time on a cold cache;
# otherwise, or with PIP_ONLY=1, with pip.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    = if [ -x $(BIN)/uv ] && [ -z "$(PIP_ONLY)" ]; then \
	$(BIN)/uv pip install --quiet --python $(BIN)/python $(1); \
	else $(BIN)/python -m pip install --quiet --disable-pip-version-check $(1); fi

.PHONY: brief run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kurilsim needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	-@[ -n "$(PIP_ONLY)" ] || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	@$(call PIP,-e .)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@$(call PIP,-e '.[test]')
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@$(call PIP,-e '.[dev]')
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

brief: $(VENV)/.installed-run  ## the briefing pack of the shipped baseline: charts, summary.md, brief.pdf
	$(BIN)/kurilsim brief scenarios/baseline_2003.toml -o brief

run: $(VENV)/.installed-run  ## evaluate the shipped baseline scenario
	$(BIN)/kurilsim run scenarios/baseline_2003.toml

test: $(VENV)/.installed-test  ## the whole test suite (pytest's "no tests collected", exit 5, is a failure)
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check sim tests benchmarks scripts
	$(BIN)/mypy sim

bench: $(VENV)/.installed-test  ## print the performance figures (several minutes)
	cd benchmarks && ../$(BIN)/python bench_cooperative.py
	cd benchmarks && ../$(BIN)/python bench_equilibria.py
	cd benchmarks && ../$(BIN)/python bench_sequential.py
	cd benchmarks && ../$(BIN)/python bench_sweep.py
	$(BIN)/python benchmarks/bench_sensitivity.py
	$(BIN)/python benchmarks/bench_cold_start.py
	$(BIN)/python benchmarks/bench_brief.py

clean:
	rm -rf $(VENV) build *.egg-info
