"""Behaviour that Bottle apps and third-party code depend on: route precedence, the old rule
syntax, URL building by rule, error texts, JSON plugin shadowing, mount metadata, and the
small data-structure and helper semantics of Bottle 0.13."""

from __future__ import annotations

import warnings
from http.cookies import CookieError

import pytest
from serving_apps.harness import Served, child_env, free_port

import demijohn
from demijohn import (App, BaseRequest, BaseResponse, ConfigDict, FormsDict, HeaderDict, HeaderProperty, HTTPError,
                      JSONPlugin, MultiDict, ResourceManager, RouteReset, Router, RouterUnknownModeError, auth_basic,
                      lazy_attribute, request)
from demijohn.testing import Client


def environ(path: str, method: str = "GET") -> dict[str, str]:
    return {"PATH_INFO": path, "REQUEST_METHOD": method}


# -- routing -----------------------------------------------------------------------------------------
def test_a_dynamic_route_of_the_method_wins_over_a_static_any_route():
    router = Router()
    router.add("/x/y", "ANY", "any-static")
    router.add("/x/<a>", "GET", "get-dynamic")
    assert router.match(environ("/x/y"))[0] == "get-dynamic"
    assert router.match(environ("/x/y", "POST"))[0] == "any-static"


def test_static_routes_win_over_dynamic_ones_of_the_same_method():
    router = Router()
    router.add("/<:>", "ANY", "any-dynamic")
    router.add("/foo", "ANY", "any-static")
    assert router.match(environ("/foo"))[0] == "any-static"
    assert router.match(environ("/bar"))[0] == "any-dynamic"


def test_the_old_rule_syntax_matches_and_warns():
    router = Router()
    with pytest.warns(DeprecationWarning, match="Use <name> instead of :name"):
        router.add("/old/:name/:id#[0-9]+#/:#x+#", "GET", "old")
    assert router.match(environ("/old/ada/42/xx")) == ("old", {"name": "ada", "id": "42"})
    with pytest.raises(HTTPError):
        router.match(environ("/old/ada/x/xx"))


def test_an_escaped_colon_is_literal_and_does_not_warn():
    router = Router()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        router.add("/time/\\:now/12:30", "GET", "literal")
    assert router.match(environ("/time/:now/12:30"))[0] == "literal"


def test_an_unknown_filter_is_a_router_unknown_mode_error():
    with pytest.raises(RouterUnknownModeError, match="Unknown filter 'nosuch'"):
        Router().add("/<x:nosuch>", "GET", "target")


def test_every_rule_is_in_the_builder_and_get_url_takes_a_rule():
    app = App()
    app.get("/items/<item_id:int>")(lambda item_id: str(item_id))
    app.get("/named/<x>", name="named")(lambda x: x)
    assert set(app.router.builder) == {"/items/<item_id:int>", "/named/<x>", "named"}
    assert app.get_url("/items/<item_id:int>", item_id=7, page=2) == "/items/7?page=2"
    assert app.get_url("named", x="a b") == "/named/a%20b"


def test_anonymous_wildcards_build_from_positional_values():
    router = Router()
    router.add("/anon/<:re:[a-z]+>/<:int>", "GET", "target", name="anon")
    assert [key for key, _ in router.builder["anon"] if key] == ["anon0", "anon1"]
    assert router.build("anon", "abc", 5) == "/anon/abc/5"
    with pytest.raises(demijohn.RouteBuildError, match="anon1"):
        router.build("anon", "abc")


def test_route_reset_from_a_before_request_hook_starts_over():
    app = App()
    calls = []

    @app.hook("before_request")
    def reset_once():
        calls.append("hook")
        if len(calls) == 1:
            raise RouteReset

    app.get("/")(lambda: "answered")
    assert Client(app).get("/").text == "answered"
    assert calls == ["hook", "hook"]


def test_a_hook_that_always_resets_gets_a_500_not_a_hang():
    app = App()
    app.hook("before_request")(lambda: (_ for _ in ()).throw(RouteReset()))
    app.get("/")(lambda: "never")
    answer = Client(app).get("/")
    assert answer.status_code == 500


