"""JSON schemas of the API's bodies and responses (JSON Schema 2020-12, as OpenAPI 3.1)."""

from __future__ import annotations

from typing import Any

from openbid.models import CommitteeMember, Position, Selection
from openbid.rules.eligibility import REQUIRED_DOCUMENTS

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


TOKEN_REQUEST = obj(
    {
        "email": {"type": "string", "minLength": 3, "maxLength": 254},
        "password": {"type": "string", "minLength": 1, "maxLength": 200},
    },
    ["email", "password"],
)
TOKEN = {
    "type": "object",
    "required": ["token", "expires_at"],
    "properties": {
        "token": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}

REASON = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}
EVENT = {
    "type": "object",
    "required": ["name", "label", "enabled", "reasons", "requires"],
    "properties": {
        "name": {"type": "string"},
        "label": {"type": "string"},
        "enabled": {"type": "boolean"},
        "reasons": {"type": "array", "items": REASON},
        "requires": {"type": "array", "items": {"type": "string"}},
    },
}
POSITION = {
    "type": "object",
    "required": ["id", "name", "unit", "level", "min_rank", "dropped"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "unit": {"type": "string"},
        "level": {"type": "integer"},
        "min_rank": {"type": "string"},
        "requirements": {"type": "string"},
        "competencies": {"type": "string"},
        "dropped": {"type": "boolean"},
        "drop_reason": {"type": "string"},
    },
}
MEMBER = {
    "type": "object",
    "required": [
        "id",
        "user_id",
        "name",
        "committee_role",
        "is_internal",
        "position_title",
        "position_level",
    ],
    "properties": {
        "id": {"type": "integer"},
        "user_id": {"type": "integer"},
        "name": {"type": "string"},
        "committee_role": {"type": "string", "enum": ["chair", "secretary", "member"]},
        "is_internal": {"type": "boolean"},
        "position_title": {"type": "string"},
        "institution": {"type": "string"},
        "position_level": {"type": "integer"},
        "is_bkn_official": {"type": "boolean"},
    },
}
SELECTION = {
    "type": "object",
    "required": ["id", "title", "year", "state", "version", "workflow", "positions", "events"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "year": {"type": "integer"},
        "start_date": DATE,
        "state": {"type": "string"},
        "version": {"type": "integer"},
        "agency": {"type": "string"},
        "workflow": {
            "type": "object",
            "required": ["key", "version"],
            "properties": {
                "key": {"type": "string"},
                "version": {"type": "integer"},
                "title": {"type": "string"},
            },
        },
        "registration_opens_at": DATETIME_OR_NULL,
        "registration_closes_at": DATETIME_OR_NULL,
        "positions": {"type": "array", "items": POSITION},
        "committee": {"type": "array", "items": MEMBER},
        "events": {"type": "array", "items": EVENT},
    },
}
SELECTION_SUMMARY = {
    "type": "object",
    "required": ["id", "title", "year", "state", "workflow"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "year": {"type": "integer"},
        "state": {"type": "string"},
        "workflow": SELECTION["properties"]["workflow"],
    },
}
SELECTION_LIST = {
    "type": "object",
    "required": ["selections"],
    "properties": {"selections": {"type": "array", "items": SELECTION_SUMMARY}},
}
SELECTION_CREATE = obj(
    {
        "title": column_text(Selection.title),
        "start_date": DATE,
        "workflow_key": {"type": "string", "enum": ["jpt-pratama-kasn", "jpt-pratama-bkn"]},
    },
    ["title", "start_date"],
)
EVENT_REQUEST = obj(
    {
        "event": {"type": "string", "minLength": 1, "maxLength": 80},
        "data": {"type": "object", "maxProperties": 20},
        "expected_version": {"type": "integer", "minimum": 1},
    },
    ["event"],
)
POSITION_CREATE = obj(
    {
        "name": column_text(Position.name),
        "unit": column_text(Position.unit),
        "level": {"type": "integer", "minimum": 0, "maximum": 4},
        "min_rank": {"type": "string", "pattern": "^(I|II|III|IV)/[a-e]$"},
        "requirements": {"type": "string", "maxLength": 5000},
        "competencies": {"type": "string", "maxLength": 5000},
    },
    ["name", "unit"],
)
MEMBER_CREATE = obj(
    {
        "user_id": ID,
        "committee_role": {"type": "string", "enum": ["chair", "secretary", "member"]},
        "is_internal": {"type": "boolean"},
        "position_title": column_text(CommitteeMember.position_title),
        "position_level": {"type": "integer", "minimum": 0, "maximum": 4},
        "institution": column_text(CommitteeMember.institution, min_length=0),
        "is_bkn_official": {"type": "boolean"},
    },
    ["user_id", "committee_role", "is_internal", "position_title", "position_level"],
)
AUDIT_EVENT = {
    "type": "object",
    "required": ["id", "seq", "occurred_at", "actor", "event", "hash", "prev_hash"],
    "properties": {
        "id": {"type": "integer"},
        "seq": {"type": "integer"},
        "occurred_at": {"type": "string", "format": "date-time"},
        "actor": {"type": "string"},
        "actor_role": {"type": "string"},
        "event": {"type": "string"},
        "subject_type": {"type": "string"},
        "subject_id": {"type": ["integer", "null"]},
        "from_state": {"type": ["string", "null"]},
        "to_state": {"type": ["string", "null"]},
        "payload": {"type": "object"},
        "prev_hash": {"type": "string"},
        "hash": {"type": "string"},
    },
}
AUDIT = {
    "type": "object",
    "required": ["chain", "intact", "events"],
    "properties": {
        "chain": {"type": "string"},
        "intact": {"type": "boolean"},
        "problem": {"type": ["string", "null"]},
        "final_hash": {"type": "string"},
        "events": {"type": "array", "items": AUDIT_EVENT},
    },
}

