"""A SimpleTemplate that cannot be compiled is a StplSyntaxError (a TemplateError and a
SyntaxError) naming the template file and line, with what is wrong and how to fix it."""

import pytest
from demijohn import SimpleTemplate, StplSyntaxError, TemplateError, template


pytestmark = pytest.mark.usefixtures("fresh_templates")


def compile_error(tmp_path, text, name="page.tpl"):
    """Compile ``text`` as the file ``name`` and return the error it raises."""
    (tmp_path / name).write_text(text)
    with pytest.raises(StplSyntaxError) as caught:
        SimpleTemplate(name=name, lookup=[str(tmp_path)])
    return caught.value


def assert_names_file_and_line(error, tmp_path, line, name="page.tpl"):
    assert str(error).startswith(f"Template {str(tmp_path / name)!r} line {line}: ")
    assert (error.filename, error.lineno) == (str(tmp_path / name), line)


def test_an_unclosed_block_names_the_line_that_opened_it(tmp_path):
    error = compile_error(tmp_path, "<ul>\n% for item in items:\n<li>{{item}}</li>\n</ul>\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "'% for' block opened on line 2 is never closed: add a '% end' line" in str(error)


def test_a_stray_end_names_its_line(tmp_path):
    error = compile_error(tmp_path, "% if x:\nyes\n% end\n% end\n")
    assert_names_file_and_line(error, tmp_path, 4)
    assert "'% end' closes no block" in str(error)


def test_an_end_with_words_after_it_is_refused(tmp_path):
    error = compile_error(tmp_path, "% for x in y:\n% end for\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "write '% end' alone" in str(error)


def test_an_else_without_an_open_block_names_its_line(tmp_path):
    error = compile_error(tmp_path, "text\n% else:\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "'else' continues no block" in str(error)


def test_a_block_header_without_a_colon_names_its_line(tmp_path):
    error = compile_error(tmp_path, "\n% for badsyntax\n% end\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "needs a colon" in str(error)


def test_a_bad_expression_names_its_line_and_shows_it(tmp_path):
    error = compile_error(tmp_path, "one\ntwo\n<p>{{ user. }}</p>\n")
    assert_names_file_and_line(error, tmp_path, 3)
    assert "invalid syntax" in str(error) and "'<p>{{ user. }}</p>'" in str(error)


def test_bad_python_in_a_code_line_names_its_line(tmp_path):
    error = compile_error(tmp_path, "a\n% if x:\n%   y = = 1\n% end\n")
    assert_names_file_and_line(error, tmp_path, 3)


def test_bad_python_in_a_block_names_the_line_inside_the_block(tmp_path):
    error = compile_error(tmp_path, "<%\n  a = 1\n  b = (\n%>\n")
    assert error.lineno in (3, 4)  # where Python notices the unclosed bracket depends on its version
    assert str(error).startswith(f"Template {str(tmp_path / 'page.tpl')!r} line {error.lineno}: ")


def test_an_unclosed_expression_is_refused_and_says_how_to_print_the_braces(tmp_path):
    error = compile_error(tmp_path, "a\nvar data = {{ {'a': 1}\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "'{{' is not closed by '}}' on the same line" in str(error) and "{{'{{'}}" in str(error)


def test_an_empty_expression_is_refused(tmp_path):
    error = compile_error(tmp_path, "{{ }}")
    assert_names_file_and_line(error, tmp_path, 1)
    assert "empty expression" in str(error)


def test_an_unclosed_python_block_names_the_line_that_opened_it(tmp_path):
    error = compile_error(tmp_path, "a\n<% x = 1\ny = 2\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "never closed with '%>'" in str(error)


def test_text_after_the_end_of_a_python_block_is_refused(tmp_path):
    error = compile_error(tmp_path, "<% x = 1 %> text\n")
    assert_names_file_and_line(error, tmp_path, 1)
    assert "text after '%>'" in str(error)


def test_a_code_line_left_open_must_go_on_in_a_code_line(tmp_path):
    error = compile_error(tmp_path, "% items = [1,\n2]\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "must start with '%' too" in str(error)


def test_code_left_open_at_the_end_of_the_template_is_refused(tmp_path):
    error = compile_error(tmp_path, "a\n% items = [1,\n")
    assert_names_file_and_line(error, tmp_path, 2)
    assert "not finished at the end of the template" in str(error)


def test_an_unknown_include_names_the_including_template_and_line(tmp_path):
    (tmp_path / "page.tpl").write_text("header\n% include('missing_part')\n")
    page = SimpleTemplate(name="page", lookup=[str(tmp_path)])
    with pytest.raises(TemplateError) as caught:
        page.render()
    message = str(caught.value)
    assert message.startswith(f"Template {str(tmp_path / 'page.tpl')!r} line 2: Template 'missing_part' not found")
    assert str(tmp_path) in message


def test_an_unknown_layout_names_the_rebasing_template_and_line(tmp_path):
    (tmp_path / "page.tpl").write_text("% rebase('no_layout')\nbody\n")
    with pytest.raises(TemplateError, match=r"page\.tpl' line 1: Template 'no_layout' not found"):
        SimpleTemplate(name="page", lookup=[str(tmp_path)]).render()


def test_an_included_template_that_does_not_compile_names_both_templates(tmp_path):
    (tmp_path / "part.tpl").write_text("% if x:\n")
    (tmp_path / "page.tpl").write_text("a\nb\n% include('part')\n")
    with pytest.raises(TemplateError, match=r"page\.tpl' line 3: .*part\.tpl' line 1: the '% if' block"):
        template("page", template_lookup=[str(tmp_path)])


def test_a_source_template_is_named_source_in_errors():
    with pytest.raises(StplSyntaxError, match=r"^Template '<source>' line 2: "):
        SimpleTemplate("ok\n% end\n")


def test_a_syntax_error_is_a_template_error_and_a_python_syntax_error():
    with pytest.raises(TemplateError):
        SimpleTemplate("% end")
    with pytest.raises(SyntaxError):
        SimpleTemplate("% end")


def test_a_syntax_setting_without_five_tokens_is_refused():
    with pytest.raises(TemplateError, match="must be five tokens"):
        SimpleTemplate("x", syntax="<% %> %")
