"""The plugin protocol: identity, skip, apply once, setup conflicts, config errors."""

from __future__ import annotations

import pytest
from demijohn import App, HTTPError, HTTPResponse, PluginError
from demijohn.testing import Client
from demijohn_cache import CachePlugin, MemoryBackend


def test_routes_without_the_keyword_are_left_untouched():
    app = App()
    plugin = app.install(CachePlugin())

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    route = app.routes[0]
    assert plugin.apply(route.callback, route) is route.callback


def test_non_get_routes_are_left_untouched():
    app = App()
    plugin = app.install(CachePlugin())

    @app.post("/write", cache=True)
    def write() -> str:
        return "written"

    route = app.routes[0]
    assert plugin.apply(route.callback, route) is route.callback


def test_opted_in_route_is_wrapped_with_functools_wraps():
    app = App()
    app.install(CachePlugin())

    @app.get("/x", cache=True)
    def documented() -> str:
        """Doc."""
        return "x"

    route = app.routes[0]
    assert route.call is not route.callback
    assert route.call.__name__ == "documented"
    assert route.call.__wrapped__ is documented


@pytest.mark.parametrize("skip", ["cache", CachePlugin, True])
def test_skip_leaves_the_route_uncached(skip):
    app = App()
    app.install(CachePlugin())
    calls: list[int] = []

    @app.get("/x", cache=True, skip=[skip])
    def x() -> str:
        calls.append(1)
        return "x"

    client = Client(app)
    client.get("/x")
    assert "X-Cache" not in client.get("/x").headers
    assert len(calls) == 2


def test_route_level_apply_caches_one_route():
    app = App()
    plugin = CachePlugin()
    calls: list[int] = []

    @app.get("/x", cache=True, apply=[plugin])
    def x() -> str:
        calls.append(1)
        return "x"

    client = Client(app)
    client.get("/x")
    assert client.get("/x").headers["X-Cache"] == "HIT"
    assert len(calls) == 1


def test_apply_runs_once_per_route_not_per_request():
    applied: list[str] = []

    class CountingCache(CachePlugin):
        def apply(self, callback, route):
            applied.append(route.rule)
            return super().apply(callback, route)

    app = App()
    app.install(CountingCache())

    @app.get("/x", cache=True)
    def x() -> str:
        return "x"

    client = Client(app)
    for _ in range(5):
        client.get("/x")
    assert applied == ["/x"]


def test_a_second_cache_plugin_is_refused_at_install():
    app = App()
    app.install(CachePlugin())
    with pytest.raises(PluginError, match="route keyword 'cache'"):
        app.install(CachePlugin())


def test_raised_http_responses_pass_through_unchanged():
    app = App()
    app.install(CachePlugin())

    @app.get("/moved", cache=True)
    def moved() -> None:
        raise HTTPResponse("see there", status=302, Location="/there")

    @app.get("/denied", cache=True)
    def denied() -> None:
        raise HTTPError(403, "no")

    client = Client(app)
    assert client.get("/moved").status_code == 302
    assert client.get("/denied").status_code == 403
    assert client.get("/denied").status_code == 403


def test_returned_http_errors_pass_through_unchanged_and_uncached():
    app = App()
    app.install(CachePlugin())
    calls: list[int] = []

    @app.get("/teapot", cache={"statuses": [200, 418]})
    def teapot() -> HTTPError:
        calls.append(1)
        return HTTPError(418, "short and stout")

    client = Client(app)
    answers = [client.get("/teapot") for _ in range(2)]
    assert [a.status_code for a in answers] == [418, 418]
    assert "short and stout" in answers[1].text
    assert len(calls) == 2


def test_close_on_uninstall_keeps_the_backend_usable():
    backend = MemoryBackend()
    app = App()
    plugin = app.install(CachePlugin(backend))
    app.uninstall(plugin)
    backend.set("k", b"v", 10)
    assert backend.get("k") == b"v"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("yes", "pass True, False or a dict"),
        ({"tll": 5}, "unknown option"),
        ({"ttl": -1}, "positive number"),
        ({"ttl": "60"}, "positive number"),
        ({"vary": "Accept"}, "list of str"),
        ({"tags": [1]}, "non-empty str"),
        ({"key": "path"}, "not callable"),
        ({"statuses": [200, 999]}, "HTTP status code"),
    ],
)
def test_invalid_route_config_raises_plugin_error_naming_the_route(config, message):
    app = App()
    app.install(CachePlugin())

    @app.get("/bad", cache=config)
    def bad() -> str:
        return "bad"

    with pytest.raises(PluginError, match=message) as raised:
        app.routes[0].call  # noqa: B018 - building the callback applies the plugins
    assert "/bad" in str(raised.value)


@pytest.mark.parametrize(
    "kwargs",
    [{"ttl": 0}, {"vary": "Accept"}, {"key": 5}, {"statuses": 200}, {"lock_wait": -1}],
)
def test_invalid_plugin_options_are_refused(kwargs):
    with pytest.raises((TypeError, ValueError)):
        CachePlugin(**kwargs)


def test_invalid_memory_bound_is_refused():
    with pytest.raises(ValueError, match="positive int"):
        MemoryBackend(max_entries=0)
