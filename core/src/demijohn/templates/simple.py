"""SimpleTemplate, Bottle's template engine, as :class:`SimpleTemplate`: the syntax is
described in :mod:`demijohn.templates.stpl`; this module runs the compiled code.

A template is compiled once to a Python code object (when it is made) and runs it on each
render. Inside a template, besides its variables:

- ``include(name, **variables)`` renders another template at this point, with this
  template's variables plus ``variables``, and returns that template's namespace;
- ``rebase(name, **variables)`` renders this template into the variable ``base`` of the
  template ``name`` (a layout: ``{{!base}}`` where the page goes);
- ``get(name, default=None)``, ``setdefault(name, value)`` and ``defined(name)`` read and
  set variables that may be missing.

Templates are code: never render a template that came from a request (see
:func:`demijohn.template`).
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Mapping

from ..httputil import html_escape
from .base import BaseTemplate, TemplateError
from .stpl import StplParser


class SimpleTemplate(BaseTemplate):
    """Bottle's SimpleTemplate engine::

        >>> SimpleTemplate('Hello {{name}}!').render(name='<World>')
        'Hello &lt;World&gt;!'

    Settings: ``noescape=True`` swaps the meaning of ``{{x}}`` (now printed as it is) and
    ``{{!x}}`` (now escaped); ``escape_func`` replaces :func:`demijohn.html_escape`;
    ``syntax`` changes the tokens (see :class:`StplParser`). Values print as ``str(value)``,
    ``None`` as nothing and bytes decoded with the template's encoding."""

    def prepare(self, escape_func: Callable[[str], str] = html_escape, noescape: bool = False,
                syntax: str | None = None, **options: Any) -> None:
        """Compile the template (unknown ``options`` are accepted and ignored, as in Bottle)."""
        #: Templates this one includes or rebases on, by name, compiled on first use.
        self.cache: dict[str, SimpleTemplate] = {}
        self.syntax = syntax
        encoding = self.encoding

        def as_text(value: Any) -> str:
            if type(value) is str:
                return value
            if value is None:
                return ""
            return value.decode(encoding) if isinstance(value, bytes) else str(value)

        def escaped(value: Any) -> str:
            return escape_func(value if type(value) is str else as_text(value))  # one call less for text

        self._escape, self._str = (as_text, escaped) if noescape else (escaped, as_text)
        source = self.source if self.source else self.read_file(self.filename or "")
        self.parser = StplParser(source, syntax=syntax, filename=self.label)
        #: The Python source the template was translated to.
        self.code = self.parser.translate()
        #: The compiled code object, run by each render.
        self.co = self.parser.compile()

    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render with the template's defaults, then dicts in ``args``, then ``kwargs``."""
        output: list[str] = []
        self.execute(output, self.variables(args, kwargs))
        return "".join(output)

    def execute(self, output: list[str], variables: dict[str, Any]) -> dict[str, Any]:
        """Run the template with ``variables``, appending its text to ``output`` (shared
        with the templates it includes and rebases on); return its namespace."""
        scope = _Scope(self, output, variables)
        exec(self.co, scope.namespace)  # noqa: S102 - running the compiled template is the point
        return scope.finish()

    def subtemplate(self, name: str) -> SimpleTemplate:
        """The template ``name`` (for ``include`` and ``rebase``), found in this template's
        lookup folders with its settings, compiled once."""
        template = self.cache.get(name)
        if template is None:
            template = self.cache[name] = type(self)(name=name, lookup=self.lookup, encoding=self.encoding,
                                                     **self.settings)
        return template


class _Scope:
    """One run of a template: its namespace, the shared output and a pending ``rebase``."""

    __slots__ = ("template", "output", "namespace", "start", "base")

    def __init__(self, template: SimpleTemplate, output: list[str], variables: dict[str, Any]) -> None:
        self.template = template
        self.output = output
        self.start = len(output)
        self.base: tuple[SimpleTemplate, dict[str, Any]] | None = None
        self.namespace = namespace = dict(variables)
        namespace.update(_write=output.append, _extend=output.extend, _escape=template._escape,
                         _str=template._str, include=self.include, rebase=self.rebase, get=namespace.get,
                         setdefault=namespace.setdefault, defined=namespace.__contains__)

    def include(self, name: str, **variables: Any) -> dict[str, Any]:
        """Render template ``name`` here, with this template's variables and ``variables``."""
        return self._find(name).execute(self.output, {**self.namespace, **variables})

    def rebase(self, name: str, **variables: Any) -> None:
        """Render this template into the ``base`` variable of template ``name``, once this
        template is done."""
        self.base = (self._find(name), variables)

    def _find(self, name: str) -> SimpleTemplate:
        try:
            return self.template.subtemplate(name)
        except TemplateError as error:
            caller = sys._getframe(2)  # the template's own code, which called include() or rebase()
            raise TemplateError(f"Template {caller.f_code.co_filename!r} line {caller.f_lineno}: {error}") from error

    def finish(self) -> dict[str, Any]:
        """Render the layout given to ``rebase``, if any; return the namespace."""
        if self.base is not None:
            layout, variables = self.base
            text = "".join(self.output[self.start:])
            del self.output[self.start:]
            layout.execute(self.output, {**self.namespace, **variables, "base": text})
        return self.namespace


__all__ = ["SimpleTemplate"]
