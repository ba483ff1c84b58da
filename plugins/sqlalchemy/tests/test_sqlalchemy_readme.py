"""The README's example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from demijohn.testing import Client

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> str:
    """The first Python code block of the README (the notes app)."""
    return re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL).group(1)


def test_readme_example_serves_and_stores_notes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the example's sqlite:///notes.db lands here
    namespace: dict = {"__name__": "readme_example"}
    exec(compile(readme_example(), str(README), "exec", dont_inherit=True), namespace)
    client = Client(namespace["app"])

    assert client.post("/notes", json={"text": "buy milk"}).json == {"id": 1}
    assert client.post("/notes", json={"text": "buy milk"}).status_code == 409
    assert client.post("/notes", json={}).status_code == 400
    assert client.get("/notes").json == {"notes": ["buy milk"]}
    assert client.get("/health").text == "ok"
    namespace["db_plugin"].close()
    assert (tmp_path / "notes.db").exists()
