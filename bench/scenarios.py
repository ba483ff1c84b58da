"""The benchmark scenarios, described once and built by every framework's app module.

A scenario is a route table plus one request. Routes are written in a neutral syntax
(`/user/<id>`, where `<id>` is always an integer parameter) that each app module in
`apps/` translates to its own (`<id:int>`, `{id:int}`, `<int:id>`). Every route table is
identical across frameworks; only the request's *target* route gets a checked handler,
the others answer with a generic one.
"""

from __future__ import annotations

import io
import sys
from typing import Any, Callable

from idioms import idiom_scenarios
from scenario_model import JSON_BODY, NotApplicable, Scenario

__all__ = ["HELLO_TEXT", "JSON_BODY", "NotApplicable", "SCENARIOS", "Scenario", "make_environ"]

HELLO_TEXT = "Hello, World!"
QUERY_VALUE = "demijohn"
TOKEN_VALUE = "s3cret"


def _dynamic_table(before: int, target: str, after: int) -> tuple[str, ...]:
    """`before` dynamic routes, the target, then `after` more dynamic routes."""
    others = [f"/item{i}/<id>" for i in range(before + after)]
    return tuple(others[:before] + [target] + others[before:])


def _mixed_table(count: int) -> tuple[str, ...]:
    """`count` routes alternating static and dynamic; the last one is dynamic."""
    rules = []
    for i in range(count):
        if (count - 1 - i) % 2 == 0:
            rules.append(f"/res{i}/<id>")
        else:
            rules.append(f"/page{i}/about")
    return tuple(rules)


def _scaling_table(count: int) -> tuple[str, ...]:
    """`count` dynamic routes, each under its own first segment (worst case for a scan)."""
    return tuple(f"/r{i}/<id>" for i in range(count))


def build_scenarios() -> list[Scenario]:
    """Every in-process scenario, in report order."""
    hello_routes = ("/hello",)
    scenarios = [
        Scenario("hello", "hello: static route, short string", hello_routes, "/hello",
                 "hello", "/hello", body=HELLO_TEXT.encode()),
        Scenario("dynamic", "dynamic: /user/<id:int> among 100 dynamic routes",
                 _dynamic_table(95, "/user/<id>", 5), "/user/<id>", "user", "/user/42",
                 body=b"user 42"),
        Scenario("many", "many routes: 1,000 mixed, last dynamic one",
                 _mixed_table(1000), "/res999/<id>", "user", "/res999/42", body=b"user 42"),
    ]
    for count in (10, 100, 1000, 10000):
        table = _scaling_table(count)
        last = table[-1]
        path = last.replace("<id>", "42")
        scenarios.append(Scenario(
            f"scale-{count}", f"router scaling: {count:,} routes, last one (full request)",
            table, last, "user", path, body=b"user 42", extra={"routes": count}))
    for count in (10, 100, 1000, 10000):
        table = _scaling_table(count)
        last = table[-1]
        scenarios.append(Scenario(
            f"match-{count}", f"router only: {count:,} routes, match the last one",
            table, last, "user", last.replace("<id>", "42"), match_only=True,
            extra={"routes": count}))
    scenarios += [
        Scenario("json", "JSON: handler returns a dict", ("/json",), "/json", "json", "/json"),
        Scenario("request", "request access: a query parameter and a header",
                 ("/search",), "/search", "request", "/search",
                 query=f"q={QUERY_VALUE}&page=2&sort=asc",
                 headers=(("X-Token", TOKEN_VALUE),),
                 body=f"{QUERY_VALUE} {TOKEN_VALUE}".encode()),
        Scenario("plugins-nowrap", "hello + 5 plugins that don't wrap", hello_routes,
                 "/hello", "hello", "/hello", body=HELLO_TEXT.encode(), plugins=("nowrap", 5)),
        Scenario("plugins-wrap", "hello + 5 plugins that wrap", hello_routes, "/hello",
                 "hello", "/hello", body=HELLO_TEXT.encode(), plugins=("wrap", 5)),
        Scenario("404", "404: no route matches",
                 ("/hello",) + _dynamic_table(10, "/user/<id>", 0), "/hello", "hello",
                 "/does/not/exist", status=404),
    ]
    return scenarios + idiom_scenarios()


SCENARIOS = {s.name: s for s in build_scenarios()}


def make_environ(scenario: Scenario) -> dict[str, Any]:
    """A complete WSGI environ for the scenario's request, as a server would pass it."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scenario.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scenario.path,
        "QUERY_STRING": scenario.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "demijohn-bench",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(scenario.data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if scenario.data or scenario.method == "POST":
        environ["CONTENT_LENGTH"] = str(len(scenario.data))
    if scenario.content_type:
        environ["CONTENT_TYPE"] = scenario.content_type
    for name, value in scenario.headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def noop_plugins(kind: str, count: int) -> list[Any]:
    """`count` api-2 plugins; `nowrap` ones return the callback, `wrap` ones wrap it."""
    import functools

    class NoWrap:
        api = 2

        def __init__(self, index: int) -> None:
            self.name = f"bench-nowrap-{index}"

        def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
            return callback

    class Wrap:
        api = 2

        def __init__(self, index: int) -> None:
            self.name = f"bench-wrap-{index}"

        def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
            @functools.wraps(callback)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return callback(*args, **kwargs)

            return wrapper

    cls = NoWrap if kind == "nowrap" else Wrap
    return [cls(i) for i in range(count)]


def plain_calls(depth: int) -> Callable[[], Any]:
    """A trivial function behind `depth` pass-through wrappers: the cost a wrapping plugin
    cannot avoid, used as the yardstick for the `plugins-wrap` target."""
    import functools

    def hello() -> str:
        return HELLO_TEXT

    def make(inner: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return inner(*args, **kwargs)

        return wrapper

    fn: Callable[..., Any] = hello
    for _ in range(depth):
        fn = make(fn)
    return fn
