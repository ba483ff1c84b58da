"""JSON Schema validation for demijohn: validated JSON in, validated JSON out, and an OpenAPI document.

``JSONSchemaPlugin`` validates request bodies (``schema=``), query strings
(``query_schema=``) and responses (``response_schema=``) per route, with validators
compiled once per route by the ``jsonschema`` library; ``openapi(app)`` builds an
OpenAPI 3.1 document from the routes and ``OpenAPIPlugin`` serves it, and with
``docs_path='/docs'`` an interactive page for it (Swagger UI).
"""

from ._docs import SWAGGER_UI_VERSION, DocsPage
from ._openapi import OpenAPIPlugin, openapi, parse_rule
from .plugin import JSONSchemaPlugin
from ._problems import PROBLEM_CONTENT_TYPE
from ._schemas import DRAFTS, SchemaSource

__version__ = "0.1.0"

__all__ = [
    "DRAFTS",
    "DocsPage",
    "JSONSchemaPlugin",
    "OpenAPIPlugin",
    "PROBLEM_CONTENT_TYPE",
    "SWAGGER_UI_VERSION",
    "SchemaSource",
    "__version__",
    "openapi",
    "parse_rule",
]
