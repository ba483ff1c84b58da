"""The README's login/logout example runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import set_cookie
from demijohn.testing import Client

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def example_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("REDIS_URL", raising=False)  # the cookie-backend branch, no server needed
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None, "README has no python example"
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code.group(1), str(README), "exec"), namespace)
    return namespace["app"]


def test_readme_example_logs_in_and_out(example_app: Any) -> None:
    client = Client(example_app)
    assert client.post("/login", data={"user": "ada", "password": "wrong"}).status_code == 401
    login = client.post("/login", data={"user": "ada", "password": "lovelace"})
    assert login.status_code == 303 and set_cookie(login) is not None
    assert client.get("/").json == {"user": "ada"}
    logout = client.post("/logout")
    morsel = set_cookie(logout)
    assert morsel is not None and morsel.value == ""
    assert Client(example_app).get("/").json == {"user": None}
