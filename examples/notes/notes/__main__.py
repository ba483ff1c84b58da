"""``python -m notes``: serve the notes app on http://127.0.0.1:8080 with embedded defaults
(SQLite file ``notes.sqlite3``, signed-cookie sessions, in-process cache)."""

import os

from demijohn import run

from . import Settings, create_app

if __name__ == "__main__":
    settings = Settings.from_environ()
    where = "PostgreSQL/Redis" if settings.redis_url else "embedded defaults (SQLite, cookie sessions, memory cache)"
    print(f"Notes demo on {where}: open http://127.0.0.1:8080/")
    run(create_app(settings), host=os.environ.get("NOTES_HOST", "127.0.0.1"), port=int(os.environ.get("NOTES_PORT", 8080)))
