"""The Bottle-API app builder shared by `apps.bottle` and `apps.demijohn` (same API)."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from apps._bottle_idioms import build_idiom
from scenarios import HELLO_TEXT, JSON_BODY, NotApplicable, Scenario, noop_plugins


def build_bottle_style(framework: ModuleType, app_class: type, scenario: Scenario) -> Any:
    """Build the scenario's app with `app_class()` and `@app.route` callbacks."""
    if scenario.group == "idiom":
        return build_idiom(framework, app_class, scenario)
    request = framework.request

    def hello() -> str:
        return HELLO_TEXT

    def user(id: int) -> str:
        return f"user {id}"

    def as_json() -> dict[str, Any]:
        return dict(JSON_BODY)

    def search() -> str:
        return f"{request.query.get('q')} {request.get_header('X-Token')}"

    def other_static() -> str:
        return "other"

    def other_dynamic(id: int) -> str:
        return f"other {id}"

    handlers: dict[str, Callable[..., Any]] = {
        "hello": hello, "user": user, "json": as_json, "request": search}
    app = app_class()
    for rule in scenario.routes:
        if rule == scenario.target:
            callback = handlers[scenario.kind]
        else:
            callback = other_dynamic if "<id>" in rule else other_static
        app.route(rule.replace("<id>", "<id:int>"), "GET", callback)
    if scenario.plugins:
        for plugin in noop_plugins(*scenario.plugins):
            app.install(plugin)
    return app


def router_matcher(app: Any) -> Callable[[dict[str, Any]], Any]:
    """`app.router.match(environ)`: Bottle's router entry point."""
    router = getattr(app, "router", None)
    if router is None or not hasattr(router, "match"):
        raise NotApplicable("app.router.match is missing")
    return router.match
