"""The OpenAPI 3.1 document: built from the routes, valid per the OpenAPI schema, served by OpenAPIPlugin."""

from __future__ import annotations

import json

import pytest
from demijohn import App, PluginError
from demijohn.testing import Client
from demijohn_jsonschema import JSONSchemaPlugin, OpenAPIPlugin, openapi, parse_rule
from jsonschema_testdata import SCHEMAS, USER_SCHEMA
from openapi_spec_validator import validate


def build_app() -> App:
    app = App()
    app.install(JSONSchemaPlugin(base_path=SCHEMAS))

    @app.get("/items/<item_id:int>", response_schema="item.json")
    def get_item(item_id):
        """Fetch one item.

        Answers 404 when there is no such item.
        """
        return {}

    @app.post("/items", schema="item.json", response_schema="item.json")
    def create_item(body):
        """Create an item."""
        return body

    @app.get("/search", query_schema={
        "type": "object",
        "properties": {
            "limit": {"type": "integer", "description": "How many."},
            "kind": {"$ref": "#/$defs/kind"},
        },
        "required": ["limit"],
        "$defs": {"kind": {"enum": ["a", "b"]}},
    })
    def search(query):
        return {}

    @app.route("/files/<name:path>", method=["GET", "DELETE"])
    def files(name):
        return ""

    @app.get("/ratio/<value:float>/<code:re:[a-z]{3}>/<label>")
    def ratio(value, code, label):
        return ""

    @app.post("/users", schema=USER_SCHEMA, name="createUser")
    def create_user(body):
        return {}

    @app.get("/hidden", openapi=False)
    def hidden():
        return ""

    return app


def test_document_validates_against_openapi_3_1_schema() -> None:
    document = openapi(build_app(), title="Shop", version="2.0.0")
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"] == {"title": "Shop", "version": "2.0.0"}


def test_document_is_json_serialisable() -> None:
    document = openapi(build_app())
    assert json.loads(json.dumps(document)) == document


def test_typed_path_parameter_becomes_integer_parameter() -> None:
    operation = openapi(build_app())["paths"]["/items/{item_id}"]["get"]
    assert operation["parameters"] == [
        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]


def test_float_regex_and_plain_wildcards_become_typed_parameters() -> None:
    operation = openapi(build_app())["paths"]["/ratio/{value}/{code}/{label}"]["get"]
    assert [p["schema"] for p in operation["parameters"]] == [
        {"type": "number"},
        {"type": "string", "pattern": "^(?:[a-z]{3})$"},
        {"type": "string"},
    ]


def test_path_wildcard_is_a_string_parameter_and_each_method_is_an_operation() -> None:
    path = openapi(build_app())["paths"]["/files/{name}"]
    assert set(path) == {"get", "delete"}
    assert path["get"]["parameters"][0]["schema"] == {"type": "string"}


def test_docstring_becomes_summary_and_description() -> None:
    operation = openapi(build_app())["paths"]["/items/{item_id}"]["get"]
    assert operation["summary"] == "Fetch one item."
    assert operation["description"] == "Fetch one item.\n\nAnswers 404 when there is no such item."