# -- error pages ------------------------------------------------------------------------------------
def test_an_unsupported_return_type_says_unhandled_exception():
    app = App()
    app.get("/")(lambda: 1234)
    answer = Client(app).get("/")
    assert answer.status_code == 500 and "Unhandled exception" in answer.text
    assert "Unsupported response type int" in answer.text


def test_an_unsupported_chunk_type_says_unsupported_response_type():
    app = App()

    @app.get("/")
    def chunks():
        yield 1234

    answer = Client(app).get("/")
    assert answer.status_code == 500 and "Unsupported response type int" in answer.text


# -- plugins -----------------------------------------------------------------------------------------
class PrettyJSONPlugin(JSONPlugin):
    def __init__(self) -> None:
        import json

        super().__init__(json_dumps=lambda data: json.dumps(data, indent=1))


def test_a_second_json_plugin_shadows_the_first():
    app = App()
    app.get("/")(lambda: {"a": 1})
    app.install(PrettyJSONPlugin())
    assert Client(app).get("/").text == '{\n "a": 1\n}'
    route = app.routes[0]
    assert any("shadowed by a later plugin named 'json'" in line for line in route.explain())
    app.uninstall(PrettyJSONPlugin)
    assert Client(app).get("/").text == '{"a": 1}'


def test_installing_something_that_is_not_a_plugin_is_a_type_error():
    with pytest.raises(TypeError, match="a plugin must be callable"):
        App().install("I am not a plugin")


# -- the app ------------------------------------------------------------------------------------------
def test_app_attributes_are_set_once():
    app = App()
    app.my_state = 1
    with pytest.raises(AttributeError, match="already set"):
        app.my_state = 2
    del app.my_state
    app.my_state = 3
    assert app.my_state == 3


def test_mount_records_bottles_metadata_and_warns_without_a_trailing_slash():
    parent, child = App(), App()
    parent.mount("/child/", child)
    assert child.config["_mount.prefix"] == "/child/" and child.config["_mount.app"] is parent
    with pytest.warns(DeprecationWarning, match="should end with '/'"):
        App().mount("/other", App())


def test_a_mounted_app_gets_a_utf8_path_and_builds_its_own_urls():
    parent, child = App(), App()

    @child.get("/echo/<word>", name="echo")
    def echo(word):
        return f"{word}|{demijohn.url('echo', word='ü')}"

    parent.mount("/mounted/", child)
    assert Client(parent).get("/mounted/echo/äöü").text == "äöü|/mounted/echo/%C3%BC"


def test_app_resources_is_a_resource_manager(tmp_path):
    app = App()
    (tmp_path / "data.txt").write_text("payload")
    assert app.resources.add_path(str(tmp_path) + "/")
    assert app.resources.lookup("data.txt") == str(tmp_path / "data.txt")
    with app.resources.open("data.txt") as file:
        assert file.read() == "payload"


def test_resource_manager_paths_and_errors(tmp_path):
    manager = ResourceManager(base=str(tmp_path) + "/")
    assert manager.add_path("missing/") is False
    assert manager.add_path("made/", create=True) is True
    manager.add_path("/first/", index=0)
    assert manager.path[0] == "/first/" and manager.path[-1] == str(tmp_path / "made") + "/"
    assert manager.lookup("nothing.txt") is None
    with pytest.raises(OSError, match="not found"):
        manager.open("nothing.txt")
    with pytest.raises(ValueError, match="cachemode"):
        ResourceManager(cachemode="sometimes")


# -- auth_basic ------------------------------------------------------------------------------------
def make_auth_app() -> App:
    app = App()

    @app.get("/admin")
    @auth_basic(lambda user, password: (user, password) == ("admin", "s3cret"), realm="staff")
    def admin():
        return "welcome"

    return app


def test_auth_basic_asks_for_credentials_with_its_realm():
    answer = Client(make_auth_app()).get("/admin")
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == 'Basic realm="staff"'


