"""Schemas of the selection routes: a selection, its posts, committee and events, its audit
trail, and the requests creating them.
"""

from __future__ import annotations

from openbid.api.schemas.base import DATE, DATETIME_OR_NULL, ID, column_text, obj
from openbid.models import CommitteeMember, Position, Selection

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
        # An existing committee account of the agency, or a new person to create.
        "user_id": ID,
        "new_name": {"type": "string", "maxLength": 300},
        "new_email": {"type": "string", "maxLength": 320},
        "committee_role": {"type": "string", "enum": ["chair", "secretary", "member"]},
        "is_internal": {"type": "boolean"},
        "position_title": column_text(CommitteeMember.position_title),
        "position_level": {"type": "integer", "minimum": 0, "maximum": 4},
        "institution": column_text(CommitteeMember.institution, min_length=0),
        "is_bkn_official": {"type": "boolean"},
    },
    ["committee_role", "is_internal", "position_title", "position_level"],
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
AUDIT_VERIFIED = {
    "type": ["object", "null"],
    "description": "Up to which event the chain is verified (null when broken or empty). A "
    "request re-checks only the events after the last recorded verification; `flask openbid "
    "verify-audit` re-checks every event.",
    "required": ["seq", "hash", "verified_at", "mode"],
    "properties": {
        "seq": {"type": "integer", "minimum": 1},
        "hash": {"type": "string"},
        "verified_at": {"type": "string", "format": "date-time"},
        "mode": {"enum": ["full", "incremental"]},
        "last_full": {
            "type": ["object", "null"],
            "description": "The last full verification (verify-audit), if any.",
        },
    },
}
AUDIT = {
    "type": "object",
    "required": ["chain", "intact", "verified", "events", "next_after"],
    "properties": {
        "chain": {"type": "string"},
        "intact": {"type": "boolean"},
        "problem": {"type": ["string", "null"]},
        "problem_seq": {"type": ["integer", "null"]},
        "verified": AUDIT_VERIFIED,
        "final_hash": {"type": ["string", "null"], "description": "verified.hash"},
        "events": {"type": "array", "items": AUDIT_EVENT},
        "next_after": {
            "type": ["integer", "null"],
            "description": "The `after` of the next page (as in the Link rel=next header), "
            "or null on the last page.",
        },
    },
}
AUDIT_QUERY = {
    "after": {
        "type": "integer",
        "minimum": 0,
        "maximum": 2**31 - 1,
        "default": 0,
        "description": "Return events with a sequence number greater than this.",
    },
    "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 100,
        "description": "At most this many events.",
    },
}
MEMBER_SEATED = {
    **SELECTION,
    "properties": {
        **SELECTION["properties"],
        "new_account": {
            "type": "object",
            "required": ["user_id", "email", "initial_password"],
            "properties": {
                "user_id": {"type": "integer"},
                "email": {"type": "string"},
                "initial_password": {"type": "string"},
            },
        },
    },
}
