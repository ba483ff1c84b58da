"""A page built from the session says so: on the request (for the cache plugin) and in `Vary`."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SECRET
from demijohn import App, HTTPResponse, redirect, request
from demijohn.testing import Client

from demijohn_session import CookieBackend, SessionPlugin


@pytest.fixture
def app() -> App:
    app = App()
    app.install(SessionPlugin(CookieBackend(SECRET)))
    seen: list[Any] = []
    app.config["seen"] = seen

    @app.get("/str")
    def as_str(session: Any) -> str:
        user = session.get("user")
        seen.append(request.varies)
        return f"hello {user}"

    @app.get("/returned")
    def returned(session: Any) -> HTTPResponse:
        return HTTPResponse(f"hello {session.get('user')}", headers={"Vary": "Accept-Language"})

    @app.get("/raised")
    def raised(session: Any) -> None:
        session["seen"] = True
        redirect("/str")

    @app.get("/untouched")
    def untouched(session: Any) -> HTTPResponse:
        seen.append(request.varies)
        return HTTPResponse("no session read")

    return app


def vary_names(answer: Any) -> list[str]:
    return [name.strip() for value in answer.headers.getall("Vary") for name in value.split(",")]


def test_loading_the_session_records_cookie_on_the_request(app):
    Client(app).get("/str")
    assert app.config["seen"] == [frozenset({"Cookie"})]


def test_a_returned_http_response_says_vary_cookie(app):
    answer = Client(app).get("/returned")
    assert answer.text == "hello None"
    assert vary_names(answer) == ["Accept-Language", "Cookie"]


def test_a_raised_redirect_says_vary_cookie(app):
    answer = Client(app).get("/raised")
    assert answer.status_code in (302, 303)
    assert vary_names(answer) == ["Cookie"]


def test_a_str_answer_says_vary_cookie_once(app):
    assert vary_names(Client(app).get("/str")) == ["Cookie"]


def test_a_route_that_never_reads_the_session_varies_on_nothing(app):
    answer = Client(app).get("/untouched")
    assert "Vary" not in answer.headers
    assert app.config["seen"] == [frozenset()]
