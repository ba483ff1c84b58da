"""Turning a query string into the dict a ``query_schema`` validates.

Query values are strings; a schema that declares ``"type": "integer"`` (or number,
boolean, null, or an array of those) gets them converted first. The coercion plan is
built once per route from the schema's top-level ``properties``; a value that does not
convert stays a string, so the validator reports it with the schema's own message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

_INTEGER = re.compile(r"[+-]?\d+\Z")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})

Converter = Callable[[str], Any]


def _declared_types(schema: Any) -> list[str]:
    if not isinstance(schema, Mapping):
        return []
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [name for name in declared if isinstance(name, str)]
    return []


def _converter(types: list[str]) -> Converter | None:
    """A function converting one string to the first declared type it fits, or None if strings are fine."""
    if not types or "string" in types:
        return None

    def convert(text: str) -> Any:
        for name in types:
            if name == "integer" and _INTEGER.match(text):
                return int(text)
            if name == "number":
                if _INTEGER.match(text):
                    return int(text)
                try:
                    number = float(text)
                except ValueError:
                    continue
                if math.isfinite(number):
                    return number
            if name == "boolean":
                if text.lower() in _TRUE:
                    return True
                if text.lower() in _FALSE:
                    return False
            if name == "null" and text in ("", "null"):
                return None
        return text

    return convert


class QueryParser:
    """Parses a query string into a dict, coercing values as the schema's ``properties`` declare.

    A property declared as an array collects every occurrence (``?tag=a&tag=b``); any other
    property takes the last occurrence.
    """

    def __init__(self, schema: Any) -> None:
        self.arrays: dict[str, Converter | None] = {}
        self.scalars: dict[str, Converter | None] = {}
        properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
        for name, subschema in properties.items():
            types = _declared_types(subschema)
            if "array" in types:
                items = subschema.get("items", {})
                self.arrays[name] = _converter(_declared_types(items))
            else:
                self.scalars[name] = _converter(types)

    def parse(self, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """``[('limit', '5'), ('tag', 'a'), ('tag', 'b')]`` -> ``{'limit': 5, 'tag': ['a', 'b']}``
        (for a schema declaring ``limit`` an integer and ``tag`` an array)."""
        result: dict[str, Any] = {}
        for name, text in pairs:
            if name in self.arrays:
                convert = self.arrays[name]
                result.setdefault(name, []).append(convert(text) if convert else text)
            else:
                convert = self.scalars.get(name)
                result[name] = convert(text) if convert else text
        return result
