"""The default-app stack and the module-level shortcuts that relay to its top app."""

from __future__ import annotations

import pytest

import demijohn
from demijohn import App, AppStack, default_app
from demijohn.testing import Client


@pytest.fixture
def pushed():
    """A fresh default app for one test, popped afterwards."""
    app = default_app.push()
    yield app
    default_app.remove(app)


def test_default_app_returns_the_top_of_the_stack(pushed):
    assert default_app() is pushed


def test_push_without_an_app_creates_one():
    stack = AppStack()
    created = stack.push()
    assert isinstance(created, App) and stack() is created


def test_push_with_an_app_pushes_that_app():
    stack, app = AppStack(), App()
    assert stack.push(app) is app and stack() is app


def test_pop_returns_to_the_previous_default_app(pushed):
    inner = default_app.push()
    default_app.pop()
    assert default_app() is pushed and inner is not pushed


def test_app_alias_is_the_default_app_stack():
    assert demijohn.app is default_app


def test_module_route_adds_to_the_current_default_app(pushed):
    @demijohn.route("/hello")
    def hello():
        return "hi"

    assert Client(pushed).get("/hello").text == "hi"


@pytest.mark.parametrize("shortcut,method", [("get", "GET"), ("post", "POST"), ("put", "PUT"),
                                             ("patch", "PATCH"), ("delete", "DELETE")])
def test_method_shortcuts_add_routes_with_their_method(pushed, shortcut, method):
    getattr(demijohn, shortcut)("/thing")(lambda: method)
    assert pushed.routes[-1].method == method


def test_module_error_registers_a_handler_on_the_default_app(pushed):
    demijohn.error(404)(lambda error: "nothing here")
    assert Client(pushed).get("/missing").text == "nothing here"


def test_module_hook_registers_on_the_default_app(pushed):
    calls = []
    demijohn.hook("before_request")(lambda: calls.append("before"))
    demijohn.get("/")(lambda: "ok")
    Client(pushed).get("/")
    assert calls == ["before"]


def test_module_install_and_uninstall_act_on_the_default_app(pushed):
    plugin = demijohn.install(lambda callback: callback)
    assert plugin in pushed.plugins
    demijohn.uninstall(plugin)
    assert plugin not in pushed.plugins


def test_module_mount_mounts_on_the_default_app(pushed):
    child = App()
    child.get("/inside")(lambda: "mounted")
    demijohn.mount("/child", child)
    assert Client(pushed).get("/child/inside").text == "mounted"


def test_module_url_builds_from_the_default_app(pushed):
    demijohn.get("/user/<id:int>", name="user")(lambda id: str(id))
    assert demijohn.url("user", id=7) == "/user/7"


def test_shortcuts_follow_the_stack_after_a_push(pushed):
    inner = default_app.push()
    try:
        demijohn.get("/inner")(lambda: "inner")
    finally:
        default_app.pop()
    assert [route.rule for route in inner.routes] == ["/inner"] and pushed.routes == []


@pytest.mark.parametrize("name", ["route", "get", "post", "put", "patch", "delete", "error", "mount", "hook",
                                  "install", "uninstall"])
def test_shortcuts_keep_the_name_and_docstring_of_the_app_method(name):
    shortcut, method = getattr(demijohn, name), getattr(App, name)
    assert (shortcut.__name__, shortcut.__doc__) == (name, method.__doc__)


def test_url_shortcut_carries_the_docstring_of_get_url():
    assert demijohn.url.__name__ == "url" and demijohn.url.__doc__ == App.get_url.__doc__
