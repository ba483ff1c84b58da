"""One module per framework, each building the scenarios' apps in its own idiomatic style.

Every module exposes `build(scenario) -> WSGI callable` and `matcher(app, scenario) ->
callable(environ)` (the router's match alone, for the router-only scenarios; it reaches
into the framework's internals, so it may raise `NotApplicable`). `FRAMEWORKS` lists the
modules in report order; `falcon_pure` is Falcon's pure-Python wheel beside its compiled
one (`falcon`), and a module may define `activate()`, a context manager the harness enters
around each batch, outside the timed region.
"""

FRAMEWORKS = ("bare", "demijohn", "bottle", "falcon", "falcon_pure", "flask")
