"""Shared fixtures: an app with the plugin installed, its test client, the schema folder."""

from __future__ import annotations

import pytest
from demijohn import App
from demijohn.testing import Client
from demijohn_jsonschema import JSONSchemaPlugin
from jsonschema_testdata import SCHEMAS



@pytest.fixture
def app() -> App:
    app = App()
    app.install(JSONSchemaPlugin(base_path=SCHEMAS))
    return app


@pytest.fixture
def client(app: App) -> Client:
    return Client(app)
