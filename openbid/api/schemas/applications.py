"""Schemas of the one application route still on ``api_route``: apply's multipart form. The
application itself and the stages' inputs are declared once in ``api/application_schemas.py``.
"""

from __future__ import annotations

from openbid.api.schemas.base import obj
from openbid.rules.eligibility import REQUIRED_DOCUMENTS

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
