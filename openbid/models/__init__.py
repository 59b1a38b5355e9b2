"""Database models, one domain concept per module."""

from openbid.models.agency import Agency, AgencyHoliday
from openbid.models.application import Application
from openbid.models.approval import Approval, RegistrationExtension
from openbid.models.assessment import (
    AssessmentResult,
    ConflictDeclaration,
    InterviewScore,
    ScreeningVerdict,
    ShortlistResult,
)
from openbid.models.audit import AuditChainHead, AuditEvent
from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.candidate import ApplicationDocument, CandidateProfile
from openbid.models.committee import CommitteeException, CommitteeMember, CommitteeRole
from openbid.models.document import DocumentCounter, DocumentStatus, IssuedDocument
from openbid.models.file import StoredFile
from openbid.models.job import Job, JobStatus
from openbid.models.notification import LoginAttempt, OutboxMessage
from openbid.models.oversight import OversightBody, OversightCounter, OversightReview
from openbid.models.position import Position
from openbid.models.selection import Selection
from openbid.models.states import (
    ApplicationEvent,
    ApplicationState,
    SelectionEvent,
    SelectionState,
)
from openbid.models.token import ApiToken
from openbid.models.user import STAFF_ROLES, Role, User

__all__ = [
    "STAFF_ROLES",
    "ApiToken",
    "Agency",
    "AgencyHoliday",
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "ApplicationState",
    "Approval",
    "AssessmentResult",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "CandidateProfile",
    "CommitteeException",
    "CommitteeMember",
    "CommitteeRole",
    "ConflictDeclaration",
    "DocumentCounter",
    "DocumentStatus",
    "InterviewScore",
    "IssuedDocument",
    "Job",
    "JobStatus",
    "LoginAttempt",
    "OutboxMessage",
    "OversightBody",
    "OversightCounter",
    "OversightReview",
    "Position",
    "RegistrationExtension",
    "Role",
    "ScreeningVerdict",
    "Selection",
    "SelectionEvent",
    "SelectionState",
    "ShortlistResult",
    "StoredFile",
    "UTCDateTime",
    "User",
    "utcnow",
]