def test_auth_basic_lets_the_right_credentials_in_and_refuses_others():
    import base64

    def header(user: str, password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    client = Client(make_auth_app())
    assert client.get("/admin", headers=header("admin", "s3cret")).text == "welcome"
    assert client.get("/admin", headers=header("admin", "wrong")).status_code == 401
    assert client.get("/admin", headers={"Authorization": "Basic !!!"}).status_code == 401


def test_auth_basic_refuses_a_realm_that_would_break_the_header():
    with pytest.raises(ValueError, match="realm"):
        auth_basic(lambda user, password: True, realm='a"b')


# -- data structures and helpers -------------------------------------------------------------------
def test_multidict_assignment_appends_and_replace_replaces():
    data = MultiDict(a=5)
    data["a"] = 6
    assert data["a"] == 6 and data.getall("a") == [5, 6]
    data.replace("a", 7)
    assert data.getall("a") == [7]
    assert list(data.iterkeys()) == ["a"] and list(data.itervalues()) == [7] and list(data.iteritems()) == [("a", 7)]


def test_headerdict_assignment_replaces_and_refuses_line_breaks_in_names():
    headers = HeaderDict()
    headers["X-A"] = "1"
    headers["x-a"] = "2"
    assert headers.getall("X-A") == ["2"]
    for bad in ("X\nInjected", "X\rY", "X\0"):
        with pytest.raises(ValueError, match="line break or NUL"):
            headers[bad] = "v"
        with pytest.raises(ValueError):
            BaseResponse().set_header(bad, "v")


def test_formsdict_filled_by_hand_decodes_like_bottles():
    data = FormsDict(raw="瓶".encode(), native="瓶".encode().decode("latin-1"), bad="öäü".encode("latin-1"))
    assert data.raw == data.native == "瓶"
    assert data.bad == "" and data.getunicode("bad", "fallback") == "fallback"
    decoded = data.decode()
    assert decoded.recode_unicode is False and decoded["native"] == "瓶" and "bad" not in decoded


def test_parsed_forms_hold_text_already():
    request_ = BaseRequest({"QUERY_STRING": "q=%C3%A9", "REQUEST_METHOD": "GET"})
    assert request_.query["q"] == request_.query.q == request_.query.getunicode("q") == "é"


def test_header_property_on_a_response_subclass():
    class Tagged(BaseResponse):
        request_id = HeaderProperty("x-request-id", reader=int, default=0)

    tagged = Tagged()
    assert tagged.request_id == 0
    tagged.request_id = 42
    assert tagged.request_id == 42 and ("X-Request-Id", "42") in tagged.headerlist
    del tagged.request_id
    assert "X-Request-Id" not in tagged


def test_lazy_attribute_computes_once_per_class():
    calls = []

    class Settings:
        @lazy_attribute
        def table(cls):  # noqa: N805 - lazy_attribute passes the class
            calls.append(cls)
            return {"built": True}

    assert Settings.table == {"built": True} and Settings().table == {"built": True}
    assert calls == [Settings]


def test_config_load_config_namespaces(tmp_path):
    ini = tmp_path / "app.ini"
    ini.write_text("[DEFAULT]\ndefault = 45\n[bottle]\nport = 8080\n[ROOT]\nnamespace.key = test\n"
                   "[NameSpace.Section]\nsub.key = test2\n")
    config = ConfigDict().load_config(ini)
    assert config == {"default": "45", "port": "8080", "namespace.key": "test", "namespace.section.default": "45",
                      "namespace.section.sub.key": "test2"}


def test_a_status_without_a_reason_phrase_is_refused():
    with pytest.raises(ValueError, match="no reason phrase"):
        BaseResponse().status = "555"


def test_a_header_set_to_none_is_empty():
    answer = BaseResponse()
    answer["X-Empty"] = None
    assert answer["X-Empty"] == ""


def test_samesite_spelled_as_in_bottle_and_invalid_values_are_cookie_errors():
    answer = BaseResponse()
    answer.set_cookie("a", "1", same_site="strict")
    assert "SameSite=Strict" in dict(answer.headerlist)["Set-Cookie"]
    with pytest.raises(CookieError, match="samesite"):
        answer.set_cookie("b", "1", samesite="sometimes")
    with pytest.raises(ValueError):
        answer.set_cookie("b", "1", nosuch_option=1)


def test_request_app_route_and_url_args_outside_routing_are_runtime_errors():
    bare = BaseRequest({})
    for name in ("app", "route", "url_args"):
        with pytest.raises(RuntimeError, match="when an app matches"):
            getattr(bare, name)


def test_a_read_only_environ_refuses_changes():
    with pytest.raises(KeyError, match="read-only"):
        BaseRequest({"bottle.request.readonly": True})["x"] = "y"


# -- callbacks behind decorators ----------------------------------------------------------------------
def test_undecorated_callback_digs_through_wrappers_without_wraps():
    def callback(db, user):
        return "x"

    def decorator(func):
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)
        return wrapper

    route = demijohn.Route(App(), "/", "GET", decorator(decorator(callback)))
    assert route.get_undecorated_callback() is callback and route.get_callback_args() == ["db", "user"]


