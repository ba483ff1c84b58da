"""Rendering by name or source: :func:`template`, the :func:`view` decorator, the engine a
template gets, and the bounded cache of compiled templates.

The rule for the first argument of :func:`template`, as in Bottle: a string with a line
break or one of ``{``, ``%``, ``$`` is template *source*; any other string is a template
*name*. Names never contain those characters, so a name is never run as source; say which
one you mean with ``template_name=`` or ``template_source=`` when the string is computed.
Never build either from request input (see :mod:`demijohn.templates.guard`).

The engine, unless ``template_adapter=`` names one: a named template gets the engine of its
file's ending in :data:`TEMPLATE_ENGINES` (``.tpl`` is SimpleTemplate, as in Bottle), and
Jinja2 (the recommended engine) for any other ending (``.html``, ``.j2``, ``.txt``...);
source text is SimpleTemplate, as in Bottle.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable, Mapping, ParamSpec

from .. import state
from .base import BaseTemplate, TemplateError
from .cache import TemplateCache
from .guard import refuse_request_markup
from .jinja2 import Jinja2Template
from .mako import MakoTemplate
from .simple import SimpleTemplate

#: The folders searched for templates, in order (Bottle's default). Append to it, or pass
#: ``template_lookup=[...]`` to :func:`template` for one call.
TEMPLATE_PATH: list[str] = ["./", "./views/"]

#: Compiled templates (at most ``TEMPLATES.maxsize``, least recently used dropped first);
#: see :func:`clear_templates`.
TEMPLATES: TemplateCache = TemplateCache()

#: The engine of a named template by its file's ending; any other ending gets Jinja2.
TEMPLATE_ENGINES: dict[str, type[BaseTemplate]] = {
    ".tpl": SimpleTemplate, ".stpl": SimpleTemplate, ".thtml": SimpleTemplate, ".mako": MakoTemplate,
}

#: The parameters of a callback decorated with :func:`view`: kept as they are.
Arguments = ParamSpec("Arguments")


def clear_templates() -> None:
    """Drop every compiled template, so the next render reads the files again (after a
    deploy that changed templates in place, say)."""
    TEMPLATES.clear()



def is_source(text: str) -> bool:
    """True if :func:`template` takes ``text`` for template source rather than a name: it
    has a line break or one of ``{ % $`` (Bottle's rule)."""
    return "\n" in text or "{" in text or "%" in text or "$" in text  # the markers, without a generator (*jinja2*)


def engine_for(path: str) -> type[BaseTemplate]:
    """The engine for the template file ``path``: by its ending in :data:`TEMPLATE_ENGINES`,
    else :class:`Jinja2Template`."""
    return TEMPLATE_ENGINES.get(os.path.splitext(path)[1].lower(), Jinja2Template)


def template(*args: Any, **kwargs: Any) -> str:
    """Render a template: the first argument is a template name (searched in
    :data:`TEMPLATE_PATH`) or template source (a string with a line break or one of
    ``{ % $``); further dicts and keywords are its variables (a dict's value wins over a
    keyword of the same name, as in Bottle)::

        template('hello', name='World')        # ./views/hello.tpl, say
        template('Hello {{name}}!', name='World')

    Special keywords: ``template_name`` or ``template_source`` (instead of the first argument,
    to say which it is), ``template_adapter`` (the engine; by default chosen as the module
    docs say), ``template_lookup`` (folders to search) and ``template_settings`` (engine
    options). Raises :class:`TemplateError` for a template that is missing or does not
    compile. Never pass request input as the template: pass it as a variable."""
    first = args[0] if args else None
    for mapping in args[1:]:
        kwargs.update(mapping)
    adapter: type[BaseTemplate] | None = kwargs.pop("template_adapter", None)
    lookup: list[str] = kwargs.pop("template_lookup", TEMPLATE_PATH)
    settings: dict[str, Any] = kwargs.pop("template_settings", {})
    name, source = kwargs.pop("template_name", None), kwargs.pop("template_source", None)
    if isinstance(first, BaseTemplate):
        if settings:
            first.prepare(**settings)
        return first.render(kwargs)
    if sum(given is not None for given in (first, name, source)) != 1:
        raise TemplateError("template() takes one template: a name or source text first, or template_name= "
                            f"or template_source=, not {first!r}, {name!r} and {source!r}.")
    if first is not None:
        if not isinstance(first, str):
            raise TemplateError(f"template() takes a template name or source text first, not {first!r}.")
        name, source = (None, first) if is_source(first) else (first, None)
    key = (tuple(lookup), name, source, adapter, repr(sorted(settings.items())) if settings else "")
    compiled = None if state.DEBUG else TEMPLATES.lookup(key)
    if compiled is None:  # source told by Bottle's rule (not template_source=) passes the request-markup net
        compiled = _compile(name, source, adapter, lookup, settings, guard=first is not None)
        TEMPLATES.store(key, compiled)
    return compiled.render(kwargs)


def _compile(name: str | None, source: str | None, adapter: type[BaseTemplate] | None, lookup: list[str],
             settings: dict[str, Any], guard: bool) -> BaseTemplate:
    """Make the template: by name (the engine from its file's ending) or from source."""
    if source is not None:
        if not isinstance(source, str):
            raise TemplateError(f"template_source= must be the template's text, not {source!r}.")
        if guard:
            refuse_request_markup(source)
        return (adapter or SimpleTemplate)(source=source, lookup=lookup, **settings)
    if not isinstance(name, str):
        raise TemplateError(f"template_name= must be a template name, not {name!r}.")
    if adapter is None:
        path = BaseTemplate.search(name, lookup)
        adapter = engine_for(path) if path else SimpleTemplate  # not found: the engine's error says where it looked
    return adapter(name=name, lookup=lookup, **settings)


def view(template_name: str, **defaults: object) -> Callable[[Callable[Arguments, object]], Callable[Arguments, object]]:
    """Decorator: render the callback's result with template ``template_name``. A dict
    result supplies the variables (over ``defaults``); ``None`` renders with the defaults
    alone; anything else (a string, an ``HTTPResponse``) passes through unchanged::

        @app.get('/hello/<name>')
        @view('hello')
        def hello(name):
            return {'name': name}
    """
    def decorator(callback: Callable[Arguments, object]) -> Callable[Arguments, object]:
        @functools.wraps(callback)
        def wrapper(*args: Arguments.args, **kwargs: Arguments.kwargs) -> object:
            result = callback(*args, **kwargs)
            if isinstance(result, Mapping):
                return template(template_name, {**defaults, **result})
            if result is None:
                return template(template_name, defaults)
            return result
        return wrapper
    return decorator


#: Bottle's names for :func:`template` and :func:`view` with one engine, whatever the ending.
jinja2_template = functools.partial(template, template_adapter=Jinja2Template)
jinja2_view = functools.partial(view, template_adapter=Jinja2Template)
mako_template = functools.partial(template, template_adapter=MakoTemplate)
mako_view = functools.partial(view, template_adapter=MakoTemplate)


__all__ = ["TEMPLATES", "TEMPLATE_ENGINES", "TEMPLATE_PATH", "clear_templates", "engine_for", "is_source",
           "jinja2_template", "jinja2_view", "mako_template", "mako_view", "template", "view"]
