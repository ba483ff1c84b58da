"""Recognising one engine's markup in a template written for another, so that a template
given to the wrong engine fails loudly instead of rendering its code as plain text.

Jinja2 prints a SimpleTemplate ``% for ...`` line as text, and SimpleTemplate prints a
Jinja2 ``{% for ... %}`` tag as text: both would render a wrong page without any error.
Each engine calls the matching function below on its source and refuses what it finds.
"""

from __future__ import annotations

import re

# A SimpleTemplate code line (``% for x in y:``, ``%end``, ``% include('x')``) or block (``<% ``):
# only lines whose Python is a statement keyword or one of the template functions, so a line
# of text that merely starts with a percent sign ("% of users") is not taken for code.
_STPL_CODE = re.compile(
    r"^[ \t]*(?:%[ \t]*(?:end|if|elif|else|for|while|try|except|finally|with|def|class|import|from|"
    r"include|rebase|setdefault)\b|<%[ \t\r]*$|<%[ \t]+\w)", re.MULTILINE)

# A Jinja2 statement tag: ``{% extends "base.html" %}``, ``{%- for x in y %}``.
_JINJA2_TAG = re.compile(
    r"\{%[-+]?[ \t]*(?:extends|block|endblock|if|elif|else|endif|for|endfor|set|endset|include|import|"
    r"from|macro|endmacro|call|endcall|filter|endfilter|raw|endraw|with|endwith|autoescape|endautoescape|"
    r"trans|endtrans)\b")


def stpl_code_line(source: str) -> tuple[int, str] | None:
    """The line number and text of the first SimpleTemplate code line in ``source``, or
    ``None`` if it has none."""
    match = _STPL_CODE.search(source)
    if match is None:
        return None
    line_start = source.rfind("\n", 0, match.start()) + 1
    line_end = source.find("\n", match.start())
    return source.count("\n", 0, match.start()) + 1, source[line_start:None if line_end < 0 else line_end].strip()


def jinja2_tag(text: str) -> str | None:
    """The first Jinja2 statement tag or comment (``{# note #}``) in ``text`` (template text,
    not code, one line), or ``None`` if it has none."""
    match = _JINJA2_TAG.search(text)
    if match:
        return match.group(0)
    comment = text.find("{#")  # str.find, not a regex: linear even for a line of many "{#"
    end = text.find("#}", comment + 2) if comment >= 0 else -1
    return text[comment:end + 2] if end >= 0 else None


__all__ = ["jinja2_tag", "stpl_code_line"]
