"""The conformance kit's own tests: it passes a well-behaved plugin, fails each broken
plugin of ``broken_plugins`` with the matching kit test, reports usefully, and works from a
plugin package installed outside this repository (through the ``pytest11`` entry point)."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import venv
from pathlib import Path

import pytest
from broken_plugins import BROKEN_PLUGINS, ResourcePluginConformance, StopwatchConformance

from demijohn.testing._conformance_rules import rule_of
from demijohn.testing.conformance import PluginConformance, PluginConformanceWarning

pytest_plugins = ["pytester"]

CORE = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Options of every in-process kit run: hypothesis's plugin would re-import itself in each.
INNER = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def run_kit(pytester: pytest.Pytester, *plugin_classes: str, args: tuple[str, ...] = (),
            strict: bool = False) -> pytest.HookRecorder:
    """Run the whole kit in-process over each of ``plugin_classes`` (names in
    ``broken_plugins``), as test classes named ``Test<plugin class>`` (strict ones with ``strict``)."""
    pytester.syspathinsert(Path(__file__).parent)
    lines = [f"from broken_plugins import WellBehavedConformance, {', '.join(plugin_classes)}"]
    for name in plugin_classes:
        lines += ["", "", f"class Test{name}(WellBehavedConformance):", f"    plugin_class = {name}",
                  f"    strict = {strict}"]
    pytester.makepyfile(test_kit="\n".join(lines) + "\n")
    return pytester.inline_run(*INNER, *args)


def run_guide_kit(pytester: pytest.Pytester, args: tuple[str, ...] = ()) -> pytest.HookRecorder:
    """Run the kit over the two plugins written as Bottle's plugin guide describes them."""
    pytester.syspathinsert(Path(__file__).parent)
    pytester.makepyfile(test_guide="""
        from broken_plugins import ResourcePluginConformance, StopwatchConformance

        class TestStopwatch(StopwatchConformance):
            pass

        class TestResourcePlugin(ResourcePluginConformance):
            pass
    """)
    return pytester.inline_run(*INNER, *args)


def outcomes(recorder: pytest.HookRecorder, outcome: str) -> dict[str, set[str]]:
    """The kit tests with ``outcome`` (``failed``, ``skipped``), by test class name."""
    found: dict[str, set[str]] = {}
    for report in recorder.getreports("pytest_runtest_logreport"):
        if report.outcome == outcome and (report.when == "call" or outcome != "passed"):
            test_class, test = report.nodeid.split("::")[-2:]
            found.setdefault(test_class, set()).add(test)
    return found


def failed_tests(recorder: pytest.HookRecorder) -> dict[str, set[str]]:
    """The kit tests that failed, by test class name."""
    return outcomes(recorder, "failed")


def warned_tests(recorder: pytest.HookRecorder) -> dict[str, set[str]]:
    """The kit tests that emitted a PluginConformanceWarning, by test class name."""
    warned: dict[str, set[str]] = {}
    for call in recorder.getcalls("pytest_warning_recorded"):
        if issubclass(call.warning_message.category, PluginConformanceWarning):
            test_class, test = call.nodeid.split("::")[-2:]
            warned.setdefault(test_class, set()).add(test)
    return warned


def mismatches(expected: dict[str, frozenset[str]], got: dict[str, set[str]]) -> dict[str, dict[str, list[str]]]:
    """Per test class, the tests expected but missing from ``got`` and those unexpected."""
    found = {}
    for test_class, want in expected.items():
        have = got.get(test_class, set())
        if have != want:
            found[test_class] = {"missing": sorted(want - have), "unexpected": sorted(have - want)}
    return found


def test_kit_passes_a_well_behaved_plugin_even_when_strict(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, "WellBehavedPlugin", strict=True)
    passed, skipped, failed = recorder.listoutcomes()
    assert (len(failed), len(skipped)) == (0, 0), [report.longreprtext for report in failed]
    assert warned_tests(recorder) == {}
    assert len(passed) >= 30


def test_kit_fails_each_broken_plugin_with_exactly_the_must_tests_it_breaks(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, *(plugin.__name__ for plugin in BROKEN_PLUGINS))
    expected = {f"Test{plugin.__name__}": plugin.breaks | plugin.also_fails for plugin in BROKEN_PLUGINS}
    assert mismatches(expected, failed_tests(recorder)) == {}
    assert len(recorder.listoutcomes()[0]) > 10 * len(BROKEN_PLUGINS)


def test_kit_warns_for_exactly_the_should_tests_each_broken_plugin_breaks(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, *(plugin.__name__ for plugin in BROKEN_PLUGINS))
    assert mismatches({f"Test{plugin.__name__}": plugin.warns for plugin in BROKEN_PLUGINS},
                      warned_tests(recorder)) == {}
    assert mismatches({f"Test{plugin.__name__}": plugin.skips for plugin in BROKEN_PLUGINS},
                      outcomes(recorder, "skipped")) == {}