# --- profile, applications and the stages' inputs --------------------------------------

_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_SHORT = {"type": "string", "maxLength": 200}
PROFILE_REQUEST = obj(
    {
        "name": {"type": "string", "maxLength": 200},
        "nip": {"type": "string", "maxLength": 30},
        "birth_place": {"type": "string", "maxLength": 120},
        "phone": {"type": "string", "maxLength": 40},
        "rank": {"type": "string", "maxLength": 10},
        "education": {"type": "string", "maxLength": 10},
        "education_major": _SHORT,
        "is_pns": {"type": "boolean"},
        "agency_name": _SHORT,
        "current_position": _SHORT,
        "current_position_since": DATE,
        "related_experience_years": {"type": "number", "minimum": 0, "maximum": 50},
        "history": {
            "type": "array",
            "maxItems": 20,
            "items": obj(
                {
                    "position": _SHORT,
                    "level": {"type": "string", "enum": ["administrator", "ahli_madya", "other"]},
                    "start": DATE,
                    "end": _DATE_OR_NULL,
                },
                ["position", "level", "start"],
            ),
        },
        "ratings": {
            "type": "array",
            "maxItems": 10,
            "items": obj(
                {
                    "year": {"type": "integer", "minimum": 1950, "maximum": 2100},
                    "rating": {"type": "string", "maxLength": 40},
                },
                ["year", "rating"],
            ),
        },
        "sanction_level": {"type": "string", "maxLength": 20},
        "sanction_date": _DATE_OR_NULL,
        "under_disciplinary_examination": {"type": "boolean"},
        "lhkpn_lodged": {"type": "boolean"},
        "own_ppk_approval": {"type": "boolean"},
    },
    [
        "name",
        "nip",
        "birth_place",
        "phone",
        "rank",
        "education",
        "agency_name",
        "current_position",
        "current_position_since",
        "related_experience_years",
    ],
)
PROFILE = {
    "type": "object",
    "required": ["name", "nip", "birth_date", "rank", "education"],
    "properties": {
        **PROFILE_REQUEST["properties"],
        "birth_date": DATE,
        "gender": {"type": "string"},
        "admin_years": {"type": "number"},
        "education_major": {"type": "string"},
        "history": {"type": "array", "items": {"type": "object"}},
        "ratings": {"type": "array", "items": {"type": "object"}},
    },
}
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
CONFLICT_REQUEST = obj(
    {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}}, ["reason"]
)
CONFLICT = {
    "type": "object",
    "required": ["id", "member_id", "application_id", "reason", "declared_at"],
    "properties": {
        "id": {"type": "integer"},
        "member_id": {"type": "integer"},
        "application_id": {"type": "integer"},
        "reason": {"type": "string"},
        "declared_at": {"type": "string", "format": "date-time"},
    },
}
APPROVAL_REQUEST = obj(
    {
        "purpose": {
            "type": "string",
            "enum": ["gate", "extension", "result_recommendation", "shortlist_override"],
        },
        "gate": {"type": "string", "minLength": 1, "maxLength": 60},
        "position_id": {**ID, "maximum": 2**31 - 1},
        "authority": {"type": "string", "maxLength": 120},
        "letter_number": {"type": "string", "maxLength": 120},
        "letter_date": DATE,
        "subject": {"type": "string", "maxLength": 300},
        "notes": {"type": "string", "maxLength": 2000},
    },
    ["purpose", "letter_number", "letter_date"],
)
APPROVAL_UPLOAD = {
    **APPROVAL_REQUEST,
    "properties": {
        **APPROVAL_REQUEST["properties"],
        "position_id": {**ID, "maximum": 2**31 - 1},
        "pdf": {"type": "string", "contentMediaType": "application/pdf"},
    },
}
APPROVAL = {
    "type": "object",
    "required": ["id", "purpose", "authority", "letter_number", "letter_date"],
    "properties": {
        "id": {"type": "integer"},
        "purpose": {"type": "string"},
        "authority": {"type": "string"},
        "letter_number": {"type": "string"},
        "letter_date": DATE,
        "subject": {"type": "string"},
        "notes": {"type": "string"},
        "file_sha256": {"type": ["string", "null"]},
    },
}
APPOINTMENT_REQUEST = obj(
    {
        "application_id": {**ID, "maximum": 2**31 - 1},
        "expected_version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    },
    ["application_id"],
)
DOCUMENT_LIST = {
    "type": "object",
    "required": ["documents"],
    "properties": {
        "documents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "kind",
                    "number",
                    "sha256",
                    "verification_code",
                    "download_url",
                ],
                "properties": {
                    "id": {"type": "integer"},
                    "kind": {"type": "string"},
                    "number": {"type": "string"},
                    "title": {"type": "string"},
                    "sha256": {"type": "string"},
                    "verification_code": {"type": "string"},
                    "signed": {"type": "boolean"},
                    "issued_at": {"type": "string", "format": "date-time"},
                    "issued_by": {"type": "string"},
                    "download_url": {"type": "string"},
                    "verify_url": {"type": "string"},
                },
            },
        }
    },
}
