"""The granian adapter: real HTTP over TCP and a Unix socket from `run(server='granian')`,
a clean stop on Ctrl-C and SIGTERM (the worker process goes too), its options, and
`auto` choosing it first."""

from __future__ import annotations

import signal

import pytest

from demijohn import ServerError, server_names
from demijohn.server import AutoServer, GranianServer
from serving_apps.harness import Served, free_port, get, process_alive, wait_for
from test_server import run_briefly

pytestmark = pytest.mark.skipif(
    not GranianServer.installed(),
    reason="the granian package is not installed (pip install granian); its adapter cannot be exercised here")

RUN_SCRIPT = """
import sys
import demijohn
from hello import app
demijohn.run(app, server="granian", host=sys.argv[1], port=int(sys.argv[2]), quiet=sys.argv[3] == "quiet")
"""


def serve(tmp_path, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> Served:
    return Served(["-c", RUN_SCRIPT, host, str(port), "quiet" if quiet else "loud"], log_dir=tmp_path)


def test_granian_is_a_server_name():
    assert server_names["granian"] is GranianServer


def test_auto_picks_granian_first_when_it_is_installed():
    assert type(AutoServer().choose()) is GranianServer


def test_run_serves_real_http_with_granian(tmp_path):
    port = free_port()
    with serve(tmp_path, port=port) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "hello")
        assert "Listening on http://127.0.0.1:" in served.output


def test_granian_serves_on_a_unix_socket(tmp_path):
    path = str(tmp_path / "app.sock")
    with serve(tmp_path, host=f"unix:{path}") as served:
        assert served.wait_serving(path) == (200, "hello")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_granian_stops_cleanly_with_its_worker(tmp_path, stop_signal):
    port = free_port()
    with serve(tmp_path, port=port) as served:
        served.wait_serving(("127.0.0.1", port))
        status, worker = get(("127.0.0.1", port), "/pid")
        assert status == 200 and int(worker) != served.process.pid  # a worker process answers
        served.process.send_signal(stop_signal)
        assert served.process.wait(timeout=15) == 0, served.output
        assert wait_for(lambda: not process_alive(int(worker)), 10), "the granian worker outlived the server"
        assert "Traceback" not in served.output


def test_quiet_silences_granian_logging(tmp_path):
    port = free_port()
    with serve(tmp_path, port=port, quiet=True) as served:
        served.wait_serving(("127.0.0.1", port))
        get(("127.0.0.1", port), "/")
        assert served.interrupt() == 0
    assert served.output.strip() == ""


def test_granian_refuses_an_unknown_option_before_serving():
    error = run_briefly(GranianServer("127.0.0.1", 0, no_such_option=1))
    assert isinstance(error, ServerError) and "Bad option for the granian server" in str(error)
    assert "no_such_option" in str(error)


def test_granian_refuses_another_interface():
    error = run_briefly(GranianServer("127.0.0.1", 0, interface="asgi"))
    assert isinstance(error, ServerError) and "WSGI apps only" in str(error)


def test_granian_without_fork_says_how_to_serve_instead(tmp_path):
    script = "import multiprocessing\nmultiprocessing.set_start_method('spawn')\n" + RUN_SCRIPT
    with Served(["-c", script, "127.0.0.1", str(free_port()), "loud"], log_dir=tmp_path) as served:
        assert served.process.wait(timeout=20) != 0
    assert "needs the 'fork' start method, not 'spawn'" in served.output
    assert "granian --interface wsgi package.module:app" in served.output
