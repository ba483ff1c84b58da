"""The demo never dead-ends, seen in a real browser: error pages of the app, rejected forms that
come back filled in, long words that wrap, the public page, the API page, the favicon, and the
interactive API docs (Swagger UI) with its files served by the app itself.

Swagger UI's files come from the npm registry (``npm pack swagger-ui-dist@<pinned version>``),
unpacked once into ``~/.cache/demijohn-notes/`` and reused by later runs; they are never
committed. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import PASSWORD, add_note, check_screenshot, serve_notes, sign_up
from demijohn_jsonschema import SWAGGER_UI_VERSION
from demijohn_jsonschema._docs import ASSETS

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "demijohn-notes"
NPM_TIMEOUT = 300
LONG_WORD = "W" * 3400  # a long unbroken word, as a pasted hash or URL would be
API_OPERATIONS = {("GET", "/api/notes"), ("POST", "/api/notes"), ("GET", "/api/notes/{note_id}"),
                  ("PUT", "/api/notes/{note_id}"), ("DELETE", "/api/notes/{note_id}")}


def swagger_ui_files() -> Path:
    """The ``swagger-ui-dist`` package at the plugin's pinned version, from the npm registry (cached)."""
    folder = CACHE / f"swagger-ui-dist-{SWAGGER_UI_VERSION}"
    if (folder / "package" / "swagger-ui-bundle.js").is_file():
        return folder / "package"
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: install it (`apt-get install -y npm`) so the test can fetch swagger-ui-dist.")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        packed = subprocess.run([npm, "pack", f"swagger-ui-dist@{SWAGGER_UI_VERSION}", "--pack-destination", scratch],
                                capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False)
        if packed.returncode != 0:
            pytest.fail(f"`npm pack swagger-ui-dist@{SWAGGER_UI_VERSION}` failed: {packed.stderr[-2000:]}")
        unpacked = Path(scratch) / "unpacked"
        with tarfile.open(Path(scratch) / packed.stdout.strip().splitlines()[-1]) as archive:
            archive.extractall(unpacked, filter="data")
        if not folder.exists():  # another run may have filled the cache meanwhile
            unpacked.rename(folder)
    return folder / "package"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The notes app with Swagger UI served from the local folder, plus one failing route."""
    command = [sys.executable, str(Path(__file__).with_name("serve_with_a_bug.py"))]
    with serve_notes(tmp_path_factory.mktemp("notes-pages"), command,
                     NOTES_DOCS_ASSETS=str(swagger_ui_files())) as url:
        yield url


def test_the_pinned_integrity_hashes_match_swagger_ui_as_published():
    """The CDN mode's SRI hashes are those of the files the npm registry publishes."""
    folder = swagger_ui_files()
    for name, integrity in ASSETS.items():
        digest = base64.b64encode(hashlib.sha384((folder / name).read_bytes()).digest()).decode()
        assert integrity == f"sha384-{digest}", name


# -- error pages ---------------------------------------------------------------------------------

def assert_error_page(page, status: int, title: str) -> None:
    assert page.inner_text("main h1") == title
    assert page.inner_text("main .status").lower() == f"error {status}"  # shown in capitals by the stylesheet
    assert page.is_visible("header nav a[href='/api']") and page.is_visible("#home")
    assert "Traceback" not in page.content()


@pytest.mark.parametrize("status, path, title", [(404, "/no/such/page", "Not Found"),
                                                 (405, "/logout", "Method Not Allowed"),
                                                 (500, "/crash", "Internal Server Error")])
def test_an_error_is_a_page_of_the_app_with_a_way_back(page, base_url, status, path, title):
    answer = page.goto(f"{base_url}{path}")
    assert answer is not None and answer.status == status
    assert_error_page(page, status, title)
    check_screenshot(page, f"error-{status}")
    page.click("#home")
    page.wait_for_url(f"{base_url}/login")  # the way back leads into the app


def test_a_forged_form_is_a_403_page_of_the_app(page, base_url):
    sign_up(page, base_url, "forger")
    page.eval_on_selector("form[action='/notes'] input[name=csrf]", "input => input.value = 'forged'")
    page.fill("#title", "never saved")
    with page.expect_navigation():
        page.click("#add")
    assert_error_page(page, 403, "Forbidden")
    assert "Signed in as forger" in page.inner_text("header")
    check_screenshot(page, "error-403")
    page.click("#home")
    page.wait_for_url(f"{base_url}/notes")
    assert "never saved" not in page.content()


def test_a_malformed_form_body_is_a_400_page_of_the_app(page, base_url):
    # A broken client: the form's body is sent under a content type it does not have.
    page.route(f"{base_url}/login", lambda route: route.continue_(
        headers={**route.request.headers, "content-type": "multipart/form-data"})
        if route.request.method == "POST" else route.continue_())
    page.goto(f"{base_url}/login")
    page.fill("#username", "someone")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#submit")
    assert_error_page(page, 400, "Bad Request")
    check_screenshot(page, "error-400")


# -- anonymous visitors and login throttling ------------------------------------------------------

def test_an_anonymous_visitor_gets_a_form_cookie_no_session_and_a_forged_login_is_a_friendly_page(page, base_url):
    page.goto(f"{base_url}/login")
    assert sorted(cookie["name"] for cookie in page.context.cookies()) == ["csrf"]
    page.eval_on_selector("input[name=csrf]", "input => input.value = 'forged'")
    page.fill("#username", "someone")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#submit")
    assert_error_page(page, 403, "Forbidden")
    assert "reload the page and try again" in page.inner_text("#detail")
    check_screenshot(page, "login-forged")
    page.click("#back")  # back to the login form, which works again
    page.wait_for_url(f"{base_url}/login")
    assert page.is_visible("#username")


