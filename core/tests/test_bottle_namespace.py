"""Every public name of Bottle 0.13 exists in demijohn (``from bottle import X`` keeps working
after ``install_as_bottle()``), and the Bottle-only names behave as Bottle's.

BOTTLE_NAMES was derived once from ``dir(bottle)`` of Bottle 0.13.4 (names without a
leading underscore) and is kept here: this test never imports Bottle."""

from __future__ import annotations

import json
import warnings

import pytest

import demijohn

BOTTLE_NAMES = """
    AiohttpServer AiohttpUVLoopServer AppEngineServer AppStack AsyncioServerAdapter AutoServer BaseRequest
    BaseResponse BaseTemplate BjoernServer Bottle BottleException BytesIO CGIServer CheetahTemplate
    CherootServer CherryPyServer ConfigDict CookieError DEBUG DictMixin DictProperty DieselServer
    ERROR_PAGE_TEMPLATE EventletServer FapwsServer FileCheckerThread FileUpload FlupFCGIServer FormsDict
    FunctionType GeventServer GunicornServer HTTPError HTTPResponse HTTP_CODES HeaderDict HeaderProperty
    JSONPlugin Jinja2Template LocalRequest LocalResponse MakoTemplate MeinheldServer Morsel MultiDict
    MultipartError NORUN NamedTemporaryFile PasteServer PluginError Request ResourceManager Response Route
    RouteBuildError RouteError RouteReset RouteSyntaxError Router RouterUnknownModeError ServerAdapter
    SimpleCookie SimpleTemplate StplParser StplSyntaxError TEMPLATES TEMPLATE_PATH TemplateError TemplatePlugin
    TornadoServer TwistedServer UTC UrlSplitResult WSGIFileWrapper WSGIHeaderDict WSGIRefServer WaitressServer
    abort app apps auth_basic base64 basestring cached_property calendar callable cheetah_template cheetah_view
    configparser cookie_decode cookie_encode cookie_is_encoded datedate datetime debug default_app delete depr
    email error ext format_exc functools get getargspec getfullargspec hashlib hmac hook html_escape html_quote
    http_date httplib imap install itertools jinja2_template jinja2_view json_dumps json_lds json_loads
    lazy_attribute load load_app local main make_default_app_wrapper makelist mako_template mako_view mimetypes
    mount new_module normalize os parse_auth parse_date parse_range_header patch path_shift pickle post
    print_exc print_function put py py3k re redirect request response route run server_names static_file sys
    tempfile template thread threading time timedelta timezone tob tonat touni unicode uninstall update_wrapper
    url urlencode urljoin urlquote urlunquote view warnings weakref yieldroutes
""".split()

def test_the_list_is_bottles_whole_public_namespace():
    assert len(BOTTLE_NAMES) == len(set(BOTTLE_NAMES)) == 179
    assert not [name for name in BOTTLE_NAMES if name.startswith("_")]


@pytest.mark.parametrize("name", sorted(set(BOTTLE_NAMES)))
def test_demijohn_has_bottles_name(name):
    assert hasattr(demijohn, name), f"demijohn lacks Bottle's public name {name!r}"


def test_from_import_of_every_name_works():
    namespace: dict[str, object] = {}
    names = ", ".join(sorted(set(BOTTLE_NAMES)))
    exec(f"from demijohn import {names}", namespace)  # noqa: S102 - the statement apps write
    assert namespace["Bottle"] is demijohn.App


def test_debug_is_live():
    try:
        demijohn.debug(True)
        assert demijohn.DEBUG is True and demijohn.App.debug_mode is True
        demijohn.debug(False)
        assert demijohn.DEBUG is False and demijohn.App().debug_mode is False
    finally:
        demijohn.debug(False)


def test_python2_helpers_behave_as_bottles():
    assert demijohn.tob("é") == b"\xc3\xa9" and demijohn.tob(b"x") == b"x" and demijohn.tob(None) == b""
    assert demijohn.touni(b"\xc3\xa9") == "é" and demijohn.touni(None) == "" and demijohn.touni(5) == "5"
    assert demijohn.tonat is demijohn.touni
    assert demijohn.py3k is True and demijohn.unicode is str and demijohn.basestring is str
    assert demijohn.imap is map and demijohn.callable is callable
    assert demijohn.getargspec(lambda a, b=1, *c, **d: 0) == (["a", "b"], "c", "d", (1,))


