"""``request`` and ``response`` outside a request, as Bottle's: in the main thread an empty
default is bound on first use; ``request.environ = {...}`` and ``bind()`` work anywhere;
other threads without a bound request get a clear RuntimeError. Plugin attributes on
``request`` come back as Bottle gives them back. Returning the global ``response`` works."""

from __future__ import annotations

import contextvars
import io
import subprocess
import sys
import textwrap
import threading

import pytest
from serving_apps.harness import child_env

from demijohn import App, request, response
from demijohn.testing import Client


def in_thread(func):
    """Run ``func`` in a new thread (a fresh context); return its result or raise its error."""
    outcome: dict[str, object] = {}

    def target():
        try:
            outcome["value"] = func()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


def test_main_thread_reads_an_empty_default_request_outside_a_request():
    script = textwrap.dedent("""
        from demijohn import request, response
        assert request.environ == {} and request.path == "/" and request.method == "GET"
        assert response.status_code == 200 and response.headerlist == [("Content-Type", "text/html; charset=UTF-8")]
        import logging
        logging.basicConfig()
        logging.getLogger("x").info("path %s", request.environ.get("PATH_INFO"))  # logging through it works
    """)
    result = subprocess.run([sys.executable, "-c", script], env=child_env(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_assigning_request_environ_binds_a_request():
    def check():
        request.environ = {"PATH_INFO": "/assigned", "REQUEST_METHOD": "PUT", "QUERY_STRING": "a=1"}
        return request.method, request.path, request.query.a

    assert in_thread(check) == ("PUT", "/assigned", "1")


def test_bind_works_in_any_thread_and_stays_in_it():
    request.bind({"PATH_INFO": "/main"})
    assert in_thread(lambda: (request.bind({"PATH_INFO": "/worker"}), request.path)[1]) == "/worker"
    assert request.path == "/main"


def test_response_bind_outside_a_request():
    def check():
        response.bind()
        response.content_type = "text/thread"
        return response.headers["Content-Type"]

    assert in_thread(check) == "text/thread"


def test_another_thread_without_a_request_gets_a_clear_error():
    with pytest.raises(RuntimeError, match="only work inside a request.*copy_context"):
        in_thread(lambda: request.path)
    with pytest.raises(RuntimeError, match="only work inside a request"):
        in_thread(lambda: response.status)


def test_a_copied_context_carries_the_request_into_a_thread():
    app = App()

    @app.get("/carry")
    def carry():
        context = contextvars.copy_context()
        return in_thread(lambda: context.run(lambda: request.path))

    assert Client(app).get("/carry").text == "/carry"


def test_after_a_request_the_main_thread_never_sees_its_data():
    app = App()
    app.get("/private")(lambda: "ok")
    Client(app).get("/private", query={"token": "secret"})
    assert "secret" not in repr(request.environ)


# -- attributes set by plugins ---------------------------------------------------------------------
def test_a_function_set_on_request_comes_back_bound_to_it():
    app = App()

    def get_user(req):
        return req.query.user

    def plugin(callback):
        def wrapper(*args, **kwargs):
            setattr(request, "get_user", get_user)  # noqa: B010 - as plugins write it
            return callback(*args, **kwargs)
        return wrapper

    app.install(plugin)
    app.get("/me")(lambda: request.get_user())
    assert Client(app).get("/me", query={"user": "ann"}).text == "ann"


def test_request_attributes_are_set_once_per_request():
    app = App()

    @app.get("/twice")
    def twice():
        request.user = "ann"
        with pytest.raises(AttributeError, match="already set"):
            request.user = "bob"
        del request.user
        request.user = "bob"
        return request.user

    assert Client(app).get("/twice").text == "bob"


def test_built_in_request_attributes_cannot_be_set():
    app = App()

    @app.get("/body")
    def body():
        with pytest.raises(AttributeError, match="built in"):
            request.body = "x"
        with pytest.raises(AttributeError):
            request.nothing_here  # noqa: B018
        return "ok"

    assert Client(app).get("/body").text == "ok"


def test_attributes_do_not_leak_into_the_next_request():
    app = App()

    @app.get("/leak")
    def leak():
        seen = getattr(request, "marker", None)
        request.marker = "set"
        return str(seen)

    client = Client(app)
    assert client.get("/leak").text == "None"
    assert client.get("/leak").text == "None"


# -- returning the global response -----------------------------------------------------------------
class ClosingBody(io.BytesIO):
    closed_by_server = False

    def close(self) -> None:
        type(self).closed_by_server = True
        super().close()


def test_returning_the_global_response_sends_its_body_and_headers():
    app = App()

    @app.get("/resp")
    def resp():
        response.set_header("X-Made", "here")
        response.body = "from the response"
        return response

    answer = Client(app).get("/resp")
    assert (answer.status_code, answer.text, answer.headers["X-Made"]) == (200, "from the response", "here")


def test_the_server_closes_the_body_of_a_returned_response_in_its_own_thread():
    app = App()

    @app.get("/file")
    def file():
        response.body = ClosingBody(b"file content")
        return response

    # a server thread iterates and closes the body after the request's context is gone
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/file", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http"}

    def serve():
        body = app(environ, lambda status, headers, exc_info=None: None)
        data = b"".join(body)
        body.close()
        return data

    assert in_thread(serve) == b"file content"
    assert ClosingBody.closed_by_server
