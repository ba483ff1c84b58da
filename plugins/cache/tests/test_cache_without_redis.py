"""The memory cache works without the Redis client; choosing RedisBackend without it says
which extra to install (redis is hidden in a subprocess: `sys.modules['redis'] = None`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HIDE_REDIS = "import sys\nsys.modules['redis'] = None\n"


def run_without_redis(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", HIDE_REDIS + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60)


def test_memory_cache_serves_without_redis():
    done = run_without_redis("""
        from demijohn import App
        from demijohn.testing import Client
        from demijohn_cache import CachePlugin, MemoryBackend
        app = App()
        app.install(CachePlugin(MemoryBackend()))
        app.route("/", callback=lambda: "hi", cache=True)
        client = Client(app)
        print(client.get("/").headers["X-Cache"], client.get("/").headers["X-Cache"])
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["MISS", "HIT"]


def test_redis_backend_without_the_client_names_the_extra():
    done = run_without_redis("""
        from demijohn_cache import RedisBackend
        RedisBackend("redis://127.0.0.1:6379/0")
    """)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: RedisBackend needs redis, which is not installed: pip install 'demijohn-cache[redis]'")
