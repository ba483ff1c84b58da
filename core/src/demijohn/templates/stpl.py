"""SimpleTemplate's syntax, translated to Python: :class:`StplParser`.

A template is text with three kinds of code in it (the tokens are the default syntax,
``'<% %> % {{ }}'``, and can be changed with ``syntax=``):

- ``{{expression}}`` prints a Python expression, HTML-escaped; ``{{!expression}}`` prints
  it as it is. An expression ends at the first ``}}`` outside strings and brackets, on the
  same line.
- A line whose first non-blank text is ``%`` is a line of Python. A statement that opens a
  block (``if``, ``for``, ``while``, ``with``, ``try``, ``def``, ``class``) is closed by an
  ``end`` statement, so indentation never matters; ``elif``, ``else``, ``except`` and
  ``finally`` continue the open block. ``;`` separates statements (``% if x: y = 1; end``).
  A statement with an open bracket or a trailing backslash goes on in the next ``%`` line.
- ``<%`` at the start of a line opens a block of Python lines, closed by ``%>`` at the end
  of a line (the rest of that line must be blank).

``\\%`` or ``\\<%`` at the start of a line prints the token as text, and a text line ending in
``\\\\`` just before a code line is joined to what follows, without its line break.
Code lines and blocks never leave a blank line behind.
"""

from __future__ import annotations

from types import CodeType
from typing import Any

from .base import TemplateError
from .markup import jinja2_tag
from .pyscan import ScanState, code_positions, scan, top_level, without_comments
from .stplcode import CodeWriter

#: The tokens of the default syntax: block start and end, line start, inline start and end.
DEFAULT_SYNTAX = "<% %> % {{ }}"


class StplSyntaxError(TemplateError, SyntaxError):
    """A SimpleTemplate that cannot be compiled; the message names the template and line.
    It is a :class:`SyntaxError` too, as Python code that does not compile would raise."""

    def __init__(self, message: str, filename: str | None = None, lineno: int | None = None) -> None:
        super().__init__(message)
        self.msg = message
        self.filename = filename
        self.lineno = lineno

    def __str__(self) -> str:
        return self.msg


