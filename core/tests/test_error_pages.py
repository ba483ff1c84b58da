"""Error pages: the status and message always, the exception and traceback only in debug
mode and always HTML-escaped."""

import io

import demijohn
import pytest
from demijohn import App, abort
from demijohn.testing import Client

SECRET = "<script>alert('db-password-hunter2')</script>"


@pytest.fixture(autouse=True)
def no_debug_after_test():
    yield
    demijohn.debug(False)


@pytest.fixture
def app():
    app = App()

    @app.get("/boom")
    def boom():
        raise ValueError(SECRET)

    @app.get("/gone")
    def gone():
        abort(410, "This <note> was deleted.")

    @app.get("/stream")
    def stream():
        raise RuntimeError(SECRET)
        yield "never"

    return app


def get(app, path, **kwargs):
    errors = io.StringIO()
    answer = Client(app).get(path, environ={"wsgi.errors": errors}, **kwargs)
    answer.logged = errors.getvalue()
    return answer


def test_an_uncaught_exception_is_a_500_html_page(app):
    answer = get(app, "/boom")
    assert answer.status_code == 500
    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "500 Internal Server Error" in answer.text


def test_outside_debug_mode_the_page_shows_no_exception_or_traceback(app):
    answer = get(app, "/boom")
    assert "hunter2" not in answer.text
    assert "Traceback" not in answer.text
    assert "ValueError" not in answer.text
    assert "boom" not in answer.text


def test_the_traceback_is_logged_to_wsgi_errors_outside_debug_mode(app):
    answer = get(app, "/boom")
    assert "Traceback" in answer.logged and "ValueError" in answer.logged


def test_in_debug_mode_the_page_shows_the_exception_and_traceback(app):
    demijohn.debug(True)
    answer = get(app, "/boom")
    assert answer.status_code == 500
    assert "ValueError" in answer.text
    assert "Traceback (most recent call last)" in answer.text
    assert "in boom" in answer.text


def test_in_debug_mode_the_exception_and_traceback_are_html_escaped(app):
    demijohn.debug(True)
    answer = get(app, "/boom")
    assert "<script>" not in answer.text
    assert "&lt;script&gt;alert(&#039;db-password-hunter2&#039;)&lt;/script&gt;" in answer.text


def test_debug_sets_the_flag_for_every_app():
    demijohn.debug(True)
    assert App.debug_mode is True and App().debug_mode is True
    demijohn.debug(False)
    assert App.debug_mode is False


def test_an_error_in_the_first_chunk_of_a_generator_gets_the_debug_page(app):
    demijohn.debug(True)
    answer = get(app, "/stream")
    assert answer.status_code == 500
    assert "RuntimeError" in answer.text


def test_an_abort_message_is_shown_html_escaped(app):
    answer = get(app, "/gone")
    assert answer.status_code == 410
    assert "This &lt;note&gt; was deleted." in answer.text
    assert "<note>" not in answer.text


def test_a_404_names_the_status_without_internals_even_in_debug_mode(app):
    demijohn.debug(True)
    answer = get(app, "/nowhere")
    assert answer.status_code == 404
    assert "404 Not Found" in answer.text
    assert "Traceback" not in answer.text


def test_a_registered_error_handler_replaces_the_default_page(app):
    app.error(404)(lambda error: f"custom {error.status_code}")
    assert get(app, "/nowhere").text == "custom 404"


def test_a_failing_error_handler_falls_back_to_a_500_page_without_internals(app):
    def handler(error):
        raise KeyError(SECRET)

    app.error(404)(handler)
    answer = get(app, "/nowhere")
    assert answer.status_code == 500
    assert "hunter2" not in answer.text
    assert "KeyError" in answer.logged


def test_an_error_page_for_head_has_no_body(app):
    errors = io.StringIO()
    answer = Client(app).head("/boom", environ={"wsgi.errors": errors})
    assert answer.status_code == 500
    assert answer.body == b""
