"""Bottle's other server adapters (demijohn.adapters): each one whose package is installed
serves real HTTP in a subprocess; the ones whose packages no longer install refuse clearly."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from serving_apps.harness import Served, child_env, free_port, wait_for

from demijohn import ServerError, server_names
from demijohn.server import make_server

RUN_SCRIPT = """
import sys
import demijohn
from hello import app
demijohn.run(app, server=sys.argv[1], host="127.0.0.1", port=int(sys.argv[2]), quiet=True)
"""

#: adapter name -> the import name of the package it needs
HTTP_ADAPTERS = {"tornado": "tornado", "paste": "paste", "twisted": "twisted", "eventlet": "eventlet",
                 "aiohttp": "aiohttp_wsgi", "uvloop": "uvloop", "bjoern": "bjoern"}


def needs(package: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(importlib.util.find_spec(package) is None,
                              reason=f"the {package} package is not installed here (tox -e core installs the "
                                     "ones that build on this Python); its adapter cannot be exercised")


@pytest.mark.parametrize("name", [pytest.param(name, marks=needs(package)) for name, package in HTTP_ADAPTERS.items()])
def test_adapter_serves_real_http(name, tmp_path):
    port = free_port()
    with Served(["-c", RUN_SCRIPT, name, str(port)], log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "hello")


@needs("cheroot")
def test_cherrypy_is_cheroot_and_deprecated(tmp_path):
    port = free_port()
    with Served(["-W", "always", "-c", RUN_SCRIPT, "cherrypy", str(port)], log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "hello")
        assert wait_for(lambda: "DeprecationWarning" in served.output, 5), served.output


def test_cgi_adapter_answers_the_request_in_its_environment():
    environ = {**child_env(), "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/cgi-bin/app", "PATH_INFO": "/",
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": ""}
    script = "import demijohn\nfrom hello import app\ndemijohn.run(app, server='cgi', quiet=True)\n"
    result = subprocess.run([sys.executable, "-c", script], env=environ, capture_output=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"Status: 200 OK") and body == b"hello"


def fastcgi_get(port: int, path: str = "/") -> bytes:
    """GET ``path`` from a FastCGI server on 127.0.0.1:``port``; returns its CGI-style output
    (a minimal FastCGI client: begin, params, empty stdin, read stdout until the end record)."""
    import socket
    import struct

    def record(kind: int, content: bytes) -> bytes:
        return struct.pack("!BBHHBx", 1, kind, 1, len(content), 0) + content

    def pair(name: str, value: str) -> bytes:
        raw_name, raw_value = name.encode(), value.encode()
        return bytes([len(raw_name), len(raw_value)]) + raw_name + raw_value  # short names and values only

    params = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
              "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1"}
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(record(1, struct.pack("!HB5x", 1, 0)) + record(4, b"".join(pair(*item) for item in
                           params.items())) + record(4, b"") + record(5, b""))
        output, data = b"", b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return output
            data += chunk
            while len(data) >= 8:
                _, kind, _, length, padding = struct.unpack("!BBHHBx", data[:8])
                if len(data) < 8 + length + padding:
                    break
                if kind == 6:
                    output += data[8:8 + length]
                elif kind == 3:
                    return output
                data = data[8 + length + padding:]


@needs("flup")
def test_flup_serves_fastcgi(tmp_path):
    port = free_port()
    with Served(["-c", RUN_SCRIPT, "flup", str(port)], log_dir=tmp_path) as served:
        def ask() -> bytes | None:
            try:
                return fastcgi_get(port)
            except OSError:
                return None

        output = wait_for(ask, 20)
        assert output, served.output
        head, _, body = output.partition(b"\r\n\r\n")
        assert b"Status: 200 OK" in head and body == b"hello"


@pytest.mark.parametrize("name", ["fapws3", "diesel", "meinheld", "gae"])
def test_servers_that_do_not_install_on_python3_refuse_clearly(name):
    with pytest.raises(ServerError, match="cannot run: .* Use waitress, gunicorn or cheroot"):
        make_server(name)


def test_server_names_list_bottles_adapters():
    assert {"cgi", "flup", "paste", "tornado", "twisted", "eventlet", "bjoern", "aiohttp", "uvloop", "cherrypy",
            "fapws3", "diesel", "meinheld", "gae"} <= set(server_names)


def test_a_missing_package_is_named():
    if importlib.util.find_spec("bjoern") is not None:
        pytest.skip("bjoern is installed here, so nothing is missing")
    with pytest.raises(ServerError, match="needs the 'bjoern' package"):
        make_server("bjoern")


def test_the_adapters_load_only_when_chosen():
    script = ("import sys\nfrom demijohn.server import make_server\nassert 'demijohn.adapters' not in sys.modules\n"
              "make_server('cgi')\nassert 'demijohn.adapters' in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", script], env=child_env(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_eventlet_without_monkey_patching_warns(tmp_path):
    if importlib.util.find_spec("eventlet") is None:
        pytest.skip("the eventlet package is not installed here; its adapter cannot be exercised")
    port = free_port()
    with Served(["-c", RUN_SCRIPT, "eventlet", str(port)], log_dir=tmp_path) as served:
        served.wait_serving(("127.0.0.1", port))
        assert wait_for(lambda: "monkey_patch" in served.output, 5), served.output

