"""The notes app in a real browser: headless Chromium (Debian's ``chromium`` package) driven
by Playwright's Python package, against ``python -m notes`` served on a free local port with
a SQLite file of its own (see ``browser_support``).

The screenshot of the notes page is saved to ``artifacts/notes.png`` at the repo root.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import add_note, check_screenshot, log_in, log_out, serve_notes, sign_up


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The notes app served by ``python -m notes`` on a free port, with its own SQLite file."""
    with serve_notes(tmp_path_factory.mktemp("notes-server")) as url:
        yield url


def test_a_visitor_signs_up_writes_edits_and_keeps_a_note_then_logs_out(page, base_url):
    sign_up(page, base_url, "ann")
    assert "Signed in as ann" in page.inner_text("header")

    log_out(page, base_url)
    log_in(page, base_url, "ann")
    assert page.inner_text("h1") == "Your notes"

    add_note(page, "Shopping", "milk")
    assert page.inner_text("li.note h2") == "Shopping"

    page.click("li.note a.edit")
    page.wait_for_url(f"{base_url}/notes/*/edit")
    page.fill("#title", "Shopping list")
    page.fill("#body", "milk, eggs")
    page.click("#save")
    page.wait_for_url(f"{base_url}/notes")

    page.reload()
    assert page.inner_text("li.note h2") == "Shopping list"
    assert page.inner_text("li.note p") == "milk, eggs"

    log_out(page, base_url)
    assert page.inner_text("h1") == "Log in"
    page.goto(f"{base_url}/notes")
    assert page.url == f"{base_url}/login"  # the session really ended


def test_the_screenshot_of_the_notes_page_is_a_rendered_page(page, base_url):
    sign_up(page, base_url, "bob")
    add_note(page, "Screenshot note", "seen in artifacts/notes.png")
    assert page.title() == "Your notes · demijohn"
    check_screenshot(page, "notes")
    assert "Screenshot note" in page.inner_text("li.note h2")


def test_docs_from_the_cdn_say_so_when_the_cdn_is_out_of_reach(page, base_url):
    # `python -m notes` without NOTES_DOCS_ASSETS loads Swagger UI from the CDN; block it, as an
    # offline machine would, and the page says what happened instead of staying blank.
    asked: list[str] = []
    page.route("https://cdn.jsdelivr.net/**", lambda route: (asked.append(route.request.url), route.abort()))
    page.goto(f"{base_url}/docs")
    message = page.locator("#swagger-ui")
    message.wait_for()
    assert "Swagger UI could not be loaded" in message.inner_text()
    assert "/openapi.json" in message.inner_text()
    assert sorted(url.rsplit("/", 1)[-1] for url in asked) == ["swagger-ui-bundle.js", "swagger-ui.css"]
