"""Odd or hostile request data never turns into a 500 or a poisoned entry."""

from __future__ import annotations

from demijohn import App, request
from demijohn.testing import Client
from demijohn_cache import CachePlugin, MemoryBackend


def echo_app(backend) -> tuple[App, list[str]]:
    app = App()
    app.install(CachePlugin(backend, vary=["Accept-Language"]))
    calls: list[str] = []

    @app.get("/echo", cache=True)
    def echo() -> str:
        calls.append(request.query_string)
        return "echo"

    return app, calls


def test_malformed_if_none_match_gets_the_full_answer(backend):
    app, _ = echo_app(backend)
    client = Client(app)
    client.get("/echo")
    for value in ['"unterminated', ",,,", "W/", "\x7f\x01"]:
        answer = client.get("/echo", headers={"If-None-Match": value})
        assert (answer.status_code, answer.text) == (200, "echo")


def test_if_none_match_star_answers_304_for_a_cached_response(backend):
    app, _ = echo_app(backend)
    client = Client(app)
    client.get("/echo")
    assert client.get("/echo", headers={"If-None-Match": "*"}).status_code == 304


def test_broken_percent_encoding_in_the_query_is_cached_under_its_own_key(backend):
    app, calls = echo_app(backend)
    client = Client(app)
    first = client.get("/echo?q=%zz%")
    second = client.get("/echo?q=%zz%")
    assert [first.status_code, second.status_code] == [200, 200]
    assert second.headers["X-Cache"] == "HIT"
    assert client.get("/echo?q=ok").headers["X-Cache"] == "MISS"
    assert len(calls) == 2


def test_non_ascii_varied_header_values_get_their_own_entries(backend):
    app, _calls = echo_app(backend)
    client = Client(app)
    latin = "fr-\u00e9".encode().decode("latin-1")  # how WSGI hands over UTF-8 bytes
    client.get("/echo", environ={"HTTP_ACCEPT_LANGUAGE": latin})
    answer = client.get("/echo", environ={"HTTP_ACCEPT_LANGUAGE": latin})
    assert (answer.status_code, answer.headers["X-Cache"]) == (200, "HIT")
    assert client.get("/echo", headers={"Accept-Language": "fr"}).headers["X-Cache"] == "MISS"


class GarblingBackend(MemoryBackend):
    """Stores normally but reads back bytes that are not an entry, like a foreign writer."""

    def get(self, key: str) -> bytes | None:
        return None if super().get(key) is None else b"DJC1\x00\x00\x00\x09not json!body"


def test_corrupt_stored_entry_is_treated_as_a_miss():
    app, calls = echo_app(GarblingBackend())
    client = Client(app)
    client.get("/echo")
    answer = client.get("/echo")
    assert (answer.status_code, answer.text, answer.headers["X-Cache"]) == (200, "echo", "MISS")
    assert len(calls) == 2
