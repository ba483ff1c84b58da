"""Shared fixtures: an app with the plugin installed, its test client, the schema folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from demijohn import App
from demijohn.testing import Client

from demijohn_jsonschema import JSONSchemaPlugin

SCHEMAS = Path(__file__).parent / "schemas"

USER_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string", "format": "email"},
        "born": {"type": "string", "format": "date-time"},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}


@pytest.fixture
def app() -> App:
    app = App()
    app.install(JSONSchemaPlugin(base_path=SCHEMAS))
    return app


@pytest.fixture
def client(app: App) -> Client:
    return Client(app)
