"""Templates: :func:`template`, the :func:`view` decorator and the built-in template plugin,
rendered with Jinja2 (an optional extra: ``pip install demijohn[jinja2]``).

Templates are looked up by name in the folders of :data:`TEMPLATE_PATH` (or a
``template_lookup`` list), trying ``name``, ``name.tpl`` and ``name.html``::

    template('hello', name='World')                  # ./views/hello.tpl, say
    template('Hello {{ name }}!', name='World')      # a string with markup is the source

Compiled templates are kept in :data:`TEMPLATES`; the cache is bypassed in debug mode
(:func:`demijohn.debug`) and dropped by :func:`clear_templates`. HTML is autoescaped.
Jinja2 is imported on first render, so ``import demijohn`` works without it.
"""

from __future__ import annotations

import abc
import functools
import os
from typing import TYPE_CHECKING, Any, Callable, Mapping

from . import state
from .errors import BottleException

if TYPE_CHECKING:
    from .route import Route

#: The folders searched for templates, in order (Bottle's default). Append to it, or pass
#: ``template_lookup=[...]`` to :func:`template` for one call.
TEMPLATE_PATH: list[str] = ["./", "./views/"]

#: Compiled templates by ``(lookup, name or source, adapter)``; see :func:`clear_templates`.
TEMPLATES: dict[tuple[Any, ...], BaseTemplate] = {}

_INSTALL_HINT = "Jinja2 is not installed; templates need it: pip install demijohn[jinja2]"


class TemplateError(BottleException):
    """A template could not be found, compiled or rendered; the message says which and why."""


def clear_templates() -> None:
    """Drop every compiled template, so the next render reads the files again (after a
    deploy that changed templates in place, say)."""
    TEMPLATES.clear()


def _debug_mode() -> bool:
    return state.DEBUG


class BaseTemplate(abc.ABC):
    """What a template adapter provides: find a template by name in lookup folders,
    compile it once (:meth:`prepare`) and :meth:`render` it with variables.

    ``source`` is the template text (or a file with ``read()``), ``name`` a name to search
    for in ``lookup``; ``settings`` go to :meth:`prepare`. Subclass it to add an engine."""

    #: File name endings tried after the bare name, in order.
    extensions: tuple[str, ...] = ("tpl", "html")
    #: Settings every instance of the class gets (see :meth:`global_config`).
    settings: dict[str, Any] = {}
    #: Variables every render gets unless the caller passes its own.
    defaults: dict[str, Any] = {}

    def __init__(self, source: Any = None, name: str | None = None, lookup: list[str] | None = None,
                 encoding: str = "utf8", **settings: Any) -> None:
        self.name = name
        self.source = source.read() if hasattr(source, "read") else source
        self.filename: str | None = getattr(source, "filename", None)
        self.lookup = [os.path.abspath(folder) for folder in lookup] if lookup else []
        self.encoding = encoding
        self.settings = {**type(self).settings, **settings}
        self.defaults = dict(type(self).defaults)
        if not self.source and self.name:
            self.filename = self.search(self.name, self.lookup)
            if not self.filename:
                folders = ", ".join(repr(folder) for folder in self.lookup) or "(none: the lookup list is empty)"
                raise TemplateError(f"Template {self.name!r} not found: tried {self.name!r} and the endings "
                                    f"{', '.join('.' + ext for ext in self.extensions)} in {folders}. Put the file "
                                    "in one of them or add its folder to TEMPLATE_PATH.")
        if not self.source and not self.filename:
            raise TemplateError("No template given: pass a template name or its source text.")
        self.prepare(**self.settings)

    @classmethod
    def search(cls, name: str, lookup: list[str]) -> str | None:
        """The absolute path of template ``name`` in the ``lookup`` folders, trying ``name``
        and then each of :attr:`extensions`; ``None`` if none exists. Names that resolve
        outside their folder (``../secret``, absolute paths) are never found."""
        for folder in lookup:
            folder = os.path.abspath(folder) + os.sep
            path = os.path.abspath(os.path.join(folder, name))
            if not path.startswith(folder):
                continue
            for candidate in (path, *(f"{path}.{ext}" for ext in cls.extensions)):
                if os.path.isfile(candidate):
                    return candidate
        return None

    @classmethod
    def global_config(cls, key: str, *args: Any) -> Any:
        """Read (one argument) or set (two) a setting every new template of this class gets."""
        if args:
            cls.settings = {**cls.settings, key: args[0]}
            return None
        return cls.settings[key]

    @abc.abstractmethod
    def prepare(self, **options: Any) -> None:
        """Compile the template; called once by the constructor with the settings."""

    @abc.abstractmethod
    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render with variables from dicts in ``args`` and from ``kwargs`` (later win)."""


class Jinja2Template(BaseTemplate):
    """The Jinja2 adapter. Settings: ``filters``, ``tests`` and ``globals`` (dicts added
    to the environment) and any :class:`jinja2.Environment` option. Autoescaping is on
    except for ``.txt`` templates; ``{% extends %}`` and ``{% include %}`` find templates
    in the same lookup folders."""

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
        environment = jinja2.Environment(loader=jinja2.FunctionLoader(self._load), **options)
        environment.filters.update(filters or {})
        environment.tests.update(tests or {})
        environment.globals.update(globals or {})
        self._not_found: type[Exception] = jinja2.TemplateNotFound
        try:
            if self.source:
                self.template = environment.from_string(self.source)
            else:
                self.template = environment.get_template(self.filename or "")
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(f"Template {self.filename or self.name or 'source'!r} line {error.lineno}: "
                                f"{error.message}") from error

    def _load(self, name: str) -> tuple[str, str, Callable[[], bool]] | None:
        path = name if name == self.filename else self.search(name, self.lookup)
        if not path:
            return None
        with open(path, "rb") as file:
            source = file.read().decode(self.encoding)
        modified = os.path.getmtime(path)
        return source, path, lambda: os.path.exists(path) and os.path.getmtime(path) == modified

    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render with the template's defaults, then dicts in ``args``, then ``kwargs``."""
        variables = dict(self.defaults)
        for mapping in args:
            variables.update(mapping)
        variables.update(kwargs)
        try:
            return self.template.render(**variables)
        except self._not_found as error:  # an {% extends %} or {% include %} of a missing template
            folders = ", ".join(repr(folder) for folder in self.lookup) or "(none: the lookup list is empty)"
            raise TemplateError(f"Template {self.filename or self.name or 'source'!r} uses template {str(error)!r}, "
                                f"which is not found in {folders}.") from error


