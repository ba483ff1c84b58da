"""The router: rule syntax, filters, methods, 405/404, precedence and URL building."""

import pytest
from demijohn import App, RouteBuildError, Router, RouteSyntaxError
from demijohn.testing import Client


def match(router, path, method="GET"):
    route, args = router.match({"REQUEST_METHOD": method, "PATH_INFO": path})
    return route, args


def router_with(*rules, method="GET"):
    router = Router()
    for rule in rules:
        router.add(rule, method, rule)
    return router


def test_static_rule_matches_exactly():
    assert match(router_with("/a/b"), "/a/b") == ("/a/b", {})


def test_default_wildcard_matches_one_segment():
    router = router_with("/user/<name>")
    assert match(router, "/user/ann") == ("/user/<name>", {"name": "ann"})
    with pytest.raises(Exception) as error:
        match(router, "/user/ann/x")
    assert error.value.status_code == 404


@pytest.mark.parametrize(("rule", "path", "args"), [
    ("/n/<id:int>", "/n/-42", {"id": -42}),
    ("/f/<x:float>", "/f/1.5", {"x": 1.5}),
    ("/p/<rest:path>", "/p/a/b/c", {"rest": "a/b/c"}),
    ("/r/<code:re:[a-z]{3}>", "/r/abc", {"code": "abc"}),
    ("/anon/<:int>/<name>", "/anon/3/x", {"name": "x"}),
])
def test_filters_convert_values(rule, path, args):
    assert match(router_with(rule), path) == (rule, args)


def test_int_filter_rejects_text():
    with pytest.raises(Exception) as error:
        match(router_with("/n/<id:int>"), "/n/abc")
    assert error.value.status_code == 404


def test_custom_filter():
    router = Router()
    router.add_filter("list", lambda conf: (r"[a-z,]+", lambda text: text.split(","), lambda v: ",".join(v)))
    router.add("/l/<items:list>", "GET", "target", name="l")
    assert match(router, "/l/a,b")[1] == {"items": ["a", "b"]}
    assert router.build("l", items=["x", "y"]) == "/l/x,y"


def test_earliest_defined_dynamic_route_wins_across_prefixes():
    router = Router()
    router.add("/<a>/x", "GET", "first")
    router.add("/foo/<b>", "GET", "second")
    assert match(router, "/foo/x")[0] == "first"
    assert match(router, "/foo/y")[0] == "second"


def test_no_limit_on_the_number_of_dynamic_routes():
    router = Router()
    for number in range(5000):
        router.add(f"/r{number}/<id:int>", "GET", number)
    assert match(router, "/r4999/7") == (4999, {"id": 7})


def test_many_routes_under_one_prefix_still_match_in_order():
    router = Router()
    for number in range(300):
        router.add(f"/api/<id:int>/x{number}", "GET", number)
    assert match(router, "/api/5/x299") == (299, {"id": 5})


def test_head_falls_back_to_get_and_any_matches_all():
    router = Router()
    router.add("/g", "GET", "get")
    router.add("/any", "ANY", "any")
    assert match(router, "/g", "HEAD")[0] == "get"
    assert match(router, "/any", "DELETE")[0] == "any"


def test_wrong_method_is_405_with_allow_header():
    router = router_with("/thing/<id>")
    router.add("/thing/<id>", "PUT", "put")
    with pytest.raises(Exception) as error:
        match(router, "/thing/1", "DELETE")
    assert error.value.status_code == 405
    assert error.value.get_header("Allow") == "GET,HEAD,PUT"


def test_malformed_rule_is_refused_at_definition_naming_the_rule():
    with pytest.raises(RouteSyntaxError, match="/bad/<id:int"):
        Router().add("/bad/<id:int", "GET", "x")


def test_unknown_filter_is_refused():
    with pytest.raises(RouteSyntaxError, match="Unknown filter"):
        Router().add("/x/<id:nope>", "GET", "x")


def test_escaped_angle_bracket_is_literal():
    router = router_with("/a\\<b>")
    assert match(router, "/a<b>")[0] == "/a\\<b>"


def test_build_fills_wildcards_and_puts_the_rest_in_the_query():
    router = Router()
    router.add("/user/<id:int>/<name>", "GET", "x", name="user")
    assert router.build("user", id=3, name="a b", page=2) == "/user/3/a%20b?page=2"


def test_build_unknown_name_or_missing_value_is_a_clear_error():
    router = Router()
    router.add("/user/<id:int>", "GET", "x", name="user")
    with pytest.raises(RouteBuildError, match="No route named"):
        router.build("nope")
    with pytest.raises(RouteBuildError, match="Missing value"):
        router.build("user")


def test_app_get_url_and_route_names_from_callbacks():
    app = App()

    @app.get(name="hello")
    def hello(name, greeting="hi"):
        return f"{greeting} {name}"

    assert [route.rule for route in app.routes] == ["/hello/<name>", "/hello/<name>/<greeting>"]
    assert app.get_url("hello", name="ann", greeting="yo") == "/hello/ann/yo"  # the last rule owns the name
    assert Client(app).get("/hello/ann/yo").text == "yo ann"


def test_several_rules_and_methods_per_callback():
    app = App()
    app.route(["/a", "/b"], ["GET", "POST"], lambda: "ok")
    client = Client(app)
    assert {client.get("/a").text, client.post("/b").text} == {"ok"}


def test_the_same_rule_added_again_replaces_the_route():
    app = App()
    app.get("/x/<id>")(lambda id: "old")
    app.get("/x/<id>")(lambda id: "new")
    assert Client(app).get("/x/1").text == "new"
