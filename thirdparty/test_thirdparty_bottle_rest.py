"""bottle-rest 0.6.0: decorators that turn a JSON body into the callback's arguments and its
result into pretty JSON, with a 400 for a malformed body or missing arguments."""

from __future__ import annotations

from typing import Any

import bottle
from bottle_rest import json_to_params, pretty_dump
from webtest import TestApp


def make_client() -> TestApp:
    app = bottle.Bottle()

    @app.post("/sum")
    @json_to_params
    def add(a: int, b: int) -> dict[str, Any]:
        return {"sum": a + b}

    @app.get("/status")
    @pretty_dump
    def status() -> dict[str, Any]:
        return {"ok": True}

    return TestApp(app)


def test_the_json_body_becomes_the_arguments_and_the_result_json() -> None:
    answer = make_client().post_json("/sum", {"a": 2, "b": 3})
    assert answer.content_type == "application/json"
    assert answer.json == {"sum": 5}


def test_a_missing_argument_is_a_400() -> None:
    answer = make_client().post_json("/sum", {"a": 2}, status=400)
    assert "b" in answer.text


def test_a_malformed_body_is_a_400() -> None:
    answer = make_client().post("/sum", "{not json", content_type="application/json", status=400)
    assert answer.status_int == 400


def test_pretty_dump_indents_the_result() -> None:
    assert make_client().get("/status").text == '{\n    "ok": true\n}'
