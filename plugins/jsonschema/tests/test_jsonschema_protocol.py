"""The plugin protocol: identity, skip/apply, apply once, setup conflicts, configuration errors."""

from __future__ import annotations

import pytest
from demijohn import App, PluginError
from demijohn.testing import Client
from demijohn_jsonschema import JSONSchemaPlugin, OpenAPIPlugin
from jsonschema_testdata import SCHEMAS, USER_SCHEMA


def test_route_without_schema_is_left_unwrapped(app: App, client: Client) -> None:
    @app.get("/plain", skip=["json"])  # the built-in JSON plugin wraps every route
    def plain():
        return "ok"

    assert client.get("/plain").text == "ok"
    route = app.routes[-1]
    assert route.call is route.callback


def test_plugin_apply_returns_callback_unchanged_without_schema(app: App) -> None:
    @app.get("/plain")
    def plain():
        return "ok"

    plugin = JSONSchemaPlugin()
    assert plugin.apply(plain, app.routes[-1]) is plain


def test_wrapper_keeps_callback_metadata(app: App) -> None:
    @app.post("/users", schema=USER_SCHEMA)
    def create_user(body):
        """Create a user."""
        return body

    wrapped = JSONSchemaPlugin().apply(create_user, app.routes[-1])
    assert wrapped is not create_user
    assert wrapped.__name__ == "create_user"
    assert wrapped.__doc__ == "Create a user."
    assert wrapped.__wrapped__ is create_user


@pytest.mark.parametrize("skip", ["jsonschema", JSONSchemaPlugin, True])
def test_skip_by_name_class_or_true_disables_validation(app: App, client: Client, skip: object) -> None:
    @app.post("/users", schema=USER_SCHEMA, skip=[skip])
    def create_user():
        return "not validated"

    assert client.post("/users", data=b"garbage", headers={"Content-Type": "text/plain"}).text == "not validated"


def test_skip_by_instance_disables_validation() -> None:
    app = App()
    plugin = app.install(JSONSchemaPlugin())

    @app.post("/users", schema=USER_SCHEMA, skip=[plugin])
    def create_user():
        return "not validated"

    assert Client(app).post("/users", data=b"garbage").text == "not validated"


def test_route_level_apply_validates_without_install() -> None:
    app = App()

    @app.post("/users", schema=USER_SCHEMA, apply=[JSONSchemaPlugin()])
    def create_user(body):
        return {"name": body["name"]}

    client = Client(app)
    assert client.post("/users", json={"name": "Ada", "age": 1}).json == {"name": "Ada"}
    assert client.post("/users", json={"name": "Ada"}).status_code == 422


def test_validator_is_compiled_once_per_route_not_per_request(app: App, client: Client) -> None:
    plugin = app.plugins[-1]
    compiled = []
    original = plugin.store.compile

    def counting_compile(*args, **kwargs):
        compiled.append(args[0])
        return original(*args, **kwargs)

    plugin.store.compile = counting_compile

    @app.post("/users", schema=USER_SCHEMA)
    def create_user(body):
        return {"ok": True}

    for _ in range(3):
        assert client.post("/users", json={"name": "Ada", "age": 1}).status_code == 200
    assert compiled == [USER_SCHEMA]


def test_second_plugin_with_same_keyword_is_refused(app: App) -> None:
    with pytest.raises(PluginError, match="already claims the route keyword 'body'"):
        app.install(JSONSchemaPlugin())


def test_second_plugin_with_other_keyword_is_accepted(app: App) -> None:
    app.install(JSONSchemaPlugin(keyword="payload"))


def test_invalid_keyword_is_refused() -> None:
    with pytest.raises(PluginError, match="valid Python argument names"):
        JSONSchemaPlugin(keyword="not valid")


def test_unknown_draft_is_refused() -> None:
    with pytest.raises(PluginError, match="unknown JSON Schema draft '3'"):
        JSONSchemaPlugin(draft="3")


def apply_to_route(app: App, path: str = "/broken", **config: object) -> None:
    @app.post(path, **config)
    def broken(body):
        return "never"

    route = app.routes[-1]
    JSONSchemaPlugin(base_path=SCHEMAS).apply(route.callback, route)


def test_invalid_schema_is_refused_when_applied(app: App) -> None:
    with pytest.raises(PluginError, match=r"route POST '/broken' schema=: not a valid Draft202012Validator "
                                          r"schema at properties/age/type"):
        apply_to_route(app, schema={"properties": {"age": {"type": "int"}}})


def test_missing_schema_file_is_refused_when_applied(app: App) -> None:
    with pytest.raises(PluginError, match=r"cannot read schema file .*missing\.json"):
        apply_to_route(app, schema="missing.json")


def test_schema_file_that_is_not_json_is_refused(app: App) -> None:
    with pytest.raises(PluginError, match=r"broken\.json is not valid JSON"):
        apply_to_route(app, schema="broken.json")


def test_dangling_ref_to_missing_file_is_refused(app: App) -> None:
    with pytest.raises(PluginError, match=r"nowhere\.json \(referenced from .*dangling\.json\)"):
        apply_to_route(app, response_schema="dangling.json")


def test_ref_to_remote_document_is_refused(app: App) -> None:
    with pytest.raises(PluginError, match=r"cannot resolve \$ref 'https://example\.com/s\.json'"):
        apply_to_route(app, schema={"$ref": "https://example.com/s.json"})


def test_schema_of_wrong_type_is_refused(app: App) -> None:
    with pytest.raises(PluginError, match="a schema must be a dict or a path to a JSON file, got int"):
        apply_to_route(app, schema=42)


def test_broken_schema_answers_500_not_a_hang(app: App, client: Client) -> None:
    @app.post("/broken", schema="missing.json")
    def broken(body):
        return "never"

    assert client.post("/broken", json={}).status_code == 500


def test_openapi_plugin_leaves_routes_unwrapped(app: App, client: Client) -> None:
    app.install(OpenAPIPlugin())

    @app.get("/plain", skip=["json"])  # the built-in JSON plugin wraps every route
    def plain():
        return "ok"

    assert client.get("/plain").text == "ok"
    route = [r for r in app.routes if r.rule == "/plain"][0]
    assert route.call is route.callback


def test_configuration_error_names_the_plugin(app: App) -> None:
    @app.post("/broken", schema="missing.json")
    def broken(body):
        return "never"

    plugin = JSONSchemaPlugin(base_path=SCHEMAS)
    with pytest.raises(PluginError) as excinfo:
        plugin.apply(broken, app.routes[-1])
    assert excinfo.value.plugin is plugin


def test_url_wildcard_named_like_the_keyword_is_refused(app: App) -> None:
    with pytest.raises(PluginError, match=r"the URL wildcard <body> collides"):
        apply_to_route(app, schema={"type": "object"}, path="/things/<body>")
