"""Cold start: demijohn's hello app, served by `python -m demijohn demijohn_app:app`."""

from demijohn import App

app = App()


@app.get("/")
def hello() -> str:
    return "Hello, World!"
