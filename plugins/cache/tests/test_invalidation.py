"""Dropping entries: by path, by tag, everything, and memoized function results."""

from __future__ import annotations

import pytest
from demijohn import App
from demijohn.testing import Client
from demijohn_cache import CachePlugin


def two_route_app(plugin: CachePlugin) -> tuple[App, list[str]]:
    app = App()
    app.install(plugin)
    calls: list[str] = []

    @app.get("/items", cache={"tags": ["items"]})
    def items() -> str:
        calls.append("items")
        return "items"

    @app.get("/users", cache={"tags": ["users"]})
    def users() -> str:
        calls.append("users")
        return "users"

    return app, calls


def test_invalidate_by_path_drops_every_query_of_that_path(backend):
    plugin = CachePlugin(backend)
    app, _calls = two_route_app(plugin)
    client = Client(app)
    for path in ("/items?page=1", "/items?page=2", "/users"):
        client.get(path)
    assert plugin.invalidate(path="/items") == 2
    assert client.get("/items?page=1").headers["X-Cache"] == "MISS"
    assert client.get("/items?page=2").headers["X-Cache"] == "MISS"
    assert client.get("/users").headers["X-Cache"] == "HIT"


def test_invalidate_by_tag_drops_only_tagged_routes(backend):
    plugin = CachePlugin(backend)
    app, calls = two_route_app(plugin)
    client = Client(app)
    client.get("/items")
    client.get("/users")
    assert plugin.invalidate(tags=["users"]) == 1
    assert client.get("/users").headers["X-Cache"] == "MISS"
    assert client.get("/items").headers["X-Cache"] == "HIT"
    assert calls == ["items", "users", "users"]


def test_invalidate_needs_a_list_of_tags(backend):
    plugin = CachePlugin(backend)
    with pytest.raises(TypeError, match="list of tags"):
        plugin.invalidate(tags="items")


def test_clear_drops_everything(backend):
    plugin = CachePlugin(backend)
    app, _calls = two_route_app(plugin)
    client = Client(app)
    client.get("/items")
    client.get("/users")
    plugin.clear()
    assert client.get("/items").headers["X-Cache"] == "MISS"
    assert client.get("/users").headers["X-Cache"] == "MISS"


def test_memoize_runs_a_function_once_per_arguments(backend):
    plugin = CachePlugin(backend)
    calls: list[tuple] = []

    @plugin.memoize(ttl=30)
    def square(n: int, label: str = "") -> dict:
        calls.append((n, label))
        return {"value": n * n, "label": label}

    assert square(3) == square(3) == {"value": 9, "label": ""}
    assert square(3, label="x") == {"value": 9, "label": "x"}
    assert square(4)["value"] == 16
    assert calls == [(3, ""), (3, "x"), (4, "")]


def test_memoize_without_arguments_uses_the_plugin_ttl(backend):
    plugin = CachePlugin(backend)
    calls: list[int] = []

    @plugin.memoize
    def answer() -> None:
        calls.append(1)

    assert answer() is None and answer() is None
    assert calls == [1]


def test_memoized_results_can_be_invalidated_by_arguments_and_tags(backend):
    plugin = CachePlugin(backend)
    calls: list[int] = []

    @plugin.memoize(tags=["numbers"])
    def double(n: int) -> int:
        calls.append(n)
        return 2 * n

    double(1), double(2)
    assert double.invalidate(1) is True
    double(1), double(2)
    assert calls == [1, 2, 1]
    plugin.invalidate(tags=["numbers"])
    double(2)
    assert calls == [1, 2, 1, 2]


def test_memoize_refuses_unserialisable_results_with_advice(backend):
    plugin = CachePlugin(backend)

    @plugin.memoize
    def opaque() -> object:
        return object()

    with pytest.raises(TypeError, match="serializer"):
        opaque()


def test_mounted_app_routes_are_keyed_and_invalidated_by_their_full_path(backend):
    plugin = CachePlugin(backend)
    api = App()
    api.install(plugin)
    calls: list[int] = []

    @api.get("/items", cache=True)
    def items() -> str:
        calls.append(1)
        return "api items"

    root = App()
    root.mount("/api", api)
    client = Client(root)
    client.get("/api/items")
    assert client.get("/api/items").headers["X-Cache"] == "HIT"
    assert plugin.invalidate(path="/api/items") == 1
    assert client.get("/api/items").headers["X-Cache"] == "MISS"
    assert len(calls) == 2
