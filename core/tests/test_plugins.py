"""One test per rule of the plugin protocol (docs/plugin-authors.md)."""

import functools

import pytest
from demijohn import App, HTTPError, PluginError
from demijohn.testing import Client


class Recorder:
    """An api-2 plugin that records setup/apply/close and tags responses with its name."""

    api = 2

    def __init__(self, name="recorder", log=None):
        self.name = name
        self.log = log if log is not None else []
        self.setups = self.applies = self.closes = 0

    def setup(self, app):
        self.setups += 1

    def apply(self, callback, route):
        self.applies += 1
        log, name = self.log, self.name

        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            log.append(name)
            return callback(*args, **kwargs)

        return wrapper

    def close(self):
        self.closes += 1


class Other(Recorder):
    pass


def make_app():
    app = App()
    app.route("/", callback=lambda: "ok")
    return app


def test_install_calls_setup_appends_and_returns_the_plugin():
    app = make_app()
    plugin = Recorder()
    assert app.install(plugin) is plugin
    assert plugin.setups == 1
    assert app.plugins[-1] is plugin


def test_install_refuses_an_object_that_is_neither_callable_nor_has_apply():
    with pytest.raises(PluginError, match="must be callable"):
        make_app().install(object())


def test_install_resets_cached_callbacks():
    app = make_app()
    route = app.routes[0]
    first = route.call
    plugin = app.install(Recorder())
    assert route.call is not first
    assert plugin.applies == 1


def test_setup_may_refuse_with_plugin_error():
    class Refusing:
        def setup(self, app):
            raise PluginError("refused", self)

        def apply(self, callback, route):
            return callback

    app = make_app()
    with pytest.raises(PluginError):
        app.install(Refusing())
    assert not any(isinstance(plugin, Refusing) for plugin in app.plugins)


@pytest.mark.parametrize("selector", ["instance", "class", "name", "all"])
def test_uninstall_removes_matches_and_calls_close(selector):
    app = make_app()
    plugin = app.install(Recorder("rec"))
    key = {"instance": plugin, "class": Recorder, "name": "rec", "all": True}[selector]
    removed = app.uninstall(key)
    assert plugin in removed
    assert plugin not in app.plugins
    assert plugin.closes == 1


def test_uninstall_by_class_leaves_other_classes():
    app = make_app()
    keep, drop = app.install(Other("other")), app.install(Recorder("rec"))
    assert app.uninstall(Recorder) == [drop]
    assert keep in app.plugins


def test_uninstall_resets_routes_so_the_plugin_no_longer_wraps():
    app = make_app()
    plugin = app.install(Recorder())
    Client(app).get("/")
    app.uninstall(plugin)
    Client(app).get("/")
    assert plugin.log == ["recorder"]


@pytest.mark.parametrize("selector", ["instance", "class", "name", True])
def test_skip_leaves_the_plugin_out_of_the_route(selector):
    app = App()
    plugin = app.install(Recorder("rec"))
    skip = {"instance": plugin, "class": Recorder, "name": "rec", True: True}[selector]
    app.route("/skipped", callback=lambda: "ok", skip=[skip])
    assert Client(app).get("/skipped").text == "ok"
    assert plugin.applies == 0
    assert plugin.log == []


def test_skip_true_leaves_out_every_plugin_and_call_is_the_callback():
    app = App()
    app.install(Recorder())

    def callback():
        return "ok"

    app.route("/", callback=callback, skip=True)
    assert app.routes[0].call is callback


def test_route_level_apply_wraps_only_that_route_without_setup():
    app = App()
    plugin = Recorder()
    app.route("/with", callback=lambda: "a", apply=[plugin])
    app.route("/without", callback=lambda: "b")
    client = Client(app)
    client.get("/with")
    client.get("/without")
    assert plugin.log == ["recorder"]
    assert plugin.setups == 0


def test_first_installed_plugin_is_the_outermost_wrapper():
    app = make_app()
    log = []
    app.install(Recorder("outer", log))
    app.install(Recorder("inner", log))
    Client(app).get("/")
    assert log == ["outer", "inner"]


def test_route_plugins_are_inside_app_plugins():
    app = App()
    log = []
    app.install(Recorder("app", log))
    app.route("/", callback=lambda: "ok", apply=[Recorder("route", log)])
    Client(app).get("/")
    assert log == ["app", "route"]


