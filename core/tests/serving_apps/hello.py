"""A tiny app served by the serving tests."""

import os

from demijohn import App

app = App()


@app.get("/")
def index():
    return "hello"


@app.get("/pid")
def pid():
    return str(os.getpid())
