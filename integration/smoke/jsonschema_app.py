"""Smoke app for demijohn-jsonschema installed alone: a validated JSON body and the OpenAPI document."""

from demijohn import App
from demijohn_jsonschema import JSONSchemaPlugin, OpenAPIPlugin

app = App()
app.install(JSONSchemaPlugin())
app.install(OpenAPIPlugin(title="Smoke", version="1.0.0"))
ITEM = {"type": "object", "properties": {"name": {"type": "string", "minLength": 1}}, "required": ["name"]}


@app.post("/items", schema=ITEM)
def create(body):
    """Create an item."""
    return {"created": body["name"]}
