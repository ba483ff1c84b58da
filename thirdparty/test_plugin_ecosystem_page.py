"""docs/plugin-ecosystem.md shows the results of a fresh run of the conformance kit over the
third-party plugins (thirdparty/plugin_ecosystem.py --check), and every broken rule on it
has a finding (the script refuses a run where one has none, or a finding holds no more)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import on_demijohn

HERE = Path(__file__).resolve().parent


def test_the_page_matches_a_fresh_run_of_the_kit() -> None:
    assert on_demijohn(), "the kit is demijohn's: run this module in the thirdparty env"
    run = subprocess.run([sys.executable, str(HERE / "plugin_ecosystem.py"), "--check"], capture_output=True,
                         text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
