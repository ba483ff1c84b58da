"""The WSGI environ keys the framework stores per-request state under, named in one place.

The ``bottle.*`` and ``route.*`` names are Bottle's, kept so that code written for Bottle
(middleware, plugins, the third-party packages) finds what it looks for; the ``demijohn.*``
names are ours. A leaf module: it imports nothing, so every layer may use it.

Plugins read the app, the route and its arguments through ``request.app``,
``request.route`` and ``request.url_args``, and publish per-request values with
:class:`demijohn.RequestSlot`: never through these keys, whose layout may change.
"""

from __future__ import annotations

#: The app answering the request (``request.app``).
APP = "bottle.app"
#: The matched :class:`~demijohn.Route` (``request.route``); ``ROUTE_HANDLE`` is Bottle's older name.
ROUTE = "bottle.route"
ROUTE_HANDLE = "route.handle"
#: The matched route's wildcard values (``request.url_args``).
URL_ARGS = "route.url_args"
#: Prefix of the attributes set on the request (``request.session = ...``): ``bottle.request.ext.session``.
REQUEST_EXT = "bottle.request.ext."
#: Prefix of the request's parsed and cached properties (``bottle.request.query``...).
REQUEST_CACHE = "bottle.request."
#: Set to a true value to make ``request[key] = value`` raise (Bottle's read-only environ).
READONLY = "bottle.request.readonly"
#: The set of request header names the answer depended on (see :mod:`demijohn.vary`).
VARIES = "demijohn.request.varies"

__all__ = ["APP", "READONLY", "REQUEST_CACHE", "REQUEST_EXT", "ROUTE", "ROUTE_HANDLE", "URL_ARGS", "VARIES"]
