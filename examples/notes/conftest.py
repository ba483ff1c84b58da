"""Fixtures for the notes app tests: the app on embedded defaults and on real services.

This file's folder is put on ``sys.path`` by pytest, so ``import notes`` works."""

from __future__ import annotations

import os
import re
import secrets
import uuid

from collections.abc import Iterator
from typing import Any

import pytest

from demijohn.testing import Client

REDIS_URL = os.environ.get("DEMIJOHN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASE_URL = os.environ.get("DEMIJOHN_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def service_missing(reason: str) -> None:
    """Skip for a missing service, but fail in CI where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


def psycopg_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


@pytest.fixture
def sqlite_settings(tmp_path):
    from notes import Settings

    return Settings(database_url=f"sqlite:///{tmp_path / 'notes.sqlite3'}", secret=secrets.token_urlsafe(32), scrypt_n=16)


@pytest.fixture
def services_settings():
    """Settings on PostgreSQL (a schema of its own) and Redis (a key prefix of its own)."""
    import redis
    import sqlalchemy

    from notes import Settings

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        service_missing(f"Redis at {REDIS_URL} does not answer: {error}")
    schema = f"notes_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(psycopg_url(DATABASE_URL))
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sqlalchemy.exc.OperationalError as error:
        service_missing(f"PostgreSQL at {DATABASE_URL} does not answer: {error}")
    prefix = f"test:notes:{uuid.uuid4().hex[:10]}:"
    separator = "&" if "?" in DATABASE_URL else "?"
    yield Settings(database_url=f"{psycopg_url(DATABASE_URL)}{separator}options=-csearch_path%3D{schema}",
                   redis_url=REDIS_URL, redis_prefix=prefix, secret=secrets.token_urlsafe(32), scrypt_n=16)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["embedded", "services"])
def settings(request):
    return request.getfixturevalue("sqlite_settings" if request.param == "embedded" else "services_settings")


@pytest.fixture
def app(settings):
    from notes import create_app

    app = create_app(settings)
    yield app
    app.close()


def csrf(page_text: str) -> str:
    """The CSRF token in a rendered form."""
    found = re.search(r'name="csrf" value="([^"]+)"', page_text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def signed_up(app, username: str = "ann", password: str = "correct horse") -> Client:
    """A client that has signed up (and so is logged in) as ``username``."""
    client = Client(app)
    token = csrf(client.get("/signup").text)
    answer = client.post("/signup", data={"csrf": token, "username": username, "password": password})
    assert answer.status_code == 303, answer.text
    return client


def visible_text(html: str) -> str:
    """The text of a page as a reader sees it: no tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# The browser tests' fixtures: one headless Chromium for the session, a fresh page per test
# (``tests/browser_support.py``, importable once a test module of that folder is loaded).

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright (no browser download)."""
    from browser_support import launch_browser

    with launch_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own browser context (no cookies shared between tests)."""
    from browser_support import new_page

    with new_page(browser) as fresh:
        yield fresh
