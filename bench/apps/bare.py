"""A bare WSGI callable per scenario: dict look-ups and nothing else, the physical limit."""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import parse_qs

from scenarios import HELLO_TEXT, JSON_BODY, NotApplicable, Scenario

TEXT = [("Content-Type", "text/plain; charset=utf-8")]


def _text(body: str) -> tuple[str, list[tuple[str, str]], bytes]:
    data = body.encode()
    return "200 OK", TEXT + [("Content-Length", str(len(data)))], data


def build(scenario: Scenario) -> Any:
    """The scenario's bare app: static paths in one dict, `/prefix/<int>` in another."""
    if scenario.plugins:
        raise NotApplicable("a bare WSGI callable has no plugins")

    def hello(environ: dict[str, Any]) -> Any:
        return _text(HELLO_TEXT)

    def as_json(environ: dict[str, Any]) -> Any:
        data = json.dumps(JSON_BODY).encode()
        return "200 OK", [("Content-Type", "application/json"),
                          ("Content-Length", str(len(data)))], data

    def search(environ: dict[str, Any]) -> Any:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        return _text(f"{query['q'][0]} {environ.get('HTTP_X_TOKEN')}")

    static: dict[str, Callable[[dict[str, Any]], Any]] = {}
    dynamic: dict[str, Callable[[int], Any]] = {}
    handlers = {"hello": hello, "json": as_json, "request": search}
    for rule in scenario.routes:
        target = rule == scenario.target
        if "<id>" in rule:
            prefix = rule[: rule.index("<id>")]
            dynamic[prefix] = (lambda id: _text(f"user {id}")) if target else (
                lambda id: _text(f"other {id}"))
        else:
            static[rule] = handlers[scenario.kind] if target else (lambda env: _text("other"))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ["PATH_INFO"]
        handler = static.get(path)
        if handler is not None:
            status, headers, body = handler(environ)
        else:
            head, _, tail = path.rpartition("/")
            item = dynamic.get(head + "/")
            if item is not None and tail.isdigit():
                status, headers, body = item(int(tail))
            else:
                status, headers, body = "404 Not Found", TEXT, b"Not Found"
        start_response(status, headers)
        return [body]

    app.static = static  # type: ignore[attr-defined]
    app.dynamic = dynamic  # type: ignore[attr-defined]
    return app


def matcher(app: Any, scenario: Scenario) -> Callable[[dict[str, Any]], Any]:
    """The bare app's two dict look-ups."""
    static, dynamic = app.static, app.dynamic

    def match(environ: dict[str, Any]) -> Any:
        path = environ["PATH_INFO"]
        found = static.get(path)
        if found is None:
            head, _, tail = path.rpartition("/")
            found = dynamic.get(head + "/"), int(tail)
        return found

    return match
