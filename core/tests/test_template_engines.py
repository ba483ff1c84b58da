"""Which engine renders a template, and the promise that a template written for one engine
is never rendered as plain text by the other."""

import pytest
from demijohn import (TEMPLATE_ENGINES, Jinja2Template, MakoTemplate, SimpleTemplate, TemplateError, jinja2_template,
                      jinja2_view, template, view)
from demijohn.templates import TEMPLATES, clear_templates

STPL_LOOP = "<ul>\n% for item in items:\n  <li>{{item}}</li>\n% end\n</ul>\n"
JINJA2_LOOP = "<ul>\n{% for item in items %}\n  <li>{{ item }}</li>\n{% endfor %}\n</ul>\n"


pytestmark = pytest.mark.usefixtures("fresh_templates")


@pytest.fixture
def views(tmp_path):
    (tmp_path / "stpl_list.tpl").write_text(STPL_LOOP)
    (tmp_path / "jinja_list.html").write_text(JINJA2_LOOP)
    (tmp_path / "stpl_in_html.html").write_text(STPL_LOOP)
    (tmp_path / "jinja_in_tpl.tpl").write_text(JINJA2_LOOP)
    return str(tmp_path)


def engine_of(name, lookup):
    clear_templates()
    template(name, template_lookup=[lookup], items=[])
    (compiled,) = TEMPLATES.values()
    return type(compiled)


# -- the rule --------------------------------------------------------------------------------------
def test_a_tpl_file_is_rendered_by_simpletemplate(views):
    assert template("stpl_list", items=["a"], template_lookup=[views]) == "<ul>\n  <li>a</li>\n</ul>\n"
    assert engine_of("stpl_list", views) is SimpleTemplate


def test_an_html_file_is_rendered_by_jinja2(views):
    assert "<li>a</li>" in template("jinja_list", items=["a"], template_lookup=[views])
    assert engine_of("jinja_list.html", views) is Jinja2Template


@pytest.mark.parametrize(("ending", "engine"), [(".stpl", SimpleTemplate), (".thtml", SimpleTemplate),
                                                (".j2", Jinja2Template), (".txt", Jinja2Template),
                                                (".mako", MakoTemplate)])
def test_other_endings_pick_their_engine(tmp_path, ending, engine):
    (tmp_path / f"page{ending}").write_text("plain")
    assert engine_of(f"page{ending}", str(tmp_path)) is engine


def test_source_text_is_rendered_by_simpletemplate_as_in_bottle():
    assert template("% for n in numbers:\n{{n}}\n% end\n", numbers=[1, 2]) == "1\n2\n"
    assert type(next(iter(TEMPLATES.values()))) is SimpleTemplate


def test_template_adapter_overrides_the_ending(views):
    assert "<li>a</li>" in template("jinja_in_tpl", items=["a"], template_lookup=[views],
                                    template_adapter=Jinja2Template)
    assert "<li>a</li>" in jinja2_template("jinja_in_tpl", items=["a"], template_lookup=[views])


def test_jinja2_view_renders_a_tpl_file_with_jinja2(views):
    @jinja2_view("jinja_in_tpl", template_lookup=[views])
    def page():
        return {"items": ["b"]}

    assert "<li>b</li>" in page()


def test_an_ending_can_be_mapped_to_an_engine(tmp_path, monkeypatch):
    monkeypatch.setitem(TEMPLATE_ENGINES, ".page", SimpleTemplate)
    (tmp_path / "home.page").write_text("% x = 2\n{{x * 2}}")
    assert template("home.page", template_lookup=[str(tmp_path)]) == "4"


def test_a_view_picks_the_engine_by_the_files_ending(views):
    @view("stpl_list", template_lookup=[views])
    def page():
        return {"items": ["c"]}

    assert page() == "<ul>\n  <li>c</li>\n</ul>\n"


# -- never plain text ---------------------------------------------------------------------------------
def refusal(name, views):
    """The message of the error that rendering template ``name`` raises."""
    with pytest.raises(TemplateError) as caught:
        template(name, items=["a"], template_lookup=[views])
    return str(caught.value)


def test_simpletemplate_code_in_an_html_file_is_refused_not_printed(views):
    message = refusal("stpl_in_html", views)
    assert "stpl_in_html.html' line 2: '% for item in items:' is a SimpleTemplate code line" in message
    assert ".tpl ending" in message and "template_adapter=SimpleTemplate" in message


def test_simpletemplate_code_given_to_jinja2_as_source_is_refused():
    with pytest.raises(TemplateError, match="SimpleTemplate code line"):
        jinja2_template(STPL_LOOP, items=[])


def test_a_simpletemplate_python_block_given_to_jinja2_is_refused():
    with pytest.raises(TemplateError, match=r"line 2: '<%' is a SimpleTemplate code line"):
        jinja2_template("text\n<%\nx = 1\n%>\n")


def test_simpletemplate_code_in_a_jinja2_layout_is_refused(tmp_path):
    (tmp_path / "layout.html").write_text("% include('header')\n{% block body %}{% endblock %}")
    (tmp_path / "page.html").write_text('{% extends "layout.html" %}{% block body %}x{% endblock %}')
    with pytest.raises(TemplateError, match=r"layout\.html' line 1: .* is a SimpleTemplate code line"):
        template("page.html", template_lookup=[str(tmp_path)])


def test_jinja2_tags_in_a_tpl_file_are_refused_not_printed(views):
    message = refusal("jinja_in_tpl", views)
    assert "jinja_in_tpl.tpl' line 2: '{% for' is Jinja2 markup" in message
    assert ".html ending" in message and "jinja2_template()" in message


def test_jinja2_tags_given_to_template_as_source_are_refused():
    with pytest.raises(TemplateError, match="'{% if' is Jinja2 markup"):
        template("{% if user %}Hello {{ user }}{% endif %}", user="Ann")


def test_a_jinja2_comment_in_a_tpl_file_is_refused():
    with pytest.raises(TemplateError, match="Jinja2 markup"):
        SimpleTemplate("{# a note #}\ntext")


def test_jinja2_markup_inside_simpletemplate_code_or_strings_is_fine():
    assert SimpleTemplate("% text = '{% raw %}'\n{{text}}").render() == "{% raw %}"


def test_a_percent_sign_at_the_start_of_a_text_line_is_fine_in_jinja2():
    assert jinja2_template("{{ n }}\n% of users agree\n%d items", n=5) == "5\n% of users agree\n%d items"


def test_jinja2_line_statements_are_not_refused():
    settings = {"line_statement_prefix": "%"}
    assert jinja2_template("% for n in numbers\n{{ n }}\n% endfor\n", numbers=[1, 2],
                           template_settings=settings) == "1\n2\n"


def test_jinja2_markup_meant_as_text_prints_with_an_expression():
    message = str(pytest.raises(TemplateError, SimpleTemplate, "{% raw %}").value)
    assert "print its first two characters with {{!'{%'}}" in message
    assert SimpleTemplate("{{!'{%'}} raw %}").render() == "{% raw %}"


def test_a_percent_line_meant_as_text_prints_in_jinja2_with_an_expression():
    message = str(pytest.raises(TemplateError, jinja2_template, "% for the record").value)
    assert "start it with {{ '%' }} instead of %" in message
    assert jinja2_template("{{ '%' }} for the record") == "% for the record"
