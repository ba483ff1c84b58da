"""The kit tests of how a plugin behaves on requests: it leaves alone the routes it does not
concern, lets raised answers through, keeps the callback's name, works anywhere in the
chain, under concurrent requests and in a mounted app. Private: they run as part of
:class:`demijohn.testing.conformance.PluginConformance`.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

import pytest

from ..response import HTTPError, HTTPResponse
from ._conformance_case import ConformanceCase
from ._conformance_rules import checks
from ._conformance_tools import Answer, MarkerPlugin


class RequestChecks(ConformanceCase):
    """The request-time rules (identity, pass-through, ``functools.wraps``, position in the
    chain, threads, mounting) as pytest tests."""

    __test__ = False

    # -- transparency ---------------------------------------------------------------------------
    @checks("identity")
    def test_route_it_does_not_concern_keeps_the_callback_itself(self) -> None:
        """apply() returns the callback itself for a route the plugin does not concern."""
        if self.unconcerned_route_config is None:
            pytest.skip("unconcerned_route_config is None: the plugin applies to every route")
        built = self.kit.build(concerned=False)
        assert built.spy is not None
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        applied = built.spy.last_apply(built.route)
        if applied is None or applied[0] is not applied[1]:
            self.kit.fail(f"{self.kit.describe(built.plugin)} wrapped a route it does not concern "
                          f"(route config {self.unconcerned_route_config!r}).", "identity", built)
        plain = self.kit.build(install=False, concerned=False)
        diffs = self.kit.compare(self.kit.send(plain.app, token=token), answer)
        if diffs:
            self.kit.fail("A route the plugin does not concern answers differently than without the plugin.",
                          "identity", built, diffs)

    def _check_passthrough(self, kind: str, make_answer: Callable[[], Any]) -> None:
        witness = MarkerPlugin()
        built = self.kit.build(before=[witness])
        self._require_wrapped(built)
        built.probe.answer = make_answer
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        plain = self.kit.build(install=False, before=[MarkerPlugin()])
        plain.probe.answer = make_answer
        diffs = self.kit.compare(self.kit.send(plain.app, token=token), answer)
        raised = built.probe.raised[-1:]
        if not raised or not witness.answers or witness.answers[-1] is not raised[0]:
            seen = repr(witness.answers[-1]) if witness.answers else "nothing"
            diffs.insert(0, f"the plugin {witness.name!r} outside it saw {seen} instead of the {kind} the callback "
                            "raised")
        if diffs:
            self.kit.fail(f"{self.kit.describe(built.plugin)} changed an {kind} raised by the callback.",
                          "passthrough", built, diffs)

    @checks("passthrough")
    def test_http_response_raised_by_the_callback_passes_through_unchanged(self) -> None:
        """An HTTPResponse raised by the callback passes through unchanged."""
        self._check_passthrough("HTTPResponse", lambda: HTTPResponse(
            "conformance answer", status=202, headers={"X-Conformance-Answer": "passed through"}))

    @checks("passthrough")
    def test_http_error_raised_by_the_callback_passes_through_unchanged(self) -> None:
        """An HTTPError raised by the callback passes through unchanged."""
        self._check_passthrough("HTTPError", lambda: HTTPError(418, "conformance error"))

    @checks("wraps")
    def test_wrapper_keeps_the_callback_name_and_doc(self) -> None:
        """The wrapper keeps the callback's __name__ and __doc__."""
        built = self.kit.build()
        callback = built.route.callback
        wrapper = built.plugin.apply(callback, built.route)
        if wrapper is callback:
            return  # not wrapped at all: test_plugin_wraps_the_route_it_concerns reports that
        name, doc = getattr(wrapper, "__name__", None), getattr(wrapper, "__doc__", None)
        if (name, doc) != (callback.__name__, callback.__doc__):
            self.kit.fail(f"apply() returned a wrapper named {name!r} with doc {doc!r}.", "wraps", built,
                          [f"expected name {callback.__name__!r} and doc {callback.__doc__!r}"])

    # -- position in the chain ------------------------------------------------------------------
    def _check_position(self, position: str) -> None:
        marker = MarkerPlugin()
        neighbours: dict[str, Any] = {"after": [marker]} if position == "outermost" else {"before": [marker]}
        built = self.kit.build(**neighbours)
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        alone = self.kit.build()
        diffs = self.kit.compare(self.kit.send(alone.app, token=token), answer)
        if marker.tokens.count(token) != 1:
            diffs.insert(0, f"the {position.replace('most', '')}er plugin {marker.name!r} ran "
                            f"{marker.tokens.count(token)} time(s) for one request")
        if diffs:
            self.kit.fail(f"{self.kit.describe(built.plugin)} misbehaves as the {position} plugin.", "order",
                          built, diffs)

    @checks("order")
    def test_works_as_the_outermost_plugin(self) -> None:
        """The plugin works with another plugin inside it."""
        self._check_position("outermost")

    @checks("order")
    def test_works_as_the_innermost_plugin(self) -> None:
        """The plugin works with another plugin outside it."""
        self._check_position("innermost")

    # -- threads and mounting -------------------------------------------------------------------
    @checks("threads")
    def test_concurrent_requests_each_get_their_own_result(self) -> None:
        """Concurrent requests through the plugin answer as they do one at a time."""
        built = self.kit.build()
        count = self.concurrency
        built.probe.barrier = threading.Barrier(count, timeout=5)
        tokens = [self.kit.token() for _ in range(count)]
        answers: dict[str, Answer | BaseException] = {}

        def send(token: str) -> None:
            try:
                answers[token] = self.kit.send(built.app, token=token)
            except BaseException as error:  # reported below, with the other threads' results
                answers[token] = error

        threads = [threading.Thread(target=send, args=(token,), daemon=True) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        if any(thread.is_alive() for thread in threads):
            self.kit.fail(f"{count} concurrent requests did not finish within 30 s (a deadlock?).", "threads", built)
        if built.probe.barrier_broken:
            self.kit.fail(f"{count} concurrent requests never were inside the callback at the same time: the plugin "
                          "serialises requests (a lock around the callback?) or answered some without it.",
                          "threads", built)
        alone = self.kit.build()
        problems = []
        if sorted(map(str, built.probe.tokens)) != sorted(tokens):
            problems.append(f"the callback saw the requests {sorted(map(str, built.probe.tokens))}, "
                            f"expected each of {sorted(tokens)} once")
        for token in tokens:
            result = answers[token]
            if isinstance(result, BaseException):
                problems.append(f"request {token} raised {result!r}")
                continue
            diffs = self.kit.compare(self.kit.send(alone.app, token=token), result)
            problems += [f"request {token}: {diff}" for diff in diffs]
        if problems:
            self.kit.fail(f"Concurrent requests through {self.kit.describe(built.plugin)} answered differently "
                          "than the same requests one at a time.", "threads", built, problems)

    @checks("mount")
    def test_works_in_an_app_mounted_under_a_prefix(self) -> None:
        """The plugin answers the same in an app mounted below a prefix."""
        built = self.kit.build()
        parent = self.make_app()
        parent.mount("/mounted/", built.app)
        token = self.kit.token()
        answer = self.kit.send(parent, "/mounted/probe", token=token)
        alone = self.kit.build()
        diffs = self.kit.compare(self.kit.send(alone.app, token=token), answer)
        if built.probe.tokens.count(token) != alone.probe.tokens.count(token):
            diffs.insert(0, f"the callback ran {built.probe.tokens.count(token)} time(s) mounted and "
                            f"{alone.probe.tokens.count(token)} unmounted")
        if diffs:
            self.kit.fail(f"{self.kit.describe(built.plugin)} answers differently in an app mounted at /mounted.",
                          "mount", built, diffs)