def test_undecorated_callback_does_not_dig_into_a_callback_with_its_own_parameters():
    def helper(db):
        return db

    def callback(user):  # a real callback that closes over a helper function
        return helper(user)

    route = demijohn.Route(App(), "/", "GET", callback)
    assert route.get_undecorated_callback() is callback and route.get_callback_args() == ["user"]


# -- on the wire ---------------------------------------------------------------------------------------
HEADER_APP = """
from demijohn import App, response

app = App()


@app.get("/")
def index():
    response.set_header("X-Word", "öäü€")
    return "ok"
"""


def test_non_ascii_header_values_go_out_as_utf8_bytes(tmp_path):
    import http.client

    (tmp_path / "headerapp.py").write_text(HEADER_APP)
    port = free_port()
    script = f"import demijohn, headerapp\ndemijohn.run(headerapp.app, host='127.0.0.1', port={port}, quiet=True)\n"
    with Served(["-c", script], env=child_env(tmp_path), log_dir=tmp_path) as served:
        served.wait_serving(("127.0.0.1", port))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/")
        answer = connection.getresponse()
        raw = answer.getheader("X-Word")  # http.client reads header bytes as latin-1
        connection.close()
    assert raw.encode("latin-1").decode("utf-8") == "öäü€"


# -- multipart ----------------------------------------------------------------------------------------
def multipart_request(body: bytes) -> BaseRequest:
    import io

    return BaseRequest({"REQUEST_METHOD": "POST", "CONTENT_TYPE": "multipart/form-data; boundary=foo",
                        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)})


def test_a_part_longer_than_its_content_length_is_a_400():
    body = (b"--foo\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Length: 2\r\n\r\n"
            b"abcdef\r\n--foo--\r\n")
    with pytest.raises(demijohn.MultipartError) as caught:
        multipart_request(body).files  # noqa: B018
    assert caught.value.status_code == 400 and "longer than its Content-Length" in caught.value.body
    assert isinstance(caught.value, HTTPError)


def test_a_windows_path_sent_as_a_file_name_keeps_only_the_name():
    body = (b"--foo\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\\\Users\\\\me\\\\cv.pdf\"\r\n\r\n"
            b"data\r\n--foo--\r\n")
    upload = multipart_request(body).files["f"]
    assert upload.raw_filename == "cv.pdf" and upload.file.read() == b"data"


def test_the_obsolete_file_disposition_is_accepted():
    body = b"--foo\r\nContent-Disposition: file; name=\"f\"; filename=\"a.txt\"\r\n\r\ndata\r\n--foo--\r\n"
    assert multipart_request(body).files["f"].file.read() == b"data"


def test_bad_multipart_over_a_request_is_a_400_with_a_message():
    app = App()
    app.post("/up")(lambda: str(len(request.files)))
    answer = Client(app).post("/up", data=b"--foo\r\nno headers here\r\n\r\n--foo--\r\n",
                              headers={"Content-Type": "multipart/form-data; boundary=foo"})
    assert answer.status_code == 400 and "Malformed multipart" in answer.text


def test_setting_app_attributes_keeps_its_properties_and_methods_working():
    app = App()
    app.catchall = False  # a property: its setter runs, however often
    app.catchall = True
    assert app.catchall is True and app.config["catchall"] is True
    assert app.resources is app.resources  # made once, on first use
