"""Routes on the default app through the module-level decorators, then ``run()``: loading
this module with ``load_app`` must collect the routes and must not start a server."""

from demijohn import route, run

LOADED_WITH_RUN_IGNORED = True


@route("/")
def index():
    return "from the default app"


run(port=1)  # would fail (port 1 is privileged) if load_app let it run
LOADED_AFTER_RUN = True
