"""``python -m demijohn.testing.conformance TARGET``: the kit over any plugin without a test
file, run as a user runs it (a subprocess), with a table of MUST/SHOULD results and an exit
status of 0 (every MUST rule holds), 1 (one is broken) or 2 (usage error)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GREET = ("--route-config", '{"greet": true}', "--unconcerned", "{}", "--conflict")


def kit(*args: str, cwd: Path = HERE) -> subprocess.CompletedProcess[str]:
    """Run the kit's command line in a fresh interpreter, from ``cwd`` (on the import path)."""
    environment = {**os.environ, "PYTHONPATH": str(cwd)}
    environment.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "demijohn.testing.conformance", *args], capture_output=True,
                          text=True, cwd=cwd, env=environment, timeout=300)


def rows(output: str) -> dict[str, tuple[str, str, str]]:
    """The table's rows: test name -> (level, rule, result)."""
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in ("MUST", "SHOULD"):
            found[parts[2]] = (parts[0], parts[1], parts[3])
    return found


def test_well_behaved_plugin_passes_every_rule_with_status_0() -> None:
    run = kit("broken_plugins:WellBehavedPlugin()", *GREET)
    assert run.returncode == 0, run.stdout + run.stderr
    table = rows(run.stdout)
    assert len(table) >= 33
    assert {result for _, _, result in table.values()} == {"pass"}
    assert table["test_skip_by_name_leaves_the_route_unwrapped"] == ("MUST", "skip", "pass")
    assert table["test_wrapper_keeps_the_callback_name_and_doc"] == ("SHOULD", "wraps", "pass")
    assert run.stdout.rstrip().endswith("MUST: 29 pass; SHOULD: 4 pass")


def test_broken_must_rule_fails_its_rows_with_status_1() -> None:
    run = kit("broken_plugins:IgnoresSkipPlugin()", *GREET)
    assert run.returncode == 1
    table = rows(run.stdout)
    assert table["test_skip_true_leaves_the_route_unwrapped"] == ("MUST", "skip", "FAIL")
    assert table["test_plugin_has_a_name"] == ("SHOULD", "name", "pass")


def test_broken_should_rule_warns_with_status_0_and_fails_with_strict() -> None:
    relaxed = kit("broken_plugins:DropsNameAndDocPlugin()", *GREET)
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert rows(relaxed.stdout)["test_wrapper_keeps_the_callback_name_and_doc"] == ("SHOULD", "wraps", "warn")
    strict = kit("broken_plugins:DropsNameAndDocPlugin()", *GREET, "--strict")
    assert strict.returncode == 1
    assert rows(strict.stdout)["test_wrapper_keeps_the_callback_name_and_doc"] == ("SHOULD", "wraps", "FAIL")


def test_verbose_prints_the_report_of_each_warning() -> None:
    run = kit("broken_plugins:DropsNameAndDocPlugin()", *GREET, "-v")
    assert "== test_wrapper_keeps_the_callback_name_and_doc (warn)" in run.stdout
    assert "Rule (SHOULD, wraps)" in run.stdout


def test_keyword_gives_the_callback_the_argument_the_plugin_injects() -> None:
    without = kit("broken_plugins:ResourcePlugin()")
    assert without.returncode == 1
    assert rows(without.stdout)["test_plugin_wraps_the_route_it_concerns"] == ("MUST", "concerned", "FAIL")
    with_keyword = kit("broken_plugins:ResourcePlugin()", "--keyword", "resource", "--unconcerned", "{}")
    assert with_keyword.returncode == 0, with_keyword.stdout + with_keyword.stderr
    assert rows(with_keyword.stdout)["test_route_it_does_not_concern_keeps_the_callback_itself"][2] == "pass"


def test_define_names_a_value_the_target_uses() -> None:
    run = kit("broken_plugins:factory()", "--define", "factory=broken_plugins:ResourcePlugin", "--keyword", "resource")
    assert run.returncode == 0, run.stdout + run.stderr


def test_bare_decorator_plugin_passes_with_warnings_and_not_applicable_rows() -> None:
    run = kit("broken_plugins:stopwatch", "--volatile", "X-Exec-Time")
    assert run.returncode == 0, run.stdout + run.stderr
    table = rows(run.stdout)
    assert table["test_plugin_has_a_name"][2] == "warn"
    assert table["test_skip_by_class_leaves_the_route_unwrapped"][2] == "n/a"


def test_as_bottle_lets_a_plugin_that_imports_bottle_load(tmp_path: Path) -> None:
    (tmp_path / "bottle_stamp.py").write_text(textwrap.dedent('''
        import functools

        import bottle


        class StampPlugin:
            name = "stamp"
            api = 2

            def apply(self, callback, route):
                @functools.wraps(callback)
                def stamped(*args, **kwargs):
                    bottle.response.set_header("X-Stamp", bottle.request.method)
                    return callback(*args, **kwargs)
                return stamped
    '''))
    refused = kit("bottle_stamp:StampPlugin()", cwd=tmp_path)
    assert refused.returncode == 2
    assert "No module named 'bottle' (a Bottle plugin? add --as-bottle)" in refused.stderr
    run = kit("--as-bottle", "bottle_stamp:StampPlugin()", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_json_option_writes_every_result(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    kit("broken_plugins:ApiOnePlugin()", *GREET, "--json", str(target))
    results = json.loads(target.read_text())
    assert results["target"] == "broken_plugins:ApiOnePlugin()"
    by_test = {result["test"]: result for result in results["results"]}
    assert by_test["test_plugin_declares_api_2"]["outcome"] == "warn"
    assert "has api = 1" in by_test["test_plugin_declares_api_2"]["report"]


@pytest.mark.parametrize(("args", "message"), [
    (("nosuchmodule:Plugin()",), "Cannot import 'nosuchmodule'"),
    (("broken_plugins:BROKEN_PLUGINS",), "which is not a plugin: neither callable nor an object with apply"),
    (("broken_plugins:ResourcePlugin(1, 2, 3)",), "raised TypeError"),
    (("broken_plugins:WellBehavedPlugin()", "--request", '{"methd": "POST"}'), "--request has unknown key(s)"),
    (("broken_plugins:WellBehavedPlugin()", "--define", "no equals sign"), "write NAME=TARGET"),
    (("broken_plugins:WellBehavedPlugin()", "--route-config", "{not json"), "is not valid JSON"),
    (("broken_plugins:WellBehavedPlugin()", "--route-config", "[1]"), "is not a JSON object"),
    (("broken_plugins:WellBehavedPlugin()", "--route-config-target", "broken_plugins:BROKEN_PLUGINS"),
     "gave tuple, not a dict"),
])
def test_usage_error_is_one_clear_line_with_status_2(args: tuple[str, ...], message: str) -> None:
    run = kit(*args)
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr
