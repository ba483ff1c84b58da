"""The one proxy policy: by default no ``X-Forwarded-*`` header is trusted; with
``proxy.trusted_hops`` the client is read from the right of ``X-Forwarded-For``, the scheme
only as http/https, and every user of the request identity (``remote_addr``,
``remote_route``, ``scheme``, ``host``, ``url``, ``redirect()``) agrees."""

from __future__ import annotations

from typing import Any

import pytest

from demijohn import App, redirect, request
from demijohn.proxy import ProxyPolicy
from demijohn.testing import Client

FORGED = {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "javascript", "X-Forwarded-Host": "evil.example"}


def identity_app(**config: Any) -> App:
    app = App()
    app.config.update(config)

    @app.get("/who")
    def who() -> dict[str, Any]:
        return {"addr": request.remote_addr, "route": request.remote_route, "scheme": request.scheme,
                "host": request.host, "url": request.url}

    @app.get("/go")
    def go() -> None:
        redirect("/there")

    return app


def who(app: App, headers: dict[str, str], remote: str = "10.0.0.1") -> dict[str, Any]:
    return Client(app).get("/who", headers=headers, environ={"REMOTE_ADDR": remote}).json


def test_by_default_no_forwarded_header_is_trusted() -> None:
    seen = who(identity_app(), FORGED)
    assert seen == {"addr": "10.0.0.1", "route": ["10.0.0.1"], "scheme": "http", "host": "localhost",
                    "url": "http://localhost/who"}


def test_by_default_redirect_ignores_a_forged_forwarded_host_and_proto() -> None:
    answer = Client(identity_app()).get("/go", headers=FORGED)
    assert answer.headers["Location"] == "http://localhost/there"


def test_one_trusted_proxy_takes_the_client_from_the_right_of_x_forwarded_for() -> None:
    app = identity_app(**{"proxy.trusted_hops": 1})
    seen = who(app, {"X-Forwarded-For": "6.6.6.6, 1.2.3.4"})  # the client wrote 6.6.6.6, nginx appended 1.2.3.4
    assert (seen["addr"], seen["route"]) == ("1.2.3.4", ["1.2.3.4"])


def test_two_trusted_proxies_count_two_hops_from_the_right() -> None:
    app = identity_app(**{"proxy.trusted_hops": 2})
    seen = who(app, {"X-Forwarded-For": "6.6.6.6, 1.2.3.4, 10.0.0.9"})
    assert (seen["addr"], seen["route"]) == ("1.2.3.4", ["1.2.3.4", "10.0.0.9"])


def test_fewer_entries_than_trusted_proxies_means_the_header_is_not_trusted() -> None:
    app = identity_app(**{"proxy.trusted_hops": 2})
    assert who(app, {"X-Forwarded-For": "6.6.6.6"})["addr"] == "10.0.0.1"


def test_a_trusted_proxy_sets_the_scheme_but_only_http_or_https() -> None:
    app = identity_app(**{"proxy.trusted_hops": 1})
    assert who(app, {"X-Forwarded-Proto": "https"})["url"] == "https://localhost/who"
    for hostile in ("javascript", "https://evil", "ftp", ""):
        assert who(app, {"X-Forwarded-Proto": hostile})["scheme"] == "http"


def test_x_forwarded_host_is_trusted_only_when_listed_in_proxy_headers() -> None:
    assert who(identity_app(**{"proxy.trusted_hops": 1}), FORGED)["host"] == "localhost"
    app = identity_app(**{"proxy.trusted_hops": 1, "proxy.headers": "for, proto, host"})
    assert who(app, {"X-Forwarded-Host": "public.example"})["url"] == "http://public.example/who"
    answer = Client(app).get("/go", headers={"X-Forwarded-Host": "public.example", "X-Forwarded-Proto": "https"})
    assert answer.headers["Location"] == "https://public.example/there"


@pytest.mark.parametrize("hostile", ["evil.example/path", "a@evil.example", "evil example", "evil.example:99999x"])
def test_a_malformed_forwarded_host_is_ignored(hostile: str) -> None:
    app = identity_app(**{"proxy.trusted_hops": 1, "proxy.headers": ["X-Forwarded-Host"]})
    assert who(app, {"X-Forwarded-Host": hostile})["host"] == "localhost"


def test_proxy_headers_leaves_out_what_it_does_not_name() -> None:
    app = identity_app(**{"proxy.trusted_hops": 1, "proxy.headers": ["host"]})
    seen = who(app, {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "a.example"})
    assert (seen["addr"], seen["scheme"], seen["host"]) == ("10.0.0.1", "http", "a.example")


def test_trusting_all_hops_restores_bottles_behaviour() -> None:
    app = identity_app(**{"proxy.trusted_hops": "all", "proxy.headers": "for proto host"})
    seen = who(app, {"X-Forwarded-For": "1.2.3.4, 2.3.4.5", "X-Forwarded-Host": "example.com",
                     "X-Forwarded-Proto": "https"})
    assert seen["route"] == ["1.2.3.4", "2.3.4.5"] and seen["url"] == "https://example.com/who"


@pytest.mark.parametrize(("key", "value"), [("proxy.trusted_hops", -1), ("proxy.trusted_hops", "some"),
                                            ("proxy.trusted_hops", True), ("proxy.headers", "for, cookie")])
def test_a_wrong_proxy_setting_is_refused_when_it_is_set(key: str, value: Any) -> None:
    with pytest.raises(ValueError, match=key):
        App().config[key] = value


def test_a_number_of_hops_from_a_config_file_is_read_as_a_number() -> None:
    app = App()
    app.config["proxy.trusted_hops"] = "2"
    assert app.config["proxy.trusted_hops"] == 2


def test_the_policy_works_on_a_bare_environ() -> None:
    policy = ProxyPolicy(trusted_hops=1, headers=frozenset({"for", "proto", "host"}))
    environ = {"HTTP_X_FORWARDED_FOR": "1.2.3.4", "HTTP_X_FORWARDED_PROTO": "HTTPS", "HTTP_X_FORWARDED_HOST": "a.b",
               "REMOTE_ADDR": "10.0.0.1"}
    assert (policy.client_route(environ), policy.scheme(environ), policy.host(environ)) == (["1.2.3.4"], "https", "a.b")


@pytest.mark.parametrize("environ", [
    {"HTTP_HOST": "a.example:8080", "wsgi.url_scheme": "https"},
    {"HTTP_HOST": "", "SERVER_NAME": "srv", "SERVER_PORT": "8080", "wsgi.url_scheme": "http"},
    {"SERVER_NAME": "srv", "SERVER_PORT": "80"},
])
def test_origin_of_is_request_scheme_and_host(environ):
    from demijohn.proxy import origin_of
    from demijohn.request import BaseRequest

    request = BaseRequest(environ)
    assert origin_of(environ) == (request.scheme, request.host)
