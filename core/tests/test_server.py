"""run() and the server adapters: choosing an adapter, preparing the app, and serving real
HTTP on a free loopback port in a subprocess with every adapter installed here."""

from __future__ import annotations

import socket
import sys
import threading

import pytest

import demijohn
from demijohn import App, ServerAdapter, ServerError, WSGIRefServer, run, server_names
from demijohn.runner import prepare_app
from demijohn.server import AutoServer, make_server
from serving_apps.extras import NeedsMissingPackage, Recorder, TagPlugin
from serving_apps.harness import Served, child_env, free_port, get, wait_for

ADAPTERS = ["wsgiref", "waitress", "gunicorn", "cheroot", "gevent"]


def installed(name: str):
    """``name`` as a test parameter, skipped (saying why) when its package is missing."""
    adapter = server_names[name]
    return pytest.param(name, marks=pytest.mark.skipif(
        not adapter.installed(), reason=f"the {adapter.package} package is not installed (pip install "
                                        f"{adapter.package}); its adapter cannot be exercised here"))


RUN_SCRIPT = """
import sys
import demijohn
from hello import app
demijohn.run(app, server=sys.argv[1], host=sys.argv[2], port=int(sys.argv[3]))
"""


@pytest.fixture(autouse=True)
def reset_recorder_and_debug():
    Recorder.served.clear()
    yield
    demijohn.debug(False)


# -- choosing the adapter --------------------------------------------------------------------------
def test_make_server_by_name_passes_host_port_and_options():
    adapter = make_server("wsgiref", "127.0.0.2", 9000, threads=3)
    assert (type(adapter), adapter.host, adapter.port, adapter.options) == (WSGIRefServer, "127.0.0.2", 9000,
                                                                           {"threads": 3})


def test_make_server_accepts_an_adapter_class():
    assert type(make_server(Recorder)) is Recorder


def test_make_server_uses_an_instance_as_it_is():
    adapter = Recorder(port=1234)
    assert make_server(adapter, port=80) is adapter


def test_make_server_loads_a_package_class_string():
    assert type(make_server("serving_apps.extras:Recorder")) is Recorder


def test_unknown_server_name_is_a_value_error_listing_the_names():
    with pytest.raises(ValueError, match="Unknown server 'tornadoes'.*cheroot.*waitress"):
        make_server("tornadoes")


def test_unknown_server_error_is_a_framework_error():
    with pytest.raises(demijohn.BottleException):
        make_server("tornadoes")


def test_an_object_that_is_not_an_adapter_is_refused():
    with pytest.raises(ServerError, match="not a ServerAdapter"):
        make_server(object())  # type: ignore[arg-type]


def test_missing_server_package_is_one_line_naming_the_package():
    with pytest.raises(ServerError) as caught:
        make_server(NeedsMissingPackage)
    message = str(caught.value)
    assert "\n" not in message and "pip install demijohn_no_such_server_package" in message


def test_invalid_port_is_a_clear_error():
    with pytest.raises(ServerError, match="Invalid port 'http'"):
        WSGIRefServer(port="http")


def test_adapter_repr_shows_host_port_and_options():
    assert repr(WSGIRefServer("127.0.0.1", 8080, backlog=5)) == "WSGIRefServer(host='127.0.0.1', port=8080, backlog=5)"


def test_adapter_url_brackets_ipv6_hosts():
    assert WSGIRefServer("::1", 8080).url == "http://[::1]:8080/"


def test_adapter_url_of_a_unix_socket_is_the_host():
    assert WSGIRefServer("unix:/tmp/app.sock").url == "unix:/tmp/app.sock"


def test_base_adapter_run_says_it_must_be_implemented():
    with pytest.raises(NotImplementedError, match="ServerAdapter must implement run"):
        ServerAdapter().run(App())


def test_auto_picks_the_first_installed_adapter_in_its_order():
    class Auto(AutoServer):
        adapters = (NeedsMissingPackage, Recorder, WSGIRefServer)

    assert type(Auto().choose()) is Recorder