def test_strict_class_attribute_fails_the_should_tests_too(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, *(plugin.__name__ for plugin in BROKEN_PLUGINS), strict=True)
    expected = {f"Test{plugin.__name__}": plugin.breaks | plugin.also_fails | plugin.warns
                for plugin in BROKEN_PLUGINS}
    assert mismatches(expected, failed_tests(recorder)) == {}


def test_strict_pytest_option_fails_the_should_tests_too(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, "DropsNameAndDocPlugin", "ApiOnePlugin", args=("--conformance-strict",))
    assert failed_tests(recorder) == {"TestDropsNameAndDocPlugin": {"test_wrapper_keeps_the_callback_name_and_doc"},
                                      "TestApiOnePlugin": {"test_plugin_declares_api_2"}}


def test_warnings_as_errors_make_the_should_tests_fail(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, "ApiOnePlugin",
                       args=("-W", "error::demijohn.testing.conformance.PluginConformanceWarning"))
    assert failed_tests(recorder) == {"TestApiOnePlugin": {"test_plugin_declares_api_2"}}


def test_should_warning_names_the_rule_and_what_the_plugin_did(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, "DropsNameAndDocPlugin", args=("-k", "test_wrapper_keeps"))
    (call,) = [call for call in recorder.getcalls("pytest_warning_recorded")
               if issubclass(call.warning_message.category, PluginConformanceWarning)]
    message = str(call.warning_message.message)
    assert message.startswith("apply() returned a wrapper named 'greeting' with doc None.")
    assert "Rule (SHOULD, wraps): The wrapper apply() returns keeps the callback's __name__" in message
    assert recorder.listoutcomes()[0], "the test itself passes"


def test_plugins_written_as_bottles_guide_shows_pass_with_warnings(pytester: pytest.Pytester) -> None:
    recorder = run_guide_kit(pytester)
    passed, skipped, failed = recorder.listoutcomes()
    assert failed == [], [report.longreprtext for report in failed]
    assert warned_tests(recorder) == {"TestStopwatch": StopwatchConformance.warns,
                                      "TestResourcePlugin": ResourcePluginConformance.warns}
    assert len(passed) >= 2 * 22
    # what does not apply to a bare decorator is reported as skipped, with the reason
    assert {"test_plugin_declares_api_2", "test_skip_by_class_leaves_the_route_unwrapped"} \
        <= outcomes(recorder, "skipped")["TestStopwatch"]


def test_plugins_written_as_bottles_guide_fail_only_their_should_tests_when_strict(
        pytester: pytest.Pytester) -> None:
    recorder = run_guide_kit(pytester, args=("--conformance-strict",))
    assert failed_tests(recorder) == {"TestStopwatch": set(StopwatchConformance.warns),
                                      "TestResourcePlugin": set(ResourcePluginConformance.warns)}


def test_every_kit_test_declares_its_rule_and_level() -> None:
    tests = [name for name in dir(PluginConformance) if name.startswith("test_")]
    rules = {name: rule_of(getattr(PluginConformance, name)) for name in tests}
    assert all(rules.values()), [name for name, rule in rules.items() if rule is None]
    assert {rule.key for rule in rules.values() if rule and rule.level == "SHOULD"} == \
        {"api", "name", "wraps", "conflict"}
    assert len(tests) >= 33


def test_example_plugin_of_the_authors_guide_passes_the_kit(pytester: pytest.Pytester) -> None:
    guide = (CORE.parent / "docs" / "plugin-authors.md").read_text()
    (example,) = [block for block in guide.split("```python")[1:] if "class TimingPlugin" in block]
    pytester.makepyfile(timing_plugin=example.split("```")[0])
    pytester.makepyfile(test_timing="""
        from demijohn.testing.conformance import PluginConformance
        from timing_plugin import TimingPlugin

        class TestTimingPlugin(PluginConformance):
            unconcerned_route_config = {"timing": False}
            volatile_headers = frozenset({"server-timing"})

            def make_plugin(self):
                return TimingPlugin()

            def make_conflicting_plugin(self):
                return TimingPlugin(metric="other")
    """)
    pytester.syspathinsert()
    result = pytester.runpytest(*INNER)
    result.assert_outcomes(passed=33)


def test_failure_names_the_plugin_the_rule_and_the_plugin_chain(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, "IgnoresSkipPlugin", args=("-k", "test_skip_by_instance"))
    (report,) = recorder.getfailures()
    message = report.longreprtext
    assert "IgnoresSkipPlugin (name 'greeting') still acted on a route with skip=[instance]" in message
    assert "Rule (MUST, skip): skip=[the instance]" in message
    assert "left out: greeting (skipped by instance)" in message
    assert "header x-greeting: ['hello'], expected absent" in message


