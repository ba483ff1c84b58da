"""The default-app stack and the module-level shortcuts (``route``, ``get``, ``install``, ...)
that relay to the app on top of it, so ``from demijohn import route`` works as in Bottle."""

from __future__ import annotations

import functools
from typing import Any, Callable

from .app import App
from .context import current


class AppStack(list):  # type: ignore[type-arg]
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


route = _relay("route")
get = _relay("get")
post = _relay("post")
put = _relay("put")
delete = _relay("delete")
patch = _relay("patch")
error = _relay("error")
mount = _relay("mount")
hook = _relay("hook")
install = _relay("install")
uninstall = _relay("uninstall")


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
