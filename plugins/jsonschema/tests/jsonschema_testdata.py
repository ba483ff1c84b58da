"""Schemas shared by the tests of demijohn-jsonschema."""

from __future__ import annotations

from pathlib import Path

SCHEMAS = Path(__file__).parent / "schemas"

USER_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string", "format": "email"},
        "born": {"type": "string", "format": "date-time"},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}
