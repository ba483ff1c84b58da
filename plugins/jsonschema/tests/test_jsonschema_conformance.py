"""The demijohn plugin conformance kit, run over JSONSchemaPlugin and OpenAPIPlugin."""

from __future__ import annotations

from typing import Any, Callable

from demijohn import App, HTTPError, HTTPResponse
from demijohn.testing import Client
from demijohn.testing.conformance import PluginConformance

from demijohn_jsonschema import JSONSchemaPlugin, OpenAPIPlugin


def create(body: Any, query: Any) -> dict[str, Any]:
    # body and query are None when the kit leaves the plugin out of the route.
    return {"name": (body or {}).get("name"), "n": (query or {}).get("n")}


class TestJSONSchemaPluginConformance(PluginConformance):
    route_config = {
        "schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
        "query_schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
        "response_schema": {"type": "object", "properties": {"name": {"type": ["string", "null"]}}},
    }
    request = {"method": "POST", "json": {"name": "Ada"}, "query": {"n": "3"}}
    unconcerned_route_config: dict[str, Any] = {}

    def make_plugin(self) -> JSONSchemaPlugin:
        return JSONSchemaPlugin()

    def make_callback(self) -> Callable[..., Any]:
        return create

    def make_conflicting_plugin(self) -> JSONSchemaPlugin:
        return JSONSchemaPlugin()  # claims the same keyword, "body"


class TestOpenAPIPluginConformance(PluginConformance):
    """OpenAPIPlugin wraps no route at all (it only adds its own): the kit's three rules that
    need a wrapped route are replaced by what holds for it instead."""

    unconcerned_route_config: dict[str, Any] = {}

    def make_plugin(self) -> OpenAPIPlugin:
        return OpenAPIPlugin()

    def make_conflicting_plugin(self) -> OpenAPIPlugin:
        return OpenAPIPlugin()  # claims the same path, /openapi.json

    def test_plugin_wraps_the_route_it_concerns(self) -> None:
        built = self.kit.build()
        self.kit.send(built.app)
        assert built.spy is not None
        applied = built.spy.last_apply(built.route)
        assert applied is not None, "apply() was never called for the route"
        assert applied[0] is applied[1], "apply() must return the callback itself"

    def _raise_through(self, answer: HTTPResponse) -> Any:
        app = App()
        app.install(OpenAPIPlugin())

        @app.get("/raise")
        def raising() -> None:
            raise answer

        return Client(app).get("/raise")

    def test_http_response_raised_by_the_callback_passes_through_unchanged(self) -> None:
        result = self._raise_through(HTTPResponse("moved", status=303, Location="/elsewhere"))
        assert (result.status_code, result.text, result.headers["Location"]) == (303, "moved", "/elsewhere")

    def test_http_error_raised_by_the_callback_passes_through_unchanged(self) -> None:
        result = self._raise_through(HTTPError(418, "teapot"))
        assert result.status_code == 418
        assert "teapot" in result.text
