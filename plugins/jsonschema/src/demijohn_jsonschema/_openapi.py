"""An OpenAPI 3.1 document built from an app's routes, and the plugin that serves it.

Schema files and the files they reference become ``components/schemas`` entries and
every ``$ref`` is rewritten to point there, so the document stands alone and never
shows the server's file paths.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin

from demijohn import App, HTTPError, PluginError, Route, request

from ._docs import DocsPage
from .plugin import CONFIG_KEYS, JSONSchemaPlugin
from ._problems import PROBLEM_CONTENT_TYPE, TITLES
from ._schemas import LoadedSchema, SchemaSource, SchemaStore, walk_refs

OPENAPI_VERSION = "3.1.0"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_ANY_METHODS = ("get", "post", "put", "patch", "delete")
# A demijohn (Bottle) wildcard: <name>, <name:filter> or <name:filter:config>.
_WILDCARD = re.compile(r"<([A-Za-z_][A-Za-z_0-9]*)?(?::([A-Za-z_]*)(?::((?:\\.|[^\\>])*))?)?>")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"pointer": {"type": "string"}, "message": {"type": "string"}},
                "required": ["pointer", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}


def parse_rule(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn a route rule into an OpenAPI path and its path parameters.

    ``'/items/<id:int>'`` -> ``('/items/{id}', [{'name': 'id', 'in': 'path', 'required': True,
    'schema': {'type': 'integer'}}])``. Nameless wildcards get the names ``arg1``, ``arg2`` ...
    """
    parameters: list[dict[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        name, kind, config = match.group(1), match.group(2), match.group(3)
        name = name or f"arg{len(parameters) + 1}"
        schema: dict[str, Any] = {"type": "string"}
        description = None
        if kind == "int":
            schema = {"type": "integer"}
        elif kind == "float":
            schema = {"type": "number"}
        elif kind == "path":
            description = "May contain slashes."
        elif kind == "re" and config:
            schema["pattern"] = f"^(?:{config})$"
        parameter: dict[str, Any] = {"name": name, "in": "path", "required": True, "schema": schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
        return "{" + name + "}"

    return _WILDCARD.sub(replace, rule), parameters


class _Builder:
    """Collects operations and schema components for one document."""

    def __init__(self) -> None:
        self.paths: dict[str, dict[str, Any]] = {}
        self.components: dict[str, Any] = {}
        self.component_names: dict[str, str] = {}  # document URI -> component name
        self.documents: dict[str, LoadedSchema] = {}
        self.operation_ids: set[str] = set()
        self.uses_problems = False

    def store_for(self, route: Route) -> SchemaStore:
        for plugin in [*route.plugins, *reversed(route.app.plugins)]:
            if isinstance(plugin, JSONSchemaPlugin):
                return plugin.store
        if not hasattr(self, "_default_store"):
            self._default_store = SchemaStore()
        return self._default_store

    def add_app(self, app: App, prefix: str = "") -> None:
        explicit = {(route.rule, route.method.upper()) for route in app.routes}
        for route in app.routes:
            mountpoint = route.config.get("mountpoint")
            if isinstance(mountpoint, Mapping):
                target = mountpoint.get("target")
                if isinstance(target, App):
                    self.add_app(target, prefix + str(mountpoint.get("prefix", "")).rstrip("/"))
                continue  # a plain WSGI app mounted here has no routes to describe
            if route.config.get("openapi") is False:
                continue
            method = route.method.upper()
            if method == "ANY":
                methods = [m for m in _ANY_METHODS if (route.rule, m.upper()) not in explicit]
            elif method.lower() in _METHODS:
                methods = [method.lower()]
            else:
                continue  # OpenAPI has no place for other methods
            for name in methods:
                self.add_operation(route, prefix, name)

    def add_operation(self, route: Route, prefix: str, method: str) -> None:
        path, parameters = parse_rule(prefix + route.rule)
        store = self.store_for(route)
        where = f"route {route.method} {route.rule!r}"
        sources: dict[str, SchemaSource | None] = {key: route.config.get(key) for key in CONFIG_KEYS}
        callback = route.get_undecorated_callback()
        operation: dict[str, Any] = {"operationId": self.operation_id(route, callback, method)}
        doc = inspect.getdoc(callback)
        if doc:
            operation["summary"] = doc.splitlines()[0]
            operation["description"] = doc
        responses: dict[str, Any] = {"200": {"description": "Success"}}
        if sources["query_schema"] is not None:
            loaded = self.load(store, sources["query_schema"], where)
            if self.refers_to_itself(loaded):  # name the component after the operation, not "Schema"
                self.component(loaded.uri, operation["operationId"] + "Query")
            parameters += self.query_parameters(loaded)
            self.add_problem(responses, 400)
        if parameters:
            operation["parameters"] = parameters
        if sources["schema"] is not None:
            schema = self.schema(store, sources["schema"], where, operation["operationId"] + "Body")
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
            for status in (400, 415, 422):
                self.add_problem(responses, status)
        if sources["response_schema"] is not None:
            name = operation["operationId"] + "Response"
            schema = self.schema(store, sources["response_schema"], where, name)
            responses["200"]["content"] = {"application/json": {"schema": schema}}
            self.add_problem(responses, 500)
        operation["responses"] = responses
        self.paths.setdefault(path, {})[method] = operation

    def operation_id(self, route: Route, callback: Any, method: str) -> str:
        base = route.name or f"{method}_{getattr(callback, '__name__', 'callback')}"
        base = _NAME_UNSAFE.sub("_", str(base))
        candidate, number = base, 1
        while candidate in self.operation_ids:
            number += 1
            candidate = f"{base}_{number}"
        self.operation_ids.add(candidate)
        return candidate

    def add_problem(self, responses: dict[str, Any], status: int) -> None:
        self.uses_problems = True
        responses[str(status)] = {
            "description": TITLES[status],
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }

    def load(self, store: SchemaStore, source: SchemaSource, where: str) -> LoadedSchema:
        loaded = store.load(source, where)
        self.documents.update(store.documents)
        self.documents[loaded.uri] = loaded
        return loaded

    def schema(self, store: SchemaStore, source: SchemaSource, where: str, hint: str) -> Any:
        """A route schema for the document: a ``$ref`` to a component, or inline when self-contained."""
        loaded = self.load(store, source, where)
        if loaded.path is not None or self.refers_to_itself(loaded):
            hint = loaded.path.stem if loaded.path is not None else hint
            return {"$ref": "#/components/schemas/" + self.component(loaded.uri, hint)}
        return self.rewrite(loaded.contents, loaded.uri)

    @staticmethod
    def refers_to_itself(loaded: LoadedSchema) -> bool:
        """Whether the document has a ``$ref`` into itself (so it must live at a known place)."""
        return any(
            urldefrag(urljoin(base, ref)).url == loaded.uri for base, ref in walk_refs(loaded.contents, loaded.uri)
        )

    def query_parameters(self, loaded: LoadedSchema) -> list[dict[str, Any]]:
        contents = loaded.contents
        if not isinstance(contents, Mapping):
            return []
        required = set(contents.get("required", []))
        parameters = []
        for name, subschema in contents.get("properties", {}).items():
            parameter = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": self.rewrite(subschema, loaded.uri),
            }
            if isinstance(subschema, Mapping) and isinstance(subschema.get("description"), str):
                parameter["description"] = subschema["description"]
            parameters.append(parameter)
        return parameters

    def component(self, uri: str, hint: str) -> str:
        """The component name of a document, adding the document on first use."""
        if uri in self.component_names:
            return self.component_names[uri]
        base = _NAME_UNSAFE.sub("_", hint) or "Schema"
        name, number = base, 1
        while name in self.components or name == "Problem":
            number += 1
            name = f"{base}_{number}"
        self.component_names[uri] = name
        self.components[name] = {}  # reserved before rewriting: documents may refer to each other
        self.components[name] = self.rewrite(self.documents[uri].contents, uri)
        return name

    def rewrite(self, node: Any, base: str) -> Any:
        """A copy of a schema whose ``$ref`` s point into ``components`` and with no ``$id`` left."""
        if isinstance(node, Mapping):
            node_id = node.get("$id")
            if isinstance(node_id, str):
                base = urljoin(base, node_id)
            copy: dict[str, Any] = {}
            for key, value in node.items():
                if key == "$id" and isinstance(value, str):
                    continue
                if key == "$ref" and isinstance(value, str):
                    copy[key] = self.rewrite_ref(base, value)
                elif key in ("enum", "const", "examples", "default"):
                    copy[key] = value
                else:
                    copy[key] = self.rewrite(value, base)
            return copy
        if isinstance(node, list):
            return [self.rewrite(item, base) for item in node]
        return node

    def rewrite_ref(self, base: str, ref: str) -> str:
        document, fragment = urldefrag(urljoin(base, ref))
        if document not in self.documents or (fragment and not fragment.startswith("/")):
            return ref  # a document from the user's registry, or an anchor: left as written
        loaded = self.documents[document]
        hint = loaded.path.stem if loaded.path is not None else "Schema"
        return "#/components/schemas/" + self.component(document, hint) + fragment


def openapi(
    app: App,
    title: str = "demijohn API",
    version: str = "0.1.0",
    description: str | None = None,
    servers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Build an OpenAPI 3.1 document (a dict) from every route of ``app``.

    Each route contributes its path and typed path parameters, its method, its
    ``schema`` (request body), ``query_schema`` (query parameters), ``response_schema``
    and the callback's docstring. Routes with ``openapi=False`` in their config are left out.
    """
    builder = _Builder()
    builder.add_app(app)
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if servers:
        document["servers"] = servers
    document["paths"] = builder.paths
    components = dict(builder.components)
    if builder.uses_problems:
        components["Problem"] = _PROBLEM_SCHEMA
    if components:
        document["components"] = {"schemas": components}
    return document


class OpenAPIPlugin:
    """Serves the app's OpenAPI document as JSON at ``path`` (a GET route added on install).

    ``title``, ``version``, ``description`` and ``servers`` go to :func:`openapi`. The
    document is built on the first request and again whenever routes were added since.
    ``docs_path='/docs'`` also serves interactive documentation (Swagger UI) of the document
    there, loading Swagger UI from a CDN, or from ``docs_assets``, a local folder holding the
    files of the ``swagger-ui-dist`` npm package.
    """

    name = "openapi"
    api = 2

    def __init__(
        self,
        path: str = "/openapi.json",
        title: str = "demijohn API",
        version: str = "0.1.0",
        description: str | None = None,
        servers: list[dict[str, Any]] | None = None,
        docs_path: str | None = None,
        docs_assets: str | os.PathLike[str] | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise PluginError(f"OpenAPIPlugin: path={path!r} must start with '/', e.g. '/openapi.json'")
        if docs_assets is not None and docs_path is None:
            raise PluginError("OpenAPIPlugin: docs_assets is the folder of the docs page's files; set docs_path too, "
                              "e.g. docs_path='/docs'")
        self.path = path
        #: The interactive documentation page, or None without ``docs_path``.
        self.docs = None if docs_path is None else DocsPage(docs_path, path, f"{title} · API documentation",
                                                            docs_assets)
        self.options: dict[str, Any] = {
            "title": title, "version": version, "description": description, "servers": servers,
        }
        self.closed = False
        self._cache: dict[int, tuple[int, dict[str, Any]]] = {}

    def setup(self, app: App) -> None:
        """Add the document's route to ``app`` (once, however often the plugin is installed)."""
        for other in app.plugins:
            if isinstance(other, OpenAPIPlugin) and other is not self and other.path == self.path:
                raise PluginError(f"OpenAPIPlugin: another instance already serves {self.path!r}", self)
        self.closed = False
        if not any(route.rule == self.path and route.callback == self.serve for route in app.routes):
            app.route(self.path, "GET", self.serve, name="openapi", openapi=False)
        if self.docs is not None:
            self.docs.closed = False
            self.docs.add_routes(app)

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Leave every callback unchanged: this plugin only adds its own route."""
        return callback

    def close(self) -> None:
        """Stop serving the document and its docs page (the routes stay but answer 404) and forget it."""
        self.closed = True
        if self.docs is not None:
            self.docs.closed = True
        self._cache.clear()

    def serve(self) -> dict[str, Any]:
        """The callback of the document's route."""
        if self.closed:
            raise HTTPError(404, "Not Found: the OpenAPI plugin was uninstalled from this app.")
        app = request.route.app
        cached = self._cache.get(id(app))
        if cached is None or cached[0] != len(app.routes):
            cached = (len(app.routes), openapi(app, **self.options))
            self._cache[id(app)] = cached
        return cached[1]
