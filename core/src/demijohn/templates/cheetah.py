"""Bottle's Cheetah names, kept so that Bottle code importing them loads, and refused with a
clear error when used: Cheetah3's last release (2021) does not run on the Python versions
demijohn supports (it imports ``imp``, removed in Python 3.12)."""

from __future__ import annotations

from typing import Any, Mapping, NoReturn

from .base import BaseTemplate, TemplateError

_UNSUPPORTED = ("Cheetah templates are not supported by demijohn: Cheetah3 is unmaintained and does not run on "
                "Python 3.12 or newer. Port the template to Jinja2 (.html, the recommended engine), Mako "
                "(pip install demijohn[mako]) or SimpleTemplate (.tpl).")


class CheetahTemplate(BaseTemplate):
    """Bottle's Cheetah adapter name; making one raises :class:`TemplateError` saying which
    engines to use instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TemplateError(_UNSUPPORTED)

    def prepare(self, **options: Any) -> NoReturn:
        """Refuse: Cheetah is not supported."""
        raise TemplateError(_UNSUPPORTED)

    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> NoReturn:
        """Refuse: Cheetah is not supported."""
        raise TemplateError(_UNSUPPORTED)


__all__ = ["CheetahTemplate"]
