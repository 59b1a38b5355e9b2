"""The building blocks of the API's marshmallow schemas, and their errors as the API's reasons.

A request schema (``Body``) refuses unknown fields by name, a NUL in any string (PostgreSQL
refuses it in text) and integers PostgreSQL cannot hold; its fields are strict about JSON
types (no "5" for 5, no 1 for true). Every validator raises a ``Reason``, so one function
(``reasons_of``) turns marshmallow's nested messages into today's ``body.*`` reason codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from marshmallow import validate

from openbid.i18n import reason_text
from openbid.rules.reasons import N_, Reason

F = TypeVar("F", bound=ma.fields.Field)

MAX_INT = 2**31 - 1  # PostgreSQL's integer: a larger number cannot even be looked up
NO_NUL = "^[^\\u0000]*$"
_JSON_TYPES = {
    ma.fields.Integer: "integer",
    ma.fields.Float: "number",
    ma.fields.Boolean: "boolean",
    ma.fields.List: "array",
    ma.fields.Nested: "object",
    ma.fields.Dict: "object",
    ma.fields.String: "string",
}


def _range_reason(where: str, rule: str, limit: Any) -> Reason:
    return Reason(
        "body.range",
        N_("Field %(field)s is out of range (%(rule)s %(limit)s)."),
        {"field": where, "rule": rule, "limit": str(limit)},
    )


class Range(validate.Range):
    """A number's bounds (documented as minimum/maximum), refused as ``body.range``."""

    def __call__(self, value: Any) -> Any:
        if self.min is not None and value < self.min:
            raise ma.ValidationError([("range", "minimum", self.min)])
        if self.max is not None and value > self.max:
            raise ma.ValidationError([("range", "maximum", self.max)])
        return value


class Length(validate.Length):
    """A string's or list's length (minLength/maxLength), refused as ``body.range``."""

    def __call__(self, value: Any) -> Any:
        kind = "Items" if isinstance(value, list) else "Length"
        if self.min is not None and len(value) < self.min:
            raise ma.ValidationError([("range", f"min{kind}", self.min)])
        if self.max is not None and len(value) > self.max:
            raise ma.ValidationError([("range", f"max{kind}", self.max)])
        return value


class OneOf(validate.OneOf):
    """One of fixed values (documented as enum), refused as ``body.enum``."""

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise ma.ValidationError([("enum", ", ".join(str(c) for c in self.choices), None)])
        return value


class Regexp(validate.Regexp):
    """A pattern (documented as pattern), refused as ``body.pattern``."""

    def __call__(self, value: Any) -> Any:
        if self.regex.match(value) is None:
            raise ma.ValidationError([("pattern", None, None)])
        return value


class Text(ma.fields.String):
    """A string without NUL, within length bounds (1..300 unless told)."""

    def __init__(self, *, min_length: int | None = 1, max_length: int | None = 300, **kw: Any):
        validators = [Regexp(NO_NUL)]
        if min_length is not None or max_length is not None:
            validators.append(Length(min=min_length, max=max_length))
        super().__init__(validate=validators + list(kw.pop("validate", [])), **kw)


class Int(ma.fields.Integer):
    """A JSON integer (not a string, not a float) PostgreSQL can hold."""

    def __init__(self, *, minimum: int = -MAX_INT - 1, maximum: int = MAX_INT, **kw: Any):
        super().__init__(strict=True, validate=[Range(min=minimum, max=maximum)], **kw)


class Id(Int):
    """A database id: 1..2^31-1."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(minimum=1, **kw)


class Bool(ma.fields.Boolean):
    """A JSON true or false, nothing truthy."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        # 1 == True in Python: only a JSON boolean is one.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Body(ma.Schema):
    """A request body: unknown fields refused by name."""

    class Meta:
        unknown = ma.RAISE


class Out(ma.Schema):
    """A response body; loading one back (the tests' drift check) refuses unknown fields."""

    class Meta:
        unknown = ma.RAISE


def _field(schema: ma.Schema | None, name: str) -> ma.fields.Field | None:
    if schema is None:
        return None
    return schema.fields.get(name) or next(
        (f for f in schema.fields.values() if f.data_key == name), None
    )


def _inner_schema(field: ma.fields.Field | None) -> ma.Schema | None:
    if isinstance(field, ma.fields.Nested):
        return field.schema
    if isinstance(field, ma.fields.List):
        return _inner_schema(field.inner)
    return None


def _type_name(field: ma.fields.Field | None) -> str:
    for kind, name in _JSON_TYPES.items():
        if isinstance(field, kind):
            return name
    return "string"


def _reason(where: str, message: Any, field: ma.fields.Field | None) -> Reason:
    """Turn one marshmallow message about where into a reason a person understands."""
    if isinstance(message, tuple):
        kind, rule, limit = message
        if kind == "range":
            return _range_reason(where, rule, limit)
        if kind == "enum":
            return Reason(
                "body.enum",
                N_("Field %(field)s must be one of: %(values)s."),
                {"field": where, "values": rule},
            )
        if kind == "type":
            return Reason(
                "body.type",
                N_("Field %(field)s must be of type %(type)s."),
                {"field": where or "(body)", "type": rule},
            )
        return Reason("body.pattern", N_("Field %(field)s has the wrong format."), {"field": where})
    messages = field.error_messages if field is not None else {}
    if message == messages.get("required"):
        return Reason("body.required", N_("Field %(field)s is required."), {"field": where})
    if message in (messages.get("invalid"), messages.get("null"), messages.get("type")):
        if isinstance(field, (ma.fields.Date, ma.fields.DateTime, ma.fields.Email)):
            kind = {ma.fields.Date: "date", ma.fields.DateTime: "date-time"}.get(type(field))
            return Reason(
                "body.format",
                N_("Field %(field)s must be a %(format)s."),
                {"field": where, "format": kind or "email"},
            )
        return Reason(
            "body.type",
            N_("Field %(field)s must be of type %(type)s."),
            {"field": where or "(body)", "type": _type_name(field)},
        )
    if message == messages.get("too_large"):
        return _range_reason(where, "maximum", MAX_INT)
    return Reason("body.invalid", N_("Field %(field)s is not valid."), {"field": where or "(body)"})


