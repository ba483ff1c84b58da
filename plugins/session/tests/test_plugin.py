"""SessionPlugin: the plugin protocol, per-route config, lazy loading, saving, cookie attributes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from conftest import SECRET, session_app, set_cookie
from demijohn import App, HTTPResponse, PluginError, abort, redirect, request
from demijohn.testing import Client

from demijohn_session import CookieBackend, Session, SessionError, SessionPlugin


class CountingBackend(CookieBackend):
    """A real CookieBackend that also counts how often it is asked to load, save and close."""

    def __init__(self) -> None:
        super().__init__(SECRET)
        self.loads = self.saves = self.closes = 0

    def load(self, cookie_value: str) -> Any:
        self.loads += 1
        return super().load(cookie_value)

    def save(self, session_id: str | None, data: dict[str, Any]) -> Any:
        self.saves += 1
        return super().save(session_id, data)

    def close(self) -> None:
        self.closes += 1


def plugin(**options: Any) -> SessionPlugin:
    return SessionPlugin(CookieBackend(SECRET), **options)


# -- protocol ---------------------------------------------------------------------------------


def test_plugin_declares_api_2_and_its_name() -> None:
    session_plugin = plugin()
    assert session_plugin.api == 2 and session_plugin.name == "session"


def test_session_is_on_request_for_callbacks_without_the_keyword() -> None:
    app = App()
    app.install(plugin())

    @app.get("/")
    def index() -> str:
        request.session["seen"] = True
        return type(request.session).__name__

    assert Client(app).get("/").text == "Session"


def test_session_is_passed_to_callbacks_that_take_the_keyword() -> None:
    app = App()
    app.install(plugin())

    @app.get("/")
    def index(session: Session) -> str:
        return str(session is request.session)

    assert Client(app).get("/").text == "True"


def test_custom_keyword_names_argument_and_request_attribute() -> None:
    app = App()
    app.install(plugin(keyword="visit"))

    @app.get("/")
    def index(visit: Session) -> str:
        return str(visit is request.visit)

    assert Client(app).get("/").text == "True"


def test_second_plugin_claiming_the_same_keyword_is_refused() -> None:
    app = App()
    app.install(plugin())
    with pytest.raises(PluginError, match="keyword"):
        app.install(plugin(cookie_name="other"))


def test_two_plugins_with_different_keywords_coexist() -> None:
    app = App()
    app.install(plugin())
    app.install(SessionPlugin(CookieBackend(SECRET), cookie_name="admin", keyword="admin_session"))

    @app.get("/")
    def index(session: Session, admin_session: Session) -> str:
        session["a"], admin_session["b"] = 1, 2
        return "ok"

    result = Client(app).get("/")
    assert set_cookie(result, "session") is not None and set_cookie(result, "admin") is not None


def test_route_with_session_false_is_returned_unchanged() -> None:
    app = App()
    session_plugin = app.install(plugin())

    @app.get("/", session=False)
    def index() -> str:
        return "plain"

    route = app.routes[0]
    assert session_plugin.apply(route.callback, route) is route.callback


def test_skip_by_name_leaves_route_without_session() -> None:
    app = App()
    app.install(plugin())

    @app.get("/", skip=["session"])
    def index() -> str:
        return str(isinstance(request.environ.get("bottle.request.ext.session"), Session))

    assert Client(app).get("/").text == "False"


def test_apply_runs_once_per_route_not_per_request() -> None:
    applied: list[str] = []

    class Recording(SessionPlugin):
        def apply(self, callback: Any, route: Any) -> Any:
            applied.append(route.rule)
            return super().apply(callback, route)

    app = App()
    app.install(Recording(CookieBackend(SECRET)))
    app.get("/")(lambda: "ok")
    client = Client(app)
    for _ in range(3):
        client.get("/")
    assert applied == ["/"]


@pytest.mark.parametrize("config", ["yes", 1, {"requird": False}, {"required": "no"}])
def test_invalid_route_config_is_refused_naming_the_route(config: Any) -> None:
    app = App()
    session_plugin = app.install(plugin())

    @app.get("/account", session=config)
    def account() -> str:
        return "x"

    route = app.routes[0]
    with pytest.raises(PluginError, match="/account"):
        session_plugin.apply(route.callback, route)


def test_uninstall_closes_the_backend() -> None:
    backend = CountingBackend()
    app = App()
    app.install(SessionPlugin(backend))
    app.uninstall("session")
    assert backend.closes == 1


@pytest.mark.parametrize(
    "options",
    [
        {"cookie_name": ""},
        {"keyword": "not an identifier"},
        {"max_age": -5},
        {"samesite": "sometimes"},
        {"samesite": "None", "secure": False},
    ],
    ids=["empty-cookie-name", "bad-keyword", "negative-max-age", "unknown-samesite", "samesite-none-insecure"],
)
def test_bad_plugin_options_are_refused_with_a_message(options: dict[str, Any]) -> None:
    with pytest.raises(SessionError, match=next(iter(options))):
        plugin(**options)


def test_object_that_is_not_a_backend_is_refused() -> None:
    with pytest.raises(SessionError, match="backend"):
        SessionPlugin("redis://127.0.0.1")  # type: ignore[arg-type]


# -- loading and saving --------------------------------------------------------------------------


def test_route_that_never_touches_the_session_does_not_load_it() -> None:
    backend = CountingBackend()
    client = Client(session_app(SessionPlugin(backend)))
    client.get("/set", query={"user": "ada"})
    loads = backend.loads
    client.get("/untouched")
    assert backend.loads == loads
    client.get("/get")
    assert backend.loads == loads + 1


def test_unchanged_session_is_not_saved() -> None:
    backend = CountingBackend()
    client = Client(session_app(SessionPlugin(backend)))
    client.get("/set", query={"user": "ada"})
    client.get("/get")
    client.get("/set", query={"user": "ada"})  # same value again: no change
    assert backend.saves == 1


def test_nested_change_is_saved() -> None:
    app = App()
    app.install(plugin())

    @app.get("/add/<item>")
    def add(item: str, session: Session) -> dict[str, Any]:
        session.setdefault("cart", [])
        session["cart"].append(item)
        return {"cart": session["cart"]}

    client = Client(app)
    client.get("/add/apple")
    assert client.get("/add/pear").json == {"cart": ["apple", "pear"]}


def test_redirect_carries_the_session_cookie() -> None:
    app = App()
    app.install(plugin())

    @app.get("/login")
    def login(session: Session) -> None:
        session["user"] = "ada"
        redirect("/home")

    result = Client(app).get("/login")
    assert result.status_code in (302, 303)
    assert set_cookie(result) is not None


def test_abort_after_invalidate_still_drops_the_cookie() -> None:
    app = session_app(plugin())

    @app.get("/deny")
    def deny(session: Session) -> None:
        session.invalidate()
        abort(401, "log in again")

    client = Client(app)
    client.get("/set", query={"user": "ada"})
    result = client.get("/deny")
    assert result.status_code == 401
    morsel = set_cookie(result)
    assert morsel is not None and morsel.value == ""


def test_unexpected_error_discards_session_changes() -> None:
    app = App()
    app.install(plugin())

    @app.get("/boom")
    def boom(session: Session) -> str:
        session["half"] = "done"
        raise RuntimeError("bug")

    result = Client(app).get("/boom")
    assert result.status_code == 500 and set_cookie(result) is None


def test_modified_flag_forces_a_save() -> None:
    backend = CountingBackend()
    app = App()
    app.install(SessionPlugin(backend))

    @app.get("/touch")
    def touch(session: Session) -> str:
        session.modified = True
        session["n"] = 1
        return "ok"

    client = Client(app)
    client.get("/touch")
    client.get("/touch")
    assert backend.saves == 2


# -- cookie attributes ----------------------------------------------------------------------------


def test_default_cookie_is_httponly_samesite_lax_path_root_and_not_secure_over_http() -> None:
    morsel = set_cookie(Client(session_app(plugin())).get("/set", query={"u": "a"}))
    assert morsel is not None
    assert morsel["httponly"] is True and morsel["samesite"] == "Lax" and morsel["path"] == "/"
    assert not morsel["secure"] and morsel["max-age"] == ""


def test_cookie_is_secure_when_request_came_over_https() -> None:
    client = Client(session_app(plugin()))
    morsel = set_cookie(client.get("/set", query={"u": "a"}, environ={"wsgi.url_scheme": "https"}))
    assert morsel is not None and morsel["secure"] is True


def test_forwarded_proto_is_ignored_unless_proxy_is_trusted() -> None:
    client = Client(session_app(plugin()))
    morsel = set_cookie(client.get("/set", query={"u": "a"}, headers={"X-Forwarded-Proto": "https"}))
    assert morsel is not None and not morsel["secure"]


def test_forwarded_proto_sets_secure_when_proxy_is_trusted() -> None:
    client = Client(session_app(plugin(trust_proxy=True)))
    morsel = set_cookie(client.get("/set", query={"u": "a"}, headers={"X-Forwarded-Proto": "https"}))
    assert morsel is not None and morsel["secure"] is True


def test_forwarded_proto_sets_secure_when_the_app_trusts_the_proxy() -> None:
    app = session_app(plugin())
    app.config["proxy.trusted_hops"] = 1
    app.config["proxy.headers"] = "proto"
    morsel = set_cookie(Client(app).get("/set", query={"u": "a"}, headers={"X-Forwarded-Proto": "https"}))
    assert morsel is not None and morsel["secure"] is True


def test_secure_true_is_set_even_over_http() -> None:
    morsel = set_cookie(Client(session_app(plugin(secure=True))).get("/set", query={"u": "a"}))
    assert morsel is not None and morsel["secure"] is True


def test_cookie_options_are_applied() -> None:
    session_plugin = plugin(
        cookie_name="sid", max_age=3600, path="/app", domain="example.test", httponly=False, samesite="strict"
    )
    morsel = set_cookie(Client(session_app(session_plugin)).get("/set", query={"u": "a"}), "sid")
    assert morsel is not None
    assert morsel["max-age"] == "3600" and morsel["path"] == "/app" and morsel["domain"] == "example.test"
    assert not morsel["httponly"] and morsel["samesite"] == "Strict"


def test_returned_http_response_carries_the_session_cookie() -> None:
    app = App()
    app.install(plugin())

    @app.get("/made")
    def made(session: Session) -> HTTPResponse:
        session["user"] = "ada"
        return HTTPResponse("created", status=201)

    result = Client(app).get("/made")
    assert result.status_code == 201 and set_cookie(result) is not None


def test_concurrent_requests_in_threads_keep_their_own_sessions() -> None:
    app = App()
    app.install(plugin())
    both_inside = threading.Barrier(2, timeout=10)

    @app.get("/whoami")
    def whoami(session: Session) -> dict[str, Any]:
        both_inside.wait()  # both requests are in flight at once before either reads
        return {"user": session.get("user"), "via_request": request.session.get("user")}

    app.get("/login/<name>")(lambda name, session: session.update(user=name) or "ok")
    clients = {name: Client(app) for name in ("ada", "grace")}
    for name, client in clients.items():
        client.get(f"/login/{name}")
    answers: dict[str, Any] = {}
    threads = [
        threading.Thread(target=lambda n=name, c=client: answers.__setitem__(n, c.get("/whoami").json))
        for name, client in clients.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert answers == {name: {"user": name, "via_request": name} for name in clients}
