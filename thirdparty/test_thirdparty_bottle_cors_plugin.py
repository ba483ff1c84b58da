"""bottle-cors-plugin 0.1.9, installed as its README shows, on the default app: every answer
carries the CORS headers, a pre-flight ``OPTIONS`` to any path is answered, a list of
origins echoes the caller's when it is allowed, and its ``abort()`` keeps the headers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bottle
import bottle_cors_plugin
import pytest
from webtest import TestApp

# Importing the plugin added its OPTIONS routes to the default app of that moment.
DEFAULT_APP = bottle.default_app()


@pytest.fixture
def client() -> Iterator[TestApp]:
    app = DEFAULT_APP
    plugin = app.install(bottle_cors_plugin.cors_plugin("*"))

    @app.get("/items")
    def items() -> dict[str, Any]:
        return {"items": [1, 2]}

    @app.get("/forbidden")
    def forbidden() -> None:
        bottle_cors_plugin.abort(403, "Not for you.")

    yield TestApp(app)
    app.uninstall(plugin)


def test_answers_carry_the_cors_headers(client: TestApp) -> None:
    answer = client.get("/items", headers={"Origin": "https://app.example"})
    assert answer.json == {"items": [1, 2]}
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "PATCH" in answer.headers["Access-Control-Allow-Methods"]


def test_a_preflight_request_to_any_path_is_answered(client: TestApp) -> None:
    answer = client.options("/items/any/depth", headers={"Origin": "https://app.example",
                                                         "Access-Control-Request-Method": "PUT"})
    assert answer.status_int == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in answer.headers["Access-Control-Allow-Headers"]


def test_a_list_of_origins_echoes_an_allowed_caller(client: TestApp) -> None:
    bottle_cors_plugin.cors_plugin(["https://a.example", "https://b.example"])
    try:
        allowed = client.get("/items", headers={"Origin": "https://b.example"})
        other = client.get("/items", headers={"Origin": "https://evil.example"})
    finally:
        bottle_cors_plugin.cors_plugin("*")
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert other.headers["Access-Control-Allow-Origin"] == "https://a.example"


def test_its_abort_keeps_the_cors_headers_on_the_error(client: TestApp) -> None:
    answer = client.get("/forbidden", status=403)
    assert "Not for you." in answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_its_wrapper_does_not_keep_the_callback_name(client: TestApp) -> None:
    # what the conformance kit warns about (docs/plugin-ecosystem.md), shown on both runtimes
    route = next(route for route in client.app.routes if route.rule == "/items")
    wrapper = bottle_cors_plugin.cors_plugin("*").apply(route.callback, route)
    assert wrapper.__name__ == "_enable_cors" != route.callback.__name__
