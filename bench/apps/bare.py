"""A bare WSGI callable per scenario: dict look-ups and nothing else, the physical limit."""

from __future__ import annotations

import json
import os
from typing import Any, Callable
from urllib.parse import parse_qs

from idioms import PAGE_ITEMS, PAGE_TITLE, STATIC, TEMPLATES
from scenarios import HELLO_TEXT, JSON_BODY, NotApplicable, Scenario

TEXT = [("Content-Type", "text/plain; charset=utf-8")]


def _text(body: str) -> tuple[str, list[tuple[str, str]], bytes]:
    data = body.encode()
    return "200 OK", TEXT + [("Content-Length", str(len(data)))], data


def _body(environ: dict[str, Any]) -> bytes:
    return environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))


def _cookies(environ: dict[str, Any]) -> dict[str, str]:
    pairs = (pair.strip().partition("=") for pair in environ.get("HTTP_COOKIE", "").split(";"))
    return {name: value for name, _, value in pairs}


def _static(environ: dict[str, Any]) -> Any:
    """A file with the ETag a server would give it, or a 304 when the client has it."""
    path = os.path.join(STATIC, environ["PATH_INFO"].rsplit("/", 1)[1])
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        etag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            return "304 Not Modified", [("ETag", etag)], b""
        data = handle.read()
    return "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(data))),
                      ("ETag", etag)], data


def _idiom_handlers() -> dict[str, Callable[[dict[str, Any]], Any]]:
    import jinja2

    templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                   autoescape=jinja2.select_autoescape())

    def page(environ: dict[str, Any]) -> Any:
        html = templates.get_template("page.html").render(title=PAGE_TITLE, items=PAGE_ITEMS)
        return _text(html)

    def form(environ: dict[str, Any]) -> Any:
        fields = parse_qs(_body(environ).decode())
        return _text(f"{fields['name'][0]} {fields['email'][0]}")

    def json_post(environ: dict[str, Any]) -> Any:
        data = json.loads(_body(environ))
        return _text(f"{data['name']} {len(data['tags'])}")

    def query(*names: str) -> Callable[[dict[str, Any]], Any]:
        return lambda environ: _text(" ".join(
            parse_qs(environ["QUERY_STRING"])[name][0] for name in names))

    def cookies(environ: dict[str, Any]) -> Any:
        jar = _cookies(environ)
        return _text(f"{jar['theme']} {jar['lang']}")

    def answer(status: str, headers: list[tuple[str, str]], body: str) -> Any:
        return lambda environ: (status, TEXT + headers, body.encode())

    return {
        "headers": lambda environ: _text(f"{environ['HTTP_X_TOKEN']} {environ.get('HTTP_X_TRACE')}"),
        "query-attr": query("name", "page"), "params": query("q", "lang"), "form": form,
        "json-post": json_post, "cookies": cookies,
        "set-cookie": answer("200 OK", [("Set-Cookie", "theme=dark; Max-Age=3600; Path=/; HttpOnly")], "ok"),
        "created": answer("201 Created", [("Location", "/things/42")], "created"),
        "redirect": answer("303 See Other", [("Location", "/new")], ""),
        "abort": answer("403 Forbidden", [], "Admins only."),
        "httperror": answer("400 Bad Request", [], "Bad item id."),
        "jinja2": page, "static": _static, "static-304": _static}


NOT_BARE = {"multipart": "a bare callable has no multipart parser",
            "cookie-signed": "a bare callable has no signed cookies",
            "simpletemplate": "a bare callable has no template engine",
            "session": "a bare callable has no sessions", "cache-hit": "a bare callable has no cache"}


def build_idiom(scenario: Scenario) -> Any:
    """The idiom scenario's bare app: its one handler for every path."""
    if scenario.kind in NOT_BARE:
        raise NotApplicable(NOT_BARE[scenario.kind])
    handler = _idiom_handlers()[scenario.kind]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        status, headers, body = handler(environ)
        start_response(status, headers)
        return [body]

    return app


def build(scenario: Scenario) -> Any:
    """The scenario's bare app: static paths in one dict, `/prefix/<int>` in another."""
    if scenario.group == "idiom":
        return build_idiom(scenario)
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
