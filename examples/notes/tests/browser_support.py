"""What the browser tests share: Debian's headless Chromium under Playwright, the notes app served
on a free local port with a SQLite file of its own, page helpers and the screenshot check.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``. When that is
missing, the session fixture installs it with ``apt-get`` (bounded in time); when that is
impossible the tests fail with a message saying what to install, they never skip.

Screenshots are saved to ``artifacts/`` at the repo root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTES_ROOT = Path(__file__).resolve().parents[1]  # examples/notes: holds the `notes` package
REPO_ROOT = NOTES_ROOT.parents[1]
ARTIFACTS = REPO_ROOT / "artifacts"
INSTALL_TIMEOUT = 900  # seconds for apt-get update + install on a fresh machine
SERVER_START_TIMEOUT = 30
PASSWORD = "correct horse battery"


def _run_apt(*args: str, deadline: float) -> subprocess.CompletedProcess[str]:
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=300", *args]  # wait for a dpkg lock held by another install
    return subprocess.run(command, capture_output=True, text=True, timeout=max(1.0, deadline - time.monotonic()),
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, check=False)


def install_chromium() -> None:
    """Install Debian's ``chromium`` when it is missing, or fail saying how to get it."""
    if CHROMIUM.exists():
        return
    how = "install it with `apt-get install -y chromium` (as root), then run the tests again"
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.fail(f"{CHROMIUM} is missing and cannot be installed from here (needs apt-get as root): {how}.")
    deadline = time.monotonic() + INSTALL_TIMEOUT
    try:
        result = _run_apt("install", "-y", "-q", "chromium", deadline=deadline)
        if result.returncode != 0:  # a fresh machine has no package lists yet
            _run_apt("update", "-q", deadline=deadline)
            result = _run_apt("install", "-y", "-q", "chromium", deadline=deadline)
    except subprocess.TimeoutExpired:
        pytest.fail(f"Installing chromium took over {INSTALL_TIMEOUT} s and was stopped: {how}.")
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(f"`apt-get install -y chromium` failed ({result.returncode}): {result.stderr[-2000:]}\n{how}.")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll ``url`` until the server answers; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`python -m notes` exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"`python -m notes` did not answer {url} within {SERVER_START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def serve_notes(folder: Path, command: list[str] | None = None, **settings: str) -> Iterator[str]:
    """Serve the notes app (``python -m notes``, or ``command``) from ``folder`` on a free port with
    a SQLite file there and ``settings`` (``NOTES_*`` variables); yield its base URL."""
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(NOTES_ROOT), os.environ.get("PYTHONPATH")])),
           "NOTES_HOST": "127.0.0.1", "NOTES_PORT": str(port), "NOTES_SCRYPT_N": "16",
           "NOTES_DATABASE_URL": f"sqlite:///{folder / 'notes.sqlite3'}", "NOTES_SECRET": "browser-test-secret-0123456789",
           **settings}
    env.pop("NOTES_REDIS_URL", None)
    with log.open("wb") as output:
        server = subprocess.Popen(command or [sys.executable, "-m", "notes"], cwd=folder, env=env, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{url}/login", server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@contextlib.contextmanager
def launch_browser() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright (no browser download)."""
    install_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


@contextlib.contextmanager
def new_page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own browser context (no cookies shared between tests)."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _account_form(page: Page, base_url: str, form: str, username: str) -> None:
    page.goto(f"{base_url}/{form}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"{base_url}/notes")


def sign_up(page: Page, base_url: str, username: str) -> None:
    """Create the account ``username`` through the sign-up form (which signs in)."""
    _account_form(page, base_url, "signup", username)


def log_in(page: Page, base_url: str, username: str) -> None:
    """Sign in as ``username`` through the login form."""
    _account_form(page, base_url, "login", username)


def log_out(page: Page, base_url: str) -> None:
    page.click("#logout")
    page.wait_for_url(f"{base_url}/login")


def add_note(page: Page, title: str, body: str) -> None:
    page.fill("#title", title)
    page.fill("#body", body)
    with page.expect_navigation():
        page.click("#add")




def check_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to ``artifacts/<name>.png`` and check it is a rendered page:
    a PNG that decodes, of a real size, with many colours (not blank or nearly uniform)."""
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        image.load()  # decodes every pixel: a truncated or broken PNG raises here
        assert image.size[0] >= 800 and image.size[1] >= 600, image.size
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, f"{shot} is blank or nearly uniform"
    return shot
