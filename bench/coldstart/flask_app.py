"""Cold start: Flask's hello app, served by `flask --app flask_app run`."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
