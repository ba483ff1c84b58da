"""boddle 0.2.9, the unit-test helper: inside ``with boddle(...)`` a callback is called as a
plain function and reads ``bottle.request`` as if a request had the given parameters,
JSON, headers, method, path, URL or credentials; afterwards the request is as before."""

from __future__ import annotations

import base64

import bottle
from boddle import boddle


def greet() -> str:
    return f"hello {bottle.request.params['name']}"


def test_params_reach_the_callback() -> None:
    with boddle(params={"name": "ada"}):
        assert greet() == "hello ada"


def test_json_body() -> None:
    with boddle(json={"x": 1}):
        assert bottle.request.json == {"x": 1}


def test_headers_method_and_path() -> None:
    with boddle(headers={"X-Token": "t0k"}, method="PUT", path="/items/3"):
        assert bottle.request.get_header("X-Token") == "t0k"
        assert bottle.request.method == "PUT"
        assert bottle.request.path == "/items/3"


def test_url_sets_scheme_host_and_path() -> None:
    with boddle(url="https://example.org/a/b"):
        assert bottle.request.url == "https://example.org/a/b"
        assert bottle.request.urlparts.scheme == "https"


def test_basic_auth_credentials() -> None:
    with boddle(auth=("ada", "s3cret")):
        assert bottle.request.auth == ("ada", "s3cret")
        encoded = base64.b64encode(b"ada:s3cret").decode()
        assert bottle.request.get_header("Authorization") == f"Basic {encoded}"


def test_extra_attributes_are_set_on_the_request_and_removed_after() -> None:
    with boddle(current_user="ada"):
        assert bottle.request.current_user == "ada"
    assert not hasattr(bottle.request, "current_user")


def test_the_request_is_restored_after_the_block() -> None:
    before = bottle.request.environ
    with boddle(params={"name": "ada"}):
        assert bottle.request.environ is not before
    assert bottle.request.environ is before
