"""Falcon 4: resource classes with `on_get` responders setting `resp.text` / `resp.media`.

`apps.falcon_pure` loads this same file a second time against Falcon's pure-Python wheel,
so everything Falcon-specific stays in this one module.
"""

from __future__ import annotations

from typing import Any, Callable

import falcon
import jinja2

from idioms import PAGE_ITEMS, PAGE_TITLE, STATIC, TEMPLATES
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


class Headers:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{req.get_header('X-Token', required=True)} {req.get_header('X-Trace')}"


class Query:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{req.get_param('name')} {req.get_param('page')}"


class Params:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{req.get_param('q')} {req.get_param('lang')}"


class Form:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = req.get_media()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{form['name']} {form['email']}"


class Upload:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = {}
        for part in req.get_media():
            if part.filename:
                fields[part.name] = f"{part.filename} {len(part.get_data())}"
            else:
                fields[part.name] = part.get_text()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{fields['title']} {fields['upload']}"


class JSONPost:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = req.get_media()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{data['name']} {len(data['tags'])}"


class Cookies:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{req.cookies.get('theme')} {req.cookies.get('lang')}"


class SetCookie:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # Falcon marks cookies Secure unless told otherwise; the others do not.
        resp.set_cookie("theme", "dark", path="/", max_age=3600, http_only=True, secure=False)
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "ok"


class Created:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.status = falcon.HTTP_201
        resp.set_header("Location", "/things/42")
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "created"


class Redirect:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise falcon.HTTPSeeOther("/new")


class Forbidden:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise falcon.HTTPForbidden(description="Admins only.")


class BadRequest:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise falcon.HTTPError(falcon.HTTP_400, description="Bad item id.")


class Page:
    def __init__(self) -> None:
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                            autoescape=jinja2.select_autoescape())

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        page = self.templates.get_template("page.html")
        resp.text = page.render(title=PAGE_TITLE, items=PAGE_ITEMS)


IDIOMS = {"headers": Headers, "query-attr": Query, "params": Params, "form": Form,
          "multipart": Upload, "json-post": JSONPost, "cookies": Cookies, "set-cookie": SetCookie,
          "created": Created, "redirect": Redirect, "abort": Forbidden, "httperror": BadRequest,
          "jinja2": Page}
NOT_IN_FALCON = {"cookie-signed": "Falcon has no signed cookies",
                 "simpletemplate": "Falcon has no template engine (Jinja2 is the usual one)",
                 "session": "Falcon ships no session middleware",
                 "cache-hit": "Falcon ships no response cache"}


def build_idiom(scenario: Scenario) -> Any:
    """The idiom scenario's Falcon app: one resource, or the static route for files."""
    if scenario.kind in NOT_IN_FALCON:
        raise NotApplicable(NOT_IN_FALCON[scenario.kind])
    app = falcon.App()
    if scenario.kind in ("static", "static-304"):
        app.add_static_route("/static", STATIC)
    else:
        app.add_route(scenario.target, IDIOMS[scenario.kind]())
    return app


def build(scenario: Scenario) -> Any:
    """The scenario's Falcon app (no middleware: Falcon has no api-2 style plugins)."""
    if scenario.group == "idiom":
        return build_idiom(scenario)
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
