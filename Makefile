# The two set-up commands of the README, and a few conveniences.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint types bench clean

$(BIN)/tox:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check tox

$(BIN)/demijohn: $(BIN)/tox
	$(BIN)/pip install -q --disable-pip-version-check -e 'core[jinja2]'

demo: $(BIN)/demijohn  ## start the demo app on http://127.0.0.1:8080 (embedded defaults)
	$(BIN)/python examples/hello/app.py

test: $(BIN)/tox  ## run every test env (core, plugins, conformance, lint, types)
	$(BIN)/tox run

lint: $(BIN)/tox
	$(BIN)/tox run -e lint

types: $(BIN)/tox
	$(BIN)/tox run -e types

bench:  ## compare with Bottle, Falcon and Flask (own virtualenv in bench/.venv)
	$(PYTHON) bench/run.py

clean:
	rm -rf $(VENV) .tox