def _walk(messages: Any, schema: ma.Schema | None, path: list[str], out: list, unknown: list):
    """Collect (reason) for each message under path, unknown field names apart."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                _walk(value, None, path, out, unknown)
                continue
            field = _field(schema, str(key)) if schema is not None else None
            if field is None and schema is not None and not isinstance(key, int):
                if value == [schema.error_messages["unknown"]]:
                    unknown.append(".".join([*path, str(key)]))
                    continue
            inner = _inner_schema(field) if field is not None else schema
            if isinstance(value, dict) and field is not None:
                _walk(value, inner, [*path, str(key)], out, unknown)
            elif isinstance(value, dict):
                _walk(value, schema, [*path, str(key)], out, unknown)
            else:
                for message in value:
                    out.append(_reason(".".join([*path, str(key)]), message, field))
        return
    for message in messages:
        out.append(_reason(".".join(path), message, None))


def reasons_of(messages: Any, schema: ma.Schema) -> list[Reason]:
    """Return marshmallow's messages as the API's ``body.*`` reasons, unknown fields first."""
    out: list[Reason] = []
    unknown: list[str] = []
    _walk(messages, schema, [], out, unknown)
    if unknown:
        out.insert(
            0,
            Reason(
                "body.unknown_fields",
                N_("Unknown field(s): %(fields)s."),
                {"fields": ", ".join(sorted(unknown))},
            ),
        )
    return out


def derived(field: F, getter: Callable[[Any], Any]) -> F:
    """Return field, dumping getter(obj) instead of an attribute (documented as field's type)."""

    def get_value(obj: Any, attr: str, accessor: Any = None, default: Any = ma.missing) -> Any:
        return getter(obj)

    field.get_value = get_value  # type: ignore[method-assign]
    return field


class ReasonSchema(Out):
    """A reason as the API shows it: its stable code and its sentence in the caller's language."""

    code = ma.fields.String(required=True)
    message = derived(ma.fields.String(required=True), reason_text)


def _safe_json_schema(depth: int) -> dict:
    """Return a schema of free-form JSON nested up to depth with no NUL in any string."""
    scalars = [{"type": ["boolean", "null", "number"]}, {"type": "string", "pattern": NO_NUL}]
    if depth == 0:
        return {"anyOf": scalars}
    inner = _safe_json_schema(depth - 1)
    nested = {"type": "object", "additionalProperties": inner}
    return {"anyOf": [*scalars, {"type": "array", "items": inner}, nested]}


def _no_nul(value: Any, depth: int) -> bool:
    """Return whether value is JSON nested at most depth deep with no NUL in a string or key."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return depth > 0 and all(_no_nul(v, depth - 1) for v in value)
    if isinstance(value, dict):
        return depth > 0 and all(_no_nul(k, 0) and _no_nul(v, depth - 1) for k, v in value.items())
    return True


class FreeJson(ma.fields.Dict):
    """A JSON object of free form (an event's data): at most max_properties keys, nested three
    deep, no NUL anywhere (PostgreSQL's jsonb refuses it)."""

    def __init__(self, *, max_properties: int = 20, **kw: Any) -> None:
        self.max_properties = max_properties
        metadata = {
            "maxProperties": max_properties,
            "additionalProperties": _safe_json_schema(3),
            **kw.pop("metadata", {}),
        }
        super().__init__(keys=ma.fields.String(), metadata=metadata, **kw)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        if len(value) > self.max_properties:
            raise ma.ValidationError([("range", "maxProperties", self.max_properties)])
        if not _no_nul(value, 4):
            raise ma.ValidationError([("pattern", None, None)])
        return value


class OneOfTypes(ma.fields.Raw):
    """A JSON value of one of a few types (e.g. a score as "85.5", 85.5 or a fit answer true);
    strings without NUL and at most max_length long."""

    _CHECKS = {
        "string": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }

    def __init__(self, types: list[str], *, max_length: int | None = None, **kw: Any) -> None:
        self.types = types
        self.max_length = max_length
        # apispec adds "null" itself to the type of a field that allows None.
        documented = [t for t in types if t != "null"]
        metadata = {"type": documented, **({"maxLength": max_length} if max_length else {})}
        super().__init__(metadata={**metadata, **kw.pop("metadata", {})}, **kw)
        self.allow_none = "null" in types

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not any(self._CHECKS[t](value) for t in self.types):
            raise ma.ValidationError([("type", ", ".join(self.types), None)])
        if isinstance(value, str):
            if "\x00" in value:
                raise ma.ValidationError([("pattern", None, None)])
            if self.max_length is not None and len(value) > self.max_length:
                raise ma.ValidationError([("range", "maxLength", self.max_length)])
        return value


class Number(ma.fields.Float):
    """A JSON number (not a string, not a boolean), loaded as sent (5 stays 5)."""

    def __init__(self, *, minimum: float | None = None, maximum: float | None = None, **kw):
        bounds = [Range(min=minimum, max=maximum)] if minimum is not None or maximum else []
        super().__init__(validate=bounds, **kw)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return value
