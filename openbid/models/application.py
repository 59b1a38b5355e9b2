"""Application: one candidate for one post."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openbid.models.base import Base, UTCDateTime, utcnow
from openbid.models.position import Position
from openbid.models.user import User


class Application(Base):
    """A candidate's application to a post, moved through its own state machine."""

    __tablename__ = "application"
    __table_args__ = (sa.UniqueConstraint("position_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(
        sa.ForeignKey("position.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # Written only by openbid.workflow.engine.fire().
    state: Mapped[str] = mapped_column(sa.String(40), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The candidate's profile as submitted: what the committee screens.
    profile_snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    position: Mapped[Position] = relationship(back_populates="applications")
    candidate: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def selection(self):
        """Return the selection this application belongs to."""
        return self.position.selection

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.state}>"
