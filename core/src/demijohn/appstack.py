"""The default-app stack, the module-level shortcuts (``route``, ``get``, ``install``, ...)
that relay to the app on top of it, so ``from demijohn import route`` works as in Bottle,
and :func:`load_app`, which imports a module with a fresh app on the stack."""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable

from .app import App
from .context import current

#: ``True`` while :func:`load_app` imports a module: :func:`demijohn.run` then does nothing,
#: so a module that ends with ``run()`` can still be loaded by the CLI or a WSGI server.
loading_app: ContextVar[bool] = ContextVar("demijohn_loading_app", default=False)


class AppStack(list[App]):
    """A stack of apps; calling it returns the current default app (the top one)."""

    def __call__(self) -> App:
        """The current default app."""
        return self[-1]

    def push(self, value: App | None = None) -> App:
        """Push ``value`` (a new :class:`App` when none is given) and return it."""
        if not isinstance(value, App):
            value = App()
        self.append(value)
        return value

    new_app = push


default_app = AppStack()
default_app.push()
#: Bottle's alias of :data:`default_app`.
app = default_app


def _relay(name: str, method_name: str | None = None) -> Callable[..., Any]:
    """A module-level function calling ``default_app().<method_name>``."""
    method = getattr(App, method_name or name)

    @functools.wraps(method)
    def relay(*args: Any, **kwargs: Any) -> Any:
        return getattr(default_app(), method_name or name)(*args, **kwargs)

    relay.__name__ = name
    return relay


if TYPE_CHECKING:  # each relay has the type of the method it calls: decorated functions keep theirs
    _typed = default_app()
    route, get, post, put, delete, patch = _typed.route, _typed.get, _typed.post, _typed.put, _typed.delete, _typed.patch
    error, mount, hook, install, uninstall = _typed.error, _typed.mount, _typed.hook, _typed.install, _typed.uninstall
else:
    route, get, post, put, delete, patch = (_relay(name) for name in ("route", "get", "post", "put", "delete", "patch"))
    error, mount, hook, install, uninstall = (_relay(name) for name in ("error", "mount", "hook", "install", "uninstall"))


@functools.wraps(App.get_url)
def url(routename: str, **kwargs: Any) -> str:
    # The app answering the current request (a mounted app builds its own routes, below its
    # mount point), else the default app; the docstring is get_url's, as for the other relays.
    try:
        app = current.get()[0].get("bottle.app") or default_app()
    except LookupError:
        app = default_app()
    return str(app.get_url(routename, **kwargs))


url.__name__ = url.__qualname__ = "url"


def load_app(target: str) -> Any:
    """Import a module with a fresh default app on the stack and return the app it built.

    Returns the target itself when it names something callable (``'pkg.mod:app'``);
    otherwise the fresh default app, which collected the module's ``@route`` decorators.
    While the import runs, :func:`demijohn.run` does nothing, so modules that end with
    ``run()`` load cleanly.
    """
    loaded, fresh = import_app(target)
    return loaded if callable(loaded) else fresh


def import_app(target: str) -> tuple[Any, Any]:
    """What :func:`load_app` does, returning both the loaded target and the fresh default
    app, so a caller can tell ``'pkg.mod:not_an_app'`` from ``'pkg.mod'``."""
    from .loading import load  # on first use: it imports ast, which `import demijohn` does without

    fresh = default_app.push()
    token = loading_app.set(True)
    try:
        return load(target), fresh
    finally:
        loading_app.reset(token)
        if fresh in default_app:
            default_app.remove(fresh)

