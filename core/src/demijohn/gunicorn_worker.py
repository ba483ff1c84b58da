"""A gunicorn worker for ``run(server='gunicorn')``: gunicorn's threaded worker (``gthread``)
whose connections time out when the client goes silent.

Why: gunicorn's own default, one synchronous worker, is held by each connection until it
has sent its whole request, so 50 slow clients (slowloris) stop every other request. The
threaded worker waits for new connections in a poller, but a client that has started its
request holds a thread while it trickles the rest, and a client that stops in the middle
of its body holds one forever. Here every read of a connection waits at most gunicorn's
``timeout`` seconds (the same setting that bounds a silent worker): a silent client is
dropped, and an app reading a body that stopped arriving gets a 408, not a hang.

Used as ``worker_class='demijohn.gunicorn_worker.ThreadWorker'`` (the adapter's default);
needs gunicorn installed.
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn.workers import gthread


class ReadTimeoutSocket(socket.socket):
    """A socket whose blocking mode waits at most :attr:`read_timeout` seconds per read:
    gunicorn switches connections to blocking mode before reading a request."""

    read_timeout: float = 30.0

    def setblocking(self, flag: bool) -> None:
        """Blocking means "with the read timeout"; non-blocking stays non-blocking."""
        if flag:
            self.settimeout(self.read_timeout)
        else:
            super().setblocking(False)


class ThreadWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker with a read timeout on every connection."""

    def enqueue_req(self, conn: Any) -> None:
        """Give a new connection the read timeout, then queue it as gthread does."""
        if not isinstance(conn.sock, ReadTimeoutSocket):
            plain = conn.sock
            timed = ReadTimeoutSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
            timed.read_timeout = float(self.cfg.timeout or 30)
            conn.sock = timed
        super().enqueue_req(conn)


__all__ = ["ReadTimeoutSocket", "ThreadWorker"]
