"""Smoke app for demijohn-cache installed alone: the in-process memory cache, no Redis."""

from demijohn import App
from demijohn_cache import CachePlugin, MemoryBackend

app = App()
app.install(CachePlugin(MemoryBackend(max_entries=100), ttl=60))
calls = []


@app.get("/slow", cache=True)
def slow():
    calls.append(1)
    return f"computed {len(calls)} time(s)"