def test_request_body_and_problem_responses_are_documented() -> None:
    operation = openapi(build_app())["paths"]["/items"]["post"]
    assert operation["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/item"}}},
    }
    assert set(operation["responses"]) == {"200", "400", "415", "422", "500"}
    assert operation["responses"]["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


def test_inline_body_schema_and_route_name_as_operation_id() -> None:
    operation = openapi(build_app())["paths"]["/users"]["post"]
    assert operation["operationId"] == "createUser"
    assert operation["requestBody"]["content"]["application/json"]["schema"] == USER_SCHEMA


def test_response_schema_is_documented() -> None:
    operation = openapi(build_app())["paths"]["/items/{item_id}"]["get"]
    assert operation["responses"]["200"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/item"}}
    }


def test_schema_files_are_bundled_as_components_with_refs_rewritten() -> None:
    schemas = openapi(build_app())["components"]["schemas"]
    assert schemas["item"]["properties"]["address"] == {"$ref": "#/components/schemas/address"}
    assert schemas["item"]["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/item/$defs/tag"}
    assert schemas["address"]["properties"]["country"] == {"$ref": "#/components/schemas/country"}
    assert schemas["country"] == {"type": "string", "enum": ["FR", "DE", "IT"]}
    assert "file:" not in json.dumps(schemas)


def test_query_schema_becomes_query_parameters() -> None:
    document = openapi(build_app())
    parameters = document["paths"]["/search"]["get"]["parameters"]
    assert parameters[0] == {
        "name": "limit", "in": "query", "required": True,
        "schema": {"type": "integer", "description": "How many."}, "description": "How many.",
    }
    kind_ref = parameters[1]["schema"]["$ref"]
    assert parameters[1]["required"] is False
    assert kind_ref == "#/components/schemas/get_searchQuery/$defs/kind"


def test_route_with_openapi_false_is_left_out() -> None:
    assert "/hidden" not in openapi(build_app())["paths"]


def test_parse_rule_names_anonymous_wildcards() -> None:
    assert parse_rule("/a/<:re:[0-9]+>/<b>") == (
        "/a/{arg1}/{b}",
        [
            {"name": "arg1", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^(?:[0-9]+)$"}},
            {"name": "b", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
    )


def test_openapi_plugin_serves_the_document() -> None:
    app = build_app()
    app.install(OpenAPIPlugin(title="Shop", version="1.2.3"))
    result = Client(app).get("/openapi.json")
    assert result.status_code == 200
    assert result.headers["Content-Type"].startswith("application/json")
    assert result.json == openapi(app, title="Shop", version="1.2.3")
    assert "/openapi.json" not in result.json["paths"]
    validate(result.json)


def test_openapi_plugin_custom_path_and_new_routes_show_up() -> None:
    app = App()
    app.install(OpenAPIPlugin(path="/docs/api.json"))
    client = Client(app)
    assert client.get("/docs/api.json").json["paths"] == {}

    @app.get("/late")
    def late():
        """Added after the first request."""
        return ""

    assert "/late" in client.get("/docs/api.json").json["paths"]


def test_openapi_plugin_uninstalled_answers_404() -> None:
    app = App()
    plugin = app.install(OpenAPIPlugin())
    app.uninstall(plugin)
    assert Client(app).get("/openapi.json").status_code == 404


def test_openapi_plugin_path_must_start_with_slash() -> None:
    with pytest.raises(PluginError, match="must start with '/'"):
        OpenAPIPlugin(path="openapi.json")


def test_two_openapi_plugins_on_one_path_are_refused() -> None:
    app = App()
    app.install(OpenAPIPlugin())
    with pytest.raises(PluginError, match="already serves '/openapi.json'"):
        app.install(OpenAPIPlugin())


def test_document_of_app_without_jsonschema_plugin() -> None:
    app = App()

    @app.get("/ping")
    def ping():
        return "pong"

    document = openapi(app)
    validate(document)
    assert document["paths"]["/ping"]["get"]["responses"] == {"200": {"description": "Success"}}


def test_mounted_app_routes_appear_under_their_prefix() -> None:
    parent = App()
    parent.mount("/api/", build_app())
    document = openapi(parent)
    validate(document)
    assert "/api/items/{item_id}" in document["paths"]
    assert "/items/{item_id}" not in document["paths"]


def test_any_method_route_becomes_one_operation_per_method() -> None:
    app = App()

    @app.route("/echo", method="ANY")
    def echo():
        return ""

    @app.post("/echo")
    def echo_post():
        return ""

    path = openapi(app)["paths"]["/echo"]
    assert set(path) == {"get", "post", "put", "patch", "delete"}
    assert path["post"]["operationId"] == "post_echo_post"


def test_mounted_plain_wsgi_app_is_left_out() -> None:
    def wsgi_app(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    app = App()
    app.mount("/legacy/", wsgi_app)
    assert openapi(app)["paths"] == {}
