"""Slowloris on every adapter with its default settings: 50 connections that send their
headers a byte at a time, never finishing, while other clients' requests still get answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from wire_harness import WireServer, get

SLOW_CONNECTIONS = 50


@contextmanager
def slow_clients(port: int, count: int = SLOW_CONNECTIONS, period: float = 0.5) -> Iterator[list[socket.socket]]:
    """``count`` connections that started a request and send one more header byte every
    ``period`` seconds (well within every server's read timeout) until the block ends."""
    connections = []
    for number in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(f"GET /?slow={number} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        connections.append(connection)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(period):
            for connection in connections:
                try:
                    connection.sendall(b"x")
                except OSError:
                    pass  # a server may drop some: the others keep trickling

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        time.sleep(2 * period)  # every slow connection has been accepted and has sent something
        yield connections
    finally:
        stop.set()
        feeder.join(5)
        for connection in connections:
            connection.close()


def test_fifty_slow_clients_do_not_stop_other_requests(served: WireServer) -> None:
    with slow_clients(served.port) as connections:
        answers = [get(served.port, f"/?fast={number}", wait=10) for number in range(5)]
        still_open = sum(1 for connection in connections if _open(connection))
    assert [wire.status for wire in answers] == [200] * 5, [wire.raw[:80] for wire in answers]
    assert all(wire.seconds < 10 for wire in answers)
    assert still_open > 0, "the server dropped every slow client: the test did not hold any thread"


def _open(connection: socket.socket) -> bool:
    connection.setblocking(False)
    try:
        return connection.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
