"""Committee (pansel) membership of a selection."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.user import User

if TYPE_CHECKING:
    from openbid.models.selection import Selection


class CommitteeRole(enum.StrEnum):
    """A member's role inside the committee."""

    CHAIR = "chair"  # ketua
    SECRETARY = "secretary"  # sekretaris
    MEMBER = "member"  # anggota


class CommitteeMember(Base):
    """A person seated on a selection's committee by the PPK's decree."""

    __tablename__ = "committee_member"
    __table_args__ = (sa.UniqueConstraint("selection_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    committee_role: Mapped[CommitteeRole] = mapped_column(
        sa.Enum(CommitteeRole, native_enum=False, length=20), default=CommitteeRole.MEMBER
    )
    is_internal: Mapped[bool]
    position_title: Mapped[str] = mapped_column(sa.String(200))
    institution: Mapped[str] = mapped_column(sa.String(200), default="")
    position_level: Mapped[int] = mapped_column(default=0)
    is_bkn_official: Mapped[bool] = mapped_column(default=False)

    selection: Mapped[Selection] = relationship(back_populates="committee")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CommitteeMember {self.user_id} of {self.selection_id}>"


class CommitteeException(Base):
    """A composition rule the committee is allowed to break, with why, who and when.

    Recorded through the workflow (``record_committee_exception``) while the plan is a draft;
    the oversight body sees it in its dossier and agrees by approving the plan.
    ``reasons`` keeps the check's wording at that moment (what exactly was excepted).
    """

    __tablename__ = "committee_exception"
    __table_args__ = (sa.UniqueConstraint("selection_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(sa.String(60))  # a Reason code, e.g. committee.size_range
    justification: Mapped[str] = mapped_column(sa.Text)
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()
