"""Hostile input, one test each: header injection, path traversal, open redirects,
oversized input, deep JSON, tampered and replayed sessions, session fixation and cache
poisoning. Redis tests use the Redis at ``DEMIJOHN_TEST_REDIS_URL`` under a key prefix of
their own, deleted afterwards."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from demijohn import App, BaseResponse, redirect, request, response, static_file
from demijohn.testing import Client
from demijohn_cache import CachePlugin, MemoryBackend
from demijohn_session import CookieBackend, SessionPlugin
from support import call_wsgi, csrf, environ_for, signed_up

REDIS_URL = os.environ.get("DEMIJOHN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# --------------------------------------------------------------------------------------------
# Header injection


@pytest.fixture(scope="module")
def echo_app() -> App:
    app = App()

    @app.get("/go")
    def go() -> None:
        redirect(request.query.to)

    @app.get("/header")
    def header() -> str:
        response.set_header("X-Echo", request.query.value)
        return "ok"

    @app.get("/cookie")
    def cookie() -> str:
        response.set_cookie("echo", request.query.value)
        return "ok"

    return app


def test_crlf_in_a_redirect_target_is_percent_encoded_not_a_new_header(echo_app: App) -> None:
    answer = call_wsgi(echo_app, environ_for("GET", "/go", "to=/x%0d%0aSet-Cookie:%20evil=1"))
    assert answer.status_code == 303
    location = answer.header("Location")
    assert answer.header("Set-Cookie") is None and "\r" not in location and "/x%0D%0ASet-Cookie" in location


def test_crlf_in_a_header_value_is_refused_when_set() -> None:
    with pytest.raises(ValueError, match="CR|LF|line"):
        BaseResponse().set_header("X-Echo", "a\r\nSet-Cookie: evil=1")


def test_crlf_in_a_header_value_is_not_in_the_wsgi_answer(echo_app: App) -> None:  # on the wire: core/tests/wire
    answer = call_wsgi(echo_app, environ_for("GET", "/header", "value=a%0d%0aSet-Cookie:%20evil=1"))
    assert answer.header("Set-Cookie") is None and answer.header("X-Echo") is None


def test_crlf_in_a_cookie_value_is_refused_when_set() -> None:
    with pytest.raises(ValueError, match="line break"):
        BaseResponse().set_cookie("echo", "a\r\nSet-Cookie: evil=1")


def test_crlf_in_a_cookie_value_is_not_in_the_wsgi_answer(echo_app: App) -> None:  # on the wire: core/tests/wire
    answer = call_wsgi(echo_app, environ_for("GET", "/cookie", "value=a%0d%0aX-Evil:%201"))
    assert answer.header("X-Evil") is None and answer.header("Set-Cookie") is None


# --------------------------------------------------------------------------------------------
# Path traversal in static_file


@pytest.fixture(scope="module")
def static_app(tmp_path_factory: pytest.TempPathFactory) -> App:
    base = tmp_path_factory.mktemp("static")
    root = base / "public"
    root.mkdir()
    (root / "ok.txt").write_text("public file")
    (base / "secret.txt").write_text("SECRET")
    (root / "link").symlink_to(base)  # a symlink in the root pointing out of it
    (root / "link-file.txt").symlink_to(base / "secret.txt")
    app = App()

    @app.get("/static/<path:path>")
    def serve(path: str) -> Any:
        return static_file(path, root=root)

    return app


def _static(app: App, path_info: str) -> Any:
    return call_wsgi(app, environ_for("GET", path_info))


def test_static_file_serves_a_file_inside_the_root(static_app: App) -> None:
    assert _static(static_app, "/static/ok.txt").body == b"public file"


# A server percent-decodes the path before the app sees it, so "%2e%2e" arrives as "..";
# "%252e%252e" arrives as the literal name "%2e%2e".
@pytest.mark.parametrize("path_info", [
    "/static/../secret.txt", "/static/ok.txt/../../secret.txt", "/static/%2e%2e/secret.txt",
    "/static/..%2fsecret.txt", "/static/..\\secret.txt", "/static/\\..\\secret.txt", "/static//../secret.txt",
    "/static/..//..//secret.txt", "/static/./../secret.txt",
], ids=["dotdot", "nested", "double-encoded", "encoded-slash", "backslash", "leading-backslash", "double-slash",
        "repeated", "dot-dotdot"])
def test_static_file_never_serves_a_file_outside_the_root(static_app: App, path_info: str) -> None:
    answer = _static(static_app, path_info)
    assert answer.status_code in (400, 403, 404) and b"SECRET" not in answer.body


def test_static_file_refuses_a_nul_byte_with_400(static_app: App) -> None:
    assert _static(static_app, "/static/ok.txt\x00.png").status_code == 400


def test_static_file_refuses_an_absolute_path_outside_the_root(static_app: App) -> None:
    answer = _static(static_app, "/static//etc/passwd")
    assert answer.status_code in (403, 404) and b"root:" not in answer.body


def test_static_file_refuses_a_symlinked_folder_out_of_the_root_with_403(static_app: App) -> None:
    assert _static(static_app, "/static/link/secret.txt").status_code == 403


def test_static_file_refuses_a_symlinked_file_out_of_the_root_with_403(static_app: App) -> None:
    assert _static(static_app, "/static/link-file.txt").status_code == 403


# --------------------------------------------------------------------------------------------
# Open redirects


def is_local_path(target: str) -> bool:
    """The safe pattern documented in docs/reliability.md: only same-site paths."""
    return target.startswith("/") and not target.startswith(("//", "/\\")) and not any(
        char in target for char in "\r\n\t\\")


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example", "javascript:x",
                                    "evil.example", "/\t/evil.example", ""])
def test_the_documented_safe_redirect_pattern_refuses_off_site_targets(target: str) -> None:
    assert not is_local_path(target)


def test_the_documented_safe_redirect_pattern_accepts_a_local_path() -> None:
    assert is_local_path("/notes?page=2")


HOSTILE_NEXT = "next=//evil.example/&url=https://evil.example&redirect=%2F%2Fevil.example&to=%5C%5Cevil.example"


def _assert_same_site(answer: Any) -> None:
    location = answer.headers.get("Location")
    if location is not None:
        assert urlsplit(location).netloc == "localhost", location


def test_the_notes_app_never_redirects_off_site_from_user_input(embedded_app: Any) -> None:
    client = Client(embedded_app)
    for path in ("/", "/notes", "/notes/1/edit"):
        _assert_same_site(client.get(f"{path}?{HOSTILE_NEXT}"))
    token = csrf(client.get("/signup").text)
    form = {"csrf": token, "username": "redirected", "password": "correct horse", "next": "//evil.example",
            "url": "https://evil.example"}
    answer = client.post(f"/signup?{HOSTILE_NEXT}", data=form)
    assert answer.status_code == 303
    _assert_same_site(answer)
    for path in ("/notes", "/logout"):
        _assert_same_site(client.post(f"{path}?{HOSTILE_NEXT}", data={**form, "title": "t"}))
    _assert_same_site(client.post(f"/login?{HOSTILE_NEXT}", data=form))


# --------------------------------------------------------------------------------------------
# Oversized and deeply nested input


@pytest.fixture(scope="module")
def member(embedded_app: Any) -> Client:
    return signed_up(embedded_app, "hostile")


def test_a_body_declared_over_the_limit_is_refused_with_413(embedded_app: Any, member: Client) -> None:
    answer = member.post("/api/notes", data=b"{}", headers={"Content-Type": "application/json",
                                                           "Content-Length": str(10**12)})
    assert answer.status_code == 413


def test_a_json_body_over_the_in_memory_limit_is_refused_with_413(embedded_app: Any, member: Client) -> None:
    body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert member.post("/api/notes", data=body, headers={"Content-Type": "application/json"}).status_code == 413


def test_an_upload_over_the_body_limit_is_refused_with_413(embedded_app: Any, member: Client) -> None:
    embedded_app.config["request.max_body"] = 1024 * 1024
    try:
        boundary = "xyz"
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="body"; filename="big.bin"\r\n\r\n'.encode()
                + b"x" * (2 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode())
        answer = member.post("/notes", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    finally:
        del embedded_app.config["request.max_body"]
    assert answer.status_code == 413


def test_a_body_shorter_than_its_content_length_is_refused_with_400(embedded_app: Any, member: Client) -> None:
    answer = member.post("/api/notes", data=b'{"title": "x"}', headers={"Content-Type": "application/json"},
                         environ={"CONTENT_LENGTH": "1000"})
    assert answer.status_code == 400


def test_a_huge_cookie_header_gets_an_answer_below_500(embedded_app: Any) -> None:
    answer = call_wsgi(embedded_app, environ_for("GET", "/notes", HTTP_COOKIE="a=" + "x" * 1_000_000))
    assert answer.status_code < 500


def test_a_huge_query_string_gets_an_answer_below_500(embedded_app: Any) -> None:
    answer = call_wsgi(embedded_app, environ_for("GET", "/public", "&".join(["a=1"] * 200_000)))
    assert answer.status_code < 500


@pytest.mark.parametrize("depth", [500, 5_000, 100_000])
def test_deeply_nested_json_gets_a_4xx_not_a_500(embedded_app: Any, member: Client, depth: int) -> None:
    body = b'{"title": ' + b"[" * depth + b"]" * depth + b"}"
    answer = member.post("/api/notes", data=body, headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500


def test_deeply_nested_json_in_a_body_field_gets_a_4xx_not_a_500(embedded_app: Any, member: Client) -> None:
    body = b'{"title": "t", "body": ' + b'{"a":' * 5_000 + b"1" + b"}" * 5_000 + b"}"
    answer = member.post("/api/notes", data=body, headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500


# --------------------------------------------------------------------------------------------
# Sessions: tampering, replay, fixation


@pytest.fixture
def redis_app(tmp_path: Path) -> Any:
    """The notes app with sessions and cache in Redis, under a key prefix of its own."""
    import redis

    from notes import Settings, create_app

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        from conftest import service_missing

        service_missing(f"Redis at {REDIS_URL} does not answer: {error}")
    prefix = f"test:reliability:{uuid.uuid4().hex[:10]}:"
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'notes.sqlite3'}", redis_url=REDIS_URL,
                              redis_prefix=prefix, secret=secrets.token_urlsafe(32), scrypt_n=16))
    yield app
    app.close()
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _tampered(value: str) -> str:
    middle = len(value) // 2
    return value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1:]


@pytest.mark.parametrize("backend", ["cookie", "redis"])
def test_a_tampered_session_cookie_is_a_fresh_anonymous_session(embedded_app: Any, redis_app: Any,
                                                                backend: str) -> None:
    app = embedded_app if backend == "cookie" else redis_app
    client = signed_up(app, f"tamper_{backend}")
    assert client.get("/api/notes").status_code == 200
    client.cookies["session"] = _tampered(client.cookies["session"])
    assert client.get("/api/notes").status_code == 401


def test_a_session_cookie_replayed_after_logout_does_not_sign_in_with_redis(redis_app: Any) -> None:
    client = signed_up(redis_app, "replayer")
    stolen = client.cookies["session"]
    assert client.post("/logout", data={"csrf": csrf(client.get("/notes").text)}).status_code == 303
    replay = Client(redis_app)
    replay.cookies["session"] = stolen
    assert replay.get("/api/notes").status_code == 401


def test_a_cookie_session_replayed_after_logout_still_signs_in_until_its_ttl(embedded_app: Any) -> None:
    # The documented limit of CookieBackend: no server state, so logout cannot revoke a
    # copied cookie; it stays valid until its signature's ttl (default 14 days) runs out.
    client = signed_up(embedded_app, "cookie_replayer")
    stolen = client.cookies["session"]
    assert client.post("/logout", data={"csrf": csrf(client.get("/notes").text)}).status_code == 303
    replay = Client(embedded_app)
    replay.cookies["session"] = stolen
    assert replay.get("/api/notes").status_code == 200


def _plant_and_sign_up(app: Any, attacker_name: str, victim_name: str) -> tuple[Client, Client, str]:
    """An attacker plants a session cookie of their own in the victim's browser (an anonymous
    visitor has no session to plant: the forms' token is in a cookie of its own), then the
    victim signs up and writes a note."""
    attacker = Client(app)
    attacker.get("/signup")
    assert "session" not in attacker.cookies  # no session before sign-in
    attacker = signed_up(app, attacker_name)
    planted = attacker.cookies["session"]
    victim = Client(app)
    victim.cookies["session"] = planted
    token = csrf(victim.get("/signup").text)
    assert victim.post("/signup", data={"csrf": token, "username": victim_name, "password": "correct horse"}).status_code == 303
    assert victim.cookies["session"] != planted
    assert victim.post("/api/notes", json={"title": f"{victim_name}'s secret"}).status_code == 201
    return attacker, victim, planted


def test_login_changes_the_session_id_against_fixation_with_redis(redis_app: Any) -> None:
    attacker, _, _ = _plant_and_sign_up(redis_app, "planter", "victim")
    assert attacker.get("/api/notes").status_code == 401  # the planted id was deleted, not handed over


def test_login_replaces_the_session_cookie_against_fixation_with_cookie_sessions(embedded_app: Any) -> None:
    attacker, _, _ = _plant_and_sign_up(embedded_app, "planter2", "victim2")
    assert "victim2's secret" not in attacker.get("/api/notes").text  # still only the attacker's own session


# --------------------------------------------------------------------------------------------
# Cache poisoning


def _cached_app() -> App:
    app = App()
    app.install(SessionPlugin(CookieBackend(secrets.token_urlsafe(32))))
    app.install(CachePlugin(MemoryBackend(), ttl=60))

    @app.get("/login/<name>", session=True)
    def login(name: str, session: Any) -> str:
        session["user"] = name
        return "ok"

    @app.get("/greeting", cache=True, session=False)
    def greeting() -> str:
        response.set_cookie("seen", "1")
        return f"hello {request.get_header('X-User', 'nobody')}"

    @app.get("/me", cache=True)
    def me(session: Any) -> str:
        return f"you are {session.get('user', 'nobody')}"

    @app.get("/lang", cache={"vary": ["X-User"]}, session=False)
    def lang() -> str:
        return f"hello {request.get_header('X-User', 'nobody')}"

    return app


def test_a_response_with_set_cookie_is_never_cached() -> None:
    client = Client(_cached_app())
    first = client.get("/greeting", headers={"X-User": "ann"})
    second = Client(client.app).get("/greeting", headers={"X-User": "bob"})
    assert first.headers.get("X-Cache") != "HIT" and second.text == "hello bob"


def test_a_header_in_vary_keeps_two_users_responses_apart() -> None:
    app = _cached_app()
    assert Client(app).get("/lang", headers={"X-User": "ann"}).text == "hello ann"
    assert Client(app).get("/lang", headers={"X-User": "bob"}).text == "hello bob"


def test_a_cached_route_that_reads_the_session_never_serves_one_users_page_to_another() -> None:
    app = _cached_app()
    ann, bob = Client(app), Client(app)
    ann.get("/login/ann")
    bob.get("/login/bob")
    assert ann.get("/me").text == "you are ann"
    assert bob.get("/me").text == "you are bob"


def test_the_notes_public_page_never_shows_one_users_name_to_another(embedded_app: Any) -> None:
    # The numbers are cached for everyone; the page around them is rendered per visitor.
    ann = signed_up(embedded_app, "public_ann")
    assert "public_ann" in ann.get("/public").text
    second = Client(embedded_app).get("/public")
    assert "public_ann" not in second.text and second.headers.get("Set-Cookie") is None


def test_the_notes_pages_with_user_data_are_never_cached(embedded_app: Any) -> None:
    ann = signed_up(embedded_app, "private_ann")
    ann.get("/notes")
    assert ann.get("/notes").headers.get("X-Cache") is None


def test_an_answer_that_read_the_session_says_it_varies_on_cookie() -> None:
    client = Client(_cached_app())
    client.get("/login/ann")
    assert "Cookie" in client.get("/me").headers.get("Vary", "")


def test_a_response_varying_on_a_header_outside_the_cache_key_is_never_stored() -> None:
    app = App()
    app.install(CachePlugin(MemoryBackend(), ttl=60))

    @app.get("/who", cache=True)
    def who() -> str:
        response.set_header("Vary", "X-User")
        return f"hello {request.get_header('X-User', 'nobody')}"

    assert Client(app).get("/who", headers={"X-User": "ann"}).text == "hello ann"
    assert Client(app).get("/who", headers={"X-User": "bob"}).text == "hello bob"


def test_a_malformed_host_header_on_a_redirect_is_a_400_not_a_500(echo_app: App) -> None:
    answer = call_wsgi(echo_app, environ_for("GET", "/go", "to=/x", HTTP_HOST="["))
    assert answer.status_code == 400


def _moved_app() -> App:
    app = App()
    app.install(CachePlugin(MemoryBackend(), ttl=60))

    @app.get("/old", cache=True)
    def old() -> str:  # a permanent redirect to the absolute URL of the new page, returned (so cacheable)
        response.status = 301
        response.set_header("Location", request.url.replace("/old", "/new"))
        return ""

    return app


@pytest.mark.parametrize(("header", "forged"), [("Host", "evil.example"), ("X-Forwarded-Host", "evil.example"),
                                               ("Host", "localhost:1@evil.example")])
def test_a_forged_host_cannot_poison_a_cached_redirect_for_others(header: str, forged: str) -> None:
    app = _moved_app()
    Client(app).get("/old", headers={header: forged})  # the attacker's request fills the cache
    assert Client(app).get("/old").headers["Location"] == "http://localhost/new"
