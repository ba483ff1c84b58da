"""Under load and in threads: no leaked connection, no half-written row, no shared session."""

from __future__ import annotations

import threading
from collections import Counter

import sqlalchemy as sa
from demijohn import App, abort
from demijohn.testing import Client
from sqla_support import Note, checked_out, texts

from demijohn_sqlalchemy import SQLAlchemyPlugin

REQUESTS = 1000
THREADS = 8
PER_THREAD = 200


def test_1000_requests_half_failing_leave_no_connection_out_and_no_half_written_row(engine):
    app = App()
    app.install(SQLAlchemyPlugin(engine))

    @app.post("/orders/<number:int>")
    def order(number, db):
        # Every request writes two rows, flushing the first before the second.
        db.add(Note(text=f"{number}-a"))
        db.flush()
        if number % 2 == 0:
            db.add(Note(text=f"{number}-b"))
            return "ok"
        failure = (number // 2) % 3
        if failure == 0:
            raise RuntimeError("the callback failed after writing half")
        if failure == 1:
            abort(400, "the callback refused after writing half")
        db.add(Note(text="0-a"))  # clashes with request 0: fails in commit
        return "unreachable"

    client = Client(app)
    statuses = Counter(client.post(f"/orders/{n}").status_code for n in range(REQUESTS))

    assert statuses[200] == REQUESTS // 2
    assert statuses[500] + statuses[400] + statuses[409] == REQUESTS // 2
    assert min(statuses[500], statuses[400], statuses[409]) >= 166
    assert checked_out(engine) == 0
    expected = sorted(f"{n}-{half}" for n in range(0, REQUESTS, 2) for half in "ab")
    assert texts(engine) == expected


def test_8_threads_by_200_requests_account_for_every_row_and_share_no_session(engine):
    app = App()
    app.install(SQLAlchemyPlugin(engine))
    lock = threading.Lock()
    in_flight: set[int] = set()
    violations: list[str] = []

    @app.post("/rows/<thread:int>/<number:int>")
    def write_and_read(thread, number, db):
        me = threading.get_ident()
        with lock:
            if id(db) in in_flight:
                violations.append(f"session {id(db)} used by two requests at once")
            in_flight.add(id(db))
        owner = db.info.setdefault("owner", me)
        if owner != me:
            violations.append(f"session owned by thread {owner} reached thread {me}")
        try:
            mine = sa.select(sa.func.count()).where(Note.text.like(f"t{thread}-%"))
            before = db.scalar(mine)
            db.add(Note(text=f"t{thread}-{number}"))
            after = db.scalar(mine)  # autoflush: sees its own pending row
            return f"{before},{after}"
        finally:
            with lock:
                in_flight.discard(id(db))

    answers: dict[int, list[str]] = {}

    def worker(thread: int) -> None:
        client = Client(app)
        answers[thread] = [
            client.post(f"/rows/{thread}/{number}").text for number in range(PER_THREAD)
        ]

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for started in workers:
        started.start()
    for started in workers:
        started.join(timeout=60)

    assert not any(w.is_alive() for w in workers)
    assert violations == []
    for thread in range(THREADS):
        # Each request saw every earlier row of its thread committed, and its own.
        assert answers[thread] == [f"{n},{n + 1}" for n in range(PER_THREAD)]
    expected = sorted(f"t{t}-{n}" for t in range(THREADS) for n in range(PER_THREAD))
    assert texts(engine) == expected
    assert checked_out(engine) == 0
