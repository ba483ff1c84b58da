# The two set-up commands of the README, and a few conveniences.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo demo-services test lint types bench clean reliability

$(BIN)/tox:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check tox tox-uv

$(BIN)/demijohn: $(BIN)/tox
	$(BIN)/pip install -q --disable-pip-version-check -e 'core[jinja2]' -e plugins/sqlalchemy -e plugins/session \
		-e plugins/jsonschema -e plugins/cache 'psycopg[binary]>=3.1' 'gunicorn>=22'

demo: $(BIN)/demijohn  ## the notes demo on http://127.0.0.1:8080 (SQLite, cookie sessions, memory cache)
	cd examples/notes && ../../$(BIN)/python -m notes

demo-services: $(BIN)/demijohn  ## the notes demo under gunicorn, 2 workers, on PostgreSQL and Redis
	cd examples/notes && NOTES_DATABASE_URL=$${NOTES_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		NOTES_REDIS_URL=$${NOTES_REDIS_URL:-redis://127.0.0.1:6379/0} \
		../../$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:8080 'notes:app'

test: $(BIN)/tox  ## run every test env (core, plugins, conformance, lint, types)
	$(BIN)/tox run

lint: $(BIN)/tox
	$(BIN)/tox run -e lint

types: $(BIN)/tox
	$(BIN)/tox run -e types

reliability: $(BIN)/tox  ## fuzzing, hostile input, load and faults at full size; figures in reliability/figures.json
	$(BIN)/tox run -e reliability -- --full --figures reliability/figures.json

bench:  ## compare with Bottle, Falcon and Flask (own virtualenv in bench/.venv)
	$(PYTHON) bench/run.py

clean:
	rm -rf $(VENV) .tox
