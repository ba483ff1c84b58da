"""The interactive documentation page (Swagger UI) that OpenAPIPlugin serves with docs_path=."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest
from demijohn import App, PluginError
from demijohn.testing import Client
from demijohn_jsonschema import SWAGGER_UI_VERSION, JSONSchemaPlugin, OpenAPIPlugin
from demijohn_jsonschema._docs import ASSETS, CDN

BUNDLE, CSS = "swagger-ui-bundle.js", "swagger-ui.css"


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, and the text inside each <script>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def make_app(**options) -> App:
    app = App()
    app.install(JSONSchemaPlugin())
    app.install(OpenAPIPlugin(title="Shop <API>", **options))

    @app.get("/items", response_schema={"type": "object"})
    def list_items():
        """List the items."""
        return {}

    return app


@pytest.fixture
def assets(tmp_path):
    """A folder shaped like the swagger-ui-dist package (the files' content is not Swagger UI's)."""
    (tmp_path / BUNDLE).write_text("window.SwaggerUIBundle = function () {};")
    (tmp_path / CSS).write_text("body { margin: 0 }")
    (tmp_path / "secret.txt").write_text("not a documentation file")
    return tmp_path


def test_the_docs_page_is_html_that_loads_swagger_ui_from_the_cdn_at_a_pinned_version():
    answer = Client(make_app(docs_path="/docs")).get("/docs")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8"
    page = Elements(answer.text)
    [script_bundle, script_init] = page.all("script")
    [stylesheet] = [link for link in page.all("link") if link.get("rel") == "stylesheet"]
    assert script_bundle["src"] == f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}/{BUNDLE}"
    assert stylesheet["href"] == f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}/{CSS}"
    assert script_bundle["integrity"] == ASSETS[BUNDLE] and stylesheet["integrity"] == ASSETS[CSS]
    assert script_bundle["crossorigin"] == stylesheet["crossorigin"] == "anonymous"
    assert script_init["src"] == "/docs/swagger-initializer.js"
    [root] = [attrs for attrs in page.all("div") if attrs.get("id") == "swagger-ui"]
    assert root["data-openapi-url"] == "/openapi.json"


def test_the_integrity_hashes_are_sha384_digests():
    for name, value in ASSETS.items():
        algorithm, _, digest = value.partition("-")
        assert algorithm == "sha384" and len(base64.b64decode(digest, validate=True)) == 48, name


def test_the_page_has_no_inline_script_style_or_handler_so_a_strict_policy_allows_it():
    answer = Client(make_app(docs_path="/docs")).get("/docs")
    page = Elements(answer.text)
    assert page.script_text == []  # every script is a file
    assert page.all("style") == []
    assert not [attrs for _, attrs in page.tags if "style" in attrs or any(name.startswith("on") for name in attrs)]
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net;" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


def test_the_initializer_is_a_script_file_reading_the_documents_url_from_the_page():
    answer = Client(make_app(docs_path="/docs")).get("/docs/swagger-initializer.js")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/javascript; charset=UTF-8"
    assert "SwaggerUIBundle(" in answer.text and "dataset.openapiUrl" in answer.text
    assert "could not be loaded" in answer.text  # says so when the CDN is out of reach


def test_the_title_is_escaped_in_the_page():
    text = Client(make_app(docs_path="/docs")).get("/docs").text
    assert "<title>Shop &lt;API&gt; · API documentation</title>" in text and "<API>" not in text


def test_the_user_chooses_the_path_of_the_page_and_of_the_document():
    client = Client(make_app(path="/spec.json", docs_path="/reference"))
    page = Elements(client.get("/reference").text)
    assert [attrs["data-openapi-url"] for attrs in page.all("div") if attrs.get("id") == "swagger-ui"] == ["/spec.json"]
    assert client.get("/reference/swagger-initializer.js").status_code == 200
    assert client.get("/docs").status_code == 404


def test_without_docs_path_there_is_no_page():
    client = Client(make_app())
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_the_docs_routes_are_not_in_the_document():
    document = Client(make_app(docs_path="/docs")).get("/openapi.json").json
    assert set(document["paths"]) == {"/items"}


def test_a_mounted_app_refers_to_its_files_below_the_mount_point(assets):
    parent = App()
    parent.mount("/shop/", make_app(docs_path="/docs", docs_assets=assets))
    page = Elements(Client(parent).get("/shop/docs").text)
    assert [attrs["src"] for attrs in page.all("script")] == ["/shop/docs/assets/swagger-ui-bundle.js",
                                                              "/shop/docs/swagger-initializer.js"]
    assert [attrs["data-openapi-url"] for attrs in page.all("div") if attrs.get("id")] == ["/shop/openapi.json"]
    assert Client(parent).get("/shop/docs/assets/swagger-ui.css").text == "body { margin: 0 }"


def test_local_assets_are_served_by_the_app_and_nothing_comes_from_the_cdn(assets):
    client = Client(make_app(docs_path="/docs", docs_assets=str(assets)))
    answer = client.get("/docs")
    assert CDN not in answer.text and "integrity=" not in answer.text
    page = Elements(answer.text)
    assert page.all("script")[0]["src"] == "/docs/assets/swagger-ui-bundle.js"
    assert [link["href"] for link in page.all("link") if link.get("rel") == "stylesheet"] == ["/docs/assets/swagger-ui.css"]
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "cdn.jsdelivr.net" not in policy
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and bundle.text == "window.SwaggerUIBundle = function () {};"
    assert "javascript" in bundle.headers["Content-Type"]


def test_local_mode_serves_only_the_pages_files(assets):
    client = Client(make_app(docs_path="/docs", docs_assets=assets))
    assert client.get("/docs/assets/secret.txt").status_code == 404
    assert client.get("/docs/assets/..%2Fsecret.txt").status_code == 404


def test_a_folder_without_swagger_ui_is_refused_saying_what_is_missing(tmp_path):
    (tmp_path / BUNDLE).write_text("")
    with pytest.raises(PluginError, match=re.escape(CSS) + ".*swagger-ui-dist"):
        OpenAPIPlugin(docs_path="/docs", docs_assets=tmp_path)


@pytest.mark.parametrize("path", ["docs", "/", "/docs/", "/openapi.json"])
def test_a_docs_path_that_names_no_page_of_its_own_is_refused(path):
    with pytest.raises(PluginError, match="docs_path"):
        OpenAPIPlugin(docs_path=path)


def test_docs_assets_without_docs_path_is_refused(assets):
    with pytest.raises(PluginError, match="set docs_path too"):
        OpenAPIPlugin(docs_assets=assets)


def test_after_uninstall_the_page_answers_404_and_installing_again_serves_it(assets):
    app = App()
    plugin = app.install(OpenAPIPlugin(docs_path="/docs", docs_assets=assets))
    client = Client(app)
    app.uninstall(plugin)
    assert [client.get(path).status_code for path in ("/docs", "/docs/swagger-initializer.js",
                                                      "/docs/assets/swagger-ui.css")] == [404, 404, 404]
    app.install(plugin)
    assert client.get("/docs").status_code == 200
    assert sum(route.rule == "/docs" for route in app.routes) == 1
