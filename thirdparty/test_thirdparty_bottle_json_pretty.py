"""bottle-json-pretty 0.1.2: a subclass of Bottle's ``JSONPlugin`` that indents the JSON of
dict results, installed next to the app's own JSON plugin."""

from __future__ import annotations

import bottle
from bottle_json_pretty import JSONPrettyPlugin
from support import demijohn_gap
from webtest import TestApp


def _second_json_plugin_is_refused() -> bool:
    try:
        bottle.Bottle().install(bottle.JSONPlugin())
    except bottle.PluginError:
        return True
    return False


pytestmark = demijohn_gap(_second_json_plugin_is_refused(),
                          "a second JSONPlugin is refused instead of installed (issue 15 §3)")


def make_app(plugin: JSONPrettyPlugin) -> TestApp:
    app = bottle.Bottle()
    app.install(plugin)

    @app.get("/user")
    def user() -> dict[str, object]:
        return {"name": "ada", "roles": ["admin"]}

    @app.get("/text")
    def text() -> str:
        return "plain"

    return TestApp(app)


def test_dict_results_are_indented_json() -> None:
    answer = make_app(JSONPrettyPlugin(indent=4)).get("/user")
    assert answer.content_type == "application/json"
    assert answer.text == '{\n    "name": "ada",\n    "roles": [\n        "admin"\n    ]\n}'


def test_without_pretty_production_the_json_stays_compact_outside_debug_mode() -> None:
    # the plugin reads bottle.DEBUG once, when it is imported (False), as on Bottle
    answer = make_app(JSONPrettyPlugin(pretty_production=False)).get("/user")
    assert answer.json == {"name": "ada", "roles": ["admin"]}
    assert "\n" not in answer.text


def test_other_results_pass_through() -> None:
    assert make_app(JSONPrettyPlugin()).get("/text").text == "plain"
