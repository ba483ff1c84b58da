"""Flask 3: view functions registered on `Flask(__name__)`."""

from __future__ import annotations

from typing import Any, Callable

from flask import Flask, abort, make_response, redirect, render_template, request, session
from werkzeug.exceptions import BadRequest

from idioms import PAGE_ITEMS, PAGE_TITLE, SECRET, STATIC, TEMPLATES
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


def headers() -> str:
    return f"{request.headers['X-Token']} {request.headers.get('X-Trace')}"


def query_attr() -> str:
    return f"{request.args.get('name')} {request.args.get('page')}"


def params() -> str:
    return f"{request.values.get('q')} {request.values.get('lang')}"


def form() -> str:
    return f"{request.form['name']} {request.form['email']}"


def upload() -> str:
    file = request.files["upload"]
    return f"{request.form['title']} {file.filename} {len(file.read())}"


def json_post() -> str:
    data = request.get_json()
    return f"{data['name']} {len(data['tags'])}"


def cookies() -> str:
    return f"{request.cookies.get('theme')} {request.cookies.get('lang')}"


def set_cookie() -> Any:
    answer = make_response("ok")
    answer.set_cookie("theme", "dark", path="/", max_age=3600, httponly=True)
    return answer


def created() -> Any:
    return "created", 201, {"Location": "/things/42"}


def moved() -> Any:
    return redirect("/new", 303)


def forbidden() -> Any:
    abort(403, "Admins only.")


def bad_request() -> Any:
    raise BadRequest("Bad item id.")


def page() -> str:
    return render_template("page.html", title=PAGE_TITLE, items=PAGE_ITEMS)


def login() -> str:
    session["user"] = "ada"
    return "ok"


def me() -> str:
    return str(session["user"])


IDIOMS: dict[str, Callable[..., Any]] = {
    "headers": headers, "query-attr": query_attr, "params": params, "form": form,
    "multipart": upload, "json-post": json_post, "cookies": cookies, "set-cookie": set_cookie,
    "created": created, "redirect": moved, "abort": forbidden, "httperror": bad_request,
    "jinja2": page, "session": me, "session:prime": login}
NOT_IN_FLASK = {"cookie-signed": "Flask signs its session cookie, not single cookies",
                "simpletemplate": "Flask has no SimpleTemplate engine",
                "cache-hit": "Flask ships no response cache (Flask-Caching is not a peer here)"}


def build_idiom(scenario: Scenario) -> Any:
    """The idiom scenario's Flask app: one view, its static folder for files."""
    if scenario.kind in NOT_IN_FLASK:
        raise NotApplicable(NOT_IN_FLASK[scenario.kind])
    app = Flask(__name__, template_folder=TEMPLATES, static_folder=STATIC,
                static_url_path="/static")
    app.secret_key = SECRET
    if scenario.kind in ("static", "static-304"):
        return app
    app.add_url_rule(scenario.target, "target", IDIOMS[scenario.kind], methods=[scenario.method])
    if scenario.prime_path:
        app.add_url_rule(scenario.prime_path, "prime", IDIOMS[f"{scenario.kind}:prime"])
    return app


def build(scenario: Scenario) -> Any:
    """The scenario's Flask app (Flask has no api-2 style plugins)."""
    if scenario.group == "idiom":
        return build_idiom(scenario)
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
