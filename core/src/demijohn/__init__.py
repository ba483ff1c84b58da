"""demijohn: a fast, small WSGI micro web framework, API-compatible with Bottle 0.13.

``import demijohn as bottle`` runs most Bottle apps unchanged; :func:`install_as_bottle` makes
``import bottle`` give demijohn, for third-party packages written for Bottle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from .app import App, Bottle
from .appstack import (
    AppStack, app, default_app, delete, error, get, hook, install, mount, patch, post, put, route,
    uninstall, url,
)
from .context import LocalRequest, LocalResponse, request, response
from .datastructures import ConfigDict, FormsDict, HeaderDict, MultiDict, WSGIHeaderDict
from .errors import (
    BottleException, DemijohnError, PluginError, RouteBuildError, RouteError, RouteReset,
    RouterUnknownModeError, RouteSyntaxError,
)
from .httputil import (
    HTTP_CODES, html_escape, html_quote, http_date, parse_auth, parse_date, parse_range_header,
    path_shift,
)
from .plugins import JSONPlugin, Plugin
from .answer import materialize
from .plugins import RequestSlot, claim_keyword, route_option
from .request import BaseRequest
from .response import BaseResponse, HeaderProperty, HTTPError, HTTPResponse
from .route import Route, makelist
from .router import Router, yieldroutes
from .shortcuts import abort, redirect
from .state import debug
from .descriptors import DictProperty, cached_property, lazy_attribute
from .templates import (TEMPLATE_ENGINES, TEMPLATE_PATH, TEMPLATES, BaseTemplate, Jinja2Template, MakoTemplate,
                        SimpleTemplate, StplParser, StplSyntaxError, TemplateError, TemplatePlugin, TemplateSourceError,
                        jinja2_template, jinja2_view, mako_template, mako_view, template, view)

# Names whose modules pull in heavy standard-library parts (sockets, mimetypes, tempfile)
# are imported on first use, so ``import demijohn`` stays as quick as Bottle's.
_LAZY = {
    "FileUpload": "multipart", "MultipartError": "multipart", "static_file": "static",
    "ResourceManager": "resources", "auth_basic": "auth", "ext": "ext",
    "CheetahTemplate": "cheetah", "cheetah_template": "cheetah", "cheetah_view": "cheetah",
    "install_as_bottle": "as_bottle", "BottleAlreadyImportedError": "as_bottle",
    "LoadError": "loading", "load": "loading", "load_app": "appstack",
    **dict.fromkeys(("AutoServer", "CherootServer", "GeventServer", "GranianServer", "GunicornServer", "ServerAdapter",
                     "ServerError", "WaitressServer", "WSGIRefServer", "server_names"), "server"),
    "run": "runner",
    **dict.fromkeys(("AiohttpServer", "AiohttpUVLoopServer", "AppEngineServer", "AsyncioServerAdapter", "BjoernServer",
                     "CGIServer", "CherryPyServer", "DieselServer", "EventletServer", "FapwsServer", "FlupFCGIServer",
                     "MeinheldServer", "PasteServer", "TornadoServer", "TwistedServer"), "adapters"),
}


def __getattr__(name: str) -> object:
    if name == "DEBUG":  # read live, never cached here: debug() changes it
        from . import state

        return state.DEBUG
    import importlib

    module = _LAZY.get(name)
    if module is None:
        # Bottle's Python-2 era and standard-library names, from one module (see demijohn.compat)
        compat = importlib.import_module(".compat", __name__)
        if name not in compat.NAMES:
            raise AttributeError(f"module 'demijohn' has no attribute {name!r}")
        value = compat.lookup(name)
    elif module == name:  # a submodule (demijohn.ext)
        value = importlib.import_module(f".{module}", __name__)
    else:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from . import ext
    from .adapters import (AiohttpServer, AiohttpUVLoopServer, AppEngineServer, AsyncioServerAdapter, BjoernServer,
                           CGIServer, CherryPyServer, DieselServer, EventletServer, FapwsServer, FlupFCGIServer,
                           MeinheldServer, PasteServer, TornadoServer, TwistedServer)
    from .as_bottle import BottleAlreadyImportedError, install_as_bottle
    from .auth import auth_basic
    from .cheetah import CheetahTemplate, cheetah_template, cheetah_view
    from .appstack import load_app
    from .loading import LoadError, load
    from .multipart import FileUpload, MultipartError
    from .resources import ResourceManager
    from .server import (AutoServer, CherootServer, GeventServer, GranianServer, GunicornServer, ServerAdapter,
                         ServerError, WaitressServer, WSGIRefServer, server_names)
    from .runner import run
    from .static import static_file

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
    "path_shift", "makelist", "cached_property", "DictProperty", "lazy_attribute", "HeaderProperty",
    "ResourceManager", "auth_basic", "MultipartError", "install_as_bottle", "BottleAlreadyImportedError", "ext",
    "template", "view", "TEMPLATE_PATH", "TEMPLATES", "jinja2_template", "jinja2_view", "BaseTemplate",
    "Jinja2Template", "TemplateError", "TemplatePlugin", "SimpleTemplate", "StplParser", "StplSyntaxError",
    "MakoTemplate", "mako_template", "mako_view",
    "TEMPLATE_ENGINES", "TemplateSourceError", "static_file", "FileUpload",
    "run", "load", "load_app", "LoadError", "ServerAdapter", "ServerError", "server_names", "WSGIRefServer",
    "WaitressServer", "GunicornServer", "CherootServer", "GeventServer", "GranianServer", "AutoServer",
    "AiohttpServer", "AiohttpUVLoopServer", "AppEngineServer", "AsyncioServerAdapter", "BjoernServer", "CGIServer",
    "CherryPyServer", "DieselServer", "EventletServer", "FapwsServer", "FlupFCGIServer", "MeinheldServer",
    "PasteServer", "TornadoServer", "TwistedServer", "RouterUnknownModeError",
    "CheetahTemplate", "cheetah_template", "cheetah_view",
    "materialize", "claim_keyword", "route_option", "RequestSlot",
]
