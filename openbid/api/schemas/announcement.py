"""Schemas of the approval and announcement stage's settings: the gates a selection
requires, its election windows, and dropping a post short of applicants.
"""

from __future__ import annotations

from openbid.api.schemas.base import DATE, obj

REQUIRED_GATES_REQUEST = obj(
    {
        "gates": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 60},
            "maxItems": 20,
        }
    },
    ["gates"],
)
ELECTION_WINDOW_REQUEST = obj(
    {
        "starts_on": DATE,
        "ends_on": DATE,
        # Longer than the stage allows: it refuses more than 300 characters with its reason.
        "reason": {"type": "string", "maxLength": 400},
    },
    ["starts_on", "ends_on", "reason"],
)
DROP_REQUEST = obj({"reason": {"type": "string", "maxLength": 2000}}, ["reason"])
_GATE = {
    "type": "object",
    "required": ["code", "authority", "label", "required", "required_by", "recorded"],
    "properties": {
        "code": {"type": "string"},
        "authority": {"type": "string"},
        "label": {"type": "string"},
        "required": {"type": "boolean"},
        "required_by": {
            "type": "string",
            "enum": ["definition", "selection", "election_window", ""],
        },
        "optional": {"type": "boolean"},
        "recorded": {"type": "boolean"},
        "approval_id": {"type": ["integer", "null"]},
    },
}
_WINDOW = {
    "type": "object",
    "required": ["number", "starts_on", "ends_on", "reason"],
    "properties": {
        "number": {"type": "integer", "minimum": 1},
        "starts_on": DATE,
        "ends_on": DATE,
        "reason": {"type": "string"},
    },
}
APPROVAL_GATES = {
    "type": "object",
    "required": ["selection_id", "version", "state", "editable", "gates", "election_windows"],
    "properties": {
        "selection_id": {"type": "integer"},
        "version": {"type": "integer"},
        "state": {"type": "string"},
        "editable": {"type": "boolean"},
        "required_gates": {"type": "array", "items": {"type": "string"}},
        "gates": {"type": "array", "items": _GATE},
        "election_windows": {"type": "array", "items": _WINDOW},
    },
}
