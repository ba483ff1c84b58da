"""A taken port is reported in one line naming a free port, before the banner, by run() and by
the CLI, with every installed adapter; tested over real sockets."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from demijohn import App, run
from demijohn.ports import PortInUse, check_port, exit_if_taken, free_port_near, is_taken
from serving_apps.extras import Recorder
from serving_apps.harness import Served, child_env, free_port
from test_cli import ADAPTERS, installed

RUN_SCRIPT = "import sys, demijohn; from hello import app; demijohn.run(app, server=sys.argv[1], port=int(sys.argv[2]))"


@pytest.fixture
def taken() -> Iterator[int]:
    """A port on 127.0.0.1 with a listening socket on it, as another server would hold it."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_free_port_passes():
    check_port("127.0.0.1", free_port())


def test_a_listening_port_is_taken_and_the_message_names_a_free_one(taken):
    with pytest.raises(PortInUse) as raised:
        check_port("127.0.0.1", taken)
    error = raised.value
    assert (error.host, error.port) == ("127.0.0.1", taken) and not is_taken("127.0.0.1", error.free)
    assert str(error) == f"port {taken} is in use: pick another with -b 127.0.0.1:{error.free}"


def test_the_hint_is_the_callers(taken):
    with pytest.raises(PortInUse, match=r"pick another with run\(port=\d+\)$"):
        check_port("127.0.0.1", taken, hint="run(port={port})")


def test_an_ipv6_host_is_bracketed_in_the_hint():
    with socket.socket(socket.AF_INET6) as listener:
        try:
            listener.bind(("::1", 0))
        except OSError:
            pytest.skip("this machine has no IPv6 loopback (::1) to listen on")
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(PortInUse, match=rf"^port {port} is in use: pick another with -b \[::1\]:\d+$"):
            check_port("::1", port)


def test_the_suggestion_skips_taken_ports(taken):
    with socket.socket() as next_one:
        next_one.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            next_one.bind(("127.0.0.1", taken + 1))
        except OSError:
            pytest.skip(f"port {taken + 1} is in use by someone else; the test needs it")
        next_one.listen()
        assert free_port_near("127.0.0.1", taken) > taken + 1


def test_unix_sockets_port_zero_and_unknown_hosts_are_left_to_the_server(taken):
    check_port("unix:/tmp/app.sock", 0)
    check_port("127.0.0.1", 0)
    check_port("no-such-host.invalid", taken)


def test_exit_if_taken_ends_with_one_line(taken):
    with pytest.raises(SystemExit) as stopped:
        exit_if_taken("127.0.0.1", taken, hint="run(port={port})")
    assert re.fullmatch(rf"demijohn: error: port {taken} is in use: pick another with run\(port=\d+\)",
                        str(stopped.value.code))


def served_output(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=child_env(), capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("name", [installed(name) for name in ADAPTERS])
def test_cli_says_in_one_line_that_the_port_is_taken_with_each_adapter(name, taken):
    done = served_output("-m", "demijohn", "--server", name, "--bind", f"127.0.0.1:{taken}", "hello:app")
    assert done.returncode == 1
    assert re.fullmatch(rf"demijohn: error: port {taken} is in use: pick another with -b 127\.0\.0\.1:\d+\n",
                        done.stderr), done.stderr
    assert done.stdout == ""  # no banner, no "Listening"


@pytest.mark.parametrize("name", [installed(name) for name in ADAPTERS])
def test_run_says_in_one_line_that_the_port_is_taken_with_each_adapter(name, taken):
    done = served_output("-c", RUN_SCRIPT, name, str(taken))
    assert done.returncode == 1
    assert re.fullmatch(rf"demijohn: error: port {taken} is in use: pick another with run\(port=\d+\)\n",
                        done.stderr), done.stderr
    assert done.stdout == ""


def test_the_suggested_port_serves(taken, tmp_path):
    done = served_output("-m", "demijohn", "--bind", f"127.0.0.1:{taken}", "hello:app")
    suggested = done.stderr.strip().rsplit(" ", 1)[1]
    port = int(suggested.rsplit(":", 1)[1])
    with Served(["-m", "demijohn", "--bind", suggested, "hello:app"], log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "hello")


class RecordingBinder(Recorder):
    """Records instead of serving, but says it listens on host:port itself (the default)."""

    binds_address = True


def test_run_checks_the_port_of_an_adapter_that_listens_itself_before_it_runs(taken):
    Recorder.served.clear()
    with pytest.raises(SystemExit, match=f"port {taken} is in use"):
        run(App(), server=RecordingBinder, port=taken, quiet=True)
    assert Recorder.served == []


def test_an_adapter_that_does_not_listen_itself_is_not_checked(taken):
    Recorder.served.clear()
    run(App(), server=Recorder, port=taken, quiet=True)
    assert len(Recorder.served) == 1
