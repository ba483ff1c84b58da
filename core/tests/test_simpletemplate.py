"""SimpleTemplate, Bottle's engine: the syntax, the template functions (include, rebase,
get, setdefault, defined), settings, files and the compiled code."""

import threading
import traceback

import demijohn
import pytest
from demijohn import SimpleTemplate, StplParser, template


pytestmark = pytest.mark.usefixtures("fresh_templates")


def render(source, *args, **variables):
    return SimpleTemplate(source).render(*args, **variables)


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")
    return folder


# -- inline expressions --------------------------------------------------------------------------
def test_an_expression_is_printed_html_escaped():
    assert render("<p>{{text}}</p>", text="<b>&\"'") == "<p>&lt;b&gt;&amp;&quot;&#039;</p>"


def test_an_expression_with_an_exclamation_mark_is_printed_as_it_is():
    assert render("{{!html}}", html="<b>bold</b>") == "<b>bold</b>"


def test_any_python_expression_may_be_printed():
    assert render('{{name.title() if name else "stranger"}}', name="") == "stranger"
    assert render('{{", ".join(str(n * n) for n in numbers)}}', numbers=[1, 2, 3]) == "1, 4, 9"


def test_none_prints_nothing_bytes_are_decoded_and_other_values_use_str():
    assert render("<{{a}}|{{b}}|{{c}}|{{d}}|{{e}}>", a=None, b="é".encode(), c=0, d=False, e=[1]) == "<|é|0|False|[1]>"


def test_an_expression_ends_at_the_first_closing_braces_outside_strings_and_brackets():
    assert render("{{ '}}' }}") == "}}"
    assert render("{{ {'a': {'b': 1}}['a']['b'] }}!") == "1!"


def test_several_expressions_on_one_line():
    assert render("{{a}} + {{b}} = {{a + b}}", a=1, b=2) == "1 + 2 = 3"


