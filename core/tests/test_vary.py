"""request.vary() / request.varies: what an answer depended on, recorded on the request."""

from __future__ import annotations

import base64

import pytest

from demijohn import App, BaseRequest, HTTPResponse, request
from demijohn.testing import Client
from demijohn.vary import VARIES_KEY


def make_request(**headers: str) -> BaseRequest:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    environ.update({"HTTP_" + name.upper(): value for name, value in headers.items()})
    return BaseRequest(environ)


def test_a_request_that_reads_nothing_records_nothing():
    req = make_request(cookie="user=alice", authorization="Basic eDp5", user_agent="curl")
    assert req.get_header("User-Agent") == "curl"
    assert req.query == {} and req.path == "/"
    assert req.varies == frozenset()
    assert VARIES_KEY not in req.environ  # no allocation either


@pytest.mark.parametrize("read", [
    lambda req: req.cookies,
    lambda req: req.get_cookie("user"),
    lambda req: req.get_cookie("user", secret="s" * 32),
    lambda req: req.get_header("Cookie"),
    lambda req: req.get_header("cookie"),
    lambda req: req.headers["Cookie"],
    lambda req: req.headers.get("COOKIE"),
    lambda req: req.headers.raw("Cookie"),
    lambda req: "Cookie" in req.headers,
    lambda req: list(req.headers),
    lambda req: dict(req.headers.items()),
], ids=["cookies", "get_cookie", "get_cookie-signed", "get_header", "get_header-lower", "headers[]",
        "headers.get", "headers.raw", "in-headers", "list-headers", "dict-headers"])
def test_reading_the_cookie_records_cookie(read):
    req = make_request(cookie="user=alice")
    read(req)
    assert "Cookie" in req.varies


def test_reading_a_missing_cookie_records_it_too():
    # the answer for a visitor without cookies depends on their having none
    req = make_request()
    assert req.get_cookie("user") is None
    assert req.varies == {"Cookie"}


@pytest.mark.parametrize("read", [
    lambda req: req.auth,
    lambda req: req.get_header("Authorization"),
    lambda req: req.headers.get("authorization"),
    lambda req: "Authorization" in req.headers,
], ids=["auth", "get_header", "headers.get", "in-headers"])
def test_reading_the_credentials_records_authorization(read):
    req = make_request(authorization="Basic " + base64.b64encode(b"alice:pw").decode())
    read(req)
    assert req.varies == {"Authorization"}


def test_a_user_authenticated_by_the_server_is_recorded_as_authorization():
    req = BaseRequest({"REMOTE_USER": "alice"})
    assert req.auth == ("alice", None)
    assert req.varies == {"Authorization"}


def test_vary_declares_headers_in_canonical_case():
    req = make_request()
    req.vary("accept-language", "X-TENANT")
    req.vary("Accept-Language")
    assert req.varies == {"Accept-Language", "X-Tenant"}


@pytest.mark.parametrize("name", ["", "Accept Language", "X-Token:", "Cookie\r\n", 42, None])
def test_vary_refuses_what_is_not_a_header_name(name):
    with pytest.raises(ValueError, match="request header names"):
        make_request().vary(name)


def test_varies_is_a_snapshot_not_a_live_view():
    req = make_request()
    req.vary("Accept")
    seen = req.varies
    req.vary("Accept-Language")
    assert seen == {"Accept"} and req.varies == {"Accept", "Accept-Language"}


def test_a_copy_of_the_request_records_into_the_same_answer():
    req = make_request(cookie="a=1")
    req.vary("Accept")
    copy = req.copy()
    copy.get_cookie("a")
    assert req.varies == {"Accept", "Cookie"}


def test_the_record_belongs_to_one_request():
    app = App()
    seen: list[frozenset[str]] = []

    @app.get("/read")
    def read() -> str:
        request.get_cookie("user")
        seen.append(request.varies)
        return "ok"

    @app.get("/plain")
    def plain() -> str:
        seen.append(request.varies)
        return "ok"

    client = Client(app)
    client.get("/read", headers={"Cookie": "user=alice"})
    client.get("/plain", headers={"Cookie": "user=alice"})
    assert seen == [frozenset({"Cookie"}), frozenset()]


def test_reads_by_a_hook_are_seen_by_the_callback_whatever_it_returns():
    app = App()

    @app.hook("before_request")
    def who() -> None:
        request.user = request.get_cookie("user")

    @app.get("/")
    def index() -> HTTPResponse:
        return HTTPResponse(f"{request.user} {sorted(request.varies)}")

    assert Client(app).get("/", headers={"Cookie": "user=alice"}).text == "alice ['Cookie']"
