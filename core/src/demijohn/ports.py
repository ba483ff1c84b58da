"""A taken port, found before serving starts.

Left alone, a server finds a taken port only when it binds, after the banner said
"Listening", and reports it as a traceback. :func:`check_port` binds a probe socket the way
every adapter binds its own (``SO_REUSEADDR``: a port held only by closed connections in
``TIME_WAIT`` counts as free, one with a listening socket does not), so it fails exactly
when the server would, and the message names a free port to use instead.
"""

from __future__ import annotations

import errno
import socket

from .errors import BottleException

#: How far above a taken port to look for a free one to suggest.
NEARBY = 20


class PortInUse(BottleException):
    """Something listens on the port already; the message names a free one to pick instead."""

    def __init__(self, host: str, port: int, free: int, hint: str) -> None:
        self.host, self.port, self.free = host, port, free
        bracketed = f"[{host}]" if ":" in host else host
        super().__init__(f"port {port} is in use: pick another with {hint.format(host=bracketed, port=free)}")


def _probe(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` as the adapters bind theirs; raises ``OSError``."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError:
        probe.close()
        raise
    return probe


def _bind_error(host: str, port: int) -> int | None:
    """The ``errno`` of binding ``host:port`` (a free port: ``None``)."""
    try:
        _probe(host, port).close()
    except socket.gaierror:
        raise
    except OSError as error:
        return error.errno
    return None


def is_taken(host: str, port: int) -> bool:
    """Whether binding ``host:port`` fails because the address is in use."""
    return _bind_error(host, port) == errno.EADDRINUSE


def free_port_near(host: str, port: int) -> int:
    """The first free port above ``port`` (up to :data:`NEARBY` higher), else one the system picks."""
    for candidate in range(port + 1, min(port + NEARBY, 65535) + 1):
        if _bind_error(host, candidate) is None:
            return candidate
    with _probe(host, 0) as probe:
        return int(probe.getsockname()[1])


def check_port(host: str, port: int, hint: str = "-b {host}:{port}") -> None:
    """Raise :class:`PortInUse` when something listens on ``host:port`` already.

    ``hint`` says how to choose another port; ``{host}`` and ``{port}`` are filled in with
    the host and a free port. Unix sockets (``host='unix:/path'``), port 0 and host names
    that do not resolve are left to the server, which reports them itself.
    """
    if port == 0 or host.startswith("unix:"):
        return
    try:
        taken = is_taken(host, port)
    except socket.gaierror:
        return
    if taken:
        raise PortInUse(host, port, free_port_near(host, port), hint)


def exit_if_taken(host: str, port: int, hint: str) -> None:
    """:func:`check_port` for entry points such as :func:`demijohn.run`: a taken port ends the
    program with one line (``SystemExit``, status 1) instead of a traceback after the banner."""
    try:
        check_port(host, port, hint)
    except PortInUse as taken:
        raise SystemExit(f"demijohn: error: {taken}") from None
