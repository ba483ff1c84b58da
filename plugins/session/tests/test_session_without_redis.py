"""Cookie sessions work without the Redis client; choosing RedisBackend without it says
which extra to install (redis is hidden in a subprocess: `sys.modules['redis'] = None`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HIDE_REDIS = "import sys\nsys.modules['redis'] = None\n"


def run_without_redis(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", HIDE_REDIS + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60)


def test_cookie_sessions_work_without_redis() -> None:
    done = run_without_redis("""
        from demijohn import App
        from demijohn.testing import Client
        from demijohn_session import CookieBackend, SessionPlugin
        app = App()
        app.install(SessionPlugin(CookieBackend("s" * 32)))

        @app.get("/count")
        def count(session):
            session["n"] = session.get("n", 0) + 1
            return str(session["n"])

        client = Client(app)
        print(client.get("/count").text, client.get("/count").text)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "2"]


def test_redis_backend_without_the_client_names_the_extra() -> None:
    done = run_without_redis("""
        from demijohn_session import RedisBackend
        RedisBackend("redis://127.0.0.1:6379/0", secret_or_secrets="s" * 32)
    """)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: RedisBackend needs redis, which is not installed: pip install 'demijohn-session[redis]'")
