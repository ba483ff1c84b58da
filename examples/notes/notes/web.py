"""The notes app put together: the plugins, in their order, and the parts of the app.

| module | what it adds |
|---|---|
| ``accounts`` | sign up, log in (throttled), log out |
| ``pages`` | the notes pages and forms, the public page, static files, the favicon |
| ``api`` | the JSON API and the page that explains it |
| ``errors`` | an app page (or problem JSON under ``/api/``) for every error |
"""

from __future__ import annotations

from typing import Any

from demijohn import App
from demijohn_cache import CachePlugin
from demijohn_cache import MemoryBackend as MemoryCache
from demijohn_cache import RedisBackend as RedisCache
from demijohn_jsonschema import JSONSchemaPlugin, OpenAPIPlugin
from demijohn_session import CookieBackend, SessionPlugin
from demijohn_session import RedisBackend as RedisSessions
from demijohn_sqlalchemy import SQLAlchemyPlugin

from .accounts import add_account_pages
from .api import API_INFO, add_api
from .csrf import CSRF
from .errors import add_error_pages
from .models import Base
from .pages import add_note_pages, add_public_pages
from .rendering import Renderer
from .settings import Settings
from .throttle import LoginThrottle, MemoryCounters, RedisCounters

DOCS_PATH = "/docs"


def create_app(settings: Settings) -> App:
    """Build the notes app for ``settings``."""
    app = App()
    if settings.redis_url:
        sessions: Any = RedisSessions(settings.redis_url, prefix=f"{settings.redis_prefix}session:",
                                      secret_or_secrets=settings.secret)
        pages: Any = RedisCache(settings.redis_url, prefix=f"{settings.redis_prefix}cache:")
        # Shared by every worker; on the session store's connections (closed with it).
        counters: Any = RedisCounters(sessions.client, prefix=f"{settings.redis_prefix}throttle:")
    else:
        sessions, pages, counters = CookieBackend(settings.secret), MemoryCache(max_entries=1000), MemoryCounters()
    # The first installed plugin is the outermost: the session wraps everything, the
    # database session wraps validation, so a response that fails its schema is rolled back.
    app.install(SessionPlugin(sessions))
    cache = app.install(CachePlugin(pages, ttl=30))
    database = app.install(SQLAlchemyPlugin(settings.database_url, metadata=Base.metadata, create=True))
    app.install(JSONSchemaPlugin())
    app.install(OpenAPIPlugin(**API_INFO, docs_path=DOCS_PATH, docs_assets=settings.docs_assets))
    throttle = LoginThrottle(counters, per_account=settings.login_limit_account,
                             per_address=settings.login_limit_address, window=settings.login_window)
    csrf = CSRF(settings.secret)
    render = Renderer(csrf, sessions)
    add_account_pages(app, render, csrf, throttle, settings.scrypt_n)
    add_note_pages(app, render, csrf)
    add_public_pages(app, render, cache, database)
    for route in app.routes:  # the OpenAPI document describes the JSON API, not the HTML pages
        if not route.rule.startswith("/api/"):
            route.config.setdefault("openapi", False)
    add_api(app, render, DOCS_PATH)
    add_error_pages(app, render)
    app.config["notes.cache"] = cache
    app.config["notes.database"] = database
    app.config["notes.throttle"] = throttle
    return app
