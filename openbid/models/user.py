"""User accounts of every role."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from openbid.models.agency import Agency
from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.oversight import OversightBody
from openbid.rules.reasons import N_, Term


class Role(enum.StrEnum):
    """What a user is in openbid; each role has its own area."""

    ADMIN = "admin"  # configures the agency and its users
    SECRETARIAT = "secretariat"  # BKPSDM staff running the selection (sekretariat pansel)
    COMMITTEE = "committee"  # a member of a selection committee (pansel)
    PPK = "ppk"  # the appointing official (Wali Kota/Bupati)
    AUDITOR = "auditor"  # read-only review afterwards
    CANDIDATE = "candidate"  # a civil servant applying
    OVERSIGHT = "oversight"  # a reviewer of an oversight body (KASN, BKN), across agencies


ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.SECRETARIAT: N_("Secretariat (BKPSDM)"),
    Role.COMMITTEE: N_("Committee member (pansel)"),
    Role.PPK: N_("Appointing official (PPK)"),
    Role.AUDITOR: N_("Auditor"),
    Role.CANDIDATE: N_("Candidate"),
    Role.OVERSIGHT: N_("Oversight body reviewer"),
}


def role_term(role: Role | str) -> Term:
    """Return a role's name as a translatable term for messages."""
    return Term(ROLE_LABELS[Role(role)])


# werkzeug's scrypt with its default cost; the test suite lowers the cost to stay fast.
PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hashing method, not a password

STAFF_ROLES = frozenset({Role.ADMIN, Role.SECRETARIAT, Role.COMMITTEE, Role.PPK, Role.AUDITOR})


class User(UserMixin, Base):
    """A person who logs in; staff belong to one agency, candidates to none."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    # An oversight reviewer belongs to a body, not to an agency (see OversightBody.supervises).
    oversight_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("oversight_body.id"))
    # The body's own administrator: manages its reviewers' accounts (an oversight user only).
    body_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    position_title: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id in every session and remember cookie (see get_id); raising it ends them all.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    agency: Mapped[Agency | None] = relationship()
    oversight_body: Mapped[OversightBody | None] = relationship()

    def set_password(self, password: str) -> None:
        """Hash and store the password (werkzeug scrypt)."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Return "id:generation" for Flask-Login's session and remember cookies.

        The user loader accepts a cookie only while its generation is the account's current
        one, so log-out and a password reset can end sessions whose cookies were copied.
        """
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
