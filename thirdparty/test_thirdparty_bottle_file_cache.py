"""bottle-file-cache 1.1.0: a decorator that caches a route's answer in a file and serves it
again (with a ``Cached-Since`` header) until it expires; only GET requests, never in debug
mode, keyed by the path and the query parameters it is told to use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bottle
import bottle_file_cache
import pytest
from webtest import TestApp


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestApp]:
    saved = bottle_file_cache.CONFIG.folder
    bottle_file_cache.CONFIG.folder = tmp_path
    computed = {"count": 0}
    app = bottle.Bottle()

    @app.route("/report", method=["GET", "POST"])
    @bottle_file_cache.cache(params=["page"])
    def report() -> str:
        computed["count"] += 1
        return f"report #{computed['count']} page {bottle.request.params.get('page', '1')}"

    yield TestApp(app)
    bottle_file_cache.CONFIG.folder = saved


def test_a_second_get_is_served_from_the_file(client: TestApp) -> None:
    first = client.get("/report")
    second = client.get("/report")
    assert first.text == second.text == "report #1 page 1"
    assert "Cached-Since" not in first.headers
    assert second.headers["Cached-Since"].endswith(" min")


def test_the_query_parameters_it_names_are_part_of_the_key(client: TestApp) -> None:
    assert client.get("/report?page=2").text == "report #1 page 2"
    assert client.get("/report?page=3").text == "report #2 page 3"
    assert client.get("/report?page=2").text == "report #1 page 2"


def test_a_post_is_never_cached(client: TestApp) -> None:
    assert client.post("/report").text == "report #1 page 1"
    assert client.post("/report").text == "report #2 page 1"


def test_debug_mode_turns_the_cache_off(client: TestApp) -> None:
    bottle.debug(True)
    try:
        assert client.get("/report").text == "report #1 page 1"
        assert client.get("/report").text == "report #2 page 1"
    finally:
        bottle.debug(False)
