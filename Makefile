# The two set-up commands of the README, and a few conveniences.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The demo's own virtualenv: the demo app and what it imports, nothing for the tests.
DEMO_VENV := .venv-demo
DEMO_PIP  := $(DEMO_VENV)/bin/pip --disable-pip-version-check -q
LOCAL_PACKAGES := -e 'core[jinja2]' -e plugins/sqlalchemy -e plugins/session -e plugins/jsonschema -e plugins/cache
PYPROJECTS := core/pyproject.toml $(wildcard plugins/*/pyproject.toml) examples/notes/pyproject.toml

.PHONY: demo demo-services test lint types bench clean reliability

$(BIN)/tox:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check tox tox-uv

$(DEMO_VENV)/demo.installed: $(PYPROJECTS)
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_PIP) install $(LOCAL_PACKAGES) -e examples/notes
	touch $@

$(DEMO_VENV)/services.installed: $(DEMO_VENV)/demo.installed
	$(DEMO_PIP) install $(LOCAL_PACKAGES) -e 'examples/notes[services]'
	touch $@

demo: $(DEMO_VENV)/demo.installed  ## the notes demo on http://127.0.0.1:8080 (SQLite, cookie sessions, memory cache)
	cd examples/notes && ../../$(DEMO_VENV)/bin/python -m notes

demo-services: $(DEMO_VENV)/services.installed  ## the notes demo under gunicorn, 2 workers, on PostgreSQL and Redis
	cd examples/notes && NOTES_DATABASE_URL=$${NOTES_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		NOTES_REDIS_URL=$${NOTES_REDIS_URL:-redis://127.0.0.1:6379/0} \
		../../$(DEMO_VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:8080 'notes:app'

# Every env of tox.ini, two at a time: core, plugins and conformance on Python 3.10 to 3.13
# (.ci/pythons finds them, or says in one line which one is missing), the rest on one.
test: $(BIN)/tox  ## run every test env
	@pythons="$$(.ci/pythons)" && PATH="$$pythons:$$PATH" $(BIN)/tox run-parallel --parallel auto --parallel-no-spinner

lint: $(BIN)/tox
	$(BIN)/tox run -e lint

types: $(BIN)/tox
	$(BIN)/tox run -e types

reliability: $(BIN)/tox  ## fuzzing, hostile input, load and faults at full size; figures in reliability/figures.json
	$(BIN)/tox run -e reliability -- --full --figures reliability/figures.json

bench:  ## compare with Bottle, Falcon and Flask (own virtualenv in bench/.venv)
	$(PYTHON) bench/run.py

clean:
	rm -rf $(VENV) $(DEMO_VENV) .tox