def _is_source(text: str) -> bool:
    return any(marker in text for marker in ("\n", "{", "%", "$"))


def template(*args: Any, **kwargs: Any) -> str:
    """Render a template: the first argument is a template name (searched in
    :data:`TEMPLATE_PATH`) or the template source (a string with ``{``, ``%``, ``$`` or a
    newline); further dicts and keywords are its variables (a dict's value wins over a
    keyword of the same name, as in Bottle).

    Special keywords: ``template_adapter`` (default :class:`Jinja2Template`),
    ``template_lookup`` (folders to search) and ``template_settings`` (adapter options).
    Raises :class:`TemplateError` for a template that is missing or does not compile."""
    name_or_source = args[0] if args else None
    for mapping in args[1:]:
        kwargs.update(mapping)
    adapter: type[BaseTemplate] = kwargs.pop("template_adapter", Jinja2Template)
    lookup: list[str] = kwargs.pop("template_lookup", TEMPLATE_PATH)
    settings: dict[str, Any] = kwargs.pop("template_settings", {})
    if isinstance(name_or_source, BaseTemplate):
        if settings:
            name_or_source.prepare(**settings)
        return name_or_source.render(kwargs)
    if not isinstance(name_or_source, str):
        raise TemplateError(f"template() takes a template name or source text first, not {name_or_source!r}.")
    key = (tuple(lookup), name_or_source, adapter, repr(sorted(settings.items())) if settings else "")
    compiled = None if _debug_mode() else TEMPLATES.get(key)
    if compiled is None:
        if _is_source(name_or_source):
            compiled = adapter(source=name_or_source, lookup=lookup, **settings)
        else:
            compiled = adapter(name=name_or_source, lookup=lookup, **settings)
        TEMPLATES[key] = compiled
    return compiled.render(kwargs)


def view(template_name: str, **defaults: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: render the callback's result with template ``template_name``. A dict
    result supplies the variables (over ``defaults``); ``None`` renders with the defaults
    alone; anything else (a string, an ``HTTPResponse``) passes through unchanged::

        @app.get('/hello/<name>')
        @view('hello')
        def hello(name):
            return {'name': name}
    """
    def decorator(callback: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = callback(*args, **kwargs)
            if isinstance(result, Mapping):
                return template(template_name, {**defaults, **result})
            if result is None:
                return template(template_name, defaults)
            return result
        return wrapper
    return decorator


#: Bottle's names for the Jinja2 flavour of :func:`template` and :func:`view`.
jinja2_template = functools.partial(template, template_adapter=Jinja2Template)
jinja2_view = functools.partial(view, template_adapter=Jinja2Template)


class TemplatePlugin:
    """The built-in plugin behind a route's ``template=`` option: ``template='name'`` or
    ``template=('name', {defaults})`` renders the callback's dict result with that
    template, like :func:`view`. Routes without the option are left unwrapped."""

    name = "template"
    api = 2

    def setup(self, app: Any) -> None:
        """Make the plugin reachable as ``app.tpl``, as in Bottle."""
        vars(app).pop("tpl", None)  # app attributes are set once; a later template plugin takes the name
        app.tpl = self

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Wrap ``callback`` with :func:`view` when the route has a ``template`` option."""
        config = route.config.get("template")
        if isinstance(config, (tuple, list)) and len(config) == 2:
            return view(config[0], **config[1])(callback)
        if isinstance(config, str):
            return view(config)(callback)
        if config is not None:
            raise TemplateError(f"Route {route.rule!r}: template= must be a template name or (name, defaults), "
                                f"not {config!r}.")
        return callback


__all__ = ["TEMPLATE_PATH", "TEMPLATES", "BaseTemplate", "Jinja2Template", "TemplateError", "TemplatePlugin",
           "clear_templates", "jinja2_template", "jinja2_view", "template", "view"]
