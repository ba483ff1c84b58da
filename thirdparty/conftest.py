"""Run unmodified third-party Bottle packages on a chosen runtime: ``--runtime=demijohn``
(the default: ``demijohn.install_as_bottle()`` before any of them is imported, in an env
where the real Bottle is not installed) or ``--runtime=bottle`` (the real Bottle 0.13.4, in
an env without demijohn). The same scenario modules run on both (``tox -e thirdparty`` and
``tox -e thirdparty-bottle``), so a scenario failing only on demijohn is demijohn's fault.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from support import service_unavailable

RUNTIMES = ("demijohn", "bottle")
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runtime", choices=RUNTIMES, default="demijohn",
                     help="what `import bottle` gives the third-party packages (default: demijohn)")


def pytest_configure(config: pytest.Config) -> None:
    """Bind ``bottle`` before pytest imports any scenario module (and so any package)."""
    runtime = config.getoption("runtime")
    os.environ["THIRDPARTY_RUNTIME"] = runtime
    if runtime == "demijohn":
        import demijohn

        demijohn.install_as_bottle()
    else:
        import bottle

        if bottle.__version__ != "0.13.4":
            raise pytest.UsageError(f"--runtime=bottle needs Bottle 0.13.4, found {bottle.__version__} "
                                    f"at {bottle.__file__}")


def pytest_report_header(config: pytest.Config) -> str:
    import bottle

    return f"third-party packages run on: {config.getoption('runtime')} (bottle is {bottle.__file__})"


@pytest.fixture
def database_url() -> Iterator[str]:
    """A SQLAlchemy URL of the test PostgreSQL database (``DEMIJOHN_TEST_DATABASE_URL``)."""
    url = os.environ.get("DEMIJOHN_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.OperationalError as error:
        service_unavailable(f"PostgreSQL at {url} does not answer: {str(error).splitlines()[0]}")
    finally:
        engine.dispose()
    yield url


@pytest.fixture
def unique() -> str:
    """A name no other run of the scenarios uses (tables, keys)."""
    return f"tp_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def fresh_default_app() -> Iterator[Any]:
    """A new default app on Bottle's app stack for the test, removed after it."""
    import bottle

    app = bottle.app.push()
    yield app
    bottle.app.remove(app)
