"""The Cheetah template adapter (``pip install Cheetah3``), as Bottle offers it:
:class:`CheetahTemplate`, :func:`cheetah_template` and :func:`cheetah_view`."""

from __future__ import annotations

import functools
from typing import Any, Mapping

from .templates import BaseTemplate, TemplateError, template, view


class CheetahTemplate(BaseTemplate):
    """Renders Cheetah templates (``Hello $name!``, ``#for``/``#end for``); settings go to
    ``Cheetah.Template.Template``. Files are found in the lookup folders like other
    templates (``name``, ``name.tpl``, ``name.html``)."""

    def prepare(self, **options: Any) -> None:
        """Compile the template with Cheetah."""
        try:
            from Cheetah.Template import Template
        except ImportError:
            raise TemplateError("Cheetah is not installed; Cheetah templates need it: pip install Cheetah3") from None
        self._compiled = Template.compile(source=self.source, file=None if self.source else self.filename,
                                          **options)

    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render with the template's defaults, then dicts in ``args``, then ``kwargs``."""
        variables = dict(self.defaults)
        for mapping in args:
            variables.update(mapping)
        variables.update(kwargs)
        return str(self._compiled(searchList=[variables]))


#: :func:`demijohn.template` with the Cheetah adapter.
cheetah_template = functools.partial(template, template_adapter=CheetahTemplate)
#: :func:`demijohn.view` with the Cheetah adapter.
cheetah_view = functools.partial(view, template_adapter=CheetahTemplate)

__all__ = ["CheetahTemplate", "cheetah_template", "cheetah_view"]
