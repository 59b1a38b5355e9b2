"""Schemas of the assessment centre's CSV import."""

from __future__ import annotations

ASSESSMENT_UPLOAD = {
    "type": "object",
    "properties": {"file": {"type": "string", "contentMediaType": "text/csv"}},
    "required": ["file"],
}
IMPORT_REPORT = {
    "type": "object",
    "required": ["selection_id", "filename", "rows", "changed"],
    "properties": {
        "selection_id": {"type": "integer"},
        "filename": {"type": "string"},
        "rows": {"type": "integer", "minimum": 0},
        "changed": {"type": "integer", "minimum": 0},
        "sha256": {"type": ["string", "null"]},
    },
}
