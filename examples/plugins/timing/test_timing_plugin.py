"""The timing example passes the conformance kit (strict: SHOULD rules fail too), and does
what its docstring says."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pytest
from demijohn import App, PluginError, redirect
from demijohn.testing import Client
from demijohn.testing.conformance import PluginConformance
from timing import TimingPlugin

ENTRY = re.compile(r"(?P<metric>[\w-]+);dur=(?P<ms>\d+\.\d{3})\Z")


class TestTimingPluginConformance(PluginConformance):
    strict = True
    volatile_headers = frozenset({"server-timing"})  # a duration differs on every request
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {"timing": False}

    def make_plugin(self) -> TimingPlugin:
        return TimingPlugin()

    def make_conflicting_plugin(self) -> TimingPlugin:
        return TimingPlugin(metric="other")


def timed_app(**plugin_options: Any) -> App:
    app = App()
    app.install(TimingPlugin(**plugin_options))
    app.route("/", callback=lambda: "hello")
    app.route("/db", callback=lambda: "rows", timing={"metric": "db"})
    app.route("/off", callback=lambda: "plain", timing=False)
    app.route("/moved", callback=lambda: redirect("/"))
    return app


def test_answers_carry_a_server_timing_entry():
    answer = Client(timed_app()).get("/")
    found = ENTRY.match(answer.headers["Server-Timing"])
    assert found is not None and found["metric"] == "app"
    assert answer.text == "hello"


def test_route_option_names_the_metric_and_false_leaves_the_route_out():
    client = Client(timed_app())
    assert client.get("/db").headers["Server-Timing"].startswith("db;dur=")
    assert "Server-Timing" not in client.get("/off").headers


def test_a_raised_redirect_passes_through_untouched():
    answer = Client(timed_app()).get("/moved")
    assert answer.status_code in (302, 303)
    assert "Server-Timing" not in answer.headers


def test_only_declared_routes_when_not_all_routes():
    client = Client(timed_app(all_routes=False))
    assert "Server-Timing" not in client.get("/").headers
    assert client.get("/db").headers["Server-Timing"].startswith("db;dur=")


def test_bad_metric_name_is_refused_naming_the_route():
    app = App()
    app.install(TimingPlugin())
    app.route("/x", callback=lambda: "x", timing={"metric": "no spaces"})
    with pytest.raises(PluginError, match=r"route '/x': timing\['metric'\]: 'no spaces' is not a metric name"):
        app.routes[0].call  # noqa: B018 - building the callback applies the plugin


def test_second_plugin_on_the_timing_keyword_is_refused():
    app = App()
    app.install(TimingPlugin())
    with pytest.raises(PluginError, match="already claims the route keyword 'timing'"):
        app.install(TimingPlugin(metric="other"))


def test_the_plugin_authors_page_shows_this_file_as_it_is():
    from pathlib import Path

    here = Path(__file__).resolve().parent
    page = (here.parents[2] / "docs" / "plugin-authors.md").read_text(encoding="utf-8")
    assert f"```python\n{(here / 'timing.py').read_text(encoding='utf-8')}```" in page
