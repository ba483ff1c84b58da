"""Anonymous visitors cost the server nothing: no session is stored for a page view, and the
forms are still protected against cross-site forgery by a signed double-submit cookie."""

from __future__ import annotations

import redis
from conftest import REDIS_URL, csrf, signed_up

from demijohn.testing import Client

ANONYMOUS_PAGES = ["/login", "/signup", "/", "/notes", "/public", "/api", "/no-such-page", "/static/style.css"]


def redis_keys(prefix: str) -> set[bytes]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return set(client.scan_iter(match=f"{prefix}*", count=1000))
    finally:
        client.close()


def test_200_anonymous_page_views_write_no_key_to_redis(services_settings):
    from notes import create_app

    app = create_app(services_settings)
    try:
        Client(app).get("/public")  # the public numbers are cached once, for everyone
        before = redis_keys(services_settings.redis_prefix)
        for number in range(200):
            visitor = Client(app)  # a new visitor each time, as 200 browsers would be
            page = ANONYMOUS_PAGES[number % len(ANONYMOUS_PAGES)]
            assert visitor.get(page).status_code in (200, 303, 404)
        assert redis_keys(services_settings.redis_prefix) == before
        assert not any(b":session:" in key for key in before)
    finally:
        app.close()


def test_an_anonymous_form_page_sets_a_form_cookie_not_a_session(app):
    answer = Client(app).get("/login")
    cookies = [value.split("=", 1)[0] for value in answer.headers.getall("Set-Cookie")]
    assert cookies == ["csrf"]
    assert "HttpOnly" in answer.headers["Set-Cookie"] and "SameSite=Lax" in answer.headers["Set-Cookie"]


def test_a_page_without_a_form_sets_no_cookie_at_all(app):
    for page in ("/public", "/api", "/no-such-page"):
        assert Client(app).get(page).headers.getall("Set-Cookie") == [], page


def test_the_form_cookie_is_reused_while_the_visitor_has_it(app):
    visitor = Client(app)
    token = csrf(visitor.get("/login").text)
    again = visitor.get("/signup")
    assert csrf(again.text) == token and again.headers.getall("Set-Cookie") == []


def test_login_without_a_token_is_refused_with_a_page_of_the_app(app):
    signed_up(app, "erin", "correct horse")
    visitor = Client(app)
    visitor.get("/login")
    answer = visitor.post("/login", data={"username": "erin", "password": "correct horse"})
    assert answer.status_code == 403
    assert "The form has expired or was not sent by this site" in answer.text
    assert 'href="/login"' in answer.text and '<header>' in answer.text
    assert "session" not in visitor.cookies


def test_login_with_a_token_of_another_visitor_is_refused(app):
    signed_up(app, "erin", "correct horse")
    attacker, victim = Client(app), Client(app)
    token = csrf(attacker.get("/login").text)  # the attacker's own valid token ...
    victim.get("/login")
    answer = victim.post("/login", data={"csrf": token, "username": "erin", "password": "correct horse"})
    assert answer.status_code == 403  # ... does not match the victim's cookie


def test_a_forged_form_cookie_is_refused_even_when_the_form_matches_it(app):
    signed_up(app, "erin", "correct horse")
    visitor = Client(app)
    visitor.cookies["csrf"] = "chosen-token.0000"  # e.g. planted by a sibling subdomain
    answer = visitor.post("/login", data={"csrf": "chosen-token", "username": "erin", "password": "correct horse"})
    assert answer.status_code == 403


def test_a_form_cookie_with_a_tampered_signature_is_refused(app):
    visitor = Client(app)
    token = csrf(visitor.get("/signup").text)
    visitor.cookies["csrf"] = visitor.cookies["csrf"][:-1] + ("0" if visitor.cookies["csrf"][-1] != "0" else "1")
    answer = visitor.post("/signup", data={"csrf": token, "username": "mallory", "password": "long enough"})
    assert answer.status_code == 403


def test_anonymous_login_with_the_cookie_token_signs_in(app):
    signed_up(app, "erin", "correct horse")
    visitor = Client(app)
    token = csrf(visitor.get("/login").text)
    answer = visitor.post("/login", data={"csrf": token, "username": "erin", "password": "correct horse"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/notes")
    assert "Signed in as <strong>erin</strong>" in visitor.get("/notes").text


def test_a_signed_in_form_needs_the_sessions_token_not_the_cookies(app):
    client = signed_up(app, "erin")
    cookie_token = client.cookies.get("csrf", "").partition(".")[0]
    assert cookie_token  # set by the sign-up form
    session_token = csrf(client.get("/notes").text)
    assert session_token != cookie_token
    assert client.post("/notes", data={"csrf": cookie_token, "title": "x"}).status_code == 403
    assert client.post("/notes", data={"csrf": session_token, "title": "x"}).status_code == 303
