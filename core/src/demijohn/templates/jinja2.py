"""The Jinja2 adapter, :class:`Jinja2Template` (an optional extra:
``pip install demijohn[jinja2]``; Jinja2 is imported on first use)."""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping

from .base import BaseTemplate, TemplateError, folder_list
from .markup import stpl_code_line

_INSTALL_HINT = "Jinja2 is not installed; templates need it: pip install demijohn[jinja2]"


class Jinja2Template(BaseTemplate):
    """The Jinja2 adapter. Settings: ``filters``, ``tests`` and ``globals`` (dicts added
    to the environment) and any :class:`jinja2.Environment` option. Autoescaping is on
    except for ``.txt`` templates; ``{% extends %}`` and ``{% include %}`` find templates
    in the same lookup folders.

    A template with SimpleTemplate code lines (``% for ...:``, ``% end``) is refused with a
    :class:`TemplateError`: Jinja2 would print them as text."""

    def prepare(self, filters: dict[str, Any] | None = None, tests: dict[str, Any] | None = None,
                globals: dict[str, Any] | None = None, **options: Any) -> None:  # noqa: A002 - Bottle's name
        """Build the Jinja2 environment and compile the template."""
        try:
            import jinja2
        except ImportError:
            raise TemplateError(_INSTALL_HINT) from None
        options.setdefault("autoescape", jinja2.select_autoescape(
            disabled_extensions=("txt", "text"), default_for_string=True, default=True))
        # Layouts and includes are cached with the template, like the template itself: no
        # stat() per render. Debug mode builds a fresh environment per render instead.
        options.setdefault("auto_reload", False)
        # With a line statement prefix, '%' lines may be Jinja2's own: nothing to refuse then.
        self._guard = not options.get("line_statement_prefix")
        environment = jinja2.Environment(loader=jinja2.FunctionLoader(self._load), **options)
        environment.filters.update(filters or {})
        environment.tests.update(tests or {})
        environment.globals.update(globals or {})
        self._not_found: type[Exception] = jinja2.TemplateNotFound
        try:
            if self.source:
                self._refuse_stpl(self.source, self.label)
                self.template = environment.from_string(self.source)
            else:
                self.template = environment.get_template(self.filename or "")
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(f"Template {error.filename or self.label!r} line {error.lineno}: "
                                f"{error.message}") from error

    def _refuse_stpl(self, source: str, label: str) -> None:
        found = stpl_code_line(source) if self._guard else None
        if found is not None:
            line, text = found
            raise TemplateError(f"Template {label!r} line {line}: {text!r} is a SimpleTemplate code line, which "
                                "Jinja2 would print as plain text. Render this template with SimpleTemplate: give "
                                "the file a .tpl ending, or pass template_adapter=SimpleTemplate. If the line is "
                                "meant as text, start it with {{ '%' }} instead of %.")

    def _load(self, name: str) -> tuple[str, str, Callable[[], bool]] | None:
        path = name if name == self.filename else self.search(name, self.lookup)
        if not path:
            return None
        source = self.read_file(path)
        self._refuse_stpl(source, path)
        modified = os.path.getmtime(path)
        return source, path, lambda: os.path.exists(path) and os.path.getmtime(path) == modified

    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render with the template's defaults, then dicts in ``args``, then ``kwargs``."""
        try:
            return self.template.render(**self.variables(args, kwargs))
        except self._not_found as error:  # an {% extends %} or {% include %} of a missing template
            raise TemplateError(f"Template {self.label!r} uses template {str(error)!r}, which is not found in "
                                f"{folder_list(self.lookup)}.") from error


__all__ = ["Jinja2Template"]
