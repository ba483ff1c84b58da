"""``python -m demijohn``: options, errors, --routes, and serving with every installed adapter."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

import demijohn
from demijohn.cli import UsageError, build_parser, describe_routes, load_config, main, parse_bind
from demijohn.server import server_names
from serving_apps.extras import make_app
from serving_apps.harness import Served, child_env, free_port, get

ADAPTERS = ["wsgiref", "waitress", "gunicorn", "cheroot", "gevent"]


def installed(name: str):
    """``name`` as a test parameter, skipped (saying why) when its package is missing."""
    adapter = server_names[name]
    return pytest.param(name, marks=pytest.mark.skipif(
        not adapter.installed(), reason=f"the {adapter.package} package is not installed (pip install "
                                        f"{adapter.package}); its adapter cannot be exercised here"))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m demijohn args`` to completion (bounded in time)."""
    return subprocess.run([sys.executable, "-m", "demijohn", *args], env=child_env(), capture_output=True,
                          text=True, timeout=30)


@pytest.fixture(autouse=True)
def no_debug_left_behind():
    yield
    demijohn.debug(False)


# -- parsing ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address,expected", [
    ("127.0.0.1:9000", ("127.0.0.1", 9000)),
    ("127.0.0.1", ("127.0.0.1", 8080)),
    (":9000", ("127.0.0.1", 9000)),
    ("[::1]:9000", ("::1", 9000)),
    ("[::1]", ("::1", 8080)),
    ("unix:/tmp/app.sock", ("unix:/tmp/app.sock", 0)),
])
def test_bind_accepts_host_port_ipv6_and_unix_forms(address, expected):
    assert parse_bind(address) == expected


@pytest.mark.parametrize("address", ["127.0.0.1:http", "127.0.0.1:70000", "unix:"])
def test_bind_refuses_a_bad_address(address):
    with pytest.raises(UsageError):
        parse_bind(address)


