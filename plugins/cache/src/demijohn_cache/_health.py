"""Backend outages: noticed once, logged once, probed again after a pause.

A failing cache must not turn into failing requests: while the backend is down the plugin
serves uncached, tries the backend again every `retry_interval` seconds, and logs the
outage and the recovery once each.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("demijohn_cache")


class Health:
    """Tracks backend outages: logs once per outage and probes again after a pause."""

    def __init__(self, retry_interval: float) -> None:
        self.retry_interval = retry_interval
        self.down_since: float | None = None
        self.retry_at = 0.0
        self._mutex = threading.Lock()

    def available(self) -> bool:
        """True when the backend may be used: it is up, or it is time to probe it again."""
        return self.down_since is None or time.monotonic() >= self.retry_at

    def failed(self, error: Exception) -> None:
        """Note a failure: log it if it starts an outage, and wait before the next try."""
        with self._mutex:
            now = time.monotonic()
            if self.down_since is None:
                self.down_since = now
                log.warning("cache backend failed, serving uncached until it is back: %s", error)
            self.retry_at = now + self.retry_interval

    def succeeded(self) -> None:
        """Note a success: log the end of an outage, if there was one."""
        if self.down_since is None:
            return
        with self._mutex:
            if self.down_since is not None:
                log.warning(
                    "cache backend is back after %.1fs, caching resumed",
                    time.monotonic() - self.down_since,
                )
                self.down_since = None
