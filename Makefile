# Sira: `make run` serves the demo branch on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
export SIRA_DATA_DIR ?= $(CURDIR)/data
export SIRA_PUBLIC_URL ?= http://localhost:$(PORT)

.PHONY: run test lint bench bench-reports bench-scale bench-estimates screenshots venv dev clean

$(BIN)/sira: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(BIN)/sira

venv: $(BIN)/sira

run: venv
	$(BIN)/sira init --demo
	@echo "API reference: http://localhost:$(PORT)/docs  (logins and device tokens above)"
	$(BIN)/sira serve --host $(HOST) --port $(PORT)

# The suite's first step is the lint: CI runs exactly this target.
test: venv lint
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check server drivers tests bench scripts
	$(BIN)/ruff format --check server drivers tests bench scripts
	$(BIN)/mypy

bench: venv
	$(BIN)/python -m bench.load

bench-estimates: venv
	$(BIN)/python -m bench.estimates

bench-reports: venv
	$(BIN)/python -m bench.reports

bench-scale: venv
	$(BIN)/python -m bench.scale

screenshots: venv
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) data .pytest_cache
