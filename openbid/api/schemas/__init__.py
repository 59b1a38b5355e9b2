"""JSON schemas of the API's bodies and responses (JSON Schema 2020-12, as OpenAPI 3.1), one
module per resource; the routes still on ``api_route`` use them as ``schemas.NAME``.
"""

from openbid.api.schemas.announcement import DROP_REQUEST
from openbid.api.schemas.applications import APPLICATION_FIELDS, APPLICATION_UPLOAD
from openbid.api.schemas.approvals import APPOINTMENT_REQUEST
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
from openbid.api.schemas.selections import POSITION_CREATE

# Declared once in marshmallow now; routes still on api_route refer to their components.
APPLICATION = {"$ref": "#/components/schemas/Application"}
JOB = {"$ref": "#/components/schemas/Job"}
REASON = {"$ref": "#/components/schemas/Reason"}
SELECTION = {"$ref": "#/components/schemas/Selection"}

__all__ = [
    "APPLICATION",
    "APPLICATION_FIELDS",
    "APPLICATION_UPLOAD",
    "APPOINTMENT_REQUEST",
    "DATE",
    "DATETIME_OR_NULL",
    "DROP_REQUEST",
    "ID",
    "JOB",
    "MAX_INT",
    "NO_NUL",
    "POSITION_CREATE",
    "REASON",
    "SAFE_JSON",
    "SELECTION",
    "TEXT",
    "column_text",
    "obj",
]
