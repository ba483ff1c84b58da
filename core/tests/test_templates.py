"""Templates: template(), view(), the template plugin, caching and the Jinja2 adapter.
SimpleTemplate, Mako, the choice of engine and the safety rules have their own modules."""

import io
import os
import subprocess
import sys
from pathlib import Path

import demijohn
import pytest
from demijohn import (App, BottleException, HTTPResponse, TemplateError, TemplatePlugin, jinja2_template, jinja2_view,
                      template, view)
from demijohn.templates import TEMPLATE_PATH, TEMPLATES, clear_templates
from demijohn.testing import Client

VIEWS = str(Path(__file__).parent / "views")


@pytest.fixture(autouse=True)
def fresh_cache_and_no_debug():
    clear_templates()
    demijohn.debug(False)
    yield
    clear_templates()
    demijohn.debug(False)


@pytest.fixture
def views_on_template_path():
    saved = TEMPLATE_PATH[:]
    TEMPLATE_PATH[:] = [VIEWS]
    yield
    TEMPLATE_PATH[:] = saved


def render(template_name, **variables):
    return template(template_name, template_lookup=[VIEWS], **variables)


# -- template() ------------------------------------------------------------------------------
def test_a_string_with_markup_is_rendered_as_the_template_source():
    assert template("Hello {{ name }}!", name="World") == "Hello World!"


def test_dict_arguments_and_keywords_both_supply_variables_dicts_win_as_in_bottle():
    assert template("{{ a }}{{ b }}", {"a": 1, "b": 2}, b=3) == "12"


def test_a_name_is_found_with_the_tpl_ending_in_the_lookup_folders():
    assert render("hello", name="Ann").strip() == "Hello Ann from hello.tpl"


def test_a_name_with_its_ending_is_found_as_given():
    assert render("hello.html", name="Ann").strip() == "Hello Ann from hello.html"


def test_the_html_ending_is_tried_when_there_is_no_tpl_file():
    assert render("greeting", name="Bo").strip() == "Hi, Bo"


def test_a_template_inherits_a_base_layout():
    page = render("page", name="Ann")
    assert "<title>Page of Ann</title>" in page
    assert "<body><p>Hello Ann!</p></body>" in page
    assert page.startswith("<!DOCTYPE html>")


def test_html_templates_are_autoescaped():
    assert render("hello.html", name="<script>").strip() == "Hello &lt;script&gt; from hello.html"


def test_source_templates_are_autoescaped():
    assert template("{{ x }}", x="<b>") == "&lt;b&gt;"


def test_txt_templates_are_not_autoescaped():
    assert render("note.txt", text="a < b").strip() == "Note: a < b"


def test_default_lookup_is_bottles_template_path_with_views_folder(monkeypatch):
    monkeypatch.chdir(Path(VIEWS).parent)
    assert demijohn.TEMPLATE_PATH == ["./", "./views/"]
    assert template("hello", name="Cy").strip() == "Hello Cy from hello.tpl"


def test_a_missing_template_is_an_error_naming_the_folders_searched(tmp_path):
    with pytest.raises(TemplateError) as caught:
        template("nowhere", template_lookup=[VIEWS, str(tmp_path)])
    message = str(caught.value)
    assert "'nowhere' not found" in message
    assert VIEWS in message and str(tmp_path) in message
    assert isinstance(caught.value, BottleException)


def test_extending_a_missing_layout_is_an_error_naming_the_layout_and_folders():
    with pytest.raises(TemplateError, match=r"uses template 'nolayout\.html', which is not found in .*views"):
        jinja2_template('{% extends "nolayout.html" %}', template_lookup=[VIEWS])


def test_a_name_that_climbs_out_of_the_lookup_folder_is_not_found():
    with pytest.raises(TemplateError, match="not found"):
        template("../test_templates.py", template_lookup=[VIEWS])


def test_a_syntax_error_names_the_template_and_line():
    with pytest.raises(TemplateError, match=r"broken\.html.* line 2"):
        render("broken")


def test_a_non_string_template_argument_is_refused_with_a_clear_error():
    with pytest.raises(TemplateError, match="template name or source"):
        template(42)


def test_template_settings_add_jinja2_filters():
    settings = {"filters": {"shout": lambda text: text.upper() + "!"}}
    assert jinja2_template("{{ word|shout }}", word="hey", template_settings=settings) == "HEY!"


# -- caching ------------------------------------------------------------------------------------
def write_view(folder, text):
    (folder / "changing.tpl").write_text(text)
    # Make the change visible to mtime-based checks even on coarse file systems.
    stamp = os.path.getmtime(folder / "changing.tpl") + 5
    os.utime(folder / "changing.tpl", (stamp, stamp))


def test_compiled_templates_are_cached_between_renders(tmp_path):
    write_view(tmp_path, "first")
    assert template("changing", template_lookup=[str(tmp_path)]) == "first"
    write_view(tmp_path, "second")
    assert template("changing", template_lookup=[str(tmp_path)]) == "first"
    assert len(TEMPLATES) == 1


