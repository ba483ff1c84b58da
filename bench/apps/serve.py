"""WSGI entry point for the end-to-end run: `apps.serve:app`, picked by environment.

`BENCH_FRAMEWORK` names a module in `apps/`, `BENCH_SCENARIO` a scenario; the servers
(gunicorn, granian) import this module with `bench/` on `PYTHONPATH` (and, for Falcon's
pure-Python wheel, its folder before it, with `BENCH_FALCON_PURE` set).
"""

from __future__ import annotations

import importlib
import os

from scenarios import SCENARIOS

if os.environ.get("BENCH_FALCON_PURE"):  # e2e.py put the pure-Python wheel first on the path
    import falcon.util.uri

    if falcon.util.uri._cy_uri is not None:
        raise ImportError(f"BENCH_FALCON_PURE is set but {falcon.__file__} has compiled extensions")

app = importlib.import_module(f"apps.{os.environ['BENCH_FRAMEWORK']}").build(
    SCENARIOS[os.environ["BENCH_SCENARIO"]])
