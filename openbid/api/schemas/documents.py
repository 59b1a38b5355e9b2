"""Schemas of the issued-documents routes."""

from __future__ import annotations

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
