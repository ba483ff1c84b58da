"""The request: lazily parsed properties and bad input answered with a 4xx."""

import io

from demijohn import BaseRequest, request, response


def environ(**values):
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "example.com", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO()}
    base.update(values)
    return base


def test_query_keeps_repeated_keys_and_decodes_utf8():
    req = BaseRequest(environ(QUERY_STRING="a=1&a=2&name=J%C3%BCrgen+X&empty="))
    assert req.query.getall("a") == ["1", "2"]
    assert req.query["a"] == "2"
    assert req.query.name == "Jürgen X"
    assert req.query.empty == ""
    assert req.query.missing == ""


def test_url_parts_honour_host_and_script_name():
    req = BaseRequest(environ(HTTP_HOST="example.com:8080", SCRIPT_NAME="/app", PATH_INFO="/x y", QUERY_STRING="q=1"))
    assert req.url == "http://example.com:8080/app/x%20y?q=1"
    assert req.fullpath == "/app/x y"
    assert req.script_name == "/app/"


def test_forwarded_proto_and_host_are_ignored_without_a_trusted_proxy():  # tests/test_proxy.py: with one
    req = BaseRequest(environ(HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="public.example"))
    assert req.url == "http://example.com/"


def test_path_shift_moves_segments():
    req = BaseRequest(environ(SCRIPT_NAME="/a", PATH_INFO="/b/c"))
    req.path_shift(1)
    assert (req.environ["SCRIPT_NAME"], req.path) == ("/a/b", "/c")
    req.path_shift(-1)
    assert (req.environ["SCRIPT_NAME"], req.path) == ("/a", "/b/c")


def test_headers_are_case_insensitive():
    req = BaseRequest(environ(HTTP_X_CUSTOM="v", CONTENT_TYPE="text/plain"))
    assert req.headers["x-custom"] == "v"
    assert req.get_header("Content-Type") == "text/plain"
    assert req.get_header("missing", "d") == "d"


def test_cookies_and_signed_cookies(app, client):
    @app.get("/set")
    def set_cookie():
        response.set_cookie("plain", "p")
        response.set_cookie("signed", {"user": 1}, secret="s3cret")
        return "set"

    app.get("/read")(lambda: f"{request.get_cookie('plain')}|{request.get_cookie('signed', secret='s3cret')}")
    client.get("/set")
    assert client.get("/read").text == "p|{'user': 1}"


def test_tampered_signed_cookie_gives_the_default(app, client):
    app.get("/read")(lambda: repr(request.get_cookie("signed", "none", secret="s3cret")))
    client.cookies["signed"] = "!AAAA?eyJ1c2VyIjoxfQ=="
    assert client.get("/read").text == "'none'"


def test_cookie_signed_for_another_name_is_refused(app, client):
    @app.get("/set")
    def set_cookie():
        response.set_cookie("a", "value", secret="k")

    client.get("/set")
    client.cookies["b"] = client.cookies["a"]
    app.get("/read")(lambda: repr(request.get_cookie("b", secret="k")))
    assert client.get("/read").text == "None"


def test_malformed_cookie_pairs_are_ignored(app, client):
    app.get("/")(lambda: dict(request.cookies))
    answer = client.get("/", headers={"Cookie": "junk; ok=1; =nothing; also"})
    assert answer.json == {"ok": "1"}


def test_cookie_header_with_control_characters_is_400(app, client):
    app.get("/")(lambda: dict(request.cookies))
    answer = client.get("/", headers={"Cookie": "a=1\x01"})
    assert answer.status_code == 400
    assert "Malformed Cookie header" in answer.text


def test_json_body(app, client):
    app.post("/")(lambda: {"echo": request.json})
    assert client.post("/", json={"a": [1, 2]}).json == {"echo": {"a": [1, 2]}}


def test_json_is_none_for_other_content_types(app, client):
    app.post("/")(lambda: repr(request.json))
    assert client.post("/", data="{}", headers={"Content-Type": "text/plain"}).text == "None"


