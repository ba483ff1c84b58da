"""Query strings: coerced as `query_schema=` declares, validated, passed as `query`."""

from __future__ import annotations

from demijohn import App
from demijohn.testing import Client

QUERY_SCHEMA = {
    "type": "object",
    "properties": {
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "ratio": {"type": "number"},
        "active": {"type": "boolean"},
        "tag": {"type": "array", "items": {"type": "integer"}},
        "q": {"type": "string"},
        "cursor": {"type": ["integer", "null"]},
    },
    "required": ["limit"],
    "additionalProperties": False,
}


def add_search_route(app: App) -> None:
    @app.get("/search", query_schema=QUERY_SCHEMA)
    def search(query):
        return {"query": query}


def test_query_numbers_and_booleans_are_coerced(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search", query={"limit": "5", "ratio": "0.5", "active": "true", "q": "42"})
    assert result.status_code == 200
    assert result.json == {"query": {"limit": 5, "ratio": 0.5, "active": True, "q": "42"}}


def test_query_array_collects_every_occurrence(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search?limit=1&tag=3&tag=4")
    assert result.json == {"query": {"limit": 1, "tag": [3, 4]}}


def test_query_null_in_type_list_accepts_empty_value(app: App, client: Client) -> None:
    add_search_route(app)
    assert client.get("/search?limit=1&cursor=").json == {"query": {"limit": 1, "cursor": None}}
    assert client.get("/search?limit=1&cursor=9").json == {"query": {"limit": 1, "cursor": 9}}


def test_query_value_that_does_not_convert_is_400_problem(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search?limit=ten&active=maybe")
    assert result.status_code == 400
    assert result.headers["Content-Type"] == "application/problem+json"
    assert result.json == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "The query string does not match its schema: 2 violations.",
        "errors": [
            {"pointer": "#/limit", "message": "'ten' is not of type 'integer'"},
            {"pointer": "#/active", "message": "'maybe' is not of type 'boolean'"},
        ],
    }


def test_missing_required_query_parameter_is_400(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search")
    assert result.status_code == 400
    assert result.json["errors"] == [{"pointer": "#", "message": "'limit' is a required property"}]


def test_unknown_query_parameter_is_400_when_schema_forbids_it(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search?limit=1&debug=1")
    assert result.status_code == 400
    assert "'debug' was unexpected" in result.json["errors"][0]["message"]


def test_query_out_of_range_is_400(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search?limit=1000")
    assert result.json["errors"] == [{"pointer": "#/limit", "message": "1000 is greater than the maximum of 100"}]


def test_non_finite_number_is_not_coerced(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search?limit=1&ratio=nan")
    assert result.status_code == 400
    assert result.json["errors"] == [{"pointer": "#/ratio", "message": "'nan' is not of type 'number'"}]


def test_percent_encoded_utf8_query_value_is_decoded(app: App, client: Client) -> None:
    add_search_route(app)
    assert client.get("/search?limit=1&q=caf%C3%A9").json == {"query": {"limit": 1, "q": "café"}}


def test_query_and_body_schemas_combine(app: App, client: Client) -> None:
    @app.post("/items", schema={"type": "object"}, query_schema={"properties": {"dry": {"type": "boolean"}}})
    def create(body, query):
        return {"body": body, "query": query}

    result = client.post("/items?dry=0", json={"a": 1})
    assert result.json == {"body": {"a": 1}, "query": {"dry": False}}


def test_malformed_percent_encoding_in_query_is_400_problem(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search?limit=1&q=%zz")
    assert result.status_code == 400
    assert result.headers["Content-Type"] == "application/problem+json"
    assert result.json == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "Malformed percent-encoding in the query string: '%' must be followed by two hex digits.",
    }


def test_query_that_is_not_utf8_is_400_problem(app: App, client: Client) -> None:
    add_search_route(app)
    result = client.get("/search?limit=1&q=%FF")
    assert result.status_code == 400
    assert result.json["detail"] == "The query string does not decode as UTF-8 after percent-decoding."
