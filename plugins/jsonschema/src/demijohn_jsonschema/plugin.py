"""The ``JSONSchemaPlugin``: validated JSON in, validated JSON out."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from collections.abc import Callable
from typing import Any

from demijohn import App, HTTPResponse, PluginError, Route, claim_keyword, request, response
from jsonschema.protocols import Validator
from referencing import Registry

from ._problems import count, problem, server_problem, violation_problem, violations
from ._query import QueryParser
from ._schemas import SchemaStore, resolve_draft

logger = logging.getLogger("demijohn_jsonschema")

#: The route config keys this plugin reads.
CONFIG_KEYS = ("schema", "query_schema", "response_schema")


def _is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _describe(route: Route) -> str:
    return f"route {route.method} {route.rule!r}"


class JSONSchemaPlugin:
    """Validates JSON request bodies, query strings and responses against JSON Schemas.

    Configure it per route with ``schema=`` (the request body), ``query_schema=`` (the
    query string, numbers and booleans coerced as declared) and ``response_schema=``
    (what the callback returns). Each may be a dict or a path to a JSON file; validators
    are compiled once, when the route is applied. The valid body reaches the callback as
    the ``keyword`` argument (when it takes one) and stays readable as ``request.json``::

        app.install(JSONSchemaPlugin())

        @app.post('/items', schema={'type': 'object', 'required': ['name']})
        def create(body):
            return {'name': body['name']}

    Failures answer ``application/problem+json``: 415 for a body that is not declared
    JSON, 400 for one that does not parse (or a query that fails ``query_schema``), 422
    for one that fails ``schema``, and 500 for a response that fails
    ``response_schema`` (details only in debug mode: ``debug=True``, or ``debug=None``
    and ``demijohn.debug(True)``; always logged).
    """

    name = "jsonschema"
    api = 2

    def __init__(
        self,
        keyword: str = "body",
        draft: str | type[Validator] = "2020-12",
        format_checking: bool = True,
        *,
        query_keyword: str = "query",
        base_path: str | os.PathLike[str] | None = None,
        registry: Registry[Any] | None = None,
        debug: bool | None = None,
        max_errors: int | None = 100,
    ) -> None:
        if not keyword.isidentifier() or not query_keyword.isidentifier():
            raise PluginError(
                f"JSONSchemaPlugin: keyword={keyword!r} and query_keyword={query_keyword!r} "
                "must be valid Python argument names"
            )
        self.keyword = keyword
        self.query_keyword = query_keyword
        self.draft = resolve_draft(draft)
        self.format_checking = format_checking
        if max_errors is not None and max_errors < 1:
            raise PluginError(f"JSONSchemaPlugin: max_errors={max_errors!r} must be at least 1, or None for no limit")
        self.debug = debug
        self.max_errors = max_errors
        self.store = SchemaStore(base_path, self.draft, registry)

    def setup(self, app: App) -> None:
        """Refuse to share ``keyword`` with another installed plugin."""
        claim_keyword(app, self)

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Wrap callbacks of routes that declare a schema; return any other callback unchanged."""
        sources = {key: route.config.get(key) for key in CONFIG_KEYS}
        if all(source is None for source in sources.values()):
            return callback
        try:
            return self._wrap(callback, route, sources)
        except PluginError as error:
            error.plugin = error.plugin or self
            raise

    def _wrap(self, callback: Callable[..., Any], route: Route, sources: dict[str, Any]) -> Callable[..., Any]:
        where = _describe(route)
        validators = {
            key: self.store.compile(source, f"{where} {key}=", self.format_checking)
            for key, source in sources.items()
            if source is not None
        }
        arguments = set(route.get_callback_args())
        body_validator = validators.get("schema")
        query_validator = validators.get("query_schema")
        response_validator = validators.get("response_schema")
        pass_body = body_validator is not None and self.keyword in arguments
        pass_query = query_validator is not None and self.query_keyword in arguments
        query_parser = QueryParser(self.store.load(sources["query_schema"], where).contents) if (
            query_validator is not None
        ) else None
        for name, passed in ((self.keyword, pass_body), (self.query_keyword, pass_query)):
            if passed and re.search(rf"<{re.escape(name)}[:>]", route.rule):
                raise PluginError(
                    f"{where}: the URL wildcard <{name}> collides with the argument JSONSchemaPlugin "
                    f"passes; rename the wildcard or give the plugin another keyword"
                )
        debug, max_errors = self.debug, self.max_errors
        app = route.app

        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if query_parser is not None and query_validator is not None:
                query = query_parser.parse(_query_pairs())
                errors = violations(query_validator, query)
                if errors:
                    raise violation_problem(400, "The query string does not match its schema", errors, max_errors)
                if pass_query:
                    kwargs[self.query_keyword] = query
            if body_validator is not None:
                body = _read_json_body()
                errors = violations(body_validator, body)
                if errors:
                    raise violation_problem(422, "The request body does not match its schema", errors, max_errors)
                if pass_body:
                    kwargs[self.keyword] = body
            result = callback(*args, **kwargs)
            if response_validator is not None:
                show = debug if debug is not None else bool(getattr(app, "debug_mode", False))
                _check_response(response_validator, result, where, show)
            return result

        return wrapper

    def close(self) -> None:
        """Nothing to release: validators live as long as the routes that use them."""


def _read_json_body() -> Any:
    """The parsed request body, or a 415/400 problem explaining why there is none."""
    content_type = request.content_type or ""
    if not _is_json_media_type(content_type):
        got = f"got {content_type!r}" if content_type else "got no Content-Type"
        raise problem(415, f"The request body must be JSON with Content-Type: application/json; {got}.")
    try:
        body = request.json
    except HTTPResponse as error:
        if error.status_code != 400:
            raise  # e.g. 413 for a body over the limit: the core's answer stands
        body = None
    if body is not None:
        return body
    # None: an empty or malformed body (the core caps it at request.max_memory), or a literal null.
    raw = request.body.read()
    if not raw.strip():
        raise problem(400, "The request body is empty; send a JSON document.")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise problem(400, "The request body is not valid UTF-8 text; send a JSON document.") from None
    except ValueError as error:
        raise problem(400, f"The request body is not valid JSON: {error}.") from None
    except RecursionError:
        raise problem(400, "The request body is not valid JSON: it is nested too deeply.") from None


def _query_pairs() -> list[tuple[str, str]]:
    """The decoded query string as pairs, or a 400 problem for malformed percent-encoding or UTF-8."""
    try:
        return list(request.query.allitems())
    except HTTPResponse as error:
        if error.status_code != 400:
            raise
        detail = error.body if isinstance(error.body, str) else "The query string is malformed."
        raise problem(400, detail) from None


def _check_response(validator: Validator, result: Any, where: str, debug: bool) -> None:
    """Validate a dict or list the callback returned (directly or as an HTTPResponse body) on success."""
    if isinstance(result, HTTPResponse):
        status, data = result.status_code, result.body
    else:
        status, data = response.status_code, result
    if status >= 300 or not isinstance(data, (dict, list)):
        return
    errors = violations(validator, data)
    if not errors:
        return
    logger.error(
        "%s returned a response that does not match its response_schema: %s",
        where,
        "; ".join(f"{error['pointer']}: {error['message']}" for error in errors),
    )
    if debug:
        what = f"The response of {where} does not match its response_schema"
        raise server_problem(count(what, len(errors), len(errors)), errors)
    raise server_problem("The server produced an invalid response; the details are in its log.")
