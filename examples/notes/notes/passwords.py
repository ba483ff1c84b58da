"""Password hashing with scrypt from the standard library (no extra dependency).

A hash is stored as ``scrypt$n$r$p$salt$digest`` (hex), so the cost can be raised later
without breaking existing hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def hash_password(password: str, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """Return a salted scrypt hash of ``password``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                   p=int(p), dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)
