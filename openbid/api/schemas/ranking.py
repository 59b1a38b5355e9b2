"""Schemas of the frozen rankings and the three best, and the users a committee is made of."""

from __future__ import annotations

from openbid.api.schemas.base import ID, obj

_REASON = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}
RANKED = {
    "type": "object",
    "required": ["application_id", "name", "rank", "combined", "qualified"],
    "properties": {
        "application_id": {"type": "integer"},
        "name": {"type": "string"},
        "rank": {"type": ["integer", "null"]},
        "combined": {"type": ["string", "null"]},
        "components": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
        "health_fit": {"type": ["boolean", "null"]},
        "psych_fit": {"type": ["boolean", "null"]},
        "qualified": {"type": "boolean"},
        "reasons": {"type": "array", "items": _REASON},
    },
}
FROZEN = {
    "type": ["object", "null"],
    "required": ["revision", "frozen_at", "shortlist", "ranking", "weights"],
    "properties": {
        "revision": {"type": "integer"},
        "frozen_at": {"type": "string", "format": "date-time"},
        "reason": {"type": "string"},
        "weights": {"type": "object"},
        "shortlist": {"type": "array", "items": {"type": "integer"}},
        "ranking": {"type": "array", "items": RANKED},
    },
}
RANKING = {
    "type": "object",
    "required": ["selection_id", "posts"],
    "properties": {
        "selection_id": {"type": "integer"},
        "shortlist_size": {"type": ["integer", "null"]},
        "posts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["position_id", "name", "frozen"],
                "properties": {
                    "position_id": {"type": "integer"},
                    "name": {"type": "string"},
                    "frozen": FROZEN,
                },
            },
        },
    },
}
COMMITTEE_CANDIDATES = {
    "type": "object",
    "required": ["users"],
    "properties": {
        "users": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "email"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                },
            },
        }
    },
}
REVISION_REQUEST = obj({"reason": {"type": "string", "maxLength": 2000}}, ["reason"])
REVISION = {
    "type": "object",
    "required": ["selection_id", "position_id", "frozen"],
    "properties": {
        "selection_id": {"type": "integer"},
        "position_id": {"type": "integer"},
        "frozen": FROZEN,
    },
}
CORRECTION_REQUEST = obj(
    {
        "application_id": ID,
        # Any name: the stage refuses a field it cannot correct, with its reason.
        "field": {"type": "string", "maxLength": 60},
        # A score ("85.5" or 85.5) or, for the fitness fields, a fit/unfit answer.
        "value": {"type": ["string", "number", "boolean"], "maxLength": 20},
        "reason": {"type": "string", "maxLength": 2000},
    },
    ["application_id", "field", "value", "reason"],
)
CORRECTION = {
    "type": "object",
    "required": ["selection_id", "position_id", "application_id", "field", "value"],
    "properties": {
        "selection_id": {"type": "integer"},
        "position_id": {"type": "integer"},
        "application_id": {"type": "integer"},
        "field": {"type": "string"},
        "value": {"type": ["string", "boolean", "null"]},
    },
}
