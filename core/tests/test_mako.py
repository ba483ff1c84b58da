"""The Mako adapter (the ``mako`` extra)."""

import sys

import pytest
from demijohn import MakoTemplate, TemplateError, mako_template, mako_view, template


pytestmark = pytest.mark.usefixtures("fresh_templates")


@pytest.fixture
def views(tmp_path):
    (tmp_path / "layout.mako").write_text("<main>${self.body()}</main>\n")
    (tmp_path / "page.mako").write_text('<%inherit file="layout.mako"/>\n<p>${text}</p>\n')
    (tmp_path / "hello.tpl").write_text("Hello ${name}!\n")
    (tmp_path / "mail.txt").write_text("Dear ${name},\n")
    return str(tmp_path)


def test_a_source_template_renders_its_expressions():
    assert MakoTemplate("start ${var} end").render(var="middle") == "start middle end"


def test_expressions_are_html_escaped_and_n_prints_as_is():
    assert MakoTemplate("${html} ${html | n}").render(html="<b>") == "&lt;b&gt; <b>"


def test_escaping_can_be_turned_off_with_default_filters():
    assert MakoTemplate("${html}", default_filters=["str"]).render(html="<b>") == "<b>"


def test_a_txt_template_is_not_escaped(views):
    assert MakoTemplate(name="mail.txt", lookup=[views]).render(name="<Ann>") == "Dear <Ann>,\n"


def test_a_template_is_found_by_name_in_the_lookup_folders(views):
    assert MakoTemplate(name="hello", lookup=[views]).render(name="Ann") == "Hello Ann!\n"


def test_inherit_finds_the_layout_in_the_lookup_folders(views):
    assert MakoTemplate(name="page.mako", lookup=[views]).render(text="hi") == "<main>\n<p>hi</p>\n</main>\n"


def test_template_renders_a_mako_file_with_mako(views):
    assert template("page.mako", text="<x>", template_lookup=[views]) == "<main>\n<p>&lt;x&gt;</p>\n</main>\n"


def test_mako_template_and_mako_view_use_mako_whatever_the_ending(views):
    assert mako_template("hello", name="Bo", template_lookup=[views]) == "Hello Bo!\n"

    @mako_view("hello", template_lookup=[views])
    def callback():
        return {"name": "Cy"}

    assert callback() == "Hello Cy!\n"


def test_a_syntax_error_is_a_template_error_naming_the_template_and_line(views):
    with pytest.raises(TemplateError, match=r"Template '<source>': .*at line: 2"):
        MakoTemplate("ok\n% for badsyntax\n% endfor\n")


def test_a_missing_layout_is_a_template_error_naming_the_folders(tmp_path):
    (tmp_path / "orphan.mako").write_text('<%inherit file="nowhere.mako"/>\nx')
    with pytest.raises(TemplateError, match=r"orphan\.mako': .*nowhere\.mako.*lookup folders: .*"):
        MakoTemplate(name="orphan.mako", lookup=[str(tmp_path)]).render()


def test_a_missing_template_is_a_template_error(views):
    with pytest.raises(TemplateError, match="'nothing' not found"):
        MakoTemplate(name="nothing", lookup=[views])


def test_without_mako_the_error_names_the_extra_to_install(monkeypatch):
    for module in ("mako", "mako.exceptions", "mako.lookup", "mako.template"):
        monkeypatch.setitem(sys.modules, module, None)  # makes importing it fail
    with pytest.raises(TemplateError, match=r"pip install demijohn\[mako\]"):
        mako_template("${x}", x=1)
