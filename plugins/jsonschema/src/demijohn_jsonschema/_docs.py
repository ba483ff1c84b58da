"""Interactive API documentation: a Swagger UI page for the app's OpenAPI document.

By default the page loads Swagger UI from a CDN at a pinned version, with Subresource Integrity
hashes, so a changed file on the CDN is refused by the browser instead of run. With ``assets=``
a folder holding the ``swagger-ui-dist`` npm package's files, the app serves them itself
(offline, or under a policy that allows no third-party origin).

The page has no inline script or style: the start-up script is a file of its own and the
document's URL travels in a ``data-`` attribute, so the page works under the strict
``Content-Security-Policy`` it is served with.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demijohn import App, HTTPError, HTTPResponse, PluginError, html_escape, request, static_file

SWAGGER_UI_VERSION = "5.35.0"
CDN = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}/"
CDN_ORIGIN = "https://cdn.jsdelivr.net"
# sha384 of the files of swagger-ui-dist 5.35.0 as the npm registry ships them (the CDN serves those bytes).
ASSETS = {
    "swagger-ui-bundle.js": "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9",
    "swagger-ui.css": "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
}
INITIALIZER = "swagger-initializer.js"

# Constant, so it is served as a file; the document's URL comes from the page.
INITIALIZER_SCRIPT = """window.addEventListener("load", function () {
  var element = document.getElementById("swagger-ui");
  if (typeof SwaggerUIBundle === "undefined") {
    element.textContent = "Swagger UI could not be loaded (is the CDN reachable from this browser?). " +
      "The OpenAPI document is at " + element.dataset.openapiUrl + "; an app can serve Swagger UI " +
      "itself with OpenAPIPlugin(docs_assets=...).";
    return;
  }
  window.ui = SwaggerUIBundle({
    url: element.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null
  });
});
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{css}"{css_integrity}>
</head>
<body>
<noscript><p>The interactive documentation needs JavaScript. The OpenAPI document is at
<a href="{document}">{document}</a>.</p></noscript>
<div id="swagger-ui" data-openapi-url="{document}"></div>
<script src="{bundle}"{bundle_integrity}></script>
<script src="{initializer}"></script>
</body>
</html>
"""


class DocsPage:
    """Swagger UI for the OpenAPI document at ``document_path``, served at ``path``.

    ``assets`` is None (load Swagger UI from the CDN) or a folder with the files of the
    ``swagger-ui-dist`` npm package (``npm pack swagger-ui-dist``), served below ``path``.
    """

    def __init__(self, path: str, document_path: str, title: str, assets: str | os.PathLike[str] | None = None) -> None:
        if not path.startswith("/") or path == "/" or path.endswith("/"):
            raise PluginError(f"OpenAPIPlugin: docs_path={path!r} must start with '/' and name a page, e.g. '/docs'")
        if path == document_path:
            raise PluginError(f"OpenAPIPlugin: docs_path={path!r} is the path of the document itself; choose another")
        self.path = path
        self.document_path = document_path
        self.title = title
        self.assets = None if assets is None else _checked_folder(Path(assets))
        self.closed = False

    def add_routes(self, app: App) -> None:
        """Add the page, its start-up script and (with a local folder) the assets to ``app``."""
        routes: list[tuple[str, Callable[..., Any]]] = [(self.path, self.page),
                                                        (f"{self.path}/{INITIALIZER}", self.initializer)]
        if self.assets is not None:
            routes.append((f"{self.path}/assets/<name>", self.asset))
        for rule, callback in routes:
            if not any(route.rule == rule and route.callback == callback for route in app.routes):
                app.route(rule, "GET", callback, openapi=False)

    def page(self) -> HTTPResponse:
        """The HTML page, with a ``Content-Security-Policy`` that allows only what it loads."""
        self._check_open()
        base = request.script_name.rstrip("/")
        if self.assets is None:
            css, bundle = CDN + "swagger-ui.css", CDN + "swagger-ui-bundle.js"
            integrity = {name: f' integrity="{value}" crossorigin="anonymous"' for name, value in ASSETS.items()}
        else:
            css, bundle = f"{base}{self.path}/assets/swagger-ui.css", f"{base}{self.path}/assets/swagger-ui-bundle.js"
            integrity = dict.fromkeys(ASSETS, "")
        html = PAGE.format(
            title=html_escape(self.title), document=html_escape(base + self.document_path),
            css=html_escape(css), css_integrity=integrity["swagger-ui.css"],
            bundle=html_escape(bundle), bundle_integrity=integrity["swagger-ui-bundle.js"],
            initializer=html_escape(f"{base}{self.path}/{INITIALIZER}"),
        )
        return HTTPResponse(html, headers={"Content-Type": "text/html; charset=UTF-8",
                                           "Content-Security-Policy": self.content_security_policy()})

    def content_security_policy(self) -> str:
        """The page's policy: scripts and styles from this site (and the CDN), no inline script."""
        origins = "'self'" if self.assets is not None else f"'self' {CDN_ORIGIN}"
        return (f"default-src 'none'; script-src {origins}; style-src {origins}; img-src 'self' data:; "
                "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")

    def initializer(self) -> HTTPResponse:
        """The script that starts Swagger UI on the page."""
        self._check_open()
        return HTTPResponse(INITIALIZER_SCRIPT, headers={"Content-Type": "text/javascript; charset=UTF-8",
                                                         "Cache-Control": "max-age=3600"})

    def asset(self, name: str) -> Any:
        """One of Swagger UI's files from the local folder (only the files the page uses)."""
        self._check_open()
        if name not in ASSETS or self.assets is None:
            raise HTTPError(404, f"Not Found: {name!r} is not one of the documentation page's files.")
        return static_file(name, root=self.assets)

    def _check_open(self) -> None:
        if self.closed:
            raise HTTPError(404, "Not Found: the OpenAPI plugin was uninstalled from this app.")


def _checked_folder(folder: Path) -> Path:
    """The folder, if it holds Swagger UI's files; else a PluginError saying how to get them."""
    missing = [name for name in ASSETS if not (folder / name).is_file()]
    if missing:
        raise PluginError(
            f"OpenAPIPlugin: docs_assets={str(folder)!r} has no {', '.join(missing)}; point it at the files of "
            f"the swagger-ui-dist npm package, e.g. the 'package' folder of `npm pack swagger-ui-dist@{SWAGGER_UI_VERSION}` "
            "unpacked, or leave docs_assets unset to load them from the CDN."
        )
    return folder
