"""Routes of the JSON API declared with their schemas, so the OpenAPI document cannot drift.

Each view is registered with ``api_route``: its request body schema validates the input
(unknown fields are refused by name), its response schemas go into the OpenAPI 3.1
document served at /api/v1/openapi.json.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import flask
from apispec import APISpec
from flask import Blueprint, Response, current_app, request
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.routing import Map

from openbid.api.declare import (
    ERROR_RESPONSES,
    ETAG_HEADER,
    IF_MATCH,
    RETRY_AFTER_HEADER,
    BadRequestBody,
    ResponseDrift,
)
from openbid.rules.reasons import N_, Reason

__all__ = ["BadRequestBody", "ResponseDrift", "add_operations", "api_route", "check_response"]


@dataclass
class Operation:
    """One documented API operation."""

    rule: str
    method: str
    summary: str
    tag: str
    body: dict | None
    responses: dict[int, tuple[str, dict | None]]
    public: bool
    multipart: dict | None = None
    query: dict[str, dict] = field(default_factory=dict)
    # "read": answers with the selection's ETag; "write": honours If-Match (412 when stale).
    conditional: str | None = None
    endpoint: str = ""


OPERATIONS: list[Operation] = []
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _field_of(error: Any) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def _reason_for(error: Any) -> Reason:
    """Turn a jsonschema error into a sentence a person understands."""
    where = _field_of(error)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - allowed)
        return Reason(
            "body.unknown_fields",
            N_("Unknown field(s): %(fields)s."),
            {"fields": ", ".join(unknown)},
        )
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        name = f"{where}.{missing}" if where else missing
        return Reason("body.required", N_("Field %(field)s is required."), {"field": name})
    if kind == "type":
        return Reason(
            "body.type",
            N_("Field %(field)s must be of type %(type)s."),
            {"field": where or "(body)", "type": str(error.validator_value)},
        )
    if kind == "format":
        return Reason(
            "body.format",
            N_("Field %(field)s must be a %(format)s."),
            {"field": where, "format": str(error.validator_value)},
        )
    if kind == "enum":
        return Reason(
            "body.enum",
            N_("Field %(field)s must be one of: %(values)s."),
            {"field": where, "values": ", ".join(str(v) for v in error.validator_value)},
        )
    if kind in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
        return Reason(
            "body.range",
            N_("Field %(field)s is out of range (%(rule)s %(limit)s)."),
            {"field": where, "rule": kind, "limit": str(error.validator_value)},
        )
    if kind == "pattern":
        return Reason(
            "body.pattern",
            N_("Field %(field)s has the wrong format."),
            {"field": where},
        )
    return Reason("body.invalid", N_("Field %(field)s is not valid."), {"field": where or "(body)"})


def validate_body(schema: dict, data: Any) -> None:
    """Check data against schema.

    :raises BadRequestBody: listing every problem found, unknown fields by name.
    """
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise BadRequestBody([_reason_for(e) for e in errors])


def json_body(schema: dict) -> Any:
    """Return the request's JSON body validated against schema.

    :raises BadRequestBody: 400 when it is not JSON, 422 when it does not fit.
    """
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequestBody(
            [
                Reason(
                    "body.not_json",
                    N_("The request body must be JSON (Content-Type: application/json)."),
                )
            ],
            status=400,
        )
    validate_body(schema, data)
    return data


def check_response(response: Response, responses: dict[int, tuple[str, dict | None]]) -> None:
    """Check a view's JSON answer against the schema documented for its status (tests only),
    so a serialiser and its schema cannot drift apart unnoticed by any test of the route.

    :raises ResponseDrift: naming the status and the first mismatch.
    """
    schema = responses.get(response.status_code, ("", None))[1]
    if schema is None or not response.is_json or "$ref" in schema:
        return
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    error = next(iter(validator.iter_errors(response.get_json())), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise ResponseDrift(f"{response.status_code} at /{where}: {error.message}")


def api_route(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    responses: dict[int, tuple[str, dict | None]],
    body: dict | None = None,
    multipart: dict | None = None,
    public: bool = False,
    query: dict[str, dict] | None = None,
    conditional: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view on bp and document it; a body schema is validated before the view."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            # An operation documented with both bodies takes JSON only when it is sent as JSON.
            if body is not None and (multipart is None or request.is_json):
                kwargs["body"] = json_body(body)
            result = view(*args, **kwargs)
            if current_app.testing:
                check_response(current_app.make_response(result), responses)
            return result

        endpoint = f"{view.__name__}_{method.lower()}"
        # Flask's own registration: flask-smorest's would document the route a second time.
        flask.Blueprint.add_url_rule(
            bp, rule, endpoint=endpoint, view_func=wrapped, methods=[method]
        )
        OPERATIONS.append(
            Operation(
                rule,
                method,
                summary,
                tag,
                body,
                responses,
                public,
                multipart,
                query or {},
                conditional,
                endpoint,
            )
        )
        return wrapped

    return decorator


def _path_params(rule: str) -> tuple[str, list[dict]]:
    params = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        schema = (
            {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
            if converter == "int"
            else {"type": "string"}
        )
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _CONVERTER.sub(replace, rule), params


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")


def _responses(op: Operation) -> dict[str, dict]:
    """Return the operation's documented responses, then the errors every such route may give."""
    responses: dict[str, dict] = {}
    for status, (description, schema) in sorted(op.responses.items()):
        entry: dict[str, Any] = {"description": description}
        if schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        if op.conditional and status < 300:
            entry["headers"] = ETAG_HEADER
        if status == 429:
            entry["headers"] = RETRY_AFTER_HEADER
        responses[str(status)] = entry
    errors = [400, 404, 422] if (op.body or op.multipart) else [404]
    if not op.public:
        errors += [401, 403]
    if op.method != "GET" and not op.public:
        errors += [409, 422]  # 422: the rules refuse it, with or without a body
    if op.conditional == "write":
        errors.append(412)
    for status in errors:
        responses.setdefault(
            str(status),
            {
                "description": ERROR_RESPONSES[status],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
    return responses


def _operation(op: Operation, path: str, params: list[dict]) -> dict[str, Any]:
    """Return the OpenAPI operation object of op, served at path."""
    operation: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": f"{op.method.lower()}_{_slug(path)}",
        "responses": _responses(op),
    }
    if params:
        operation["parameters"] = params
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    if op.multipart is not None:
        content = operation.get("requestBody", {}).get("content", {})
        operation["requestBody"] = {
            "required": True,
            "content": {**content, "multipart/form-data": {"schema": op.multipart}},
        }
    if op.public:
        operation["security"] = []
    return operation


def add_operations(spec: APISpec, url_map: Map, blueprint: str) -> None:
    """Add every operation declared with ``api_route`` to spec, beside flask-smorest's."""
    for op in OPERATIONS:
        path, params = _path_params(op.rule)
        params = [
            {"name": name, "in": "query", "required": False, "schema": schema}
            for name, schema in op.query.items()
        ]
        if op.conditional == "write":
            params.append(IF_MATCH)
        # The rule gives the path and its parameters, as for flask-smorest's own routes.
        rule = next(url_map.iter_rules(f"{blueprint}.{op.endpoint}"))
        spec.path(rule=rule, operations={op.method.lower(): _operation(op, path, params)})
