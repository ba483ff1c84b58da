"""load() and load_app(): importing modules, objects and apps from 'pkg.mod:expr' strings."""

from __future__ import annotations

import sys

import pytest

import demijohn
from demijohn import App, BottleException, LoadError, default_app, load, load_app
from demijohn.testing import Client
from serving_apps import extras


def test_load_without_colon_returns_the_module():
    assert load("serving_apps.extras") is extras


def test_load_with_a_name_returns_the_attribute():
    assert load("serving_apps.extras:tag") is extras.tag


def test_load_follows_dotted_attributes():
    assert load("serving_apps.extras:TagPlugin.name") == "tag"


def test_load_evaluates_a_call_with_literal_arguments():
    plugin = load("serving_apps.extras:TagPlugin('blue')")
    assert plugin.tag == "blue"


def test_load_evaluates_names_given_as_keywords():
    app = load("serving_apps.extras:make_app(greeting, suffix='!')", greeting="hey")
    assert Client(app).get("/").text == "hey!"


def test_load_keywords_shadow_module_names():
    assert load("serving_apps.extras:tag", tag="mine") == "mine"


def test_load_evaluates_literal_containers_and_negative_numbers():
    assert load("serving_apps.extras:{'a': [1, -2], 'b': (None, True)}") == {"a": [1, -2], "b": (None, True)}


def test_load_does_not_offer_builtins_to_expressions():
    with pytest.raises(LoadError, match="no attribute 'exec'"):
        load("serving_apps.extras:exec('x = 1')")


def test_load_refuses_operators_instead_of_evaluating_them():
    with pytest.raises(LoadError, match="BinOp is not allowed"):
        load("serving_apps.extras:not_callable + 1")


def test_load_refuses_lambdas():
    with pytest.raises(LoadError, match="Lambda is not allowed"):
        load("serving_apps.extras:(lambda: 1)()")


def test_load_reports_an_invalid_expression():
    with pytest.raises(LoadError, match="not a valid expression"):
        load("serving_apps.extras:make_app(")


def test_load_reports_a_missing_attribute_with_module_and_name():
    with pytest.raises(LoadError, match="module 'serving_apps.extras' has no attribute 'nothing_here'"):
        load("serving_apps.extras:nothing_here")


def test_load_reports_a_missing_name_inside_an_expression():
    with pytest.raises(LoadError, match="no attribute 'unknown'"):
        load("serving_apps.extras:unknown()")


def test_load_reports_a_missing_module_with_a_hint():
    with pytest.raises(LoadError, match="no module named 'demijohn_nowhere'.*sys.path"):
        load("demijohn_nowhere.app:app")


def test_load_error_is_an_import_error_and_a_framework_error():
    with pytest.raises(ImportError) as caught:
        load("demijohn_nowhere")
    assert isinstance(caught.value, BottleException)


def test_load_lets_a_missing_import_inside_the_module_propagate_unchanged():
    with pytest.raises(ModuleNotFoundError) as caught:
        load("serving_apps.brokenimport")
    assert not isinstance(caught.value, LoadError)
    assert caught.value.name == "demijohn_module_that_does_not_exist"


@pytest.mark.parametrize("target", ["", "   ", None])
def test_load_refuses_an_empty_target(target):
    with pytest.raises(LoadError, match="give a string"):
        load(target)


def test_load_app_returns_a_callable_target_itself():
    assert load_app("serving_apps.hello:app") is load("serving_apps.hello:app")


def test_load_app_calls_a_factory_expression():
    app = load_app("serving_apps.extras:make_app('factory')")
    assert Client(app).get("/").text == "factory"


def test_load_app_of_a_module_returns_the_fresh_default_app_with_its_routes():
    sys.modules.pop("serving_apps.defaultroutes", None)
    app = load_app("serving_apps.defaultroutes")
    assert Client(app).get("/").text == "from the default app"


def test_load_app_makes_run_do_nothing_while_importing():
    sys.modules.pop("serving_apps.defaultroutes", None)
    load_app("serving_apps.defaultroutes")
    assert sys.modules["serving_apps.defaultroutes"].LOADED_AFTER_RUN is True


def test_load_app_leaves_the_default_app_stack_as_it_was():
    before = list(default_app)
    sys.modules.pop("serving_apps.defaultroutes", None)
    load_app("serving_apps.defaultroutes")
    assert list(default_app) == before


def test_load_app_pops_its_fresh_app_when_the_import_fails():
    before = list(default_app)
    with pytest.raises(ModuleNotFoundError):
        load_app("serving_apps.brokenimport")
    assert list(default_app) == before


def test_load_app_routes_do_not_land_on_the_previous_default_app():
    outer = default_app()
    count = len(outer.routes)
    sys.modules.pop("serving_apps.defaultroutes", None)
    load_app("serving_apps.defaultroutes")
    assert len(outer.routes) == count


def test_run_works_again_after_load_app():
    load_app("serving_apps.hello:app")
    with pytest.raises(demijohn.ServerError, match="Unknown server"):
        demijohn.run(App(), server="no-such-server")
