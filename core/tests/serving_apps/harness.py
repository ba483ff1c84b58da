"""Helpers for the serving tests: start a server in a subprocess on a free loopback port,
talk to it with a real HTTP client, and always stop it (and anything it started) in bounded time."""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 20.0
STOP_TIMEOUT = 30.0  # granian and gunicorn may wait out a graceful period on a loaded machine


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now, from this test run's own block of 1,000 ports
    below the kernel's ephemeral range: the py310-py313 envs run at once, and a port the
    kernel handed out (bind to port 0) could be handed to another run before our server
    binds it, so that run's server would answer in ours' place."""
    run = os.environ.get("TOX_ENV_NAME") or str(os.getpid())
    block = 20000 + 1000 * (zlib.crc32(run.encode()) % 12)
    for port in random.sample(range(block, block + 1000), 1000):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {block}-{block + 999} on 127.0.0.1")


def wait_for(predicate: Callable[[], Any], timeout: float, step: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy or ``timeout`` passes; returns
    the last result (falsy on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(step)


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection over a Unix socket."""

    def __init__(self, path: str, timeout: float = 5) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def get(address: str | tuple[str, int], path: str = "/", timeout: float = 5) -> tuple[int, str]:
    """GET ``path`` from ``(host, port)`` or a Unix socket path; returns (status, body)."""
    if isinstance(address, str):
        connection: http.client.HTTPConnection = UnixHTTPConnection(address, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def try_get(address: str | tuple[str, int], path: str = "/") -> tuple[int, str] | None:
    """Like :func:`get`, but ``None`` while nothing answers."""
    try:
        return get(address, path, timeout=2)
    except (OSError, http.client.HTTPException):
        return None


def child_env(*paths: str | Path) -> dict[str, str]:
    """The environment for a server subprocess: ``paths`` importable, no bytecode cache
    (so an edited module is never read from a stale ``.pyc``)."""
    env = {key: value for key, value in os.environ.items() if key not in ("BOTTLE_CHILD", "BOTTLE_LOCKFILE")}
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def default_sigint() -> None:
    """Run in a child before it starts: give it the default SIGINT handling a terminal's
    Ctrl-C meets. A runner that starts the tests in the background (``make test &``, a CI
    job) ignores SIGINT, and an ignored signal stays ignored in every child, so without
    this :meth:`Served.interrupt` would not reach the server."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Served:
    """A server subprocess. Use as a context manager: on exit it is interrupted (SIGINT,
    like Ctrl-C), then killed with its whole process group if it does not stop in time."""

    def __init__(self, args: list[str], cwd: str | Path | None = None, env: dict[str, str] | None = None,
                 log_dir: Path | None = None) -> None:
        log_dir = log_dir or Path(cwd or HERE)
        self.log_path = log_dir / f"server-{time.monotonic_ns()}.log"
        self.log = open(self.log_path, "w+b")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env or child_env(),
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=default_sigint)

    @property
    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def wait_serving(self, address: str | tuple[str, int], path: str = "/") -> tuple[int, str]:
        """Wait until ``path`` answers; fails with the server's output if it never does."""
        answer = wait_for(lambda: self.process.poll() is not None or try_get(address, path), START_TIMEOUT)
        assert isinstance(answer, tuple), f"the server did not answer; it printed:\n{self.output}"
        return answer

    def interrupt(self) -> int | None:
        """Send SIGINT (Ctrl-C) to the process only, and wait for it; returns its status
        (``None`` if it did not stop in time)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Stop the process and everything in its process group, within bounded time."""
        self.interrupt()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group we created: workers, reloader children
        except (ProcessLookupError, PermissionError):
            pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
        self.log.close()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (and is not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
