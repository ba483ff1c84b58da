"""Settings of the notes app, read from the environment with embedded defaults.

| variable | default | meaning |
|---|---|---|
| ``NOTES_DATABASE_URL`` | ``sqlite:///notes.sqlite3`` | SQLAlchemy URL (``postgresql+psycopg://...`` for PostgreSQL) |
| ``NOTES_REDIS_URL`` | unset | when set, sessions and the page cache live in Redis |
| ``NOTES_REDIS_PREFIX`` | ``notes:`` | prefix of every Redis key the app writes |
| ``NOTES_SECRET`` | read from / written to ``.notes-secret`` | signs session cookies; share it between processes |
| ``NOTES_SCRYPT_N`` | ``16384`` | scrypt cost for password hashes (tests lower it) |
| ``NOTES_LOGIN_LIMIT_ACCOUNT`` | ``5`` | failed logins for one user name before logins to it are refused (429) |
| ``NOTES_LOGIN_LIMIT_ADDRESS`` | ``20`` | failed logins from one client address before its logins are refused (429) |
| ``NOTES_LOGIN_WINDOW`` | ``900`` | seconds a count of failed logins lasts, from the first failure |
| ``NOTES_DOCS_ASSETS`` | unset | folder of npm's ``swagger-ui-dist`` files for ``/docs``; unset: loaded from a CDN |
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _secret_from_file(path: Path) -> str:
    """Read the signing secret, creating it (mode 600) on first start so that every worker
    process started from the same folder shares it."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        secret = secrets.token_urlsafe(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secret)
        return secret
    except FileExistsError:  # pragma: no cover - another worker created it between the two calls
        return path.read_text().strip()


@dataclass
class Settings:
    """Everything the app needs to know about its environment."""

    database_url: str = "sqlite:///notes.sqlite3"
    redis_url: str | None = None
    redis_prefix: str = "notes:"
    secret: str = field(default="", repr=False)
    scrypt_n: int = 2**14
    login_limit_account: int = 5
    login_limit_address: int = 20
    login_window: float = 900
    docs_assets: str | None = None

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from environment variables (see the module docstring)."""
        env = os.environ if environ is None else environ
        secret = env.get("NOTES_SECRET") or _secret_from_file(Path(env.get("NOTES_SECRET_FILE", ".notes-secret")))
        return cls(
            database_url=env.get("NOTES_DATABASE_URL", cls.database_url),
            redis_url=env.get("NOTES_REDIS_URL") or None,
            redis_prefix=env.get("NOTES_REDIS_PREFIX", cls.redis_prefix),
            secret=secret,
            scrypt_n=int(env.get("NOTES_SCRYPT_N", cls.scrypt_n)),
            login_limit_account=int(env.get("NOTES_LOGIN_LIMIT_ACCOUNT", cls.login_limit_account)),
            login_limit_address=int(env.get("NOTES_LOGIN_LIMIT_ADDRESS", cls.login_limit_address)),
            login_window=float(env.get("NOTES_LOGIN_WINDOW", cls.login_window)),
            docs_assets=env.get("NOTES_DOCS_ASSETS") or None,
        )
