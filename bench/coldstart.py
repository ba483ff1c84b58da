"""Cold start: from launching each framework's development-server command to its first
answered request.

The commands are the ones each framework documents for serving an app from a shell:
`python -m demijohn app:app`, `python -m bottle app:app`, `flask --app app run`, and for
Falcon (no command of its own) its tutorial's `wsgiref` script; a bare WSGI callable under
`wsgiref` is the floor (Python's start plus wsgiref). The apps are in `coldstart/`. Each
command runs several times, the frameworks interleaved; the clock starts before the
process is spawned and stops when a `GET /` has been answered `200 Hello, World!`.

    python bench/coldstart.py --repeat 9
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.join(HERE, "coldstart")
BIN = os.path.dirname(sys.executable)
FRAMEWORKS = ("bare", "demijohn", "bottle", "falcon", "flask")


def command(framework: str, port: int) -> list[str]:
    """The shell command that serves `framework`'s hello app on 127.0.0.1:`port`."""
    bind = f"127.0.0.1:{port}"
    return {
        "demijohn": [sys.executable, "-m", "demijohn", "--bind", bind, "demijohn_app:app"],
        "bottle": [sys.executable, "-m", "bottle", "--bind", bind, "bottle_app:app"],
        "flask": [os.path.join(BIN, "flask"), "--app", "flask_app", "run", "--host", "127.0.0.1",
                  "--port", str(port)],
        "falcon": [sys.executable, "falcon_app.py", str(port)],
        "bare": [sys.executable, "bare_app.py", str(port)],
    }[framework]


def first_answer(port: int, deadline: float) -> bool:
    """Poll `GET /` every 2 ms until it is answered; True when the answer is right."""
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/")
            answer = connection.getresponse()
            return answer.status == 200 and answer.read() == b"Hello, World!"
        except OSError:
            time.sleep(0.002)
        finally:
            connection.close()
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C the server's process group, then kill it if it lingers."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def once(framework: str) -> float | None:
    """Seconds from spawning `framework`'s command to its first right answer (None: none)."""
    from e2e import free_port

    port = free_port()
    # Bytecode caches allowed: the warm-up run writes any that are missing (an editable
    # install may have none), so no framework pays for compiling its source.
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPATH"] = APPS
    started = time.perf_counter()
    process = subprocess.Popen(command(framework, port), cwd=APPS, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        answered = first_answer(port, time.monotonic() + 30)
        elapsed = time.perf_counter() - started
    finally:
        stop(process)
    return elapsed if answered else None


def run(repeat: int = 9, frameworks: tuple[str, ...] = FRAMEWORKS) -> dict[str, dict[str, Any]]:
    """Every framework's cold start, `repeat` times interleaved: median and best, in ms."""
    samples: dict[str, list[float]] = {name: [] for name in frameworks}
    for framework in frameworks:  # one warm-up each: the OS page cache, .pyc files
        once(framework)
    for _ in range(repeat):
        for framework in frameworks:
            elapsed = once(framework)
            if elapsed is not None:
                samples[framework].append(elapsed * 1000)
    return {name: {"median_ms": statistics.median(values), "min_ms": min(values),
                   "runs": len(values), "command": " ".join(command(name, 8080)).replace(
                       sys.executable, "python").replace(BIN + "/", "")}
            for name, values in samples.items() if values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
