"""The scanner of Python source behind SimpleTemplate: strings, comments, brackets and
whether a line leaves its statement open."""

from demijohn.templates.pyscan import ScanState, code_positions, scan, top_level, without_comments


def code_of(line):
    return "".join(line[index] for index in code_positions(line, ScanState()))


def test_code_positions_skip_strings_and_comments():
    assert code_of("x = 'a#b' + \"c\"  # note") == "x =  +   "


def test_a_triple_quoted_string_stays_open_across_lines():
    state = scan('text = """first')
    assert state.incomplete and state.quote == '"""'
    scan('second""" + x', state)
    assert not state.incomplete


def test_open_brackets_and_a_trailing_backslash_leave_the_statement_open():
    assert scan("items = [1,").incomplete
    assert scan("a = 1 + \\").incomplete
    assert not scan("items = [1, (2, 3)]").incomplete


def test_a_backslash_in_a_comment_does_not_continue_the_line():
    assert not scan("x = 1  # ends with \\").incomplete


def test_escaped_quotes_stay_inside_their_string():
    assert code_of(r"x = 'it\'s' + y") == "x =  + y"


def test_an_unterminated_one_line_string_does_not_swallow_the_next_line():
    state = scan("x = 'oops")
    assert not state.incomplete


def test_the_depth_is_known_at_each_code_position():
    line = " {'a': {'b': 1}}['a'] }}"  # what follows the {{ of an inline expression
    state = ScanState()
    depths = [(index, state.depth) for index in code_positions(line, state) if line[index] == "}"]
    assert depths == [(14, 2), (15, 1), (22, 0), (23, 0)]  # the expression ends at the first '}}' at depth 0


def test_top_level_finds_characters_outside_brackets_and_strings():
    code = "if f(a, b=':'): x = {1: 2}; y = 3"
    assert top_level(code, ":;") == [code.index("):") + 1, code.index(";")]


def test_without_comments_keeps_the_line_breaks():
    assert without_comments("a = 1  # one\nb = '#not a comment'\n# whole line") == "a = 1\nb = '#not a comment'\n"
