"""A small scanner of Python source, line by line: which characters are code (not inside a
string or a comment), how deep the brackets are, and whether a line leaves a statement open.

SimpleTemplate needs exactly this to find where embedded code ends: the ``}}`` that closes
an inline expression (``{{ {'a': 1}['a'] }}``), the ``%>`` that closes a block (not one in a
string), the ``;`` and ``:`` that split statements, and whether a ``%`` line continues on
the next. Written by hand because :mod:`tokenize` stops at the first incomplete construct
and changed its errors between Python versions.
"""

from __future__ import annotations

from collections.abc import Iterator

_OPENERS = "([{"
_CLOSERS = ")]}"


class ScanState:
    """Where the scanner stands after the text it has seen."""

    __slots__ = ("quote", "depth", "continued", "comment")

    def __init__(self) -> None:
        #: The quote of a string left open at the end of a line (three quotes, or a single
        #: quote continued with a backslash), ``""`` when none is.
        self.quote = ""
        #: How many brackets are open.
        self.depth = 0
        #: The last line ended with a backslash outside a string: the statement continues.
        self.continued = False
        #: Where the comment of the last line starts, ``None`` when it has none.
        self.comment: int | None = None

    @property
    def incomplete(self) -> bool:
        """True when the statement seen so far goes on in the next line."""
        return bool(self.quote) or self.depth > 0 or self.continued


def code_positions(line: str, state: ScanState) -> Iterator[int]:
    """Yield the index of every code character of ``line`` (one line, without its line
    ending): characters outside strings and comments, in order, updating ``state`` as it
    goes. When a position is yielded, ``state.depth`` is the depth *before* that character."""
    state.continued = False
    state.comment = None
    index, end = 0, len(line)
    while index < end:
        if state.quote:
            index = _skip_string(line, index, state)
            continue
        char = line[index]
        if char == "#":
            state.comment = index
            return
        if char in "'\"":
            state.quote = char * 3 if line.startswith(char * 3, index) else char
            index += len(state.quote)
            continue
        yield index
        if char in _OPENERS:
            state.depth += 1
        elif char in _CLOSERS and state.depth:
            state.depth -= 1
        index += 1
    state.continued = line.endswith("\\") and not state.quote


def _skip_string(line: str, index: int, state: ScanState) -> int:
    """Move past the end of the open string (or to the end of the line, if it goes on)."""
    quote, end = state.quote, len(line)
    while index < end:
        char = line[index]
        if char == "\\":
            index += 2
        elif line.startswith(quote, index):
            state.quote = ""
            return index + len(quote)
        else:
            index += 1
    if len(quote) == 1 and not line.endswith("\\"):
        state.quote = ""  # an unterminated one-line string: Python will report it, not us
    return end


def scan(line: str, state: ScanState | None = None) -> ScanState:
    """Scan a whole line and return the state after it."""
    state = state if state is not None else ScanState()
    for _ in code_positions(line, state):
        pass
    return state


def top_level(text: str, chars: str) -> list[int]:
    """The positions in ``text`` (which may span lines) of the characters in ``chars``
    that stand outside strings, comments and brackets."""
    found: list[int] = []
    state = ScanState()
    offset = 0
    for line in text.split("\n"):
        for index in code_positions(line, state):
            if state.depth == 0 and line[index] in chars:
                found.append(offset + index)
        offset += len(line) + 1
    return found


def without_comments(text: str) -> str:
    """``text`` (which may span lines) with its comments removed; line breaks are kept, so
    line numbers still match."""
    state = ScanState()
    lines = []
    for line in text.split("\n"):
        scan(line, state)
        lines.append(line if state.comment is None else line[:state.comment].rstrip())
    return "\n".join(lines)


__all__ = ["ScanState", "code_positions", "scan", "top_level", "without_comments"]
