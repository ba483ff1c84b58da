"""The Python code a SimpleTemplate compiles to, written statement by statement:
indentation from ``%end``-closed blocks, text and ``{{expressions}}`` gathered into one
``_extend((...))`` call per run of text, and the template line of every generated line, so
errors and tracebacks point at the template, not at the generated code.
"""

from __future__ import annotations

import re
from typing import Callable

from .pyscan import top_level

# A statement that opens a block closed by ``end``, and one that continues the open block.
_OPENING = re.compile(r"(?:if|for|while|with|try|def|class|async[ \t]+(?:for|with|def))\b")
_CONTINUING = re.compile(r"(?:elif|else|except|finally)\b")
# "end for" or "end if": words after end (an expression such as "end = 1" or "end(x)" is code).
_END_WITH_WORDS = re.compile(r"end[ \t]+[A-Za-z_]")


class _Block:
    """An open block: its keyword, the line that opened it, whether it has a statement yet."""

    __slots__ = ("keyword", "line", "has_body")

    def __init__(self, keyword: str, line: int) -> None:
        self.keyword, self.line, self.has_body = keyword, line, False


class CodeWriter:
    """Collects the generated Python, one template statement or piece of text at a time.

    ``error(line, message)`` builds the exception raised for a template that cannot be
    translated (a stray ``end``, a block never closed)."""

    def __init__(self, error: Callable[[int, str], Exception]) -> None:
        self.error = error
        self.lines: list[str] = []
        #: The template line of each generated line (index 0 is generated line 1).
        self.line_map: list[int] = []
        self.blocks: list[_Block] = []
        self.pieces: list[tuple[bool, str, int]] = []  # (is literal text, text or Python expression, line)

    # -- text ----------------------------------------------------------------------------------
    def text(self, text: str, line: int) -> None:
        """Output ``text`` as it is."""
        if not text:
            return
        if self.pieces and self.pieces[-1][0]:
            _, previous, first_line = self.pieces[-1]
            self.pieces[-1] = (True, previous + text, first_line)
        else:
            self.pieces.append((True, text, line))

    def expression(self, code: str, escaped: bool, line: int) -> None:
        """Output the value of the Python expression ``code``, HTML-escaped or not."""
        self.pieces.append((False, f"{'_escape' if escaped else '_str'}({code})", line))

    def flush(self) -> None:
        """Write the pending run of text as one call."""
        pieces, self.pieces = self.pieces, []
        if not pieces:
            return
        if len(pieces) == 1:
            literal, text, line = pieces[0]
            self._emit(f"_write({text!r})" if literal else f"_write({text})", line)
            return
        self._emit("_extend((", pieces[0][2])
        for literal, text, line in pieces:
            self._emit(f"    {text!r}," if literal else f"    {text},", line)
        self._emit("))", pieces[-1][2])

    # -- code ----------------------------------------------------------------------------------
    def statement(self, code: str, line: int) -> None:
        """Add one Python statement (no top-level ``;``) that started on template ``line``."""
        stripped = code.strip()
        if not stripped:
            return
        line += code[:len(code) - len(code.lstrip())].count("\n")
        self.flush()
        if stripped == "end":
            self._close(line)
        elif _END_WITH_WORDS.match(stripped):
            raise self.error(line, f"'% {stripped}': write '% end' alone (a comment may follow after '#').")
        elif _CONTINUING.match(stripped):
            self._continue(stripped, line)
        elif _OPENING.match(stripped):
            self._open(stripped, line)
        else:
            self._emit(stripped, line)

    def _open(self, code: str, line: int) -> None:
        header, body = self._split_header(code, line)
        self._emit(header, line)
        self.blocks.append(_Block(_keyword(code), line))
        self.statement(body, line + header.count("\n"))

    def _continue(self, code: str, line: int) -> None:
        keyword = _keyword(code)
        if not self.blocks:
            raise self.error(line, f"'{keyword}' continues no block: there is no open '% if', '% for', '% while' "
                                   "or '% try' before it (or it was already closed by '% end').")
        self._fill(line)
        block = self.blocks.pop()
        header, body = self._split_header(code, line)
        self._emit(header, line)
        self.blocks.append(_Block(block.keyword, block.line))
        self.statement(body, line + header.count("\n"))

    def _close(self, line: int) -> None:
        if not self.blocks:
            raise self.error(line, "'% end' closes no block: every '% end' must follow a '% if', '% for', "
                                   "'% while', '% with', '% try', '% def' or '% class' that is still open.")
        self._fill(line)
        self.blocks.pop()

    def _split_header(self, code: str, line: int) -> tuple[str, str]:
        """Split ``if x: y = 1`` into its header ``if x:`` and the body on the same line."""
        colons = [position for position in top_level(code, ":") if not code.startswith(":=", position)]
        if not colons:
            raise self.error(line, f"'% {code}' needs a colon at the end of its header, as in Python.")
        return code[:colons[0] + 1], code[colons[0] + 1:]

    def _fill(self, line: int) -> None:
        """Give an empty block the body Python needs."""
        if not self.blocks[-1].has_body:
            self._emit("pass", line)

    def _emit(self, code: str, line: int) -> None:
        """Add a statement (maybe spanning lines) at the current indentation."""
        if self.blocks:
            self.blocks[-1].has_body = True
        first, *rest = code.split("\n")
        self.lines.append("    " * len(self.blocks) + first)
        self.line_map.append(line)
        for offset, more in enumerate(rest, 1):  # continuation lines: inside brackets or strings, kept as written
            self.lines.append(more)
            self.line_map.append(line + offset)

    # -- the end -------------------------------------------------------------------------------
    def finish(self) -> str:
        """The generated module; raises if a block is still open."""
        self.flush()
        if self.blocks:
            block = self.blocks[-1]
            raise self.error(block.line, f"the '% {block.keyword}' block opened on line {block.line} is never "
                                         "closed: add a '% end' line where it ends.")
        return "\n".join(self.lines) + "\n"


def _keyword(code: str) -> str:
    """The keyword a block statement starts with (``if``, ``async for``...)."""
    match = _OPENING.match(code) or _CONTINUING.match(code)
    return " ".join(match.group(0).split()) if match else code



__all__ = ["CodeWriter"]
