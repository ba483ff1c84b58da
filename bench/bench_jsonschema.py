"""Validation cost per request of demijohn-jsonschema, and the gain of compiling once.

Run with the plugin's environment (demijohn, demijohn-jsonschema and jsonschema installed):

    python bench/bench_jsonschema.py [--quick]

It validates one realistic request body (an order: customer with email format,
10 line items with patterns and bounds, an address by $ref, a date-time) and prints
microseconds per validation for:

1. ``jsonschema.validate(body, schema)``: no pre-compiling; checks the schema against
   the metaschema and builds a validator on every call (what a hand-written route does);
2. a validator built per call without the schema check;
3. the validator compiled once, as JSONSchemaPlugin does at apply time;

then the cost of a whole POST through a demijohn app with ``schema=`` against the same
route without it, both called in-process through the WSGI interface. Times are CPU
time per call, best of 7 runs.
"""

from __future__ import annotations

import io
import json
import sys
import time
import timeit
from importlib.metadata import version
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator

ORDER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^ord_[a-z0-9]{12}$"},
        "customer": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "email": {"type": "string", "format": "email"},
                "phone": {"type": ["string", "null"], "pattern": "^\\+?[0-9 ]{6,20}$"},
            },
            "required": ["name", "email"],
            "additionalProperties": False,
        },
        "shipping": {"$ref": "#/$defs/address"},
        "billing": {"$ref": "#/$defs/address"},
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 999},
                    "unit_price": {"type": "number", "exclusiveMinimum": 0},
                    "gift": {"type": "boolean"},
                },
                "required": ["sku", "quantity", "unit_price"],
                "additionalProperties": False,
            },
        },
        "currency": {"enum": ["EUR", "USD", "GBP"]},
        "placed_at": {"type": "string", "format": "date-time"},
        "notes": {"type": "string", "maxLength": 2000},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
    "required": ["id", "customer", "shipping", "items", "currency", "placed_at"],
    "additionalProperties": False,
    "$defs": {
        "address": {
            "type": "object",
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string"},
                "postcode": {"type": "string", "pattern": "^[0-9A-Z -]{3,10}$"},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            },
            "required": ["street", "city", "postcode", "country"],
            "additionalProperties": False,
        }
    },
}

ADDRESS = {"street": "1 rue de la Paix", "city": "Paris", "postcode": "75002", "country": "FR"}
ORDER: dict[str, Any] = {
    "id": "ord_abcdef123456",
    "customer": {"name": "Ada Lovelace", "email": "ada@example.org", "phone": "+44 20 7946 0000"},
    "shipping": ADDRESS,
    "billing": ADDRESS,
    "items": [
        {"sku": f"ABC-{1000 + n}", "quantity": n + 1, "unit_price": 9.5 + n, "gift": n % 2 == 0}
        for n in range(10)
    ],
    "currency": "EUR",
    "placed_at": "2026-11-21T12:30:00Z",
    "notes": "Leave at the door.",
    "tags": ["priority", "fragile"],
}
BODY = json.dumps(ORDER).encode()
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


def per_call_us(function: Any, number: int, repeat: int = 7) -> float:
    """Best of ``repeat`` runs, in microseconds of CPU time per call.

    CPU time, not wall-clock time, so other processes sharing the machine's cores do not
    count (this runs on shared development machines).
    """
    timings = timeit.repeat(function, number=number, repeat=repeat, timer=time.process_time)
    return min(timings) / number * 1e6


def validate_without_precompiling() -> None:
    jsonschema.validate(ORDER, ORDER_SCHEMA, format_checker=FORMAT_CHECKER)


def build_validator_per_call() -> None:
    validator = Draft202012Validator(ORDER_SCHEMA, format_checker=FORMAT_CHECKER)
    if list(validator.iter_errors(ORDER)):
        raise AssertionError("the benchmark body must be valid")


COMPILED = Draft202012Validator(ORDER_SCHEMA, format_checker=FORMAT_CHECKER)


def validate_precompiled() -> None:
    # What JSONSchemaPlugin does per request: every error is collected, so iter_errors.
    if list(COMPILED.iter_errors(ORDER)):
        raise AssertionError("the benchmark body must be valid")


def make_app() -> Any:
    from demijohn import App, request
    from demijohn_jsonschema import JSONSchemaPlugin

    app = App()
    app.install(JSONSchemaPlugin())

    @app.post("/validated", schema=ORDER_SCHEMA)
    def validated(body: Any) -> str:
        return body["id"]

    @app.post("/plain")
    def plain() -> str:
        return request.json["id"]  # parse the body too, so only validation differs

    return app


def make_request(app: Any, path: str) -> Any:
    base = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "bench",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(BODY)),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    def call() -> None:
        environ = dict(base, **{"wsgi.input": io.BytesIO(BODY)})
        b"".join(app(environ, start_response))

    call()
    if not statuses or not statuses[0].startswith("200"):
        raise SystemExit(f"{path} answered {statuses[:1]}, expected 200: is the core installed?")
    return call


def main() -> None:
    quick = "--quick" in sys.argv
    scale = 10 if quick else 1
    print(f"jsonschema {version('jsonschema')}")
    print(f"python {sys.version.split()[0]}; body {len(BODY)} bytes, 10 line items\n")

    rows = [
        ("jsonschema.validate() per call (no pre-compiling)", per_call_us(validate_without_precompiling, 200 // scale)),
        ("validator built per call, no schema check", per_call_us(build_validator_per_call, 2000 // scale)),
        ("validator compiled once (the plugin)", per_call_us(validate_precompiled, 2000 // scale)),
    ]
    for label, micros in rows:
        print(f"{label:<52} {micros:9.1f} us/validation")
    print(f"{'gain of compiling once vs jsonschema.validate()':<52} {rows[0][1] / rows[2][1]:9.1f} x\n")

    try:
        app = make_app()
    except ImportError as error:
        print(f"(end-to-end part skipped: {error})")
        return
    plain = per_call_us(make_request(app, "/plain"), 2000 // scale)
    validated = per_call_us(make_request(app, "/validated"), 2000 // scale)
    print(f"{'POST without schema= (parse only)':<52} {plain:9.1f} us/request")
    print(f"{'POST with schema= (parse + validate)':<52} {validated:9.1f} us/request")
    print(f"{'validation cost per request':<52} {validated - plain:9.1f} us/request")


if __name__ == "__main__":
    main()
