"""The first-party plugins use the core's public helpers, never its storage layout: no
environ key of the core's (named in demijohn.environ_keys), no X-Forwarded-* header read
past the app's proxy policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from demijohn import environ_keys

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "plugins").glob("*/src/demijohn_*/**/*.py")) + sorted((ROOT / "examples" / "plugins").glob("*/*.py"))
CORE_KEYS = [value for name, value in vars(environ_keys).items() if name.isupper()]


def test_there_are_plugin_sources_to_check():
    assert len(SOURCES) > 20


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_plugin_source_names_no_core_environ_key(path):
    text = path.read_text(encoding="utf-8")
    found = [key for key in CORE_KEYS if f'"{key}' in text or f"'{key}" in text]
    assert not found, f"{path.name} uses the core's environ keys {found}: use request.app/route/url_args or RequestSlot"


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_plugin_source_reads_no_forwarded_header(path):
    assert "HTTP_X_FORWARDED" not in path.read_text(encoding="utf-8"), (
        f"{path.name} reads X-Forwarded-*: use request.scheme/host/remote_addr (the app's proxy policy)")
