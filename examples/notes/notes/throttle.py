"""Login throttling: after too many failed logins for one account, or from one client address,
further attempts are refused with 429 until a time window has passed.

Failures are counted in a fixed window that starts at the first failure of a key. Two kinds of
key are counted: the account (so a slow attack from many addresses on one account stops), and
the client address (so one address trying many accounts stops). A refused attempt is not
counted and costs no password hash. A successful login clears its account's count (not its
address's: an attacker with one account of their own must not be able to reset the count of the
address they attack from).

The counts live in Redis when the app has Redis, so every worker process and host shares them,
and in this process's memory otherwise (the embedded defaults, one process).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # redis is needed only when the app has Redis (imported where it is used)
    import redis


class ThrottleUnavailable(Exception):
    """The store of the counts did not answer; the login is refused with 503 rather than unthrottled."""


class Counters(Protocol):
    """Where failure counts live: ``count`` and ``add`` return ``(failures, seconds left in the window)``."""

    def count(self, key: str) -> tuple[int, float]:
        """The failures counted under ``key`` and the seconds left in its window ((0, 0) when none)."""
        ...

    def add(self, key: str, window: float) -> tuple[int, float]:
        """Count one more failure under ``key``, opening a window of ``window`` seconds if none is open."""
        ...

    def reset(self, key: str) -> None:
        """Forget the failures counted under ``key``."""
        ...


class MemoryCounters:
    """Counts in this process's memory (thread-safe), at most ``max_keys`` keys at a time."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (failures, monotonic end of window)
        self._lock = threading.Lock()

    def count(self, key: str) -> tuple[int, float]:
        """See :class:`Counters`."""
        with self._lock:
            failures, ends = self._counts.get(key, (0, 0.0))
        left = ends - time.monotonic()
        return (failures, left) if left > 0 else (0, 0.0)

    def add(self, key: str, window: float) -> tuple[int, float]:
        """See :class:`Counters`."""
        now = time.monotonic()
        with self._lock:
            failures, ends = self._counts.get(key, (0, 0.0))
            if ends <= now:
                failures, ends = 0, now + window
                self._make_room(now)
            self._counts[key] = (failures + 1, ends)
        return failures + 1, ends - now

    def reset(self, key: str) -> None:
        """See :class:`Counters`."""
        with self._lock:
            self._counts.pop(key, None)

    def _make_room(self, now: float) -> None:
        if len(self._counts) < self.max_keys:
            return
        self._counts = {key: value for key, value in self._counts.items() if value[1] > now}
        while len(self._counts) >= self.max_keys:  # still full of live windows: drop the oldest
            del self._counts[next(iter(self._counts))]


class RedisCounters:
    """Counts in Redis under ``prefix``, shared by every process that uses the same Redis."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        from redis import RedisError

        self.client = client
        self.prefix = prefix
        self._errors = RedisError

    def count(self, key: str) -> tuple[int, float]:
        """See :class:`Counters`."""
        try:
            failures, left_ms = self.client.pipeline(transaction=False).get(self.prefix + key).pttl(
                self.prefix + key).execute()
        except self._errors as error:
            raise ThrottleUnavailable(f"could not read login failures from Redis: {error}") from error
        if failures is None or left_ms <= 0:
            return 0, 0.0
        return int(failures), left_ms / 1000

    def add(self, key: str, window: float) -> tuple[int, float]:
        """See :class:`Counters`. One transaction: the window opens with the first failure only."""
        name = self.prefix + key
        try:
            _, failures, left_ms = (self.client.pipeline(transaction=True)
                                    .set(name, 0, px=max(1, round(window * 1000)), nx=True)
                                    .incr(name).pttl(name).execute())
        except self._errors as error:
            raise ThrottleUnavailable(f"could not count a login failure in Redis: {error}") from error
        return int(failures), max(left_ms, 0) / 1000

    def reset(self, key: str) -> None:
        """See :class:`Counters`."""
        try:
            self.client.delete(self.prefix + key)
        except self._errors as error:
            raise ThrottleUnavailable(f"could not clear login failures in Redis: {error}") from error


class LoginThrottle:
    """Refuses logins after ``per_account`` failures for one user name, or ``per_address``
    failures from one client address, within ``window`` seconds."""

    def __init__(self, counters: Any, per_account: int = 5, per_address: int = 20, window: float = 900) -> None:
        for name, value in (("per_account", per_account), ("per_address", per_address), ("window", window)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"LoginThrottle: {name} must be a positive number, got {value!r}.")
        self.counters: Counters = counters
        self.per_account = per_account
        self.per_address = per_address
        self.window = window

    def retry_after(self, username: str, address: str | None) -> int:
        """Seconds the client must wait before trying again (0: it may try now)."""
        waits = [left for (failures, left), limit in self._counts(username, address) if failures >= limit]
        return math.ceil(max(waits)) if waits else 0

    def failed(self, username: str, address: str | None) -> None:
        """Count a failed login for the account and the address."""
        self.counters.add(_account_key(username), self.window)
        self.counters.add(_address_key(address), self.window)

    def succeeded(self, username: str) -> None:
        """Clear the account's failures after a successful login."""
        self.counters.reset(_account_key(username))

    def _counts(self, username: str, address: str | None) -> list[tuple[tuple[int, float], int]]:
        return [(self.counters.count(_account_key(username)), self.per_account),
                (self.counters.count(_address_key(address)), self.per_address)]


def _account_key(username: str) -> str:
    # Hashed: the key stays short whatever was typed, and Redis holds no user names.
    return "account:" + hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _address_key(address: str | None) -> str:
    return f"address:{address or 'unknown'}"
