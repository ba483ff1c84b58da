"""The debug error page in a real browser with JavaScript off: headless Chromium (Debian's
``/usr/bin/chromium``, installed by ``.ci/install-chromium`` before this runs) driven by
Playwright, against ``python -m demijohn --debug`` serving a buggy app on a free port.
Screenshots: ``artifacts/debug-page.png`` and ``artifacts/error-page.png`` (debug mode off)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from support import ROOT, Server, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "artifacts"
BUGGY_APP = '''from demijohn import App, request

app = App()


def average(numbers):
    total = sum(numbers)
    return total / len(numbers)


@app.get("/average")
def show_average():
    numbers = [int(n) for n in request.query.getall("n")]
    return f"The average is {average(numbers)}"
'''
SECRETS = {"token": "query-secret-1", "session": "cookie-secret-2", "Authorization": "Bearer header-secret-3"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run .ci/install-chromium (tox -e debugpage does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_failing_page(browser: Browser, tmp_path: Path, *options: str) -> Iterator[Page]:
    """Serve the buggy app (with ``options``) and open its failing page with JavaScript off, a
    session cookie and an Authorization header; yields the page."""
    (tmp_path / "app.py").write_text(BUGGY_APP)
    port = free_port()
    command = [sys.executable, "-m", "demijohn", *options, "--bind", f"127.0.0.1:{port}", "app:app"]
    with Server(command, port, tmp_path) as server:
        server.wait_serving("/average?n=1")
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900},
                                      extra_http_headers={"Authorization": SECRETS["Authorization"]})
        context.add_cookies([{"name": "session", "value": SECRETS["session"], "url": f"http://127.0.0.1:{port}/"}])
        page = context.new_page()
        answer = page.goto(f"http://127.0.0.1:{port}/average?token={SECRETS['token']}")
        assert answer is not None and answer.status == 500
        yield page
        context.close()


@pytest.fixture
def debug_page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    yield from open_failing_page(browser, tmp_path, "--debug")


def test_the_page_names_the_exception_and_shows_the_line_that_ran(debug_page: Page):
    expect(debug_page.locator("h1")).to_have_text("ZeroDivisionError: division by zero")
    ran = debug_page.locator("details[open] .ran").last
    expect(ran).to_be_visible()
    expect(ran).to_contain_text("return total / len(numbers)")
    expect(debug_page.locator("details[open] summary").last).to_contain_text("app.py, line 8")


def test_framework_frames_are_folded_and_open_without_javascript(debug_page: Page):
    folded = debug_page.locator("details.library").first
    expect(folded.locator("pre")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator("pre")).to_be_visible()
    assert debug_page.locator("script").count() == 0


def test_the_request_is_shown_with_its_secrets_masked(debug_page: Page):
    text = debug_page.locator("body").inner_text()
    assert "GET" in text and "/average" in text and "show_average" in text
    for secret in ("query-secret-1", "cookie-secret-2", "header-secret-3"):
        assert secret not in text
    expect(debug_page.locator("td.masked")).to_have_count(3)  # the token query value, Cookie, Authorization
    ARTIFACTS.mkdir(exist_ok=True)
    debug_page.screenshot(path=str(ARTIFACTS / "debug-page.png"), full_page=True)


def test_out_of_debug_mode_the_page_says_nothing_internal(browser: Browser, tmp_path: Path):
    for page in open_failing_page(browser, tmp_path):
        text = page.locator("body").inner_text()
        assert "500 Internal Server Error" in text
        for internal in ("ZeroDivisionError", "average", "app.py", "Traceback", "session"):
            assert internal not in text
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "error-page.png"))
