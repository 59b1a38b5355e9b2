"""JSON schemas of the API's bodies and responses (JSON Schema 2020-12, as OpenAPI 3.1), one
module per resource; the routes use them as ``schemas.NAME``.
"""

from openbid.api.schemas.announcement import DROP_REQUEST
from openbid.api.schemas.applications import (
    APPLICATION,
    APPLICATION_FIELDS,
    APPLICATION_UPLOAD,
    CONFLICT,
    CONFLICT_REQUEST,
    PROFILE,
    PROFILE_REQUEST,
    SCORE_REQUEST,
    SCORE_SHAPES,
    VERDICT_REQUEST,
)
from openbid.api.schemas.approvals import APPOINTMENT_REQUEST
from openbid.api.schemas.assessment import ASSESSMENT_UPLOAD, IMPORT_REPORT
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
from openbid.api.schemas.documents import (
    DOCUMENT_LIST,
)
from openbid.api.schemas.ranking import (
    COMMITTEE_CANDIDATES,
    CORRECTION,
    CORRECTION_REQUEST,
    RANKING,
    REVISION,
    REVISION_REQUEST,
)
from openbid.api.schemas.screening import (
    APPLICATION_PAGE,
    APPLICATION_QUERY,
    OUTCOMES,
    WITHDRAW_REQUEST,
)
from openbid.api.schemas.selections import (
    AUDIT,
    AUDIT_EVENT,
    AUDIT_QUERY,
    EVENT,
    EVENT_REQUEST,
    JOB,
    MEMBER,
    MEMBER_CREATE,
    MEMBER_SEATED,
    POSITION,
    POSITION_CREATE,
    REASON,
    SELECTION,
    SELECTION_CREATE,
    SELECTION_LIST,
    SELECTION_SUMMARY,
)
from openbid.api.schemas.tokens import (
    TOKEN,
    TOKEN_REQUEST,
)

__all__ = [
    "APPLICATION",
    "APPLICATION_FIELDS",
    "APPLICATION_PAGE",
    "APPLICATION_QUERY",
    "APPLICATION_UPLOAD",
    "APPOINTMENT_REQUEST",
    "ASSESSMENT_UPLOAD",
    "AUDIT",
    "AUDIT_EVENT",
    "AUDIT_QUERY",
    "COMMITTEE_CANDIDATES",
    "CONFLICT",
    "CORRECTION",
    "CORRECTION_REQUEST",
    "CONFLICT_REQUEST",
    "DATE",
    "DATETIME_OR_NULL",
    "DOCUMENT_LIST",
    "DROP_REQUEST",
    "EVENT",
    "EVENT_REQUEST",
    "IMPORT_REPORT",
    "JOB",
    "ID",
    "MAX_INT",
    "MEMBER",
    "MEMBER_CREATE",
    "MEMBER_SEATED",
    "NO_NUL",
    "POSITION",
    "POSITION_CREATE",
    "OUTCOMES",
    "PROFILE",
    "PROFILE_REQUEST",
    "RANKING",
    "REASON",
    "REVISION",
    "REVISION_REQUEST",
    "SAFE_JSON",
    "SCORE_REQUEST",
    "SCORE_SHAPES",
    "SELECTION",
    "SELECTION_CREATE",
    "SELECTION_LIST",
    "SELECTION_SUMMARY",
    "TEXT",
    "TOKEN",
    "TOKEN_REQUEST",
    "VERDICT_REQUEST",
    "WITHDRAW_REQUEST",
    "column_text",
    "obj",
]
