"""Templates: :func:`template`, the :func:`view` decorator and the built-in template plugin,
with three engines: Jinja2 (recommended; ``pip install demijohn[jinja2]``), SimpleTemplate
(Bottle's, built in) and Mako (``pip install demijohn[mako]``); Bottle's Cheetah adapter is
:mod:`demijohn.cheetah`.

Templates are looked up by name in the folders of :data:`TEMPLATE_PATH` (or a
``template_lookup`` list), trying ``name`` and then the endings ``.tpl``, ``.html``,
``.thtml`` and ``.stpl``; the file's ending picks the engine (``.tpl`` is SimpleTemplate,
``.html`` and any other ending Jinja2, see :data:`TEMPLATE_ENGINES`)::

    template('hello', name='World')                  # ./views/hello.tpl: SimpleTemplate
    template('page.html', name='World')              # ./views/page.html: Jinja2
    template('Hello {{name}}!', name='World')        # a string with markup is SimpleTemplate source

A template written for one engine and given to the other is refused with a
:class:`TemplateError`, never rendered as plain text. Compiled templates are kept in
:data:`TEMPLATES` (a bounded cache); it is bypassed in debug mode (:func:`demijohn.debug`)
and dropped by :func:`clear_templates`. HTML is escaped by every engine.

Templates are code: never build a template from request input. Pass request values as
variables; text that came from the request is refused as template source (a 400).
"""

from __future__ import annotations

from .base import BaseTemplate, TemplateError
from .guard import TemplateSourceError
from .jinja2 import Jinja2Template
from .mako import MakoTemplate
from .plugin import TemplatePlugin
from .render import (TEMPLATE_ENGINES, TEMPLATE_PATH, TEMPLATES, clear_templates, jinja2_template, jinja2_view,
                     mako_template, mako_view, template, view)
from .simple import SimpleTemplate
from .stpl import StplParser, StplSyntaxError

__all__ = ["TEMPLATE_ENGINES", "TEMPLATE_PATH", "TEMPLATES", "BaseTemplate", "Jinja2Template", "MakoTemplate",
           "SimpleTemplate", "StplParser", "StplSyntaxError", "TemplateError", "TemplatePlugin", "TemplateSourceError",
           "clear_templates", "jinja2_template", "jinja2_view", "mako_template", "mako_view", "template", "view"]