def test_bad_bind_exits_2_with_a_message(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--bind", "127.0.0.1:http", "hello:app"])
    assert stopped.value.code == 2 and "--bind '127.0.0.1:http'" in capsys.readouterr().err


def test_missing_app_exits_2_saying_what_to_give(capsys):
    with pytest.raises(SystemExit) as stopped:
        main([])
    assert stopped.value.code == 2 and "no app given" in capsys.readouterr().err


def test_non_positive_interval_exits_2(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--interval", "0", "hello:app"])
    assert stopped.value.code == 2 and "--interval" in capsys.readouterr().err


def test_help_explains_every_option():
    text = build_parser().format_help()
    assert all(option in text for option in ("--bind", "--server", "--reload", "--debug", "--plugin", "--conf",
                                             "--param", "--version", "--routes"))


def test_version_prints_the_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"demijohn {demijohn.__version__}"


def test_params_set_config_values_and_a_bare_key_sets_true():
    assert dict(load_config([], ["db.url=sqlite://", "feature"])) == {"db.url": "sqlite://", "feature": True}


def test_param_without_a_key_is_refused():
    with pytest.raises(UsageError, match="has no key"):
        load_config([], ["=value"])


def test_conf_files_load_ini_sections_as_dotted_keys(tmp_path):
    (tmp_path / "app.ini").write_text("[db]\nurl = sqlite://\n")
    assert load_config([str(tmp_path / "app.ini")], [])["db.url"] == "sqlite://"


def test_missing_conf_file_exits_2_naming_it(capsys, tmp_path):
    with pytest.raises(SystemExit) as stopped:
        main(["--conf", str(tmp_path / "nope.ini"), "hello:app"])
    assert stopped.value.code == 2 and "nope.ini" in capsys.readouterr().err


def test_invalid_conf_file_exits_2_saying_it_is_not_ini(capsys, tmp_path):
    (tmp_path / "bad.ini").write_text("no section header\n")
    with pytest.raises(SystemExit) as stopped:
        main(["--conf", str(tmp_path / "bad.ini"), "hello:app"])
    assert stopped.value.code == 2 and "not valid INI" in capsys.readouterr().err


# -- errors while loading or choosing -------------------------------------------------------------------
def test_unknown_server_is_one_line_and_exit_1(capsys):
    assert main(["--server", "nope", "serving_apps.hello:app"]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_missing_server_package_names_the_package(capsys):
    assert main(["--server", "serving_apps.extras:NeedsMissingPackage", "serving_apps.hello:app"]) == 1
    assert "pip install demijohn_no_such_server_package" in capsys.readouterr().err


def test_unknown_app_module_is_one_line_and_exit_1(capsys):
    assert main(["--routes", "demijohn_nowhere:app"]) == 1
    assert "no module named 'demijohn_nowhere'" in capsys.readouterr().err


# -- --routes -------------------------------------------------------------------------------------------
def test_describe_routes_gives_method_rule_name_and_callback():
    app = make_app()
    app.get("/named", name="named")(lambda: "x")
    lines = describe_routes(app)
    assert lines[0].split() == ["GET", "/", "name=-", "callback=serving_apps.extras.make_app.<locals>.index"]


def test_describe_routes_follows_each_route_with_its_plugin_chain():
    lines = describe_routes(make_app())
    assert lines[1] == "    1. json"


def test_routes_lists_plugin_chains_with_plugins_from_the_command_line(capsys):
    assert main(["--routes", "--plugin", "serving_apps.extras:TagPlugin()",
                 "serving_apps.extras:make_app()"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["GET     /  name=-  callback=serving_apps.extras.make_app.<locals>.index",
                       "    1. json", "    2. tag"]


def test_routes_shows_plugins_left_out_and_why(capsys):
    main(["--routes", "--plugin", "serving_apps.extras:TagPlugin()", "serving_apps.extras:make_app()"])
    out = capsys.readouterr().out
    assert "    left out: tag (skipped by name 'tag')" in out


def test_debug_switches_debug_mode(capsys):
    main(["--debug", "--routes", "serving_apps.extras:make_app()"])
    assert demijohn.App.debug_mode is True


def test_routes_runs_as_a_module_from_the_shell():
    done = cli("--routes", "hello:app")
    assert done.returncode == 0 and "GET     /pid" in done.stdout


# -- serving -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [installed(name) for name in ADAPTERS])
def test_cli_serves_with_each_installed_adapter_and_stops_on_ctrl_c(name, tmp_path):
    port = free_port()
    with Served(["-m", "demijohn", "--server", name, "--bind", f"127.0.0.1:{port}", "hello:app"],
                log_dir=tmp_path) as served:
        served.wait_serving(("127.0.0.1", port))
        assert served.interrupt() == 0, served.output


def test_ctrl_c_stops_the_server_even_when_the_test_runner_ignores_sigint(tmp_path):
    # `make test &` and CI runners start the suite with SIGINT ignored, which every child
    # inherits; the harness gives the server the default handling a terminal's Ctrl-C meets.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        port = free_port()
        with Served(["-m", "demijohn", "--bind", f"127.0.0.1:{port}", "hello:app"], log_dir=tmp_path) as served:
            served.wait_serving(("127.0.0.1", port))
            assert served.interrupt() == 0, served.output
    finally:
        signal.signal(signal.SIGINT, previous)


def test_cli_applies_plugins_and_params_to_the_served_app(tmp_path):
    port = free_port()
    with Served(["-m", "demijohn", "--bind", f"127.0.0.1:{port}", "--plugin", "extras:TagPlugin('cli')",
                 "extras:make_app()"], log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "hi [cli]")


def test_console_script_serves_like_the_module(tmp_path):
    script = subprocess.run([sys.executable, "-c", "import shutil, sys, os; "
                             "print(shutil.which('demijohn', path=os.path.dirname(sys.executable)) or '')"],
                            capture_output=True, text=True, timeout=30).stdout.strip()
    if not script:
        pytest.skip("the demijohn console script is not installed next to this interpreter (pip install -e core)")
    port = free_port()
    with Served([script, "--bind", f"127.0.0.1:{port}", "hello:app"], log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port), "/") == (200, "hello")


def test_address_in_use_is_one_line_and_exit_1(tmp_path):
    port = free_port()
    with Served(["-m", "demijohn", "--bind", f"127.0.0.1:{port}", "hello:app"], log_dir=tmp_path) as first:
        first.wait_serving(("127.0.0.1", port))
        second = cli("--bind", f"127.0.0.1:{port}", "hello:app")
        assert second.returncode == 1 and second.stderr.startswith(f"demijohn: error: port {port} is in use: ")
        assert second.stderr.count("\n") == 1 and "Listening" not in second.stdout + second.stderr
        assert get(("127.0.0.1", port)) == (200, "hello")


def test_cli_imports_apps_from_the_current_directory(tmp_path, monkeypatch, capsys):
    (tmp_path / "cwdapp.py").write_text("from demijohn import App\napp = App()\napp.get('/here')(lambda: 'x')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [entry for entry in sys.path if entry not in ("", str(tmp_path))])
    assert main(["--routes", "cwdapp:app"]) == 0
    assert "/here" in capsys.readouterr().out
