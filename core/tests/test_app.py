"""The application: output casting, hooks, error handlers, mount, merge, config, Bottle compatibility."""

import io
import textwrap

import demijohn
import pytest
from demijohn import App, HTTPResponse, abort, redirect, request, response
from demijohn.testing import Client


def test_bottle_hello_world_runs_with_demijohn_imported_as_bottle(tmp_path, monkeypatch):
    module = tmp_path / "hello_bottle.py"
    module.write_text(textwrap.dedent("""
        import demijohn as bottle
        from demijohn import route, template

        app = bottle.default_app.push()

        @route('/hello/<name>')
        def index(name):
            return '<b>Hello %s</b>!' % name
    """).replace("from demijohn import route, template", "from demijohn import route"))
    monkeypatch.syspath_prepend(str(tmp_path))
    import hello_bottle

    try:
        answer = Client(hello_bottle.app).get("/hello/world")
    finally:
        demijohn.default_app.pop()
    assert answer.status == "200 OK"
    assert answer.text == "<b>Hello world</b>!"
    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8"


@pytest.mark.parametrize(("result", "body"), [
    ("text", b"text"),
    (b"bytes", b"bytes"),
    (["a", "b"], b"ab"),
    ([b"a", b"b"], b"ab"),
    (None, b""),
    ("", b""),
])
def test_simple_results_are_encoded_with_content_length(app, client, result, body):
    app.get("/")(lambda: result)
    answer = client.get("/")
    assert answer.body == body
    assert answer.headers["Content-Length"] == str(len(body))


def test_generator_results_stream_and_can_use_the_request(app, client):
    @app.get("/gen")
    def gen():
        yield "a"
        yield request.path

    assert client.get("/gen").text == "a/gen"


def test_error_in_the_first_chunk_of_a_generator_becomes_an_error_page(app, client, capsys):
    @app.get("/gen")
    def gen():
        raise ValueError("boom")
        yield "never"

    answer = client.get("/gen")
    assert answer.status_code == 500
    assert "boom" not in answer.text


def test_file_results_are_sent(app, client):
    app.get("/f")(lambda: io.BytesIO(b"file body"))
    assert client.get("/f").body == b"file body"


def test_file_results_use_the_servers_file_wrapper(app, client):
    wrapped = []

    def file_wrapper(file, block_size=8192):
        wrapped.append(file)
        return iter([file.read()])

    app.get("/f")(lambda: io.BytesIO(b"x"))
    assert client.get("/f", environ={"wsgi.file_wrapper": file_wrapper}).body == b"x"
    assert len(wrapped) == 1


def test_dict_results_become_json(app, client):
    app.get("/")(lambda: {"a": 1})
    answer = client.get("/")
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json == {"a": 1}


def test_autojson_false_refuses_dicts_with_a_clear_500(client):
    app = App(autojson=False, catchall=True)
    app.get("/")(lambda: {"a": 1})
    assert Client(app).get("/").status_code == 500


def test_custom_json_dumps_and_lists():
    app = App(autojson=False)
    app.install(demijohn.JSONPlugin(json_dumps=lambda data: "custom", lists=True))
    app.get("/")(lambda: [1, 2])
    assert Client(app).get("/").text == "custom"


def test_returned_and_raised_http_responses(app, client):
    app.get("/returned")(lambda: HTTPResponse("made", status=201, X_Extra="1"))

    @app.get("/raised")
    def raised():
        raise HTTPResponse("early", status=202)

    answer = client.get("/returned")
    assert (answer.status_code, answer.text, answer.headers["X-Extra"]) == (201, "made", "1")
    assert client.get("/raised").status_code == 202


def test_abort_renders_the_error_handler(app, client):
    app.error(404)(lambda error: f"custom: {error.body}")

    @app.get("/")
    def missing():
        abort(404, "no such thing")

    answer = client.get("/")
    assert (answer.status_code, answer.text) == (404, "custom: no such thing")


def test_redirect_is_303_for_http11_with_an_absolute_location(app, client):
    @app.get("/old")
    def old():
        redirect("/new")

    answer = client.get("/old")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "http://localhost/new"


def test_redirect_percent_encodes_line_breaks(app, client):
    @app.get("/r")
    def bad():
        redirect("/x\r\nSet-Cookie: evil=1")

    answer = client.get("/r")
    assert answer.status_code == 303
    assert "\n" not in answer.headers["Location"]
    assert "evil" not in answer.headers.getall("Set-Cookie")


def test_uncaught_exception_is_500_with_traceback_in_wsgi_errors_only(app, client):
    @app.get("/")
    def broken():
        raise RuntimeError("secret detail")

    errors = io.StringIO()
    answer = client.get("/", environ={"wsgi.errors": errors})
    assert answer.status_code == 500
    assert "secret detail" not in answer.text
    assert "RuntimeError: secret detail" in errors.getvalue()


def test_debug_mode_shows_the_traceback_escaped(app, client):
    @app.get("/")
    def broken():
        raise RuntimeError("<b>detail</b>")

    demijohn.debug(True)
    try:
        answer = client.get("/", environ={"wsgi.errors": io.StringIO()})
    finally:
        demijohn.debug(False)
    assert "&lt;b&gt;detail&lt;/b&gt;" in answer.text
    assert "Traceback" in answer.text


def test_catchall_false_lets_exceptions_escape():
    app = App(catchall=False)

    @app.get("/")
    def broken():
        raise RuntimeError("escape")

    with pytest.raises(RuntimeError, match="escape"):
        Client(app).get("/")


def test_head_has_no_body_but_the_get_headers(app, client):
    app.get("/")(lambda: "hello")
    answer = client.head("/")
    assert answer.body == b""
    assert answer.headers["Content-Length"] == "5"


def test_before_and_after_request_hooks(app, client):
    calls = []
    app.add_hook("before_request", lambda: calls.append("before"))
    app.add_hook("after_request", lambda: calls.append("after1"))
    app.add_hook("after_request", lambda: calls.append("after2"))
    app.get("/")(lambda: calls.append("callback") or "ok")
    client.get("/")
    assert calls == ["before", "callback", "after2", "after1"]


def test_after_request_runs_after_http_errors(app, client):
    app.hook("after_request")(lambda: response.set_header("X-After", "yes"))
    assert client.get("/missing").headers["X-After"] == "yes"


def test_a_hook_may_answer_early_with_an_http_response(app, client):
    @app.hook("before_request")
    def deny():
        raise HTTPResponse("denied", status=403)

    app.get("/")(lambda: "never")
    assert client.get("/").status_code == 403


def test_remove_hook(app):
    func = app.hook("before_request")(lambda: None)
    assert app.remove_hook("before_request", func) is True
    assert app.remove_hook("before_request", func) is False


def test_config_hook_fires_on_change(app):
    seen = []
    app.add_hook("config", lambda key, value: seen.append((key, value)))
    app.config["db.url"] = "sqlite://"
    app.config.load_dict({"cache": {"ttl": 3}})
    assert seen == [("db.url", "sqlite://"), ("cache.ttl", 3)]


def test_mount_a_demijohn_app_under_a_prefix(app, client):
    child = App()
    child.get("/info")(lambda: f"{request.script_name}|{request.path}")
    child.get("/cookie")(lambda: response.set_cookie("c", "v") or "set")
    app.mount("/child", child)
    assert client.get("/child/info").text == "/child/|/info"
    assert client.get("/child/cookie").headers["Set-Cookie"].startswith("c=v")
    assert client.get("/child/missing").status_code == 404


def test_mount_a_plain_wsgi_callable(app, client):
    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    app.mount("/w/", wsgi)
    assert client.get("/w/a/b").text == "/a/b"


def test_mount_refuses_a_root_prefix(app):
    with pytest.raises(ValueError):
        app.mount("/", App())


def test_merge_adds_routes_of_another_app(app, client):
    other = App()
    other.get("/other")(lambda: "merged")
    app.merge(other)
    assert client.get("/other").text == "merged"


def test_route_from_a_plain_call(app, client):
    app.route("/x", "GET", lambda: "plain")
    assert client.get("/x").text == "plain"


def test_app_as_context_manager_becomes_the_default_app():
    with App() as inner:
        demijohn.route("/ctx")(lambda: "ctx")
    assert inner.routes[0].rule == "/ctx"
    assert demijohn.default_app() is not inner


def test_module_shortcuts_keep_name_and_doc():
    assert demijohn.route.__name__ == "route"
    assert demijohn.route.__doc__ == App.route.__doc__
    assert demijohn.url.__name__ == "url"


def test_request_outside_a_request_in_another_thread_is_a_clear_error():
    import threading

    errors = []

    def worker():
        try:
            request.path  # noqa: B018
        except RuntimeError as error:
            errors.append(str(error))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert errors and "only work inside a request" in errors[0]


def test_request_exposes_app_route_and_url_args(app, client):
    @app.get("/x/<id:int>")
    def view(id):
        return f"{request.app is app}|{request.route.rule}|{request.url_args}|{request.environ['bottle.route'].rule}"

    assert client.get("/x/4").text == "True|/x/<id:int>|{'id': 4}|/x/<id:int>"


def test_plugins_may_set_request_attributes_that_live_in_the_environ(app, client):
    @app.hook("before_request")
    def attach():
        request.session = {"user": "ann"}

    app.get("/")(lambda: f"{request.session['user']}|{'bottle.request.ext.session' in request.environ}")
    assert client.get("/").text == "ann|True"


def test_route_reset_exception_rebuilds_the_callback(app, client):
    from demijohn import RouteReset

    state = {"first": True}

    @app.get("/")
    def flaky():
        if state.pop("first", False):
            raise RouteReset()
        return "second try"

    assert client.get("/").text == "second try"


