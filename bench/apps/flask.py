"""Flask 3: view functions registered on `Flask(__name__)`."""

from __future__ import annotations

from typing import Any, Callable

from flask import Flask, request

from scenarios import HELLO_TEXT, JSON_BODY, NotApplicable, Scenario


def hello() -> str:
    return HELLO_TEXT


def user(id: int) -> str:
    return f"user {id}"


def as_json() -> dict[str, Any]:
    return dict(JSON_BODY)


def search() -> str:
    return f"{request.args.get('q')} {request.headers.get('X-Token')}"


def other_static() -> str:
    return "other"


def other_dynamic(id: int) -> str:
    return f"other {id}"


VIEWS = {"hello": hello, "user": user, "json": as_json, "request": search}


def build(scenario: Scenario) -> Any:
    """The scenario's Flask app (Flask has no api-2 style plugins)."""
    if scenario.plugins:
        raise NotApplicable("Flask has no Bottle-style plugins")
    app = Flask(__name__)
    for index, rule in enumerate(scenario.routes):
        if rule == scenario.target:
            view: Callable[..., Any] = VIEWS[scenario.kind]
        else:
            view = other_dynamic if "<id>" in rule else other_static
        app.add_url_rule(rule.replace("<id>", "<int:id>"), f"route{index}", view)
    return app


def matcher(app: Any, scenario: Scenario) -> Callable[[dict[str, Any]], Any]:
    """Werkzeug's `Map.bind_to_environ(environ).match()`."""
    bind = app.url_map.bind_to_environ
    return lambda environ: bind(environ).match()