def test_a_later_plugin_with_the_same_name_shadows_the_earlier_one():
    app = App()
    log = []
    earlier = app.install(Recorder("same", log))
    later = Recorder("same", log)
    app.route("/", callback=lambda: "ok", apply=[later])
    Client(app).get("/")
    assert earlier.applies == 0
    assert later.applies == 1


def test_apply_runs_once_per_route_across_100_requests():
    app = make_app()
    plugin = app.install(Recorder())
    client = Client(app)
    for _ in range(100):
        assert client.get("/").text == "ok"
    assert plugin.applies == 1
    assert len(plugin.log) == 100


def test_route_reset_makes_apply_run_again():
    app = make_app()
    plugin = app.install(Recorder())
    client = Client(app)
    client.get("/")
    app.routes[0].reset()
    client.get("/")
    assert plugin.applies == 2


def test_app_reset_reapplies_and_fires_app_reset_hook():
    app = make_app()
    plugin = app.install(Recorder())
    fired = []
    app.add_hook("app_reset", lambda: fired.append(True))
    Client(app).get("/")
    app.reset()
    Client(app).get("/")
    assert plugin.applies == 2
    assert fired == [True]


def test_installing_another_plugin_reapplies_existing_ones():
    app = make_app()
    plugin = app.install(Recorder("a"))
    Client(app).get("/")
    app.install(Recorder("b"))
    Client(app).get("/")
    assert plugin.applies == 2


def test_call_is_the_callback_when_no_plugin_wraps():
    app = App(autojson=False)

    def callback():
        return "ok"

    app.route("/", callback=callback)
    assert app.routes[0].call is callback


def test_a_plugin_returning_the_callback_unchanged_keeps_identity():
    app = App()

    class Unconcerned:
        name, api = "unconcerned", 2

        def apply(self, callback, route):
            return callback

    app.install(Unconcerned())

    def callback():
        return "ok"

    app.route("/", callback=callback, skip=["json"])
    assert app.routes[0].call is callback


def test_api1_plugin_is_a_plain_decorator():
    app = make_app()

    def shout(callback):
        return lambda *a, **k: callback(*a, **k).upper()

    app.install(shout)
    assert Client(app).get("/").text == "OK"


def test_close_calls_close_on_every_installed_plugin():
    app = make_app()
    plugin = app.install(Recorder())
    app.close()
    assert plugin.closes == 1


def test_route_config_reaches_plugins_with_app_defaults_behind_it():
    app = App()
    app.config["cache.ttl"] = 5
    seen = {}

    class Reader:
        name, api = "reader", 2

        def apply(self, callback, route):
            seen["cache"] = route.config.get("cache")
            seen["ttl"] = route.config.get("cache.ttl")
            seen["default"] = route.get_config("missing", "fallback")
            return callback

    app.install(Reader())
    app.route("/", callback=lambda: "ok", cache={"ttl": 30})
    app.routes[0].prepare()
    assert seen == {"cache": {"ttl": 30}, "ttl": 30, "default": "fallback"}


def test_http_errors_raised_in_callbacks_pass_through_plugins():
    app = App()
    app.install(Recorder())

    @app.get("/")
    def fail():
        raise HTTPError(418, "short and stout")

    answer = Client(app).get("/")
    assert answer.status_code == 418
    assert "short and stout" in answer.text


def test_explain_lists_applied_plugins_outermost_first_and_reasons_for_the_rest():
    app = App()
    app.install(Recorder("a"))
    app.install(Recorder("b"))
    app.route("/", callback=lambda: "ok", skip=["b"])
    lines = app.routes[0].explain()
    assert lines[:2] == ["1. json", "2. a"]
    assert "left out: b (skipped by name 'b')" in lines


def test_concurrent_first_requests_apply_the_plugins_once():
    import threading
    import time

    class Slow(Recorder):
        def apply(self, callback, route):
            time.sleep(0.05)  # widen the window in which a second thread could build too
            return super().apply(callback, route)

    app = make_app()
    plugin = app.install(Slow())
    threads = [threading.Thread(target=Client(app).get, args=("/",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert plugin.applies == 1
    assert len(plugin.log) == 8
