"""The rules the conformance kit checks, each a MUST (the plugin contract of docs/plugin-authors.md: breaking
it breaks apps) or a SHOULD (good practice: breaking it only makes the plugin harder to use),
and how a kit test reports a rule that is not met.

A MUST rule that is broken fails its test. A SHOULD rule that is broken emits a
:class:`PluginConformanceWarning` and ends its test as passed, unless the run is strict
(``strict = True`` on the conformance class, ``pytest --conformance-strict``, or
``-W error::demijohn.testing.conformance.PluginConformanceWarning``): then it fails too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Literal, TypeVar

MUST: Literal["MUST"] = "MUST"
SHOULD: Literal["SHOULD"] = "SHOULD"


@dataclass(frozen=True)
class Rule:
    """One rule of the plugin protocol: its key, its level and what it says."""

    key: str
    level: Literal["MUST", "SHOULD"]
    text: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.key: rule for rule in rules}


RULES = _rules(
    Rule("protocol", MUST, "A plugin is a callable taking a callback and returning one (a decorator), or an object "
                           "with apply(callback, route); app.install() refuses anything else (docs/plugin-authors.md)."),
    Rule("concerned", MUST, "The conformance class must describe a route the plugin wraps: make_callback(), "
                            "route_config and request are what the plugin needs to apply; otherwise the kit's "
                            "other tests prove nothing."),
    Rule("setup", MUST, "app.install(plugin) calls plugin.setup(app) exactly once per install and lists the plugin "
                        "once in app.plugins (docs/plugin-authors.md)."),
    Rule("close", MUST, "app.uninstall(plugin) and app.close() each call plugin.close() exactly once, with no "
                        "arguments (docs/plugin-authors.md)."),
    Rule("uninstall", MUST, "app.uninstall(x) with x the instance, the class or the name removes the plugin, "
                            "returns it and leaves the routes answering as in an app without it (docs/plugin-authors.md)."),
    Rule("skip", MUST, "skip=[the instance], skip=[its class], skip=['its name'] and skip=True leave the plugin out "
                       "of that route: its apply() is not called and the route answers exactly as in an app "
                       "without the plugin (docs/plugin-authors.md)."),
    Rule("route_apply", MUST, "apply=[plugin] on one route wraps that route only, and never calls the plugin's "
                              "setup() or close(): those belong to app.install()/app.uninstall() (docs/plugin-authors.md)."),
    Rule("once", MUST, "apply() runs once per route and the wrapper it returns is cached in route.call; requests "
                       "must not rebuild it (no route.reset() or RouteReset per request) (docs/plugin-authors.md)."),
    Rule("again", MUST, "After route.reset(), app.reset(), or installing/uninstalling another plugin, apply() runs "
                        "again (once) and the new chain is used: a plugin must not hand back a wrapper it cached "
                        "itself (docs/plugin-authors.md)."),
    Rule("identity", MUST, "A plugin that does not concern a route returns the callback itself from apply(), so "
                           "the route pays nothing for it (docs/plugin-authors.md)."),
    Rule("passthrough", MUST, "An HTTPResponse or HTTPError raised by the callback passes through the plugin "
                              "unchanged: the same object, answering as in an app without the plugin."),
    Rule("order", MUST, "A plugin works in any position of the chain: it calls the `callback` apply() received "
                        "(never route.callback), so the plugins inside it still run, once per request "
                        "(docs/plugin-authors.md)."),
    Rule("threads", MUST, "Per-request state lives in the request (request.environ, locals, contextvars), never "
                          "on the plugin object: concurrent requests through one plugin each get their own "
                          "result."),
    Rule("mount", MUST, "A plugin works in an app mounted below a prefix of another app (app.mount('/prefix', "
                        "sub)): it answers as the same app does unmounted."),
    Rule("api", SHOULD, "A plugin object with apply(callback, route) declares api = 2, so Bottle and demijohn "
                        "know it takes the route (docs/plugin-authors.md)."),
    Rule("name", SHOULD, "A plugin has a non-empty str `name`, so users can skip=['name'] and uninstall('name') "
                         "it (docs/plugin-authors.md)."),
    Rule("conflict", SHOULD, "Installing a second plugin that claims the same unique resource (keyword, route "
                             "option, name) raises PluginError from setup(), saying which plugin clashes and how "
                             "to fix it (docs/plugin-authors.md)."),
    Rule("wraps", SHOULD, "The wrapper apply() returns keeps the callback's __name__ and __doc__ "
                          "(functools.wraps), so introspection, URL building and error reports still name the "
                          "real callback."),
)


class PluginConformanceWarning(UserWarning):
    """A plugin breaks a SHOULD rule of the conformance kit (the message names the rule).
    Turn it into a failure with ``strict = True`` on the conformance class, with
    ``pytest --conformance-strict``, or with ``-W error::<this class>``."""


class ShouldNotMet(Exception):  # noqa: N818 - a signal, not an error: the test already warned
    """Raised by the kit after warning about a SHOULD rule, to end the test as passed."""


TestMethod = TypeVar("TestMethod", bound=Callable[..., Any])


def checks(rule: str) -> Callable[[TestMethod], TestMethod]:
    """Mark a kit test as the check of ``rule`` (its level shows in reports), and end it as
    passed when it stops at a SHOULD rule it warned about."""
    if rule not in RULES:
        raise KeyError(f"unknown conformance rule {rule!r}; known: {sorted(RULES)}")

    def decorate(test: TestMethod) -> TestMethod:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return test(*args, **kwargs)
            except ShouldNotMet:
                return None

        run.conformance_rule = RULES[rule]  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]
    return decorate


def rule_of(test: Any) -> Rule | None:
    """The rule a kit test checks (set by :func:`checks`), or ``None``."""
    return getattr(test, "conformance_rule", None)
