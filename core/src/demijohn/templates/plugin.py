"""The built-in template plugin, :class:`TemplatePlugin`: a route's ``template=`` option."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .base import TemplateError
from .render import view

if TYPE_CHECKING:
    from ..route import Route


class TemplatePlugin:
    """The built-in plugin behind a route's ``template=`` option: ``template='name'`` or
    ``template=('name', {defaults})`` renders the callback's dict result with that
    template, like :func:`view`. Routes without the option are left unwrapped."""

    name = "template"
    api = 2

    def setup(self, app: Any) -> None:
        """Make the plugin reachable as ``app.tpl``, as in Bottle."""
        if hasattr(app, "tpl"):  # app attributes are set once; a later template plugin takes the name
            del app.tpl
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


__all__ = ["TemplatePlugin"]
