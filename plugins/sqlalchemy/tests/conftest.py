"""Fixtures: one engine per backend (SQLite file, real PostgreSQL in a schema of its own).

PostgreSQL is read from DEMIJOHN_TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test); a plain ``postgresql://`` URL is mapped to
the psycopg 3 driver. Every test run works in a fresh schema ``dj_sqla_<random>``,
dropped at the end. Without a server the PostgreSQL tests skip, or fail when CI=true.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqla_support import Base, pg_engine, postgres_url, service_missing, sqlite_engine


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[tuple[sa.URL, str]]:
    """A schema owned by this test run on the real PostgreSQL server; dropped afterwards."""
    url = postgres_url()
    schema = f"dj_sqla_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        reason = str(error.orig).strip().splitlines()[0]
        service_missing(f"PostgreSQL at {url.render_as_string()} does not answer: {reason}")
    try:
        yield url, schema
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    """An engine with the `notes` table, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        made = sqlite_engine(tmp_path / "test.db")
    else:
        made = pg_engine(request.getfixturevalue("pg_schema"))
    Base.metadata.create_all(made)
    try:
        yield made
    finally:
        Base.metadata.drop_all(made)
        made.dispose()


@pytest.fixture
def pg(pg_schema: tuple[sa.URL, str]) -> Iterator[sa.Engine]:
    """A PostgreSQL-only engine with the `notes` table."""
    made = pg_engine(pg_schema)
    Base.metadata.create_all(made)
    try:
        yield made
    finally:
        Base.metadata.drop_all(made)
        made.dispose()
