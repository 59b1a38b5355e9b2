"""Committee (pansel) membership of a selection."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base
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
