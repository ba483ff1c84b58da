"""The harness of the wire tests: each server adapter we ship, started in a subprocess on a
free loopback port serving ``wire_app``, and a raw socket client that returns the exact
bytes the server sent, so a test can say what did (or did not) reach the wire."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from demijohn import server_names
from serving_apps.harness import Served, child_env, free_port

HERE = Path(__file__).resolve().parent
ADAPTERS = ["wsgiref", "waitress", "gunicorn", "cheroot", "granian"]

#: Each adapter's read timeout, shortened from its default (30 s; cheroot's 10 s) so that the
#: tests of a silent client take seconds. Every other setting is the adapter's default.
SHORT_TIMEOUTS: dict[str, dict[str, float]] = {
    "wsgiref": {"timeout": 2}, "waitress": {"channel_timeout": 2, "cleanup_interval": 1},
    "gunicorn": {"timeout": 3}, "cheroot": {"timeout": 2}, "granian": {"timeout": 2},
}


def adapter_params() -> list[object]:
    """The adapters as test parameters; one whose package is missing is skipped, saying so."""
    params = []
    for name in ADAPTERS:
        adapter = server_names[name]
        params.append(pytest.param(name, marks=pytest.mark.skipif(
            not adapter.installed(), reason=f"{adapter.package} is not installed (pip install 'demijohn[servers]')")))
    return params


class WireServer:
    """``wire_app`` served by one adapter; ``stop()`` ends it (and its workers)."""

    def __init__(self, adapter: str, log_dir: Path) -> None:
        self.adapter = adapter
        for _ in range(3):
            self.port = free_port()
            options = json.dumps(SHORT_TIMEOUTS[adapter])
            self.served = Served([str(HERE / "wire_serve.py"), adapter, str(self.port), options], cwd=HERE,
                                 env=child_env(HERE), log_dir=log_dir)
            self.served.wait_serving(("127.0.0.1", self.port))
            if self._answers_from_own_process():
                return
            # Another test run (the py310-py313 envs run at once) took the port between
            # free_port() and this server's bind, and answered for it: try another port.
            self.served.stop()
        pytest.fail(f"{adapter}: three ports in a row were taken by another server before ours bound them")

    def _answers_from_own_process(self) -> bool:
        wire = get(self.port, "/process-group")
        return wire.status == 200 and wire.body == str(self.served.process.pid).encode()

    def stop(self) -> None:
        self.served.stop()


@dataclass
class Wire:
    """What came back on one connection: the raw bytes, and how long until the server closed
    it (``closed`` is False when the client gave up waiting first)."""

    raw: bytes
    seconds: float
    closed: bool
    headers: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip(), value.strip()))

    @property
    def status(self) -> int | None:
        """The status code, or None when the server sent nothing."""
        return int(self.raw[9:12]) if self.raw.startswith(b"HTTP/1.") else None

    @property
    def body(self) -> bytes:
        """The bytes after the header block."""
        return self.raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in self.raw else b""

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` as sent, or None."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def header_lines(self) -> list[str]:
        """Every header line's name, lower case, as the client would parse them."""
        return [key.lower() for key, _ in self.headers]


def exchange(port: int, data: bytes, wait: float = 15.0) -> Wire:
    """Send ``data`` as it is on a new connection to 127.0.0.1:``port``, keep the connection
    open, and read until the server closes it or ``wait`` seconds pass."""
    started = time.monotonic()
    chunks: list[bytes] = []
    closed = False
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        connection.sendall(data)
        deadline = started + wait
        while time.monotonic() < deadline:
            connection.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
    return Wire(b"".join(chunks), time.monotonic() - started, closed)


def get(port: int, target: str, headers: str = "", wait: float = 15.0) -> Wire:
    """A raw ``GET target`` with ``Connection: close``; ``headers`` are extra lines ending in CRLF."""
    return exchange(port, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
                    .encode("latin-1"), wait)


def post(port: int, target: str, head: str, body: bytes, wait: float = 15.0) -> Wire:
    """A raw ``POST`` with the header lines ``head`` (each ending in CRLF) and ``body`` as given."""
    start = f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{head}\r\n".encode("latin-1")
    return exchange(port, start + body, wait)


@contextmanager
def stalled_post(port: int, target: str, length: int, sent: bytes) -> Iterator[socket.socket]:
    """A ``POST`` that declares ``length`` body bytes, sends only ``sent`` and then waits, held
    open for the ``with`` block (the server is reading its body meanwhile)."""
    head = f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n\r\n".encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(head + sent)
        time.sleep(0.3)  # let the server hand the request to the app, which now waits for the rest
        yield connection
