# Two commands do all set-up on a fresh machine with Python >= 3.11 and pip:
#   make demo   - install into .venv, then print the assessment of the bundled example patient
#   make test   - install into .venv, then run format check, lint, mypy --strict, docs build, pytest
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,fhir,server]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/crampdx assess examples/patients/demo-nocturnal-thiazide.yaml

test: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.latency

soak: $(STAMP)
	$(BIN)/python -m benchmarks.soak

clean:
	rm -rf $(VENV) site .mypy_cache .pytest_cache .ruff_cache