def test_a_changed_layout_is_picked_up_in_debug_mode(tmp_path):
    (tmp_path / "layout.html").write_text("old {% block b %}{% endblock %}")
    (tmp_path / "child.html").write_text('{% extends "layout.html" %}{% block b %}x{% endblock %}')
    assert template("child", template_lookup=[str(tmp_path)]) == "old x"
    demijohn.debug(True)
    (tmp_path / "layout.html").write_text("new {% block b %}{% endblock %}")
    assert template("child", template_lookup=[str(tmp_path)]) == "new x"


def test_clear_templates_drops_the_cache(tmp_path):
    write_view(tmp_path, "first")
    template("changing", template_lookup=[str(tmp_path)])
    write_view(tmp_path, "second")
    clear_templates()
    assert template("changing", template_lookup=[str(tmp_path)]) == "second"


def test_debug_mode_reads_templates_again_on_every_render(tmp_path):
    write_view(tmp_path, "first")
    template("changing", template_lookup=[str(tmp_path)])
    demijohn.debug(True)
    write_view(tmp_path, "second")
    assert template("changing", template_lookup=[str(tmp_path)]) == "second"


# -- view() ---------------------------------------------------------------------------------------
def test_view_renders_a_dict_result_over_the_defaults():
    @view("greeting", template_lookup=[VIEWS], greeting="Hello", name="nobody")
    def callback():
        return {"name": "Ann"}

    assert callback().strip() == "Hello, Ann"


def test_view_renders_the_defaults_when_the_callback_returns_none():
    @view("greeting", template_lookup=[VIEWS], name="Default")
    def callback():
        return None

    assert callback().strip() == "Hi, Default"


def test_view_passes_other_results_through_unchanged():
    answer = HTTPResponse("moved", status=302)

    @view("greeting", template_lookup=[VIEWS])
    def callback(kind):
        return "plain text" if kind == "text" else answer

    assert callback("text") == "plain text"
    assert callback("response") is answer


def test_a_view_decorated_route_renders_its_template():
    app = App()

    @app.get("/hello/<name>")
    @view("page", template_lookup=[VIEWS])
    def hello(name):
        return {"name": name}

    answer = Client(app).get("/hello/Ann")
    assert answer.status_code == 200
    assert "<p>Hello Ann!</p>" in answer.text
    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8"


def test_jinja2_view_and_jinja2_template_are_bottles_names_for_the_same():
    @jinja2_view("hello", template_lookup=[VIEWS])
    def callback():
        return {"name": "Di"}

    assert callback().strip() == "Hello Di from hello.tpl"
    assert jinja2_template("{{ 1 + 1 }}") == "2"


# -- the template plugin -------------------------------------------------------------------------------
def test_a_route_with_template_config_renders_its_dict_result(views_on_template_path):
    app = App()
    app.route("/", callback=lambda: {"name": "Eve"}, template="hello")
    assert Client(app).get("/").text.strip() == "Hello Eve from hello.tpl"


def test_a_route_with_template_name_and_defaults_renders_with_both(views_on_template_path):
    app = App()
    app.route("/", callback=lambda: {"name": "Eve"}, template=("greeting", {"greeting": "Howdy"}))
    assert Client(app).get("/").text.strip() == "Howdy, Eve"


def test_the_template_plugin_leaves_routes_without_template_config_unchanged():
    app = App(autojson=False)
    route_callback = app.route("/", callback=lambda: "plain")
    route = app.routes[0]
    assert route.call is route_callback
    assert "left out: template (returned the callback unchanged)" in route.explain()


def test_the_template_plugin_is_installed_after_the_json_plugin():
    names = [getattr(plugin, "name", None) for plugin in App().plugins]
    assert names == ["json", "template"]
    assert isinstance(App().plugins[1], TemplatePlugin)


def test_a_route_with_a_malformed_template_config_is_a_clear_error():
    app = App()
    app.route("/", callback=lambda: {}, template=42)
    with pytest.raises(TemplateError, match="template= must be a template name"):
        app.routes[0].prepare()


def test_a_missing_template_in_a_route_is_a_500_without_internals():
    app = App()
    app.route("/", callback=lambda: {}, template="does-not-exist")
    answer = Client(app).get("/", environ={"wsgi.errors": io.StringIO()})
    assert answer.status_code == 500
    assert "does-not-exist" not in answer.text


# -- without Jinja2 -----------------------------------------------------------------------------------
def test_template_without_jinja2_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)  # makes `import jinja2` fail
    with pytest.raises(TemplateError, match=r"pip install demijohn\[jinja2\]"):
        jinja2_template("{{ x }}", x=1)


def test_import_demijohn_works_without_jinja2():
    code = ("import sys; sys.modules['jinja2'] = None; import demijohn; "
            "app = demijohn.App(); print(len(app.plugins))")
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "2"
