"""A linear-time matcher for route rules whose wildcards could run into each other.

Why it exists: a rule is compiled to a regular expression, and Python's ``re`` backtracks.
When two wildcards can both match the characters between them (``/<a>-<b>-<c>``: ``[^/]+``
also matches ``-``; ``/<a:path>/<b:path>/end``), a path that does *not* match makes ``re``
try every way of splitting it: quadratic or cubic in the path length (a 4 KB path against
``/<a>-<b>-<c>`` cost 33 s of CPU). Rules where that cannot happen (nearly every rule:
``/user/<id>/posts/<post>``, ``/static/<path:path>``) keep the regex, which is then linear
and fastest.

The others are matched here by dynamic programming over (wildcard, position): one pass
from the end of the path computes where the rest of the rule can match; a second pass
from the start picks, for each wildcard, the extent the regex would have picked (longest
for ``<x>``, shortest for ``<x:path>``), so the result is the regex's, in time linear in the
path length. It handles the default and ``path`` filters; rules with other filters keep
their regex, bounded by the path length limit (``request.max_path``).

Writing ``re:`` filters that stay fast: a ``<name:re:...>`` wildcard is matched by Python's
backtracking ``re``, so its cost is yours to keep linear.

- Let the pattern exclude the character that follows it in the rule: ``<id:re:[0-9]+>/``,
  ``<slug:re:[a-z0-9-]+>/``, ``<name:re:[^/.]+>.<ext>``. Then there is exactly one place it
  can end, and nothing to backtrack.
- Prefer classes without ``/`` (``[^/]+``, ``[a-z]+``) to ``.*`` and ``.+``, and bound
  repetition where you can (``[0-9]{1,10}``).
- Never nest quantifiers or repeat overlapping alternatives: ``(a+)+``, ``(\\w+)*``,
  ``(a|ab)*`` take exponential time on a path that almost matches.
- Never put two wildcards that can match the same characters side by side in one segment
  (``<a:re:.*>-<b:re:.*>``): use the default filter there (the linear matcher takes it), or
  classes that exclude the separator (``<a:re:[^-/]+>-<b:re:[^-/]+>``).

Whatever a pattern costs, a path longer than ``request.max_path`` (8,192 characters by
default) never reaches it: the router answers ``414 URI Too Long`` first.
"""

from __future__ import annotations

from typing import Any, Union

#: A literal piece of the rule, or a wildcard ``(name, kind)``; ``name`` '' is anonymous and
#: ``kind`` is ``'segment'`` (``<x>``: ``[^/]+``, greedy), ``'path'`` (``.+?``, lazy) or
#: ``'int'`` (``-?\\d+``, greedy).
Part = Union[str, tuple[str, str]]
_NONE = -1
_KINDS = {None: "segment", "path": "path", "int": "int"}


def _accepts(kind: str, char: str) -> bool:
    """Whether a wildcard of ``kind`` can match ``char`` (past its first character)."""
    if kind == "segment":
        return char != "/"
    return kind == "path" or char.isdecimal()


class Found:
    """The result of a successful match: the wildcard values by name, like ``re.Match``."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def groupdict(self) -> dict[str, str]:
        """The named wildcards' values (a new dict, as ``re.Match.groupdict``)."""
        return dict(self.values)


def _backtracks(parts: list[Part]) -> bool:
    """Whether the rule's regex could take more than linear time: some wildcard can also
    match what follows it, and a later wildcard can cover the same characters (it is a
    ``path``, or no ``/`` separates the two), so a failing path makes ``re`` try every
    split between them."""
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if isinstance(part, str) or (isinstance(following, str) and not _accepts(part[1], following[0])):
            continue
        for later in parts[index + 1:]:
            if isinstance(later, str):
                if part[1] != "path" and "/" in later:
                    break
            else:
                return True
    return False


def _literal_table(path: str, literal: str, rest: bytearray, here: bytearray) -> None:
    start = path.find(literal)
    while start != _NONE:
        if rest[start + len(literal)]:
            here[start] = 1
        start = path.find(literal, start + 1)


def _wildcard_table(path: str, kind: str, rest: bytearray, here: bytearray) -> None:
    """``here[x]``: a wildcard of ``kind`` can cover ``path[x:q]`` with ``rest[q]`` set."""
    nearest = _NONE  # the first end q > position, within the wildcard's run, that the rest accepts
    for position in range(len(path) - 1, -1, -1):
        char = path[position]
        if kind != "path" and not _accepts(kind, char):
            if kind == "int" and char == "-" and nearest != _NONE and path[position + 1].isdecimal():
                here[position] = 1  # the optional sign, followed by digits that can end well
            nearest = position if kind == "segment" and rest[position] else _NONE
            continue
        if rest[position + 1]:
            nearest = position + 1
        if nearest != _NONE:
            here[position] = 1


class LinearMatcher:
    """Matches a path against ``parts`` (literals and wildcards) in linear time, with the
    same result as the rule's regex. Use :func:`linear_matcher` to build one only where the
    regex could backtrack badly."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Part]) -> None:
        self.parts = parts

    def _tables(self, path: str) -> list[bytearray]:
        """``tables[i][x]`` is 1 when ``parts[i:]`` matches ``path[x:]`` exactly."""
        tables = [bytearray(len(path) + 1) for _ in range(len(self.parts) + 1)]
        tables[-1][len(path)] = 1
        for index in range(len(self.parts) - 1, -1, -1):
            part = self.parts[index]
            if isinstance(part, str):
                _literal_table(path, part, tables[index + 1], tables[index])
            else:
                _wildcard_table(path, part[1], tables[index + 1], tables[index])
        return tables

    def match(self, path: str) -> Found | None:
        """A :class:`Found` with the wildcard values, or ``None`` when the path does not match."""
        tables = self._tables(path)
        if not tables[0][0]:
            return None
        values: dict[str, str] = {}
        position = 0
        for index, part in enumerate(self.parts):
            if isinstance(part, str):
                position += len(part)
                continue
            name, kind = part
            end = _extent(path, position, kind, tables[index + 1])
            if name:
                values[name] = path[position:end]
            position = end
        return Found(values)


def _extent(path: str, position: int, kind: str, rest: bytearray) -> int:
    """Where the wildcard starting at ``position`` ends: the regex's choice among the ends
    the rest accepts (shortest for ``path``, which is lazy; longest for the others)."""
    if kind == "path":
        return rest.find(1, position + 1)
    first = position + 1 if kind == "int" and path[position] == "-" else position
    limit = first
    while limit < len(path) and _accepts(kind, path[limit]):
        limit += 1
    return rest.rfind(1, first + 1, limit + 1)


def linear_matcher(pieces: list[tuple[str | None, Any]]) -> LinearMatcher | None:
    """A :class:`LinearMatcher` for a rule given as ``(None, literal)`` and
    ``(name, filter_name)`` pieces, when its regex could backtrack badly and it has only
    default, ``path`` and ``int`` wildcards; else ``None`` (the regex is linear then, and
    faster)."""
    parts: list[Part] = []
    for name, value in pieces:
        if name is None:
            if value:
                if parts and isinstance(parts[-1], str):
                    parts[-1] += value
                else:
                    parts.append(value)
        elif value in _KINDS:
            parts.append((name, _KINDS[value]))
        else:
            return None
    return LinearMatcher(parts) if _backtracks(parts) else None


__all__ = ["Found", "LinearMatcher", "linear_matcher"]
