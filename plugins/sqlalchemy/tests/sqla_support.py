"""Models and helpers shared by the demijohn-sqlalchemy tests."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.String(40), unique=True)


def postgres_url() -> sa.URL:
    """The test database URL, with `postgresql://` mapped to the psycopg (v3) driver."""
    url = sa.make_url(os.environ.get("DEMIJOHN_TEST_DATABASE_URL") or DEFAULT_DATABASE_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def service_missing(reason: str) -> None:
    """Skip with a one-line reason, or fail when running in CI (CI=true)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def pg_engine(pg_schema: tuple[sa.URL, str], **options: object) -> sa.Engine:
    """An engine on the test schema (search_path set for every connection)."""
    url, schema = pg_schema
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 3},
        **options,  # type: ignore[arg-type]
    )


def sqlite_engine(path: object) -> sa.Engine:
    """A SQLite engine whose transactions start with BEGIN IMMEDIATE.

    SQLite allows one writer: with pysqlite's deferred BEGIN, two threads that both read
    and then write deadlock and one gets "database is locked". Taking the write lock at
    the start makes concurrent writers queue on the busy timeout instead (the recipe
    in SQLAlchemy's SQLite dialect documentation). WAL keeps readers off the writer's
    way; a long busy timeout lets a waiting writer outlast the queue on a loaded machine.
    """
    engine = sa.create_engine(f"sqlite:///{path}", pool_pre_ping=True, connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def no_implicit_begin(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @sa.event.listens_for(engine, "begin")
    def begin_immediate(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def texts(engine: sa.Engine) -> list[str]:
    """Every note's text, read on a fresh connection (what is committed)."""
    with engine.connect() as conn:
        return sorted(conn.scalars(sa.select(Note.text)))


def checked_out(engine: sa.Engine) -> int:
    """Connections currently checked out of the engine's pool."""
    return engine.pool.checkedout()  # type: ignore[attr-defined]
