"""A cached route answers as it does uncached, whatever its callback returns and however
the app's JSON plugin serialises: the cache stores what the app would send (issue 17)."""

from __future__ import annotations

import datetime
import json

import pytest
from demijohn import App, HTTPResponse, JSONPlugin
from demijohn.testing import Client
from demijohn_cache import CachePlugin

WHEN = datetime.datetime(2026, 11, 30, 6, 0)


def dumps(value: object) -> str:
    """A json_dumps that knows dates, as apps pass to JSONPlugin."""
    return json.dumps(value, default=lambda item: item.isoformat())


def results() -> dict[str, object]:
    """A callback per kind of result, keyed by a readable id."""
    return {
        "dict with a date": lambda: {"at": WHEN},
        "str": lambda: "plain text",
        "bytes": lambda: b"\x00raw bytes",
        "list of str": lambda: ["a", "b", "c"],
        "generator": lambda: (part for part in ("streamed ", "body")),
        "HTTPResponse with a dict": lambda: HTTPResponse({"at": WHEN}, status=201, headers={"X-Made": "yes"}),
        "HTTPResponse with bytes": lambda: HTTPResponse(b"made", status=203),
        "empty": lambda: None,
    }


def make_app(make_result, *, cache: bool, json_first: bool) -> App:
    """An app whose JSON plugin uses `dumps`: installed instead of the default one before the
    cache (`json_first`: the JSON plugin wraps the cache), or after it (it shadows the
    default one and sits inside the cache)."""
    app = App(autojson=not json_first)
    if json_first:
        app.install(JSONPlugin(json_dumps=dumps))
    app.install(CachePlugin())
    if not json_first:
        app.install(JSONPlugin(json_dumps=dumps))
    app.route("/", callback=lambda: make_result(), **({"cache": True} if cache else {}))
    return app


def answer(app: App) -> tuple[int, str | None, bytes]:
    result = Client(app).get("/")
    return result.status_code, result.headers.get("Content-Type"), result.body


@pytest.mark.parametrize("json_first", [True, False], ids=["json outside the cache", "json inside the cache"])
@pytest.mark.parametrize("kind", list(results()))
def test_cached_route_answers_as_uncached(kind, json_first):
    make_result = results()[kind]
    uncached = answer(make_app(make_result, cache=False, json_first=json_first))
    cached_app = make_app(make_result, cache=True, json_first=json_first)
    first, second = answer(cached_app), answer(cached_app)
    assert uncached[0] < 400, uncached
    assert first == uncached
    assert second == uncached


def test_custom_json_dumps_is_used_by_a_cached_route():
    app = make_app(results()["dict with a date"], cache=True, json_first=True)
    client = Client(app)
    first, second = client.get("/"), client.get("/")
    assert (first.status_code, second.status_code) == (200, 200)
    assert json.loads(second.body) == {"at": "2026-11-30T06:00:00"}
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")


def test_template_route_stores_the_rendered_page():
    app = App()
    app.install(CachePlugin())
    app.route("/", callback=lambda: {"name": "Ada"}, cache=True, template="<p>{{name}}</p>\n")
    client = Client(app)
    first, second = client.get("/"), client.get("/")
    assert first.body == second.body == b"<p>Ada</p>\n"
    assert second.headers["X-Cache"] == "HIT"


def test_dict_without_a_json_plugin_fails_cached_as_uncached():
    app = App(autojson=False)
    app.install(CachePlugin())
    app.route("/", callback=lambda: {"a": 1}, cache=True)
    assert Client(app).get("/").status_code == 500
