"""JSON schemas of the API's bodies and responses (JSON Schema 2020-12, as OpenAPI 3.1), one
module per resource; the routes still on ``api_route`` use them as ``schemas.NAME``.
"""

from openbid.api.schemas.applications import APPLICATION_FIELDS, APPLICATION_UPLOAD
from openbid.api.schemas.base import (
    DATE,
    DATETIME_OR_NULL,
    ID,
    MAX_INT,
    NO_NUL,
    SAFE_JSON,
    TEXT,
    column_text,
    obj,
)

# Declared once in marshmallow now; routes still on api_route refer to their components.
APPLICATION = {"$ref": "#/components/schemas/Application"}
JOB = {"$ref": "#/components/schemas/Job"}
REASON = {"$ref": "#/components/schemas/Reason"}
SELECTION = {"$ref": "#/components/schemas/Selection"}

__all__ = [
    "APPLICATION",
    "APPLICATION_FIELDS",
    "APPLICATION_UPLOAD",
    "DATE",
    "DATETIME_OR_NULL",
    "ID",
    "JOB",
    "MAX_INT",
    "NO_NUL",
    "REASON",
    "SAFE_JSON",
    "SELECTION",
    "TEXT",
    "column_text",
    "obj",
]
