"""``python -m notes`` with one route that fails (``/crash``), for the browser test of the 500
page: the app itself has no failing route to show it with."""

import os

from demijohn import run
from notes import Settings, create_app

app = create_app(Settings.from_environ())


@app.get("/crash", openapi=False)
def crash() -> str:
    """Fail like a bug would."""
    raise RuntimeError("a bug planted by the browser test")


if __name__ == "__main__":
    run(app, host=os.environ["NOTES_HOST"], port=int(os.environ["NOTES_PORT"]), quiet=True)
