"""bottle-cerberus 1.1.3: validates a route's JSON body, query string or URL arguments with
Cerberus schemas given as ``schemas={'body': ...}`` (Bottle flattens that route option to
``schemas.body``, which the plugin reads); an invalid request gets a 400 with the errors."""

from __future__ import annotations

from typing import Any

import bottle
from bottle_cerberus import CerberusPlugin, Schema
from webtest import TestApp


class ItemSchema(Schema):
    def schema(self) -> dict[str, Any]:
        return {"name": {"type": "string", "required": True, "minlength": 2},
                "price": {"type": "number", "min": 0}}


class PageSchema(Schema):
    def schema(self) -> dict[str, Any]:
        return {"page": {"type": "integer", "coerce": int, "min": 1}}


def make_client() -> TestApp:
    app = bottle.Bottle()
    app.install(CerberusPlugin())

    @app.post("/items", schemas={"body": ItemSchema()})
    def create() -> dict[str, Any]:
        return {"created": bottle.request.json["name"]}

    @app.get("/items", schemas={"query_string": PageSchema()})
    def listing() -> str:
        return f"page {bottle.request.query.page}"

    @app.get("/free")
    def free() -> str:
        return "no schema"

    return TestApp(app)


def test_a_valid_body_reaches_the_callback() -> None:
    assert make_client().post_json("/items", {"name": "pen", "price": 2}).json == {"created": "pen"}


def test_an_invalid_json_body_gets_a_400_with_the_errors_as_json() -> None:
    answer = make_client().post_json("/items", {"name": "x", "price": -1}, status=400)
    assert answer.content_type == "application/json"
    assert answer.json == {"name": ["min length is 2"], "price": ["min value is 0"]}


def test_an_invalid_query_string_gets_a_400() -> None:
    client = make_client()
    assert client.get("/items?page=2").text == "page 2"
    answer = client.get("/items?page=0", status=400)
    assert "min value is 1" in answer.text


def test_a_route_without_schemas_is_left_alone() -> None:
    client = make_client()
    assert client.get("/free").text == "no schema"
    route = next(route for route in client.app.routes if route.rule == "/free")
    (plugin,) = [plugin for plugin in client.app.plugins if isinstance(plugin, CerberusPlugin)]
    assert plugin.apply(route.callback, route) is route.callback
