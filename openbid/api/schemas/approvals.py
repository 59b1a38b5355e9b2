"""Schemas of the approval-letter and appointment routes."""

from __future__ import annotations

from openbid.api.schemas.base import DATE, ID, obj

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
