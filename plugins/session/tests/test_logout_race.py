"""Logging out while another request of the same session is in flight (issue 16, LOW).

Two real requests over a threaded server, ordered with Events: a slow one loads the
session and waits; meanwhile the visitor logs out (or logs in again, which moves the
session to a new id); then the slow one changes the session and saves. On Redis the
invalidation wins: the ended session never comes back, and the slow answer leaves the
browser's cookie alone. With the cookie backend the whole session travels in the cookie,
so the slow answer's cookie brings it back: documented in the README, tested here so the
documentation stays true.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from conftest import SECRET
from demijohn import App
from itsdangerous import Signer

from demijohn_session import CookieBackend, RedisBackend, SessionPlugin


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


class RaceApp:
    """An app whose `/slow` request loads the session, waits for the test, then writes it."""

    def __init__(self, plugin: SessionPlugin) -> None:
        self.loaded = threading.Event()
        self.proceed = threading.Event()
        self.app = App()
        self.app.install(plugin)

        @self.app.post("/login/<name>")
        def login(session: Any, name: str) -> str:
            session.regenerate()
            session["user"] = name
            return f"hello {name}"

        @self.app.post("/logout")
        def logout(session: Any) -> str:
            session.invalidate()
            return "bye"

        @self.app.get("/slow")
        def slow(session: Any) -> str:
            user = session.get("user")
            self.loaded.set()
            assert self.proceed.wait(10), "the test never let the slow request go on"
            session["visits"] = session.get("visits", 0) + 1
            return f"slow page for {user}"

        @self.app.get("/whoami")
        def whoami(session: Any) -> str:
            return str(session.get("user"))


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[WSGIServer] = []

    def start(app: App) -> str:
        server = make_server("127.0.0.1", 0, app, server_class=ThreadingServer, handler_class=QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def call(url: str, method: str = "GET", cookie: str | None = None) -> tuple[str, list[str]]:
    """(the body, the Set-Cookie headers) of one request over the socket."""
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers), timeout=10) as answer:
        return answer.read().decode(), answer.headers.get_all("Set-Cookie") or []


def session_cookie(set_cookies: list[str]) -> str | None:
    """The value the answer gives the `session` cookie ('' when it deletes it), None if it leaves it."""
    for header in set_cookies:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if "session" in jar:
            return jar["session"].value
    return None


def race(base: str, race_app: RaceApp, cookie: str, interleaved: tuple[str, str]) -> tuple[str, list[str], list[str]]:
    """Run `/slow` with `cookie` and, while it waits after loading, `interleaved` (method, path).
    Returns (the slow body, the slow answer's Set-Cookie headers, the interleaved answer's)."""
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        slow["body"], slow["cookies"] = call(f"{base}/slow", cookie=cookie)

    thread = threading.Thread(target=run_slow)
    thread.start()
    assert race_app.loaded.wait(10), "the slow request did not load its session"
    method, path = interleaved
    _, other_cookies = call(f"{base}{path}", method=method, cookie=cookie)
    race_app.proceed.set()
    thread.join(10)
    return slow["body"], slow["cookies"], other_cookies


def logged_in(base: str, name: str) -> str:
    """Log `name` in over the socket; the session cookie's value."""
    cookie = session_cookie(call(f"{base}/login/{name}", "POST")[1])
    assert cookie, "the login set no session cookie"
    return cookie


def redis_id(cookie: str) -> str:
    """The session id a RedisBackend cookie carries."""
    return Signer(SECRET, salt=RedisBackend.salt).unsign(cookie).decode()


@pytest.fixture
def redis_race(redis_url: str, prefix: str) -> Iterator[RaceApp]:
    plugin = SessionPlugin(RedisBackend(redis_url, prefix, 300, secret_or_secrets=SECRET))
    yield RaceApp(plugin)
    plugin.close()


def test_on_redis_a_logout_wins_over_a_request_in_flight(redis_race, serve, redis_client, prefix):
    base = serve(redis_race.app)
    cookie = logged_in(base, "alice")
    session_id = redis_id(cookie)

    body, slow_cookies, logout_cookies = race(base, redis_race, cookie, ("POST", "/logout"))

    assert body == "slow page for alice"  # the slow request itself is answered normally
    assert session_cookie(logout_cookies) == ""  # the logout deleted the cookie
    assert session_cookie(slow_cookies) is None  # and the slow answer does not set it again
    assert redis_client.exists(prefix + session_id) == 0  # nor brings the data back
    assert call(f"{base}/whoami", cookie=cookie)[0] == "None"  # the old cookie is no one's


def test_on_redis_a_new_login_wins_over_a_request_in_flight(redis_race, serve, redis_client, prefix):
    base = serve(redis_race.app)
    cookie = logged_in(base, "alice")
    old_id = redis_id(cookie)

    _, slow_cookies, login_cookies = race(base, redis_race, cookie, ("POST", "/login/bob"))

    new_cookie = session_cookie(login_cookies)
    assert new_cookie and new_cookie != cookie
    assert session_cookie(slow_cookies) is None  # the slow answer leaves bob's new cookie alone
    assert redis_client.exists(prefix + old_id) == 0  # the id before the login stays dead
    assert call(f"{base}/whoami", cookie=cookie)[0] == "None"
    assert call(f"{base}/whoami", cookie=new_cookie)[0] == "bob"


def test_with_cookie_sessions_the_answer_in_flight_brings_the_session_back(serve):
    race_app = RaceApp(SessionPlugin(CookieBackend(SECRET)))
    base = serve(race_app.app)
    cookie = logged_in(base, "alice")

    _, slow_cookies, logout_cookies = race(base, race_app, cookie, ("POST", "/logout"))

    assert session_cookie(logout_cookies) == ""
    revived = session_cookie(slow_cookies)
    assert revived  # the server keeps nothing it could check: the slow answer re-sets the cookie
    assert call(f"{base}/whoami", cookie=revived)[0] == "alice"
    assert call(f"{base}/whoami", cookie=cookie)[0] == "alice"  # and a copy of the old cookie still works


def test_on_redis_a_session_that_expired_while_in_flight_is_not_revived(redis_race, serve, redis_client, prefix):
    base = serve(redis_race.app)
    cookie = logged_in(base, "alice")
    session_id = redis_id(cookie)
    slow: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: slow.update(answer=call(f"{base}/slow", cookie=cookie)))
    thread.start()
    assert redis_race.loaded.wait(10)
    redis_client.delete(prefix + session_id)  # what the TTL does when it runs out
    redis_race.proceed.set()
    thread.join(10)
    assert session_cookie(slow["answer"][1]) is None
    assert redis_client.exists(prefix + session_id) == 0


def test_redis_save_refuses_an_id_that_is_gone(redis_url, prefix, redis_client):
    from demijohn_session import SessionEnded

    backend = RedisBackend(redis_url, prefix, 300, secret_or_secrets=SECRET)
    session_id, _ = backend.save(None, {"user": "alice"})
    assert session_id is not None
    backend.delete(session_id)
    with pytest.raises(SessionEnded, match="ended"):
        backend.save(session_id, {"user": "alice", "visits": 1})
    assert redis_client.exists(prefix + session_id) == 0
    backend.close()

