"""The scenarios written the way each framework's users write them (issue 18).

Each one is a single route plus, where the request needs something a first answer gives
(a signed cookie, an ETag, a warm cache), a priming request made once before timing.
Every app module answers them in its own idiom (`apps/`); the expected answer is the
same for all, so the apps do the same work. A framework without the feature raises
`NotApplicable` with the reason, and the report shows "n/a".
"""

from __future__ import annotations

import json
import os

from scenario_model import Scenario

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "templates")
STATIC = os.path.join(HERE, "static")
STATIC_NAME = "file4k.txt"
SECRET = "bench-secret-not-for-production-0123456789"

TOKEN, TRACE = "s3cret", "trace-7f3a"
FORM_DATA = b"name=Ada+Lovelace&email=ada%40example.com&remember=on"
JSON_POST = {"name": "Ada", "tags": ["math", "engines", "poetry"], "active": True}
COOKIES = "theme=dark; lang=en; sid=4f2c9a"
PAGE_TITLE = "Notes"
PAGE_ITEMS = [f"note {index}" for index in range(9)] + ["<b>bold</b> & co"]
UPLOAD = b"".join(b"line %02d of the uploaded text file, 32 B\n" % index for index in range(32))
BOUNDARY = "----demijohnbench7MA4YWxkTrZu0gW"


def _multipart() -> bytes:
    """A form with one text field and one 1 KB file, as a browser sends it."""
    lines = [
        f"--{BOUNDARY}", 'Content-Disposition: form-data; name="title"', "", "notes",
        f"--{BOUNDARY}",
        'Content-Disposition: form-data; name="upload"; filename="notes.txt"',
        "Content-Type: text/plain", "",
    ]
    head = "\r\n".join(lines).encode() + b"\r\n"
    return head + UPLOAD + f"\r\n--{BOUNDARY}--\r\n".encode()


def page_text() -> str:
    """What both template scenarios must render (the escaping of `<`, `>`, `&` agrees
    between Jinja2 and SimpleTemplate; quotes would not, so the data has none)."""
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    items = "".join(f"<li>{escape(item)}</li>\n" for item in PAGE_ITEMS)
    return f"<h1>{PAGE_TITLE}</h1>\n<ul>\n{items}</ul>\n"


def static_bytes() -> bytes:
    with open(os.path.join(STATIC, STATIC_NAME), "rb") as handle:
        return handle.read()


def one(name: str, title: str, path: str, **options: object) -> Scenario:
    """A one-route idiom scenario named `name` (also its handler's kind) for `path`; the
    rule defaults to the path, and a priming path becomes a second route."""
    rule = options.pop("rule", path)
    prime_path = options.get("prime_path")
    routes = (rule,) + ((prime_path,) if prime_path and prime_path != rule else ())
    return Scenario(name, title, routes, rule, name, path, group="idiom",  # type: ignore[arg-type]
                    **options)  # type: ignore[arg-type]


def idiom_scenarios() -> list[Scenario]:
    """Every "what users write" scenario, in report order."""
    upload = _multipart()
    return [
        one("headers", "headers: `request.headers['X-Token']` and `.get('X-Trace')`", "/headers",
            headers=(("X-Token", TOKEN), ("X-Trace", TRACE)), body=f"{TOKEN} {TRACE}".encode()),
        one("query-attr", "query: `request.query.name` (attribute access)", "/search",
            query="name=demijohn&page=2&sort=asc", body=b"demijohn 2"),
        one("params", "params: `request.params.get('q')` (query and form merged)", "/params",
            query="q=wsgi&lang=en", body=b"wsgi en"),
        one("form", "form POST: `request.forms.get('name')`", "/form", method="POST",
            data=FORM_DATA, content_type="application/x-www-form-urlencoded",
            body=b"Ada Lovelace ada@example.com"),
        one("multipart", "multipart upload: a field and a 1 KB file (`request.files`)", "/upload",
            method="POST", data=upload, content_type=f"multipart/form-data; boundary={BOUNDARY}",
            body=f"notes notes.txt {len(UPLOAD)}".encode()),
        one("json-post", "JSON POST: `request.json`", "/items", method="POST",
            data=json.dumps(JSON_POST).encode(), content_type="application/json",
            body=b"Ada 3"),
        one("cookies", "cookies: `request.get_cookie('theme')`, `request.cookies.get('lang')`",
            "/prefs", headers=(("Cookie", COOKIES),), body=b"dark en"),
        one("cookie-signed", "signed cookie: `request.get_cookie('account', secret=...)`",
            "/account", prime="cookie", prime_path="/login", body=b"ada"),
        one("set-cookie", "`response.set_cookie('theme', 'dark', max_age=..., httponly=True)`",
            "/remember", body=b"ok", expect_headers=(("Set-Cookie", "theme=dark"),)),
        one("created", "`response.set_header('Location', ...)` + `response.status = 201`",
            "/things", method="POST", status=201, body=b"created",
            expect_headers=(("Location", "/things/42"),)),
        one("redirect", "`redirect('/new')` (303)", "/old", status=303,
            expect_headers=(("Location", "/new"),)),
        one("abort", "`abort(403, ...)`", "/admin", status=403),
        one("httperror", "`raise HTTPError(400, ...)`", "/check", status=400),
        one("jinja2", "Jinja2 template render (10 items, escaped)", "/page",
            body=page_text().encode(), extra={"strip": True}),
        one("simpletemplate", "SimpleTemplate render (the same page)", "/page-stpl",
            body=page_text().encode(), extra={"strip": True}),
        one("static", "`static_file()` of a 4 KB file", f"/static/{STATIC_NAME}",
            rule="/static/<filename>", body=static_bytes()),
        one("static-304", "`static_file()`: 304 to `If-None-Match`", f"/static/{STATIC_NAME}",
            rule="/static/<filename>", status=304, prime="etag", body=b""),
        one("session", "session plugin (signed cookie) on a hit: read `session['user']`", "/me",
            prime="cookie", prime_path="/login", body=b"ada"),
        one("cache-hit", "cache plugin (memory) on a hit", "/cached", prime="warm",
            body=b'{"items": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}'),
    ]
