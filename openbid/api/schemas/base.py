"""The building blocks of the API's schemas: dates, ids, request objects that refuse unknown
fields, NUL characters and integers PostgreSQL cannot hold.
"""

from __future__ import annotations

from typing import Any

DATE = {"type": "string", "format": "date"}
DATETIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
MAX_INT = 2**31 - 1  # PostgreSQL's integer: a larger number cannot even be looked up
ID = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
TEXT = {"type": "string", "minLength": 1, "maxLength": 300}
# No NUL character: PostgreSQL refuses it in text, so it must be refused as input, by name.
NO_NUL = "^[^\\u0000]*$"


def _safe_json(depth: int) -> dict:
    """Return a schema of free-form JSON nested up to depth with no NUL in any string or key."""
    scalars = [{"type": ["boolean", "null", "number"]}, {"type": "string", "pattern": NO_NUL}]
    if depth == 0:
        return {"anyOf": scalars}
    inner = _safe_json(depth - 1)
    nested = {"type": "object", "propertyNames": {"pattern": NO_NUL}, "additionalProperties": inner}
    return {"anyOf": [*scalars, {"type": "array", "items": inner}, nested]}


# Free-form JSON (an event's data): no $ref, which the OpenAPI tools cannot all follow.
SAFE_JSON = _safe_json(3)


def column_text(column: Any, min_length: int = 1) -> dict:
    """Return a string schema as long as a model's column allows (e.g. ``Position.unit``)."""
    length = column.property.columns[0].type.length
    return {"type": "string", "minLength": min_length, "maxLength": length}


def _safe(schema: Any) -> Any:
    """Return a copy of a request schema where no string holds NUL and no integer overflows."""
    if not isinstance(schema, dict):
        return schema
    safe = {key: _safe(value) for key, value in schema.items() if key != "properties"}
    if "properties" in schema:
        safe["properties"] = {name: _safe(value) for name, value in schema["properties"].items()}
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "string" in types and "pattern" not in schema and "enum" not in schema:
        safe["pattern"] = NO_NUL
    if "integer" in types:
        safe.setdefault("maximum", MAX_INT)
        safe.setdefault("minimum", -MAX_INT - 1)
    if "object" in types and "properties" not in schema and "additionalProperties" not in schema:
        safe["propertyNames"] = {"pattern": NO_NUL}
        safe["additionalProperties"] = SAFE_JSON
    return safe


def obj(properties: dict, required: list[str] | None = None) -> dict:
    """Return a request object schema: unknown fields, NUL and overflowing integers refused."""
    return _safe(
        {
            "type": "object",
            "properties": properties,
            "required": required or [],
            "additionalProperties": False,
        }
    )
