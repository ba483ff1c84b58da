"""Smoke app for demijohn-session installed alone: signed-cookie sessions, no Redis."""

from demijohn import App
from demijohn_session import CookieBackend, SessionPlugin

app = App()
app.install(SessionPlugin(CookieBackend("smoke-test secret, 32 characters"), cookie_name="smoke"))


@app.get("/visits")
def visits(session):
    session["visits"] = session.get("visits", 0) + 1
    return f"visit {session['visits']}"
