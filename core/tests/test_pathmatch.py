"""Route matching never backtracks catastrophically: paths over ``request.max_path`` are a
414 before any rule's pattern runs, and rules whose wildcards can run into each other are
matched in linear time with the same result as their regular expression."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest

from demijohn import App, Router
from demijohn.pathmatch import LinearMatcher
from demijohn.testing import Client

AMBIGUOUS_RULES = ["/<a>-<b>-<c>", "/<a:path>/<b:path>/end", "/<a:path>/<b:path>/<c:int>", "/<a>.<b>.<ext>",
                   "/x/<a:path>/<b>-<c:int>", "/<a:int><b:int>", "/<a:path><b:path>", "/f/<name>-<n:int>.<ext>",
                   "/<:path>/<b>/<c:path>/end", "/<name>.<ext>"]


def _router(rule: str) -> Router:
    router = Router()
    router.add(rule, "GET", rule)  # type: ignore[arg-type]
    return router


def _matcher(router: Router) -> Any:
    node = router._trees["GET"]
    while not node.routes:
        node = next(iter(node.children.values()))
    return node.routes[0][1]


@pytest.mark.parametrize("rule", AMBIGUOUS_RULES)
def test_rules_whose_wildcards_can_run_into_each_other_get_the_linear_matcher(rule: str) -> None:
    assert isinstance(_matcher(_router(rule)), LinearMatcher)


@pytest.mark.parametrize("rule", ["/user/<id>", "/user/<id:int>/posts/<post>", "/static/<path:path>",
                                  "/<a:path>/edit", "/<a>-<b:re:[0-9]+>-<c:re:.*>"])
def test_other_rules_keep_their_regular_expression(rule: str) -> None:
    assert isinstance(_matcher(_router(rule)), re.Pattern)


@pytest.mark.parametrize("rule", AMBIGUOUS_RULES)
def test_the_linear_matcher_finds_what_the_regex_finds(rule: str) -> None:
    router = _router(rule)
    pattern, _, _, _ = router._compile(rule)
    regex = re.compile(f"^{pattern}\\Z")
    matcher = _matcher(router)
    chooser = random.Random(rule)
    for _ in range(3000):
        path = "/" + "".join(chooser.choice("a-/1.x\u0663") for _ in range(chooser.randint(0, 14)))
        for candidate in (path, path + "/end"):
            expected, found = regex.match(candidate), matcher.match(candidate)
            assert (expected and expected.groupdict()) == (found and found.groupdict()), (rule, candidate)


# The 60 KB request line of the report: a path that ends in neither "/end" nor a number.
LONG_PATH = "/a" * 30_000


def _budget_app(rule: str) -> App:
    app = App()
    app.route(rule, callback=lambda **_: "found")
    return app


def test_a_path_over_the_limit_is_a_414_and_no_rule_is_tried() -> None:
    app = _budget_app("/<a:path>/<b:path>/end")
    tried: list[str] = []
    real_match = app.router._match_dynamic
    app.router._match_dynamic = lambda method, path: tried.append(path) or real_match(method, path)  # type: ignore
    answer = Client(app).get(LONG_PATH)
    assert answer.status_code == 414 and "request.max_path" in answer.text and tried == []


def test_the_path_limit_is_configurable() -> None:
    app = _budget_app("/<name>")
    app.config["request.max_path"] = 20
    assert Client(app).get("/" + "x" * 19).status_code == 200
    assert Client(app).get("/" + "x" * 20).status_code == 414


@pytest.mark.parametrize("value", [0, -1, "many", True])
def test_a_wrong_path_limit_is_refused_when_set(value: Any) -> None:
    with pytest.raises(ValueError, match="request.max_path"):
        App().config["request.max_path"] = value


@pytest.mark.parametrize(("rule", "path"), [
    ("/<a:path>/<b:path>/end", LONG_PATH),
    ("/<a:path>/<b:path>/<c:int>", LONG_PATH + "/x"),
    ("/<a>-<b>-<c>", "/" + "a-" * 30_000 + "/x"),  # cubic for the regex: hours at this size
])
def test_a_long_path_against_an_ambiguous_rule_is_answered_within_a_cpu_budget(rule: str, path: str) -> None:
    app = _budget_app(rule)
    app.config["request.max_path"] = 100_000  # let the long path reach the matcher
    started = time.process_time()
    answer = Client(app).get(path)
    # Generous on purpose (not a timing test): the backtracking regex took 16.6 s on the first,
    # and minutes on the last; the linear matcher takes milliseconds.
    assert answer.status_code == 404 and time.process_time() - started < 2.0


def test_the_linear_matcher_converts_values_like_the_regex_route() -> None:
    app = App()
    app.route("/f/<name>-<n:int>.<ext>", callback=lambda name, n, ext: f"{name}|{n + 1}|{ext}")
    assert Client(app).get("/f/my-file-41.tar.gz").text == "my-file|42|tar.gz"