# -- code lines and blocks -------------------------------------------------------------------------
def test_a_for_loop_is_closed_by_end_and_leaves_no_blank_lines():
    source = "<ul>\n% for item in items:\n  <li>{{item}}</li>\n% end\n</ul>\n"
    assert render(source, items=["a", "b"]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n"


def test_if_elif_else_continue_the_open_block():
    source = "%if n < 0:\nnegative\n%elif n == 0:\nzero\n%else:\npositive\n%end\n"
    assert [render(source, n=n) for n in (-1, 0, 1)] == ["negative\n", "zero\n", "positive\n"]


def test_indentation_of_code_lines_does_not_matter():
    source = "%for row in rows:\n    %for cell in row:\n{{cell}}\n        %end\n%end\n"
    assert render(source, rows=[[1, 2], [3]]) == "1\n2\n3\n"


def test_a_one_line_block_with_end_after_a_semicolon():
    assert render("%total = 0\n%for n in numbers: total += n; end\n{{total}}", numbers=[1, 2, 3]) == "6"


def test_a_block_body_on_the_header_line_continues_until_end():
    assert render('%if flag: word = "yes"\n%else: word = "no"\n%end\n{{word}}', flag=False) == "no"


def test_an_empty_block_is_allowed():
    assert render("%for item in items:\n%end\ndone", items=[1]) == "done"


def test_try_except_and_with_blocks():
    source = "%try:\n%  value = 1 / divisor\n%except ZeroDivisionError:\ninfinite\n%end\n"
    assert render(source, divisor=0) == "infinite\n"


def test_a_function_defined_in_a_template_prints_where_it_is_called():
    source = "%def item(text):\n<li>{{text}}</li>\n%end\n%item('a')\n%item('b')\n"
    assert render(source) == "<li>a</li>\n<li>b</li>\n"


def test_a_statement_with_an_open_bracket_goes_on_in_the_next_code_line():
    source = "% numbers = [\n%    n * 2\n%    for n in range(3)\n% ]\n{{numbers}}"
    assert render(source) == "[0, 2, 4]"


def test_a_trailing_backslash_continues_a_code_line():
    assert render("%if 1 \\\n%   and 2:\nyes\n%end\n") == "yes\n"


def test_a_multi_line_string_in_a_code_line_keeps_its_lines_as_written():
    assert render('% text = """one\n   two"""\n{{text}}') == "one\n   two"


def test_a_hash_inside_a_string_is_not_a_comment():
    assert render("%if '#':\nyes\n%end\n") == "yes\n"


def test_a_comment_line_prints_nothing():
    assert render("a\n%# a comment\nb\n") == "a\nb\n"


def test_a_python_block_between_angle_percent_tokens():
    source = "<%\n  first = 'Ada'\n  last = 'Lovelace'\n%>\n{{first}} {{last}}\n"
    assert render(source) == "Ada Lovelace\n"


def test_a_block_may_hold_statements_that_open_and_close_blocks():
    source = "<% if flag:\n     word = 'on'\n   else:\n     word = 'off'\n   end %>\n{{word}}"
    assert render(source, flag=True) == "on"


def test_a_block_end_inside_a_string_or_in_the_middle_of_a_comment_does_not_end_the_block():
    source = "<% arrow = '%>'  # not the end: %> is in the middle\n   # but this is the end %>\n{{!arrow}}"
    assert render(source) == "%>"


def test_imports_work_in_code_lines():
    assert render("%from html import unescape\n{{!unescape('&lt;')}}") == "<"


# -- escapes and line breaks -----------------------------------------------------------------------------
def test_a_backslash_before_the_code_token_prints_the_line_as_text():
    assert render("\\% not code\n  \\<% not a block %>\n") == "% not code\n  <% not a block %>\n"


def test_a_double_backslash_before_a_code_line_joins_the_lines():
    assert render("<span>\\\\\n%if True:\nyes\\\\\n%end\n</span>") == "<span>yes</span>"


def test_a_double_backslash_before_a_text_line_is_kept():
    assert render("a\\\\\nb") == "a\\\\\nb"


def test_windows_line_endings_are_kept_in_text():
    assert render("%for n in numbers:\r\n{{n}}\r\n%end\r\n", numbers=[1, 2]) == "1\r\n2\r\n"


def test_a_percent_sign_inside_a_line_is_text():
    assert render("100% sure {{'%'}}") == "100% sure %"


# -- template functions ------------------------------------------------------------------------------------
def test_get_reads_a_variable_that_may_be_missing():
    assert render('{{get("title", "Untitled")}}') == "Untitled"
    assert render('{{get("title", "Untitled")}}', title="Notes") == "Notes"


def test_setdefault_sets_a_missing_variable_only():
    source = '%setdefault("color", "blue")\n{{color}}'
    assert (render(source), render(source, color="red")) == ("blue", "red")


def test_defined_tells_whether_a_variable_was_given():
    source = '{{"yes" if defined("user") else "no"}}'
    assert (render(source, user=None), render(source)) == ("yes", "no")


def test_a_variable_named_self_works():
    assert render("{{self}}", {"self": "me"}) == "me"


def test_dict_arguments_and_keywords_are_variables_and_keywords_win():
    assert render("{{a}}{{b}}", {"a": 1, "b": 2}, b=3) == "13"


def test_include_renders_another_template_with_the_variables_and_returns_its_namespace(tmp_path):
    write(tmp_path, "item.tpl", "<li>{{text}} by {{author}}</li>\n% shown = True\n")
    page = SimpleTemplate('% result = include("item", text="a")\n{{result["shown"]}}', lookup=[str(tmp_path)])
    assert page.render(author="Ann") == "<li>a by Ann</li>\nTrue"


def test_include_in_a_loop(tmp_path):
    write(tmp_path, "item.tpl", "<li>{{text}}</li>\n")
    page = SimpleTemplate("%for text in texts:\n%include('item', text=text)\n%end\n", lookup=[str(tmp_path)])
    assert page.render(texts=["a", "b"]) == "<li>a</li>\n<li>b</li>\n"


def test_rebase_renders_the_page_into_the_base_variable_of_a_layout(tmp_path):
    write(tmp_path, "layout.tpl", "<title>{{title}}</title>\n<main>{{!base}}</main>\n")
    page = SimpleTemplate('% rebase("layout", title="Home")\n<p>{{text}}</p>', lookup=[str(tmp_path)])
    assert page.render(text="<hi>") == "<title>Home</title>\n<main><p>&lt;hi&gt;</p></main>\n"


def test_a_layout_sees_the_pages_variables(tmp_path):
    write(tmp_path, "layout.tpl", "{{heading}}: {{!base}}")
    page = SimpleTemplate('% rebase("layout")\n% heading = "Set by the page"\nbody', lookup=[str(tmp_path)])
    assert page.render() == "Set by the page: body"


def test_layouts_nest(tmp_path):
    write(tmp_path, "outer.tpl", "[{{!base}}]")
    write(tmp_path, "inner.tpl", '% rebase("outer")\n({{!base}})')
    assert SimpleTemplate('% rebase("inner")\npage', lookup=[str(tmp_path)]).render() == "[(page)]"


def test_a_function_defined_in_a_page_prints_into_the_layout_that_calls_it(tmp_path):
    write(tmp_path, "layout.tpl", "% sidebar()\n{{!base}}")
    page = SimpleTemplate('% def sidebar():\n<aside/>\n% end\n% rebase("layout", sidebar=sidebar)\nmain',
                          lookup=[str(tmp_path)])
    assert page.render() == "<aside/>\nmain"


def test_included_templates_are_compiled_once_per_template(tmp_path):
    write(tmp_path, "item.tpl", "x")
    page = SimpleTemplate("%include('item')\n%include('item')\n", lookup=[str(tmp_path)])
    assert page.render() == "xx"
    assert list(page.cache) == ["item"]


# -- settings -----------------------------------------------------------------------------------------
def test_noescape_swaps_escaped_and_raw_expressions():
    page = SimpleTemplate("{{html}} {{!html}}", noescape=True)
    assert page.render(html="<b>") == "<b> &lt;b&gt;"


def test_escape_func_replaces_html_escaping():
    assert SimpleTemplate("{{x}}", escape_func=str.upper).render(x="abc") == "ABC"


def test_syntax_changes_the_tokens():
    page = SimpleTemplate("<< x = 2 >>\n## for i in range(x):\n[[i]]\n## end\n", syntax="<< >> ## [[ ]]")
    assert page.render() == "0\n1\n"


def test_unknown_settings_are_accepted_as_in_bottle():
    assert SimpleTemplate("ok", some_future_option=1).render() == "ok"


def test_global_config_gives_every_new_template_a_setting(monkeypatch):
    monkeypatch.setattr(SimpleTemplate, "settings", {})
    SimpleTemplate.global_config("noescape", True)
    assert SimpleTemplate.global_config("noescape") is True
    assert SimpleTemplate("{{x}}").render(x="<b>") == "<b>"


# -- files ------------------------------------------------------------------------------------------------
def test_a_template_file_is_found_by_name_in_the_lookup_folders(tmp_path):
    write(tmp_path, "hello.tpl", "Hello {{name}}!\n")
    assert SimpleTemplate(name="hello", lookup=[str(tmp_path)]).render(name="Ann") == "Hello Ann!\n"


def test_a_template_file_is_read_with_its_encoding(tmp_path):
    (tmp_path / "latin.tpl").write_bytes("café {{x}}".encode("latin-1"))
    assert SimpleTemplate(name="latin", lookup=[str(tmp_path)], encoding="latin-1").render(x=1) == "café 1"


def test_a_byte_order_mark_at_the_start_of_a_file_is_dropped(tmp_path):
    (tmp_path / "bom.tpl").write_bytes("\ufeff% x = 1\n{{x}}".encode())
    assert SimpleTemplate(name="bom", lookup=[str(tmp_path)]).render() == "1"


def test_a_file_that_is_not_in_its_encoding_is_a_clear_error(tmp_path):
    (tmp_path / "latin.tpl").write_bytes("café".encode("latin-1"))
    with pytest.raises(Exception, match=r"latin\.tpl' is not valid utf8 \(byte 3\).*encoding="):
        SimpleTemplate(name="latin", lookup=[str(tmp_path)])


def test_source_may_be_bytes_or_a_file_object(tmp_path):
    assert SimpleTemplate(source="é {{x}}".encode()).render(x=1) == "é 1"
    write(tmp_path, "page.tpl", "from a file {{x}}")
    with open(tmp_path / "page.tpl") as file:
        assert SimpleTemplate(source=file).render(x=1) == "from a file 1"


def test_template_renders_tpl_files_with_simpletemplate(tmp_path):
    write(tmp_path, "list.tpl", "%for n in numbers:\n{{n}}\n%end\n")
    assert template("list", numbers=[1, 2], template_lookup=[str(tmp_path)]) == "1\n2\n"


# -- the compiled code ---------------------------------------------------------------------------------------
def test_the_template_is_compiled_once_to_python_code():
    page = SimpleTemplate("%for n in numbers:\n{{n}}\n%end\n")
    assert page.code.startswith("for n in numbers:\n")
    assert page.co.co_filename == "<source>"
    assert [page.render(numbers=[n]) for n in range(3)] == ["0\n", "1\n", "2\n"]


def test_the_parser_translates_to_python_on_its_own():
    code = StplParser("a\n%if x:\n{{x}}\n%end\n").translate()
    namespace, output = {"x": 5}, []
    exec(code, {**namespace, "_write": output.append, "_extend": output.extend, "_escape": str, "_str": str})
    assert "".join(output) == "a\n5\n"


def test_an_error_while_rendering_points_at_the_template_file_and_line(tmp_path):
    write(tmp_path, "page.tpl", "line one\n%for n in numbers:\n{{10 / n}}\n%end\n")
    page = SimpleTemplate(name="page", lookup=[str(tmp_path)])
    with pytest.raises(ZeroDivisionError) as caught:
        page.render(numbers=[1, 0])
    frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (frame.filename, frame.lineno) == (str(tmp_path / "page.tpl"), 3)
    assert frame.line == "{{10 / n}}"  # the template's own line, read back by the traceback


def test_a_missing_variable_is_a_name_error_as_in_python():
    with pytest.raises(NameError, match="'title'"):
        render("{{title}}")


def test_an_edited_include_shows_at_once_in_debug_mode(tmp_path):
    write(tmp_path, "part.tpl", "old")
    write(tmp_path, "page.tpl", "% include('part')\n!")
    assert template("page", template_lookup=[str(tmp_path)]) == "old!"
    write(tmp_path, "part.tpl", "new")
    assert template("page", template_lookup=[str(tmp_path)]) == "old!"  # compiled once, kept
    demijohn.debug(True)
    try:
        assert template("page", template_lookup=[str(tmp_path)]) == "new!"
    finally:
        demijohn.debug(False)


def test_one_template_renders_in_many_threads_at_once():
    page = SimpleTemplate("% for n in range(count):\n{{name}}{{n}}\n% end\n")
    results, threads = {}, []
    for number in range(8):
        name = f"t{number}-"
        threads.append(threading.Thread(target=lambda name=name: results.update(
            {name: [page.render(name=name, count=50) for _ in range(20)]})))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 8
    for name, outputs in results.items():
        assert set(outputs) == {"".join(f"{name}{n}\n" for n in range(50))}
