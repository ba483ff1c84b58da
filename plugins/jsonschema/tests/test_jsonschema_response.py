"""Responses: what the callback returns is validated against `response_schema=`."""

from __future__ import annotations

import logging

import demijohn
import pytest
from demijohn import App, HTTPError, HTTPResponse, response
from demijohn.testing import Client
from demijohn_jsonschema import JSONSchemaPlugin

ITEM = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}


def test_valid_response_passes_unchanged(app: App, client: Client) -> None:
    @app.get("/item", response_schema=ITEM)
    def item():
        return {"id": 1, "name": "pen"}

    result = client.get("/item")
    assert result.status_code == 200
    assert result.json == {"id": 1, "name": "pen"}


def test_invalid_response_is_500_problem_without_details(app: App, client: Client) -> None:
    @app.get("/item", response_schema=ITEM)
    def item():
        return {"id": "one"}

    result = client.get("/item")
    assert result.status_code == 500
    assert result.headers["Content-Type"] == "application/problem+json"
    assert result.json == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server produced an invalid response; the details are in its log.",
    }


def test_invalid_response_is_logged_with_every_violation(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/item", response_schema=ITEM)
    def item():
        return {"id": "one"}

    with caplog.at_level(logging.ERROR, logger="demijohn_jsonschema"):
        client.get("/item")
    [record] = [r for r in caplog.records if r.name == "demijohn_jsonschema"]
    assert "route GET '/item'" in record.getMessage()
    assert "#/id: 'one' is not of type 'integer'" in record.getMessage()
    assert "#: 'name' is a required property" in record.getMessage()


def test_invalid_response_in_debug_mode_lists_violations() -> None:
    app = App()
    app.install(JSONSchemaPlugin(debug=True))

    @app.get("/item", response_schema=ITEM)
    def item():
        return {"id": "one", "name": "pen"}

    result = Client(app).get("/item")
    assert result.status_code == 500
    assert result.json["detail"] == (
        "The response of route GET '/item' does not match its response_schema: 1 violation."
    )
    assert result.json["errors"] == [{"pointer": "#/id", "message": "'one' is not of type 'integer'"}]


def test_returned_http_response_body_is_validated(app: App, client: Client) -> None:
    @app.get("/item", response_schema=ITEM)
    def item():
        return HTTPResponse({"id": 1}, status=201)

    assert client.get("/item").status_code == 500


def test_error_status_response_is_not_validated(app: App, client: Client) -> None:
    @app.get("/item", response_schema=ITEM)
    def item():
        response.status = 404
        return {"error": "no such item"}

    result = client.get("/item")
    assert result.status_code == 404
    assert result.json == {"error": "no such item"}


def test_raised_http_error_passes_through(app: App, client: Client) -> None:
    @app.get("/item", response_schema=ITEM)
    def item():
        raise HTTPResponse("gone", status=410)

    result = client.get("/item")
    assert result.status_code == 410
    assert result.text == "gone"


def test_text_response_is_not_validated(app: App, client: Client) -> None:
    @app.get("/item", response_schema=ITEM)
    def item():
        return "plain text"

    assert client.get("/item").text == "plain text"


def test_debug_none_follows_demijohn_debug_mode() -> None:
    app = App()
    app.install(JSONSchemaPlugin())

    @app.get("/item", response_schema=ITEM)
    def item():
        return {"id": "one", "name": "pen"}

    demijohn.debug(True)
    try:
        shown = Client(app).get("/item").json
    finally:
        demijohn.debug(False)
    hidden = Client(app).get("/item").json
    assert shown["errors"] == [{"pointer": "#/id", "message": "'one' is not of type 'integer'"}]
    assert "errors" not in hidden


def test_debug_false_hides_violations_even_in_debug_mode() -> None:
    app = App()
    app.install(JSONSchemaPlugin(debug=False))

    @app.get("/item", response_schema=ITEM)
    def item():
        return {"id": "one", "name": "pen"}

    demijohn.debug(True)
    try:
        result = Client(app).get("/item").json
    finally:
        demijohn.debug(False)
    assert "errors" not in result


class OuterRecorder:
    """An outer plugin that records what reached it, like a transaction plugin deciding to commit."""

    name = "recorder"
    api = 2

    def __init__(self) -> None:
        self.seen: list[str] = []

    def apply(self, callback, route):
        def recorded(*args, **kwargs):
            try:
                result = callback(*args, **kwargs)
            except HTTPError:
                self.seen.append("error")
                raise
            self.seen.append("success")
            return result

        return recorded


def test_invalid_response_reaches_outer_plugins_as_an_http_error() -> None:
    app = App()
    recorder = app.install(OuterRecorder())
    app.install(JSONSchemaPlugin())

    @app.get("/item", response_schema=ITEM)
    def item():
        return {"id": "one"}

    assert Client(app).get("/item").status_code == 500
    assert recorder.seen == ["error"]


def test_app_error_handler_can_reshape_a_problem() -> None:
    app = App()
    app.install(JSONSchemaPlugin())

    @app.error(422)
    def unprocessable(error):
        return "custom: " + str(error.status_code)

    @app.post("/item", schema=ITEM)
    def create(body):
        return body

    result = Client(app).post("/item", json={})
    assert (result.status_code, result.text) == (422, "custom: 422")
