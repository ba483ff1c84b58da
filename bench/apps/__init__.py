"""One module per framework, each building the scenarios' apps in its own idiomatic style.

Every module exposes `build(scenario) -> WSGI callable` and `matcher(app, scenario) ->
callable(environ)` (the router's match alone, for the router-only scenarios; it reaches
into the framework's internals, so it may raise `NotApplicable`). `FRAMEWORKS` lists the
modules in report order.
"""

FRAMEWORKS = ("bare", "demijohn", "bottle", "falcon", "flask")
