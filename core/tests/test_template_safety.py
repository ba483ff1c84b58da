"""Templates are code: template() never runs request input as a template, says clearly what
is a name and what is source, and keeps a bounded cache of compiled templates."""

import http.client
import io
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from demijohn import (App, HTTPError, Jinja2Template, SimpleTemplate, TemplateError, TemplateSourceError,
                      jinja2_template, request, template)
from demijohn.templates import TEMPLATES
from demijohn.templates.render import is_source
from demijohn.testing import Client

pytestmark = pytest.mark.usefixtures("fresh_templates")

PAYLOAD = "{{ran.append(1)}}"  # runs (and says so) if it is ever compiled as a template


@pytest.fixture
def ran():
    return []


def greeting_app(ran, build):
    """An app whose /hello answers ``template(build())`` with ``ran`` as a variable."""
    app = App()
    app.route("/hello", ["GET", "POST"], lambda: template(build(), ran=ran, name="Ann"))
    app.route("/hello/<who>", "GET", lambda who: template(build(), ran=ran))
    return app


# -- name or source ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["hello", "pages/about.tpl", "a b", "index.html", "../x"])
def test_a_string_without_markers_is_a_name(text):
    assert not is_source(text)


@pytest.mark.parametrize("text", ["Hello {{name}}", "% for x in y:", "${x}", "two\nlines"])
def test_a_string_with_a_line_break_or_braces_percent_or_dollar_is_source(text):
    assert is_source(text)


def test_a_name_is_looked_up_never_printed(tmp_path):
    with pytest.raises(TemplateError, match="'welcome' not found"):
        template("welcome", template_lookup=[str(tmp_path)])


def test_template_name_is_always_a_name_even_with_braces(tmp_path, ran):
    with pytest.raises(TemplateError, match="not found"):
        template(template_name=PAYLOAD, template_lookup=[str(tmp_path)], ran=ran)
    assert ran == []


def test_template_source_is_always_source_even_without_markers():
    assert template(template_source="plain words") == "plain words"
    assert template(template_source="Hi {{name}}", name="Bo") == "Hi Bo"


def test_template_source_takes_the_engine_given():
    assert template(template_source="{{ n|abs }}", n=-3, template_adapter=Jinja2Template) == "3"


@pytest.mark.parametrize("call", [lambda: template(), lambda: template("a", template_name="b"),
                                  lambda: template(template_name="a", template_source="b")])
def test_exactly_one_template_must_be_given(call):
    with pytest.raises(TemplateError, match="takes one template"):
        call()


def test_template_source_must_be_text():
    with pytest.raises(TemplateError, match="template_source= must be the template's text"):
        template(template_source=42)


# -- request input as a variable is printed, never run -----------------------------------------------
def test_request_input_passed_as_a_variable_is_printed_not_run(ran):
    app = App()
    app.route("/", "GET", lambda: template("Hello {{name}}!", name=request.query.name, ran=ran))
    answer = Client(app).get("/", query={"name": PAYLOAD})
    assert (answer.status_code, answer.text) == (200, f"Hello {PAYLOAD}!")
    assert ran == []


def test_request_input_passed_as_a_variable_is_escaped(ran):
    app = App()
    app.route("/", "GET", lambda: template("<p>{{text}}</p>", text=request.query.text))
    assert Client(app).get("/", query={"text": "<script>%>"}).text == "<p>&lt;script&gt;%&gt;</p>"


def test_request_input_passed_to_a_jinja2_template_as_a_variable_is_printed_not_run(ran):
    app = App()
    app.route("/", "GET", lambda: jinja2_template("Hello {{ name }}!", name=request.query.name))
    assert Client(app).get("/", query={"name": "{{ 7 * 7 }}"}).text == "Hello {{ 7 * 7 }}!"


# -- request input as template source is refused -------------------------------------------------------
def assert_refused(answer, ran, where):
    assert answer.status_code == 400
    assert f"The request&#039;s {where} contains template markup" in answer.text
    assert ran == []
    assert not any(PAYLOAD in str(key) for key in TEMPLATES)


def test_a_query_value_concatenated_into_a_template_is_refused_with_a_400(ran):
    app = greeting_app(ran, lambda: "Hello " + request.query.name + "!")
    assert_refused(Client(app).get("/hello", query={"name": PAYLOAD}), ran, "query string")


def test_a_query_value_used_as_the_template_is_refused(ran):
    app = greeting_app(ran, lambda: request.query.page)
    assert_refused(Client(app).get("/hello", query={"page": PAYLOAD}), ran, "query string")


def test_a_code_line_from_the_request_is_refused(ran):
    app = greeting_app(ran, lambda: "Hi\n" + request.query.note)
    assert_refused(Client(app).get("/hello", query={"note": "% ran.append(1)\n"}), ran, "query string")


def test_a_url_wildcard_in_a_template_is_refused(ran):
    app = greeting_app(ran, lambda: "Hello " + request.url_args["who"])
    assert_refused(Client(app).get("/hello/%7B%7Bran.append(1)%7D%7D"), ran, "URL")