def test_malformed_json_is_400_with_the_parser_message(app, client):
    app.post("/")(lambda: request.json)
    answer = client.post("/", data="{'single': quotes}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert "Malformed JSON body" in answer.text


def test_deeply_nested_json_is_400_not_500(app, client):
    app.post("/")(lambda: "parsed" if request.json else "empty")
    answer = client.post("/", data="[" * 100000 + "]" * 100000, headers={"Content-Type": "application/json"})
    assert answer.status_code in (400, 413)


def test_urlencoded_forms_and_params(app, client):
    app.post("/")(lambda: {"forms": dict(request.forms), "params": dict(request.params)})
    answer = client.post("/?q=1", data={"name": "ann", "q": "2"})
    assert answer.json == {"forms": {"name": "ann", "q": "2"}, "params": {"q": "2", "name": "ann"}}


def test_body_is_seekable_and_spooled_to_disk_when_large(app, client):
    @app.post("/")
    def body():
        data = request.body.read()
        return f"{len(data)}|{type(request.body).__name__}|{len(request.body.read())}"

    small = client.post("/", data=b"x" * 10).text
    large = client.post("/", data=b"x" * (BaseRequest.MEMFILE_MAX + 1)).text
    assert small == "10|BytesIO|10"
    assert large.startswith(f"{BaseRequest.MEMFILE_MAX + 1}|") and "BytesIO" not in large


def test_body_over_the_configured_limit_is_413(app, client):
    app.config["request.max_body"] = 100
    app.post("/")(lambda: request.body.read())
    answer = client.post("/", data=b"x" * 101)
    assert answer.status_code == 413
    assert "over the limit of 100 bytes" in answer.text


def test_json_over_the_memory_limit_is_413(app, client):
    app.config["request.max_memory"] = 10
    app.post("/")(lambda: request.json)
    assert client.post("/", json={"a": "x" * 20}).status_code == 413


def test_invalid_content_length_is_400(app, client):
    app.post("/")(lambda: request.body.read())
    answer = client.post("/", data=b"abc", headers={"Content-Length": "-3"})
    assert answer.status_code == 400
    assert "Content-Length" in answer.text


def test_body_shorter_than_content_length_is_400(app, client):
    app.post("/")(lambda: request.body.read())
    answer = client.post("/", environ={"wsgi.input": io.BytesIO(b"ab"), "CONTENT_LENGTH": "10"})
    assert answer.status_code == 400
    assert "ended after 2 of 10 bytes" in answer.text


def test_malformed_percent_encoding_in_the_query_is_400(app, client):
    app.get("/")(lambda: request.query.q)
    answer = client.get("/?q=%zz")
    assert answer.status_code == 400
    assert "percent-encoding" in answer.text


def test_percent_encoded_invalid_utf8_in_the_query_is_400(app, client):
    app.get("/")(lambda: request.query.q)
    assert client.get("/?q=%ff").status_code == 400


def test_invalid_utf8_in_the_path_is_400(app, client):
    app.get("/<name>")(lambda name: name)
    answer = client.get("/%ff")
    assert answer.status_code == 400
    assert "not valid UTF-8" in answer.text


def test_utf8_path_is_decoded(app, client):
    app.get("/<name>")(lambda name: name)
    assert client.get("/J%C3%BCrgen").text == "Jürgen"


def test_unknown_method_on_a_known_path_is_405(app, client):
    app.get("/thing")(lambda: "ok")
    answer = client.request("BREW", "/thing")
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET,HEAD"


def test_unknown_path_is_404_naming_the_path(app, client):
    answer = client.get("/nowhere")
    assert answer.status_code == 404
    assert "/nowhere" in answer.text


def test_auth_remote_route_and_xhr():
    req = BaseRequest(environ(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1",
                              REMOTE_ADDR="10.0.0.2", HTTP_X_REQUESTED_WITH="XMLHttpRequest"))
    assert req.auth == ("user", "pass")
    assert req.remote_route == ["10.0.0.2"]  # no proxy trusted by default
    assert req.remote_addr == "10.0.0.2"
    assert req.is_xhr is True


def test_malformed_basic_auth_is_none():
    assert BaseRequest(environ(HTTP_AUTHORIZATION="Basic !!!")).auth is None


def test_copy_has_its_own_environ():
    req = BaseRequest(environ())
    copy = req.copy()
    copy.environ["X"] = 1
    assert "X" not in req.environ


def test_setting_query_string_drops_the_cached_query():
    req = BaseRequest(environ(QUERY_STRING="a=1"))
    assert req.query.a == "1"
    req["QUERY_STRING"] = "a=2"
    assert req.query.a == "2"


def test_content_length_and_type():
    req = BaseRequest(environ(CONTENT_LENGTH="12", CONTENT_TYPE="Text/Plain"))
    assert (req.content_length, req.content_type) == (12, "text/plain")
