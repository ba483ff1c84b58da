"""The debug error page (a 500 in debug mode): the traceback with the source around each frame,
the request with secrets masked, everything escaped, no JavaScript; and nothing of it out of
debug mode. In a real browser: integration/test_debug_page_browser.py."""

from __future__ import annotations

import io
import re
import sys

import pytest

import demijohn
from demijohn import App, HTTPError, request
from demijohn.testing import Client

SECRETS = {"Cookie": "session=cookie-secret-1", "Authorization": "Bearer auth-secret-2",
           "X-Api-Token": "token-secret-3", "X-Csrf": "csrf-secret-4"}


@pytest.fixture(autouse=True)
def debug_mode():
    demijohn.debug(True)
    yield
    demijohn.debug(False)


def average(numbers):
    total = sum(numbers)
    return total / len(numbers)  # the line that raises


@pytest.fixture
def app():
    app = App()

    @app.get("/average")
    def show_average():
        return f"{average([int(n) for n in request.query.getall('n')])}"

    @app.get("/chained")
    def chained():
        try:
            {}["missing"]
        except KeyError as error:
            raise ValueError("could not load <the thing>") from error

    @app.get("/deep")
    def deep():
        def recurse(depth):
            return recurse(depth + 1)
        return recurse(0)

    return app


def page(app, path="/average", environ=None, **kwargs):
    answer = Client(app).get(path, environ={"wsgi.errors": io.StringIO(), **(environ or {})}, **kwargs)
    assert answer.status_code == 500
    return answer.text


def test_the_title_is_the_exception(app):
    assert "<h1>ZeroDivisionError: division by zero</h1>" in page(app)


def test_each_frame_shows_its_file_line_and_function(app):
    text = page(app)
    line = average.__code__.co_firstlineno + 2
    assert f"average <span class=\"where\">{__file__}, line {line}</span>" in text
    assert "show_average" in text and "app.py" in text


def test_the_line_that_ran_is_highlighted_with_the_lines_around_it(app):
    text = page(app)
    line = average.__code__.co_firstlineno + 2
    ran = re.search(rf'<span class="ran"><span class="no">{line}</span>(.*?)</span>', text)
    assert ran and "# the line that raises" in ran.group(1)
    assert f'<span class="no">{line - 1}</span>    total = sum(numbers)' in text  # the line before


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Python 3.10 does not tell which expression raised")
def test_the_expression_that_raised_is_marked(app):
    assert "<mark>total / len(numbers)</mark>" in page(app)


def test_your_frames_are_open_and_the_frameworks_folded(app):
    text = page(app)
    assert re.search(r'<details open><summary>average <span class="where">[^<]*test_debug_page\.py', text)
    assert re.search(r'<details class="library"><summary>_handle <span class="where">[^<]*demijohn/app\.py', text)


def test_a_chained_exception_shows_both_in_the_order_python_prints_them(app):
    text = page(app, "/chained")
    cause, sentence = text.index("KeyError: &#039;missing&#039;"), text.index("was the direct cause of this one")
    assert cause < sentence < text.index("ValueError: could not load &lt;the thing&gt;</strong>")


def test_a_runaway_recursion_shows_three_repeats_then_counts_the_rest(app):
    text = page(app, "/deep")
    assert text.count("<summary>recurse ") == 3
    assert re.search(r"The frame above repeated \d+ more times", text)


def test_the_request_shows_method_path_route_query_and_headers(app):
    text = page(app, "/average", query={"n": "", "sort": "<asc>"}, headers={"X-Colour": "blue"})
    for cell in ("<th>Method</th><td>GET</td>", "<th>Path</th><td>/average</td>",
                 "<th>sort</th><td>&lt;asc&gt;</td>", "<th>X-Colour</th><td>blue</td>"):
        assert cell in text
    assert re.search(r"<th>Route</th><td>GET /average → [^<]*\.show_average</td>", text)


def test_secret_headers_and_query_values_are_masked(app):
    text = page(app, "/average", headers=SECRETS, query={"password": "query-secret-5", "api_key": "query-secret-6"})
    for value in [*SECRETS.values(), "query-secret-5", "query-secret-6"]:
        assert value.split("=")[-1].split()[-1] not in text
    assert '<th>Authorization</th><td class="masked">masked (20 characters)</td>' in text
    assert '<th>password</th><td class="masked">masked (14 characters)</td>' in text


def test_everything_from_the_request_and_the_exception_is_escaped_and_there_is_no_script(app):
    app.get("/xss")(lambda: (_ for _ in ()).throw(ValueError("<script>alert(1)</script>")))
    text = page(app, "/xss", query={"q": "<script>alert(2)</script>"}, headers={"X-Evil": "<img src=x onerror=alert(3)>"})
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;img src=x onerror=alert(3)&gt;" in text


def test_the_plain_traceback_is_there_to_copy(app):
    text = page(app)
    assert "Traceback (most recent call last):" in text and "ZeroDivisionError: division by zero\n</pre>" in text


def test_out_of_debug_mode_the_page_names_the_status_only(app):
    demijohn.debug(False)
    text = page(app, "/average", headers={"X-Colour": "blue"}, query={"sort": "asc"})
    assert "500 Internal Server Error" in text
    for internal in ("ZeroDivisionError", "average", "Traceback", "blue", "asc", "test_debug_page", "<details"):
        assert internal not in text


def test_an_http_error_without_an_exception_keeps_the_plain_page_in_debug_mode(app):
    app.get("/gone")(lambda: HTTPError(410, "Gone for good."))
    answer = Client(app).get("/gone")
    assert answer.status_code == 410 and "Gone for good." in answer.text and "<details" not in answer.text


def test_rendered_outside_a_request_it_says_so():
    try:
        average([])
    except ZeroDivisionError as error:
        text = App().default_error_handler(HTTPError(500, "Internal Server Error", error))
    assert "<p>(raised outside a request)</p>" in text and "ZeroDivisionError" in text


def test_content_headers_are_shown_only_for_a_request_with_a_body(app):
    app.post("/average")(lambda: 1 / 0)
    assert "<th>Content-Type</th>" not in page(app, environ={"CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": ""})
    posted = Client(app).post("/average", data={"n": "1"}, environ={"wsgi.errors": io.StringIO()}).text
    assert "<th>Content-Type</th><td>application/x-www-form-urlencoded</td>" in posted
    assert "<th>Content-Length</th><td>3</td>" in posted


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no")


def test_an_exception_whose_str_fails_still_gets_its_page(app):
    app.get("/unprintable")(lambda: (_ for _ in ()).throw(Unprintable()))
    assert "Unprintable: &lt;str() of the exception failed&gt;</h1>" in page(app, "/unprintable")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="add_note() came with Python 3.11")
def test_the_title_is_the_exception_not_its_notes(app):
    def noted():
        error = KeyError("id")
        error.add_note("while loading the note")
        raise error

    app.get("/noted")(noted)
    text = page(app, "/noted")
    assert "<h1>KeyError: &#039;id&#039;</h1>" in text and "while loading the note" in text  # in the plain text


def test_a_context_that_loops_back_is_shown_once(app):
    def looping():
        first, second = ValueError("first"), KeyError("second")
        first.__context__, second.__context__ = second, first
        raise first

    app.get("/looping")(looping)
    text = page(app, "/looping")
    assert text.count("<strong>ValueError: first</strong>") == 1 and text.count("KeyError: &#039;second&#039;</strong>") == 1
    assert text.index("KeyError") < text.index("During handling") < text.index("<strong>ValueError")