def test_the_path_in_a_template_is_refused(ran):
    app = App()
    app.route("/<anything:path>", "GET", lambda anything: template("You are at " + request.path, ran=ran))
    assert_refused(Client(app).get("/docs/%7B%7Bran.append(1)%7D%7D"), ran, "path")


def test_a_header_in_a_template_is_refused(ran):
    app = greeting_app(ran, lambda: "Your browser: " + request.get_header("User-Agent", ""))
    assert_refused(Client(app).get("/hello", headers={"User-Agent": PAYLOAD}), ran, "User-Agent header")


def test_a_cookie_in_a_template_is_refused(ran):
    app = greeting_app(ran, lambda: "Theme: " + request.get_cookie("theme", ""))
    assert_refused(Client(app).get("/hello", headers={"Cookie": f"theme={PAYLOAD}"}), ran, "cookie")


def test_a_form_field_in_a_template_is_refused(ran):
    app = greeting_app(ran, lambda: "Comment: " + request.forms.comment)
    assert_refused(Client(app).post("/hello", data={"comment": PAYLOAD}), ran, "form data")


def test_a_json_field_in_a_template_is_refused(ran):
    app = greeting_app(ran, lambda: "Title: " + request.json["post"]["title"])
    assert_refused(Client(app).post("/hello", json={"post": {"title": PAYLOAD}}), ran, "JSON body")


def test_the_refusal_is_logged_for_the_developer(ran):
    app = greeting_app(ran, lambda: "Hello " + request.query.name)
    log = io.StringIO()
    Client(app).get("/hello", query={"name": PAYLOAD}, environ={"wsgi.errors": log})
    assert "template() was given the request's query string as template source (route '/hello')" in log.getvalue()


def test_the_refusal_is_an_http_400_and_a_template_error():
    assert issubclass(TemplateSourceError, HTTPError) and issubclass(TemplateSourceError, TemplateError)


def test_request_markup_that_is_not_in_the_template_is_fine():
    app = App()
    app.route("/", "GET", lambda: template("Hello {{name}}!", name="Ann"))
    assert Client(app).get("/", query={"q": "{{other}}"}).text == "Hello Ann!"


def test_request_text_without_markup_in_a_template_is_allowed():
    app = App()
    app.route("/", "GET", lambda: template("Hello {{name}}, " + request.query.greeting, name="Ann"))
    assert Client(app).get("/", query={"greeting": "welcome back"}).text == "Hello Ann, welcome back"


def test_template_source_is_trusted_even_inside_a_request():
    app = App()
    app.route("/", "GET", lambda: template(template_source=request.query.tpl))
    assert Client(app).get("/", query={"tpl": "{{6 * 7}}"}).text == "42"


def test_the_engines_themselves_compile_what_they_are_given():
    assert SimpleTemplate("{{6 * 7}}").render() == "42"


def test_a_refused_template_is_refused_over_a_real_socket(ran):
    app = greeting_app(ran, lambda: "Hello " + request.query.name)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        connection.request("GET", "/hello?name=%7B%7Bran.append(1)%7D%7D")
        answer = connection.getresponse()
        assert (answer.status, ran) == (400, [])
        assert b"contains template markup" in answer.read()
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the cache is bounded ------------------------------------------------------------------------------
def test_the_cache_keeps_at_most_maxsize_templates(monkeypatch):
    monkeypatch.setattr(TEMPLATES, "maxsize", 5)
    for number in range(50):
        assert template(f"{{{{n}}}} #{number}", n=1) == f"1 #{number}"
    assert len(TEMPLATES) == 5


def test_the_least_recently_used_template_is_dropped_first(monkeypatch):
    monkeypatch.setattr(TEMPLATES, "maxsize", 2)
    template("{{1}}a")
    template("{{1}}b")
    template("{{1}}a")  # a is now the most recently used
    template("{{1}}c")
    assert sorted(key[2] for key in TEMPLATES) == ["{{1}}a", "{{1}}c"]


def test_requests_that_vary_a_template_cannot_grow_the_cache(monkeypatch):
    monkeypatch.setattr(TEMPLATES, "maxsize", 20)
    app = App()
    app.route("/", "GET", lambda: template("Hello {{name}}, " + request.query.suffix, name="Ann"))
    client = Client(app)
    for number in range(100):
        assert client.get("/", query={"suffix": f"visitor {number}"}).status_code == 200
    assert len(TEMPLATES) == 20


def test_the_cache_stays_bounded_under_concurrent_renders(monkeypatch):
    monkeypatch.setattr(TEMPLATES, "maxsize", 8)
    failures = []

    def render_many(offset):
        try:
            for number in range(200):
                assert template(f"{{{{x}}}}{(number + offset) % 40}", x="") == str((number + offset) % 40)
        except Exception as error:  # reported below, with the thread's failure
            failures.append(error)

    threads = [threading.Thread(target=render_many, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(TEMPLATES) <= 8
