"""WSGI entry point for the end-to-end run: `apps.serve:app`, picked by environment.

`BENCH_FRAMEWORK` names a module in `apps/`, `BENCH_SCENARIO` a scenario; the servers
(gunicorn, granian) import this module with `bench/` on `PYTHONPATH`.
"""

from __future__ import annotations

import importlib
import os

from scenarios import SCENARIOS

app = importlib.import_module(f"apps.{os.environ['BENCH_FRAMEWORK']}").build(
    SCENARIOS[os.environ["BENCH_SCENARIO"]])