def test_auto_passes_quiet_and_options_to_the_adapter_it_picks():
    class Auto(AutoServer):
        adapters = (Recorder,)

    auto = Auto("127.0.0.1", 9, answer=42)
    auto.quiet = True
    chosen = auto.choose()
    assert (chosen.quiet, chosen.port, chosen.options) == (True, 9, {"answer": 42})


def test_server_names_include_every_documented_adapter():
    assert set(ADAPTERS) | {"auto"} <= set(server_names)


# -- what run() serves ------------------------------------------------------------------------------
def test_run_serves_the_given_app_with_the_given_adapter():
    app = App()
    run(app, server=Recorder, quiet=True)
    assert Recorder.served[0][1] is app


def test_run_without_an_app_serves_the_default_app():
    run(server=Recorder, quiet=True)
    assert Recorder.served[0][1] is demijohn.default_app()


def test_run_loads_an_app_string():
    run("serving_apps.hello:app", server=Recorder, quiet=True)
    assert Recorder.served[0][1] is sys.modules["serving_apps.hello"].app


def test_run_refuses_an_app_that_is_not_callable():
    with pytest.raises(ValueError, match="Cannot serve 42: it is not callable"):
        run(42, server=Recorder, quiet=True)


def test_run_refuses_an_app_string_naming_something_not_callable():
    with pytest.raises(ValueError, match="Cannot serve 42: it is not callable"):
        run("serving_apps.extras:not_callable", server=Recorder, quiet=True)


def test_run_of_a_module_string_serves_the_routes_it_added_to_the_default_app():
    sys.modules.pop("serving_apps.defaultroutes", None)
    run("serving_apps.defaultroutes", server=Recorder, quiet=True)
    assert [route.rule for route in Recorder.served[0][1].routes] == ["/"]


def test_run_installs_plugins_given_as_objects_or_strings():
    app = prepare_app(App(), plugins=[TagPlugin("a"), "serving_apps.extras:TagPlugin('b')"])
    assert [getattr(plugin, "tag", None) for plugin in app.plugins][-2:] == ["a", "b"]


def test_run_merges_config_into_the_app():
    app = prepare_app(App(), config={"myapp.colour": "blue"})
    assert app.config["myapp.colour"] == "blue"


def test_plugins_for_a_plain_wsgi_callable_are_refused_clearly():
    with pytest.raises(ServerError, match="not a demijohn App"):
        prepare_app(lambda environ, start_response: [], plugins=[TagPlugin()])


def test_run_debug_switches_debug_mode():
    run(App(), server=Recorder, quiet=True, debug=True)
    assert App.debug_mode is True


def test_run_prints_version_adapter_address_and_how_to_stop(capsys):
    run(App(), server=Recorder, host="127.0.0.1", port=8123)
    banner = capsys.readouterr().err
    assert all(part in banner for part in (f"v{demijohn.__version__}", "Recorder(", "http://127.0.0.1:8123/",
                                           "Ctrl-C"))


def test_run_quiet_prints_nothing(capsys):
    run(App(), server=Recorder, quiet=True)
    assert capsys.readouterr().err == ""


def test_run_quiet_sets_the_adapter_quiet():
    run(App(), server=Recorder, quiet=True)
    assert Recorder.served[0][0].quiet is True


def test_app_run_relays_to_run():
    app = App()
    app.run(server=Recorder, quiet=True)
    assert Recorder.served[0][1] is app


# -- real servers in a subprocess -------------------------------------------------------------------
@pytest.mark.parametrize("name", [installed(name) for name in [*ADAPTERS, "auto"]])
def test_run_serves_real_http_with_each_installed_adapter(name, tmp_path):
    port = free_port()
    with Served(["-c", RUN_SCRIPT, name, "127.0.0.1", str(port)], log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "hello")


@pytest.mark.parametrize("name", [installed(name) for name in ADAPTERS])
def test_run_serves_on_a_unix_socket_with_each_installed_adapter(name, tmp_path):
    path = str(tmp_path / "app.sock")
    with Served(["-c", RUN_SCRIPT, name, f"unix:{path}", "0"], log_dir=tmp_path) as served:
        assert served.wait_serving(path) == (200, "hello")


