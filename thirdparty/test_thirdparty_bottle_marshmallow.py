"""bottle-marshmallow 1.0.5: loads a route's JSON body or query string with marshmallow
schemas given as ``schemas={'body': Schema}`` and passes the result to the callback as
``validated``; an invalid request gets a 400 with the errors."""

from __future__ import annotations

from typing import Any

import bottle
from bottle_marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields
from webtest import TestApp


class UserSchema(Schema):
    name = fields.String(required=True)
    age = fields.Integer(required=True)


def make_client() -> TestApp:
    app = bottle.Bottle()
    app.install(MarshmallowPlugin())

    @app.post("/users", schemas={"body": UserSchema})
    def create(validated: dict[str, Any]) -> dict[str, Any]:
        return {"created": validated["body"]}

    return TestApp(app)


def test_a_valid_body_is_loaded_and_given_to_the_callback() -> None:
    answer = make_client().post_json("/users", {"name": "ada", "age": "36"})
    assert answer.json == {"created": {"name": "ada", "age": 36}}


def test_an_invalid_body_gets_a_400_naming_the_fields() -> None:
    answer = make_client().post_json("/users", {"name": "ada"}, status=400)
    assert answer.json == {"errors": {"age": ["Missing data for required field."]}, "validation": "body"}
