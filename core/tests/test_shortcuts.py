"""abort() and redirect() (demijohn.shortcuts): the Location built for each kind of target, the
status by protocol, and what of the current response goes along."""

from __future__ import annotations

import pytest

from demijohn import App, abort, redirect, response
from demijohn.testing import Client


@pytest.fixture
def app() -> App:
    return App()


@pytest.fixture
def client(app: App) -> Client:
    return Client(app)


def _redirecting(app: App, target: str, **options: object) -> None:
    @app.get("/notes/5/")
    def jump() -> None:
        redirect(target, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("target", "location"), [
    ("/new", "http://localhost/new"),  # a path from the root: built by concatenation
    ("/new?page=2#top", "http://localhost/new?page=2#top"),
    ("edit", "http://localhost/notes/5/edit"),  # relative: resolved against the request URL
    ("../", "http://localhost/notes/"),
    ("?sort=date", "http://localhost/notes/5/?sort=date"),
    ("//cdn.example/x", "http://cdn.example/x"),  # scheme-relative: another host, as urljoin reads it
    ("https://example.org/a", "https://example.org/a"),
])
def test_the_location_is_absolute_for_every_kind_of_target(app, client, target, location):
    _redirecting(app, target)
    assert client.get("/notes/5/").headers["Location"] == location


def test_a_path_from_the_root_keeps_the_host_and_port_the_client_used(app, client):
    _redirecting(app, "/new")
    answer = client.get("/notes/5/", headers={"Host": "notes.example:8443"})
    assert answer.headers["Location"] == "http://notes.example:8443/new"


def test_a_malformed_host_is_a_400_naming_the_target(app, client):
    _redirecting(app, "/new")
    answer = client.get("/notes/5/", headers={"Host": "["})
    assert answer.status_code == 400
    assert "Host header and &#039;/new&#039;" in answer.text


def test_http_10_gets_302_and_a_given_code_wins(app, client):
    _redirecting(app, "/new")
    assert client.get("/notes/5/", environ={"SERVER_PROTOCOL": "HTTP/1.0"}).status_code == 302
    other = App()
    _redirecting(other, "/new", code=301)
    assert Client(other).get("/notes/5/").status_code == 301


def test_headers_and_cookies_set_before_the_redirect_go_along(app, client):
    @app.get("/login")
    def login() -> None:
        response.set_header("X-Trace", "abc")
        response.set_cookie("seen", "1")
        redirect("/home")

    answer = client.get("/login")
    assert (answer.status_code, answer.headers["X-Trace"], answer.headers["Location"]) == \
        (303, "abc", "http://localhost/home")
    assert any(value.startswith("seen=1") for value in answer.headers.getall("Set-Cookie"))


def test_an_untouched_response_sends_only_the_location(app, client):
    _redirecting(app, "/new")
    answer = client.get("/notes/5/")
    assert "Set-Cookie" not in answer.headers and answer.text == ""


def test_abort_answers_the_status_and_message(app, client):
    @app.get("/gone")
    def gone() -> None:
        abort(410, "It left.")

    answer = client.get("/gone")
    assert answer.status_code == 410 and "It left." in answer.text