def _split_lines(source: str) -> list[str]:
    """The lines of ``source`` with their line endings (only ``\\n`` ends a line)."""
    lines = [line + "\n" for line in source.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _without_eol(line: str) -> str:
    return line.rstrip("\r\n")


class StplParser:
    """Translates SimpleTemplate ``source`` into Python source (:meth:`translate`) and a
    code object whose line numbers are the template's (:meth:`compile`).

    ``filename`` names the template in errors and tracebacks; ``syntax`` is five tokens
    separated by spaces (block start and end, line start, inline start and end)."""

    default_syntax = DEFAULT_SYNTAX

    def __init__(self, source: str | bytes, syntax: str | None = None, encoding: str = "utf8",
                 filename: str | None = None) -> None:
        self.source = source.decode(encoding) if isinstance(source, bytes) else source
        self.filename = filename or "<source>"
        self.syntax = syntax or self.default_syntax
        #: The template line of each line of the generated code (index 0 is line 1).
        self.line_map: list[int] = []
        self._translated: str | None = None

    @property
    def syntax(self) -> str:
        """The five tokens, separated by spaces."""
        return " ".join((self._block_start, self._block_end, self._line_start, self._inline_start, self._inline_end))

    @syntax.setter
    def syntax(self, value: str) -> None:
        tokens = value.split()
        if len(tokens) != 5:
            raise TemplateError(f"SimpleTemplate syntax {value!r} must be five tokens separated by spaces: block "
                                f"start and end, line start, inline start and end, as in {DEFAULT_SYNTAX!r}.")
        self._block_start, self._block_end, self._line_start, self._inline_start, self._inline_end = tokens
        self._translated = None

    def error(self, line: int, message: str) -> StplSyntaxError:
        """The exception for a problem at template ``line``."""
        return StplSyntaxError(f"Template {self.filename!r} line {line}: {message}", self.filename, line)

    # -- translation ---------------------------------------------------------------------------
    def translate(self) -> str:
        """The Python source of the template (translated once, then kept)."""
        if self._translated is None:
            writer = CodeWriter(self.error)
            lines = _split_lines(self.source)
            index = 0
            while index < len(lines):
                index = self._line(lines, index, writer)
            self._translated = writer.finish()
            self.line_map = writer.line_map
        return self._translated

    def _starts_code(self, line: str) -> bool:
        body = line.lstrip(" \t")
        return body.startswith(self._block_start) or body.startswith(self._line_start)

    def _line(self, lines: list[str], index: int, writer: CodeWriter) -> int:
        """Translate the line at ``index`` (and the lines it spans); return the next index."""
        line = lines[index]
        body = line.lstrip(" \t")
        indent = len(line) - len(body)
        if body.startswith(self._block_start):
            return self._block(lines, index, indent + len(self._block_start), writer)
        if body.startswith(self._line_start):
            return self._code_line(lines, index, writer)
        if body.startswith("\\" + self._block_start) or body.startswith("\\" + self._line_start):
            line = line[:indent] + body[1:]
        elif index + 1 < len(lines) and self._starts_code(lines[index + 1]):
            for ending in ("\\\\\n", "\\\\\r\n"):
                if line.endswith(ending):
                    line = line[:-len(ending)]
        self._text(line, index + 1, writer)
        return index + 1

    def _text(self, line: str, number: int, writer: CodeWriter) -> None:
        """Translate one line of text with its ``{{expressions}}``."""
        position = 0
        while True:
            start = line.find(self._inline_start, position)
            self._literal(line[position:] if start < 0 else line[position:start], number, writer)
            if start < 0:
                return
            code_start = start + len(self._inline_start)
            end = self._inline_end_of(line, code_start)
            if end is None:
                raise self.error(number, f"{self._inline_start!r} is not closed by {self._inline_end!r} on the same "
                                         f"line (to print {self._inline_start!r} itself, write "
                                         f"{self._inline_start}{self._inline_start!r}{self._inline_end}).")
            code = line[code_start:end].strip()
            escaped = not code.startswith("!")
            code = code if escaped else code[1:].strip()
            if not code:
                raise self.error(number, f"an empty expression {self._inline_start}{self._inline_end}: put a Python "
                                         "expression between the braces.")
            writer.expression(code, escaped, number)
            position = end + len(self._inline_end)

    def _literal(self, text: str, number: int, writer: CodeWriter) -> None:
        tag = jinja2_tag(text)
        if tag is not None:
            raise self.error(number, f"{tag!r} is Jinja2 markup, which SimpleTemplate would print as plain text. "
                                     "Render this template with Jinja2: give the file an .html ending, or call "
                                     "jinja2_template() / template(..., template_adapter=Jinja2Template). If it is "
                                     f"meant as text, print its first two characters with {{{{!{tag[:2]!r}}}}}.")
        writer.text(text, number)

    def _inline_end_of(self, line: str, start: int) -> int | None:
        """Where the inline expression starting at ``start`` ends, or ``None``."""
        state = ScanState()
        code = _without_eol(line)
        for position in code_positions(code[start:], state):
            if state.depth == 0 and code.startswith(self._inline_end, start + position):
                return start + position
        return None

    def _code_line(self, lines: list[str], index: int, writer: CodeWriter) -> int:
        """Translate a ``%`` line and the ``%`` lines its statement goes on in."""
        first = _without_eol(lines[index]).lstrip(" \t")[len(self._line_start):]
        physical = [first]
        state = scan(first)
        last = index
        while state.incomplete:
            last += 1
            if last == len(lines):
                raise self.error(index + 1, "the Python code starting here is not finished at the end of the "
                                            "template: close its bracket or string.")
            line = _without_eol(lines[last])
            if not state.quote:  # inside a multi-line string a line is part of the string, as written
                body = line.lstrip(" \t")
                if not body.startswith(self._line_start):
                    raise self.error(last + 1, f"the Python code of line {index + 1} goes on here (an open bracket "
                                               f"or a trailing backslash), so this line must start with "
                                               f"{self._line_start!r} too.")
                line = body[len(self._line_start):]
            physical.append(line)
            scan(line, state)
        self._code("\n".join(physical), index + 1, writer)
        return last + 1

    def _block(self, lines: list[str], index: int, column: int, writer: CodeWriter) -> int:
        """Translate a ``<% ... %>`` block that starts at ``column`` of line ``index``."""
        state = ScanState()
        physical: list[str] = []
        for last in range(index, len(lines)):
            segment = _without_eol(lines[last])[column if last == index else 0:]
            end = self._block_end_of(segment, state)
            if end is not None:
                physical.append(segment[:end])
                if segment[end + len(self._block_end):].strip():
                    raise self.error(last + 1, f"text after {self._block_end!r}: a block ends its line, so put the "
                                               "text on the next line.")
                self._block_code(physical, index + 1, writer)
                return last + 1
            physical.append(segment)
        raise self.error(index + 1, f"the block opened with {self._block_start!r} here is never closed with "
                                    f"{self._block_end!r}.")

    def _block_end_of(self, segment: str, state: ScanState) -> int | None:
        """Where the block end token in ``segment`` is: outside strings, or ending a comment."""
        for position in code_positions(segment, state):
            if segment.startswith(self._block_end, position):
                return position
        if state.comment is not None and segment.rstrip().endswith(self._block_end):
            return len(segment.rstrip()) - len(self._block_end)
        return None

    def _block_code(self, physical: list[str], number: int, writer: CodeWriter) -> None:
        """Translate the lines of a block, statement by statement; indentation is ignored."""
        start = 0
        while start < len(physical):
            state = scan(physical[start])
            last = start
            while state.incomplete and last + 1 < len(physical):
                last += 1
                scan(physical[last], state)
            self._code("\n".join([physical[start].lstrip(" \t"), *physical[start + 1:last + 1]]), number + start, writer)
            start = last + 1

    def _code(self, code: str, number: int, writer: CodeWriter) -> None:
        """Hand each statement of ``code`` (split at top-level ``;``) to the writer."""
        code = without_comments(code)
        start = 0
        for end in [*top_level(code, ";"), len(code)]:
            writer.statement(code[start:end], number + code.count("\n", 0, start))
            start = end + 1

    # -- compilation ---------------------------------------------------------------------------
    def compile(self) -> CodeType:
        """The template's code object: tracebacks show the template's file and line numbers.
        Raises :class:`StplSyntaxError` for Python that does not compile."""
        import ast  # only to compile a template: ``import demijohn`` stays quick

        code = self.translate()
        try:
            tree = ast.parse(code, self.filename)
        except SyntaxError as error:
            line = self.line_map[min(max((error.lineno or 1) - 1, 0), len(self.line_map) - 1)] if self.line_map else 1
            raise self.error(line, f"{error.msg}: {self._source_line(line)!r}") from None
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) is not None:
                self._relocate(node)
        return compile(tree, self.filename, "exec")

    def _relocate(self, node: Any) -> None:
        """Give ``node`` the template's line numbers instead of the generated code's."""
        end = node.end_lineno or node.lineno
        node.lineno = self.line_map[node.lineno - 1]
        node.end_lineno = max(self.line_map[min(end, len(self.line_map)) - 1], node.lineno)
        if node.end_lineno == node.lineno and node.end_col_offset is not None:
            node.end_col_offset = max(node.end_col_offset, node.col_offset)

    def _source_line(self, line: int) -> str:
        lines = self.source.split("\n")
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""


__all__ = ["DEFAULT_SYNTAX", "StplParser", "StplSyntaxError"]
