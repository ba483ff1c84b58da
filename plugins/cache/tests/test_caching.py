"""Hit and miss, keys, time to live, vary and the headers a cached response carries."""

from __future__ import annotations

import time

from demijohn import App, HTTPResponse, response
from demijohn.testing import Client
from demijohn_cache import CachePlugin


def counted_app(plugin: CachePlugin, **route_config: object) -> tuple[App, list[int]]:
    """An app with one cached route `/items` that counts its calls."""
    app = App()
    app.install(plugin)
    calls: list[int] = []

    @app.get("/items", cache=route_config or True)
    def items() -> dict:
        calls.append(1)
        return {"call": len(calls)}

    return app, calls


def wait_for(condition, seconds: float = 5.0) -> bool:
    """Poll `condition` until it holds or the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_first_request_misses_and_second_hits(backend):
    app, calls = counted_app(CachePlugin(backend))
    client = Client(app)
    first, second = client.get("/items"), client.get("/items")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert first.json == second.json == {"call": 1}
    assert len(calls) == 1


def test_hit_keeps_status_headers_and_body(backend):
    app = App()
    app.install(CachePlugin(backend))

    @app.get("/gone", cache=True)
    def gone() -> str:
        response.status = 410
        response.set_header("X-Reason", "moved away")
        response.content_type = "text/plain; charset=utf-8"
        return "gone for good"

    client = Client(app)
    client.get("/gone")
    hit = client.get("/gone")
    assert hit.status_code == 410
    assert hit.headers["X-Cache"] == "HIT"
    assert hit.headers["X-Reason"] == "moved away"
    assert hit.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert hit.text == "gone for good"


def test_dict_results_are_cached_as_json(backend):
    app, _ = counted_app(CachePlugin(backend))
    client = Client(app)
    client.get("/items")
    hit = client.get("/items")
    assert hit.headers["Content-Type"].startswith("application/json")
    assert hit.json == {"call": 1}


def test_bytes_and_returned_httpresponse_are_cached(backend):
    app = App()
    app.install(CachePlugin(backend))
    calls: list[str] = []

    @app.get("/raw", cache=True)
    def raw() -> bytes:
        calls.append("raw")
        return b"\x00\x01binary"

    @app.get("/made", cache=True)
    def made() -> HTTPResponse:
        calls.append("made")
        return HTTPResponse(body="made here", status=203, headers={"X-Made": "yes"})

    client = Client(app)
    for _ in range(2):
        assert client.get("/raw").body == b"\x00\x01binary"
        made_answer = client.get("/made")
        assert (made_answer.status_code, made_answer.text) == (203, "made here")
        assert made_answer.headers["X-Made"] == "yes"
    assert calls == ["raw", "made"]


def test_query_order_does_not_change_the_key(backend):
    app, calls = counted_app(CachePlugin(backend))
    client = Client(app)
    client.get("/items?b=2&a=1")
    assert client.get("/items?a=1&b=2").headers["X-Cache"] == "HIT"
    assert client.get("/items?a=1&b=3").headers["X-Cache"] == "MISS"
    assert len(calls) == 2


def test_head_requests_are_cached(backend):
    app, calls = counted_app(CachePlugin(backend))
    client = Client(app)
    client.head("/items")
    second = client.head("/items")
    assert second.headers["X-Cache"] == "HIT"
    assert second.body == b""
    assert len(calls) == 1


def test_entry_expires_after_its_ttl(backend):
    app, calls = counted_app(CachePlugin(backend), ttl=0.2)
    client = Client(app)
    client.get("/items")
    assert client.get("/items").headers["X-Cache"] == "HIT"
    assert wait_for(lambda: client.get("/items").headers["X-Cache"] == "MISS")
    assert len(calls) == 2


def test_route_ttl_overrides_plugin_ttl(backend):
    app, _ = counted_app(CachePlugin(backend, ttl=3600), ttl=30)
    assert Client(app).get("/items").headers["Cache-Control"] == "max-age=30"


def test_vary_header_values_get_separate_entries(backend):
    app = App()
    app.install(CachePlugin(backend))

    @app.get("/hello", cache={"vary": ["Accept-Language"]})
    def hello() -> str:
        from demijohn import request

        return {"fr": "bonjour", "de": "hallo"}.get(request.get_header("Accept-Language", ""), "hello")

    client = Client(app)
    french = client.get("/hello", headers={"Accept-Language": "fr"})
    german = client.get("/hello", headers={"Accept-Language": "de"})
    french_again = client.get("/hello", headers={"Accept-Language": "fr"})
    assert (french.text, german.text, french_again.text) == ("bonjour", "hallo", "bonjour")
    assert [r.headers["X-Cache"] for r in (french, german, french_again)] == ["MISS", "MISS", "HIT"]
    assert french.headers["Vary"] == "Accept-Language"


def test_plugin_wide_vary_applies_to_every_route(backend):
    app, calls = counted_app(CachePlugin(backend, vary=["X-Tenant"]))
    client = Client(app)
    client.get("/items", headers={"X-Tenant": "a"})
    assert client.get("/items", headers={"X-Tenant": "b"}).headers["X-Cache"] == "MISS"
    assert client.get("/items", headers={"X-Tenant": "a"}).headers["X-Cache"] == "HIT"
    assert len(calls) == 2


def test_custom_key_function_decides_what_is_shared(backend):
    app, calls = counted_app(CachePlugin(backend, key=lambda request: request.path))
    client = Client(app)
    client.get("/items?page=1")
    assert client.get("/items?page=2").headers["X-Cache"] == "HIT"
    assert len(calls) == 1


def test_responses_carry_etag_and_max_age(backend):
    app, _ = counted_app(CachePlugin(backend, ttl=120))
    client = Client(app)
    miss, hit = client.get("/items"), client.get("/items")
    assert miss.headers["ETag"].startswith('"') and miss.headers["ETag"] == hit.headers["ETag"]
    assert miss.headers["Cache-Control"] == "max-age=120"
    assert 0 <= int(hit.headers["Cache-Control"].removeprefix("max-age=")) <= 120


def test_callback_etag_and_cache_control_are_kept(backend):
    app = App()
    app.install(CachePlugin(backend))

    @app.get("/own", cache=True)
    def own() -> str:
        response.set_header("ETag", '"v7"')
        response.set_header("Cache-Control", "public, max-age=5")
        return "own"

    client = Client(app)
    client.get("/own")
    hit = client.get("/own")
    assert hit.headers["ETag"] == '"v7"'
    assert hit.headers.getall("Cache-Control") == ["public, max-age=5"]


def test_matching_if_none_match_answers_304(backend):
    app, calls = counted_app(CachePlugin(backend))
    client = Client(app)
    etag = client.get("/items").headers["ETag"]
    revalidated = client.get("/items", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.body == b""
    assert revalidated.headers["ETag"] == etag
    assert revalidated.headers["X-Cache"] == "HIT"
    assert len(calls) == 1


def test_weak_and_listed_etags_match(backend):
    app, _ = counted_app(CachePlugin(backend))
    client = Client(app)
    etag = client.get("/items").headers["ETag"]
    answer = client.get("/items", headers={"If-None-Match": f'"other", W/{etag}'})
    assert answer.status_code == 304


def test_stale_if_none_match_gets_the_full_body(backend):
    app, _ = counted_app(CachePlugin(backend))
    client = Client(app)
    client.get("/items")
    answer = client.get("/items", headers={"If-None-Match": '"not-this-one"'})
    assert answer.status_code == 200
    assert answer.json == {"call": 1}


def test_cache_header_can_be_renamed(backend):
    app, _ = counted_app(CachePlugin(backend, header="X-Demijohn-Cache"))
    client = Client(app)
    client.get("/items")
    hit = client.get("/items")
    assert hit.headers["X-Demijohn-Cache"] == "HIT"
    assert "X-Cache" not in hit.headers


def test_cache_header_can_be_turned_off(backend):
    app, calls = counted_app(CachePlugin(backend, header=None))
    client = Client(app)
    client.get("/items")
    assert "X-Cache" not in client.get("/items").headers
    assert len(calls) == 1


def test_all_routes_mode_caches_routes_without_the_keyword(backend):
    app = App()
    app.install(CachePlugin(backend, all_routes=True))
    calls: list[str] = []

    @app.get("/a")
    def a() -> str:
        calls.append("a")
        return "a"

    @app.get("/b", cache=False)
    def b() -> str:
        calls.append("b")
        return "b"

    client = Client(app)
    for _ in range(2):
        client.get("/a")
        client.get("/b")
    assert calls == ["a", "b", "b"]


def test_origin_follows_the_apps_proxy_policy(backend):
    app, calls = counted_app(CachePlugin(backend))
    client = Client(app)
    client.get("/items", headers={"X-Forwarded-Host": "a.example"})
    untrusted = client.get("/items", headers={"X-Forwarded-Host": "b.example"})
    assert untrusted.headers["X-Cache"] == "HIT"  # ignored by the app too: the same answer
    app.config["proxy.trusted_hops"] = 1
    app.config["proxy.headers"] = "for, proto, host"
    first = client.get("/items", headers={"X-Forwarded-Host": "a.example", "X-Forwarded-Proto": "https"})
    other_host = client.get("/items", headers={"X-Forwarded-Host": "b.example", "X-Forwarded-Proto": "https"})
    assert (first.headers["X-Cache"], other_host.headers["X-Cache"]) == ("MISS", "MISS")
    assert len(calls) == 3
