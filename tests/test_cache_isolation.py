"""The cache never serves one visitor's page to another (issue 16, HIGH #1).

Whatever a cached callback returns (str, bytes, dict, an ``HTTPResponse`` returned or
raised, a generator, a template through ``view`` or ``template=``), an answer built from
the session or from a cookie reaches only the visitor it was built for: alice, bob and a
visitor without a cookie each get their own page, through the real session plugin on the
cookie and the Redis backend, with the cache before and after it, on the memory and the
Redis cache backends. Pages built without credentials are still shared.
"""

from __future__ import annotations

import os
import threading
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import redis
from demijohn import App, BaseTemplate, HTTPResponse, request, view
from demijohn.testing import Client
from demijohn_cache import CachePlugin, MemoryBackend
from demijohn_cache import RedisBackend as CacheRedisBackend
from demijohn_session import CookieBackend, SessionPlugin
from demijohn_session import RedisBackend as SessionRedisBackend

REDIS_URL = os.environ.get("DEMIJOHN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "cache-isolation-secret-0123456789"
KINDS = ["str", "bytes", "dict", "returned", "raised", "generator", "view", "template"]
# A raised HTTPResponse and a generator pass through the cache unstored; the rest are stored.
STORED = {"str", "bytes", "dict", "returned", "view", "template"}


@pytest.fixture
def redis_prefix() -> Iterator[tuple[str, str]]:
    """(the test Redis URL, a key prefix owned by one test); the prefix's keys go afterwards.
    A Redis that does not answer skips the test, and fails it under CI=true."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        reason = f"Redis at {REDIS_URL} does not answer: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
        pytest.skip(reason)
    owned = f"test:cache-isolation:{uuid.uuid4().hex}:"
    yield REDIS_URL, owned
    for key in client.scan_iter(match=owned + "*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["memory-cache", "redis-cache"])
def cache(request: pytest.FixtureRequest) -> Iterator[CachePlugin]:
    if request.param == "memory-cache":
        plugin = CachePlugin(MemoryBackend(max_entries=100))
    else:
        url, prefix = request.getfixturevalue("redis_prefix")
        plugin = CachePlugin(CacheRedisBackend(url, prefix=prefix + "cache:"))
    yield plugin
    plugin.close()


@pytest.fixture(params=["cookie-sessions", "redis-sessions"])
def sessions(request: pytest.FixtureRequest) -> Iterator[SessionPlugin]:
    if request.param == "cookie-sessions":
        plugin = SessionPlugin(CookieBackend(SECRET))
    else:
        url, prefix = request.getfixturevalue("redis_prefix")
        plugin = SessionPlugin(SessionRedisBackend(url, prefix=prefix + "session:", secret_or_secrets=SECRET))
    yield plugin
    plugin.close()


class FormatTemplate(BaseTemplate):
    """A template engine of the test's own (``str.format``), so no engine needs installing."""

    def prepare(self, **options: Any) -> None:
        if not self.source:
            self.source = Path(str(self.filename)).read_text()

    def render(self, *args: Any, **kwargs: Any) -> str:
        values: dict[str, Any] = {}
        for mapping in args:
            values.update(mapping)
        values.update(kwargs)
        return str(self.source).format(**values)


@pytest.fixture
def templates(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "greeting.tpl").write_text("<p>hello {name}</p>")
    return {"template_adapter": FormatTemplate, "template_lookup": [str(tmp_path)]}


def add_page(app: App, kind: str, who: Callable[[], str], templates: dict[str, Any], **config: Any) -> None:
    """Add `GET /page`, answering "hello <who()>" the way `kind` names."""
    def as_str() -> str:
        return f"hello {who()}"

    def raised() -> str:
        raise HTTPResponse(f"hello {who()}")

    def generator() -> Iterator[str]:
        yield "hello "
        yield who()

    callbacks: dict[str, Callable[[], Any]] = {
        "str": as_str,
        "bytes": lambda: f"hello {who()}".encode(),
        "dict": lambda: {"hello": who()},
        "returned": lambda: HTTPResponse(f"hello {who()}"),
        "raised": raised,
        "generator": generator,
        "view": view("greeting", **templates)(lambda: {"name": who()}),
        "template": lambda: {"name": who()},
    }
    if kind == "template":
        config["template"] = ("greeting", templates)
    app.route("/page", callback=callbacks[kind], cache=True, **config)


def session_user() -> str:
    return str(request.session.get("user", "anonymous"))


def session_app(kind: str, sessions: SessionPlugin, cache: CachePlugin, templates: dict[str, Any],
                cache_first: bool) -> App:
    app = App()
    for plugin in (cache, sessions) if cache_first else (sessions, cache):
        app.install(plugin)
    add_page(app, kind, session_user, templates)

    @app.post("/login/<name>")
    def login(name: str) -> str:
        request.session.regenerate()
        request.session["user"] = name
        return "welcome"

    return app


def logged_in(app: App, name: str) -> Client:
    client = Client(app)
    assert client.post(f"/login/{name}").status_code == 200
    assert client.cookies, "the login set no session cookie"
    return client


def page_for(kind: str, name: str) -> str:
    """The exact body `GET /page` answers for visitor `name` when it answers the way `kind` names."""
    if kind == "dict":
        return f'{{"hello": "{name}"}}'
    if kind in ("view", "template"):
        return f"<p>hello {name}</p>"  # the rendered page, never the dict meant for the template
    return f"hello {name}"


def names_in(answer: Any) -> set[str]:
    return {name for name in ("alice", "bob", "anonymous") if name in answer.text}


@pytest.mark.parametrize("cache_first", [False, True], ids=["session-then-cache", "cache-then-session"])
@pytest.mark.parametrize("kind", KINDS)
def test_session_pages_reach_only_their_visitor(kind, sessions, cache, templates, cache_first):
    app = session_app(kind, sessions, cache, templates, cache_first)
    alice, bob, stranger = logged_in(app, "alice"), logged_in(app, "bob"), Client(app)
    for _ in range(2):
        assert alice.get("/page").text == page_for(kind, "alice")
        assert bob.get("/page").text == page_for(kind, "bob")
        assert stranger.get("/page").text == page_for(kind, "anonymous")
    if kind in STORED:
        assert alice.get("/page").headers["X-Cache"] == "HIT"  # alice's own page was stored
        assert Client(app).get("/page").headers["X-Cache"] == "HIT"  # visitors without a cookie share one


@pytest.mark.parametrize("kind", KINDS)
def test_a_cookie_read_directly_keys_the_page(kind, cache, templates):
    app = App()
    app.install(cache)
    add_page(app, kind, lambda: str(request.get_cookie("theme", "plain")), templates)
    for _ in range(2):
        for theme in ("alice-dark", "bob-light"):
            assert Client(app).get("/page", headers={"Cookie": f"theme={theme}"}).text == page_for(kind, theme)
        assert Client(app).get("/page").text == page_for(kind, "plain")
    if kind in STORED:
        again = Client(app).get("/page", headers={"Cookie": "theme=bob-light"})
        assert again.headers["X-Cache"] == "HIT" and again.text == page_for(kind, "bob-light")


READERS: dict[str, Callable[[], str]] = {
    "request.cookies": lambda: str(request.cookies.get("user")),
    "get_header('Cookie')": lambda: str(request.get_header("Cookie")),
    "headers['Cookie']": lambda: request.headers["Cookie"] if "Cookie" in request.headers else "none",
    "headers.get('cookie')": lambda: str(request.headers.get("cookie")),
    "dict(headers)": lambda: str(dict(request.headers).get("Cookie")),
}


@pytest.mark.parametrize("reader", READERS)
def test_every_way_of_reading_the_cookie_keys_the_page(reader, cache):
    app = App()
    app.install(cache)
    app.route("/page", callback=lambda: f"hello {READERS[reader]()}", cache=True)
    for _ in range(2):
        for name in ("alice", "bob"):
            assert names_in(Client(app).get("/page", headers={"Cookie": f"user={name}"})) == {name}


def test_a_cookie_read_in_a_before_request_hook_keys_the_page(cache):
    app = App()
    app.install(cache)

    @app.hook("before_request")
    def load_user() -> None:
        request.user = request.get_cookie("user", "anonymous")

    app.route("/page", callback=lambda: f"hello {request.user}", cache=True)
    for _ in range(2):
        for name in ("alice", "bob", "anonymous"):
            cookie = {} if name == "anonymous" else {"Cookie": f"user={name}"}
            assert names_in(Client(app).get("/page", headers=cookie)) == {name}


def basic(user: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{user}:pw".encode()).decode()}


CREDENTIAL_READERS: dict[str, Callable[[], str]] = {
    "request.auth": lambda: str((request.auth or ("anonymous", None))[0]),
    "get_header('Authorization')": lambda: str(request.get_header("Authorization")),
}


@pytest.mark.parametrize("reader", CREDENTIAL_READERS)
def test_credentials_read_on_an_authorization_route_key_the_page(reader, cache):
    app = App()
    app.install(cache)
    app.route("/page", callback=lambda: f"hello {CREDENTIAL_READERS[reader]()}", cache={"authorization": True})
    expected = {"alice": "alice", "bob": "bob"}
    if reader != "request.auth":
        expected = {name: basic(name)["Authorization"] for name in expected}
    for _ in range(2):
        for name, shown in expected.items():
            assert Client(app).get("/page", headers=basic(name)).text == f"hello {shown}"


def test_a_user_authenticated_by_the_server_gets_their_own_page(cache):
    app = App()
    app.install(cache)
    app.route("/page", callback=lambda: f"hello {request.auth[0]}", cache={"authorization": True})
    for _ in range(2):
        for name in ("alice", "bob"):
            assert names_in(Client(app).get("/page", environ={"REMOTE_USER": name})) == {name}


def test_a_page_that_reads_no_credentials_is_shared(cache):
    app = App()
    app.install(cache)
    app.route("/page", callback=lambda: "the same for everyone", cache=True)
    assert Client(app).get("/page", headers={"Cookie": "user=alice"}).headers["X-Cache"] == "MISS"
    shared = Client(app).get("/page", headers={"Cookie": "user=bob"})
    assert shared.headers["X-Cache"] == "HIT" and "Vary" not in shared.headers


def test_a_page_keyed_by_the_cookie_says_vary_cookie(cache):
    app = App()
    app.install(cache)
    app.route("/page", callback=lambda: f"hello {request.get_cookie('user')}", cache=True)
    first = Client(app).get("/page", headers={"Cookie": "user=alice"})
    again = Client(app).get("/page", headers={"Cookie": "user=alice"})
    assert first.headers["Vary"] == "Cookie" and again.headers["Vary"] == "Cookie"
    assert again.headers["X-Cache"] == "HIT"


def test_a_header_declared_with_request_vary_keys_the_page(cache):
    app = App()
    app.install(cache)

    def page() -> str:
        request.vary("Accept-Language")
        return "bonjour" if "fr" in request.environ.get("HTTP_ACCEPT_LANGUAGE", "") else "hello"

    app.route("/page", callback=page, cache=True)
    for _ in range(2):
        assert Client(app).get("/page", headers={"Accept-Language": "fr"}).text == "bonjour"
        assert Client(app).get("/page", headers={"Accept-Language": "en"}).text == "hello"


def test_invalidating_a_path_drops_every_visitors_variant(cache):
    app = App()
    app.install(cache)
    version = ["v1"]
    app.route("/page", callback=lambda: f"{version[0]} {request.get_cookie('user')}", cache=True)
    for name in ("alice", "bob"):
        Client(app).get("/page", headers={"Cookie": f"user={name}"})
    version[0] = "v2"
    assert cache.invalidate(path="/page") >= 3  # two variants and the marker naming Cookie
    for name in ("alice", "bob"):
        assert Client(app).get("/page", headers={"Cookie": f"user={name}"}).text == f"v2 {name}"


@pytest.mark.parametrize("first, second", [("a=1&a=2", "a=2&a=1"), ("a=x&b=1&a=y", "a=y&b=1&a=x")])
def test_repeated_query_parameters_in_another_order_get_another_entry(first, second, cache):
    app = App()
    app.install(cache)
    app.route("/page", callback=lambda: f"a is {request.query.a}", cache=True)
    assert Client(app).get(f"/page?{first}").text == f"a is {first.split('&')[-1].split('=')[1]}"
    assert Client(app).get(f"/page?{second}").text == f"a is {second.split('&')[-1].split('=')[1]}"


def test_distinct_parameters_in_another_order_share_an_entry(cache):
    app = App()
    app.install(cache)
    app.route("/page", callback=lambda: f"{request.query.a}{request.query.b}", cache=True)
    assert Client(app).get("/page?a=1&b=2").headers["X-Cache"] == "MISS"
    assert Client(app).get("/page?b=2&a=1").headers["X-Cache"] == "HIT"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


def test_over_a_socket_bob_never_gets_alices_page(sessions, cache, templates):
    app = session_app("returned", sessions, cache, templates, cache_first=False)
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        cookies = {}
        for name in ("alice", "bob"):
            login = urllib.request.urlopen(urllib.request.Request(f"{base}/login/{name}", method="POST"), timeout=5)
            cookies[name] = login.headers["Set-Cookie"].split(";", 1)[0]
        for _ in range(2):
            for name in ("alice", "bob"):
                page = urllib.request.urlopen(urllib.request.Request(f"{base}/page", headers={"Cookie": cookies[name]}),
                                              timeout=5)
                assert page.read().decode() == f"hello {name}"
                assert page.headers["Vary"] == "Cookie"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
