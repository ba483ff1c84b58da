"""Run serve_app.py in real processes and talk HTTP to them (helpers for the process tests)."""

from __future__ import annotations

import http.client
import json
import os
import select
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from conftest import SECRET, stop_process

SCRIPT = Path(__file__).with_name("serve_app.py")


class AppProcess:
    """One wsgiref server process running the session app; always stopped by its test."""

    def __init__(self, redis_url: str, prefix: str, log: Path, timeout: float = 20.0) -> None:
        self.log = log
        env = dict(os.environ, SESSION_SECRET=SECRET)
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, str(SCRIPT), redis_url, prefix],
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=env,
            )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"serve_app.py did not start; its stderr:\n{log.read_text()}")
        self.port = int(line)
        self.pid = self.process.pid

    def get(self, path: str, cookie: str | None = None) -> tuple[int, str | None, Any]:
        """GET ``path``; return (status, the session cookie set if any, parsed JSON body or text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Cookie": f"session={cookie}"} if cookie else {})
            answer = connection.getresponse()
            body = answer.read().decode()
            jar: SimpleCookie = SimpleCookie()
            for header in answer.headers.get_all("Set-Cookie") or []:
                jar.load(header)
            new_cookie = jar["session"].value if "session" in jar else None
            is_json = answer.headers.get("Content-Type", "").startswith("application/json")
            return answer.status, new_cookie, json.loads(body) if is_json else body
        finally:
            connection.close()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stop_process(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()
