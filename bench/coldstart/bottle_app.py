"""Cold start: Bottle's hello app, served by `python -m bottle bottle_app:app`."""

from bottle import Bottle

app = Bottle()


@app.get("/")
def hello() -> str:
    return "Hello, World!"
