"""A Bottle of Wiki (abow 0.5.3), a small wiki app, served over a real socket (wsgiref on a
free port) from its own package: SimpleTemplate views, Markdown pages stored in a folder,
tags, search, Last-Modified/304 and its own error pages."""

from __future__ import annotations

import http.client
import os
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import bottle
import pytest
from support import demijohn_gap


def _missing_config_file_is_refused() -> bool:
    try:
        bottle.ConfigDict().load_config(os.path.join(tempfile.gettempdir(), "no-such-dir", "config"))
    except OSError:
        return True
    return False


pytestmark = demijohn_gap(
    _missing_config_file_is_refused() or not hasattr(bottle, "SimpleTemplate"),
    "abow renders SimpleTemplate .tpl views (issue 15 §4) and loads /etc/abow/config with "
    "ConfigDict.load_config(), which Bottle skips silently when the file is missing")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    home = tmp_path_factory.mktemp("abow")
    (home / "pages").mkdir()
    config = home / "abow.ini"
    config.write_text(f"[abow]\nbackend_path = {home / 'pages'}\nlocale = en_US\n")
    saved = {name: os.environ.get(name) for name in ("ABOW_CONFIG", "XDG_CONFIG_HOME")}
    os.environ.update(ABOW_CONFIG=str(config), XDG_CONFIG_HOME=str(home))
    try:
        import abow

        server = make_server("127.0.0.1", 0, abow.application, handler_class=QuietHandler)
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[:2]
    server.shutdown()
    server.server_close()


def fetch(address: tuple[str, int], method: str, path: str, body: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        data = urllib.parse.urlencode(body) if body is not None else None
        sent = dict(headers or {})
        if data is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=sent)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode()
    finally:
        connection.close()


def test_the_root_redirects_to_the_welcome_page(wiki: tuple[str, int]) -> None:
    status, headers, _ = fetch(wiki, "GET", "/")
    assert status == 302
    assert headers["location"].endswith("/view/welcome")


def test_a_saved_page_is_rendered_from_markdown(wiki: tuple[str, int]) -> None:
    status, headers, _ = fetch(wiki, "POST", "/edit/Home",
                               {"content": "# Hello wiki\n\nSome *text*.", "new_pagename": "Home", "tags": "intro"})
    assert status in (302, 303)
    assert headers["location"].endswith("/view/Home")
    status, headers, page = fetch(wiki, "GET", "/view/Home")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert 'id="hello-wiki">Hello wiki' in page
    assert "<em>text</em>" in page


def test_tags_and_search_list_the_page(wiki: tuple[str, int]) -> None:
    fetch(wiki, "POST", "/edit/Tagged", {"content": "findable words", "new_pagename": "Tagged", "tags": "misc"})
    assert "Tagged" in fetch(wiki, "GET", "/tag/misc")[2]
    assert "Tagged" in fetch(wiki, "GET", "/search/pages?text=findable")[2]


def test_an_unchanged_page_answers_304(wiki: tuple[str, int]) -> None:
    fetch(wiki, "POST", "/edit/Still", {"content": "still", "new_pagename": "Still", "tags": ""})
    _, headers, _ = fetch(wiki, "GET", "/view/Still")
    status, _, body = fetch(wiki, "GET", "/view/Still", headers={"If-Modified-Since": headers["last-modified"]})
    assert (status, body) == (304, "")


def test_a_bad_page_name_gets_the_apps_403_page(wiki: tuple[str, int]) -> None:
    status, headers, page = fetch(wiki, "POST", "/edit/Home", {"content": "x", "new_pagename": "a/b", "tags": ""})
    assert status == 403
    assert headers["content-type"].startswith("text/html")
    assert "cannot contain" in page
