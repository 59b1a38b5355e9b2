"""Schemas of a selection's application list, an application's rule outcomes, withdrawal."""

from __future__ import annotations

from openbid.api.schemas.base import MAX_INT, obj
from openbid.stages.screening import STATUSES

_REASON_OR_NULL = {
    "type": ["object", "null"],
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}
VERDICT = {
    "type": ["object", "null"],
    "required": ["passed", "reason"],
    "properties": {
        "passed": {"type": "boolean"},
        "overridden": {"type": "boolean"},
        "reason": {"type": "string"},
    },
}
APPLICATION_ROW = {
    "type": "object",
    "required": ["id", "state", "version", "candidate", "post", "rules_passed", "failed_rules"],
    "properties": {
        "id": {"type": "integer"},
        "state": {"type": "string"},
        "version": {"type": "integer"},
        "submitted_at": {"type": ["string", "null"], "format": "date-time"},
        "candidate": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "post": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "rules_passed": {"type": "boolean"},
        "failed_rules": {"type": "array", "items": {"type": "string"}},
        "verdict": VERDICT,
    },
}
APPLICATION_PAGE = {
    "type": "object",
    "required": ["applications", "page", "pages", "total"],
    "properties": {
        "applications": {"type": "array", "items": APPLICATION_ROW},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
        "total": {"type": "integer"},
        "counts": {"type": "object"},
    },
}
_FILTER_TEXT = {"type": "string", "maxLength": 80, "pattern": "^[^\\u0000]*$"}
APPLICATION_QUERY = {
    "post": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    "state": {"type": "string", "enum": list(STATUSES)},
    "rule": _FILTER_TEXT,
    "q": _FILTER_TEXT,
    "page": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
}
OUTCOME = {
    "type": "object",
    "required": ["rule", "label", "passed", "reason", "legal_basis", "data"],
    "properties": {
        "rule": {"type": "string"},
        "label": {"type": "string"},
        "passed": {"type": "boolean"},
        "reason": _REASON_OR_NULL,
        "legal_basis": {"type": "string"},
        "waived": {"type": "boolean"},
        "data": {"type": "object"},
    },
}
OUTCOMES = {
    "type": "object",
    "required": ["application_id", "source", "rules_passed", "results"],
    "properties": {
        "application_id": {"type": "integer"},
        "source": {"type": "string", "enum": ["verdict", "rules"]},
        "profile_source": {"type": ["string", "null"]},
        "rules_passed": {"type": "boolean"},
        "results": {"type": "array", "items": OUTCOME},
        "verdict": VERDICT,
    },
}
WITHDRAW_REQUEST = obj(
    {
        "confirm": {"type": "boolean"},
        "expected_version": {"type": "integer", "minimum": 1},
    },
    ["confirm"],
)