def test_json_helpers():
    assert demijohn.json_dumps is json.dumps and demijohn.json_lds is json.loads
    assert demijohn.json_loads(b'{"a": [1]}') == demijohn.json_loads('{"a": [1]}') == {"a": [1]}


def test_standard_library_re_exports_are_the_real_objects():
    import http.client
    import io
    import os
    from http.cookies import CookieError, SimpleCookie
    from urllib.parse import SplitResult, urlencode

    assert demijohn.BytesIO is io.BytesIO and demijohn.urlencode is urlencode and demijohn.os is os
    assert demijohn.httplib is http.client and demijohn.CookieError is CookieError
    assert demijohn.SimpleCookie is SimpleCookie and demijohn.UrlSplitResult is SplitResult
    assert demijohn.email.utils.formatdate  # Bottle imports email.utils; so does demijohn.email
    assert demijohn.urlunquote("%C3%A9") == "Ã©"  # Bottle's: percent-decoded as latin-1


def test_aliases():
    assert demijohn.Request is demijohn.BaseRequest and demijohn.Response is demijohn.BaseResponse
    assert demijohn.apps is demijohn.app is demijohn.default_app
    assert demijohn.make_default_app_wrapper("get").__name__ == "get"
    assert demijohn.main is __import__("demijohn.cli").cli.main


def test_depr_warns_and_returns_the_warning():
    with pytest.warns(DeprecationWarning, match="Cause: old thing"):
        warning = demijohn.depr(0, 13, "old thing", "use the new one")
    assert isinstance(warning, DeprecationWarning)


def test_deprecated_cookie_helpers_sign_json_and_never_pickle():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        encoded = demijohn.cookie_encode({"a": [1, 2]}, "key")
        assert demijohn.cookie_is_encoded(encoded)
        assert demijohn.cookie_decode(encoded, "key") == {"a": [1, 2]}
        assert demijohn.cookie_decode(encoded, "wrong key") is None
        assert demijohn.cookie_decode(b"!forged?gASVBAAAAAAAAACMAXiULg==", "key") is None
    with pytest.warns(DeprecationWarning):
        demijohn.cookie_encode("x", "key")


def test_re_flatten_makes_groups_non_capturing():
    flatten = demijohn._re_flatten
    assert flatten(r"(a)(?P<n>b)\(c\)(?:d)") == r"(?:a)(?:b)\(c\)(?:d)"
    assert flatten(r"\\(e)") == r"\\(?:e)"  # an escaped backslash, then a group


def test_parse_http_header_splits_values_and_parameters():
    parse = demijohn._parse_http_header
    assert parse('text/html;q=0.9, "a,b";X="y\\"z"') == [("text/html", {"q": "0.9"}), ("a,b", {"x": 'y"z'})]
    assert parse('form-data; filename="C:\\dir\\f.txt"') == [("form-data", {"filename": "C:\\dir\\f.txt"})]


def test_cheetah_adapter_renders_with_bottles_names(tmp_path):
    pytest.importorskip("Cheetah.Template", reason="Cheetah3 is not installed here (it does not install on "
                                                   "Python 3.13); tox -e core installs it where it does")
    (tmp_path / "page.tpl").write_text("Page $title")
    assert demijohn.cheetah_template("Hello $name!", name="World") == "Hello World!"
    assert demijohn.cheetah_template("page", title="one", template_lookup=[str(tmp_path)]) == "Page one"

    @demijohn.cheetah_view("page", template_lookup=[str(tmp_path)])
    def view():
        return {"title": "two"}

    assert view() == "Page two"


def test_cheetah_adapter_without_cheetah_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "Cheetah", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "Cheetah.Template", None)
    with pytest.raises(demijohn.TemplateError, match="pip install Cheetah3"):
        demijohn.CheetahTemplate("Hello $name")
