"""bottle-errorsrest 0.0.3: replaces the app's default error page with a JSON body
``{"message": ...}`` for every error: aborts, unknown routes, wrong methods, exceptions."""

from __future__ import annotations

import bottle
import pytest
from bottle_errorsrest import ErrorsRestPlugin
from support import demijohn_gap
from webtest import TestApp


def _405_differs_from_bottles() -> bool:
    app = bottle.Bottle()
    app.install(ErrorsRestPlugin())
    app.route("/", "GET", lambda: "")
    answer = TestApp(app).post("/", status=405)
    return (answer.json["message"], answer.headers["Allow"]) != ("Method not allowed.", "GET")


def make_client() -> TestApp:
    app = bottle.Bottle()
    app.install(ErrorsRestPlugin())

    @app.get("/items/<item_id:int>")
    def item(item_id: int) -> dict[str, int]:
        if item_id > 10:
            bottle.abort(404, f"No item {item_id}.")
        return {"id": item_id}

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    return TestApp(app)


def test_abort_answers_json_with_the_message() -> None:
    answer = make_client().get("/items/11", status=404)
    assert answer.content_type == "application/json"
    assert answer.json == {"message": "No item 11."}


def test_an_unknown_route_answers_json() -> None:
    answer = make_client().get("/nowhere", status=404)
    assert answer.json == {"message": "Not found: '/nowhere'"}


@demijohn_gap(_405_differs_from_bottles(), "the 405 answer says 'Method POST not allowed here; use GET, HEAD.' "
              "with Allow: GET, HEAD where Bottle says 'Method not allowed.' with Allow: GET (issue 15 §3)")
def test_a_wrong_method_answers_json_with_allow() -> None:
    answer = make_client().post("/items/1", status=405)
    assert answer.json == {"message": "Method not allowed."}
    assert answer.headers["Allow"] == "GET"


def test_an_exception_answers_json_500() -> None:
    answer = make_client().get("/crash", status=500, expect_errors=True)
    assert answer.json == {"message": "Internal Server Error"}


def test_successful_answers_are_untouched() -> None:
    assert make_client().get("/items/3").json == {"id": 3}


# What the conformance kit reports about it (docs/plugin-ecosystem.md), shown on both runtimes.
def test_skip_true_does_not_leave_a_route_out() -> None:
    app = bottle.Bottle()
    app.install(ErrorsRestPlugin())
    app.route("/tea", "GET", lambda: bottle.abort(418, "Tea."), skip=True)
    assert TestApp(app).get("/tea", status=418).json == {"message": "Tea."}


def test_uninstall_leaves_the_json_errors_in_place_and_a_second_install_raises() -> None:
    app = bottle.Bottle()
    plugin = app.install(ErrorsRestPlugin())
    app.uninstall(plugin)
    app.route("/tea", "GET", lambda: bottle.abort(418, "Tea."))
    assert TestApp(app).get("/tea", status=418).json == {"message": "Tea."}
    with pytest.raises(AttributeError, match="default_error_handler"):
        app.install(plugin)
