"""Database models, one domain concept per module."""

from openbid.models.agency import Agency, AgencyHoliday
from openbid.models.application import Application
from openbid.models.audit import AuditChainHead, AuditEvent
from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.committee import CommitteeMember, CommitteeRole
from openbid.models.position import Position
from openbid.models.selection import Selection
from openbid.models.user import STAFF_ROLES, Role, User

__all__ = [
    "STAFF_ROLES",
    "Agency",
    "AgencyHoliday",
    "Application",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "CommitteeMember",
    "CommitteeRole",
    "Position",
    "Role",
    "Selection",
    "UTCDateTime",
    "User",
    "utcnow",
]