def test_too_many_failed_logins_show_the_login_page_with_429(page, base_url):
    sign_up(page, base_url, "guarded")
    page.context.clear_cookies()
    statuses = []
    for attempt in range(6):
        page.goto(f"{base_url}/login")
        page.fill("#username", "guarded")
        page.fill("#password", f"wrong {attempt}")
        with page.expect_navigation() as navigation:
            page.click("#submit")
        statuses.append(navigation.value.status)
    assert statuses == [401] * 5 + [429]
    assert "Too many failed logins" in page.inner_text("p.error")
    assert page.input_value("#username") == "guarded"
    check_screenshot(page, "login-throttled")


# -- forms, long words, the public page ---------------------------------------------------------

def test_a_rejected_form_comes_back_with_what_was_typed_and_the_message_beside_the_field(page, base_url):
    sign_up(page, base_url, "typist")
    page.fill("#title", "   ")  # passes the browser's `required`, not the app's check
    page.fill("#body", "a text worth keeping")
    with page.expect_navigation():
        page.click("#add")
    assert page.input_value("#body") == "a text worth keeping"
    message = page.locator("#title-error")
    assert "needs a title" in message.inner_text()
    field, beside = page.locator("#title").bounding_box(), message.bounding_box()
    assert field and beside and 0 <= beside["y"] - (field["y"] + field["height"]) < 40  # right below the field
    check_screenshot(page, "form-rejected")


def test_a_taken_user_name_comes_back_filled_in(page, base_url):
    sign_up(page, base_url, "taken")
    page.context.clear_cookies()
    page.goto(f"{base_url}/signup")
    page.fill("#username", "taken")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#submit")
    assert page.input_value("#username") == "taken"
    assert page.inner_text("#username-error") == "The name taken is taken; choose another."


def test_a_long_unbroken_word_wraps_instead_of_widening_the_page(page, base_url):
    sign_up(page, base_url, "wordy")
    add_note(page, LONG_WORD[:200], LONG_WORD)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
    assert page.locator("li.note p").bounding_box()["height"] > 100  # wrapped onto many lines
    check_screenshot(page, "long-word")


def test_the_public_page_shows_the_signed_in_state_and_counts_in_words(page, base_url):
    page.goto(f"{base_url}/public")
    assert page.is_visible("header a[href='/login']")
    sign_up(page, base_url, "counter")
    page.click("header a[href='/public']")
    page.wait_for_url(f"{base_url}/public")
    assert "Signed in as counter" in page.inner_text("header") and page.is_visible("#logout")
    people = int(page.inner_text("#numbers strong").split()[0])
    sentence = page.inner_text("#numbers")
    assert sentence.startswith("1 person keeps" if people == 1 else f"{people} people keep"), sentence
    check_screenshot(page, "public")


# -- the API page, the favicon, the interactive docs ----------------------------------------------

def test_the_api_link_opens_a_page_that_explains_the_api(page, base_url):
    page.goto(f"{base_url}/login")
    page.click("header a[href='/api']")
    page.wait_for_url(f"{base_url}/api")
    assert page.inner_text("main h1") == "The notes API"
    rows = {tuple(row.split("\t")[:2]) for row in page.locator("table.operations tbody tr").all_inner_texts()}
    assert rows == API_OPERATIONS
    assert page.is_visible("a#docs-link[href='/docs']")
    check_screenshot(page, "api")


def test_the_favicon_is_served_and_linked(page, base_url):
    page.goto(f"{base_url}/login")
    href = page.get_attribute("link[rel=icon]", "href")
    icon = page.request.get(f"{base_url}{href}")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    legacy = page.request.get(f"{base_url}/favicon.ico")
    assert legacy.status == 200 and legacy.headers["content-type"] == "image/x-icon" and legacy.body()[:4] == b"\0\0\1\0"


def test_the_interactive_docs_list_the_api_and_try_it_out_creates_a_note(page, base_url):
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_up(page, base_url, "swagger")
    page.goto(f"{base_url}/api")
    page.click("#docs-link")
    page.wait_for_selector(".opblock-summary-path")
    listed = {(block.locator(".opblock-summary-method").inner_text(), block.locator(".opblock-summary-path").inner_text())
              for block in page.locator(".opblock").all()}
    assert listed == API_OPERATIONS

    post = page.locator(".opblock-post").first
    post.locator(".opblock-summary").click()
    post.locator(".try-out__btn").click()
    post.locator("textarea.body-param__text").fill('{"title": "From the docs", "body": "tried it out"}')
    post.locator("button.execute").click()
    status = post.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for()
    # The first line is the status; Swagger UI marks 201 "Undocumented" (the document says 200).
    assert status.inner_text().split()[0] == "201"
    check_screenshot(page, "docs")

    assert all(url.startswith(base_url) for url in requests), [url for url in requests if not url.startswith(base_url)]
    assert not [text for text in problems if "Content Security Policy" in text], problems
    notes = page.context.new_page()  # the note is there, in the signed-in user's list
    notes.goto(f"{base_url}/notes")
    assert "From the docs" in notes.inner_text("li.note h2")


def test_the_docs_page_needs_no_session_to_list_the_api(page, base_url):
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock-summary-path")
    assert page.locator(".opblock").count() == len(API_OPERATIONS)
