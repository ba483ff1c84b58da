"""The base of a conformance class: the settings and hooks a plugin author fills in, and
the plumbing that gives each kit test its :class:`~._conformance_tools.Kit`. Private: authors
subclass :class:`demijohn.testing.conformance.PluginConformance`.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Iterator

import pytest

from ..app import App
from ._conformance_tools import Built, Kit

#: The pytest option (``--conformance-strict``) that makes every class strict.
STRICT_OPTION = "conformance_strict"


class ConformanceCase:
    """What a conformance class is made of: the author's settings and hooks, and the kit
    each test uses. :class:`demijohn.testing.conformance.PluginConformance` adds the tests."""

    __test__ = False  # the base itself is not a test class; its subclasses are

    #: Extra ``route()`` keywords the route needs for the plugin to apply (``{'cache': True}``).
    route_config: ClassVar[dict[str, Any]] = {}
    #: How the kit calls the route: ``method``, ``query``, ``headers``, ``json``, ``data``.
    request: ClassVar[dict[str, Any]] = {"method": "GET"}
    #: Route keywords of a route the plugin leaves alone (with :meth:`make_unconcerned_callback`);
    #: ``None`` when the plugin applies to every route (the identity test is then skipped).
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = None
    #: Headers whose values may differ between two equal requests (compared by count only),
    #: besides Date, Set-Cookie, ETag, Last-Modified, Expires and Age.
    volatile_headers: ClassVar[frozenset[str]] = frozenset()
    #: How many requests the concurrency test sends at once.
    concurrency: ClassVar[int] = 8
    #: ``True`` makes a broken SHOULD rule fail its test instead of warning (as
    #: ``pytest --conformance-strict`` does for every class).
    strict: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__test__" not in cls.__dict__:
            cls.__test__ = True

    # -- what the author provides ---------------------------------------------------------------
    def make_plugin(self) -> Any:
        """Return a fresh plugin instance (required; called once or more per test)."""
        pytest.fail(f"{type(self).__name__} must define make_plugin() returning a new plugin, "
                    "for example `def make_plugin(self): return MyPlugin()`.", pytrace=False)

    def make_callback(self) -> Callable[..., Any]:
        """Return a callback the plugin applies to (arguments the plugin injects included)."""
        return lambda: "conformance"

    def make_unconcerned_callback(self) -> Callable[..., Any]:
        """Return a callback for the route the plugin must leave alone (see
        :attr:`unconcerned_route_config`)."""
        return lambda: "unconcerned"

    def make_conflicting_plugin(self) -> Any:
        """Return a second plugin that claims the same unique resource as :meth:`make_plugin`'s
        (same keyword, say) so installing both must raise ``PluginError``; ``None`` if the
        plugin claims nothing unique."""
        return None

    def make_app(self) -> App:
        """Return a new app for one test (default ``App()``, with its JSON plugin)."""
        return App()

    # -- plumbing -------------------------------------------------------------------------------
    @pytest.fixture(autouse=True)
    def _demijohn_conformance_kit(self, request: pytest.FixtureRequest) -> Iterator[None]:
        strict = self.strict or bool(request.config.getoption(STRICT_OPTION, default=False))
        self._kit = Kit(self, strict=strict)
        yield
        self._kit.close()

    @property
    def kit(self) -> Kit:
        """The kit's helpers for this test (built by an autouse fixture)."""
        return self._kit

    def _require_wrapped(self, built: Built) -> None:
        """Send one request and fail unless the plugin wrapped the route under test."""
        self.kit.send(built.app)
        assert built.spy is not None
        applied = built.spy.last_apply(built.route)
        if applied is None or applied[0] is applied[1]:
            self.kit.fail(f"{self.kit.describe(built.plugin)} did not wrap the route the kit built from "
                          f"make_callback() and route_config={self.route_config!r}.", "concerned", built)
