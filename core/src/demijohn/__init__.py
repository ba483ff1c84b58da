"""demijohn: a fast, small WSGI micro web framework, API-compatible with Bottle 0.13.

``import demijohn as bottle`` runs most Bottle apps unchanged.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .app import App, Bottle, debug
from .appstack import (
    AppStack, app, default_app, delete, error, get, hook, install, mount, patch, post, put, route,
    uninstall, url,
)
from .context import LocalRequest, LocalResponse, request, response
from .datastructures import ConfigDict, FormsDict, HeaderDict, MultiDict, WSGIHeaderDict
from .errors import (
    BottleException, DemijohnError, PluginError, RouteBuildError, RouteError, RouteReset,
    RouteSyntaxError,
)
from .httputil import (
    HTTP_CODES, html_escape, html_quote, http_date, parse_auth, parse_date, parse_range_header,
    path_shift,
)
from .plugins import JSONPlugin, Plugin
from .request import BaseRequest
from .response import BaseResponse, HTTPError, HTTPResponse, abort, redirect
from .route import Route
from .routing import Router, yieldroutes
from .util import DictProperty, cached_property, makelist
from .multipart import FileUpload
from .static import static_file
from .templates import (TEMPLATE_PATH, TEMPLATES, BaseTemplate, Jinja2Template, TemplateError, TemplatePlugin,
                        jinja2_template, jinja2_view, template, view)
from .loading import LoadError, load, load_app
from .server import (AutoServer, CherootServer, GeventServer, GunicornServer, ServerAdapter, ServerError,
                     WaitressServer, WSGIRefServer, run, server_names)

__all__ = [
    "__version__",
    "App", "Bottle", "debug", "AppStack", "app", "default_app",
    "route", "get", "post", "put", "patch", "delete", "error", "mount", "hook", "install", "uninstall", "url",
    "LocalRequest", "LocalResponse", "request", "response", "BaseRequest", "BaseResponse",
    "HTTPResponse", "HTTPError", "abort", "redirect",
    "ConfigDict", "MultiDict", "FormsDict", "HeaderDict", "WSGIHeaderDict",
    "BottleException", "DemijohnError", "RouteError", "RouteReset", "RouteSyntaxError", "RouteBuildError",
    "PluginError", "Plugin", "JSONPlugin", "Route", "Router", "yieldroutes",
    "HTTP_CODES", "parse_auth", "parse_date", "http_date", "parse_range_header", "html_escape", "html_quote",
    "path_shift", "makelist", "cached_property", "DictProperty",
    "template", "view", "TEMPLATE_PATH", "TEMPLATES", "jinja2_template", "jinja2_view", "BaseTemplate",
    "Jinja2Template", "TemplateError", "TemplatePlugin", "static_file", "FileUpload",
    "run", "load", "load_app", "LoadError", "ServerAdapter", "ServerError", "server_names", "WSGIRefServer",
    "WaitressServer", "GunicornServer", "CherootServer", "GeventServer", "AutoServer",
]
