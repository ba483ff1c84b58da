"""An app as users write it, checked by mypy in `tox -e types`: every form of the route, error,
hook and view decorators, at app and module level, keeps the decorated function's type. The
assignments at the end check each type; the wrong ones below them are errors silenced by a
`type: ignore` that mypy (warn_unused_ignores) reports as unused if a decorator ever loses the
type to Any. core/tests/test_typed_boundary.py imports this app and checks it at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import demijohn
from demijohn import App, FormsDict, HTTPError, view
from demijohn.route import Route

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

app = App()


@app.get("/notes/<id:int>")
def show(id: int) -> str:
    return f"note {id}"


@app.post
def create() -> dict[str, int]:
    return {"id": 1}


def listing(page: int = 1) -> str:
    return f"page {page}"


registered = app.route("/notes", "GET", callback=listing)
registered_by_keyword = app.put("/notes", callback=listing)


@app.route(["/a", "/b"], method=["GET", "POST"], name="both", cache=True)
def both() -> bytes:
    return b"both"


@app.error(404)
def not_found(error: HTTPError) -> str:
    return f"missing: {error.status_line}"


@app.hook("before_request")
def before() -> None:
    pass


@demijohn.route("/module-level")
def module_level(x: int = 0) -> bytes:
    return bytes(x)


@view("page")
def page(title: str) -> dict[str, str]:
    return {"title": title}


def search_terms() -> FormsDict:
    return demijohn.request.query  # a request property keeps its type (strict mypy refuses to return Any here)


class CountingPlugin:
    """A plugin as a class: install() gives it back as it was given."""

    name = "counting"
    api = 2

    def apply(self, callback: Callable[..., object], route: Route) -> Callable[..., object]:
        return callback


plugin = app.install(CountingPlugin())

checked_show: Callable[[int], str] = show
checked_create: Callable[[], dict[str, int]] = create
checked_listing: Callable[[int], str] = registered
checked_by_keyword: Callable[[int], str] = registered_by_keyword
checked_both: Callable[[], bytes] = both
checked_error: Callable[[HTTPError], str] = not_found
checked_hook: Callable[[], None] = before
checked_module_level: Callable[[int], bytes] = module_level
checked_view: Callable[[str], object] = page
checked_plugin: CountingPlugin = plugin
checked_wsgi: WSGIApplication = app

# Each line is a type error: its ignore is used only while the decorated function keeps its type.
wrong_arguments: Callable[[str], str] = show  # type: ignore[assignment]
wrong_result: Callable[[], str] = create  # type: ignore[assignment]
wrong_listing: Callable[[str], str] = registered  # type: ignore[assignment]
wrong_by_keyword: Callable[[str], str] = registered_by_keyword  # type: ignore[assignment]
wrong_both: Callable[[], str] = both  # type: ignore[assignment]
wrong_error: Callable[[int], str] = not_found  # type: ignore[assignment]
wrong_hook: Callable[[int], None] = before  # type: ignore[assignment]
wrong_module_level: Callable[[str], bytes] = module_level  # type: ignore[assignment]
wrong_view_arguments: Callable[[int], object] = page  # type: ignore[assignment]
wrong_plugin: int = plugin  # type: ignore[assignment]
