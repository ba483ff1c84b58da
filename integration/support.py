"""What the integration tests share: running commands with a bounded time and a readable
failure, free ports, and talking HTTP to a server they started in a subprocess."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(command: Sequence[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to completion; fail the test with its output if it exits non-zero."""
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(port: int, method: str = "GET", path: str = "/", body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    """One HTTP request to 127.0.0.1:``port``: (status, headers, body as text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


class Server:
    """A server subprocess (its own process group), its output in a log file; stopped on exit."""

    def __init__(self, command: Sequence[str | Path], port: int, cwd: Path, env: dict[str, str] | None = None):
        self.port = port
        self.log_path = cwd / f"server-{port}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([str(part) for part in command], cwd=cwd, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    @property
    def output(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def wait_serving(self, path: str = "/", timeout: float = 60) -> None:
        """Wait until ``path`` answers (any status); fail with the server's output if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                fetch(self.port, "GET", path)
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"nothing answered on port {self.port}; the server printed:\n{self.output}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and whatever is left of its group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a child it started (the reloader's), or itself
        self.process.wait(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
