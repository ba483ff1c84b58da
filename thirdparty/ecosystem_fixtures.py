"""Route options for the conformance runs of plugin_ecosystem.py that JSON cannot express
(schema objects and classes), loaded with ``--route-config-target``."""

from __future__ import annotations

from typing import Any

from bottle_cerberus import Schema
from marshmallow import Schema as MarshmallowSchema
from marshmallow import fields


class ItemSchema(Schema):
    """A Cerberus schema: a body with a string ``name``."""

    def schema(self) -> dict[str, Any]:
        return {"name": {"type": "string", "required": True}}


class ItemBody(MarshmallowSchema):
    """A marshmallow schema: a body with a string ``name``."""

    name = fields.String(required=True)


CERBERUS_ROUTE = {"schemas": {"body": ItemSchema()}}
MARSHMALLOW_ROUTE = {"schemas": {"body": ItemBody}}
