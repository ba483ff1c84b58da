"""The Mako adapter, :class:`MakoTemplate` (an optional extra:
``pip install demijohn[mako]``; Mako is imported on first use)."""

from __future__ import annotations

from typing import Any, Mapping

from .base import BaseTemplate, TemplateError, folder_list

_INSTALL_HINT = "Mako is not installed; Mako templates need it: pip install demijohn[mako]"


class MakoTemplate(BaseTemplate):
    """The Mako adapter. Settings are :class:`mako.template.Template` options; ``<%inherit>``
    and ``<%include>`` find templates in the same lookup folders.

    Expressions are HTML-escaped (Mako's ``h`` filter) except in ``.txt`` templates; write
    ``${value | n}`` to print one as it is, or pass ``default_filters=['str']`` to turn
    escaping off (Bottle's adapter does not escape)."""

    def prepare(self, **options: Any) -> None:
        """Build the Mako lookup and compile the template."""
        try:
            from mako.exceptions import MakoException
            from mako.lookup import TemplateLookup
            from mako.template import Template
        except ImportError:
            raise TemplateError(_INSTALL_HINT) from None
        plain_text = (self.filename or "").endswith((".txt", ".text"))
        options.setdefault("default_filters", ["str"] if plain_text else ["h"])
        options.setdefault("input_encoding", self.encoding)
        lookup = TemplateLookup(directories=self.lookup, **options)
        self._errors: type[Exception] = MakoException
        try:
            if self.source:
                self.template = Template(self.source, lookup=lookup, **options)
            else:
                self.template = Template(uri=self.name, filename=self.filename, lookup=lookup, **options)
        except MakoException as error:
            raise TemplateError(f"Template {self.label!r}: {error}") from error

    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render with the template's defaults, then dicts in ``args``, then ``kwargs``."""
        try:
            return str(self.template.render(**self.variables(args, kwargs)))
        except self._errors as error:  # an <%inherit> or <%include> that is missing or does not compile
            raise TemplateError(f"Template {self.label!r}: {error} (lookup folders: {folder_list(self.lookup)})") \
                from error


__all__ = ["MakoTemplate"]
