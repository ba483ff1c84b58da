"""Request bodies: parsed, validated against `schema=`, passed to the callback, or refused with problem+json."""

from __future__ import annotations

import json

import jsonschema
import pytest
from referencing import Registry, Resource

from demijohn import App, PluginError, request
from demijohn.testing import Client
from demijohn_jsonschema import JSONSchemaPlugin
from jsonschema_testdata import SCHEMAS, USER_SCHEMA


def add_user_route(app: App) -> None:
    @app.post("/users", schema=USER_SCHEMA)
    def create_user(body):
        return {"created": body["name"], "same_as_request_json": body == request.json}


def test_valid_body_reaches_callback_as_keyword_and_as_request_json(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", json={"name": "Ada", "age": 36})
    assert result.status_code == 200
    assert result.json == {"created": "Ada", "same_as_request_json": True}


def test_wrong_content_type_is_415_problem(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", data="name=Ada", headers={"Content-Type": "text/plain"})
    assert result.status_code == 415
    assert result.headers["Content-Type"] == "application/problem+json"
    assert result.json == {
        "type": "about:blank",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "The request body must be JSON with Content-Type: application/json; got 'text/plain'.",
    }


def test_missing_content_type_is_415_problem(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", data=b'{"name": "Ada", "age": 1}')
    assert result.status_code == 415
    assert "got no Content-Type" in result.json["detail"]


def test_malformed_json_is_400_problem(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", data=b'{"name": ', headers={"Content-Type": "application/json"})
    assert result.status_code == 400
    assert result.headers["Content-Type"] == "application/problem+json"
    problem = result.json
    assert set(problem) == {"type", "title", "status", "detail"}
    assert problem["type"] == "about:blank"
    assert problem["title"] == "Bad Request"
    assert problem["status"] == 400
    assert problem["detail"].startswith("The request body is not valid JSON: ")


def test_empty_json_body_is_400_problem(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", data=b"", headers={"Content-Type": "application/json"})
    assert result.status_code == 400
    assert result.json["detail"] == "The request body is empty; send a JSON document."


def test_body_that_is_not_utf8_is_400_problem(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", data=b'{"name": "\xff"}', headers={"Content-Type": "application/json"})
    assert result.status_code == 400
    assert result.headers["Content-Type"] == "application/problem+json"


def test_body_with_three_violations_lists_all_three_in_422_problem(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", json={"name": "", "age": -1, "extra": True})
    assert result.status_code == 422
    assert result.headers["Content-Type"] == "application/problem+json"
    problem = result.json
    assert {key: problem[key] for key in ("type", "title", "status", "detail")} == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request body does not match its schema: 3 violations.",
    }
    assert sorted(problem["errors"], key=lambda error: error["pointer"]) == [
        {"pointer": "#", "message": "Additional properties are not allowed ('extra' was unexpected)"},
        {"pointer": "#/age", "message": "-1 is less than the minimum of 0"},
        {"pointer": "#/name", "message": "'' should be non-empty"},
    ]


def test_missing_required_property_points_at_the_object(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", json={"name": "Ada"})
    assert result.status_code == 422
    assert result.json["errors"] == [{"pointer": "#", "message": "'age' is a required property"}]


def test_pointer_escapes_slash_and_tilde(app: App, client: Client) -> None:
    @app.post("/map", schema={"type": "object", "additionalProperties": {"type": "integer"}})
    def store(body):
        return {"ok": True}

    result = client.post("/map", json={"a/b~c": "x"})
    assert result.json["errors"][0]["pointer"] == "#/a~1b~0c"


def test_format_email_is_enforced(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", json={"name": "Ada", "age": 36, "email": "not-an-address"})
    assert result.status_code == 422
    assert result.json["errors"] == [{"pointer": "#/email", "message": "'not-an-address' is not a 'email'"}]


def test_format_date_time_is_enforced(app: App, client: Client) -> None:
    add_user_route(app)
    result = client.post("/users", json={"name": "Ada", "age": 36, "born": "1815-12-10 noon"})
    assert result.status_code == 422
    assert result.json["errors"] == [{"pointer": "#/born", "message": "'1815-12-10 noon' is not a 'date-time'"}]


def test_valid_formats_pass(app: App, client: Client) -> None:
    add_user_route(app)
    body = {"name": "Ada", "age": 36, "email": "ada@example.org", "born": "1815-12-10T08:00:00Z"}
    assert client.post("/users", json=body).status_code == 200


def test_format_checking_can_be_turned_off() -> None:
    app = App()
    app.install(JSONSchemaPlugin(format_checking=False))
    add_user_route(app)
    result = Client(app).post("/users", json={"name": "Ada", "age": 36, "email": "nope"})
    assert result.status_code == 200


def test_schema_from_file_resolves_ref_to_second_file(app: App, client: Client) -> None:
    @app.post("/items", schema="item.json")
    def create_item(body):
        return {"country": body["address"]["country"]}

    good = {"name": "pen", "price": 2, "address": {"street": "rue A", "country": "FR"}, "tags": ["blue"]}
    assert client.post("/items", json=good).json == {"country": "FR"}
    bad = {"name": "pen", "price": 2, "address": {"street": "rue A", "country": "XX"}, "tags": ["Blue"]}
    result = client.post("/items", json=bad)
    assert result.status_code == 422
    assert sorted(result.json["errors"], key=lambda error: error["pointer"]) == [
        {"pointer": "#/address/country", "message": "'XX' is not one of ['FR', 'DE', 'IT']"},
        {"pointer": "#/tags/0", "message": "'Blue' does not match '^[a-z]+$'"},
    ]


def test_dict_schema_refs_a_file_relative_to_base_path(app: App, client: Client) -> None:
    schema = {"type": "object", "properties": {"address": {"$ref": "common/address.json"}}}

    @app.post("/places", schema=schema)
    def place(body):
        return {"ok": True}

    result = client.post("/places", json={"address": {"street": 5}})
    assert result.status_code == 422
    assert {error["pointer"] for error in result.json["errors"]} == {"#/address", "#/address/street"}


def test_absolute_schema_path_works_without_base_path() -> None:
    app = App()
    app.install(JSONSchemaPlugin())

    @app.post("/items", schema=SCHEMAS / "item.json")
    def create_item(body):
        return {"name": body["name"]}

    assert Client(app).post("/items", json={"name": "pen", "price": 1}).json == {"name": "pen"}


def test_keyword_is_configurable() -> None:
    app = App()
    app.install(JSONSchemaPlugin(keyword="payload"))

    @app.post("/users", schema=USER_SCHEMA)
    def create_user(payload):
        return {"name": payload["name"]}

    assert Client(app).post("/users", json={"name": "Ada", "age": 1}).json == {"name": "Ada"}


def test_callback_without_keyword_still_gets_validation(app: App, client: Client) -> None:
    @app.post("/users", schema=USER_SCHEMA)
    def create_user():
        return {"name": request.json["name"]}

    assert client.post("/users", json={"name": "Ada", "age": 1}).json == {"name": "Ada"}
    assert client.post("/users", json={"name": "Ada"}).status_code == 422


def test_structured_json_media_type_is_accepted(app: App, client: Client) -> None:
    add_user_route(app)
    data = json.dumps({"name": "Ada", "age": 36}).encode()
    result = client.post("/users", data=data, headers={"Content-Type": "application/merge-patch+json"})
    assert result.status_code == 200
    assert result.json["created"] == "Ada"


def test_content_type_with_charset_is_accepted(app: App, client: Client) -> None:
    add_user_route(app)
    data = json.dumps({"name": "Ada", "age": 36}).encode()
    result = client.post("/users", data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    assert result.status_code == 200


def test_url_arguments_still_reach_the_callback(app: App, client: Client) -> None:
    @app.put("/users/<user_id:int>", schema=USER_SCHEMA)
    def replace_user(user_id, body):
        return {"id": user_id, "name": body["name"]}

    assert client.put("/users/7", json={"name": "Ada", "age": 1}).json == {"id": 7, "name": "Ada"}


def test_draft_7_schema_is_honoured() -> None:
    app = App()
    app.install(JSONSchemaPlugin(draft="7"))

    # In draft 7, "$ref" siblings are ignored: only the referenced definition applies.
    schema = {"definitions": {"n": {"type": "integer"}}, "$ref": "#/definitions/n", "minimum": 10}

    @app.post("/n", schema=schema)
    def number(body):
        return {"n": body}

    assert Client(app).post("/n", json=3).json == {"n": 3}
    assert Client(app).post("/n", json="x").status_code == 422


def test_deeply_nested_json_is_400_problem_not_500(app: App, client: Client) -> None:
    add_user_route(app)
    data = b"[" * 50_000 + b"]" * 50_000  # under the core's in-memory limit (100 KiB)
    result = client.post("/users", data=data, headers={"Content-Type": "application/json"})
    assert result.status_code == 400
    assert result.json["detail"] == "The request body is not valid JSON: it is nested too deeply."


def test_deep_document_against_recursive_schema_is_422_not_500(app: App, client: Client) -> None:
    tree = {"type": "object", "properties": {"child": {"$ref": "#"}}}

    @app.post("/tree", schema=tree)
    def plant(body):
        return {"ok": True}

    depth = 600  # parses (under the JSON parser's limit) but validating it recurses far deeper
    data = b'{"child": ' * depth + b"{}" + b"}" * depth
    result = client.post("/tree", data=data, headers={"Content-Type": "application/json"})
    assert result.status_code == 422
    assert result.json["errors"] == [{"pointer": "#", "message": "The document is nested too deeply to validate."}]


def test_body_over_the_app_limit_keeps_the_core_413(app: App, client: Client) -> None:
    app.config["request.max_body"] = 16
    add_user_route(app)
    result = client.post("/users", json={"name": "a name longer than sixteen bytes", "age": 1})
    assert result.status_code == 413


def test_registry_option_resolves_refs_to_non_file_documents() -> None:
    tag = Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string",
                                  "maxLength": 3})
    app = App()
    app.install(JSONSchemaPlugin(registry=Registry().with_resource("https://example.com/tag.json", tag)))

    @app.post("/tags", schema={"type": "array", "items": {"$ref": "https://example.com/tag.json"}})
    def tags(body):
        return {"count": len(body)}

    client = Client(app)
    assert client.post("/tags", json=["a", "bc"]).json == {"count": 2}
    assert client.post("/tags", json=["long"]).json["errors"] == [
        {"pointer": "#/0", "message": "'long' is too long"}
    ]


def test_draft_given_as_validator_class() -> None:
    app = App()
    app.install(JSONSchemaPlugin(draft=jsonschema.Draft4Validator))

    # Draft 4 spells exclusive bounds as booleans, which Draft 2020-12 refuses.
    @app.post("/n", schema={"type": "number", "minimum": 0, "exclusiveMinimum": True})
    def number(body):
        return {"n": body}

    client = Client(app)
    assert client.post("/n", json=1).status_code == 200
    assert client.post("/n", json=0).status_code == 422


def test_violations_over_max_errors_are_counted_but_not_all_listed() -> None:
    app = App()
    app.install(JSONSchemaPlugin(max_errors=2))

    @app.post("/numbers", schema={"type": "array", "items": {"type": "integer"}})
    def numbers(body):
        return {"ok": True}

    result = Client(app).post("/numbers", json=["a", "b", "c", "d"])
    assert result.status_code == 422
    assert result.json["detail"] == "The request body does not match its schema: 4 violations; the first 2 are listed."
    assert [error["pointer"] for error in result.json["errors"]] == ["#/0", "#/1"]


def test_max_errors_none_lists_every_violation() -> None:
    app = App()
    app.install(JSONSchemaPlugin(max_errors=None))

    @app.post("/numbers", schema={"type": "array", "items": {"type": "integer"}})
    def numbers(body):
        return {"ok": True}

    result = Client(app).post("/numbers", json=["x"] * 150)
    assert len(result.json["errors"]) == 150


def test_max_errors_below_one_is_refused() -> None:
    with pytest.raises(PluginError, match="max_errors=0 must be at least 1"):
        JSONSchemaPlugin(max_errors=0)


def test_long_offending_value_is_shortened_in_the_message(app: App, client: Client) -> None:
    @app.post("/short", schema={"type": "string", "maxLength": 5})
    def short(body):
        return {"ok": True}

    result = client.post("/short", json="x" * 10_000)
    [error] = result.json["errors"]
    assert len(error["message"]) == 500
    assert error["message"].endswith("…")
