"""Responses and requests that must never be stored or served from the cache."""

from __future__ import annotations

from demijohn import App, response
from demijohn.testing import Client
from demijohn_cache import CachePlugin


def route_counting(backend, action, method="GET", **config) -> tuple[App, list[int]]:
    """An app whose `/x` route runs `action()` and counts its calls."""
    app = App()
    app.install(CachePlugin(backend))
    calls: list[int] = []

    def x() -> str:
        calls.append(1)
        return action()

    app.route("/x", method=method, callback=x, cache=config or True)
    return app, calls


def test_server_errors_are_not_cached(backend):
    def fail() -> str:
        response.status = 500
        return "broken"

    app, calls = route_counting(backend, fail)
    client = Client(app)
    answers = [client.get("/x") for _ in range(2)]
    assert [a.status_code for a in answers] == [500, 500]
    assert [a.headers["X-Cache"] for a in answers] == ["MISS", "MISS"]
    assert len(calls) == 2


def test_not_found_is_cached_by_default(backend):
    def missing() -> str:
        response.status = 404
        return "no such thing"

    app, calls = route_counting(backend, missing)
    client = Client(app)
    client.get("/x")
    assert client.get("/x").status_code == 404
    assert len(calls) == 1


def test_cacheable_statuses_are_configurable_per_route(backend):
    def created() -> str:
        response.status = 201
        return "made"

    app, calls = route_counting(backend, created, statuses=[200, 201])
    client = Client(app)
    client.get("/x")
    assert client.get("/x").headers["X-Cache"] == "HIT"
    assert len(calls) == 1


def test_responses_setting_a_cookie_are_not_cached(backend):
    def with_cookie() -> str:
        response.set_cookie("seen", "yes")
        return "hello"

    app, calls = route_counting(backend, with_cookie)
    client = Client(app)
    client.get("/x")
    second = client.get("/x")
    assert second.headers["X-Cache"] == "MISS"
    assert second.headers.getall("Set-Cookie")
    assert len(calls) == 2


def test_cache_control_private_is_not_cached(backend):
    def private() -> str:
        response.set_header("Cache-Control", "private, max-age=60")
        return "mine"

    app, calls = route_counting(backend, private)
    client = Client(app)
    client.get("/x")
    client.get("/x")
    assert len(calls) == 2


def test_cache_control_no_store_is_not_cached(backend):
    def no_store() -> str:
        response.set_header("Cache-Control", "No-Store")
        return "secret"

    app, calls = route_counting(backend, no_store)
    client = Client(app)
    client.get("/x")
    client.get("/x")
    assert len(calls) == 2


def test_requests_with_authorization_bypass_the_cache(backend):
    app, calls = route_counting(backend, lambda: "for you")
    client = Client(app)
    client.get("/x")  # fills the cache for anonymous requests
    answer = client.get("/x", headers={"Authorization": "Bearer abc"})
    assert answer.text == "for you"
    assert "X-Cache" not in answer.headers
    assert len(calls) == 2


def test_route_may_allow_caching_with_authorization(backend):
    app, calls = route_counting(backend, lambda: "shared", authorization=True)
    client = Client(app)
    client.get("/x", headers={"Authorization": "Bearer abc"})
    assert client.get("/x", headers={"Authorization": "Bearer abc"}).headers["X-Cache"] == "HIT"
    assert len(calls) == 1


def test_post_requests_on_an_any_route_are_not_cached(backend):
    app, calls = route_counting(backend, lambda: "any", method="ANY")
    client = Client(app)
    client.post("/x", data=b"1")
    second = client.post("/x", data=b"1")
    assert "X-Cache" not in second.headers
    assert len(calls) == 2


def test_streamed_results_pass_through_uncached(backend):
    app, calls = route_counting(backend, lambda: (chunk for chunk in [b"a", b"b"]))
    client = Client(app)
    assert client.get("/x").body == b"ab"
    assert client.get("/x").body == b"ab"
    assert len(calls) == 2