def test_wsgiref_serves_an_ipv6_host(tmp_path):
    # An IPv6 socket bound to the IPv4-mapped loopback address: traffic stays on 127.0.0.1.
    port = free_port()
    with socket.socket(socket.AF_INET6) as probe:
        try:
            probe.bind(("::ffff:127.0.0.1", 0))
        except OSError:
            pytest.skip("this host has no IPv6 stack (binding an IPv6 socket failed)")
    with Served(["-c", RUN_SCRIPT, "wsgiref", "::ffff:127.0.0.1", str(port)], log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "hello")


def test_wsgiref_does_not_resolve_client_host_names(tmp_path):
    port = free_port()
    with Served(["-c", RUN_SCRIPT, "wsgiref", "127.0.0.1", str(port)], log_dir=tmp_path) as served:
        served.wait_serving(("127.0.0.1", port))
        get(("127.0.0.1", port), "/pid")
        wait_for(lambda: "GET /pid" in served.output, 10)  # the log line follows the answer
    assert '127.0.0.1 - - [' in served.output and "localhost - - [" not in served.output


def test_wsgiref_serves_requests_concurrently(tmp_path):
    port = free_port()
    with Served(["-c", RUN_SCRIPT, "wsgiref", "127.0.0.1", str(port)], log_dir=tmp_path) as served:
        served.wait_serving(("127.0.0.1", port))
        with socket.create_connection(("127.0.0.1", port), timeout=5):  # an idle client holds one thread
            assert get(("127.0.0.1", port), "/", timeout=5) == (200, "hello")


@pytest.mark.parametrize("name", [installed("gunicorn")])
def test_gunicorn_opens_no_shared_control_socket(name, tmp_path):
    env = child_env()
    env["HOME"] = str(tmp_path / "home")
    env.pop("XDG_RUNTIME_DIR", None)
    port = free_port()
    with Served(["-c", RUN_SCRIPT, name, "127.0.0.1", str(port)], env=env, log_dir=tmp_path) as served:
        served.wait_serving(("127.0.0.1", port))
    assert not (tmp_path / "home" / ".gunicorn").exists()


def run_briefly(adapter: ServerAdapter) -> BaseException | None:
    """Call ``adapter.run`` in a daemon thread for at most 10 s; return what it raised
    (a test expecting an error before serving then fails instead of hanging)."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            adapter.run(App())
        except BaseException as error:  # noqa: BLE001 - handed to the test
            raised.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(10)
    return raised[0] if raised else None


def test_wsgiref_refuses_an_option_it_does_not_know_by_name():
    error = run_briefly(WSGIRefServer("127.0.0.1", 0, threads=4))
    assert isinstance(error, ServerError) and "wsgiref server takes no option threads" in str(error)


@pytest.mark.parametrize("name", [installed("cheroot")])
def test_cheroot_refuses_an_unknown_option_before_serving(name):
    error = run_briefly(server_names[name]("127.0.0.1", 0, no_such_option=1))
    assert isinstance(error, ServerError) and "Bad option for the cheroot server" in str(error)


def test_wsgiref_uses_a_given_handler_class(tmp_path):
    script = RUN_SCRIPT.replace("demijohn.run(app, ", "demijohn.run(app, handler_class=Handler, ").replace(
        "from hello import app", "from hello import app\nfrom wsgiref.simple_server import WSGIRequestHandler\n"
        "class Handler(WSGIRequestHandler):\n    def log_message(self, *args):\n"
        "        print('custom handler logged', flush=True)\n")
    port = free_port()
    with Served(["-c", script, "wsgiref", "127.0.0.1", str(port)], log_dir=tmp_path) as served:
        served.wait_serving(("127.0.0.1", port))
        wait_for(lambda: "custom handler logged" in served.output, 10)  # the log line follows the answer
    assert "custom handler logged" in served.output
