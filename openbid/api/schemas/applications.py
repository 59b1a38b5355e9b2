"""Schemas of the application routes still on ``api_route``: an application with its
documents, verdict and scores, and the stages' inputs (verdict, scores). The profile and
conflicts are declared once in ``api/application_schemas.py``.
"""

from __future__ import annotations

from openbid.api.schemas.base import DATE, DATETIME_OR_NULL, obj
from openbid.rules.eligibility import REQUIRED_DOCUMENTS

_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_SCORE = {"type": ["number", "null"]}
APPLICATION = {
    "type": "object",
    "required": [
        "id",
        "state",
        "version",
        "post",
        "selection",
        "documents",
        "screening",
        "scores",
    ],
    "properties": {
        "id": {"type": "integer"},
        "state": {"type": "string"},
        "version": {"type": "integer"},
        "submitted_at": DATETIME_OR_NULL,
        "candidate": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "post": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "unit": {"type": "string"},
            },
        },
        "selection": {
            "type": "object",
            "required": ["id", "title", "state"],
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "state": {"type": "string"},
            },
        },
        "documents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "sha256", "uploaded_at"],
                "properties": {
                    "code": {"type": "string"},
                    "sha256": {"type": "string"},
                    "original_name": {"type": "string"},
                    "uploaded_at": {"type": "string", "format": "date-time"},
                },
            },
        },
        "screening": {
            "type": ["object", "null"],
            "required": ["passed", "reason"],
            "properties": {"passed": {"type": "boolean"}, "reason": {"type": "string"}},
        },
        "scores": {
            "type": "object",
            "required": ["assessment", "interview"],
            "properties": {
                "assessment": {
                    "type": ["object", "null"],
                    "properties": {
                        "assessment_score": _SCORE,
                        "assessment_category": {"type": ["string", "null"]},
                        "assessed_on": _DATE_OR_NULL,
                        "assessment_centre": {"type": "string"},
                        "paper_score": _SCORE,
                        "track_record_score": _SCORE,
                        "health_fit": {"type": ["boolean", "null"]},
                        "psych_fit": {"type": ["boolean", "null"]},
                    },
                },
                "interview": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["member_id", "score"],
                        "properties": {
                            "member_id": {"type": "integer"},
                            "score": {"type": "number"},
                            "notes": {"type": "string"},
                            "submitted_at": {"type": "string", "format": "date-time"},
                        },
                    },
                },
            },
        },
    },
}
APPLICATION_FIELDS = obj({"submit": {"type": "boolean"}})
APPLICATION_UPLOAD = {
    "type": "object",
    "description": (
        "One PDF per required document, each in a file field named by the document's code; "
        "submit=true submits the application once every document is in."
    ),
    "properties": {
        "submit": {"type": "boolean"},
        **{
            code: {"type": "string", "contentMediaType": "application/pdf"}
            for code in REQUIRED_DOCUMENTS
        },
    },
    "additionalProperties": False,
}
_REASON_TEXT = {"type": "string", "maxLength": 2000}
VERDICT_REQUEST = obj(
    {
        "passed": {"type": "boolean"},
        "reason": _REASON_TEXT,
        "expected_version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    },
    ["passed"],
)
_SCORE_VALUE = {"type": "number", "minimum": 0, "maximum": 100}
SCORE_SHAPES = {
    "assessment": obj(
        {
            "score": _SCORE_VALUE,
            "category": {"type": "string", "maxLength": 40},
            "assessed_on": DATE,
            "centre": {"type": "string", "maxLength": 200},
        },
        ["score", "assessed_on", "centre"],
    ),
    "paper": obj({"score": _SCORE_VALUE}, ["score"]),
    "track_record": obj({"score": _SCORE_VALUE}, ["score"]),
    "health": obj({"fit": {"type": "boolean"}}, ["fit"]),
    "psych": obj({"fit": {"type": "boolean"}}, ["fit"]),
    "interview": obj({"score": _SCORE_VALUE, "notes": _REASON_TEXT}, ["score"]),
}
# The union the route documents; the component in the path picks the shape checked.
SCORE_REQUEST = obj(
    {
        name: schema
        for shape in SCORE_SHAPES.values()
        for name, schema in shape["properties"].items()
    }
)
