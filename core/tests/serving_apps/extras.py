"""Objects for the loading, CLI and server tests: a plugin, a factory, a custom adapter."""

from demijohn import App, ServerAdapter


class TagPlugin:
    """Adds an ``X-Tag`` header value to every answer of a route it applies to."""

    name = "tag"
    api = 2

    def __init__(self, tag="tagged"):
        self.tag = tag

    def apply(self, callback, route):
        def wrapper(*args, **kwargs):
            return f"{callback(*args, **kwargs)} [{self.tag}]"
        return wrapper


tag = TagPlugin()


def make_app(greeting="hi", suffix=""):
    app = App()

    @app.get("/")
    def index():
        return greeting + suffix

    @app.get("/plain", skip=["tag"])
    def plain():
        return "plain"

    return app


class NeedsMissingPackage(ServerAdapter):
    """An adapter whose server package is not installed anywhere."""

    package = "demijohn_no_such_server_package"


class Recorder(ServerAdapter):
    """Records what it was asked to serve instead of serving."""

    binds_address = False
    served = []

    def run(self, handler):
        Recorder.served.append((self, handler))


not_callable = 42
