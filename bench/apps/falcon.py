"""Falcon 4: resource classes with `on_get` responders setting `resp.text` / `resp.media`."""

from __future__ import annotations

from typing import Any, Callable

import falcon

from scenarios import HELLO_TEXT, JSON_BODY, NotApplicable, Scenario


class HelloResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = HELLO_TEXT


class UserResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response, id: int) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"user {id}"


class JSONResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = dict(JSON_BODY)


class SearchResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{req.get_param('q')} {req.get_header('X-Token')}"


class OtherResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "other"


class OtherItemResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response, id: int) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"other {id}"


RESOURCES = {"hello": HelloResource, "user": UserResource, "json": JSONResource,
             "request": SearchResource}


def build(scenario: Scenario) -> Any:
    """The scenario's Falcon app (no middleware: Falcon has no api-2 style plugins)."""
    if scenario.plugins:
        raise NotApplicable("Falcon has no Bottle-style plugins")
    app = falcon.App()
    for rule in scenario.routes:
        if rule == scenario.target:
            resource: Any = RESOURCES[scenario.kind]()
        else:
            resource = OtherItemResource() if "<id>" in rule else OtherResource()
        app.add_route(rule.replace("<id>", "{id:int}"), resource)
    return app


def matcher(app: Any, scenario: Scenario) -> Callable[[dict[str, Any]], Any]:
    """Falcon's compiled router (`app._router.find(path)`, an internal API)."""
    find = app._router.find
    return lambda environ: find(environ["PATH_INFO"])
