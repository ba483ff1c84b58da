"""The helpers the core gives plugin authors: materialize, claim_keyword, route_option."""

from __future__ import annotations

import pytest
from demijohn import App, BaseResponse, HTTPError, HTTPResponse, PluginError, claim_keyword, materialize, route_option


class Claimer:
    """A plugin that claims a route keyword."""

    api = 2

    def __init__(self, keyword: str = "timing") -> None:
        self.keyword = keyword

    def setup(self, app: App) -> None:
        claim_keyword(app, self)

    def apply(self, callback, route):
        return callback


@pytest.mark.parametrize(("result", "expected"), [
    ("héllo", "héllo".encode()),
    (b"raw", b"raw"),
    (["a", "b"], b"ab"),
    ((b"a", b"b"), b"ab"),
    (None, b""),
    ("", b""),
])
def test_materialize_known_bodies(result, expected):
    assert materialize(result, BaseResponse()) == expected


def test_materialize_encodes_in_the_response_charset():
    response = BaseResponse()
    response.content_type = "text/plain; charset=latin-1"
    assert materialize("é", response) == b"\xe9"


def test_materialize_applies_an_http_response_first():
    response = BaseResponse()
    assert materialize(HTTPResponse("made", status=201, headers={"X-Made": "yes"}), response) == b"made"
    assert (response.status_code, response.get_header("X-Made")) == (201, "yes")


@pytest.mark.parametrize("result", [HTTPError(404), iter(["streamed"]), {"a": 1}, HTTPResponse(iter([b"x"]))],
                         ids=["error", "iterator", "dict", "streamed answer"])
def test_materialize_leaves_what_it_cannot_hold(result):
    assert materialize(result, BaseResponse()) is None


def test_second_plugin_claiming_a_keyword_is_refused_naming_both():
    app = App()
    first = app.install(Claimer())
    with pytest.raises(PluginError, match="already claims the route keyword 'timing'") as refused:
        app.install(Claimer())
    assert repr(first) in str(refused.value)
    assert app.plugins.count(first) == 1


def test_plugins_with_other_keywords_install_side_by_side():
    app = App()
    app.install(Claimer("a"))
    app.install(Claimer("b"))
    assert [getattr(plugin, "keyword", None) for plugin in app.plugins][-2:] == ["a", "b"]


def test_claim_without_a_keyword_says_how_to_name_it():
    with pytest.raises(TypeError, match="keyword="):
        claim_keyword(App(), object())


def route_with(**config):
    app = App()
    app.route("/", callback=lambda: "x", **config)
    return app.routes[0]


@pytest.mark.parametrize(("config", "missing", "expected"), [
    ({}, False, None), ({}, True, {}), ({"timing": True}, False, {}), ({"timing": False}, True, None),
    ({"timing": {"label": "db"}}, False, {"label": "db"}),
])
def test_route_option_reads_true_false_and_dicts(config, missing, expected):
    assert route_option(route_with(**config), "timing", {"label"}, missing=missing) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("yes", r"route GET '/': timing='yes' is not valid; pass True, False or a dict"),
    ({"lable": 1}, r"route GET '/': timing=\{...\} has unknown option\(s\) \['lable'\]; known options are \['label'\]"),
])
def test_route_option_refuses_bad_values_naming_the_route(value, message):
    plugin = Claimer()
    with pytest.raises(PluginError, match=message) as refused:
        route_option(route_with(timing=value), "timing", {"label"}, plugin=plugin)
    assert refused.value.plugin is plugin


def test_request_slot_publishes_a_request_attribute():
    from demijohn import RequestSlot, request
    from demijohn.testing import Client

    user = RequestSlot("user")
    app = App()

    @app.get("/")
    def index():
        user.set("ada")
        user.set("grace")  # the owner may replace its own value
        return f"{request.user} {user.get()}"

    @app.get("/none")
    def none():
        return repr(user.get("nobody"))

    client = Client(app)
    assert client.get("/").text == "grace grace"
    assert client.get("/none").text == "'nobody'"


def test_request_slot_name_must_be_an_identifier():
    from demijohn import RequestSlot

    with pytest.raises(ValueError, match="identifier"):
        RequestSlot("not-a-name")