def test_failure_shows_the_differing_answers_of_concurrent_requests(pytester: pytest.Pytester) -> None:
    recorder = run_kit(pytester, "LeaksStateBetweenThreadsPlugin", args=("-k", "test_concurrent"))
    (report,) = recorder.getfailures()
    assert "header x-greeting: ['hello conformance_request=" in report.longreprtext
    assert "Rule (MUST, threads): Per-request state lives in the request" in report.longreprtext


def test_base_class_alone_collects_no_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="from demijohn.testing.conformance import PluginConformance as TestBase\n")
    result = pytester.runpytest(*INNER)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_subclass_without_make_plugin_fails_saying_what_to_define(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_forgot="""
        from demijohn.testing.conformance import PluginConformance

        class TestForgot(PluginConformance):
            pass
    """)
    result = pytester.runpytest(*INNER, "-k", "test_plugin_is_a_decorator_or_has_an_apply_method")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*TestForgot must define make_plugin()*"])


def test_unknown_request_key_fails_listing_the_known_keys(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_typo="""
        from demijohn import JSONPlugin
        from demijohn.testing.conformance import PluginConformance

        class TestTypo(PluginConformance):
            request = {"methd": "POST"}

            def make_plugin(self):
                return JSONPlugin()
    """)
    result = pytester.runpytest(*INNER, "-k", "test_plugin_is_a_decorator_or_has_an_apply_method")
    result.assert_outcomes(errors=1)
    assert "TestTypo.request has unknown key(s) ['methd']; use ['data', 'headers'" in result.stdout.str()


def test_kit_runs_from_a_plugin_package_installed_outside_the_repository(tmp_path: Path) -> None:
    """A throwaway plugin package and the core, pip-installed (not editable) into a fresh
    venv: pytest there finds the kit through the core's ``pytest11`` entry point."""
    package = tmp_path / "demijohn-throwaway"
    (package / "src" / "demijohn_throwaway").mkdir(parents=True)
    (package / "tests").mkdir()
    (package / "pyproject.toml").write_text(textwrap.dedent("""
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "demijohn-throwaway"
        version = "0.0.1"
        dependencies = ["demijohn"]
    """))
    (package / "src" / "demijohn_throwaway" / "__init__.py").write_text(textwrap.dedent('''
        """A plugin that stamps X-Throwaway on every answer."""
        import functools

        from demijohn import response


        class ThrowawayPlugin:
            name = "throwaway"
            api = 2

            def apply(self, callback, route):
                @functools.wraps(callback)
                def stamped(*args, **kwargs):
                    result = callback(*args, **kwargs)
                    response.set_header("X-Throwaway", "yes")
                    return result
                return stamped
    '''))
    (package / "tests" / "test_throwaway.py").write_text(
        "from demijohn_throwaway import ThrowawayPlugin\n"
        "from demijohn.testing.conformance import PluginConformance\n"
        "class TestThrowaway(PluginConformance):\n"
        "    def make_plugin(self): return ThrowawayPlugin()\n")
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = str(target / "bin" / "python")
    # A copy of the core: the py310-py313 envs run this test at once, and setuptools builds in the
    # source tree's build/ folder, so building from one shared tree races ("File exists").
    core = shutil.copytree(CORE, tmp_path / "core", ignore=shutil.ignore_patterns(
        "build", "dist", "*.egg-info", "__pycache__", ".tox"))
    install = subprocess.run([python, "-m", "pip", "install", "-q", str(core), str(package), "pytest"],
                             capture_output=True, text=True, env=environment, timeout=300)
    if install.returncode != 0:
        if IN_CI:
            pytest.fail(f"pip could not install core, the throwaway plugin and pytest:\n{install.stderr[-2000:]}")
        pytest.skip("pip could not install into a fresh venv here (no package index?); CI=true makes this a failure")
    located = subprocess.run([python, "-c", "import demijohn; print(demijohn.__file__)"], capture_output=True,
                             text=True, env=environment, timeout=60, cwd=package)
    assert located.stdout.startswith(str(target)), located.stdout + located.stderr
    run = subprocess.run([python, "-m", "pytest", "-v", "-p", "no:cacheprovider", "tests"], capture_output=True,
                         text=True, env=environment, timeout=300, cwd=package)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "plugins: demijohn-" in run.stdout  # loaded through the pytest11 entry point
    assert "test_throwaway.py::TestThrowaway::test_skip_by_name_leaves_the_route_unwrapped PASSED" in run.stdout
    assert run.stdout.count(" PASSED") >= 25, run.stdout[-3000:]


def test_kit_module_is_a_registered_pytest_plugin() -> None:
    from importlib.metadata import entry_points

    (entry,) = [entry for entry in entry_points(group="pytest11") if entry.value == "demijohn.testing.conformance"]
    assert entry.load().PluginConformance.__test__ is False

