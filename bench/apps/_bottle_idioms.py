"""The "what users write" scenarios in the Bottle API, shared by `apps.bottle` and
`apps.demijohn`: `request.headers[...]`, `request.query.name`, `request.forms`,
`response.set_cookie`, `redirect()`, `abort()`, `static_file()`, templates, plugins."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from idioms import PAGE_ITEMS, PAGE_TITLE, SECRET, STATIC, TEMPLATES
from scenarios import NotApplicable, Scenario


def _request_handlers(framework: ModuleType) -> dict[str, Callable[..., Any]]:
    """Callbacks that read the request."""
    request = framework.request

    def headers() -> str:
        return f"{request.headers['X-Token']} {request.headers.get('X-Trace')}"

    def query_attr() -> str:
        return f"{request.query.name} {request.query.page}"

    def params() -> str:
        return f"{request.params.get('q')} {request.params.get('lang')}"

    def form() -> str:
        return f"{request.forms.get('name')} {request.forms.get('email')}"

    def multipart() -> str:
        upload = request.files.get("upload")
        return f"{request.forms.get('title')} {upload.filename} {len(upload.file.read())}"

    def json_post() -> str:
        data = request.json
        return f"{data['name']} {len(data['tags'])}"

    def cookies() -> str:
        return f"{request.get_cookie('theme')} {request.cookies.get('lang')}"

    def cookie_signed() -> str:
        return str(request.get_cookie("account", secret=SECRET))

    return {"headers": headers, "query-attr": query_attr, "params": params, "form": form,
            "multipart": multipart, "json-post": json_post, "cookies": cookies,
            "cookie-signed": cookie_signed}


def _response_handlers(framework: ModuleType) -> dict[str, Callable[..., Any]]:
    """Callbacks that shape the response, raise HTTP errors or render templates."""
    response = framework.response
    # One list for every call: given a new (equal) list per call, Bottle compiles the
    # template again each time and its template cache grows (seen in allocations.py).
    lookup = [TEMPLATES]

    def login() -> str:
        response.set_cookie("account", "ada", secret=SECRET, path="/")
        return "ok"

    def set_cookie() -> str:
        response.set_cookie("theme", "dark", path="/", max_age=3600, httponly=True)
        return "ok"

    def created() -> str:
        response.set_header("Location", "/things/42")
        response.status = 201
        return "created"

    def moved() -> None:
        framework.redirect("/new")

    def forbidden() -> None:
        framework.abort(403, "Admins only.")

    def bad_request() -> None:
        raise framework.HTTPError(400, "Bad item id.")

    def jinja2() -> str:
        return str(framework.jinja2_template("page.html", title=PAGE_TITLE, items=PAGE_ITEMS,
                                             template_lookup=lookup))

    def simpletemplate() -> str:
        return str(framework.template("page_stpl", title=PAGE_TITLE, items=PAGE_ITEMS,
                                      template_lookup=lookup))

    def static(filename: str) -> Any:
        return framework.static_file(filename, root=STATIC)

    return {"cookie-signed:prime": login, "set-cookie": set_cookie, "created": created,
            "redirect": moved, "abort": forbidden, "httperror": bad_request, "jinja2": jinja2,
            "simpletemplate": simpletemplate, "static": static, "static-304": static}


def _plugin_routes(framework: ModuleType, app: Any, scenario: Scenario) -> bool:
    """The session and cache scenarios, which use demijohn's own plugins; True if handled."""
    if scenario.kind not in ("session", "cache-hit"):
        return False
    if framework.__name__ != "demijohn":
        raise NotApplicable(f"{framework.__name__} ships no {scenario.kind.split('-')[0]} plugin")
    if scenario.kind == "session":
        from demijohn_session import CookieBackend, SessionPlugin

        app.install(SessionPlugin(CookieBackend(SECRET)))

        def login(session: Any) -> str:
            session["user"] = "ada"
            return "ok"

        app.route("/login", "GET", login)
        app.route(scenario.target, "GET", lambda session: session["user"])
    else:
        from demijohn_cache import CachePlugin, MemoryBackend

        app.install(CachePlugin(MemoryBackend()))
        app.route(scenario.target, "GET", lambda: {"items": list(range(10))}, cache={"ttl": 600})
    return True


def build_idiom(framework: ModuleType, app_class: type, scenario: Scenario) -> Any:
    """The idiom scenario's app: one route (and its priming route) with a Bottle-style callback."""
    if scenario.kind == "simpletemplate" and not hasattr(framework, "SimpleTemplate"):
        raise NotApplicable(f"{framework.__name__} has no SimpleTemplate engine yet")
    app = app_class()
    if _plugin_routes(framework, app, scenario):
        return app
    handlers = {**_request_handlers(framework), **_response_handlers(framework)}
    app.route(scenario.target, scenario.method, handlers[scenario.kind])
    if scenario.prime_path and scenario.prime_path != scenario.target:
        app.route(scenario.prime_path, "GET", handlers[f"{scenario.kind}:prime"])
    return app
