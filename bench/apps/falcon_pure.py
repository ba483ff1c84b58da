"""Falcon's pure-Python wheel (`py3-none-any`, no Cython `cyutil` extensions), the same
apps as `apps.falcon`, timed in the same process.

`run.py` installs the wheel of the same Falcon version into `bench/.venv/falcon-pure`
(`pip install --target ... --only-binary :all: --platform any --implementation py falcon==X`);
`isolated.IsolatedPackage` imports it under its own name `falcon`, apart from the compiled
one, and `activate` (used by the harness around every batch, outside the timed region)
puts its modules in `sys.modules`.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

from isolated import IsolatedPackage
from scenarios import Scenario

FOLDER = os.path.join(os.path.dirname(os.path.dirname(sys.executable)), "falcon-pure")
if not os.path.isdir(os.path.join(FOLDER, "falcon")):
    raise ImportError(f"Falcon's pure-Python wheel is not installed in {FOLDER} (bench/run.py does it)")

PACKAGE = IsolatedPackage("falcon", FOLDER)
_APPS = PACKAGE.load("apps._falcon_pure_apps",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "falcon.py"))
with PACKAGE.activate():
    if getattr(sys.modules["falcon.util.uri"], "_cy_uri", None) is not None:
        raise ImportError(f"the Falcon in {FOLDER} has compiled extensions: it is not the pure wheel")
activate = PACKAGE.activate


def build(scenario: Scenario) -> Any:
    """The scenario's app, built by `apps/falcon.py` against the pure-Python Falcon."""
    with PACKAGE.activate():
        return _APPS.build(scenario)


def matcher(app: Any, scenario: Scenario) -> Callable[[dict[str, Any]], Any]:
    """Falcon's router (`app._router.find(path)`), as in `apps.falcon`."""
    return _APPS.matcher(app, scenario)
